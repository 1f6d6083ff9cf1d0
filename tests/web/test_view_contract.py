"""The one contract of the views: every POST is refused without its CSRF token (one check,
CSRFProtect's, which also reads htmx's header); a form that does not validate is a 4xx with
its message; a domain operation runs through web.actions.perform, which maps NotFound to
404 and a concurrent change (StaleDataError) to 409."""

import re

import pytest
from flask import redirect
from sqlalchemy.orm.exc import StaleDataError
from support import new_project, new_task, user
from werkzeug.exceptions import NotFound as NotFoundPage
from wtforms import StringField
from wtforms.validators import DataRequired

from mkflow.core.database import db
from mkflow.core.errors import Conflict, DomainError, NotFound
from mkflow.models import ProjectMember, TaskLink
from mkflow.web.actions import commit, perform
from mkflow.web.forms import EmptyForm, Form


def text(response) -> str:
    return response.get_data(as_text=True)


def _sample_url(rule) -> str:
    """The rule's path with 1 for every id and the first choice of every ``any(...)``."""
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        if kind == "AnyConverter":
            values[name] = re.search(r"\(\?:?([^|)]+)", converter.regex).group(1)
        elif "Integer" in kind or "Id" in kind:
            values[name] = 1
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_post_route_refuses_a_missing_csrf_token(app, client, auth, demo):
    auth.login("admin@demo.local")
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(posts) > 40
    for rule in posts:
        url = _sample_url(rule)
        response = client.post(url, data={}, csrf=False)
        assert response.status_code == 400, f"{rule.endpoint} {url}: {response.status_code}"
        assert "The form has expired" in text(response), rule.endpoint


def test_the_htmx_header_carries_the_token(client, auth, demo):
    auth.login("head@demo.local")
    token = client.csrf_token()
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    response = client.post("/notifications/read", data={}, headers=headers, csrf=False)
    assert response.status_code == 302
    wrong = client.post("/notifications/read", headers={"X-CSRFToken": "nope"}, csrf=False)
    assert wrong.status_code == 400


def test_a_form_renders_the_token_but_does_not_check_it_again(app):
    with app.test_request_context("/", method="POST", data={}):
        form = EmptyForm()
        assert 'name="csrf_token"' in str(form.csrf_token)
        assert form.validate_on_submit()  # CSRFProtect, before the view, is the one check
    assert not EmptyForm.Meta.csrf and issubclass(EmptyForm, Form)


# --- forms that were rendered but not validated ---------------------------------------------


@pytest.fixture
def team(demo):
    project = new_project()
    return project, new_task(project, "Write the brief")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"user_id": "²"}, "Invalid Choice: could not coerce."),
        ({"user_id": "999999"}, "Not a valid choice."),
        ({"department_id": "99999999999999999999"}, "Invalid Choice: could not coerce."),
        ({"role": "boss"}, "Not a valid choice"),
        ({"duty": "x" * 81}, "Field cannot be longer than 80 characters."),
    ],
)
def test_the_member_form_refuses_what_it_does_not_offer(client, auth, team, data, message):
    project, _task = team
    auth.login("head@demo.local")
    before = db.session.query(ProjectMember).count()
    response = client.post(f"/projects/{project.id}/members", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.query(ProjectMember).count() == before


def test_the_member_form_adds_a_member(client, auth, team):
    project, _task = team
    auth.login("head@demo.local")
    someone = user("copywriter@demo.local")
    response = client.post(
        f"/projects/{project.id}/members",
        data={"user_id": someone.id, "role": "observer", "duty": "Reads along"},
    )
    assert response.status_code == 302 and response.location.endswith("#members")
    member = db.session.scalar(db.select(ProjectMember).filter_by(user_id=someone.id))
    assert member.role.value == "observer" and member.duty == "Reads along"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"predecessor_id": "²"}, "This field is required."),  # no id it could read
        ({"predecessor_id": "{other}", "lag": "١"}, "Enter a whole number."),
        ({"predecessor_id": "{other}", "lag": "99999999999999999999"}, "Enter a whole number."),
        ({"predecessor_id": "{other}", "lag": "5000"}, "The lag is too large."),
    ],
)
def test_the_link_form_refuses_invalid_posts_with_a_message(client, auth, team, data, message):
    project, task = team
    other = new_task(project, "Design the banner")
    auth.login("head@demo.local")
    data = {k: v.format(other=other.id) for k, v in data.items()}
    response = client.post(f"/projects/tasks/{task.id}/links", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert "Write the brief" in text(response)  # the task page, with the reason
    assert db.session.query(TaskLink).count() == 0


def test_a_stale_task_version_is_a_conflict(client, auth, team):
    _project, task = team
    auth.login("head@demo.local")
    stale = task.lock_version - 1
    response = client.post(
        f"/projects/tasks/{task.id}/move", data={"move": "start", "version": stale}
    )
    assert response.status_code == 409
    assert "someone acted on it first" in text(response)


# --- the helper -------------------------------------------------------------------------------


@pytest.fixture
def request_context(app):
    with app.test_request_context("/", method="POST", data={}):
        yield


def _refused(error: DomainError):
    return f"refused: {error.message}"


def test_perform_answers_done_after_committing(request_context):
    answer = perform(lambda: 7, done=lambda result: f"done {result}", refused=_refused)
    assert answer == "done 7"


def test_perform_answers_a_refusal_with_its_status(request_context):
    def refuse():
        raise DomainError("No.")

    assert perform(refuse, done=str, refused=_refused) == ("refused: No.", 400)


def test_perform_maps_not_found_to_404(request_context):
    def missing():
        raise NotFound("There is no such thing.")

    with pytest.raises(NotFoundPage) as raised:
        perform(missing, done=str, refused=_refused)
    assert raised.value.code == 404 and raised.value.description == "There is no such thing."


@pytest.mark.parametrize("where", ["operation", "commit"])
def test_perform_maps_a_concurrent_change_to_409(request_context, monkeypatch, where):
    def stale():
        raise StaleDataError("the row moved on")

    operation = stale if where == "operation" else lambda: None
    if where == "commit":
        monkeypatch.setattr(db.session, "commit", stale)
    answer, status = perform(operation, done=str, refused=lambda e: type(e).__name__)
    assert (answer, status) == ("Conflict", 409)


def test_commit_raises_conflict_on_a_stale_row(request_context, monkeypatch):
    def stale():
        raise StaleDataError("the row moved on")

    monkeypatch.setattr(db.session, "commit", stale)
    with pytest.raises(Conflict):
        commit()


class NamedForm(Form):
    name = StringField("Name", validators=[DataRequired()])


def test_perform_refuses_an_invalid_form_before_the_operation(app):
    ran = []
    with app.test_request_context("/", method="POST", data={}):
        answer = perform(
            lambda: ran.append(1),
            form=NamedForm(),
            done=str,
            refused=lambda e: f"{type(e).__name__}: {e.message}",
        )
    assert not ran
    assert answer == ("InvalidForm: This field is required.", 400)


def test_a_redirecting_refusal_keeps_its_redirect(app):
    with app.test_request_context("/", method="POST", data={}):
        redirect_answer = redirect("/somewhere")

        def refuse():
            raise DomainError("No.")

        answer = perform(refuse, done=str, refused=lambda e: redirect_answer)
    assert answer is redirect_answer
