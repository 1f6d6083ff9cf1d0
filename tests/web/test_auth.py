"""Logging in and out, remember me, passwords, the lockout, safe redirects."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import AuthActions, user
from werkzeug.security import check_password_hash, generate_password_hash

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import LoginSession
from mkflow.people import accounts


def test_login_success_lands_on_my_work(client, auth, demo):
    response = auth.login("head@demo.local")
    assert response.status_code == 302
    assert response.location == "/me"
    page = client.get("/me").get_data(as_text=True)
    assert "Elena Morozova" in page
    assert "My work" in page


def test_login_failure_shows_message_and_keeps_the_form(client, auth, demo):
    response = auth.login("head@demo.local", "wrong")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Wrong email or password." in page
    assert 'value="head@demo.local"' in page
    assert client.get("/me").status_code == 302


def test_unknown_email_gets_the_same_message(auth, demo):
    response = auth.login("nobody@demo.local")
    assert response.status_code == 401
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_a_login_checks_one_password_hash_whether_the_account_exists_or_not(
    app, auth, demo, monkeypatch
):
    """Otherwise the answer comes faster for unknown emails (no hash work), which tells
    which emails have accounts. Counted, not timed."""
    checked = []

    def spy(stored, password):
        checked.append(stored.split("$")[0])
        return check_password_hash(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    user("copywriter@demo.local").active = False
    db.session.commit()
    method = app.config["MKFLOW_PASSWORD_HASH"]
    for email, password, status in [
        ("nobody@demo.local", "demo", 401),
        ("head@demo.local", "wrong", 401),
        ("copywriter@demo.local", "demo", 401),  # deactivated
        ("head@demo.local", "demo", 302),
    ]:
        checked.clear()
        assert auth.login(email, password).status_code == status, email
        assert checked == [method], email  # one check, of the configured kind


def test_a_password_stored_another_way_is_stored_again_at_login(app, client, auth, demo):
    """So that checking any password costs what the check for an unknown email does."""
    head = user("head@demo.local")
    head.password_hash = generate_password_hash("demo", method="pbkdf2:sha256:500")
    db.session.commit()
    assert auth.login("head@demo.local", "demo").status_code == 302
    stored = user("head@demo.local").password_hash
    assert stored.startswith(app.config["MKFLOW_PASSWORD_HASH"] + "$")
    assert check_password_hash(stored, "demo")


def test_empty_form_is_refused_with_messages(client, demo):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_inactive_user_is_refused(auth, demo):
    user("copywriter@demo.local").active = False
    db.session.commit()
    response = auth.login("copywriter@demo.local")
    assert response.status_code == 401
    assert "deactivated" in response.get_data(as_text=True)


def test_deactivation_ends_an_open_session(client, auth, demo):
    auth.login("copywriter@demo.local")
    assert client.get("/me").status_code == 200
    user("copywriter@demo.local").active = False
    db.session.commit()
    assert client.get("/me").status_code == 302


@pytest.mark.parametrize("target", ["/company", "/admin/users?tab=1"])
def test_next_keeps_a_local_path(client, demo, target):
    response = client.post(
        "/login?next=" + target, data={"email": "admin@demo.local", "password": "demo"}
    )
    assert response.location == target


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_drops_an_external_url(client, demo, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "head@demo.local", "password": "demo"},
    )
    assert response.location == "/me"


def test_login_required_redirects_with_next(client):
    response = client.get("/company")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Fcompany"


def test_logout_needs_post_and_ends_the_session(client, auth, demo):
    auth.login()
    assert client.get("/logout").status_code == 405
    response = auth.logout()
    assert response.location == "/login"
    assert client.get("/me").status_code == 302


def test_logout_ends_the_session_on_the_server_for_copied_cookies_too(app, client, auth, demo):
    auth.login(remember="y")
    copied = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
    phone = app.test_client()  # the same person on another device
    AuthActions(phone).login()
    assert auth.logout().location == "/login"
    for name, value in copied.items():  # someone who copied one of them before the logout
        thief = app.test_client()
        thief.set_cookie(name, value)
        assert thief.get("/me").status_code == 302, name
    assert phone.get("/me").status_code == 200  # the other device stays logged in
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_a_password_change_ends_every_other_session(app, client, auth, demo):
    auth.login(remember="y")
    phone = app.test_client()
    AuthActions(phone).login(remember="y")
    remembered = phone.get_cookie("remember_token").value
    response = client.post(
        "/account/password",
        data={"current": "demo", "new": "a-new-password", "confirm": "a-new-password"},
    )
    assert response.status_code == 302
    assert client.get("/me").status_code == 200  # who changed it stays logged in
    assert phone.get("/me").status_code == 302
    again = app.test_client()
    again.set_cookie("remember_token", remembered)
    assert again.get("/me").status_code == 302


def test_remember_me_sets_a_lasting_httponly_cookie(client, auth, demo):
    auth.login(remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only and cookie.expires is not None
    client.delete_cookie("session")
    assert client.get("/me").status_code == 200  # the remember cookie logs us back in


def test_session_cookie_is_httponly_and_lax(client, auth, demo):
    response = auth.login()
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_post_without_csrf_token_is_refused(client, demo):
    response = client.post(
        "/login", data={"email": "head@demo.local", "password": "demo"}, csrf=False
    )
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    assert client.get("/me").status_code == 302


def test_htmx_post_with_csrf_header_is_accepted(client, demo):
    token = client.csrf_token()
    response = client.post(
        "/login",
        data={"email": "head@demo.local", "password": "demo"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
        csrf=False,
    )
    assert response.status_code == 302


def test_account_lockout_after_repeated_failures(app, auth, demo):
    limit = app.config["MKFLOW_LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert auth.login("marketer@demo.local", "wrong").status_code == 401
    response = auth.login("marketer@demo.local", "demo")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    # another account from the same address is not locked by these few failures
    assert auth.login("designer@demo.local", "demo").status_code == 302


def test_address_lockout_across_accounts(app, client, auth, demo):
    app.config["MKFLOW_LOGIN_MAX_FAILURES"] = 2
    for n in range(8):  # 2 * ADDRESS_FACTOR failures spread over unknown accounts
        auth.login(f"guess{n}@demo.local", "wrong")
    response = auth.login("designer@demo.local", "demo")
    assert response.status_code == 429


def test_lockout_expires(app, auth, demo, clock_moment):
    app.config["MKFLOW_LOGIN_LOCK_MINUTES"] = 15
    for _ in range(app.config["MKFLOW_LOGIN_MAX_FAILURES"]):
        auth.login("marketer@demo.local", "wrong")
    clock.set(clock_moment + timedelta(minutes=14, seconds=59))
    assert auth.login("marketer@demo.local", "demo").status_code == 429
    clock.set(clock_moment + timedelta(minutes=15, seconds=1))
    assert auth.login("marketer@demo.local", "demo").status_code == 302


def test_change_password(client, auth, demo, app):
    auth.login("designer@demo.local")
    other = app.test_client()
    AuthOther = type(auth)(other)
    AuthOther.login("designer@demo.local")

    wrong = client.post(
        "/account/password",
        data={"current": "nope", "new": "new-secret-1", "confirm": "new-secret-1"},
    )
    assert wrong.status_code == 422
    assert "The current password is not right." in wrong.get_data(as_text=True)

    short = client.post(
        "/account/password", data={"current": "demo", "new": "abc", "confirm": "abc"}
    )
    assert short.status_code == 422
    assert "at least 8 characters" in short.get_data(as_text=True)

    mismatch = client.post(
        "/account/password",
        data={"current": "demo", "new": "new-secret-1", "confirm": "other-1234"},
    )
    assert "The passwords do not match." in mismatch.get_data(as_text=True)

    done = client.post(
        "/account/password",
        data={"current": "demo", "new": "new-secret-1", "confirm": "new-secret-1"},
    )
    assert done.status_code == 302
    assert client.get("/me").status_code == 200  # this session continues
    assert other.get("/me").status_code == 302  # the other one has ended
    auth.logout()
    assert auth.login("designer@demo.local", "demo").status_code == 401
    assert auth.login("designer@demo.local", "new-secret-1").status_code == 302


def test_passwords_are_hashed(demo):
    stored = user("head@demo.local").password_hash
    assert "demo" not in stored and stored.startswith("pbkdf2:")


def test_settings_save_language_and_time_zone(client, auth, demo):
    auth.login("sales@demo.local")
    response = client.post("/account", data={"locale": "ru", "timezone": "Asia/Yekaterinburg"})
    assert response.status_code == 302
    saved = user("sales@demo.local")
    assert (saved.locale, saved.timezone) == ("ru", "Asia/Yekaterinburg")
    bad = client.post("/account", data={"locale": "xx", "timezone": "Mars/Base"})
    assert bad.status_code == 422
    assert user("sales@demo.local").timezone == "Asia/Yekaterinburg"


def test_a_language_chosen_before_login_is_kept_on_the_account(client, auth, demo):

    assert user("marketer@demo.local").locale is None
    client.post("/language", data={"locale": "en"})
    auth.login("marketer@demo.local")
    assert user("marketer@demo.local").locale == "en"  # mail and the calendar feed use it
    auth.logout()
    client.post("/language", data={"locale": "ru"})
    auth.login("marketer@demo.local")
    assert user("marketer@demo.local").locale == "en"  # a choice on the account stays
