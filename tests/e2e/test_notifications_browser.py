"""A notification opened is read: the marketer follows one from her list to the item, and
the bell and the list say so; "Mark all as read" settles the rest."""

import re

from playwright.sync_api import expect
from support import launch_article, log_in


def test_opening_a_notification_reads_it_and_mark_all_read_settles_the_rest(
    page, processes, console_errors
):
    launch_article("Older brief"), launch_article("Newest brief")
    log_in(page, "marketer@demo.local")
    bell = page.locator("#bell .count")
    expect(bell).to_have_text("2")
    page.goto("/notifications")
    unread = page.locator("li.is-unread")
    expect(unread).to_have_count(2)
    first = unread.first  # the latest first
    expect(first).to_contain_text("Newest brief")
    first.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", name="Newest brief")).to_be_visible()
    expect(bell).to_have_text("1")

    page.go_back()
    page.reload()
    expect(page.locator("li.is-unread")).to_have_count(1)
    expect(page.locator("li.is-unread")).to_contain_text("Older brief")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("li.is-unread")).to_have_count(0)
    expect(page.locator("#bell .count")).to_have_count(0)
    assert re.search(r"/notifications$", page.url)
    assert console_errors == []
