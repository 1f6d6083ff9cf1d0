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
