"""Process timelines and the department portfolio in Chromium: their bars come drawn from the
server with no console error (the chart CSP included), and a bar of the template timeline
opens its item."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select
from support import add_people, launch_article, log_in, new_project, new_task, template

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import Department
from mkflow.processes import engine

BARS = ".chart-drawn .chart-svg rect"
DIAMONDS = ".chart-drawn .chart-svg path:has(title)"


def act(item, action: str, at, **options) -> None:
    engine.act(item, item.assignee, action, expected_version=None, at=at, **options)
    db.session.commit()


def test_the_item_timeline_draws_a_bar_per_visit(page, processes, console_errors):
    start = clock.now() - timedelta(days=3)
    item = launch_article(
        "Reworked article", at=start, deadline=clock.company_today() + timedelta(days=7)
    )
    act(item, "complete", start + timedelta(hours=2), values={"brief": "Audience: SMB owners"})
    act(item, "complete", start + timedelta(hours=20), values={"text": "https://docs.demo.local"})
    act(item, "reject", start + timedelta(hours=24), comment="Add examples")

    log_in(page, "head@demo.local")
    page.goto(f"/instances/{item.id}")
    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", name="Timeline: Reworked article")).to_be_visible()
    expect(page.locator(BARS)).to_have_count(4)  # brief, copy, review (rejected), copy again
    expect(page.locator(".chart-legend")).to_contain_text("Sent back")
    expect(page.locator(".chart-table")).to_contain_text("Writing (visit 2)")
    assert console_errors == []


def test_a_bar_of_the_template_timeline_opens_its_item(page, processes, console_errors):
    first = launch_article("First article", at=clock.now() - timedelta(days=2))
    second = launch_article("Second article", at=clock.now() - timedelta(days=1))

    log_in(page, "head@demo.local")
    page.goto(f"/processes/{template('article').id}/board")
    page.get_by_role("link", name="Timeline").click()
    bars = page.locator(BARS)
    expect(bars).to_have_count(2)
    box = bars.nth(1).bounding_box()  # rows run top to bottom: the second is the newer item
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(rf"/instances/{second.id}$"))
    expect(page.get_by_role("heading", name="Second article")).to_be_visible()
    assert first.id != second.id and console_errors == []


def test_the_portfolio_draws_projects_and_milestones(page, demo, console_errors):
    today = clock.company_today()
    project = new_project("Spring campaign", start_date=today - timedelta(days=10))
    add_people(project, "marketer@demo.local")
    new_task(
        project, "Plan", start_date=today - timedelta(days=10), due_date=today + timedelta(days=5)
    )
    new_task(project, "Launch day", due_date=today + timedelta(days=20), milestone=True)
    new_project("Autumn campaign", start_date=today + timedelta(days=30))
    marketing = db.session.scalar(select(Department).where(Department.slug == "marketing"))

    log_in(page, "head@demo.local")
    page.goto("/projects")
    page.get_by_role("link", name="Portfolio of Marketing").click()
    expect(page).to_have_url(re.compile(rf"/departments/{marketing.id}/portfolio$"))
    expect(page.locator(BARS)).to_have_count(3)  # two projects and a milestone
    expect(page.locator(DIAMONDS)).to_have_count(1)  # its diamond
    assert console_errors == []
