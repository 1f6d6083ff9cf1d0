"""Helpers shared by the tests (imported; fixtures live in conftest.py)."""

from mkflow.extensions import db
from mkflow.models import User


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
    from mkflow.models import ProcessTemplate

    return db.session.scalar(db.select(ProcessTemplate).where(ProcessTemplate.slug == slug))


def launch_article(title: str = "CRM guide", by: str = "head@demo.local", **overrides):
    """An article item with the demo marketer and copywriter in its roles."""
    from mkflow.workflow import engine

    options = {
        "title": title,
        "values": {"topic": "Comparing CRMs"},
        "roles": {
            "Marketer": user("marketer@demo.local").id,
            "Copywriter": user("copywriter@demo.local").id,
        },
    } | overrides
    item = engine.launch(template("article"), user(by), **options)
    db.session.commit()
    return item


def new_project(name: str = "Spring campaign", manager: str = "head@demo.local", **data):
    """An empty project managed by ``manager`` (default start: Monday 2 March 2026)."""
    from datetime import date

    from mkflow.projects.projects import ProjectData, create_project

    options = {"name": name, "start_date": date(2026, 3, 2)} | data
    project = create_project(user(manager), ProjectData(**options))
    db.session.commit()
    return project


def add_people(project, *emails: str, role: str = "member"):
    from mkflow.projects.projects import add_member

    for email in emails:
        add_member(project, project.manager, user=user(email), role=role)
    db.session.commit()


def new_task(project, title: str, by: str | None = None, **data):
    from mkflow.projects.tasks import TaskData, create_task

    actor = user(by) if by else project.manager
    task, _moved = create_task(project, actor, TaskData(title=title, **data))
    db.session.commit()
    return task
