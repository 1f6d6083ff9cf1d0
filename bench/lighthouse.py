"""Lighthouse (mobile) performance of every kind of page.

    mkdir -p /work/lh && cd /work/lh && npm i lighthouse     # once; or set LIGHTHOUSE
    .venv/bin/python bench/lighthouse.py [--db sqlite|postgres] [--runs 1] [--only gantt,...]

The app is served as the README's Production section says (bench/served.py: ``flask db
upgrade``, ``flask seed demo --locale en``, gunicorn with 4 workers), and a share link of
the article board is made. Lighthouse (``LIGHTHOUSE``, default
/work/lh/node_modules/.bin/lighthouse) runs Debian's Chromium (``CHROME_PATH``, default
/usr/bin/chromium, ``--headless=new --no-sandbox --disable-gpu``) with its default mobile
settings (a mid-range phone: CPU slowed 4×, slow 4G simulated), an empty cache, and the
session cookie of the demo person who opens the page in ``--extra-headers`` (see
served.demo_pages). With ``--runs`` above 1 it takes the run with the median score.

It prints each page's performance score, LCP, TBT and CLS as a Markdown table, and for a
page below 95 the audits that cost it points.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import served  # noqa: E402
from common import load_average  # noqa: E402

LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "/work/lh/node_modules/.bin/lighthouse")
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
TARGET = 95
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mkflow_bench_browser"


def lighthouse(url: str, cookie: str | None) -> dict:
    """One Lighthouse run of ``url``: its JSON report (the performance category only)."""
    with tempfile.TemporaryDirectory(prefix="mkflow-lh-") as workdir:
        report = Path(workdir) / "report.json"
        command = [
            LIGHTHOUSE,
            url,
            "--only-categories=performance",
            "--form-factor=mobile",
            "--output=json",
            f"--output-path={report}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--quiet",
        ]
        if cookie:
            command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
        subprocess.run(
            command, check=True, env=os.environ | {"CHROME_PATH": CHROME}, capture_output=True
        )
        return json.loads(report.read_text())


def summary(report: dict) -> dict:
    audits = report["audits"]
    costly = [
        f"{audits[ref['id']]['title']}"
        + (
            f" ({audits[ref['id']]['displayValue']})"
            if audits[ref["id"]].get("displayValue")
            else ""
        )
        for ref in report["categories"]["performance"]["auditRefs"]
        if ref["weight"] > 0 and (audits[ref["id"]].get("score") or 0) < 0.9
    ]
    return {
        "score": round(report["categories"]["performance"]["score"] * 100),
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "costly": costly,
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl"),
    }


def run(db: str, runs: int, only: set[str] | None) -> dict[str, dict]:
    url = os.environ.get("MKFLOW_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    results = {}
    with served.database(db, url) as database_url:
        served.demo_database(database_url)
        pages = served.demo_pages(database_url)
        with served.gunicorn(database_url) as server:
            cookies = {}
            for name, page in pages.items():
                if only and name not in only:
                    continue
                if page.email and page.email not in cookies:
                    cookies[page.email] = served.session_cookie(server, page.email)
                outcomes = [
                    summary(lighthouse(server.base + page.path, cookies.get(page.email)))
                    for _ in range(runs)
                ]
                outcomes.sort(key=lambda o: o["score"])
                results[name] = outcomes[len(outcomes) // 2] | {"path": page.path}
                print(f"{name}: {results[name]['score']}", file=sys.stderr, flush=True)
    return results


def print_table(results: dict[str, dict]) -> None:
    print("\n| page | path | score | FCP s | LCP s | TBT ms | CLS |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        path = r["path"] if not r["path"].startswith("/share/") else "/share/<token>"
        score = str(r["score"]) if r["score"] >= TARGET else f"**{r['score']}**"
        print(
            f"| {name} | `{path}` | {score} | {r['fcp'] / 1000:.1f} | {r['lcp'] / 1000:.1f} | "
            f"{r['tbt']:.0f} | {r['cls']:.3f} |"
        )
    for name, r in results.items():
        if r["score"] < TARGET:
            print(f"\n{name} ({r['score']}): " + "; ".join(r["costly"]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", help="comma-separated page names (see served.demo_pages)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"load average before: {load_average()}", flush=True)
    only = set(args.only.split(",")) if args.only else None
    results = run(args.db, args.runs, only)
    print_table(results)
    print(
        f"\n{args.db}, Lighthouse mobile, {args.runs} run(s) per page; "
        f"load average after: {load_average()}; took {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
