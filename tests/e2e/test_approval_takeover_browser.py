"""The head takes an approval over from the item page and rejects: the rework comes back to
her, not to the marketer, and she hears it; the marketer is told it left her hands and her
request to approve is settled."""

import re

from playwright.sync_api import expect
from support import launch_article, log_in

from mkflow.core.database import db
from mkflow.processes import engine

TITLE = "Case: CRM at a distributor"


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def hand_on(item, values):
    engine.act(item, item.assignee, "complete", expected_version=None, values=values)
    db.session.commit()


def test_a_takeover_holds_across_a_rework(page, processes, console_errors):
    item = launch_article(TITLE)  # the marketer was chosen to approve the text
    hand_on(item, {"brief": "Audience: logistics directors."})
    hand_on(item, {"text": "https://docs.example/crm-case"})
    item_url = f"/instances/{item.id}"

    log_in(page, "head@demo.local")
    page.goto(item_url)
    page.get_by_label("Give to").select_option(label="Elena Morozova")
    page.get_by_label("Comment", exact=True).first.fill("I approve this one myself")
    page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_role("heading", name="Your step: Text approval")).to_be_visible()
    page.get_by_label("Reject: what needs fixing?").fill("Add the numbers from the pilot")
    page.get_by_role("button", name="Send back for rework").click()
    expect(page.get_by_text("Dmitry Volkov has this item now, at “Writing”.")).to_be_visible()
    log_out(page)

    log_in(page, "marketer@demo.local")
    page.goto("/notifications")
    taken = page.locator("li", has_text="took “" + TITLE + "” from you")
    expect(taken).to_be_visible()
    expect(taken).to_contain_text("I approve this one myself")
    expect(page.locator("li.is-unread", has_text="asks you to approve")).to_have_count(0)
    log_out(page)

    log_in(page, "copywriter@demo.local")
    page.goto(item_url)
    page.get_by_role("button", name="Complete and hand off").click()
    expect(page.get_by_text("is now with Elena Morozova at “Text approval”")).to_be_visible()
    log_out(page)

    log_in(page, "head@demo.local")
    page.goto("/notifications")
    expect(
        page.locator("li.is-unread", has_text="reworked “" + TITLE + "”, which you sent back")
    ).to_be_visible()
    page.goto(item_url)
    expect(page.get_by_role("heading", name="Your step: Text approval")).to_be_visible()
    step = page.locator(".path-step.is-current")
    expect(step).to_contain_text("Elena Morozova")
    assert console_errors == []
