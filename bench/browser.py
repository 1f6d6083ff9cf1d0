"""What four pages cost in a real Chromium with the CPU slowed 4× (a modest office laptop).

    .venv/bin/python bench/browser.py [--db sqlite|postgres] [--runs 7] [--pages gantt,...]

The app is served as the README's Production section says (bench/served.py: ``flask db
upgrade``, ``flask seed demo --locale en``, gunicorn with 4 workers); Debian's Chromium
(/usr/bin/chromium, headless, --no-sandbox --disable-gpu, 1366×768) is driven by Playwright,
with ``Emulation.setCPUThrottlingRate`` at 4 through a CDP session. Pages, each opened by the
demo person who uses it:

* ``process board``  /processes/<article>/board, the head of marketing;
* ``gantt``          the Gantt of the demo project with most tasks, the head of marketing;
* ``dashboard``      /dashboard, the head of marketing's department;
* ``my work``        /me, the marketer.

Each run is a fresh browser context (empty cache, logged in by its session cookie) that
opens the page twice: "first visit" with nothing cached, "again" as a later visit, with
what the first cached (a stylesheet revalidated on every page shows here). Per visit:

* FCP: first-contentful-paint, ms from the start of the navigation.
* ready: what the user sees is done: the load event has fired, every chart in the first
  screen (``figure.chart``) holds its drawing (an ``svg``, whether the server sent it or
  plotly.js drew it), and then no long task follows for a second. "ready" is the latest of
  the load event's end, the first contentful paint (a small page may paint after its load
  event), the last chart drawn and the end of the last long task before that quiet second.
* longest task and TBT: long tasks (PerformanceObserver ``longtask``, > 50 ms) up to ready;
  total blocking time is the sum of their parts beyond 50 ms.
* KB: bytes transferred (navigation and resources' ``transferSize``: headers plus the
  body as sent, so gzip counts; a file served from the cache counts 0), and requests: how
  many of them went to the server (a revalidation answered 304 counts, the cache does not).

It prints a Markdown table of p50 / p95 over the runs.
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import served  # noqa: E402
from common import load_average  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CPU_SLOWDOWN = 4
VIEWPORT = {"width": 1366, "height": 768}
QUIET_MS = 1000
PAGES = ("process board", "gantt", "dashboard", "my work")
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mkflow_bench_browser"

# Installed before any of the page's own code: the long tasks from the very start, and the
# moment a chart's drawing appears (MutationObserver sees the parser's nodes as well).
OBSERVERS = """
window.__longTasks = [];
window.__chartDrawn = 0;
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) {
    window.__longTasks.push([e.startTime, e.duration]);
  });
}).observe({type: "longtask", buffered: true});
new MutationObserver(function (records) {
  records.forEach(function (r) {
    r.addedNodes.forEach(function (n) {
      if (n.nodeType === 1 && n.closest && n.closest("figure.chart")
          && (n.tagName.toLowerCase() === "svg" || n.querySelector("svg"))) {
        window.__chartDrawn = performance.now();
      }
    });
  });
}).observe(document, {childList: true, subtree: true});
"""

# True once the page is ready as the module's docstring says.
SETTLED = """(quietMs) => {
  const nav = performance.getEntriesByType("navigation")[0];
  if (!nav || !nav.loadEventEnd) return false;
  const charts = [...document.querySelectorAll("figure.chart")].filter(
    (f) => f.getBoundingClientRect().top < window.innerHeight);
  if (charts.some((f) => !f.querySelector("svg"))) return false;
  const ends = window.__longTasks.map(([start, length]) => start + length);
  const busyUntil = Math.max(nav.loadEventEnd, window.__chartDrawn, ...ends);
  return performance.now() - busyUntil >= quietMs;
}"""

RESULTS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const tasks = window.__longTasks;
  const ready = Math.max(nav.loadEventEnd, window.__chartDrawn, fcp ? fcp.startTime : 0,
                         ...tasks.map(([start, length]) => start + length));
  const fetched = [nav, ...performance.getEntriesByType("resource")]
    .filter((e) => e.startTime <= ready && e.transferSize > 0);
  const bytes = fetched.reduce((sum, e) => sum + e.transferSize, 0);
  return {
    fcp: fcp ? fcp.startTime : null,
    ready: ready,
    longest: Math.max(0, ...tasks.map(([, length]) => length)),
    tbt: tasks.reduce((sum, [, length]) => sum + Math.max(0, length - 50), 0),
    kb: bytes / 1024,
    requests: fetched.length,
  };
}"""


def measure(page, url: str, quiet_ms: int = QUIET_MS, timeout_ms: int = 60_000) -> dict:
    """Open ``url`` in ``page`` (whose context has OBSERVERS as an init script) and wait
    until it is ready: {"fcp", "ready", "longest", "tbt" (ms), "kb"}."""
    response = page.goto(url, wait_until="load", timeout=timeout_ms)
    if response is None or response.status != 200:
        raise RuntimeError(f"{url}: {response and response.status}")
    page.wait_for_function(SETTLED, arg=quiet_ms, polling=100, timeout=timeout_ms)
    return page.evaluate(RESULTS)


def new_context(browser, base: str, cookie: str):
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    name, _, value = cookie.partition("=")
    context.add_cookies([{"name": name, "value": value, "url": base}])
    context.add_init_script(OBSERVERS)
    return context


def slowed_page(context):
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return page


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def run(db: str, runs: int, names: list[str]) -> dict[tuple[str, str], list[dict]]:
    from playwright.sync_api import sync_playwright

    url = os.environ.get("MKFLOW_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    results: dict[tuple[str, str], list[dict]] = {}
    with served.database(db, url) as database_url:
        served.demo_database(database_url)
        pages = served.demo_pages(database_url)
        with served.gunicorn(database_url) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            cookies = {}
            for name in names:
                target = pages[name]
                if target.email not in cookies:
                    cookies[target.email] = served.session_cookie(server, target.email)
                for _ in range(runs):
                    context = new_context(browser, server.base, cookies[target.email])
                    page = slowed_page(context)
                    for visit in ("first visit", "again"):
                        outcome = measure(page, server.base + target.path)
                        results.setdefault((name, visit), []).append(outcome)
                    context.close()
            browser.close()
    return results


def print_table(results: dict[tuple[str, str], list[dict]]) -> None:
    print(
        "\n| page | visit | n | FCP p50 / p95 ms | ready p50 / p95 ms | longest task p50 / p95 ms"
        " | TBT p50 / p95 ms | KB transferred p50 | requests p50 |"
    )
    print("|---|---|---:|---|---|---|---|---:|---:|")
    for (name, visit), outcomes in results.items():

        def cell(key: str, outcomes=outcomes) -> str:
            values = [o[key] or 0 for o in outcomes]
            return f"{percentile(values, 50):,.0f} / {percentile(values, 95):,.0f}"

        kb = percentile([o["kb"] for o in outcomes], 50)
        requests = percentile([o["requests"] for o in outcomes], 50)
        print(
            f"| {name} | {visit} | {len(outcomes)} | {cell('fcp')} | {cell('ready')} | "
            f"{cell('longest')} | {cell('tbt')} | {kb:,.1f} | {requests} |"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--pages", default=",".join(PAGES), help="comma-separated, of " + ", ".join(PAGES)
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"load average before: {load_average()}", flush=True)
    results = run(args.db, args.runs, args.pages.split(","))
    print_table(results)
    print(
        f"\n{args.db}, CPU slowed {CPU_SLOWDOWN}×, {args.runs} runs; "
        f"load average after: {load_average()}; took {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
