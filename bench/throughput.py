"""Throughput and latency of the process board under gunicorn, 8 clients at once (named
throughput.py, not http.py: a bench/http.py would hide the standard library's http package).

    apt-get install -y wrk                     # once
    .venv/bin/python bench/throughput.py [--db sqlite|postgres|both] [--seconds 15]
                                         [--cards 500,5000]

For each database: the data of bench/run.py (its ``seed``: the demo company, the shipped
templates, 15,000 items with 5,000 active article cards); run.py's ``set_active_cards``
keeps 500 or 5,000 of them active. The app is served as the README's
Production section says, by gunicorn with 4 workers (bench/served.py), and wrk measures
``GET /processes/<article>/board`` as a browser asks it (logged in as the marketer by the
session cookie, ``Accept-Encoding: gzip``): ``wrk -t2 -c8 -d15s`` after 3 s of warm-up.
The client runs on the same 2 cores as the server.

Per case it prints requests per second, latency p50 / p95 / p99 (wrk's, from a Lua
``done`` hook), non-2xx answers, and the board's bytes on the wire (the body as sent
gzipped, and unzipped). Postgres comes from MKFLOW_BENCH_DATABASE_URL (default below;
created when missing, its public schema dropped and recreated).
"""

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: the board's data)
import served  # noqa: E402
from common import load_average, make_app  # noqa: E402

from mkflow.core.database import db  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mkflow_bench_http"
CLIENTS, THREADS, WARMUP_SECONDS = 8, 2, 3
TARGET_RPS = 210  # 10 × Kanboard's 20–21 req/s on the 500-card board
TARGET_P95_MS = 15

# wrk's own numbers at the end of a run, on one line this script reads.
REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("mkflow-wrk %d %d %d %.0f %.0f %.0f %d\\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors.status + errors.connect + errors.read + errors.write + errors.timeout))
end
"""


@dataclass
class Outcome:
    db: str
    cards: int
    rps: float
    p50: float  # ms
    p95: float
    p99: float
    errors: int
    wire_kb: float  # the body as sent (gzip)
    raw_kb: float  # the same unzipped


def wire_size(server: served.Server, path: str, cookie: str) -> tuple[float, float]:
    """(KB as sent gzipped, KB unzipped) of one answer; checks it is the full board."""
    conn = server.connection()
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
    answer = conn.getresponse()
    body = answer.read()
    if answer.status != 200 or answer.getheader("Content-Encoding") != "gzip":
        raise RuntimeError(f"{path}: {answer.status} {answer.getheader('Content-Encoding')}")
    html = gzip.decompress(body)
    if b'class="card-item' not in html:
        raise RuntimeError(f"{path}: no card on the board")
    return len(body) / 1024, len(html) / 1024


def wrk(server: served.Server, path: str, cookie: str, seconds: int) -> list[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(REPORT)
    try:
        command = [
            "wrk",
            f"-t{THREADS}",
            f"-c{CLIENTS}",
            "-H",
            f"Cookie: {cookie}",
            "-H",
            "Accept-Encoding: gzip",
            "-s",
            script.name,
        ]
        url = server.base + path
        subprocess.run([*command, f"-d{WARMUP_SECONDS}s", url], check=True, capture_output=True)
        out = subprocess.run(
            [*command, f"-d{seconds}s", "--timeout", "10s", url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(script.name)
    return next(line for line in out.splitlines() if line.startswith("mkflow-wrk")).split()[1:]


def run_database(label: str, url: str, sizes: list[int], seconds: int) -> list[Outcome]:
    app = make_app(url)
    seeded = run.seed(app)
    with app.app_context():
        db.engine.dispose()
    print(f"[{label}] seeded {len(seeded.cards)} article cards", flush=True)
    outcomes = []
    path = f"/processes/{seeded.template_id}/board"
    for cards in sizes:
        run.set_active_cards(app, seeded, cards)
        with served.gunicorn(url) as server:
            cookie = served.session_cookie(server, run.USER_EMAIL)
            wire_kb, raw_kb = wire_size(server, path, cookie)
            requests, micros, _, p50, p95, p99, errors = map(
                float, wrk(server, path, cookie, seconds)
            )
        outcomes.append(
            Outcome(
                label,
                cards,
                requests / (micros / 1e6),
                p50 / 1000,
                p95 / 1000,
                p99 / 1000,
                int(errors),
                wire_kb,
                raw_kb,
            )
        )
        print(f"[{label}] board@{cards}: {outcomes[-1].rps:.1f} req/s", flush=True)
    with app.app_context():
        db.engine.dispose()
    return outcomes


def print_table(outcomes: list[Outcome]) -> None:
    print(
        "\n| db | active cards | req/s | p50 ms | p95 ms | p99 ms | errors | "
        "KB on the wire (gzip) | KB unzipped |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for o in outcomes:
        print(
            f"| {o.db} | {o.cards:,} | {o.rps:.1f} | {o.p50:.1f} | {o.p95:.1f} | {o.p99:.1f} | "
            f"{o.errors} | {o.wire_kb:,.1f} | {o.raw_kb:,.1f} |"
        )
    print(
        f"\nTargets: ≥ {TARGET_RPS} req/s on the 500-card board, p95 ≤ {TARGET_P95_MS} ms "
        "at 500 and 5,000 cards."
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--cards", default="500,5000", help="active board cards per case")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        parser.error("wrk is missing: apt-get install -y wrk")
    sizes = sorted(int(n) for n in args.cards.split(","))
    started = time.perf_counter()
    print(f"load average at start: {load_average()}", flush=True)
    outcomes = []
    if args.db in ("sqlite", "both"):
        with served.database("sqlite", "") as url:
            outcomes += run_database("sqlite", url, sizes, args.seconds)
    if args.db in ("postgres", "both"):
        pg_url = os.environ.get("MKFLOW_BENCH_DATABASE_URL", DEFAULT_PG_URL)
        with served.database("postgres", pg_url) as url:
            outcomes += run_database("postgres", url, sizes, args.seconds)
    print_table(outcomes)
    print(
        f"\n{CLIENTS} clients (wrk -t{THREADS} -c{CLIENTS} -d{args.seconds}s), gunicorn ×4; "
        f"load average at end: {load_average()}; took {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
