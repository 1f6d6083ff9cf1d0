"""The keyboard stays where the work is: after an action on a board card, focus is on the
card in its new column (or, after a refusal, on the message that says why), never back at
the top of the page; the live region stays in place, so a screen reader announces it."""

from playwright.sync_api import expect
from support import board_url, launch_article, log_in

from mkflow.core.database import db


def focus_lands_in(page, selector: str) -> None:
    """Wait until the focus is inside ``selector`` (htmx moves it once the answer settles)."""
    page.wait_for_function(
        "selector => document.activeElement.closest(selector) !== null", arg=selector
    )


def test_focus_follows_the_card_and_lands_on_a_refusal(page, processes, console_errors):
    refused = launch_article("Without a brief")
    moved = launch_article("With a brief")
    moved.values = moved.values | {"brief": "Audience: logistics managers."}
    db.session.commit()
    log_in(page, "marketer@demo.local")
    page.goto(board_url())
    page.evaluate("document.getElementById('live-message').dataset.kept = '1'")

    button = page.locator(f"#card-{refused.id}").get_by_role("button", name="Complete and hand off")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#live-message")).to_contain_text("Fill in first: Content brief")
    expect(page.locator("#live-message[data-kept='1']")).to_have_count(1)  # the same region
    focus_lands_in(page, "#live-message")

    button = page.locator(f"#card-{moved.id}").get_by_role("button", name="Complete and hand off")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#col-copy").locator(f"#card-{moved.id}")).to_be_visible()
    focus_lands_in(page, f"#col-copy #card-{moved.id}")
    expect(page.locator(f"#card-{moved.id} a.card-title")).to_be_focused()
    assert console_errors == []
