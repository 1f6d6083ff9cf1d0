"""Pages every user sees, the health check, headers and static files."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from support import add_people, launch_article, new_project, new_task, user

from mkflow.application import create_app
from mkflow.core.config import load_secret_key
from mkflow.core.database import db
from mkflow.models import Task


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/none.db",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    with broken.app_context():
        db.engine.dispose()


def test_security_headers_on_every_page(client):
    for url in ("/login", "/healthz", "/no-such-page"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_nothing_sent_to_a_logged_in_person_is_kept_by_a_browser_or_a_cache(
    app, client, auth, demo
):
    """Every page without parameters in the URL map, as the company head; static files stay
    cacheable."""
    auth.login("ceo@demo.local")
    pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    ]
    assert "/me" in pages and "/dashboard" in pages and "/bell" in pages
    pages.remove("/processes/colors.css")  # the same for everyone (test_process_colors.py)
    for url in [*pages, "/no-such-page", "/instances/999999"]:
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", url
        response.close()
    static = client.get("/static/js/mkflow.js")
    assert "max-age=31536000" in static.headers["Cache-Control"]
    assert "no-store" not in static.headers["Cache-Control"]
    static.close()
    auth.logout()
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


def test_pages_load_only_our_own_scripts(client):
    page = client.get("/login").get_data(as_text=True)
    scripts = [line.strip() for line in page.splitlines() if "<script" in line]
    assert len(scripts) == 2
    assert scripts[0].startswith('<script src="/static/vendor/htmx-2.0.8/htmx.min.js?v=')
    assert scripts[1].startswith('<script src="/static/js/mkflow.js?v=')
    assert "<style" not in page and " style=" not in page


def test_static_files_at_their_versioned_address_are_never_revalidated(client):
    """Every page waits for the style sheet: at the address static_url gives, the browser
    keeps it without asking again, even on a reload; another address may be revalidated."""
    page = client.get("/login").get_data(as_text=True)
    address = re.search(r'href="(/static/css/mkflow\.css\?v=[0-9a-f]+)"', page).group(1)
    sheet = client.get(address, headers={"Accept-Encoding": "gzip"})
    assert sheet.headers["Content-Encoding"] == "gzip"
    assert sheet.cache_control.immutable and sheet.cache_control.max_age == 31536000
    sheet.close()
    other = client.get("/static/css/mkflow.css?v=1")
    assert not other.cache_control.immutable
    other.close()


def test_vendored_htmx_is_cached_for_long_and_licensed(client, app):
    response = client.get("/static/vendor/htmx-2.0.8/htmx.min.js?v=1")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert b"htmx" in response.data[:2000]
    license_file = Path(app.static_folder) / "vendor/htmx-2.0.8/LICENSE"
    assert "Zero-Clause BSD" in license_file.read_text()
    response.close()


def test_my_work_without_work_says_so(client, auth, demo):
    auth.login("copywriter@demo.local")
    page = client.get("/me").get_data(as_text=True)
    assert "Nothing is waiting for you right now." in page
    assert "No notifications." in page


def test_navigation_shows_admin_only_to_administrators(client, auth, demo):
    auth.login("head@demo.local")
    assert 'href="/admin/users"' not in client.get("/me").get_data(as_text=True)
    auth.logout()
    auth.login("admin@demo.local")
    assert 'href="/admin/users"' in client.get("/me").get_data(as_text=True)


def test_company_directory_lists_departments_heads_and_groups(client, auth, demo):
    auth.login("sales@demo.local")
    page = client.get("/company").get_data(as_text=True)
    for text in (
        "Management",
        "Marketing",
        "Sales",
        "Production",
        "Accounting",
        "HR",
        "Legal",
        "Elena Morozova",
        "Designers",
        "Anna Novikova",
    ):
        assert text in page


@pytest.mark.parametrize("accept, title", [("en", "Page not found"), ("ru", "Страница не найдена")])
def test_404_page_in_both_languages(client, accept, title):
    response = client.get("/no-such-page", headers={"Accept-Language": accept})
    assert response.status_code == 404
    assert title in response.get_data(as_text=True)


def test_403_page_in_russian(client, auth, demo):
    auth.login("marketer@demo.local")
    client.post("/language", data={"locale": "ru"})
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Доступ запрещён" in response.get_data(as_text=True)


def test_500_page_in_both_languages(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    for accept, text in (("en", "Something went wrong"), ("ru", "Что-то пошло не так")):
        response = client.get("/boom", headers={"Accept-Language": accept})
        assert response.status_code == 500
        assert text in response.get_data(as_text=True)


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000


def test_a_clash_on_save_is_a_409_page_not_a_500(app, client, auth, demo):

    @app.route("/clash")
    def clash():
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    response = client.get("/clash")
    assert response.status_code == 409
    assert "Reload the page and try again." in response.get_data(as_text=True)


def test_secret_key_is_generated_once_and_kept_in_instance(tmp_path, monkeypatch):

    monkeypatch.delenv("MKFLOW_SECRET_KEY", raising=False)
    first = load_secret_key(str(tmp_path))
    assert len(first) == 64 and load_secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("MKFLOW_SECRET_KEY", "from-env")
    assert load_secret_key(str(tmp_path)) == "from-env"


def test_a_row_changed_under_a_write_is_a_409_page_not_a_500(app, client, demo):

    task_id = new_task(new_project(), "Brief").id
    table = Task.__table__

    @app.route("/race")
    def race():
        row = db.session.get(Task, task_id)
        with db.engine.begin() as other:  # someone else saves the task first
            other.execute(
                update(table)
                .where(table.c.id == task_id)
                .values(lock_version=table.c.lock_version + 1, title="Theirs")
            )
        row.title = "Mine"
        db.session.commit()
        return "saved"

    response = client.get("/race")
    assert response.status_code == 409
    assert "Reload the page to see it now." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, task_id).title == "Theirs"


def test_my_work_answers_what_now_overdue_today_this_week_and_later_folded(client, auth, processes):
    """On Tuesday 8 December: an item whose stage was due yesterday, a task due today, one
    on Friday, one next month and one without a date."""
    item = launch_article("Late article")
    item.stage_due_at = datetime(2026, 12, 7, 9, 0)
    db.session.commit()
    project = new_project()
    add_people(project, "marketer@demo.local")
    marketer = user("marketer@demo.local")
    for title, due in (
        ("Task for today", date(2026, 12, 8)),
        ("Task for Friday", date(2026, 12, 11)),
        ("January task", date(2027, 1, 15)),
        ("Someday task", None),
    ):
        new_task(project, title, assignee=marketer, due_date=due)
    auth.login("marketer@demo.local")
    page = client.get("/me").get_data(as_text=True)

    def group(key: str) -> str:
        start = page.index(f'id="work-{key}"')
        return page[start : page.index("</section>", start)]

    assert "Late article" in group("overdue") and "Task for today" in group("today")
    assert "Task for Friday" in group("week")
    later = group("later")
    assert "January task" in later and "Someday task" in later
    assert (
        page.index('id="work-overdue"')
        < page.index('id="work-today"')
        < page.index('id="work-week"')
        < page.index('id="work-later"')
    )
    assert re.search(r'id="work-later".*?<details><summary>', page, re.S)  # folded
    add_people(project, "designer@demo.local")
    new_task(project, "Someday banner", assignee=user("designer@demo.local"))
    auth.logout()
    auth.login("designer@demo.local")  # nothing but later: that is what there is to do
    page = client.get("/me").get_data(as_text=True)
    assert re.search(r'id="work-later".*?<details open><summary>', page, re.S)
