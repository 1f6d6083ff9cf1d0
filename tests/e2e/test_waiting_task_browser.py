"""A task that waits for another: My work says "waiting" instead of offering a Start that
would be refused, and the badge leads to the task's next step, which says for what."""

from playwright.sync_api import expect
from support import add_people, log_in, new_project, new_task, user

from mkflow.core.database import db
from mkflow.models import Task
from mkflow.projects import tasks as task_rules


def test_a_waiting_task_on_my_work_leads_to_what_it_waits_for(page, demo, console_errors):
    project = new_project()
    add_people(project, "designer@demo.local")
    designer = user("designer@demo.local")
    brief = new_task(project, "Brief", assignee=designer)
    banner = new_task(project, "Banner", assignee=designer)
    task_rules.add_link(db.session.get(Task, banner.id), project.manager, brief.id, "fs")
    db.session.commit()

    log_in(page, "designer@demo.local")
    page.goto("/me")
    row = page.locator(f"#mytask-{banner.id}")
    expect(row.get_by_role("button", name="Start")).to_have_count(0)
    expect(page.locator(f"#mytask-{brief.id}").get_by_role("button", name="Start")).to_be_visible()
    row.get_by_role("link", name="waiting").click()
    expect(page.get_by_role("heading", name="Banner")).to_be_visible()
    expect(page.get_by_text("Waiting for: Brief.")).to_be_visible()
    expect(page.get_by_role("button", name="Start")).to_have_count(0)
    assert console_errors == []
