"""The personal calendar feed: made, replaced and revoked from the account settings, read by
calendar apps without logging in; it holds only its owner's dates."""

import hashlib
import re
from datetime import date, datetime

import icalendar
import pytest
from support import add_people, launch_article, new_project, new_task, user

from mkflow.core.database import db
from mkflow.models import ProjectMember, Task, TaskStatus
from mkflow.processes import engine
from mkflow.projects.lifecycle import remove_member

pytestmark = pytest.mark.usefixtures("processes")

FEED_URL = re.compile(r'value="(https?://[^"]+/calendar/([^"]+)\.ics)"')


def create_feed(client, auth, email: str) -> tuple[str, str]:
    """Log in as ``email`` and make a feed; returns (its URL, the path to fetch)."""
    auth.login(email)
    response = client.post("/account/calendar", data={"action": "create"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    url, token = FEED_URL.search(response.get_data(as_text=True)).groups()
    assert url.startswith("http://localhost/calendar/")  # the host the user is on
    auth.logout()
    return url, f"/calendar/{token}.ics"


def fetch(client, path: str) -> icalendar.Calendar:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def events(calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


@pytest.fixture
def work():
    """An article held by the marketer, launched by the head, with a deadline and a
    publication date; a task of the designer and one of the copywriter."""
    item = launch_article(
        "CRM guide",
        by="head@demo.local",
        deadline=date(2026, 4, 10),
        publish_on=date(2026, 4, 15),
        at=datetime(2026, 4, 1, 9, 0),
    )
    project = new_project()
    add_people(project, "designer@demo.local", "copywriter@demo.local")
    banner = new_task(
        project, "Banner", assignee=user("designer@demo.local"), due_date=date(2026, 3, 6)
    )
    new_task(project, "Old banner", assignee=user("designer@demo.local"), due_date=date(2026, 3, 5))
    done = db.session.scalars(db.select(Task).where(Task.title == "Old banner")).one()
    done.status = TaskStatus.DONE
    db.session.commit()
    text = new_task(
        project, "Press text", assignee=user("copywriter@demo.local"), due_date=date(2026, 3, 9)
    )
    db.session.commit()
    return item, banner, text


def test_the_holder_s_feed_has_the_stage_due_time_and_the_publication_date(client, auth, work):
    item, _banner, _text = work
    url, path = create_feed(client, auth, "marketer@demo.local")
    assert url.endswith(path)
    calendar = fetch(client, path)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    found = events(calendar)
    assert set(found) == {f"stage-{item.id}", f"publish-{item.id}"}

    stage = found[f"stage-{item.id}"]
    assert stage.decoded("DTSTART") == datetime(
        2026, 4, 2, 9, 0, tzinfo=stage.decoded("DTSTART").tzinfo
    )
    assert stage.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert "CRM guide" in str(stage["SUMMARY"]) and "Content brief" in str(stage["SUMMARY"])
    assert str(stage["URL"]).startswith("http") and str(stage["URL"]).endswith(
        f"/instances/{item.id}"
    )
    assert stage.decoded("DTSTAMP") is not None

    publication = found[f"publish-{item.id}"]
    assert publication.decoded("DTSTART") == date(2026, 4, 15)  # all day
    assert publication.decoded("DTEND") == date(2026, 4, 16)
    assert str(publication["SUMMARY"]) == "Publication: CRM guide"


def test_the_launcher_s_feed_has_the_deadline_and_the_publication_date(client, auth, work):
    item, _banner, _text = work
    _url, path = create_feed(client, auth, "head@demo.local")
    found = events(fetch(client, path))
    assert set(found) == {f"deadline-{item.id}", f"publish-{item.id}"}
    assert found[f"deadline-{item.id}"].decoded("DTSTART") == date(2026, 4, 10)
    assert str(found[f"deadline-{item.id}"]["SUMMARY"]) == "Deadline: CRM guide"


def test_an_assignee_s_feed_has_their_open_tasks_only(client, auth, work):
    _item, banner, text = work
    _url, path = create_feed(client, auth, "designer@demo.local")
    found = events(fetch(client, path))
    assert set(found) == {f"task-{banner.id}"}  # not the done one, not the copywriter's
    event = found[f"task-{banner.id}"]
    assert event.decoded("DTSTART") == date(2026, 3, 6)
    assert str(event["SUMMARY"]) == "Banner (Spring campaign)"
    assert str(event["URL"]).endswith(f"/tasks/{banner.id}")
    assert f"task-{text.id}" not in found


def test_uids_are_stable_and_finished_items_leave_the_feed(client, auth, work):
    item, _banner, _text = work
    _url, path = create_feed(client, auth, "head@demo.local")
    first = {str(e["UID"]) for e in fetch(client, path).walk("VEVENT")}
    assert first == {str(e["UID"]) for e in fetch(client, path).walk("VEVENT")}

    engine.cancel(item, user("head@demo.local"), comment="Dropped", expected_version=None)
    db.session.commit()
    assert list(fetch(client, path).walk("VEVENT")) == []


def test_only_the_hash_of_the_secret_is_stored(client, auth, work):
    _url, path = create_feed(client, auth, "marketer@demo.local")
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert len(token) >= 40
    assert (
        user("marketer@demo.local").calendar_token_hash
        == hashlib.sha256(token.encode()).hexdigest()
    )


def test_a_new_address_ends_the_old_one_and_revoking_ends_the_feed(client, auth, work):
    _url, old = create_feed(client, auth, "marketer@demo.local")
    _url, new = create_feed(client, auth, "marketer@demo.local")
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200

    auth.login("marketer@demo.local")
    settings = client.get("/account").get_data(as_text=True)
    assert "Calendar feed" in settings and "Turn the feed off" in settings
    response = client.post("/account/calendar", data={"action": "revoke"})
    assert response.status_code == 302 and response.location.endswith("/account")
    assert client.get(new).status_code == 404
    assert user("marketer@demo.local").calendar_token_hash is None
    assert "Create a feed address" in client.get("/account").get_data(as_text=True)


def test_unknown_tokens_and_inactive_owners_get_404(client, auth, work):
    assert client.get("/calendar/nothing-here.ics").status_code == 404
    _url, path = create_feed(client, auth, "designer@demo.local")
    user("designer@demo.local").active = False
    db.session.commit()
    assert client.get(path).status_code == 404


def test_the_feed_address_is_made_only_by_a_post_with_the_csrf_token(client, auth, work):
    assert client.post("/account/calendar", data={"action": "create"}).status_code == 302
    auth.login("marketer@demo.local")
    assert client.get("/account/calendar").status_code == 405
    refused = client.post("/account/calendar", data={"action": "create"}, csrf=False)
    assert refused.status_code == 400
    assert user("marketer@demo.local").calendar_token_hash is None


def test_the_feed_is_named_after_its_owner(client, auth, work):
    _url, path = create_feed(client, auth, "head@demo.local")
    assert user("head@demo.local").name in str(fetch(client, path)["X-WR-CALNAME"])


def test_tasks_of_a_project_the_owner_was_taken_off_leave_the_feed(client, auth, work):

    _item, banner, _text = work
    _url, path = create_feed(client, auth, "designer@demo.local")
    assert f"task-{banner.id}" in events(fetch(client, path))
    project = banner.project
    member = db.session.scalar(
        db.select(ProjectMember).where(
            ProjectMember.project_id == project.id,
            ProjectMember.user_id == user("designer@demo.local").id,
        )
    )
    remove_member(project, project.manager, member.id)
    db.session.commit()
    body = client.get(path).get_data(as_text=True)
    assert f"task-{banner.id}" not in body and "Spring campaign" not in body
