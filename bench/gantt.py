"""Benchmark of the Gantt page: server time and bytes for a 500- and a 5,000-task project,
and the bytes of JavaScript and CSS a first visit transfers.

    .venv/bin/python bench/gantt.py [--db sqlite|postgres|both] [--requests 200] [--profile]

For each database: a fresh, migrated database with the demo company and three projects made
with the recipe of ``bench/projects.py`` (subtasks to depth 3, milestones, links of all four
kinds): 500 and 5,000 tasks (measured) and 100 (for the statement count). The Flask test
client, logged in as the project manager, times GET /projects/<id>/gantt?zoom=quarter with
``Accept-Encoding: gzip``, as a browser sends it, and checks each answer: gzipped, with the
URL of its figure (the "Interactive" button's), which is fetched once per project (also
gzipped) and checked: a bar per task, an arrow per link. The figure's bytes are printed with
the page's; its time is not in the page's. The 5,000-task page is timed for a quarter of the
requests. The first-visit transfer is the page's own scripts and style sheets fetched the
same way, as a browser with an empty cache would. Postgres comes from
MKFLOW_BENCH_GANTT_DATABASE_URL (default below); the database is created when missing and its
public schema is dropped and recreated.
"""

import argparse
import cProfile
import gzip
import html
import json
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    Result,
    StatementCounter,
    fresh_postgres,
    load_average,
    make_app,
    print_profile,
    print_table,
    sqlite_url,
    timed,
)
from projects import build_project, log_in, seed  # noqa: E402

from mkflow.core import clock  # noqa: E402
from mkflow.core.database import db  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mkflow_bench_gantt"
BIG, HUGE, SMALL = 500, 5_000, 100
WARMUP = 5
TARGETS_MS = {BIG: 12.0, HUGE: 150.0, SMALL: 12.0}  # 5,000 tasks: "still usable"
GZIP = {"Accept-Encoding": "gzip"}
TARGET_FIRST_VISIT_JS_KB = 500
FIGURE_URL = re.compile(r'data-figure-url="([^"]*)"')  # on the "Interactive" button
ASSETS = re.compile(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"')


def check(response) -> tuple[int, int, str]:
    """Checks the page; returns its bytes as sent (gzipped) and unpacked, and its figure's URL."""
    assert response.status_code == 200, response.status_code
    assert response.headers.get("Content-Encoding") == "gzip", "the page is not compressed"
    page = gzip.decompress(response.data).decode()
    assert "data-figure=" not in page, "the figure's JSON is in the page"
    return len(response.data), len(page.encode()), html.unescape(FIGURE_URL.search(page).group(1))


def check_figure(client, url, built) -> tuple[int, int]:
    """Fetches the figure as "Interactive" does and checks it; returns its bytes as sent
    (gzipped) and unpacked."""
    response = client.get(url, headers=GZIP)
    assert response.status_code == 200, response.status_code
    assert response.headers.get("Content-Encoding") == "gzip", "the figure is not compressed"
    body = gzip.decompress(response.data)
    figure = json.loads(body)
    bars = sum(len(t["y"]) for t in figure["data"] if t["type"] == "bar")
    assert bars == built.size, f"{bars} bars for {built.size} tasks"
    arrows = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert len(arrows[0]["x"]) == 4 * built.counts["links"], "an arrow is missing"
    return len(response.data), len(body)


def bench_gantt(client, counter, built, requests, label, profiler=None):
    """The timings, and the bytes (sent, unpacked) of the page and of its figure."""
    url = f"/projects/{built.project_id}/gantt?zoom=quarter"
    result = Result(label, "gantt", built.size, TARGETS_MS[built.size])
    for i in range(WARMUP + requests):
        measured = i >= WARMUP
        send = lambda: client.get(url, headers=GZIP)  # noqa: E731
        response, sample = timed(counter, send, profiler if measured else None)
        *sizes, figure_url = check(response)
        if measured:
            result.add(*sample)
    return result, (*sizes, *check_figure(client, figure_url, built))


def first_visit(client, built) -> list[tuple[str, int, int]]:
    """(asset, bytes sent gzipped, bytes unpacked) of each script and style sheet."""
    page = client.get(f"/projects/{built.project_id}/gantt").get_data(as_text=True)
    found = []
    for url in ASSETS.findall(page):
        response = client.get(url.replace("&amp;", "&"), headers=GZIP)
        assert response.status_code == 200, url
        sent = len(response.data)
        unpacked = sent
        if response.headers.get("Content-Encoding") == "gzip":
            unpacked = len(gzip.decompress(response.data))
        found.append((url.split("?")[0], sent, unpacked))
        response.close()
    return found


def run_database(label: str, url: str, requests: int, profile: bool):
    app = make_app(url)
    huge, big, seconds = seed(app, (HUGE, BIG))
    with app.app_context(), app.test_request_context():
        small = build_project(SMALL, clock.company_today())
    for built in (big, huge):
        print(f"[{label}] seeded {built.counts}")
    print(f"[{label}] and a {small.size}-task project, in {seconds:.1f} s")
    with app.app_context():
        counter = StatementCounter(db.engine)
    client = app.test_client()
    log_in(client)
    results = []
    for built, n in ((big, requests), (huge, max(10, requests // 4))):
        profiler = cProfile.Profile() if profile else None
        results.append(bench_gantt(client, counter, built, n, label, profiler))
        if profiler:
            print_profile(f"gantt {label}@{built.size}", profiler)
    small_result, _sizes = bench_gantt(client, counter, small, 3, label)
    assets = first_visit(client, big)
    with app.app_context():
        db.engine.dispose()
    return results, small_result.statement_text, assets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="timed requests")
    parser.add_argument("--profile", action="store_true", help="print cProfile of the page")
    args = parser.parse_args(argv)
    print(f"load average at start: {load_average()}", flush=True)
    results, assets = [], []
    with tempfile.TemporaryDirectory(prefix="mkflow-bench-gantt-") as workdir:
        plan = []
        if args.db in ("sqlite", "both"):
            plan.append(("sqlite", sqlite_url(workdir, "gantt.db")))
        if args.db in ("postgres", "both"):
            url = os.environ.get("MKFLOW_BENCH_GANTT_DATABASE_URL", DEFAULT_PG_URL)
            plan.append(("postgres", fresh_postgres(url)))
        for label, url in plan:
            found, small_statements, assets = run_database(label, url, args.requests, args.profile)
            results += found
            counts = [small_statements, *(r.statement_text for r, _sizes in found)]
            verdict = "constant" if len(set(counts)) == 1 else "GROWS"
            print(
                f"{label} gantt: statements {' / '.join(counts)} at "
                f"{SMALL} / {BIG} / {HUGE} tasks -> {verdict}"
            )
    print_table([r for r, _sizes in results], "tasks")
    print(
        "\n| db | tasks | page sent (gzip) | page unpacked | figure sent (gzip) | figure unpacked |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r, sizes in results:
        print(f"| {r.db} | {r.size:,} | " + " | ".join(f"{n:,}" for n in sizes) + " |")
    print("\n| first visit of a Gantt page | gzipped bytes | unpacked bytes |")
    print("|---|---:|---:|")
    for asset, sent, unpacked in assets:
        print(f"| `{asset}` | {sent:,} | {unpacked:,} |")
    scripts = sum(sent for asset, sent, _ in assets if asset.endswith(".js"))
    total = sum(sent for _, sent, _ in assets)
    print(f"| **JavaScript** | **{scripts:,}** | |")
    print(f"| **JavaScript and CSS** | **{total:,}** | |")
    met = "met" if scripts <= TARGET_FIRST_VISIT_JS_KB * 1000 else "MISSED"
    print(f"\nJavaScript target ≤ {TARGET_FIRST_VISIT_JS_KB} KB gzipped: {met}")
    print(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
