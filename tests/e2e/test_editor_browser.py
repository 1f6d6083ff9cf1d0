"""The process editor as a head meets it: each stage says who does it while folded, and its
form shows only what the chosen responsible needs, switching as the choice changes (CSS,
no script)."""

from playwright.sync_api import expect
from support import log_in, template


def test_a_stage_shows_only_what_its_responsible_needs(page, processes, console_errors):
    log_in(page, "head@demo.local")
    page.goto(f"/processes/{template('article').id}/edit")
    stage = page.locator(".stages-list > li", has_text="Writing").first
    expect(stage.locator("summary")).to_contain_text("· Copywriter")
    stage.locator("summary").click()
    role = stage.get_by_label("Role name")
    person = stage.get_by_label("Person", exact=True)
    expect(role).to_be_visible()
    expect(person).to_be_hidden()
    stage.get_by_label("Responsible").select_option("user")
    expect(person).to_be_visible()
    expect(role).to_be_hidden()
    expect(stage.get_by_label("Group", exact=True)).to_be_hidden()
    assert console_errors == []
