"""The bell is live: while the head of marketing has a process board open, a colleague
hands work to them and the unread count rises without a reload."""

import re

from playwright.sync_api import expect
from support import launch_article, log_in, template, user

from mkflow.core.database import db
from mkflow.processes import engine


def test_the_unread_count_rises_while_the_board_is_open(page, processes, console_errors):
    item = launch_article(
        "Live bell",
        by="marketer@demo.local",
        roles={
            "Marketer": user("marketer@demo.local").id,
            "Copywriter": user("head@demo.local").id,
        },
    )
    log_in(page, "head@demo.local")
    page.goto(f"/processes/{template('article').id}/board")
    expect(page.get_by_role("heading", name="Article publication")).to_be_visible()
    bell = page.locator("#bell")
    expect(bell.locator(".count")).to_have_count(0)
    page.evaluate("window.stillTheSamePage = true")

    # The marketer, elsewhere, writes the brief and hands the item to the head.
    engine.act(
        item,
        user("marketer@demo.local"),
        "complete",
        values={"brief": "Audience: logistics managers."},
        expected_version=item.lock_version,
    )
    db.session.commit()

    expect(bell.locator(".count")).to_have_text("1", timeout=10_000)
    expect(page.get_by_role("link", name=re.compile(r"My work\W*1"))).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url.endswith("/board")
    assert console_errors == []
