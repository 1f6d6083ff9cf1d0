"""My work answers "what now": overdue, today and this week open, later folded; a task
started from it changes in place."""

from datetime import date

from playwright.sync_api import expect
from support import add_people, log_in, new_project, new_task, user

from mkflow.core.database import db
from mkflow.models import TaskStatus
from mkflow.projects import tasks as task_rules


def test_my_work_groups_by_when_and_folds_later(page, demo, console_errors):
    project = new_project()
    add_people(project, "designer@demo.local")
    designer = user("designer@demo.local")
    soon = new_task(project, "Banner for today", assignee=designer, due_date=date(2026, 12, 8))
    new_task(project, "Booth in January", assignee=designer, due_date=date(2027, 1, 15))

    log_in(page, "designer@demo.local")
    page.goto("/me")
    today = page.locator("#work-today")
    expect(today.get_by_role("heading", name="Due today")).to_be_visible()
    later_task = page.get_by_role("link", name="Booth in January")
    expect(later_task).to_be_hidden()  # folded
    page.locator("#work-later summary").click()
    expect(later_task).to_be_visible()

    today.locator(f"#mytask-{soon.id}").get_by_role("button", name="Start").click()
    expect(today.locator(f"#mytask-{soon.id}")).to_contain_text("In progress")
    expect(page.locator("#live-message")).to_contain_text("In progress")
    assert console_errors == []


def test_accepting_from_my_work_asks_and_the_answer_keeps_the_page(page, demo, console_errors):
    project = new_project()
    task = new_task(project, "Press kit", reviewer=user("head@demo.local"))
    task_rules.add_check(task, project.manager, "Photos")
    task.status = TaskStatus.ON_REVIEW
    db.session.commit()

    log_in(page, "head@demo.local")
    page.goto("/me")
    page.locator(f"#mytask-{task.id}").get_by_role("button", name="Accept").click()
    message = page.locator("#live-message")
    expect(message).to_contain_text("1 of 1 checklist items are not done")
    message.get_by_role("button", name="Yes, accept “Press kit”").click()
    expect(page.locator(f"#mytask-{task.id}")).to_have_count(0)
    expect(page.get_by_role("heading", name="My work")).to_be_visible()  # the page is whole
    assert page.url.endswith("/me")
    assert console_errors == []
