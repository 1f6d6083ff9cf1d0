"""Share links and embedding: links stored as hashes that expire and can be revoked, made
only by those who manage the project or process; the read-only page a link opens, without
forms, navigation or emails; framing allowed only to the configured intranet origins; an
embedded board that polls and hears 204 until something changes."""

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from support import (
    add_people,
    at_every_moment,
    launch_article,
    new_project,
    new_task,
    template,
    user,
)

from mkflow.blueprints.share.views import SHARED_VIEWS
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError, PermissionDenied
from mkflow.models import Department, ShareLink, Task
from mkflow.seeding import process_seeds
from mkflow.sharing import share_links

TODAY = date(2030, 3, 4)
NOW = datetime(2030, 3, 4, 12, 0)
ORIGINS = "http://intranet.example:8080, https://portal.example"
ALLOWED = "frame-ancestors http://intranet.example:8080 https://portal.example"


def text(response) -> str:
    return response.get_data(as_text=True)


def as_user(auth, email: str) -> None:
    auth.logout()
    assert auth.login(email).status_code == 302, f"could not log in as {email}"


def marketing_project(**data):
    """A marketing project managed by the marketer, with the copywriter in its workgroup."""
    marketing = db.session.scalar(select(Department).where(Department.name == "Marketing"))
    project = new_project(manager="marketer@demo.local", department=marketing, **data)
    add_people(project, "copywriter@demo.local")
    add_people(project, "designer@demo.local", role="observer")
    return project


def share(project, by: str = "marketer@demo.local", kind: str = "project_board", **options):
    """A link working until ``until`` (default TODAY), made on ``today`` (default: that
    same day)."""
    until = options.pop("until", TODAY)
    options = {"today": until, "zone": UTC} | options
    link, token = share_links.create(user(by), project, kind, until, **options)
    db.session.commit()
    return link, token


def csp(response) -> str:
    return response.headers["Content-Security-Policy"]


# --- the domain ---------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash(demo):
    project = marketing_project()
    link, token = share(project)
    assert len(token) >= 40
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = db.session.execute(select(ShareLink.__table__)).one()
    assert token not in [str(value) for value in stored]
    assert share_links.find_valid(token, NOW) == link
    assert share_links.find_valid(token[:-1] + "x", NOW) is None
    assert share_links.find_valid("", NOW) is None
    _, other = share(project)
    assert other != token


def test_a_link_works_through_its_expiry_day_where_its_creator_is(demo):
    project = marketing_project()

    moscow = ZoneInfo("Europe/Moscow")  # UTC+3: the day ends at 20:59:59 UTC
    link, token = share(project, until=TODAY + timedelta(days=1), zone=moscow)
    assert link.expires_at == datetime(2030, 3, 5, 20, 59, 59)
    assert share_links.find_valid(token, datetime(2030, 3, 5, 20, 59)) == link
    assert share_links.find_valid(token, datetime(2030, 3, 5, 21, 0)) is None


def test_a_revoked_link_opens_nothing(demo):
    project = marketing_project()
    link, token = share(project)
    share_links.revoke(user("head@demo.local"), link, NOW)  # the head of the department may
    db.session.commit()
    assert link.revoked_at == NOW
    assert share_links.find_valid(token, NOW) is None


def test_who_may_share_a_project(demo):
    project = marketing_project()
    for email in ("marketer@demo.local", "head@demo.local", "admin@demo.local"):
        assert share_links.can_share(user(email), project), email
    for email in ("copywriter@demo.local", "designer@demo.local", "sales@demo.local"):
        assert not share_links.can_share(user(email), project), email
    with pytest.raises(PermissionDenied):
        share(project, by="copywriter@demo.local")
    link, _ = share(project)
    with pytest.raises(PermissionDenied):
        share_links.revoke(user("copywriter@demo.local"), link, NOW)


def test_links_are_checked_for_kind_and_dates(demo):
    project = marketing_project()
    with pytest.raises(DomainError):
        share(project, kind="process_board")
    with pytest.raises(DomainError):
        share(project, until=TODAY - timedelta(days=1), today=TODAY)
    with pytest.raises(DomainError):
        share(project, until=TODAY + timedelta(days=share_links.MAX_DAYS + 1), today=TODAY)
    assert share_links.list_for(project) == []


def test_a_process_board_is_shared_by_the_managers_of_its_template(processes):
    article = template("article")
    assert share_links.can_share(user("head@demo.local"), article)
    assert not share_links.can_share(user("copywriter@demo.local"), article)
    link, token = share(article, by="head@demo.local", kind="process_board")
    assert share_links.list_for(article) == [link] and link.template == article


def test_use_is_noted_at_most_once_a_minute(demo):
    project = marketing_project()
    link, _ = share(project)
    share_links.touch(link, NOW)
    db.session.commit()
    db.session.refresh(link)
    assert link.last_used_at == NOW
    share_links.touch(link, NOW + timedelta(seconds=30))
    db.session.refresh(link)
    assert link.last_used_at == NOW
    share_links.touch(link, NOW + timedelta(minutes=2))
    db.session.refresh(link)
    assert link.last_used_at == NOW + timedelta(minutes=2)


def test_the_stamp_changes_with_the_tasks(demo):
    project = marketing_project()
    first = share_links.project_stamp(project, TODAY)
    task = new_task(project, "Banner")
    second = share_links.project_stamp(project, TODAY)
    assert second != first and share_links.project_stamp(project, TODAY) == second
    task.title = "Banner, v2"
    db.session.commit()
    assert share_links.project_stamp(project, TODAY) != second
    assert share_links.project_stamp(project, TODAY + timedelta(days=1)) != second


# --- creating, listing and revoking from the pages -----------------------------------------


@at_every_moment
def test_the_manager_creates_a_link_sees_it_once_and_it_is_listed(client, auth, demo):
    project = marketing_project()
    new_task(project, "Landing page")
    as_user(auth, "marketer@demo.local")
    settings = text(client.get(f"/projects/{project.id}/settings"))
    assert "Share links" in settings and f"/projects/{project.id}/share" in settings
    until = (clock.company_today() + timedelta(days=7)).isoformat()
    response = client.post(
        f"/projects/{project.id}/share", data={"kind": "project_board", "expires_on": until}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    url = re.search(r"data-share-url>(http://localhost/share/[^<]+)<", text(response)).group(1)
    token = url.rsplit("/", 1)[1]
    link = db.session.scalar(select(ShareLink))
    assert link.token_hash == share_links.hash_token(token) and link.created_by == user(
        "marketer@demo.local"
    )
    listed = text(client.get(f"/projects/{project.id}/settings"))
    assert token not in listed
    assert "Marketer" in listed or user("marketer@demo.local").name in listed
    assert "never used" in listed and f"/share-links/{link.id}/revoke" in listed

    auth.logout()
    assert "Landing page" in text(client.get(url))
    db.session.expire_all()
    assert db.session.get(ShareLink, link.id).last_used_at is not None


@at_every_moment
def test_a_past_expiry_is_refused_with_a_message(client, auth, demo):
    project = marketing_project()
    as_user(auth, "marketer@demo.local")
    response = client.post(
        f"/projects/{project.id}/share",
        data={"kind": "project_board", "expires_on": "2001-01-01"},
        follow_redirects=True,
    )
    assert "at least until the end of today" in text(response)
    assert db.session.scalar(select(ShareLink)) is None


def test_a_member_who_is_not_a_manager_cannot_share_and_a_stranger_gets_not_found(
    client, auth, demo
):
    project = marketing_project()
    data = {
        "kind": "project_board",
        "expires_on": (clock.company_today() + timedelta(days=1)).isoformat(),
    }
    as_user(auth, "copywriter@demo.local")
    assert client.post(f"/projects/{project.id}/share", data=data).status_code == 403
    as_user(auth, "sales@demo.local")
    assert client.post(f"/projects/{project.id}/share", data=data).status_code == 404
    link, _ = share(project)
    assert client.post(f"/share-links/{link.id}/revoke").status_code == 404
    as_user(auth, "copywriter@demo.local")
    assert client.post(f"/share-links/{link.id}/revoke").status_code == 403
    assert db.session.scalar(select(ShareLink.revoked_at)) is None


def test_revoking_from_the_settings_page(client, auth, demo):
    project = marketing_project()
    link, token = share(project, until=clock.company_today() + timedelta(days=3))
    as_user(auth, "head@demo.local")
    response = client.post(f"/share-links/{link.id}/revoke", follow_redirects=True)
    assert response.status_code == 200 and "revoked" in text(response)
    assert client.get(f"/share/{token}").status_code == 404


def test_process_links_are_made_from_the_editor(client, auth, processes):
    article = template("article")
    as_user(auth, "head@demo.local")
    assert "Share links" in text(client.get(f"/processes/{article.id}/edit"))
    until = (clock.company_today() + timedelta(days=7)).isoformat()
    response = client.post(
        f"/processes/{article.id}/share", data={"kind": "process_board", "expires_on": until}
    )
    assert response.status_code == 200 and "/share/" in text(response)
    as_user(auth, "copywriter@demo.local")
    assert client.post(f"/processes/{article.id}/share", data={}).status_code == 403


# --- the shared page ------------------------------------------------------------------------


def assert_reveals_nothing(response) -> None:
    html = text(response)
    assert "<form" not in html and "csrf" not in html.lower()
    assert "mainnav" not in html and "topbar" not in html and 'id="bell"' not in html
    assert "@demo.local" not in html
    assert not re.search(r'href="/(?!static/|share/)', html), "a link into the app"
    assert "hx-post" not in html
    assert "Set-Cookie" not in response.headers


def test_the_shared_project_board_shows_its_tasks_and_nothing_else(client, auth, demo):
    project = marketing_project()
    new_task(project, "Landing page", assignee=user("copywriter@demo.local"))
    new_task(project, "Press kit")
    _, token = share(project, until=clock.company_today() + timedelta(days=1))
    response = client.get(f"/share/{token}")
    assert response.status_code == 200
    html = text(response)
    assert "Landing page" in html and "Press kit" in html and project.name in html
    assert "Read-only view" in html
    assert_reveals_nothing(response)
    # A logged-in manager opening the link sees the same read-only page.
    as_user(auth, "marketer@demo.local")
    html = text(client.get(f"/share/{token}"))
    assert "<form" not in html and "Landing page" in html and "csrf" not in html.lower()


@at_every_moment
def test_the_shared_process_board_shows_its_items_without_actions(client, demo_items):
    launch_article("Shared CRM guide")
    link, token = share(
        template("article"),
        by="head@demo.local",
        kind="process_board",
        until=clock.company_today() + timedelta(days=1),
    )
    response = client.get(f"/share/{token}")
    assert response.status_code == 200
    assert "Shared CRM guide" in text(response)
    assert_reveals_nothing(response)


@pytest.mark.parametrize("case", ["revoked", "expired", "unknown"])
def test_a_dead_link_answers_a_plain_not_found(client, demo, case):
    project = marketing_project()
    new_task(project, "Secret launch")
    until = (
        clock.company_today() - timedelta(days=1) if case == "expired" else clock.company_today()
    )
    link, token = share(project, until=until, today=until)
    if case == "revoked":
        share_links.revoke(user("marketer@demo.local"), link, NOW)
        db.session.commit()
    if case == "unknown":
        token = token[::-1]
    response = client.get(f"/share/{token}")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"  # its address is a token
    html = text(response)
    assert "Secret launch" not in html and project.name not in html
    assert_reveals_nothing(response)


# --- embedding -------------------------------------------------------------------------------


def test_framing_is_allowed_only_to_the_configured_origins_on_embeddable_views(
    app, client, auth, demo
):
    app.config["MKFLOW_EMBED_ORIGINS"] = ORIGINS
    project = marketing_project()
    _, token = share(project, until=clock.company_today() + timedelta(days=1))
    for url in (f"/share/{token}", f"/share/{token}?embed=1"):
        response = client.get(url)
        assert ALLOWED in csp(response) and "X-Frame-Options" not in response.headers, url
    as_user(auth, "marketer@demo.local")
    framed = [f"/projects/{project.id}/board?embed=1", f"/processes/{template_id()}/board?embed=1"]
    for url in framed:
        response = client.get(url)
        assert response.status_code == 200, url
        assert ALLOWED in csp(response) and "X-Frame-Options" not in response.headers, url
    for url in (
        f"/projects/{project.id}/board",
        f"/projects/{project.id}",
        f"/projects/{project.id}/settings",
        "/me",
        "/login",
    ):
        response = client.get(url)
        assert "frame-ancestors 'none'" in csp(response), url
        assert "intranet.example" not in csp(response), url
        assert response.headers["X-Frame-Options"] == "DENY", url


def template_id() -> int:
    """A process template on the demo company (loaded on demand)."""

    if template("article") is None:
        process_seeds.load_processes("en")
        db.session.commit()
    return template("article").id


def test_without_configured_origins_nothing_may_frame_a_share_link(app, client, demo):
    app.config["MKFLOW_EMBED_ORIGINS"] = ()
    _, token = share(marketing_project(), until=clock.company_today() + timedelta(days=1))
    response = client.get(f"/share/{token}?embed=1")
    assert response.status_code == 200 and "frame-ancestors 'none'" in csp(response)


def test_an_embedded_board_has_no_navigation_but_keeps_its_moves(client, auth, demo):
    project = marketing_project()
    new_task(project, "Landing page", assignee=user("copywriter@demo.local"))
    as_user(auth, "copywriter@demo.local")
    html = text(client.get(f"/projects/{project.id}/board?embed=1"))
    assert "Landing page" in html and "mainnav" not in html and "topbar" not in html
    assert "user-name" not in html and 'name="move"' in html
    assert 'hx-trigger="every 30s"' in html


def poll_url(html: str) -> str:
    return re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_an_embedded_share_link_polls_and_hears_204_until_a_task_changes(client, demo):
    project = marketing_project()
    task = new_task(project, "Landing page")
    _, token = share(project, until=clock.company_today() + timedelta(days=1))
    html = text(client.get(f"/share/{token}?embed=1"))
    url = poll_url(html)
    assert url.startswith(f"/share/{token}?") and "since=" in url and "embed=1" in url
    unchanged = client.get(url, headers={"HX-Request": "true"})
    assert unchanged.status_code == 204 and unchanged.get_data() == b""

    db.session.get(Task, task.id).title = "Landing page, second take"
    db.session.commit()
    changed = client.get(url, headers={"HX-Request": "true"})
    assert changed.status_code == 200
    fragment = text(changed)
    assert "Landing page, second take" in fragment and "<html" not in fragment
    assert fragment.strip().startswith('<div id="board-poll"') and poll_url(fragment) != url
    assert "<form" not in fragment
    assert client.get(poll_url(fragment), headers={"HX-Request": "true"}).status_code == 204


def test_an_embedded_process_board_polls_too(client, auth, demo_items):
    as_user(auth, "head@demo.local")
    article = template("article")
    html = text(client.get(f"/processes/{article.id}/board?embed=1"))
    url = poll_url(html)
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 204
    launch_article("A brand new guide")
    changed = client.get(url, headers={"HX-Request": "true"})
    assert changed.status_code == 200 and "A brand new guide" in text(changed)


def test_query_arguments_do_not_change_how_the_poll_address_is_built(client, demo):
    project = marketing_project()
    _, token = share(project, until=clock.company_today() + timedelta(days=1))
    for extra in ("token=x", "_external=1", "project_id=1"):
        response = client.get(f"/share/{token}?embed=1&{extra}")
        assert response.status_code == 200, extra
        assert 'hx-get="/share/' in text(response) and "http://" not in text(response), extra


def test_every_kind_of_link_has_its_view():
    """The shared views are an explicit table: a kind without a view would answer 404."""
    assert set(SHARED_VIEWS) == set(share_links.KINDS)


def test_the_new_link_page_offers_the_iframe_only_where_embedding_is_on(client, auth, app, demo):
    project = marketing_project()
    data = {
        "kind": "project_board",
        "expires_on": (clock.company_today() + timedelta(days=1)).isoformat(),
    }
    as_user(auth, "marketer@demo.local")
    app.config["MKFLOW_EMBED_ORIGINS"] = ()
    page = text(client.post(f"/projects/{project.id}/share", data=data))
    assert "<iframe" not in page and "MKFLOW_EMBED_ORIGINS" in page
    assert re.search(
        r'<textarea id="share-url"[^>]*>http://localhost/share/[\w-]+</textarea>', page
    )
    app.config["MKFLOW_EMBED_ORIGINS"] = ("https://intranet.example.com",)
    page = text(client.post(f"/projects/{project.id}/share", data=data))
    assert "&lt;iframe src=" in page and "https://intranet.example.com" in page


def test_an_embedded_view_asked_without_a_login_says_how_to_see_it_in_its_frame(app, client, demo):
    app.config["MKFLOW_EMBED_ORIGINS"] = ORIGINS
    project = marketing_project()
    response = client.get(f"/projects/{project.id}/board?embed=1")
    page = text(response)
    assert response.status_code == 401 and ALLOWED in csp(response)  # the frame may show it
    assert "X-Frame-Options" not in response.headers
    assert f'href="/login?next=/projects/{project.id}/board"' in page
    assert 'target="_blank"' in page and "share link" in page
    assert 'class="embedded"' in page  # no navigation
    # without ?embed=1 the login page, as always, and never framed
    plain = client.get(f"/projects/{project.id}/board")
    assert plain.status_code == 302 and plain.location.startswith("/login?next=")
