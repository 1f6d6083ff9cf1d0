"""The project board in a real browser: a column brings its next tasks in place when the
reader scrolls to its end, and a move lands the card in order in its new column, the counts
changing with it."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from support import log_in, new_project, new_task

from mkflow.core.database import db
from mkflow.models import TaskStatus
from mkflow.projects import listing
from mkflow.projects import tasks as task_rules

FIRST = date(2030, 3, 5)  # far ahead: nothing here is overdue


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(listing, "BOARD_PAGE", 5)  # the live server runs in this process


def card_ids(page, status: str) -> list[int]:
    ids = page.locator(f"#tasks-{status} > li").evaluate_all("cards => cards.map(c => c.id)")
    return [int(i.removeprefix("task-")) for i in ids]


def test_a_column_loads_its_next_tasks_on_scroll_and_a_move_lands_in_order(
    page, demo, small_pages, console_errors
):
    project = new_project("Launch")  # head@demo.local manages it
    assigned = [
        new_task(project, f"Step {n}", due_date=FIRST + timedelta(days=n)) for n in range(12)
    ]
    early, late = (
        new_task(project, title, due_date=due)
        for title, due in (("Early", date(2030, 3, 1)), ("Late", date(2030, 4, 30)))
    )
    early.status = late.status = TaskStatus.IN_PROGRESS
    db.session.commit()
    ids = [t.id for t in assigned]

    page.set_viewport_size({"width": 1280, "height": 500})
    log_in(page, "head@demo.local")
    page.goto(f"/projects/{project.id}/board")
    expect(page.locator("#tasks-assigned > li")).to_have_count(5)
    assert card_ids(page, "assigned") == ids[:5]
    more = page.locator("#colfoot-assigned .more-link")
    expect(more).to_have_text("Show more (7 left)")
    page.evaluate("window.stillTheSamePage = true")

    more.scroll_into_view_if_needed()  # the end of the column comes into view
    expect(page.locator("#tasks-assigned > li")).to_have_count(10)
    expect(more).to_have_text("Show more (2 left)")
    more.scroll_into_view_if_needed()
    expect(page.locator("#tasks-assigned > li")).to_have_count(12)
    expect(more).to_have_count(0)
    assert card_ids(page, "assigned") == ids  # in order, none twice

    # Step 0 (due 6 March) starts: it lands between Early and Late, the counts follow.
    page.locator(f"#task-{ids[0]}").get_by_role("button", name="Start").click()
    expect(page.locator("#col-in_progress .count")).to_have_text("3")
    expect(page.locator("#col-assigned .count")).to_have_text("11")
    assert card_ids(page, "in_progress") == [early.id, ids[0], late.id]
    assert card_ids(page, "assigned") == ids[1:]
    # and says so where the reader is, however far down the board they are
    message = page.locator("#live-message .message-success")
    expect(message).to_have_text("“Step 0”: In progress.")
    last = page.locator(f"#task-{ids[11]}")
    last.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 300  # the top of the page is out of view
    last.get_by_role("button", name="Start").click()
    expect(message).to_have_text("“Step 11”: In progress.")
    expect(message).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 300  # the board kept its place
    assert page.evaluate("window.stillTheSamePage") is True
    assert console_errors == []


def test_accepting_with_an_open_checklist_asks_on_the_board_first(page, demo, console_errors):
    project = new_project("Launch")
    task = new_task(project, "Press release", due_date=FIRST)
    task_rules.add_check(task, project.manager, "Legal approved")
    task.status = TaskStatus.ON_REVIEW
    db.session.commit()

    log_in(page, "head@demo.local")
    page.goto(f"/projects/{project.id}/board")
    page.locator(f"#task-{task.id}").get_by_role("button", name="Accept").click()
    alert = page.locator("#board-alert")
    expect(alert).to_contain_text("1 of 1 checklist items are not done")
    assert card_ids(page, "on_review") == [task.id]  # nothing happened yet
    alert.get_by_role("button", name="Yes, accept “Press release”").click()
    expect(page.locator(f"#tasks-done #task-{task.id}")).to_be_visible()
    expect(alert).to_be_empty()
    assert console_errors == []
