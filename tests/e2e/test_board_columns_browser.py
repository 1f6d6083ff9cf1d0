"""A board column a page at a time in a real browser: scrolling to a column's end brings
its next cards in place, and a stage action puts a moved card where it belongs in a column
that shows only its first cards."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import update
from support import launch_article, log_in, template

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import ProcessInstance
from mkflow.processes import engine
from mkflow.processes.board import PAGE

BRIEF = ("complete", {"brief": "Audience: sales directors."})
COPY = ("complete", {"text": "https://docs.demo.local/article"})
APPROVE = ("approve", None)


def launch(title: str, *steps, due_in=None) -> int:
    """An article item moved on by whoever holds it, then due ``due_in`` from now."""
    item_id = launch_article(title).id
    for action, values in steps:
        item = db.session.get(ProcessInstance, item_id)
        engine.act(item, item.assignee, action, expected_version=None, values=values)
        db.session.commit()
    if due_in is not None:
        db.session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == item_id)
            .values(stage_due_at=clock.now() + due_in)
        )
        db.session.commit()
    return item_id


def open_board(page):
    log_in(page, "marketer@demo.local")
    page.goto(f"/processes/{template('article').id}/board")


def titles(page, key: str):
    return page.locator(f"#col-{key} .card-item .card-title")


def test_scrolling_to_a_column_end_brings_its_next_cards(page, processes, console_errors):
    names = [f"Item {n:02}" for n in range(2 * PAGE + 3)]
    for n, name in enumerate(names):
        launch(name, due_in=timedelta(hours=n))
    open_board(page)
    expect(titles(page, "brief")).to_have_text(names[:PAGE])
    expect(page.locator("#colhead-brief .count")).to_have_text(str(len(names)))
    more = page.locator("#more-brief a")
    expect(more).to_have_text("Show more (15 left)")
    more.scroll_into_view_if_needed()
    expect(titles(page, "brief")).to_have_text(names[: 2 * PAGE])
    expect(more).to_have_text("Show more (3 left)")
    page.locator("#more-brief a").scroll_into_view_if_needed()
    expect(titles(page, "brief")).to_have_text(names)  # each once, in order
    expect(page.locator("#more-brief")).to_have_count(0)
    assert console_errors == []


def design_column(ahead: int, after: int) -> list[str]:
    """Design cards: ``ahead`` overdue ones, then ``after`` due in a month."""
    names = []
    for n in range(ahead + after):
        due_in = timedelta(days=-5, hours=n) if n < ahead else timedelta(days=30, hours=n)
        names.append(f"Design {n:02}")
        launch(names[-1], BRIEF, COPY, APPROVE, due_in=due_in)
    return names


def approve_on_the_board(page, title: str):
    card = page.locator("#col-copy_review .card-item", has_text=title)
    card.get_by_role("button", name="Approve").click()
    expect(page.locator("#col-copy_review .card-item", has_text=title)).to_have_count(0)


def test_a_moved_card_takes_its_place_among_the_shown_cards(page, processes, console_errors):
    names = design_column(ahead=6, after=PAGE - 6 + 2)
    launch("Moving", BRIEF, COPY)
    open_board(page)
    expect(titles(page, "design")).to_have_text(names[:PAGE])
    approve_on_the_board(page, "Moving")
    # Due in a few days: after the overdue cards, before those due in a month.
    expect(titles(page, "design")).to_have_text(names[:6] + ["Moving"] + names[6:PAGE])
    expect(page.locator("#colhead-design .count")).to_have_text(str(PAGE + 3))
    expect(page.locator("#more-design a")).to_have_text("Show more (2 left)")
    assert console_errors == []


def test_a_moved_card_behind_the_shown_cards_is_counted_then_shown(page, processes, console_errors):
    names = design_column(ahead=PAGE + 2, after=0)
    launch("Moving", BRIEF, COPY)
    open_board(page)
    approve_on_the_board(page, "Moving")
    expect(page.locator("#colhead-design .count")).to_have_text(str(PAGE + 3))
    expect(page.locator("#more-design a")).to_have_text("Show more (3 left)")
    expect(titles(page, "design")).to_have_text(names[:PAGE])  # not among the first cards
    page.locator("#more-design a").scroll_into_view_if_needed()
    expect(titles(page, "design")).to_have_text(names + ["Moving"])
    assert console_errors == []
