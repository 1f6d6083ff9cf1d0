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
