"""A card's "Complete and hand off" refused for a field the card does not show leads to
that field on the item's page."""

import re

from playwright.sync_api import expect
from support import launch_article, log_in, template


def test_a_refusal_for_a_missing_field_links_to_it(page, processes, console_errors):
    item = launch_article("Brief wanted")  # the marketer holds its brief stage
    log_in(page, "marketer@demo.local")
    page.goto(f"/processes/{template('article').id}/board")
    page.locator(f"#card-{item.id}").get_by_role("button", name="Complete and hand off").click()
    message = page.locator("#live-message")
    expect(message).to_contain_text("Fill in first: Content brief.")
    message.get_by_role("link", name="Fill it in on the item's page").click()
    expect(page).to_have_url(re.compile(rf"/instances/{item.id}#input-field-brief$"))
    expect(page.get_by_role("textbox", name="Content brief")).to_be_in_viewport()
    assert console_errors == []


def test_on_the_item_page_the_error_is_at_the_field_and_the_focus_there(
    page, processes, console_errors
):
    item = launch_article("Brief missing")
    log_in(page, "marketer@demo.local")
    page.goto(f"/instances/{item.id}")
    page.get_by_role("button", name="Complete and hand off").click()
    brief = page.get_by_role("textbox", name="Content brief")
    expect(brief).to_have_attribute("aria-invalid", "true")
    expect(brief).to_be_focused()
    described = brief.get_attribute("aria-describedby")
    expect(page.locator(f"#{described}")).to_have_text("Fill this in to hand the item on.")
    brief.fill("Audience: logistics managers.")
    page.get_by_role("button", name="Complete and hand off").click()
    expect(page.get_by_text("is now with Dmitry Volkov at “Writing”")).to_be_visible()
    assert console_errors == []
