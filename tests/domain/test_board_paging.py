"""A process board's columns a page at a time: the most urgent cards first, counts over all
cards, the next page after a keyset cursor, filters on the server, the same statements at
any size."""

from datetime import timedelta

import pytest
from sqlalchemy import event, update
from support import launch_article, template, user

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import ProcessInstance
from mkflow.processes import board as boards
from mkflow.processes import engine

pytestmark = pytest.mark.usefixtures("processes")
NO_FILTERS = boards.BoardFilters()


def launch(count: int, start: int = 0, title: str = "Item") -> list[int]:
    """``count`` article items at the brief, item n due in n hours (n = start, start+1, …)."""
    ids = []
    for n in range(start, start + count):
        item = launch_article(f"{title} {n:02}")
        ids.append(item.id)
        due(item.id, clock.now() + timedelta(hours=n))
    return ids


def due(item_id: int, moment) -> None:
    db.session.execute(
        update(ProcessInstance).where(ProcessInstance.id == item_id).values(stage_due_at=moment)
    )
    db.session.commit()


def column(key: str, filters=NO_FILTERS, email="head@demo.local") -> boards.Column:
    columns = boards.build_board(template("article"), user(email), filters, clock.now())
    return next(c for c in columns if c.key == key)


def next_page(shown: boards.Column, filters=NO_FILTERS, email="head@demo.local"):
    return boards.column_page(
        template("article"), user(email), filters, clock.now(), shown.key, shown.after
    )


def titles(shown: boards.Column) -> list[str]:
    return [card.title for card in shown.cards]


def complete_brief(item_id: int) -> None:
    item = db.session.get(ProcessInstance, item_id)
    engine.act(
        item, user("marketer@demo.local"), "complete", expected_version=None, values={"brief": "A."}
    )
    db.session.commit()


def test_a_column_shows_its_most_urgent_page_and_counts_all_its_cards():
    ids = launch(boards.PAGE + 8, start=-3)  # the first three are overdue
    due(ids[5], None)  # undated: after every dated card
    brief = column("brief")
    assert brief.count == boards.PAGE + 8 and brief.late == 3
    expected = [f"Item {n:02}" for n in range(-3, 30) if n != 2][: boards.PAGE]
    assert titles(brief) == expected
    assert brief.left == 8
    assert brief.after == boards.Cursor.of(brief.cards[-1])


def test_a_column_that_fits_has_no_cursor():
    launch(3)
    brief = column("brief")
    assert (brief.count, len(brief.cards), brief.left, brief.after) == (3, 3, 0, None)


def test_the_pages_give_every_card_once_in_order_undated_last():
    ids = launch(2 * boards.PAGE + 5)
    for item_id in ids[:4]:
        due(item_id, None)
    seen, shown = [], column("brief")
    while True:
        seen += titles(shown)
        if not shown.left:
            break
        shown = next_page(shown)
        assert shown.count == len(ids)
    undated = [f"Item {n:02}" for n in range(4)]
    assert seen == [f"Item {n:02}" for n in range(4, len(ids))] + undated


def test_the_cursor_continues_after_the_last_card_shown_when_cards_moved_meanwhile():
    ids = launch(3 * boards.PAGE)
    first = column("brief")
    complete_brief(ids[2])  # a card shown on the first page leaves the column
    complete_brief(ids[boards.PAGE + 1])  # and one of the next page
    late = launch_article("Urgent newcomer")  # one comes in before the cursor
    due(late.id, clock.now() - timedelta(hours=1))
    second = next_page(first)
    expected = [f"Item {n:02}" for n in range(boards.PAGE, 2 * boards.PAGE + 1)]
    expected.remove(f"Item {boards.PAGE + 1:02}")
    assert titles(second) == expected  # none twice, none skipped
    assert second.count == 3 * boards.PAGE - 2 + 1
    assert second.left == boards.PAGE - 1


def test_filters_apply_to_every_page_and_to_the_counts():
    launch(boards.PAGE + 4, title="Odd")
    launch(boards.PAGE + 4, start=100, title="Even")
    filters = boards.BoardFilters(text="odd")
    first = column("brief", filters)
    assert first.count == boards.PAGE + 4 and first.left == 4
    second = next_page(first, filters)
    assert all(t.startswith("Odd") for t in titles(first) + titles(second))
    assert len(second.cards) == 4 and second.left == 0


def test_the_people_filters_count_only_their_cards():
    ids = launch(boards.PAGE + 2)
    for item_id in ids[:3]:
        complete_brief(item_id)
    mine = boards.BoardFilters(mine=True)
    copy = column("copy", mine, email="copywriter@demo.local")
    brief = column("brief", mine, email="copywriter@demo.local")
    assert (copy.count, len(copy.cards), brief.count, brief.cards) == (3, 3, 0, [])


def test_column_heads_count_what_is_left_after_the_cursor():
    ids = launch(boards.PAGE + 6)
    brief = column("brief")
    heads = boards.column_heads(
        template("article"),
        user("head@demo.local"),
        NO_FILTERS,
        clock.now(),
        {"brief", "copy"},
        after={"brief": brief.after},
    )
    counts = {c.key: (c.count, c.left) for c in heads}
    assert counts == {"brief": (boards.PAGE + 6, 6), "copy": (0, 0)}
    complete_brief(ids[-1])  # not shown: what is left shrinks
    heads = boards.column_heads(
        template("article"),
        user("head@demo.local"),
        NO_FILTERS,
        clock.now(),
        {"brief"},
        after={"brief": brief.after},
    )
    assert (heads[0].count, heads[0].left) == (boards.PAGE + 5, 5)


def test_an_unknown_column_is_none():
    assert (
        boards.column_page(
            template("article"), user("head@demo.local"), NO_FILTERS, clock.now(), "nope", None
        )
        is None
    )


@pytest.mark.parametrize(
    "text", ["12", "12-20261208T100000000001", "", "x", "12-2026", "-5", "12-20261308T100000000000"]
)
def test_a_cursor_reads_back_what_it_wrote_and_nothing_else(text):
    cursor = boards.Cursor.parse(text)
    valid = text in ("12", "12-20261208T100000000001")
    assert (cursor is not None) == valid
    if valid:
        assert cursor.text == text


def _statements(run) -> int:
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_board_and_a_page_cost_the_same_statements_at_any_size():
    ids = launch(3)
    complete_brief(ids[0])
    head, article = user("head@demo.local"), template("article")

    def board():
        return boards.build_board(article, head, NO_FILTERS, clock.now())

    def page():
        return boards.column_page(article, head, NO_FILTERS, clock.now(), "brief", None)

    board()
    small = (_statements(board), _statements(page))
    more = launch(3 * boards.PAGE, start=10)
    for item_id in more[: boards.PAGE + 3]:
        complete_brief(item_id)
    assert len(column("copy").cards) == boards.PAGE
    assert (_statements(board), _statements(page)) == small
    assert small[0] <= 2  # the counts and every column's first page
