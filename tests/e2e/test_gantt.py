"""The Gantt chart in a real browser: a bar per task drawn by the server, a click on a bar
opens its task, "Interactive" fetches the same chart's figure and draws it with plotly.js,
and a Gantt link opened while logged out leads back to the chart after the login."""

from datetime import date, timedelta

from playwright.sync_api import expect
from support import log_in, new_project, new_task

MONDAY = date(2030, 3, 4)
BARS = ".chart-drawn .chart-svg rect"


def small_project():
    project = new_project("Gantt in the browser", start_date=MONDAY)
    launch = new_task(project, "Launch", start_date=MONDAY, due_date=MONDAY + timedelta(days=8))
    new_task(
        project,
        "Brief",
        start_date=MONDAY,
        due_date=MONDAY + timedelta(days=1),
        parent_id=launch.id,
    )
    new_task(
        project,
        "Layout",
        start_date=MONDAY + timedelta(days=2),
        due_date=MONDAY + timedelta(days=4),
        parent_id=launch.id,
    )
    new_task(
        project,
        "Go live",
        start_date=MONDAY + timedelta(days=8),
        due_date=MONDAY + timedelta(days=8),
        milestone=True,
    )
    return project


def test_the_gantt_draws_a_bar_per_task_and_a_click_opens_the_task(page, demo, console_errors):
    project = small_project()
    log_in(page, "head@demo.local")
    page.goto(f"/projects/{project.id}/gantt?zoom=quarter")
    bars = page.locator(BARS)
    expect(bars).to_have_count(4)
    expect(page.locator(".chart-svg path:has(title)")).to_have_count(1)  # the milestone's diamond
    assert not page.locator("script[src*=plotly]").count()  # nothing of plotly.js loaded
    box = page.locator(".chart-svg text", has_text="Layout").bounding_box()
    layout_bar = bars.nth(2).bounding_box()  # bars come in the rows' order: Launch, Brief, Layout
    assert abs(layout_bar["y"] + layout_bar["height"] / 2 - (box["y"] + box["height"] / 2)) < 4
    page.mouse.click(
        layout_bar["x"] + layout_bar["width"] / 2, layout_bar["y"] + layout_bar["height"] / 2
    )
    expect(page.get_by_role("heading", name="Layout")).to_be_visible()
    assert "/projects/tasks/" in page.url
    assert console_errors == []


def test_a_gantt_link_opened_logged_out_returns_to_the_chart_after_login(page, demo):
    project = small_project()
    page.goto(f"/projects/{project.id}/gantt?zoom=week&status=assigned")
    expect(page.get_by_role("heading", name="Log in to mkflow")).to_be_visible()
    page.get_by_label("Email").fill("head@demo.local")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Gantt in the browser")).to_be_visible()
    assert page.url.endswith(f"/projects/{project.id}/gantt?zoom=week&status=assigned")
    expect(page.locator(BARS)).to_have_count(4)


def test_the_gantt_axis_speaks_russian_on_a_russian_page(page, demo, console_errors):
    project = small_project()
    log_in(page, "head@demo.local")
    page.get_by_role("button", name="Русский").click()
    page.goto(f"/projects/{project.id}/gantt?zoom=quarter")
    expect(page.locator(BARS)).to_have_count(4)
    ticks = page.locator(".chart-svg text").all_text_contents()
    assert "01.04.2030" in ticks and not any("4/1/30" in tick for tick in ticks), ticks
    # plotly.js, loaded when asked for, draws the same bars with its Russian month names from
    # the figure fetched then (the page does not carry it)
    assert not page.locator("[data-figure]").count()
    with page.expect_response(lambda response: "figure=gantt" in response.url) as fetched:
        page.get_by_role("button", name="Интерактивный").click()
    assert fetched.value.url.endswith(f"/projects/{project.id}/gantt?zoom=quarter&figure=gantt")
    assert fetched.value.headers["content-type"] == "application/json"
    expect(page.locator(".chart-plot .barlayer .point")).to_have_count(4)
    expect(page.locator(".chart-svg")).to_have_count(0)
    ticks = page.locator(".chart-plot .xtick text").all_text_contents()
    assert "апр 2030" in ticks and not any("Apr" in tick for tick in ticks), ticks
    box = page.locator(".chart-plot .barlayer .point").nth(2).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_role("heading", name="Layout")).to_be_visible()
    assert console_errors == []
