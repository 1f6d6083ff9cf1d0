"""The bell refreshes itself: it asks with the counts it shows and hears 204 while they
are right, else gets itself and the My work counter as they are now."""

import re

import pytest
from sqlalchemy import event, insert
from support import launch_article, template, user

from mkflow.activity.notify import notify
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import Notification

pytestmark = pytest.mark.usefixtures("processes")

BELL_POLL = re.compile(r'<a id="bell"[^>]*hx-get="([^"]+)"[^>]*hx-trigger="every (\d+)s"')


def poll_url(html: str) -> str:
    match = BELL_POLL.search(html)
    assert match, "the bell does not poll"
    return match.group(1).replace("&amp;", "&")


def test_the_bell_polls_with_the_counts_it_shows_every_configured_seconds(client, auth, app):
    auth.login("marketer@demo.local")
    launch_article()  # the marketer now holds one item and has one unread notification
    html = client.get("/me").get_data(as_text=True)
    assert BELL_POLL.search(html).group(2) == str(app.config["MKFLOW_BELL_REFRESH_SECONDS"])
    url = poll_url(html)
    assert "unread=1" in url and "waiting=1" in url


def test_the_poll_answers_204_while_nothing_changed_and_the_new_counts_after(client, auth):
    auth.login("marketer@demo.local")
    url = poll_url(client.get("/me").get_data(as_text=True))
    unchanged = client.get(url, headers={"HX-Request": "true"})
    assert unchanged.status_code == 204 and unchanged.data == b""

    item = launch_article()  # hands the brief to the marketer: one unread, one waiting
    changed = client.get(url, headers={"HX-Request": "true"})
    assert changed.status_code == 200
    html = changed.get_data(as_text=True)
    assert re.search(r'<a id="bell"[^>]*>', html).group(0).count("hx-swap-oob") == 0
    assert '<span class="count" title="Unread">1</span>' in html
    assert re.search(r'<span id="work-count"[^>]*hx-swap-oob="true"', html)
    assert "unread=1" in poll_url(html)
    # The new bell asks with the new counts: unchanged again.
    assert client.get(poll_url(html)).status_code == 204

    notify(user("marketer@demo.local"), "mentioned", actor=user("head@demo.local"), instance=item)
    db.session.commit()
    assert client.get(poll_url(html)).status_code == 200


def test_a_logged_out_poll_changes_nothing(client):
    assert client.get("/bell?unread=0&waiting=0").status_code == 204


def test_the_poll_reads_two_statements_at_most(client, auth, app):

    auth.login("marketer@demo.local")
    url = poll_url(client.get("/me").get_data(as_text=True))
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 204
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 2  # the user, the counts


def test_an_embedded_board_s_hidden_bell_does_not_poll(client, auth):

    auth.login("marketer@demo.local")
    html = client.get(f"/processes/{template('article').id}/board?embed=1").get_data(as_text=True)
    assert 'id="bell"' in html and not BELL_POLL.search(html)


def test_counters_stop_at_99_plus_so_that_their_cost_does_not_grow(client, auth):
    marketer = user("marketer@demo.local")
    rows = [{"user_id": marketer.id, "kind": "mentioned", "at": clock.now()} for _ in range(99)]
    db.session.execute(insert(Notification), rows)
    db.session.commit()
    auth.login("marketer@demo.local")
    html = client.get("/me").get_data(as_text=True)
    assert '<span class="count" title="Unread">99</span>' in html
    db.session.execute(insert(Notification), rows[:5])
    db.session.commit()
    html = client.get("/me").get_data(as_text=True)
    assert '<span class="count" title="Unread">99+</span>' in html
    assert "unread=100" in poll_url(html)  # the poll compares what it counted
