"""A task that waits for another: My work says "waiting" instead of offering a Start that
would be refused, and the badge leads to the task's next step, which says for what."""

from playwright.sync_api import expect
from support import log_in, new_project, waiting_pair


def test_a_waiting_task_on_my_work_leads_to_what_it_waits_for(page, demo, console_errors):
    project = new_project()
    brief, banner = waiting_pair(project)

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
