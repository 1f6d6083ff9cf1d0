"""Reading input from outside (mkflow.core.inputs): ids, numbers, days and text, one way everywhere;
and the pages that broke on such input once."""

import io
import re
from datetime import UTC, date, timedelta

import pytest
from support import launch_article, new_project, new_task, template, user
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.core.inputs import COMMENT_LIMIT, MAX_ID, TITLE_LIMIT, parse_day, parse_id, parse_int
from mkflow.models import Comment, Event, FieldMode, FieldType, ProcessInstance, Project, Task
from mkflow.processes import templates as editing
from mkflow.projects.tasks import TaskData, update_task
from mkflow.sharing import share_links
from mkflow.web.http import safe_next


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the readers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1", 1),
        ("2147483647", MAX_ID),
        ("2147483648", None),  # beyond Postgres INTEGER
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("١", None),  # int() says 1
        (" 1", None),
        ("1e3", None),
        ("", None),
        (None, None),
        (7, 7),
    ],
)
def test_an_id_is_ascii_digits_within_the_database_range(raw, expected):
    assert parse_id(raw) == expected


def test_a_number_may_be_negative_within_its_bounds():
    assert parse_int("-3", -5, 5) == -3
    assert parse_int("6", -5, 5) is None
    assert parse_int("--3", -5, 5) is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2031-03-05", date(2031, 3, 5)),
        ("2000-01-01", date(2000, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
        ("9999-12-31", None),
        ("0001-01-01", None),
        ("2031-02-30", None),
        ("20310305", None),
        ("２０３１-03-05", None),
        ("", None),
    ],
)
def test_a_day_is_iso_and_between_2000_and_2100(raw, expected):
    assert parse_day(raw) == expected


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/me", "/me"),
        ("/projects/3?q=a b&page=2", "/projects/3?q=a b&page=2"),
        ("/x\ny", None),
        ("/x\ry", None),
        ("/x\x00", None),
        ("//evil.example", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("/me#comments", "/me"),
    ],
)
def test_safe_next_returns_only_what_it_checked(target, expected):
    assert safe_next(target) == expected


# --- URLs and query strings ---------------------------------------------------------------


@pytest.mark.parametrize("raw", ["99999999999999999999", "2147483648", "%C2%B2", "%D9%A1"])
def test_an_impossible_id_in_a_url_is_not_found(client, auth, processes, raw):
    launched = launch_article()
    auth.login("head@demo.local")
    assert client.get(f"/instances/{raw}").status_code == 404
    assert client.post(f"/instances/{raw}/act", data={"action": "complete"}).status_code == 404
    assert client.get(f"/instances/{launched.id}").status_code == 200


def test_a_newline_in_next_is_not_followed(client, auth, demo):
    page = text(client.get("/login?next=/x%0Ay"))
    assert "/x\ny" not in page
    response = auth.login("head@demo.local", next="/x\ny")
    assert response.status_code == 302 and "\n" not in response.location
    response = client.post("/language", data={"locale": "ru", "next": "/me\nSet-Cookie: a=b"})
    assert response.status_code == 303 and response.location == "/me"


def test_a_malformed_assignee_on_a_share_link_shows_the_board(client, processes):

    today = clock.company_today()
    _link, token = share_links.create(
        user("head@demo.local"),
        template("article"),
        "process_board",
        today + timedelta(days=1),
        today=today,
        zone=UTC,
    )
    db.session.commit()
    for value in ["%C2%B2", "99999999999999999999", "-1"]:
        assert client.get(f"/share/{token}?assignee={value}").status_code == 200


def test_the_task_search_takes_percent_and_underscore_as_text(client, auth, demo):
    project = new_project()
    new_task(project, "Discount 50% for partners")
    new_task(project, "Banner for the fair")
    auth.login("head@demo.local")
    url = f"/projects/{project.id}"
    page = text(client.get(f"{url}?q=%25"))
    assert "Discount 50% for partners" in page and "Banner for the fair" not in page
    page = text(client.get(f"{url}?q=_"))
    assert "Discount 50%" not in page and "Banner for the fair" not in page


# --- forms --------------------------------------------------------------------------------


def test_a_stage_action_with_a_malformed_version_or_person_is_refused_not_a_500(
    client, auth, processes
):
    launched = launch_article()
    auth.login("head@demo.local")
    for person in ["abc", "²", "99999999999999999999"]:
        response = client.post(
            f"/instances/{launched.id}/reassign",
            data={"version": launched.lock_version, "user_id": person, "comment": "Someone else"},
        )
        assert response.status_code == 400
        assert "Choose an active person." in text(response)
    response = client.post(
        f"/instances/{launched.id}/reassign",
        data={"version": "²", "user_id": user("copywriter@demo.local").id, "comment": "Else"},
    )
    assert response.status_code == 409


def test_a_malformed_version_is_refused_as_stale_not_applied_unchecked(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    for version in ["²", "99999999999999999999", "-1"]:
        response = client.post(
            f"/instances/{launched.id}/act", data={"action": "complete", "version": version}
        )
        assert response.status_code == 409
    db.session.expire_all()
    stored = db.session.get(type(launched), launched.id)
    assert (stored.stage_id, stored.lock_version) == (launched.stage_id, launched.lock_version)


def test_a_stage_comment_has_a_stated_limit(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    page = text(client.get(f"/instances/{launched.id}"))
    assert f'maxlength="{COMMENT_LIMIT}"' in page
    events = db.session.scalar(db.select(db.func.count(Event.id)))
    response = client.post(
        f"/instances/{launched.id}/act",
        data={
            "action": "complete",
            "version": launched.lock_version,
            "comment": "x" * (COMMENT_LIMIT + 1),
        },
    )
    assert response.status_code == 400
    assert f"The comment is too long: at most {COMMENT_LIMIT} characters." in text(response)
    assert db.session.scalar(db.select(db.func.count(Event.id))) == events


def test_control_characters_are_stripped_from_what_is_stored(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    response = client.post(
        f"/instances/{launched.id}/comments", data={"body": "Fine\x00 by\x1b me\nand\tyou"}
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(Comment.body)) == "Fine by me\nand\tyou"


def test_a_task_due_in_year_9999_is_a_form_error(client, auth, demo):
    project = new_project()
    auth.login("head@demo.local")
    page = text(client.get(f"/projects/{project.id}/tasks/new"))
    assert 'max="2100-12-31"' in page and 'min="2000-01-01"' in page
    response = client.post(
        f"/projects/{project.id}/tasks/new",
        data={"title": "Far away", "start_date": "2026-03-02", "due_date": "9999-12-31"},
    )
    assert response.status_code == 422
    assert "Enter a date between 2000 and 2100." in text(response)
    assert db.session.scalar(db.select(db.func.count(Task.id))) == 0
    assert client.get(f"/projects/{project.id}/gantt").status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "²"])
def test_a_project_starting_at_an_impossible_date_is_a_form_error(client, auth, demo, day):
    auth.login("head@demo.local")
    response = client.post("/projects/new", data={"name": "Odd", "start_date": day})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Project.id))) == 0


def test_the_domain_refuses_extreme_dates_too(demo):

    project = new_project()
    task = new_task(project, "Plan")
    with pytest.raises(DomainError, match="between 2000 and 2100"):
        update_task(task, project.manager, TaskData(title="Plan", due_date=date(9999, 12, 31)))


def test_a_too_large_upload_says_the_limit(client, auth, demo):
    task = new_task(new_project(), "Logo")
    auth.login("head@demo.local")
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    big = FileStorage(io.BytesIO(b"x" * (limit + 1)), "logo.png")
    # Encoded in memory: the test client's own encoding leaves a temporary file open.
    boundary, body = encode_multipart({"csrf_token": client.csrf_token(), "file": big})
    response = client.post(
        f"/projects/tasks/{task.id}/files",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        csrf=False,
    )
    assert response.status_code == 413
    assert "A file can be at most 20 MB." in text(response)


# --- every field type through the item page -----------------------------------------------

FILLED = {
    FieldType.TEXT: ("Plain words", "Plain words"),
    FieldType.LONGTEXT: ("Line one\nLine two", "Line one\nLine two"),
    FieldType.NUMBER: ("12,5", "12.5"),
    FieldType.DATE: ("2031-03-05", "5 Mar 2031"),
    FieldType.URL: ("https://example.com/guide", 'href="https://example.com/guide"'),
    FieldType.USER: (None, "Daria Sokolova"),  # the copywriter, by id
    FieldType.CHECKBOX: ("1", "Yes"),
    FieldType.CHOICE: ("Radio", "Radio"),
}


def test_every_field_type_is_filled_saved_and_shown_on_the_item_page(client, auth, processes):
    """A field of each type, editable at every stage: the page shows its input, takes a
    value and shows the value, to the holder and to the head."""
    assert set(FILLED) == set(FieldType), "a new field type needs a row here"
    head = user("head@demo.local")
    article = template("article")
    keys = {}
    for kind in FieldType:
        field = editing.add_field(
            head, article, label=f"Probe {kind.value}", type=kind, choices="TV\nRadio"
        )
        keys[kind] = field.key
    draft = editing.draft_of(article)
    for stage in draft.stages:
        modes = dict(stage.field_modes or {}) | {key: FieldMode.EDIT for key in keys.values()}
        editing.update_stage(head, article, stage.key, field_modes=editing.clean_modes(modes))
    editing.publish(head, article)
    db.session.commit()
    launched = launch_article()
    holder = launched.assignee.email
    copywriter = user("copywriter@demo.local")

    auth.login(holder)
    page = text(client.get(f"/instances/{launched.id}"))
    for kind, key in keys.items():
        assert f'name="field-{key}"' in page, kind
    data = {"version": launched.lock_version}
    for kind, key in keys.items():
        value = FILLED[kind][0]
        data[f"field-{key}"] = str(copywriter.id) if kind == FieldType.USER else value
    # a ticked box posts as a browser posts it: the hidden "" first, then its "1"
    data[f"field-{keys[FieldType.CHECKBOX]}"] = ["", "1"]
    response = client.post(f"/instances/{launched.id}/fields", data=data)
    assert response.status_code == 302, text(response)
    stored = db.session.get(ProcessInstance, launched.id)
    db.session.refresh(stored)
    assert stored.values[keys[FieldType.DATE]] == "2031-03-05"

    for who in (holder, "head@demo.local"):
        client.post("/logout")
        auth.login(who)
        response = client.get(f"/instances/{launched.id}")
        assert response.status_code == 200, who
        page = text(response)
        for kind, (_typed, shown) in FILLED.items():
            shown = copywriter.name if kind == FieldType.USER else shown
            assert shown in page, (who, kind)
        if who == holder:  # the holder also gets the inputs again, filled
            assert re.search(rf'name="field-{keys[FieldType.DATE]}" value="2031-03-05"', page)


def test_an_item_title_has_a_stated_limit(client, auth, processes):

    article = template("article")
    auth.login("head@demo.local")
    page = text(client.get(f"/processes/{article.id}/start"))
    assert f'name="title" value="" maxlength="{TITLE_LIMIT}"' in page
    response = client.post(
        f"/processes/{article.id}/start",
        data={
            "title": "x" * (TITLE_LIMIT + 1),
            "field-topic": "CRM",
            "role-0": user("marketer@demo.local").id,
            "role-1": user("copywriter@demo.local").id,
            "role-2": user("head@demo.local").id,
        },
    )
    assert response.status_code == 422
    assert f"The title is too long (at most {TITLE_LIMIT} characters)." in text(response)
    assert db.session.scalar(db.select(db.func.count(ProcessInstance.id))) == 0


def test_a_host_header_no_address_can_be_made_for_is_a_400_not_a_500(client):
    for host in ["x" * 64, "a..b", "..."]:
        response = client.get("/login", headers={"Host": host})
        assert response.status_code == 400
        assert response.get_data(as_text=True) == "400 Bad Request"
