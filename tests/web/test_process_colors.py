"""The processes' colours: a stylesheet every page waits for, so the browser keeps it for a
year, and a colour changed in the editor gives it a new address on the next page."""

import re

from sqlalchemy import event
from support import launch_article, template

from mkflow.core.database import db

LINK = re.compile(r'<link rel="stylesheet" href="(/processes/colors\.css\?v=([0-9a-f]{12}))">')
FOREVER = "private, max-age=31536000, immutable"


def linked_stylesheet(client, page: str) -> tuple[str, str]:
    """(the page's HTML, the address of the colours it links)."""
    html = client.get(page).get_data(as_text=True)
    return html, LINK.search(html).group(1)


def rule(template_id: int, color: str) -> str:
    return f".tpl-{template_id} {{ --process-color: {color}; }}"


def test_colours_are_kept_for_a_year_and_a_changed_colour_shows_on_the_next_page(
    client, auth, processes
):
    auth.login("head@demo.local")
    launch_article("CRM guide")
    article = template("article")
    board = f"/processes/{article.id}/board"
    page, before = linked_stylesheet(client, board)
    assert f'<span class="process-dot tpl-{article.id}"' in page
    assert linked_stylesheet(client, "/me")[1] == before  # the same address on every page
    sheet = client.get(before)
    assert sheet.headers["Cache-Control"] == FOREVER
    assert sheet.mimetype == "text/css"
    assert rule(article.id, "#2454c5") in sheet.get_data(as_text=True)

    settings = {
        "name": article.name,
        "description": article.description,
        "department": article.department_id,
        "color": "#aa0000",
    }
    assert client.post(f"/processes/{article.id}/settings", data=settings).status_code == 302
    db.session.expire_all()

    page, after = linked_stylesheet(client, board)
    assert after != before
    assert f'class="card-item tpl-{article.id}' in page
    sheet = client.get(after)
    assert sheet.headers["Cache-Control"] == FOREVER
    assert rule(article.id, "#aa0000") in sheet.get_data(as_text=True)
    assert rule(article.id, "#2454c5") not in sheet.get_data(as_text=True)


def test_an_outdated_address_gets_the_current_colours_asked_again_next_time(
    client, auth, processes
):
    auth.login("head@demo.local")
    article = template("article")
    sheet = client.get("/processes/colors.css?v=000000000000")
    assert sheet.headers["Cache-Control"] == "no-cache"
    assert rule(article.id, article.color) in sheet.get_data(as_text=True)
    again = client.get(
        "/processes/colors.css?v=000000000000", headers={"If-None-Match": sheet.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_colours_cost_no_statement_of_their_own(client, auth, processes):
    """The digest comes with the navigation's counters: a page asks as many statements as
    before the stylesheet had an address of its own."""
    auth.login("head@demo.local")
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert client.get("/me").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    reading_colours = [s for s in statements if "process_template.color" in s]
    assert len(reading_colours) == 1
    assert "notification" in reading_colours[0]  # asked with the unread notifications
