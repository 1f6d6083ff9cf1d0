"""The demo company loads from seeds/ and loading it twice changes nothing."""

from werkzeug.security import check_password_hash

from mkflow.core.database import db
from mkflow.models import Department, Group, Role, User
from mkflow.seeding import company_seeds

REQUIRED_ACCOUNTS = [
    "ceo@demo.local",
    "head@demo.local",
    "marketer@demo.local",
    "copywriter@demo.local",
    "designer@demo.local",
    "sales@demo.local",
    "admin@demo.local",
]


def _counts():
    return [
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Department, User, Group)
    ] + [
        db.session.scalar(
            db.select(db.func.count()).select_from(db.metadata.tables["group_member"])
        )
    ]


def test_loading_twice_keeps_counts(app):
    first = company_seeds.load_company("ru")
    db.session.commit()
    counts = _counts()
    assert counts[0] == 7 and counts[1] >= 9
    second = company_seeds.load_company("ru")
    db.session.commit()
    assert _counts() == counts
    assert first.created["users"] == counts[1] and second.created == {}


def test_demo_company_shape(app):
    company_seeds.load_company("ru")
    db.session.commit()
    departments = {d.slug: d for d in db.session.scalars(db.select(Department))}
    assert set(departments) == {
        "management",
        "marketing",
        "sales",
        "production",
        "accounting",
        "hr",
        "legal",
    }
    assert departments["marketing"].name == "Маркетинг"
    assert departments["marketing"].head.email == "head@demo.local"
    users = {u.email: u for u in db.session.scalars(db.select(User))}
    for email in REQUIRED_ACCOUNTS:
        assert check_password_hash(users[email].password_hash, "demo"), email
    assert users["admin@demo.local"].role == Role.ADMIN
    assert users["ceo@demo.local"].name == "Андрей Викторович Соколов"
    assert all(d.head is not None for d in departments.values())


def test_seed_command_loads_only_into_an_empty_database(runner):
    result = runner.invoke(args=["seed", "demo", "--if-empty", "--locale", "en"])
    assert "Demo company loaded: 7 departments" in result.output
    assert "head@demo.local" in result.output
    again = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert "already has data" in again.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Department)) == 7


def test_seed_template_commands_say_how_many_they_added(runner):
    company = runner.invoke(args=["seed", "demo", "--locale", "en"])
    assert company.exit_code == 0
    processes = runner.invoke(args=["seed", "processes", "--locale", "en"])
    assert processes.exit_code == 0
    assert processes.output == "Process templates added: 0.\n"  # the demo has them already
    projects = runner.invoke(args=["seed", "projects"])
    assert projects.exit_code == 0
    assert projects.output.startswith("Project templates added: ")
