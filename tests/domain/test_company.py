"""Company rules, without HTTP."""

import pytest
from support import user

from mkflow.core.database import db
from mkflow.core.errors import DomainError, PermissionDenied
from mkflow.core.text import slugify
from mkflow.models import Role
from mkflow.people import company


def test_only_an_administrator_changes_the_structure(demo):
    with pytest.raises(PermissionDenied):
        company.save_group(user("head@demo.local"), None, name="X", description="", members=[])
    with pytest.raises(PermissionDenied):
        company.set_user_active(user("ceo@demo.local"), user("hr@demo.local"), False)


def test_create_user_normalises_email_and_checks_password(demo):
    admin = user("admin@demo.local")
    created = company.create_user(
        admin,
        name=" Ivan ",
        email=" IVAN@Demo.local ",
        password="12345678",
        role="member",
        department=None,
    )
    assert (created.name, created.email) == ("Ivan", "ivan@demo.local")
    with pytest.raises(DomainError, match="already exists"):
        company.create_user(
            admin,
            name="I",
            email="ivan@demo.local",
            password="12345678",
            role="member",
            department=None,
        )
    with pytest.raises(DomainError, match="at least 8"):
        company.create_user(
            admin,
            name="J",
            email="j@demo.local",
            password="1234567",
            role="member",
            department=None,
        )


def test_a_new_head_gets_the_head_role_but_an_admin_stays_admin(demo):
    admin = user("admin@demo.local")
    company.save_department(admin, None, name="R&D", head=user("designer@demo.local"))
    assert user("designer@demo.local").role == Role.HEAD
    company.save_department(admin, None, name="IT", head=admin)
    assert admin.role == Role.ADMIN


def test_department_names_are_unique_ignoring_case(demo):
    with pytest.raises(DomainError):
        company.save_department(user("admin@demo.local"), None, name="SALES", head=None)


def test_slugs_stay_unique(demo):
    admin = user("admin@demo.local")
    first = company.save_group(admin, None, name="Редакторы", description="", members=[])
    second = company.save_group(admin, None, name="Редакторы!", description="", members=[])
    assert (first.slug, second.slug) == ("redaktory", "redaktory-2")


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Маркетинг", "marketing"),
        ("Юридический отдел", "iuridicheskii-otdel"),
        ("PR & Events", "pr-events"),
        ("!!!", "item"),
        ("Объём", "obem"),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_deactivated_user_stays_in_the_department(demo):
    admin = user("admin@demo.local")
    target = user("copywriter@demo.local")
    company.set_user_active(admin, target, False)
    db.session.commit()
    assert user("copywriter@demo.local").department.slug == "marketing"
    assert target not in company.active_users()
