"""The notification list: latest first by when things happened, and read once the person
opens what a notification is about (or marks them all read)."""

import re
from datetime import timedelta

import pytest
from support import add_people, launch_article, new_project, new_task, user

from mkflow.activity.notify import notify
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import Notification

pytestmark = pytest.mark.usefixtures("processes")


def unread(email: str) -> list[Notification]:
    query = db.select(Notification).where(
        Notification.user_id == user(email).id, Notification.read_at.is_(None)
    )
    return list(db.session.scalars(query))


def unread_on_bell(html: str) -> int:
    match = re.search(r'<span class="count" title="Unread">(\d+)</span>', html)
    return int(match.group(1)) if match else 0


def test_the_list_is_latest_first_by_when_it_happened(client, auth):
    marketer, head = user("marketer@demo.local"), user("head@demo.local")
    for days_ago, comment in ((1, "yesterday"), (10, "ten days ago"), (0, "today")):
        notify(
            marketer,
            "mentioned",
            actor=head,
            comment=comment,
            at=clock.now() - timedelta(days=days_ago),
        )
    db.session.commit()
    auth.login("marketer@demo.local")
    html = client.get("/notifications").get_data(as_text=True)
    shown = [html.index(text) for text in ("today", "yesterday", "ten days ago")]
    assert shown == sorted(shown)


def test_opening_an_item_reads_what_told_of_it_and_nothing_else(client, auth):
    first, second = launch_article("First"), launch_article("Second")
    assert {n.instance_id for n in unread("marketer@demo.local")} == {first.id, second.id}
    auth.login("head@demo.local")
    client.get(f"/instances/{first.id}")  # someone else opening it reads nothing of hers
    assert len(unread("marketer@demo.local")) == 2

    auth.logout()
    auth.login("marketer@demo.local")
    html = client.get(f"/instances/{first.id}").get_data(as_text=True)
    assert [n.instance_id for n in unread("marketer@demo.local")] == [second.id]
    assert unread_on_bell(html) == 1  # the page she opened counts it already


def test_opening_a_task_reads_what_told_of_it(client, auth):
    project = new_project()
    add_people(project, "designer@demo.local")
    task = new_task(project, "Booth", assignee=user("designer@demo.local"))
    assert [n.task_id for n in unread("designer@demo.local")] == [task.id]
    auth.login("designer@demo.local")
    client.get(f"/projects/tasks/{task.id}")
    assert unread("designer@demo.local") == []


def test_mark_all_read(client, auth):
    launch_article("First"), launch_article("Second")
    assert len(unread("marketer@demo.local")) == 2
    auth.login("marketer@demo.local")
    response = client.post("/notifications/read")
    assert response.status_code == 302 and unread("marketer@demo.local") == []
    html = client.get("/notifications").get_data(as_text=True)
    assert 'id="bell"' in html and 'title="Unread"' not in html
