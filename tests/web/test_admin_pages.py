"""Administration pages: people, departments, groups; only for administrators."""

import pytest
from support import user

from mkflow.core.database import db
from mkflow.models import Department, Group, Role, User

ADMIN_PAGES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1/edit",
    "/admin/departments",
    "/admin/departments/new",
    "/admin/departments/1/edit",
    "/admin/groups",
    "/admin/groups/new",
    "/admin/groups/1/edit",
]


def _department(slug: str) -> Department:
    return db.session.scalar(db.select(Department).where(Department.slug == slug))


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_are_forbidden_to_members_and_heads(client, auth, demo, url):
    for email in ("copywriter@demo.local", "head@demo.local"):
        auth.login(email)
        response = client.get(url)
        assert response.status_code == 403
        assert "Access denied" in response.get_data(as_text=True)
        auth.logout()


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_open_for_an_administrator(client, auth, demo, url):
    auth.login("admin@demo.local")
    assert client.get(url).status_code == 200


def test_admin_posts_are_forbidden_to_members(client, auth, demo):
    auth.login("marketer@demo.local")
    victim = user("designer@demo.local")
    response = client.post(f"/admin/users/{victim.id}/deactivate")
    assert response.status_code == 403
    assert user("designer@demo.local").active


def test_create_user_who_can_then_log_in(client, auth, demo):
    auth.login("admin@demo.local")
    marketing = _department("marketing")
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Пётр Ильич Белов",
            "email": "Belov@Demo.Local",
            "title": "SEO specialist",
            "department": marketing.id,
            "role": "member",
            "password": "initial-pass",
        },
    )
    assert response.status_code == 302
    assert "The user is created" in client.get(response.location).get_data(as_text=True)
    created = user("belov@demo.local")
    assert created.department.slug == "marketing" and created.role == Role.MEMBER
    auth.logout()
    assert auth.login("belov@demo.local", "initial-pass").status_code == 302


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email": "head@demo.local"}, "A user with this email already exists."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"password": ""}, "Give the new user an initial password."),
        ({"password": "short"}, "at least 8 characters"),
        ({"name": ""}, "This field is required."),
        ({"department": "99999"}, "Not a valid choice"),
        ({"role": "emperor"}, "Not a valid choice"),
    ],
)
def test_create_user_refuses_bad_input(client, auth, demo, changes, message):
    auth.login("admin@demo.local")
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    data = {
        "name": "New Person",
        "email": "new@demo.local",
        "department": "0",
        "role": "member",
        "password": "long-enough-1",
    } | changes
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before


def test_edit_user_and_reset_password(client, auth, demo):
    auth.login("admin@demo.local")
    target = user("smm@demo.local")
    response = client.post(
        f"/admin/users/{target.id}/edit",
        data={
            "name": "Maria Pavlova-Lee",
            "email": "smm@demo.local",
            "title": "SMM lead",
            "department": target.department_id,
            "role": "head",
            "password": "fresh-pass-9",
        },
    )
    assert response.status_code == 302
    edited = user("smm@demo.local")
    assert (edited.name, edited.title, edited.role) == ("Maria Pavlova-Lee", "SMM lead", Role.HEAD)
    auth.logout()
    assert auth.login("smm@demo.local", "fresh-pass-9").status_code == 302


def test_edit_missing_user_is_404(client, auth, demo):
    auth.login("admin@demo.local")
    assert client.get("/admin/users/99999/edit").status_code == 404


def test_deactivate_keeps_the_record_and_blocks_login(client, auth, demo):
    auth.login("admin@demo.local")
    target = user("pr@demo.local")
    response = client.post(f"/admin/users/{target.id}/deactivate")
    assert response.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Sergey Fedorov" in page and "Deactivated" in page
    assert user("pr@demo.local").active is False
    auth.logout()
    assert auth.login("pr@demo.local").status_code == 401
    auth.login("admin@demo.local")
    client.post(f"/admin/users/{target.id}/activate")
    auth.logout()
    assert auth.login("pr@demo.local").status_code == 302


def test_admin_cannot_deactivate_or_demote_themselves(client, auth, demo):
    auth.login("admin@demo.local")
    me = user("admin@demo.local")
    response = client.post(f"/admin/users/{me.id}/deactivate")
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    response = client.post(
        f"/admin/users/{me.id}/edit",
        data={"name": me.name, "email": me.email, "department": "0", "role": "member"},
    )
    assert response.status_code == 422
    assert user("admin@demo.local").is_admin and user("admin@demo.local").active


def test_create_department_with_a_head(client, auth, demo):
    auth.login("admin@demo.local")
    head = user("sales@demo.local")
    response = client.post("/admin/departments/new", data={"name": "Закупки", "head": head.id})
    assert response.status_code == 302
    created = db.session.scalar(db.select(Department).where(Department.name == "Закупки"))
    assert created.slug == "zakupki"
    assert created.head.email == "sales@demo.local"
    assert user("sales@demo.local").role == Role.HEAD
    assert "Закупки" in client.get("/admin/departments").get_data(as_text=True)


def test_department_name_must_be_unique(client, auth, demo):
    auth.login("admin@demo.local")
    response = client.post("/admin/departments/new", data={"name": "marketing", "head": "0"})
    assert response.status_code == 422
    assert "A department with this name exists." in response.get_data(as_text=True)


def test_rename_department(client, auth, demo):
    auth.login("admin@demo.local")
    legal = _department("legal")
    client.post(
        f"/admin/departments/{legal.id}/edit", data={"name": "Legal & Compliance", "head": "0"}
    )
    db.session.expire_all()
    assert _department("legal").name == "Legal & Compliance"
    assert _department("legal").head is None


def test_group_with_members(client, auth, demo):
    auth.login("admin@demo.local")
    ids = [user(e).id for e in ("smm@demo.local", "pr@demo.local")]
    response = client.post(
        "/admin/groups/new", data={"name": "SMM", "description": "Social", "members": ids}
    )
    assert response.status_code == 302
    group = db.session.scalar(db.select(Group).where(Group.name == "SMM"))
    assert sorted(u.email for u in group.members) == ["pr@demo.local", "smm@demo.local"]
    client.post(f"/admin/groups/{group.id}/edit", data={"name": "SMM", "members": [ids[0]]})
    db.session.expire_all()
    assert [u.email for u in db.session.get(Group, group.id).members] == ["smm@demo.local"]


def test_group_refuses_unknown_member(client, auth, demo):
    auth.login("admin@demo.local")
    response = client.post("/admin/groups/new", data={"name": "Ghosts", "members": ["99999"]})
    assert response.status_code == 422
    assert db.session.scalar(db.select(Group).where(Group.name == "Ghosts")) is None


def test_department_visibility_and_company_oversight(client, auth, demo):
    auth.login("admin@demo.local")
    sales = _department("sales")
    response = client.post(
        f"/admin/departments/{sales.id}/edit",
        data={"name": "Sales", "head": "0", "visibility": "department", "oversees_company": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = _department("sales")
    assert saved.visibility.value == "department" and saved.oversees_company
    bad = client.post(
        f"/admin/departments/{sales.id}/edit",
        data={"name": "Sales", "head": "0", "visibility": "secret"},
    )
    assert bad.status_code == 422


def test_the_user_list_names_its_columns_and_hides_the_actions_one(client, auth, demo):
    auth.login("admin@demo.local")
    html = client.get("/admin/users").get_data(as_text=True)
    assert '<th scope="col">Email</th>' in html
    assert '<th scope="col"><span class="visually-hidden">Actions</span></th>' in html
