"""An administrator marks a company holiday in Admin → Working calendar, and removes it."""

from playwright.sync_api import expect
from support import log_in


def test_an_administrator_adds_a_holiday(page, demo, console_errors):
    log_in(page, "admin@demo.local")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Working calendar").click()
    expect(page.get_by_role("heading", name="Working calendar 2026")).to_be_visible()
    days = page.locator("#calendar-days")
    expect(days).to_contain_text("Day off moved from 3 January")  # the demo's Russian calendar

    page.get_by_label("Date").fill("2026-12-14")
    page.get_by_label("Kind").select_option("off")
    page.get_by_label("Name").fill("Company anniversary")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("2026-12-14 is in the working calendar.")).to_be_visible()
    row = days.get_by_role("row").filter(has_text="Company anniversary")
    expect(row).to_contain_text("14 Dec 2026, Monday")

    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("2026-12-14 follows the weekly weekend again.")).to_be_visible()
    expect(days).not_to_contain_text("Company anniversary")

    page.get_by_role("link", name="2027").click()
    expect(page.get_by_role("heading", name="Working calendar 2027")).to_be_visible()
    expect(days).to_contain_text("Day off moved from 12 June")
    assert console_errors == []
