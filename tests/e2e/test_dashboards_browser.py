"""The dashboards in Chromium: the department dashboard shows its first charts with the page
and the others as they scroll into view, with no console error (the chart CSP included), its
tables stay readable beside them, and a bar of the company dashboard opens that department's
view."""

import re

from dashboard_scenario import build
from playwright.sync_api import expect
from sqlalchemy import select
from support import log_in

from mkflow.core.database import db
from mkflow.models import Department

PERIOD = "from=2026-03-02&to=2026-03-15"


def test_the_department_dashboard_draws_its_charts(page, processes, console_errors):
    build()
    log_in(page, "head@demo.local")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard: Marketing")).to_be_visible()
    page.goto(f"/dashboard?{PERIOD}")
    for name in ("people", "throughput"):  # the first screen
        expect(page.locator(f"#{name}-chart .chart-svg")).to_be_visible()
    expect(page.locator("#flow-chart")).to_have_count(0)  # further down: not yet
    assert not page.locator("script[src*=plotly]").count()
    for name in ("cycle", "stages", "first_pass", "flow", "projects"):
        # In the page, at once: a neighbour revealed meanwhile is swapped for its chart.
        page.evaluate("id => document.getElementById(id).scrollIntoView()", name)
        expect(page.locator(f"#{name}-chart .chart-svg")).to_be_visible()
    expect(page.locator("#cycle-table")).to_be_visible()  # numbers beside the chart
    expect(page.locator("#cycle-table")).to_contain_text("3 d 12 h")
    expect(page.locator("#flow-chart .chart-svg polygon")).to_have_count(7)  # one per stage
    # a chart that came later draws with plotly.js too, when asked
    with page.expect_response(lambda response: "figure=cycle-chart" in response.url) as fetched:
        page.locator("#cycle-chart").get_by_role("button", name="Interactive").click()
    assert f"/dashboard/part/cycle?{PERIOD}" in fetched.value.url  # the part's own filters
    expect(page.locator("#cycle-chart .chart-plot .main-svg").first).to_be_visible()
    assert console_errors == []


def test_a_bar_of_the_company_dashboard_opens_the_department(page, processes, console_errors):
    build()
    marketing = db.session.scalar(select(Department).where(Department.slug == "marketing"))
    log_in(page, "ceo@demo.local")
    page.goto(f"/dashboard/company?{PERIOD}")
    expect(page.get_by_role("heading", name="Company dashboard")).to_be_visible()
    # The "Finished" bar of Marketing: the only department with finished work.
    bar = page.locator("#departments-chart rect", has_text=re.compile(r"^Finished\s+Marketing"))
    bar.click()
    expect(page).to_have_url(re.compile(rf"/dashboard\?.*department={marketing.id}"))
    expect(page.get_by_role("heading", name="Dashboard: Marketing")).to_be_visible()
    assert "from=2026-03-02" in page.url
    assert console_errors == []


def test_a_head_folds_a_section_and_it_stays_folded(page, processes, console_errors):
    build()
    log_in(page, "head@demo.local")
    page.goto(f"/dashboard?{PERIOD}")
    people = page.locator("#people")
    expect(people.locator(".chart-svg")).to_be_visible()
    people.get_by_role("heading", name="People and workload").click()  # its summary
    expect(people.locator(".chart-svg")).to_be_hidden()
    page.reload()
    expect(page.locator("#people details")).not_to_have_attribute("open", "")
    expect(page.locator("#people .chart-svg")).to_be_hidden()
    expect(page.locator("#throughput .chart-svg")).to_be_visible()  # the others stay open
    page.locator("#people summary").click()
    page.reload()
    expect(page.locator("#people .chart-svg")).to_be_visible()
    assert console_errors == []
