"""A newcomer logs in, finds the navigation, switches to Russian and logs out."""

import re

from playwright.sync_api import expect
from support import log_in


def test_login_navigation_language_logout(page, demo, console_errors):
    page.goto("/me")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fme$"))
    log_in(page, "head@demo.local")

    expect(page).to_have_url(re.compile(r"/me$"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My work")).to_be_visible()
    expect(nav.get_by_role("link", name="Company")).to_be_visible()
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)
    expect(page.get_by_text("Elena Morozova")).to_be_visible()

    page.get_by_role("button", name="Русский").click()
    nav = page.get_by_role("navigation", name="Главное меню")
    expect(nav.get_by_role("link", name="Моя работа")).to_be_visible()
    expect(nav.get_by_role("link", name="Компания")).to_be_visible()
    expect(page.get_by_role("heading", name="Моя работа")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/me$"))

    nav.get_by_role("link", name="Компания").click()
    expect(page.get_by_role("heading", name="Marketing")).to_be_visible()  # data, not UI text

    page.get_by_role("button", name="Выйти").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Вход в mkflow")).to_be_visible()
    page.goto("/me")
    expect(page).to_have_url(re.compile(r"/login"))
    assert console_errors == []


def test_wrong_password_then_admin_pages(page, demo, console_errors):
    log_in(page, "admin@demo.local", "nope")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    log_in(page, "admin@demo.local")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Full name").fill("Kirill Belov")
    page.get_by_label("Email").fill("belov@demo.local")
    page.get_by_label("Department").select_option(label="Marketing")
    page.get_by_label("Initial password").fill("initial-pass")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The user is created")).to_be_visible()
    expect(page.get_by_role("link", name="Kirill Belov")).to_be_visible()
    assert console_errors == []


def test_phone_width_keeps_every_page_within_the_screen(page, demo):
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, "admin@demo.local")
    expect(page.get_by_role("link", name="My work")).to_be_visible()
    for url in ("/me", "/company", "/admin/users", "/admin/users/new", "/admin/groups/new"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
