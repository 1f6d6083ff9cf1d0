"""The reference process in a real browser: launch an article, hand it from person to person,
reject once with a comment, rework, approve, publish — on the board, My work and the item page."""

import re

from playwright.sync_api import expect
from support import log_in

TITLE = "How we cut delivery times by 30%"
DOC = "https://docs.example/delivery-article"


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def open_item_from_my_work(page):
    page.get_by_role("link", name="My work").first.click()
    page.locator("#work-list").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()


def board(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Processes").click()
    page.get_by_role("link", name="Article publication", exact=True).click()
    expect(page.get_by_role("heading", name="Article publication")).to_be_visible()


def head_id(page) -> str:
    return page.locator("#role-2 option", has_text="Elena Morozova").get_attribute("value")


def card_in(page, stage_key):
    return page.locator(f"#col-{stage_key}").locator(".card-item", has_text=TITLE)


def test_article_from_task_to_publication(page, processes, console_errors):
    # The head of marketing sets the task.
    log_in(page, "head@demo.local")
    board(page)
    page.get_by_role("link", name="Start").first.click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Topic and goal").fill("A case study for logistics managers")
    page.get_by_label("Marketer").select_option(label="Olga Lebedeva — Marketer")
    page.get_by_label("Copywriter").select_option(label="Dmitry Volkov — Copywriter")
    # She approves the text herself unless she chooses someone else.
    expect(page.get_by_label("Text approver")).to_have_value(head_id(page))
    page.get_by_label("Publication date").fill("2030-01-15")
    page.get_by_role("button", name="Start").click()
    expect(
        page.get_by_text("it is with Olga Lebedeva at “Content brief and deadline”")
    ).to_be_visible()
    expect(card_in(page, "brief")).to_be_visible()
    log_out(page)

    # The marketer writes the brief on the item page and hands it to the copywriter.
    log_in(page, "marketer@demo.local")
    expect(page.get_by_role("link", name=re.compile(r"My work\W*1"))).to_be_visible()
    open_item_from_my_work(page)
    page.get_by_role("button", name="Complete and hand off").click()
    expect(page.get_by_text("Fill in first: Content brief")).to_be_visible()
    page.get_by_role("textbox", name="Content brief").fill(
        "Audience: logistics managers. 6,000 characters."
    )
    page.get_by_role("button", name="Complete and hand off").click()
    expect(page.get_by_text("is now with Dmitry Volkov at “Writing”")).to_be_visible()
    log_out(page)

    # The copywriter writes the text.
    log_in(page, "copywriter@demo.local")
    open_item_from_my_work(page)
    page.get_by_label("Article text (link to the document)").fill(DOC)
    page.get_by_role("button", name="Complete and hand off").click()
    expect(page.get_by_text("is now with Elena Morozova at “Text approval”")).to_be_visible()
    log_out(page)

    # The head rejects the text from the board, in place, with a comment.
    log_in(page, "head@demo.local")
    board(page)
    card = card_in(page, "copy_review")
    card.get_by_text("Reject").click()
    card.get_by_label("What needs fixing?").fill("Add the numbers from the pilot")
    page.evaluate("document.getElementById('col-design').dataset.untouched = '1'")
    card.get_by_role("button", name="Send back for rework").click()
    expect(card_in(page, "copy")).to_be_visible()
    expect(card_in(page, "copy_review")).to_have_count(0)
    # Only the card and the two column heads changed: counts follow, the rest stays.
    expect(page.locator("#colhead-copy .count")).to_have_text("1")
    expect(page.locator("#colhead-copy_review .count")).to_have_text("0")
    expect(page.locator("#col-design[data-untouched='1']")).to_have_count(1)
    expect(page.locator("#live-message")).to_contain_text("Returned for rework")
    expect(card_in(page, "copy").locator(".badge-rework")).to_contain_text("1")
    log_out(page)

    # The copywriter sees why, reworks and hands it on from My work, in place.
    log_in(page, "copywriter@demo.local")
    expect(page.get_by_text("returned “" + TITLE + "” to you for rework")).to_be_visible()
    expect(page.get_by_text("Add the numbers from the pilot")).to_be_visible()
    row = page.locator("#work-list li", has_text=TITLE)
    row.get_by_role("button", name="Complete and hand off").click()
    expect(row).to_have_count(0)
    expect(page.locator("#live-message")).to_contain_text("Text approval")
    log_out(page)

    # The head hears it is back, approves on the board; the designer gets it.
    log_in(page, "head@demo.local")
    expect(
        page.get_by_text("Dmitry Volkov reworked “" + TITLE + "”, which you sent back.")
    ).to_be_visible()
    board(page)
    card_in(page, "copy_review").get_by_role("button", name="Approve").click()
    expect(card_in(page, "design")).to_be_visible()
    expect(page.locator("#live-message")).to_contain_text("Anna Novikova")
    log_out(page)

    log_in(page, "designer@demo.local")
    open_item_from_my_work(page)
    page.get_by_label("Laid-out piece with images (link)").fill(DOC + "/layout")
    page.get_by_role("button", name="Complete and hand off").click()
    expect(page.get_by_text("is now with Olga Lebedeva at “Layout approval”")).to_be_visible()
    log_out(page)

    # The marketer approves the layout; it waits for its date, then is published now.
    log_in(page, "marketer@demo.local")
    board(page)
    card_in(page, "design_review").get_by_role("button", name="Approve").click()
    expect(card_in(page, "ready")).to_be_visible()
    card_in(page, "ready").get_by_role("button", name="Publish now").click()
    expect(page.locator("#col-published")).to_contain_text(TITLE)
    expect(page.locator("#live-message")).to_contain_text("is finished")

    # The history shows every step, the rejection with its comment.
    page.locator("#col-published").get_by_role("link", name=TITLE).click()
    history = page.locator("#history")
    expect(history).to_contain_text("started the item")
    expect(history).to_contain_text("returned it for rework")
    expect(history).to_contain_text("Add the numbers from the pilot")
    expect(history.locator("li")).to_have_count(12)
    expect(page.locator(".path-step.is-done")).to_have_count(7)
    assert console_errors == []
