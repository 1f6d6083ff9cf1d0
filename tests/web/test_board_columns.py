"""A process board's columns a page at a time, through the app: the "Show more" link as a
page of its own and as an htmx fragment, and an action's answer on a paginated board."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update
from support import board_column as column
from support import board_url, launch_article, oob_pieces

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import ProcessInstance
from mkflow.processes.board import PAGE

pytestmark = pytest.mark.usefixtures("processes")
HTMX = {"HX-Request": "true"}


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def launch(count: int, start: int = 0, title: str = "Item") -> list[int]:
    """Article items at the brief, item n due in n hours."""
    ids = []
    for n in range(start, start + count):
        item = launch_article(f"{title} {n:02}")
        db.session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == item.id)
            .values(stage_due_at=clock.now() + timedelta(hours=n))
        )
        db.session.commit()
        ids.append(item.id)
    return ids


def titles(html: str) -> list[str]:
    return re.findall(r'class="card-title" href="[^"]+">([^<]+)</a>', html)


def more_link(html: str, key: str = "brief") -> tuple[str, str]:
    """(address, text) of a column's "Show more" link."""
    match = re.search(
        rf'<li class="column-more" id="more-{key}".*?<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>',
        html,
        re.S,
    )
    assert match, f"no more link in {key}"
    return match.group(1).replace("&amp;", "&"), match.group(2)


def head_count(html: str, key: str) -> int:
    head = re.search(rf'id="colhead-{key}".*?<span class="count"[^>]*>(\d+)<', html, re.S)
    return int(head.group(1))


def test_a_column_shows_its_first_cards_its_count_and_a_link_to_the_next(client, auth):
    launch(PAGE + 5)
    auth.login("head@demo.local")
    page = text(client.get(board_url()))
    brief = column(page, "brief")
    assert titles(brief) == [f"Item {n:02}" for n in range(PAGE)]
    assert head_count(page, "brief") == PAGE + 5
    url, label = more_link(page)
    assert label == "Show more (5 left)"
    assert "more-copy" not in page  # a column that shows all its cards has no link


def test_the_link_is_a_page_of_its_own_without_javascript(client, auth):
    launch(2 * PAGE + 3)
    auth.login("head@demo.local")
    url, _ = more_link(text(client.get(board_url())))
    page = text(client.get(url))
    assert "<html" in page and "Back to the board" in page
    assert titles(column(page, "brief")) == [f"Item {n:02}" for n in range(PAGE, 2 * PAGE)]
    assert head_count(page, "brief") == 2 * PAGE + 3
    url, label = more_link(page)
    assert label == "Show more (3 left)"
    last = text(client.get(url))
    assert titles(column(last, "brief")) == [f"Item {n:02}" for n in range(2 * PAGE, 2 * PAGE + 3)]
    assert "column-more" not in last


def test_htmx_gets_only_the_next_cards_and_the_next_link(client, auth):
    launch(2 * PAGE + 3)
    auth.login("head@demo.local")
    url, _ = more_link(text(client.get(board_url())))
    fragment = text(client.get(url, headers=HTMX))
    assert "<html" not in fragment and "<section" not in fragment
    assert titles(fragment) == [f"Item {n:02}" for n in range(PAGE, 2 * PAGE)]
    assert fragment.count('<li class="card-item') == PAGE
    more = re.search(r'<li class="column-more" id="more-brief">.*?</li>', fragment, re.S).group(0)
    assert 'hx-trigger="click, intersect once"' in more and 'hx-target="closest li"' in more
    assert 'hx-swap="outerHTML"' in more and 'hx-get="' in more
    assert 'name="after-brief"' in more
    last = text(client.get(more_link(fragment)[0], headers=HTMX))
    assert len(titles(last)) == 3 and "column-more" not in last


def test_the_link_carries_the_filters_to_every_page(client, auth):
    launch(PAGE + 2, title="Odd")
    launch(PAGE + 2, start=50, title="Even")
    auth.login("head@demo.local")
    page = text(client.get(board_url(q="odd")))
    assert head_count(page, "brief") == PAGE + 2
    url, label = more_link(page)
    assert "q=odd" in url and label == "Show more (2 left)"
    assert titles(text(client.get(url, headers=HTMX))) == ["Odd 12", "Odd 13"]


@pytest.mark.parametrize("key", ["nope", "%00", "brief%00", "x" * 41])
def test_an_unknown_column_is_404(client, auth, key):
    auth.login("head@demo.local")
    assert client.get(board_url().replace("/board", f"/board/{key}")).status_code == 404


def test_a_malformed_cursor_gives_the_first_cards(client, auth):
    launch(PAGE + 1)
    auth.login("head@demo.local")
    fragment = text(
        client.get(board_url().replace("/board", "/board/brief?after=x-y"), headers=HTMX)
    )
    assert titles(fragment)[:2] == ["Item 00", "Item 01"]


def act(client, item_id: int, **data):
    form = {
        "action": "complete",
        "from": "board",
        "version": db.session.get(ProcessInstance, item_id).lock_version,
        "with_fields": "1",
        "field-brief": "Audience: CTOs.",
    }
    return client.post(f"/instances/{item_id}/act", data=form | data, headers=HTMX)


def shown_until(page: str, key: str) -> str:
    return re.search(rf'name="after-{key}" value="([^"]+)"', page).group(1)


def test_a_card_that_moves_behind_the_shown_cards_is_counted_not_shown(client, auth):
    ids = launch(PAGE + 3)
    moving = ids[0]
    # The copy column holds more than a page, all due before the moving card will be.
    copy_ids = launch(PAGE + 2, start=-40, title="Copy")
    auth.login("marketer@demo.local")
    for item_id in copy_ids:
        assert act(client, item_id).status_code == 200
    db.session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id.in_(copy_ids))
        .values(stage_due_at=clock.now() - timedelta(days=3))
    )
    db.session.commit()
    page = text(client.get(board_url()))
    response = act(
        client,
        moving,
        **{"after-copy": shown_until(page, "copy"), "after-brief": shown_until(page, "brief")},
    )
    answer = text(response)
    assert len(response.data) < 5000, len(response.data)
    assert oob_pieces(answer) == [
        (f"card-{moving}", "delete"),
        ("colhead-brief", "true"),
        ("more-brief", "true"),
        ("colhead-copy", "true"),
        ("more-copy", "true"),
        ("live-message", "innerHTML"),
        ("work-count", "true"),
        ("bell", "true"),
    ]
    assert "Item 00" not in answer.split("live-message")[0]  # not among the shown cards
    assert head_count(answer, "copy") == PAGE + 3
    # brief: 15 - 1 moved, 12 shown, 3 left as before
    assert "Show more (3 left)" in re.search(r'id="more-brief".*?</li>', answer, re.S).group(0)
    assert "Show more (3 left)" in re.search(r'id="more-copy".*?</li>', answer, re.S).group(0)


def test_a_card_that_moves_among_the_shown_cards_goes_to_its_place(client, auth):
    ids = launch(PAGE + 3)
    auth.login("marketer@demo.local")
    for item_id in ids[1 : PAGE + 2]:  # the copy column: items 1 … PAGE+1, one page and more
        assert act(client, item_id).status_code == 200
    for n, item_id in enumerate(ids[1 : PAGE + 2]):
        db.session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == item_id)
            .values(stage_due_at=clock.now() + timedelta(days=30, hours=n))
        )
    db.session.commit()
    page = text(client.get(board_url()))
    copy_titles = titles(column(page, "copy"))
    response = act(client, ids[0], **{"after-copy": shown_until(page, "copy")})
    answer = text(response)
    assert len(response.data) < 5000, len(response.data)
    pieces = dict(oob_pieces(answer))
    # Due in a few days, it comes before every card the copy column shows.
    first_id = re.search(r'id="card-(\d+)"', column(page, "copy")).group(1)
    assert ("", f"beforebegin:#card-{first_id}") in oob_pieces(answer)
    assert copy_titles[0] == "Item 01" and "Item 00" in answer.split('id="live-message"')[0]
    assert pieces["more-copy"] == "true"
    assert "Show more (1 left)" in answer


def test_without_a_cursor_the_column_shows_all_and_the_card_goes_to_its_place(client, auth):
    ids = launch(3)
    auth.login("marketer@demo.local")
    assert act(client, ids[2]).status_code == 200
    answer = text(act(client, ids[0]))
    assert ("", f"beforebegin:#card-{ids[2]}") in oob_pieces(answer)
    answer = text(act(client, ids[1]))
    assert ("", f"beforebegin:#card-{ids[2]}") in oob_pieces(answer)
    assert "more-" not in answer
