"""bench/browser.py's measurement against the live server: it finds a page's paint, its
readiness and what it transferred; and the colours' stylesheet colours the board."""

import importlib.util
from pathlib import Path

from support import launch_article, log_in, template

from mkflow.core.database import db

BENCH = Path(__file__).resolve().parents[2] / "bench" / "browser.py"


def bench_browser():
    spec = importlib.util.spec_from_file_location("bench_browser", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_browser_benchmark_measures_a_board_in_its_colour(
    page, live_server, processes, console_errors
):
    launch_article("CRM guide")
    article = template("article")
    article.color = "#aa0000"
    db.session.commit()
    bench = bench_browser()
    page.context.add_init_script(bench.OBSERVERS)
    log_in(page, "head@demo.local")

    first = bench.measure(page, f"{live_server}/processes/{article.id}/board", quiet_ms=200)
    again = bench.measure(page, f"{live_server}/processes/{article.id}/board", quiet_ms=200)

    assert 0 < first["fcp"] <= first["ready"]
    assert {"fcp", "ready", "longest", "tbt", "kb"} <= first.keys() and first["kb"] > 0
    assert 0 < again["fcp"] <= again["ready"]
    dot = page.locator(f"h1 .process-dot.tpl-{article.id}")
    assert dot.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(170, 0, 0)"
    assert console_errors == []
