"""Every page of the article story and the project pages, in both languages, on a desktop
and at 390 px (a phone): axe-core (WCAG 2.1 AA) finds nothing; on the phone no page scrolls
sideways, an item's field values are on screen, a board shows one column at a time, and
tables become lists that name each value."""

import pytest
from accessibility import violations
from playwright.sync_api import expect
from support import launch_article, log_in

from mkflow.core.database import db
from mkflow.models import ProcessInstance, Project, Task

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
LONG_URL = "https://docs.example/articles/a-rather-long-address-of-the-shared-document-v2"


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def story(demo_items, demo_projects):
    item = launch_article("A phone-sized article")
    item.values = item.values | {"text": LONG_URL}
    db.session.commit()
    return item


def story_pages(story) -> list[str]:
    project = db.session.scalar(db.select(Project).where(Project.is_template.is_(False)))
    task = db.session.scalar(db.select(Task).where(Task.project_id == project.id).limit(1))
    approval = db.session.scalar(
        db.select(ProcessInstance).where(ProcessInstance.title.like("Case study%"))
    )
    template_id = story.template_id
    return [
        "/me",
        f"/instances/{story.id}",
        f"/instances/{approval.id}",
        f"/processes/{template_id}/board",
        f"/processes/{template_id}/start",
        f"/processes/{template_id}/edit",
        "/projects",
        f"/projects/{project.id}",
        f"/projects/{project.id}/board",
        f"/projects/{project.id}/gantt",
        f"/projects/tasks/{task.id}",
        "/dashboard",
        "/notifications",
    ]


def in_language(page, locale: str) -> None:
    if locale == "ru":
        page.locator(".language-switch button[value=ru]").click()


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_axe_finds_nothing_and_a_phone_never_scrolls_sideways(page, story, console_errors, locale):
    log_in(page, "head@demo.local")
    in_language(page, locale)
    found, wide = {}, []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for url in story_pages(story):
            page.goto(url)
            if problems := violations(page):
                found[f"{url} at {size['width']}"] = problems
            if size == PHONE and page_width(page) > PHONE["width"]:
                wide.append(url)
    assert found == {}
    assert wide == []
    assert console_errors == []


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_a_phone_shows_values_one_column_and_labelled_lists(page, story, console_errors, locale):
    page.set_viewport_size(PHONE)
    log_in(page, "head@demo.local")
    in_language(page, locale)
    project = db.session.scalar(db.select(Project).where(Project.is_template.is_(False)))
    template_id = story.template_id

    # The item's values are on screen, the long link wrapped inside it.
    page.goto(f"/instances/{story.id}")
    link = page.get_by_role("link", name=LONG_URL)
    box = link.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    # A board: one column on screen at a time, the next one a swipe away.
    page.goto(f"/processes/{template_id}/board")
    first = page.locator(".board .column").first.bounding_box()
    assert first["width"] > PHONE["width"] * 0.7

    # The task table is a list: each value says what it is.
    page.goto(f"/projects/{project.id}")
    due = page.locator(".task-table tbody tr").first.locator("td.day").last
    expect(due).to_be_visible()
    label = due.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label.strip('"') in ("Due: ", "Срок: ")
    assert console_errors == []


def test_a_phone_item_page_shows_the_step_first(page, story, console_errors):
    page.set_viewport_size(PHONE)
    log_in(page, "marketer@demo.local")
    page.goto(f"/instances/{story.id}")
    step = page.get_by_role("heading", name="Your step: Content brief and deadline")
    expect(step).to_be_in_viewport()
    assert db.session.get(ProcessInstance, story.id).assignee.email == "marketer@demo.local"
    assert console_errors == []
