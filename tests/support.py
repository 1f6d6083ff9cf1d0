"""Helpers shared by the tests (imported; fixtures live in conftest.py)."""

import html
import json
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from mkflow.core.database import db
from mkflow.models import CalendarDay, ProcessTemplate, Task, User
from mkflow.processes import engine
from mkflow.projects.lifecycle import ProjectData, add_member, create_project
from mkflow.projects.tasks import TaskData, add_link, create_task

MOSCOW = ZoneInfo("Europe/Moscow")  # the company's zone in the tests (the default; no DST)
BERLIN = ZoneInfo("Europe/Berlin")  # a person's zone with daylight saving time

# The moment every test runs at (the clock_moment fixture): a working-day morning.
SUITE_MOMENT = datetime(2026, 12, 8, 10, 0, tzinfo=MOSCOW)  # a Tuesday
# The moments where a test that depends on the date or the hour must hold too.
MOMENTS = {
    "tuesday-morning": SUITE_MOMENT,
    "monday-morning": datetime(2026, 12, 7, 9, 0, tzinfo=MOSCOW),
    "friday-evening": datetime(2026, 12, 11, 19, 30, tzinfo=MOSCOW),
    # Just after midnight: Saturday in the company, still Friday in UTC.
    "saturday": datetime(2026, 12, 12, 1, 30, tzinfo=MOSCOW),
    # Half an hour before Berlin's clocks go from 02:00 to 03:00 (Sunday 03:30 in Moscow).
    "dst-night": datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
    "new-years-eve": datetime(2026, 12, 31, 23, 30, tzinfo=MOSCOW),
}
at_every_moment = pytest.mark.parametrize(
    "clock_moment", list(MOMENTS.values()), ids=list(MOMENTS), indirect=True
)


def moment_name(moment: datetime) -> str:
    """The name in MOMENTS of ``moment`` (naive UTC, as the clock_moment fixture gives it)."""
    (name,) = [k for k, v in MOMENTS.items() if v.astimezone(UTC).replace(tzinfo=None) == moment]
    return name


def config_for(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MKFLOW_PASSWORD_HASH": "pbkdf2:sha256:1000",  # fast hashing keeps the suite quick
        "BABEL_DEFAULT_LOCALE": "en",
        # The bell asks every second: a browser test sees a new notification at once.
        "MKFLOW_BELL_REFRESH_SECONDS": 1,
    }


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str = "head@demo.local", password: str = "demo", **extra):
        return self._client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self._client.post("/logout")


def user(email: str):
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def log_in(page, email: str, password: str = "demo") -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def template(slug: str):

    return db.session.scalar(db.select(ProcessTemplate).where(ProcessTemplate.slug == slug))


def board_url(slug: str = "article", **args) -> str:
    """A process board's address with its filters."""
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/processes/{template(slug).id}/board" + (f"?{query}" if query else "")


def board_column(page: str, key: str) -> str:
    """The HTML of one board column."""
    match = re.search(rf'<section[^>]*id="col-{re.escape(key)}".*?</section>', page, re.S)
    assert match, f"no column {key}"
    return match.group(0)


def launch_article(title: str = "CRM guide", by: str = "head@demo.local", **overrides):
    """An article item with the demo marketer and copywriter in its roles; the marketer
    approves the text too (the launch form offers the head; these tests chose otherwise)."""

    roles = {
        "Marketer": user("marketer@demo.local").id,
        "Copywriter": user("copywriter@demo.local").id,
        "Text approver": user("marketer@demo.local").id,
    } | overrides.pop("roles", {})
    options = {"title": title, "values": {"topic": "Comparing CRMs"}, "roles": roles} | overrides
    item = engine.launch(template("article"), user(by), **options)
    db.session.commit()
    return item


def new_project(name: str = "Spring campaign", manager: str = "head@demo.local", **data):
    """An empty project managed by ``manager`` (default start: Monday 2 March 2026)."""

    options = {"name": name, "start_date": date(2026, 3, 2)} | data
    project = create_project(user(manager), ProjectData(**options))
    db.session.commit()
    return project


def add_people(project, *emails: str, role: str = "member"):

    for email in emails:
        add_member(project, project.manager, user=user(email), role=role)
    db.session.commit()


def new_task(project, title: str, by: str | None = None, **data):

    actor = user(by) if by else project.manager
    task, _moved = create_task(project, actor, TaskData(title=title, **data))
    db.session.commit()
    return task


def without_holidays() -> None:
    """Forget the demo's Russian holidays (tests written for a plain Monday-to-Friday week)."""
    db.session.execute(db.delete(CalendarDay))
    db.session.commit()


def oob_pieces(html: str) -> list[tuple[str, str]]:
    """(element id or "", hx-swap-oob value) of every out-of-band piece, in order."""
    pieces = []
    for tag in re.findall(r'<\w+[^>]* hx-swap-oob="[^"]+"[^>]*>', html):
        found = re.search(r' id="([^"]*)"', tag)
        pieces.append(
            (found.group(1) if found else "", re.search(r'hx-swap-oob="([^"]+)"', tag)[1])
        )
    return pieces


# Chart pages


def figure_url(body: str) -> str:
    """Where the "Interactive" button fetches its figure; the page carries no figure JSON."""
    assert "data-figure=" not in body
    return html.unescape(re.search(r'data-figure-url="([^"]*)"', body).group(1))


def page_figure(client, body: str) -> dict:
    """The figure the "Interactive" button fetches for plotly.js."""
    response = client.get(figure_url(body))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return json.loads(response.get_data(as_text=True))


def waiting_pair(project, email: str = "designer@demo.local"):
    """Two tasks of ``email`` in ``project``: "Brief", and "Banner", which waits for it
    (finish to start)."""
    add_people(project, email)
    brief = new_task(project, "Brief", assignee=user(email))
    banner = new_task(project, "Banner", assignee=user(email))
    add_link(db.session.get(Task, banner.id), project.manager, brief.id, "fs")
    db.session.commit()
    return brief, banner
