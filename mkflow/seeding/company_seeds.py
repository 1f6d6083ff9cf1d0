"""Loading data files from seeds/ into the database, idempotently."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from mkflow.core.database import db
from mkflow.models import Department, Group, Role, User, Visibility
from mkflow.people.accounts import hash_password
from mkflow.seeding import calendar_seeds

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
DEMO_PASSWORD = "demo"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n

    def merge(self, other: "SeedReport") -> None:
        for kind, n in other.created.items():
            self.count(kind, n)


def read_seed(name: str) -> dict:
    with (SEEDS_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


def pick_locale(value, locale: str) -> str:
    """A seed value is either plain text or {ru = ..., en = ...}."""
    if isinstance(value, dict):
        return value.get(locale) or value["en"]
    return value


def demo_accounts(locale: str = "ru") -> list[tuple[str, str]]:
    """(email, title) of every demo account, for the start-up banner and the README."""
    data = read_seed("demo/company.toml")
    return [(u["email"], pick_locale(u["title"], locale)) for u in data["users"]]


def load_company(locale: str = "ru", path: str = "demo/company.toml") -> SeedReport:
    """Create the departments, users and groups that do not exist yet; never duplicate."""
    data = read_seed(path)
    report = SeedReport()
    departments = {d.slug: d for d in db.session.scalars(select(Department))}
    users = {u.email: u for u in db.session.scalars(select(User))}
    groups = {g.slug: g for g in db.session.scalars(select(Group))}

    for item in data["departments"]:
        if item["slug"] not in departments:
            department = Department(
                slug=item["slug"],
                name=pick_locale(item["name"], locale),
                visibility=Visibility(item.get("visibility", "company")),
                oversees_company=item.get("oversees_company", False),
            )
            db.session.add(department)
            departments[item["slug"]] = department
            report.count("departments")

    for item in data["users"]:
        if item["email"] not in users:
            user = User(
                email=item["email"],
                name=pick_locale(item["name"], locale),
                title=pick_locale(item.get("title", ""), locale),
                role=Role(item.get("role", "member")),
                department=departments.get(item.get("department")),
                locale=None,
                password_hash=hash_password(item.get("password", DEMO_PASSWORD)),
            )
            db.session.add(user)
            users[item["email"]] = user
            report.count("users")

    for item in data["departments"]:
        department = departments[item["slug"]]
        if department.head is None and item.get("head") in users:
            department.head = users[item["head"]]

    for item in data["groups"]:
        group = groups.get(item["slug"])
        if group is None:
            group = Group(
                slug=item["slug"],
                name=pick_locale(item["name"], locale),
                description=pick_locale(item.get("description", ""), locale),
            )
            db.session.add(group)
            report.count("groups")
        for email in item.get("members", []):
            if users[email] not in group.members:
                group.members.append(users[email])
    # The demo company works by Russia's production calendar.
    days = calendar_seeds.load_calendar(locale=locale, keep_existing=True)
    if days:
        report.count("calendar days", days)
    db.session.flush()
    return report


def database_is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None
