"""Projects and tasks in a real browser: a new project from a template in two clicks; a task
moved through every status (with a reopen) on the board by its assignee and its reviewer; a
dependency that moves the dependent task's dates, shown on its page."""

import re
from datetime import date

from playwright.sync_api import expect
from support import add_people, log_in, new_project, new_task, user

from mkflow.seeding.company_seeds import pick_locale, read_seed

MONDAY = date(2030, 3, 4)  # far ahead: nothing in these projects is overdue


def day(value: date) -> str:
    """A date as the English pages show it ("11 Mar 2030")."""
    return f"{value.day} {value:%b} {value.year}"


def watch_errors(page, errors: list) -> None:
    """What the `console_errors` fixture does, for a page of a second browser context."""

    def on_console(msg):
        if msg.type == "error" and "the server responded with a status of 4" not in msg.text:
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))


# 1. A new project from a template in two clicks


def conference_tree() -> list[tuple[str, int]]:
    """The "Conference participation" template's tasks as (title, depth), parents first,
    straight from seeds/projects.toml."""
    spec = next(t for t in read_seed("projects.toml")["templates"] if t["slug"] == "conference")
    children: dict[str | None, list[dict]] = {}
    for task in spec["tasks"]:
        children.setdefault(task.get("parent"), []).append(task)
    tree = []

    def walk(parent, depth):
        for task in children.get(parent, []):
            tree.append((pick_locale(task["title"], "en"), depth))
            walk(task["key"], depth + 1)

    walk(None, 0)
    return tree


def test_new_project_from_template_in_two_clicks(page, project_templates, console_errors):
    tree = conference_tree()
    assert 10 <= len(tree) <= 30 and any(depth for _, depth in tree)

    log_in(page, "head@demo.local")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    expect(page.get_by_text("No projects yet.")).to_be_visible()

    # Click one: the form; click two: create.
    page.get_by_role("link", name="New project from template").click()
    page.get_by_label("Template").select_option(label="Conference participation")
    page.get_by_label("Name").fill("TechExpo 2030")
    page.get_by_label("Start date").fill(MONDAY.isoformat())
    page.get_by_role("button", name="Create project").click()

    expect(page.get_by_role("heading", name="TechExpo 2030")).to_be_visible()
    expect(page.get_by_text("Project “TechExpo 2030” created from the template.")).to_be_visible()
    rows = page.locator(".task-table tbody tr")
    expect(rows).to_have_count(len(tree))
    # Every task of the template, in tree order, subtasks indented under their parents.
    titles = rows.locator("td:first-child > a")
    expect(titles).to_have_text([title for title, _ in tree])
    cells = rows.locator("td:first-child")
    for index, (_title, depth) in enumerate(tree):
        expect(cells.nth(index)).to_have_class(re.compile(rf"\bdepth-{min(depth, 6)}\b"))
    indent = cells.evaluate_all(
        "cells => cells.map(c => parseFloat(getComputedStyle(c).paddingLeft))"
    )
    for (title, depth), (_, parent_depth), px, parent_px in zip(
        tree[1:], tree, indent[1:], indent, strict=False
    ):
        if depth > parent_depth:  # a first subtask sits further right than its parent
            assert px > parent_px, title
    # The tasks were created on the new dates, every one still to be started.
    expect(rows.first.locator("td").nth(3)).to_have_text(day(MONDAY))
    expect(rows.locator(".status-assigned")).to_have_count(len(tree))
    # Assignees come from the template's roles.
    expect(rows.filter(has_text="Choosing the conference")).to_contain_text("Olga Lebedeva")

    # The project is in the list, with its progress.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    row = page.locator(".project-table tbody tr", has_text="TechExpo 2030")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"0 of {len(tree)}")
    expect(row).to_contain_text("Elena Morozova")
    row.get_by_role("link", name="TechExpo 2030").click()
    expect(page.locator(".task-table tbody tr")).to_have_count(len(tree))
    assert console_errors == []


def test_use_a_template_from_the_template_list(page, project_templates, console_errors):
    log_in(page, "marketer@demo.local")
    page.goto("/projects/templates")
    page.locator("section.card", has_text="Conference participation").get_by_role(
        "link", name="Use"
    ).click()
    # The template is chosen and its name offered; a start date is all that is left.
    expect(page.get_by_label("Template").locator("option:checked")).to_have_text(
        "Conference participation"
    )
    expect(page.get_by_label("Name")).to_have_value("Conference participation")
    page.get_by_label("Start date").fill(MONDAY.isoformat())
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Conference participation")).to_be_visible()
    expect(page.locator(".task-table tbody tr")).to_have_count(len(conference_tree()))
    expect(page.get_by_text("Manager: Olga Lebedeva")).to_be_visible()
    assert console_errors == []


# 2. Every status, including a reopen, as the right users, on the board

TASK = "Write the conference talk"


def card(page, task_id: int, status: str):
    return page.locator(f"#col-{status} #task-{task_id}")


def expect_only_in(page, task_id: int, status: str) -> None:
    expect(card(page, status=status, task_id=task_id)).to_be_visible()
    expect(page.locator(f"#board #task-{task_id}")).to_have_count(1)


def test_task_through_every_status_on_the_board(page, new_context, demo, console_errors):
    project = new_project("Spring conference", start_date=MONDAY)
    add_people(project, "copywriter@demo.local", "marketer@demo.local")
    task = new_task(
        project,
        TASK,
        assignee=user("copywriter@demo.local"),
        reviewer=user("marketer@demo.local"),
        start_date=MONDAY,
        due_date=date(2030, 3, 8),
    )
    board_url, task_id = f"/projects/{project.id}/board", task.id

    # The assignee starts the task and submits it, in place on the board.
    log_in(page, "copywriter@demo.local")
    page.goto(board_url)
    expect_only_in(page, task_id, "assigned")
    page.evaluate("window.stillTheSamePage = true")
    # A move answers with the card and the two column heads, not the board: the rest of the
    # board is the same element as before.
    page.evaluate("document.getElementById('col-done').dataset.untouched = '1'")
    card(page, task_id, "assigned").get_by_role("button", name="Start").click()
    expect_only_in(page, task_id, "in_progress")
    expect(page.locator("#col-in_progress .count")).to_have_text("1")
    expect(page.locator("#col-assigned .count")).to_have_text("0")
    expect(page.locator("#live-message")).to_contain_text("In progress")
    expect(page.locator("#col-done[data-untouched='1']")).to_have_count(1)
    card(page, task_id, "in_progress").get_by_role("button", name="Submit for review").click()
    expect_only_in(page, task_id, "on_review")
    # The assignee cannot accept their own work.
    expect(card(page, task_id, "on_review").get_by_role("button")).to_have_count(0)
    expect(page.locator("#col-on_review .count")).to_have_text("1")
    expect(page.locator("#col-assigned .count")).to_have_text("0")
    assert page.evaluate("window.stillTheSamePage") is True  # no page load: htmx swapped it
    assert page.url.endswith(board_url)

    # The reviewer, in a browser of their own: reopening needs a comment.
    reviewer = new_context().new_page()
    watch_errors(reviewer, console_errors)
    log_in(reviewer, "marketer@demo.local")
    reviewer.goto(board_url)
    reviewer.evaluate("window.stillTheSamePage = true")
    on_review = card(reviewer, task_id, "on_review")
    expect(on_review.get_by_role("button", name="Accept")).to_be_visible()
    on_review.locator("summary", has_text="Reopen").click()
    on_review.get_by_role("button", name="Reopen").click()
    expect(reviewer.locator("#board [role=alert]")).to_have_text(
        "Say what needs to be done again: reopening needs a comment."
    )
    expect_only_in(reviewer, task_id, "on_review")

    on_review = card(reviewer, task_id, "on_review")
    on_review.locator("summary", has_text="Reopen").click()
    on_review.get_by_label("What needs to be done again?").fill("Add the customer case")
    on_review.get_by_role("button", name="Reopen").click()
    expect_only_in(reviewer, task_id, "reopened")
    expect(reviewer.locator("#board [role=alert]")).to_have_count(0)
    # Starting again is the assignee's move, not the reviewer's.
    expect(card(reviewer, task_id, "reopened").get_by_role("button")).to_have_count(0)
    assert reviewer.evaluate("window.stillTheSamePage") is True

    # The assignee sees it reopened, starts again and submits again.
    page.reload()
    expect_only_in(page, task_id, "reopened")
    page.evaluate("window.stillTheSamePage = true")
    card(page, task_id, "reopened").get_by_role("button", name="Start").click()
    expect_only_in(page, task_id, "in_progress")
    card(page, task_id, "in_progress").get_by_role("button", name="Submit for review").click()
    expect_only_in(page, task_id, "on_review")
    assert page.evaluate("window.stillTheSamePage") is True

    # The reviewer accepts: done.
    reviewer.reload()
    reviewer.evaluate("window.stillTheSamePage = true")
    card(reviewer, task_id, "on_review").get_by_role("button", name="Accept").click()
    expect_only_in(reviewer, task_id, "done")
    expect(reviewer.locator("#col-done .count")).to_have_text("1")
    # Reopening a finished task is left to the project manager.
    expect(card(reviewer, task_id, "done").get_by_role("button")).to_have_count(0)
    assert reviewer.evaluate("window.stillTheSamePage") is True

    # The task page tells the whole story, the reopen with its comment.
    card(reviewer, task_id, "done").get_by_role("link", name=TASK).click()
    expect(reviewer.get_by_role("heading", name=TASK)).to_be_visible()
    expect(reviewer.locator("#task-status")).to_have_text("Done")
    history = reviewer.locator("#history li")
    expect(history).to_contain_text(
        [
            "Elena Morozova created the task",
            "Dmitry Volkov started: Assigned → In progress",
            "Dmitry Volkov submitted for review: In progress → On review",
            "Olga Lebedeva reopened: On review → Reopened",
            "Dmitry Volkov started: Reopened → In progress",
            "Dmitry Volkov submitted for review: In progress → On review",
            "Olga Lebedeva accepted: On review → Done",
        ]
    )
    expect(history.nth(3).locator("blockquote")).to_have_text("Add the customer case")
    assert console_errors == []


# 3. A dependency moves the dependent task, and moves it again when its predecessor moves

PRINT, HAND_OUT = "Print the booklets", "Hand out the booklets"


def test_task_moves_in_place_on_my_work(page, demo, console_errors):
    project = new_project("Autumn webinar", start_date=MONDAY)
    add_people(project, "copywriter@demo.local", "marketer@demo.local")
    task = new_task(
        project,
        "Draft the webinar invite",
        assignee=user("copywriter@demo.local"),
        reviewer=user("marketer@demo.local"),
        start_date=MONDAY,
        due_date=date(2030, 3, 8),
    )
    log_in(page, "copywriter@demo.local")
    page.goto("/me")
    waiting = int(page.locator("#work-count").inner_text().strip(": ") or 0)
    page.evaluate("window.stillTheSamePage = true")
    row = page.locator(f"#mytask-{task.id}")
    row.get_by_role("button", name="Start").click()
    expect(row.get_by_role("button", name="Submit for review")).to_be_visible()
    expect(row).to_contain_text("In progress")
    row.get_by_role("button", name="Submit for review").click()
    expect(row).to_have_count(0)  # on review: the reviewer's now
    expect(page.locator("#live-message")).to_contain_text("On review")
    expect(page.locator("#work-count")).to_have_text(re.compile(rf"\W*{waiting - 1}$|^$"))
    assert page.evaluate("window.stillTheSamePage") is True


def test_dependency_moves_the_dependent_task(page, demo, console_errors):
    project = new_project("Trade fair", start_date=MONDAY)
    new_task(project, PRINT, start_date=MONDAY, due_date=date(2030, 3, 8))  # Mon–Fri
    hand_out = new_task(
        project,
        HAND_OUT,
        start_date=date(2030, 3, 6),
        due_date=date(2030, 3, 7),  # Wed–Thu
    )
    hand_out_id = hand_out.id

    log_in(page, "head@demo.local")
    page.goto(f"/projects/tasks/{hand_out_id}")
    expect(page.get_by_role("heading", name=HAND_OUT)).to_be_visible()
    expect(page.locator("#task-start")).to_have_text(day(date(2030, 3, 6)))
    expect(page.locator("#task-due")).to_have_text(day(date(2030, 3, 7)))

    # Hand out the booklets once they are printed: finish to start, no lag.
    links = page.locator("#links")
    links.get_by_label("Depends on").select_option(label=PRINT)
    links.get_by_label("Kind").select_option(label="Finish to start")
    links.get_by_label("Lag, working days").fill("0")
    links.get_by_role("button", name="Add dependency").click()

    expect(page.get_by_text(f"1 task moved: «{HAND_OUT}».")).to_be_visible()
    # The working day after Friday's printing, still two working days long.
    expect(page.locator("#task-start")).to_have_text(day(date(2030, 3, 11)))
    expect(page.locator("#task-due")).to_have_text(day(date(2030, 3, 12)))
    expect(links).to_contain_text(f"{PRINT} — Finish to start")
    expect(page.locator("#history")).to_contain_text("moved the dates")

    # Printing takes longer: its new due date pushes the handing out along.
    links.get_by_role("link", name=PRINT).click()
    expect(page.get_by_role("heading", name=PRINT)).to_be_visible()
    expect(page.locator("#links")).to_contain_text(HAND_OUT)
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Due date").fill("2030-03-13")  # Wednesday of the next week
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_text(f"1 task moved: «{HAND_OUT}».")).to_be_visible()
    expect(page.locator("#task-due")).to_have_text(day(date(2030, 3, 13)))

    page.locator("#links").get_by_role("link", name=HAND_OUT).click()
    expect(page.get_by_role("heading", name=HAND_OUT)).to_be_visible()
    expect(page.locator("#task-start")).to_have_text(day(date(2030, 3, 14)))
    expect(page.locator("#task-due")).to_have_text(day(date(2030, 3, 15)))
    assert console_errors == []
