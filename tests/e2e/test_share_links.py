"""Share links and embedding in a real browser: a link made on the settings page opens
without login, holds no form, and stops working when revoked and when expired; an intranet
page on an origin named in MKFLOW_EMBED_ORIGINS shows the embedded board in an iframe (which
refreshes itself), and a page on any other origin is refused by the browser."""

import threading
from datetime import UTC, date, timedelta
from html import escape

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from support import add_people, config_for, log_in, new_project, new_task, user
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from mkflow.application import create_app
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import Department, ShareLink, Task
from mkflow.sharing import share_links

GONE = "This link does not open anything"


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@Request.application
def intranet_page(request):
    """An intranet page with the URL it is given in an iframe."""
    src = escape(request.args.get("src", ""))
    frame = f'<iframe src="{src}" title="Board" width="100%" height="600"></iframe>'
    html = f"<!doctype html><title>Intranet</title>{frame}"
    return Response(html, mimetype="text/html")


@pytest.fixture(scope="module")
def intranet():
    """The intranet's port: http://127.0.0.1:<port> may frame mkflow, http://localhost:<port>
    (another origin, the same server) may not."""
    server = serve(intranet_page)
    yield server.server_port
    server.shutdown()


@pytest.fixture(scope="module")
def embedding_server(database_url, intranet):
    """mkflow with the intranet's origin allowed to frame it, and quick polling."""
    app = create_app(
        config_for(database_url)
        | {
            "MKFLOW_EMBED_ORIGINS": f"http://127.0.0.1:{intranet}",
            "MKFLOW_EMBED_REFRESH_SECONDS": 1,
        }
    )
    server = serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def marketing_project():
    marketing = db.session.scalar(select(Department).where(Department.name == "Marketing"))
    project = new_project("Open day", manager="marketer@demo.local", department=marketing)
    add_people(project, "copywriter@demo.local")
    new_task(project, "Print the posters", assignee=user("copywriter@demo.local"))
    return project


def share(project, until: date):
    _, token = share_links.create(
        user("marketer@demo.local"), project, "project_board", until, today=until, zone=UTC
    )
    db.session.commit()
    return token


def test_a_share_link_opens_without_login_and_stops_when_revoked(
    page, new_context, demo, console_errors
):
    project = marketing_project()
    log_in(page, "marketer@demo.local")
    page.goto(f"/projects/{project.id}/settings")
    page.get_by_label("Works until").fill((clock.company_today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Create a share link").click()
    expect(page.get_by_role("heading", name="Share link created")).to_be_visible()
    url = page.get_by_label("Link", exact=True).input_value()
    assert "/share/" in url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the link").click()
    expect(page.locator("[data-copy=share-url]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == url

    stranger = new_context().new_page()
    response = stranger.goto(url)
    assert response.status == 200
    expect(stranger.get_by_role("heading", name="Open day")).to_be_visible()
    expect(stranger.get_by_text("Print the posters")).to_be_visible()
    expect(stranger.locator("form, input, button, textarea, select")).to_have_count(0)
    expect(stranger.locator("nav")).to_have_count(0)
    expect(stranger.get_by_role("link")).to_have_count(0)

    page.get_by_role("link", name="Back to the links").click()
    row = page.locator("#share .share-links li")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Project board")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The link is revoked")).to_be_visible()
    expect(page.locator("#share .share-links li")).to_contain_text("revoked")

    response = stranger.reload()
    assert response.status == 404
    expect(stranger.get_by_role("heading", name=GONE)).to_be_visible()
    expect(stranger.get_by_text("Print the posters")).to_have_count(0)
    assert console_errors == []


def test_a_share_link_stops_when_it_expires(page, demo, console_errors):
    project = marketing_project()
    token = share(project, clock.company_today() + timedelta(days=1))
    assert page.goto(f"/share/{token}").status == 200
    expect(page.get_by_text("Print the posters")).to_be_visible()

    link = db.session.scalar(select(ShareLink))
    link.expires_at = link.expires_at - timedelta(days=3)  # its day is over
    db.session.commit()
    assert page.reload().status == 404
    expect(page.get_by_role("heading", name=GONE)).to_be_visible()
    expect(page.get_by_text("Print the posters")).to_have_count(0)
    assert console_errors == []


def test_an_allowed_intranet_page_shows_the_board_that_refreshes_itself(
    page, demo, intranet, embedding_server, console_errors
):
    project = marketing_project()
    token = share(project, clock.company_today() + timedelta(days=1))
    src = f"{embedding_server}/share/{token}?embed=1"
    page.goto(f"http://127.0.0.1:{intranet}/?src={src}")
    board = page.frame_locator("iframe")
    expect(board.get_by_text("Print the posters")).to_be_visible()
    expect(board.locator("form, nav")).to_have_count(0)
    # The board fits its frame, as the snippet sizes it: its columns scroll inside it.
    frame = page.locator("iframe").element_handle().content_frame()
    width = frame.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], width

    # Something changes: the board shows it by itself, within a poll or two.
    task = db.session.scalar(select(Task).where(Task.project_id == project.id))
    task.title = "Print the posters and flyers"
    db.session.commit()
    expect(board.get_by_text("Print the posters and flyers")).to_be_visible(timeout=5000)
    assert console_errors == []


def test_another_origin_is_refused_by_the_browser(page, demo, intranet, embedding_server):
    project = marketing_project()
    token = share(project, clock.company_today() + timedelta(days=1))
    src = f"{embedding_server}/share/{token}?embed=1"
    refusals = []
    page.on("console", lambda msg: refusals.append(msg.text) if msg.type == "error" else None)
    page.goto(f"http://localhost:{intranet}/?src={src}")
    expect(page.locator("iframe")).to_be_attached()
    page.wait_for_timeout(500)
    assert any("frame-ancestors" in text for text in refusals), refusals
    frame = page.frames[1]
    assert "Print the posters" not in frame.content()
