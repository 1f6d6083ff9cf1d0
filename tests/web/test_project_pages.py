"""Project pages as a user meets them: who sees a project and its tasks, the project list,
creating and editing projects and their workgroups, archive, templates and copies, tasks and
their status moves, dependencies, checklists, comments, watchers, files and My work.

Projects start on Monday 2 March 2026 unless a test says otherwise; the demo company gives
the people (see the module docstring of tests/support.py and README.md)."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support import add_people, at_every_moment, new_project, new_task, oob_pieces, user

from mkflow.activity import discussion
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import (
    Attachment,
    ChecklistItem,
    Comment,
    Department,
    Event,
    MemberRole,
    Notification,
    Project,
    ProjectMember,
    Task,
    TaskLink,
    TaskStatus,
    Watcher,
)
from mkflow.projects import attachments, planning
from mkflow.projects import tasks as task_rules
from mkflow.projects.lifecycle import add_member, remove_member

# Working days counted on a plain Monday-to-Friday week (see the fixture).
pytestmark = pytest.mark.usefixtures("plain_week")


HTMX = {"HX-Request": "true"}
MON = date(2026, 3, 2)


# --- helpers ------------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def as_user(auth, email: str) -> None:
    auth.logout()
    response = auth.login(email)
    assert response.status_code == 302, f"could not log in as {email}"


def fresh(model, row_id: int):
    """The row as stored now (not as this test's session last saw it)."""
    db.session.expire_all()
    return db.session.get(model, row_id)


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def d(day: int, month: int = 3) -> date:
    return date(2026, month, day)


def department(slug: str) -> Department:
    return db.session.scalar(select(Department).where(Department.slug == slug))


def add_department(project, slug: str) -> None:
    """A whole department watches the project (as observers)."""

    add_member(project, project.manager, department=department(slug))
    db.session.commit()


def task_form(task: Task | None = None, **changes) -> dict:
    """A task form as the page would post it: the task's current values, then ``changes``."""

    def iso(day):
        return day.isoformat() if day else ""

    form = {
        "title": task.title if task else "",
        "description": task.description if task else "",
        "assignee_id": (task.assignee_id or "") if task else "",
        "reviewer_id": (task.reviewer_id or "") if task else "",
        "start_date": iso(task.start_date) if task else "",
        "due_date": iso(task.due_date) if task else "",
        "days": "",
        "parent_id": (task.parent_id or "") if task else "",
    }
    if task is not None:
        form["version"] = task.lock_version
        if task.milestone:
            form["milestone"] = "y"
    form |= changes
    return {k: v for k, v in form.items() if v is not None}


def move(client, task_id: int, name: str, *, origin: str = "task", htmx: bool = False, **data):
    form = {"move": name, "from": origin} | data
    return client.post(f"/projects/tasks/{task_id}/move", data=form, headers=HTMX if htmx else None)


def set_status(task_id: int, status: TaskStatus) -> None:
    task = fresh(Task, task_id)
    task.status = status
    db.session.commit()


def link(predecessor: Task, successor: Task, kind: str = "fs", lag: int = 0) -> TaskLink:
    created, _moved = task_rules.add_link(
        fresh(Task, successor.id),
        fresh(Project, successor.project_id).manager,
        predecessor.id,
        kind,
        lag,
    )
    db.session.commit()
    return created


def event_kinds(task_id: int) -> list[str]:
    db.session.expire_all()
    query = select(Event.kind).where(Event.task_id == task_id).order_by(Event.id)
    return list(db.session.scalars(query))


def row_ids(html: str) -> list[int]:
    """Task rows of the list page, in the order shown."""
    return [int(i) for i in re.findall(r'<tr id="task-(\d+)"', html)]


def column(html: str, status: str) -> str:
    match = re.search(rf'<section class="column" id="col-{status}".*?</section>', html, re.S)
    assert match, f"no column {status}"
    return match.group(0)


def project_row(html: str, project_id: int) -> str:
    match = re.search(rf'<tr id="project-{project_id}">.*?</tr>', html, re.S)
    assert match, f"no row for project {project_id}"
    return match.group(0)


def work_count(html: str) -> int:
    """The number next to "My work" in the navigation (0 when it shows none)."""
    match = re.search(
        r'<span id="work-count"[^>]*>(?:<span class="visually-hidden">: </span>(\d+))?</span>', html
    )
    assert match, "no work counter"
    return int(match.group(1) or 0)


def download(client, task_id: int, file_id: int):
    """GET a task's file, read and closed (the body stays readable on the response)."""
    response = client.get(f"/projects/tasks/{task_id}/files/{file_id}")
    response.get_data()
    response.close()
    return response


def upload(client, task_id: int, name: str, content: bytes):
    return client.post(
        f"/projects/tasks/{task_id}/files",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def team(demo):
    """ "Spring campaign" managed by head@ (Marketing) with marketer, copywriter and designer
    as members; a task held by the marketer, reviewed by the copywriter."""
    project = new_project()
    add_people(project, "marketer@demo.local", "copywriter@demo.local", "designer@demo.local")
    task = new_task(
        project,
        "Write the brief",
        assignee=user("marketer@demo.local"),
        reviewer=user("copywriter@demo.local"),
        start_date=d(2),
        due_date=d(4),
    )
    return project, task


@pytest.fixture
def files_dir(app, tmp_path, monkeypatch) -> Path:
    """Attachments go under a temporary instance folder, not the working tree's."""
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setattr(app, "instance_path", str(instance))
    return instance / "attachments"


# --- who sees a project ---------------------------------------------------------------------


def test_a_stranger_gets_404_for_the_project_and_everything_in_it(client, auth, team, files_dir):
    project, task = team
    other = new_task(project, "Book the venue", start_date=d(5), due_date=d(6))
    the_link = link(task, other)
    item = task_rules.add_check(fresh(Task, task.id), user("head@demo.local"), "Call the client")
    file = attachments.save(
        fresh(Task, task.id), user("head@demo.local"), "brief.txt", io.BytesIO(b"secret")
    )
    db.session.commit()
    member = next(m for m in fresh(Project, project.id).members if m.user_id)
    before = {
        model: count(model)
        for model in (Task, TaskLink, ChecklistItem, Attachment, Comment, Watcher, ProjectMember)
    }
    as_user(auth, "sales@demo.local")
    assert f"/projects/{project.id}" not in text(client.get("/projects"))
    p, t = project.id, task.id
    for url in (
        f"/projects/{p}",
        f"/projects/{p}/board",
        f"/projects/{p}/settings",
        f"/projects/{p}/tasks/new",
        f"/projects/tasks/{t}",
        f"/projects/tasks/{t}/edit",
        f"/projects/tasks/{t}/files/{file.id}",
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/projects/{p}/settings", {"name": "Mine now", "start_date": "2026-03-02"}),
        (f"/projects/{p}/members", {"user_id": user("sales@demo.local").id}),
        (f"/projects/{p}/members/{member.id}/delete", {}),
        (f"/projects/{p}/archive", {}),
        (f"/projects/{p}/restore", {}),
        (f"/projects/{p}/save_template", {"name": "Copy", "start_date": "2026-03-02"}),
        (f"/projects/{p}/duplicate", {"name": "Copy", "start_date": "2026-03-02"}),
        (f"/projects/{p}/tasks/new", {"title": "Sneaky"}),
        (f"/projects/tasks/{t}/edit", task_form(task, title="Sneaky")),
        (f"/projects/tasks/{t}/move", {"move": "start"}),
        (f"/projects/tasks/{t}/delete", {}),
        (f"/projects/tasks/{t}/checklist", {"text": "Sneaky"}),
        (f"/projects/tasks/{t}/checklist/{item.id}/toggle", {}),
        (f"/projects/tasks/{t}/checklist/{item.id}/delete", {}),
        (f"/projects/tasks/{other.id}/links", {"predecessor_id": t, "kind": "ss"}),
        (f"/projects/tasks/{other.id}/links/{the_link.id}/delete", {}),
        (f"/projects/tasks/{t}/files/{file.id}/delete", {}),
        (f"/projects/tasks/{t}/comments", {"body": "Hello"}),
        (f"/projects/tasks/{t}/watchers", {"user_id": user("sales@demo.local").id}),
    ):
        assert client.post(url, data=data).status_code == 404, url
    assert upload(client, t, "x.txt", b"x").status_code == 404
    assert move(client, t, "start", origin="board", htmx=True).status_code == 404
    after = {model: count(model) for model in before}
    assert after == before
    stored = fresh(Project, p)
    assert stored.name == "Spring campaign" and stored.archived_at is None
    assert fresh(Task, t).status == TaskStatus.ASSIGNED
    assert fresh(Task, t).title == "Write the brief"
    assert fresh(ChecklistItem, item.id).done is False
    assert (files_dir / file.stored_name).exists()


def test_a_department_observer_sees_the_project_but_cannot_change_tasks(
    client, auth, team, files_dir
):
    project, task = team
    add_department(project, "sales")
    item = task_rules.add_check(fresh(Task, task.id), user("head@demo.local"), "Call the client")
    file = attachments.save(
        fresh(Task, task.id), user("head@demo.local"), "brief.txt", io.BytesIO(b"plan")
    )
    db.session.commit()
    as_user(auth, "sales@demo.local")
    assert "Spring campaign" in text(client.get("/projects"))
    page = text(client.get(f"/projects/{project.id}"))
    assert "Write the brief" in page
    assert "New task" not in page and 'value="start"' not in page
    assert "Write the brief" in text(client.get(f"/projects/{project.id}/board"))
    task_page = client.get(f"/projects/tasks/{task.id}")
    assert task_page.status_code == 200
    assert f'/projects/tasks/{task.id}/edit"' not in text(task_page)
    assert download(client, task.id, file.id).data == b"plan"
    for url in (
        f"/projects/{project.id}/settings",
        f"/projects/{project.id}/tasks/new",
        f"/projects/tasks/{task.id}/edit",
    ):
        assert client.get(url).status_code == 403, url
    tasks_before = count(Task)
    refused = [
        client.post(f"/projects/{project.id}/tasks/new", data=task_form(title="Observer's")),
        client.post(f"/projects/tasks/{task.id}/edit", data=task_form(task, title="Changed")),
        move(client, task.id, "start"),
        client.post(f"/projects/tasks/{task.id}/checklist", data={"text": "Observer's"}),
        client.post(f"/projects/tasks/{task.id}/checklist/{item.id}/toggle"),
        client.post(f"/projects/tasks/{task.id}/delete"),
        client.post(f"/projects/{project.id}/archive"),
        client.post(
            f"/projects/{project.id}/members", data={"user_id": user("sales@demo.local").id}
        ),
        upload(client, task.id, "mine.txt", b"mine"),
    ]
    for response in refused:
        assert 400 <= response.status_code < 500, response.request.path
    assert refused[2].status_code == 403
    assert "You cannot do this with the task now." in text(refused[2])
    assert "Only the project&#39;s workgroup can attach files." in text(refused[-1])
    assert count(Task) == tasks_before
    stored = fresh(Task, task.id)
    assert (stored.title, stored.status) == ("Write the brief", TaskStatus.ASSIGNED)
    assert count(ChecklistItem) == 1 and fresh(ChecklistItem, item.id).done is False
    assert count(Attachment) == 1
    assert fresh(Project, project.id).archived_at is None
    assert count(ProjectMember, ProjectMember.user_id == user("sales@demo.local").id) == 0


def test_the_company_head_sees_every_project_but_does_not_manage_them(client, auth, team):
    project, task = team
    as_user(auth, "ceo@demo.local")
    assert "Spring campaign" in text(client.get("/projects"))
    for url in (
        f"/projects/{project.id}",
        f"/projects/{project.id}/board",
        f"/projects/tasks/{task.id}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Write the brief" in text(response)
    assert client.get(f"/projects/{project.id}/settings").status_code == 403
    as_user(auth, "admin@demo.local")
    assert client.get(f"/projects/{project.id}/settings").status_code == 200


def test_anonymous_visitor_is_sent_to_login(client, team):
    project, task = team
    for url in ("/projects", f"/projects/{project.id}", f"/projects/tasks/{task.id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


def test_a_post_without_the_csrf_token_is_refused(client, auth, team):
    project, task = team
    as_user(auth, "marketer@demo.local")
    response = client.post(f"/projects/tasks/{task.id}/move", data={"move": "start"}, csrf=False)
    assert response.status_code == 400
    assert fresh(Task, task.id).status == TaskStatus.ASSIGNED


# --- the project list -----------------------------------------------------------------------


@at_every_moment
def test_project_list_groups_visible_projects_by_department_with_their_numbers(client, auth, demo):
    today = clock.company_today()
    campaign = new_project("Autumn campaign", start_date=today - timedelta(days=20))
    add_people(campaign, "marketer@demo.local")
    done = new_task(
        campaign, "Plan", start_date=today - timedelta(days=20), due_date=today - timedelta(days=15)
    )
    set_status(done.id, TaskStatus.DONE)
    new_task(
        campaign,
        "Late copy",
        start_date=today - timedelta(days=10),
        due_date=today - timedelta(days=3),
    )
    new_task(campaign, "Launch day", due_date=today + timedelta(days=10), milestone=True)
    new_task(campaign, "Final report", due_date=today + timedelta(days=30), milestone=True)
    fair = new_project("Sales fair", manager="sales.head@demo.local", start_date=today)
    hidden = new_project("Quiet project", manager="pr@demo.local", start_date=today)
    hidden.department = None
    db.session.commit()

    as_user(auth, "ceo@demo.local")
    page = text(client.get("/projects"))
    headings = re.findall(r"<h2>([^<]+)</h2>", page)
    assert "No department" in headings  # where NULL sorts differs between databases
    assert [h for h in headings if h != "No department"] == ["Marketing", "Sales"]
    marketing = page[page.index("<h2>Marketing</h2>") : page.index("<h2>Sales</h2>")]
    assert f'id="project-{campaign.id}"' in marketing and f'id="project-{fair.id}"' not in marketing
    assert f'id="project-{fair.id}"' in page[page.index("<h2>Sales</h2>") :]
    row = project_row(page, campaign.id)
    assert "1 of 4" in row
    assert '<span class="badge badge-overdue">1</span>' in row
    assert "◆ Launch day" in row and "Final report" not in row

    as_user(auth, "marketer@demo.local")
    page = text(client.get("/projects"))
    assert f'id="project-{campaign.id}"' in page
    assert f'id="project-{fair.id}"' not in page and "Sales fair" not in page
    assert "Quiet project" not in page and "<h2>Sales</h2>" not in page


def test_project_list_shows_a_department_observer_only_the_projects_it_watches(
    client, auth, demo_projects
):
    as_user(auth, "sales@demo.local")
    page = text(client.get("/projects"))
    assert "Sklad Online service launch" in page  # the sales department observes it
    for name in (
        "New corporate website",
        "WarehouseTech Expo 2027",
        "15th anniversary PR campaign",
    ):
        assert name not in page
    as_user(auth, "head@demo.local")
    page = text(client.get("/projects"))
    for name in ("Sklad Online service launch", "New corporate website", "WarehouseTech Expo 2027"):
        assert name in page


# --- creating and editing projects ----------------------------------------------------------


def test_create_project(client, auth, demo):
    as_user(auth, "head@demo.local")
    form_page = client.get("/projects/new")
    assert form_page.status_code == 200 and 'name="name"' in text(form_page)
    response = client.post(
        "/projects/new",
        data={
            "name": "Trade show",
            "description": "Booth at the spring fair",
            "department_id": department("marketing").id,
            "manager_id": user("marketer@demo.local").id,
            "start_date": "2026-03-02",
            "auto_schedule": "y",
        },
    )
    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.name == "Trade show"))
    assert response.location.endswith(f"/projects/{project.id}")
    assert project.manager.email == "marketer@demo.local"
    assert project.start_date == MON and project.auto_schedule and not project.is_template
    assert "Project “Trade show” created." in text(client.get(response.location))


@pytest.mark.parametrize("name", ["", "   "])
def test_create_project_without_a_name_is_refused(client, auth, demo, name):
    as_user(auth, "head@demo.local")
    response = client.post(
        "/projects/new",
        data={"name": name, "start_date": "2026-03-02", "manager_id": "", "department_id": ""},
    )
    assert response.status_code == 422
    assert "This field is required." in text(response)
    assert count(Project) == 0


def test_create_project_without_a_start_date_is_refused(client, auth, demo):
    as_user(auth, "head@demo.local")
    response = client.post("/projects/new", data={"name": "Trade show", "start_date": ""})
    assert response.status_code == 422
    assert count(Project) == 0


def test_the_manager_edits_the_settings(client, auth, team):
    project, _task = team
    as_user(auth, "head@demo.local")
    page = text(client.get(f"/projects/{project.id}/settings"))
    assert 'value="Spring campaign"' in page and "Olga Lebedeva" in page
    response = client.post(
        f"/projects/{project.id}/settings",
        data={
            "name": "Spring campaign 2026",
            "description": "",
            "department_id": department("marketing").id,
            "manager_id": user("head@demo.local").id,
            "start_date": "2026-03-09",
        },
    )
    assert response.status_code == 302
    assert "Saved." in text(client.get(response.location))
    stored = fresh(Project, project.id)
    assert (stored.name, stored.start_date, stored.auto_schedule) == (
        "Spring campaign 2026",
        d(9),
        False,
    )
    bad = client.post(
        f"/projects/{project.id}/settings",
        data={"name": "", "department_id": "", "manager_id": "", "start_date": "2026-03-09"},
    )
    assert bad.status_code == 422 and "This field is required." in text(bad)
    assert fresh(Project, project.id).name == "Spring campaign 2026"


def test_a_plain_member_cannot_open_or_change_the_settings(client, auth, team):
    project, _task = team
    as_user(auth, "marketer@demo.local")
    assert "Settings and members" not in text(client.get(f"/projects/{project.id}"))
    assert client.get(f"/projects/{project.id}/settings").status_code == 403
    response = client.post(
        f"/projects/{project.id}/settings", data={"name": "Mine", "start_date": "2026-03-02"}
    )
    assert response.status_code == 403
    assert fresh(Project, project.id).name == "Spring campaign"


# --- workgroup --------------------------------------------------------------------------------


def test_the_manager_adds_and_removes_members(client, auth, team):
    project, _task = team
    as_user(auth, "head@demo.local")
    pr = user("pr@demo.local")
    response = client.post(
        f"/projects/{project.id}/members",
        data={"user_id": pr.id, "department_id": "", "role": "member", "duty": "Press"},
    )
    assert response.status_code == 302
    member = db.session.scalar(select(ProjectMember).where(ProjectMember.user_id == pr.id))
    assert (member.project_id, member.role, member.duty) == (project.id, MemberRole.MEMBER, "Press")
    member_id = member.id
    page = text(client.get(f"/projects/{project.id}/settings"))
    assert "Sergey Fedorov</li>" not in page and "Sergey Fedorov" in page and "Press" in page
    again = client.post(f"/projects/{project.id}/members", data={"user_id": pr.id})
    assert again.status_code == 400 and "Already in the project." in text(again)
    neither = client.post(f"/projects/{project.id}/members", data={"role": "member"})
    assert neither.status_code == 400 and "Choose a person or a department." in text(neither)
    assert count(ProjectMember, ProjectMember.project_id == project.id) == 4

    as_user(auth, "pr@demo.local")
    assert client.get(f"/projects/{project.id}").status_code == 200
    as_user(auth, "head@demo.local")
    response = client.post(f"/projects/{project.id}/members/{member_id}/delete")
    assert response.status_code == 302
    assert count(ProjectMember, ProjectMember.user_id == pr.id) == 0
    assert client.post(f"/projects/{project.id}/members/{member_id}/delete").status_code == 404
    as_user(auth, "pr@demo.local")
    assert client.get(f"/projects/{project.id}").status_code == 404


def test_a_department_added_as_observer_sees_the_project(client, auth, team):
    project, _task = team
    as_user(auth, "head@demo.local")
    response = client.post(
        f"/projects/{project.id}/members",
        data={"user_id": "", "department_id": department("sales").id, "role": "member"},
    )
    assert response.status_code == 302
    member = db.session.scalar(
        select(ProjectMember).where(ProjectMember.department_id == department("sales").id)
    )
    assert member.role == MemberRole.OBSERVER  # a department only watches
    assert "Department: Sales" in text(client.get(f"/projects/{project.id}/settings"))
    as_user(auth, "sales@demo.local")
    assert client.get(f"/projects/{project.id}").status_code == 200


def test_a_plain_member_cannot_change_the_workgroup(client, auth, team):
    project, _task = team
    members = count(ProjectMember)
    copywriter = next(
        m for m in fresh(Project, project.id).members if m.user and m.user.email.startswith("copy")
    )
    as_user(auth, "marketer@demo.local")
    added = client.post(
        f"/projects/{project.id}/members", data={"user_id": user("pr@demo.local").id}
    )
    assert added.status_code == 403
    assert "Only the project manager can do this." in text(added)
    assert client.post(f"/projects/{project.id}/members/{copywriter.id}/delete").status_code == 403
    assert count(ProjectMember) == members


# --- archive --------------------------------------------------------------------------------


def test_archive_and_restore(client, auth, team, files_dir):
    project, task = team
    file = attachments.save(
        fresh(Task, task.id), user("marketer@demo.local"), "brief.txt", io.BytesIO(b"plan")
    )
    db.session.commit()
    file_id = file.id
    as_user(auth, "marketer@demo.local")
    assert client.post(f"/projects/{project.id}/archive").status_code == 403
    assert fresh(Project, project.id).archived_at is None

    as_user(auth, "head@demo.local")
    response = client.post(f"/projects/{project.id}/archive")
    assert response.status_code == 302 and response.location.endswith("/projects")
    page = text(client.get(response.location))
    assert "“Spring campaign” is archived." in page
    assert f'id="project-{project.id}"' not in page
    assert f'id="project-{project.id}"' in text(client.get("/projects?archived=1"))

    as_user(auth, "marketer@demo.local")
    page = text(client.get(f"/projects/tasks/{task.id}"))
    assert "Write the brief" in page and 'name="move" value="start"' not in page
    assert f'/projects/tasks/{task.id}/edit"' not in page
    assert move(client, task.id, "start").status_code == 403
    assert client.get(f"/projects/tasks/{task.id}/edit").status_code == 403
    assert (
        client.post(f"/projects/{project.id}/tasks/new", data=task_form(title="Late")).status_code
        == 403
    )
    assert (
        client.post(f"/projects/tasks/{task.id}/checklist", data={"text": "x"}).status_code == 403
    )
    assert upload(client, task.id, "more.txt", b"more").status_code == 400
    removal = client.post(f"/projects/tasks/{task.id}/files/{file_id}/delete")
    assert removal.status_code in (400, 403)
    assert download(client, task.id, file_id).data == b"plan"  # still there, still served
    assert fresh(Task, task.id).status == TaskStatus.ASSIGNED
    assert count(Task) == 1 and count(ChecklistItem) == 0 and count(Attachment) == 1
    assert f'id="mytask-{task.id}"' not in text(client.get("/me"))

    as_user(auth, "head@demo.local")
    response = client.post(f"/projects/{project.id}/restore")
    assert response.status_code == 302
    assert "“Spring campaign” is restored." in text(client.get(response.location))
    assert fresh(Project, project.id).archived_at is None
    assert f'id="project-{project.id}"' in text(client.get("/projects"))
    as_user(auth, "marketer@demo.local")
    assert move(client, task.id, "start").status_code == 302
    assert fresh(Task, task.id).status == TaskStatus.IN_PROGRESS


# --- templates and copies ---------------------------------------------------------------------


def conference():
    return db.session.scalar(
        select(Project).where(Project.is_template, Project.name == "Conference participation")
    )


def tasks_of(project_id: int) -> list[Task]:
    db.session.expire_all()
    query = select(Task).where(Task.project_id == project_id).order_by(Task.position, Task.id)
    return list(db.session.scalars(query))


def links_of(project_id: int) -> list[TaskLink]:
    return list(db.session.scalars(select(TaskLink).where(TaskLink.project_id == project_id)))


def test_templates_page_lists_the_shipped_templates(client, auth, project_templates):
    as_user(auth, "sales@demo.local")
    page = text(client.get("/projects/templates"))
    for name in ("Conference participation", "PR campaign", "New website launch", "Product launch"):
        assert name in page
    assert f'/projects/from-template?template={conference().id}"' in page


def test_new_project_from_a_template_in_two_clicks(client, auth, project_templates):
    template = conference()
    source_tasks, source_links = tasks_of(template.id), links_of(template.id)
    as_user(auth, "head@demo.local")
    form = client.get(f"/projects/from-template?template={template.id}")
    assert form.status_code == 200
    page = text(form)
    assert f'<option selected value="{template.id}">' in page
    assert 'value="Conference participation"' in page

    response = client.post(
        "/projects/from-template",
        data={"template_id": template.id, "name": "Logistics Expo", "start_date": "2026-06-01"},
    )
    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.name == "Logistics Expo"))
    assert not project.is_template and project.start_date == d(1, 6)
    assert "Project “Logistics Expo” created from the template." in text(
        client.get(response.location)
    )

    copies = tasks_of(project.id)
    assert [t.title for t in copies] == [t.title for t in source_tasks]
    cal = planning.company_calendar()
    assert copies[0].start_date == d(1, 6)  # a Monday, like the template's first task
    for source, copy in zip(source_tasks, copies, strict=True):
        if source.start_date:  # the same distance from the start, in working days
            assert cal.workdays(template.start_date, source.start_date) == cal.workdays(
                d(1, 6), copy.start_date
            ), source.title
        if source.start_date and source.due_date:  # and the same length
            assert cal.workdays(source.start_date, source.due_date) == cal.workdays(
                copy.start_date, copy.due_date
            ), source.title
    assert all(t.status == TaskStatus.ASSIGNED for t in copies)
    copied_links = links_of(project.id)
    assert len(copied_links) == len(source_links) > 0
    ids = {t.id for t in copies}
    assert all(k.predecessor_id in ids and k.successor_id in ids for k in copied_links)
    by_id = {t.id: t for t in copies}
    source_by_id = {t.id: t for t in source_tasks}
    assert sorted(
        (source_by_id[k.predecessor_id].title, source_by_id[k.successor_id].title)
        for k in source_links
    ) == sorted((by_id[k.predecessor_id].title, by_id[k.successor_id].title) for k in copied_links)
    assert any(t.parent_id for t in copies)
    assert all(by_id[t.parent_id].project_id == project.id for t in copies if t.parent_id)


def test_new_project_from_template_refuses_bad_input(client, auth, project_templates, team):
    project, _task = team
    as_user(auth, "head@demo.local")
    before = count(Project)
    no_name = client.post(
        "/projects/from-template",
        data={"template_id": conference().id, "name": "", "start_date": "2026-06-01"},
    )
    assert no_name.status_code == 422 and "This field is required." in text(no_name)
    not_a_template = client.post(
        "/projects/from-template",
        data={"template_id": project.id, "name": "Copy", "start_date": "2026-06-01"},
    )
    assert not_a_template.status_code == 422 and "Not a valid choice." in text(not_a_template)
    assert count(Project) == before


def test_a_template_and_a_project_made_from_it_do_not_change_each_other(
    client, auth, project_templates
):
    template = conference()
    as_user(auth, "head@demo.local")
    client.post(
        "/projects/from-template",
        data={"template_id": template.id, "name": "Logistics Expo", "start_date": "2026-06-01"},
    )
    project = db.session.scalar(select(Project).where(Project.name == "Logistics Expo"))
    template_task, project_task = tasks_of(template.id)[0], tasks_of(project.id)[0]
    original = template_task.title
    response = client.post(
        f"/projects/tasks/{template_task.id}/edit",
        data=task_form(
            template_task,
            title="Changed in the template",
            start_date="2026-02-02",
            due_date="2026-02-27",
        ),
    )
    assert response.status_code == 302
    assert fresh(Task, template_task.id).title == "Changed in the template"
    assert fresh(Task, project_task.id).title == original
    assert fresh(Task, project_task.id).start_date == d(1, 6)
    client.post(
        f"/projects/tasks/{project_task.id}/edit",
        data=task_form(fresh(Task, project_task.id), title="Changed in the project"),
    )
    assert fresh(Task, project_task.id).title == "Changed in the project"
    assert fresh(Task, template_task.id).title == "Changed in the template"


def test_save_as_template_and_duplicate_from_the_settings(client, auth, team):
    project, first = team
    second = new_task(
        project,
        "Design the banner",
        start_date=d(5),
        due_date=d(6),
        assignee=user("designer@demo.local"),
    )
    link(first, second)
    new_task(project, "Pick the photos", parent_id=second.id, start_date=d(5), due_date=d(6))
    as_user(auth, "head@demo.local")
    response = client.post(
        f"/projects/{project.id}/save_template",
        data={"name": "Campaign recipe", "start_date": "2026-03-02"},
    )
    assert response.status_code == 302
    template = db.session.scalar(select(Project).where(Project.name == "Campaign recipe"))
    assert template.is_template
    assert "Template “Campaign recipe” saved." in text(client.get(response.location))
    assert "Campaign recipe" in text(client.get("/projects/templates"))
    assert [t.title for t in tasks_of(template.id)] == [
        "Write the brief",
        "Design the banner",
        "Pick the photos",
    ]
    assert len(links_of(template.id)) == 1

    response = client.post(
        f"/projects/{project.id}/duplicate",
        data={"name": "Summer campaign", "start_date": "2026-03-09"},
    )
    assert response.status_code == 302
    copy = db.session.scalar(select(Project).where(Project.name == "Summer campaign"))
    assert not copy.is_template
    assert "Project “Summer campaign” created." in text(client.get(response.location))
    copied = tasks_of(copy.id)
    assert [(t.title, t.start_date, t.due_date) for t in copied] == [
        ("Write the brief", d(9), d(11)),
        ("Design the banner", d(12), d(13)),
        ("Pick the photos", d(12), d(13)),
    ]
    assert copied[2].parent_id == copied[1].id
    assert [(k.predecessor_id, k.successor_id) for k in links_of(copy.id)] == [
        (copied[0].id, copied[1].id)
    ]
    assert [t.project_id for t in tasks_of(project.id)] == [project.id] * 3

    before = count(Project)
    nameless = client.post(
        f"/projects/{project.id}/duplicate", data={"name": "", "start_date": "2026-03-09"}
    )
    assert nameless.status_code == 302
    assert "Give a name and a start date." in text(client.get(nameless.location))
    assert count(Project) == before


def test_a_plain_member_cannot_save_the_project_as_a_template(client, auth, team):
    project, _task = team
    as_user(auth, "marketer@demo.local")
    response = client.post(
        f"/projects/{project.id}/save_template", data={"name": "Mine", "start_date": "2026-03-02"}
    )
    assert response.status_code == 403
    assert count(Project, Project.is_template) == 0


# --- tasks: create and edit -------------------------------------------------------------------


def test_create_a_task(client, auth, team):
    project, _task = team
    as_user(auth, "head@demo.local")
    page = text(client.get(f"/projects/{project.id}/tasks/new"))
    assert "New task" in page and "Olga Lebedeva" in page and "Natalia Smirnova" not in page
    response = client.post(
        f"/projects/{project.id}/tasks/new",
        data=task_form(
            title="Order the banners",
            description="**Two** banners",
            assignee_id=user("designer@demo.local").id,
            start_date="2026-03-05",
            due_date="2026-03-06",
        ),
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Task).where(Task.title == "Order the banners"))
    assert response.location.endswith(f"/projects/tasks/{created.id}")
    assert created.reviewer.email == "head@demo.local"  # the author by default
    assert (created.start_date, created.due_date) == (d(5), d(6))
    page = text(client.get(response.location))
    assert "Task “Order the banners” created." in page and "<strong>Two</strong>" in page
    assert (
        count(
            Notification,
            Notification.task_id == created.id,
            Notification.user_id == user("designer@demo.local").id,
            Notification.kind == "task_assigned",
        )
        == 1
    )


def test_a_due_date_before_the_start_is_refused(client, auth, team):
    project, _task = team
    as_user(auth, "head@demo.local")
    response = client.post(
        f"/projects/{project.id}/tasks/new",
        data=task_form(title="Backwards", start_date="2026-03-10", due_date="2026-03-05"),
    )
    assert response.status_code == 422
    assert "The due date is before the start date." in text(response)
    assert count(Task) == 1


def test_a_duration_in_working_days_gives_the_due_date(client, auth, team):
    project, _task = team
    as_user(auth, "head@demo.local")
    response = client.post(
        f"/projects/{project.id}/tasks/new",
        data=task_form(title="Three days", start_date="2026-03-06", days="3"),  # a Friday
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Task).where(Task.title == "Three days"))
    assert created.due_date == d(10)  # Friday, Monday, Tuesday
    without_start = client.post(
        f"/projects/{project.id}/tasks/new", data=task_form(title="No start", days="3")
    )
    assert without_start.status_code == 422
    assert "A duration needs a start date." in text(without_start)
    assert count(Task, Task.title == "No start") == 0


def test_an_assignee_outside_the_workgroup_is_refused(client, auth, team):
    project, task = team
    as_user(auth, "head@demo.local")
    outsider = user("sales@demo.local").id
    response = client.post(
        f"/projects/{project.id}/tasks/new",
        data=task_form(title="Outsourced", assignee_id=outsider),
    )
    assert response.status_code == 422
    assert "Not a valid choice." in text(response)
    assert count(Task) == 1
    edit = client.post(
        f"/projects/tasks/{task.id}/edit", data=task_form(task, assignee_id=outsider)
    )
    assert edit.status_code == 422
    assert fresh(Task, task.id).assignee.email == "marketer@demo.local"


def test_a_task_needs_a_title(client, auth, team):
    project, _task = team
    as_user(auth, "head@demo.local")
    response = client.post(f"/projects/{project.id}/tasks/new", data=task_form(title=""))
    assert response.status_code == 422 and "This field is required." in text(response)
    assert count(Task) == 1


def test_changing_dates_moves_the_dependent_task_and_says_so(client, auth, team):
    project, first = team  # Mon 2 – Wed 4 March
    second = new_task(project, "Design the banner", start_date=d(5), due_date=d(6))
    link(first, second)
    as_user(auth, "head@demo.local")
    form_page = text(client.get(f"/projects/tasks/{first.id}/edit"))
    assert 'value="Write the brief"' in form_page
    response = client.post(
        f"/projects/tasks/{first.id}/edit",
        data=task_form(fresh(Task, first.id), due_date="2026-03-06"),
    )
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Saved." in page
    assert "1 task moved: «Design the banner»." in page
    moved = fresh(Task, second.id)
    assert (moved.start_date, moved.due_date) == (d(9), d(10))
    assert "rescheduled" in event_kinds(second.id)
    assert "edited" in event_kinds(first.id)


def test_an_edit_from_a_stale_form_is_refused(client, auth, team):
    project, task = team
    stale = task_form(task, title="Old idea")
    task_rules.update_task(
        fresh(Task, task.id),
        user("head@demo.local"),
        task_rules.TaskData(
            title="New idea",
            assignee=user("marketer@demo.local"),
            reviewer=user("copywriter@demo.local"),
            start_date=d(2),
            due_date=d(4),
        ),
    )
    db.session.commit()
    as_user(auth, "head@demo.local")
    response = client.post(f"/projects/tasks/{task.id}/edit", data=stale)
    assert response.status_code == 422
    assert "someone acted on it first" in text(response)
    assert fresh(Task, task.id).title == "New idea"


def test_delete_a_task(client, auth, team):
    project, task = team
    task_id = task.id
    child_id = new_task(project, "Draft", parent_id=task.id).id
    own_id = new_task(project, "Marketer's own", by="marketer@demo.local").id
    as_user(auth, "marketer@demo.local")
    refused = client.post(f"/projects/tasks/{task_id}/delete")
    assert refused.status_code == 403
    assert "Only the project manager or the task&#39;s author can delete it." in text(refused)
    assert count(Task) == 3
    assert client.post(f"/projects/tasks/{own_id}/delete").status_code == 302
    assert fresh(Task, own_id) is None
    as_user(auth, "head@demo.local")
    response = client.post(f"/projects/tasks/{task_id}/delete")
    assert response.status_code == 302
    assert "Task “Write the brief” deleted." in text(client.get(response.location))
    assert fresh(Task, task_id) is None and fresh(Task, child_id) is None


# --- the task list and the board --------------------------------------------------------------


def test_the_list_shows_subtasks_under_their_parents(client, auth, team):
    project, brief = team
    banner = new_task(project, "Design the banner", start_date=d(5), due_date=d(6))
    outline = new_task(project, "Outline", parent_id=brief.id, start_date=d(2), due_date=d(2))
    detail = new_task(project, "Fact check", parent_id=outline.id, start_date=d(2), due_date=d(2))
    as_user(auth, "head@demo.local")
    page = text(client.get(f"/projects/{project.id}"))
    assert row_ids(page) == [brief.id, outline.id, detail.id, banner.id]
    assert re.search(rf'<tr id="task-{detail.id}"[^>]*>\s*<td class="depth-2">', page)
    task_page = text(client.get(f"/projects/tasks/{brief.id}"))
    subtasks = task_page[task_page.index('id="subtasks"') : task_page.index('id="checklist"')]
    assert subtasks.index("Outline") < subtasks.index("Fact check")
    assert "Design the banner" not in subtasks
    new_form = text(client.get(f"/projects/{project.id}/tasks/new?parent={brief.id}"))
    assert f'<option selected value="{brief.id}">' in new_form


@at_every_moment
def test_list_filters_and_sorting_live_in_the_url(client, auth, team):
    project, brief = team
    today = clock.company_today()
    late = new_task(
        project,
        "Late banner",
        assignee=user("designer@demo.local"),
        start_date=today - timedelta(days=10),
        due_date=today - timedelta(days=2),
    )
    later = new_task(
        project,
        "Banner print run",
        assignee=user("designer@demo.local"),
        start_date=today + timedelta(days=5),
        due_date=today + timedelta(days=9),
    )
    done = new_task(
        project,
        "Old press release",
        assignee=user("designer@demo.local"),
        start_date=today - timedelta(days=10),
        due_date=today - timedelta(days=5),
    )
    set_status(done.id, TaskStatus.DONE)
    designer = user("designer@demo.local").id
    as_user(auth, "head@demo.local")
    url = f"/projects/{project.id}"

    page = text(client.get(f"{url}?assignee={designer}"))
    assert set(row_ids(page)) == {late.id, later.id, done.id}
    assert f'<option value="{designer}" selected>' in page

    page = text(client.get(f"{url}?status=done"))
    assert row_ids(page) == [done.id]
    assert '<option value="done" selected>' in page

    page = text(client.get(f"{url}?overdue=1"))
    assert set(row_ids(page)) == {brief.id, late.id}  # the brief was due in March 2026
    assert 'name="overdue" value="1" checked' in page

    page = text(client.get(f"{url}?q=BANNER"))
    assert set(row_ids(page)) == {late.id, later.id}
    assert 'name="q" value="BANNER"' in page

    page = text(client.get(f"{url}?assignee={designer}&sort=due"))
    assert row_ids(page) == [done.id, late.id, later.id]
    assert f'href="/projects/{project.id}?assignee={designer}&amp;sort=start"' in page
    assert '<input type="hidden" name="sort" value="due">' in page
    assert row_ids(text(client.get(f"{url}?sort=title"))) == [later.id, late.id, done.id, brief.id]

    page = text(client.get(f"{url}?q=nothing-like-this"))
    assert row_ids(page) == [] and "No task matches the filters." in page


def test_the_board_shows_the_five_statuses_with_the_users_moves(client, auth, team):
    project, task = team
    review = new_task(
        project,
        "Check the copy",
        assignee=user("marketer@demo.local"),
        reviewer=user("copywriter@demo.local"),
    )
    set_status(review.id, TaskStatus.ON_REVIEW)
    as_user(auth, "marketer@demo.local")
    page = text(client.get(f"/projects/{project.id}/board"))
    for status in ("assigned", "in_progress", "on_review", "reopened", "done"):
        column(page, status)
    assert f'id="task-{task.id}"' in column(page, "assigned")
    assert 'value="start"' in column(page, "assigned")
    assert f'id="task-{review.id}"' in column(page, "on_review")
    assert 'value="accept"' not in page  # the marketer does not review
    as_user(auth, "copywriter@demo.local")
    page = text(client.get(f"/projects/{project.id}/board"))
    assert 'value="accept"' in column(page, "on_review") and 'value="start"' not in page


# --- status moves ---------------------------------------------------------------------------


def test_a_task_goes_through_every_status_as_the_right_people(client, auth, team):
    project, task = team
    t = task.id
    as_user(auth, "copywriter@demo.local")  # the reviewer cannot start it
    refused = move(client, t, "start")
    assert refused.status_code == 403 and "You cannot do this with the task now." in text(refused)
    as_user(auth, "designer@demo.local")  # nor can another member
    assert move(client, t, "start").status_code == 403
    assert fresh(Task, t).status == TaskStatus.ASSIGNED

    as_user(auth, "marketer@demo.local")
    response = move(client, t, "start")
    assert response.status_code == 302 and response.location.endswith(f"/projects/tasks/{t}")
    assert "“Write the brief”: In progress." in text(client.get(response.location))
    assert move(client, t, "accept").status_code == 403
    assert move(client, t, "submit").status_code == 302
    assert fresh(Task, t).status == TaskStatus.ON_REVIEW
    assert (
        count(
            Notification,
            Notification.task_id == t,
            Notification.kind == "task_review",
            Notification.user_id == user("copywriter@demo.local").id,
        )
        == 1
    )

    as_user(auth, "copywriter@demo.local")
    silent = move(client, t, "reopen", comment="  ")
    assert silent.status_code == 400
    assert "Say what needs to be done again: reopening needs a comment." in text(silent)
    assert fresh(Task, t).status == TaskStatus.ON_REVIEW
    assert move(client, t, "reopen", comment="Add the audience").status_code == 302
    assert fresh(Task, t).status == TaskStatus.REOPENED
    assert count(Notification, Notification.task_id == t, Notification.kind == "task_reopened") == 1

    as_user(auth, "marketer@demo.local")
    move(client, t, "start")
    move(client, t, "submit")
    as_user(auth, "copywriter@demo.local")
    assert move(client, t, "accept").status_code == 302
    assert fresh(Task, t).status == TaskStatus.DONE
    assert move(client, t, "reopen", comment="Again").status_code == 403  # the manager's call
    assert event_kinds(t) == ["created", "start", "submit", "reopen", "start", "submit", "accept"]
    page = text(client.get(f"/projects/tasks/{t}"))
    assert "Add the audience" in page and "accepted" in page

    as_user(auth, "head@demo.local")
    assert move(client, t, "reopen", comment="The client changed the plan").status_code == 302
    assert fresh(Task, t).status == TaskStatus.REOPENED


def test_an_unknown_move_is_refused(client, auth, team):
    _project, task = team
    as_user(auth, "head@demo.local")
    response = move(client, task.id, "finish")
    assert response.status_code == 400 and "Unknown action." in text(response)


def test_a_parent_cannot_be_done_while_a_subtask_is_open(client, auth, team):
    project, parent = team
    new_task(project, "Draft the outline", parent_id=parent.id)
    set_status(parent.id, TaskStatus.ON_REVIEW)
    as_user(auth, "copywriter@demo.local")
    response = move(client, parent.id, "accept")
    assert response.status_code == 400
    assert "The task cannot be done while its subtasks are open: «Draft the outline»." in text(
        response
    )
    assert fresh(Task, parent.id).status == TaskStatus.ON_REVIEW


def test_an_open_predecessor_blocks_the_start_unless_the_manager_overrides(client, auth, team):
    project, first = team
    second = new_task(
        project,
        "Design the banner",
        assignee=user("marketer@demo.local"),
        start_date=d(5),
        due_date=d(6),
    )
    link(first, second)
    as_user(auth, "marketer@demo.local")
    page = text(client.get(f"/projects/{project.id}"))
    assert "waiting" in page
    response = move(client, second.id, "start")
    assert response.status_code == 400
    assert "Waiting for «Write the brief» to be done." in text(response)
    assert fresh(Task, second.id).status == TaskStatus.ASSIGNED

    as_user(auth, "head@demo.local")
    page = text(client.get(f"/projects/tasks/{second.id}"))
    assert "Start anyway (manager's override)" in page
    no_reason = move(client, second.id, "start", override="1")
    assert no_reason.status_code == 400
    assert "To start anyway, tick the override and give a reason." in text(no_reason)
    assert fresh(Task, second.id).status == TaskStatus.ASSIGNED
    response = move(client, second.id, "start", override="1", comment="The client is waiting")
    assert response.status_code == 302
    assert fresh(Task, second.id).status == TaskStatus.IN_PROGRESS
    event = db.session.scalars(
        select(Event).where(Event.task_id == second.id).order_by(Event.id.desc())
    ).first()
    assert (event.kind, event.comment, event.actor.email) == (
        "override",
        "The client is waiting",
        "head@demo.local",
    )
    assert "started before its dependencies were done" in text(
        client.get(f"/projects/tasks/{second.id}")
    )


def test_a_board_move_answers_with_the_card_its_two_column_heads_and_the_counters(
    client, auth, team
):
    project, task = team
    other = new_task(project, "Book the venue", assignee=user("marketer@demo.local"))
    as_user(auth, "marketer@demo.local")
    response = move(client, task.id, "start", origin="board", htmx=True, version=task.lock_version)
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page and 'id="board"' not in page  # not the whole board
    assert len(response.data) < 5000, len(response.data)
    assert oob_pieces(page) == [
        ("board-alert", "true"),  # empty: a refusal's reason, if any, goes
        (f"task-{task.id}", "delete"),
        ("", "beforeend:#tasks-in_progress"),
        ("colhead-assigned", "true"),
        ("colhead-in_progress", "true"),
        ("colfoot-assigned", "true"),  # what is left past the loaded cards
        ("colfoot-in_progress", "true"),
        ("live-message", "innerHTML"),
        ("work-count", "true"),
        ("bell", "true"),
    ]
    card = re.search(
        r'hx-swap-oob="beforeend:#tasks-in_progress">(.*?)</div>\s*<header', page, re.S
    )
    assert re.search(rf'<li class="card-item[^"]*" id="task-{task.id}">', card.group(1))
    assert 'value="submit"' in card.group(1) and 'name="from" value="board"' in card.group(1)
    assert f"task-{other.id}" not in page
    heads = dict(re.findall(r'id="colhead-(\w+)".*?<span class="count"[^>]*>(\d+)<', page, re.S))
    assert heads == {"assigned": "1", "in_progress": "1"}
    assert "“Write the brief”: In progress." in page
    assert fresh(Task, task.id).status == TaskStatus.IN_PROGRESS


def test_a_move_on_my_work_answers_with_the_row_and_the_counters(client, auth, team):
    _project, task = team
    as_user(auth, "marketer@demo.local")
    page = text(client.get("/me"))
    row = re.search(rf'<li class="work-item[^"]*" id="mytask-{task.id}">.*?</li>', page, re.S)
    assert 'name="from" value="me"' in row.group(0) and 'hx-boost="true"' in row.group(0)
    response = move(client, task.id, "start", origin="me", htmx=True, version=task.lock_version)
    page = text(response)
    assert response.status_code == 200 and len(response.data) < 5000
    assert [piece for piece, _swap in oob_pieces(page)] == [
        f"mytask-{task.id}",
        "live-message",
        "work-count",
        "bell",
    ]
    assert 'value="submit"' in page  # the row as it is now: in progress, to submit
    response = move(client, task.id, "submit", origin="me", htmx=True)
    page = text(response)
    assert (f"mytask-{task.id}", "delete") in oob_pieces(page)  # on review: not hers now
    assert fresh(Task, task.id).status == TaskStatus.ON_REVIEW


def test_a_plain_board_move_still_redirects_back_to_the_board(client, auth, team):
    project, task = team
    as_user(auth, "marketer@demo.local")
    response = move(client, task.id, "start", origin="board", version=task.lock_version)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/projects/{project.id}/board")
    assert fresh(Task, task.id).status == TaskStatus.IN_PROGRESS


def test_a_refused_board_move_shows_the_reason_in_the_board(client, auth, team):
    project, task = team
    as_user(auth, "copywriter@demo.local")
    response = move(client, task.id, "start", origin="board", htmx=True)
    assert response.status_code == 403
    page = text(response)
    assert 'id="board"' in page and "<html" not in page
    alert = re.search(
        r'<div class="message message-error board-message" role="alert"><p>(.*?)</p>', page
    )
    assert alert and alert.group(1) == "You cannot do this with the task now."
    assert page.count("You cannot do this with the task now.") == 1  # not in the live region too
    assert f'id="task-{task.id}"' in column(page, "assigned")
    assert fresh(Task, task.id).status == TaskStatus.ASSIGNED


def test_a_board_move_from_a_stale_card_is_refused(client, auth, team):
    _project, task = team
    as_user(auth, "marketer@demo.local")
    response = move(
        client, task.id, "start", origin="board", htmx=True, version=task.lock_version + 5
    )
    assert response.status_code == 409
    assert "someone acted on it first" in text(response)
    assert fresh(Task, task.id).status == TaskStatus.ASSIGNED


# --- dependencies ---------------------------------------------------------------------------


def test_add_and_remove_a_dependency(client, auth, team):
    project, first = team  # Mon 2 – Wed 4 March
    second = new_task(project, "Design the banner", start_date=d(2), due_date=d(3))
    as_user(auth, "marketer@demo.local")
    response = client.post(
        f"/projects/tasks/{second.id}/links",
        data={"predecessor_id": first.id, "kind": "ss", "lag": "2"},
    )
    assert response.status_code == 302
    stored = db.session.scalar(select(TaskLink).where(TaskLink.successor_id == second.id))
    assert (stored.predecessor_id, stored.kind, stored.lag) == (first.id, "ss", 2)
    link_id = stored.id
    page = text(client.get(response.location))
    assert "1 task moved: «Design the banner»." in page
    assert "Start to start, lag 2 working days" in page
    assert (fresh(Task, second.id).start_date, fresh(Task, second.id).due_date) == (d(4), d(5))
    assert "Design the banner" in text(client.get(f"/projects/tasks/{first.id}"))

    response = client.post(f"/projects/tasks/{second.id}/links/{link_id}/delete")
    assert response.status_code == 302
    assert count(TaskLink) == 0
    kinds = event_kinds(second.id)
    assert kinds[-1] == "unlinked" and "linked" in kinds
    assert client.post(f"/projects/tasks/{second.id}/links/{link_id}/delete").status_code == 404


def test_adding_a_dependency_moves_the_tasks_after_it(client, auth, team):
    project, first = team  # Mon 2 – Wed 4 March
    second = new_task(project, "Design the banner", start_date=d(2), due_date=d(3))
    third = new_task(project, "Print the banner", start_date=d(4), due_date=d(4))
    link(second, third)
    as_user(auth, "head@demo.local")
    response = client.post(
        f"/projects/tasks/{second.id}/links",
        data={"predecessor_id": first.id, "kind": "fs", "lag": "0"},
    )
    page = text(client.get(response.location))
    assert "2 tasks moved: «Design the banner», «Print the banner»." in page
    assert fresh(Task, third.id).start_date == d(9)


def test_a_dependency_on_a_task_of_another_project_is_refused(client, auth, team):
    project, task = team
    elsewhere = new_project("Other campaign")
    foreign = new_task(elsewhere, "Foreign task", start_date=d(2), due_date=d(3))
    as_user(auth, "head@demo.local")
    response = client.post(
        f"/projects/tasks/{task.id}/links", data={"predecessor_id": foreign.id, "kind": "fs"}
    )
    assert response.status_code == 400
    assert "A task can only depend on a task of the same project." in text(response)
    assert count(TaskLink) == 0


def test_a_cycle_is_refused_naming_the_tasks(client, auth, team):
    project, first = team
    second = new_task(project, "Design the banner", start_date=d(5), due_date=d(6))
    third = new_task(project, "Print the banner", start_date=d(9), due_date=d(9))
    link(first, second)
    link(second, third)
    as_user(auth, "head@demo.local")
    response = client.post(
        f"/projects/tasks/{first.id}/links", data={"predecessor_id": third.id, "kind": "fs"}
    )
    assert response.status_code == 400
    message = re.search(r'role="alert"><p>(.*?)</p>', text(response)).group(1)
    assert message.startswith("This link would make a cycle: ")
    for title in ("«Write the brief»", "«Design the banner»", "«Print the banner»"):
        assert title in message
    assert count(TaskLink) == 2
    myself = client.post(f"/projects/tasks/{first.id}/links", data={"predecessor_id": first.id})
    assert myself.status_code == 400 and "A task cannot depend on itself." in text(myself)
    odd = client.post(
        f"/projects/tasks/{second.id}/links", data={"predecessor_id": third.id, "kind": "xx"}
    )
    assert odd.status_code == 400 and "Unknown kind of link." in text(odd)
    assert count(TaskLink) == 2


# --- checklist, comments, watchers ------------------------------------------------------------


def test_checklist_add_toggle_and_delete(client, auth, team):
    _project, task = team
    as_user(auth, "marketer@demo.local")
    response = client.post(f"/projects/tasks/{task.id}/checklist", data={"text": "Call the client"})
    assert response.status_code == 302 and response.location.endswith("#checklist")
    item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.task_id == task.id))
    assert (item.text, item.done) == ("Call the client", False)
    item_id = item.id
    assert "☐ Call the client" in text(client.get(f"/projects/tasks/{task.id}"))
    client.post(f"/projects/tasks/{task.id}/checklist/{item.id}/toggle")
    assert fresh(ChecklistItem, item.id).done is True
    assert "☑ Call the client" in text(client.get(f"/projects/tasks/{task.id}"))
    client.post(f"/projects/tasks/{task.id}/checklist/{item.id}/toggle")
    assert fresh(ChecklistItem, item.id).done is False
    empty = client.post(f"/projects/tasks/{task.id}/checklist", data={"text": "  "})
    assert empty.status_code == 400
    assert "A checklist item needs a text of at most 300 characters." in text(empty)
    assert client.post(f"/projects/tasks/{task.id}/checklist/{item_id}/delete").status_code == 302
    assert count(ChecklistItem) == 0
    assert client.post(f"/projects/tasks/{task.id}/checklist/{item_id}/toggle").status_code == 404


def test_a_comment_notifies_the_mentioned_member(client, auth, team):
    _project, task = team
    as_user(auth, "marketer@demo.local")
    response = client.post(
        f"/projects/tasks/{task.id}/comments",
        data={"body": "@copywriter please check, and @sales too"},
    )
    assert response.status_code == 302
    comment = db.session.scalar(select(Comment).where(Comment.task_id == task.id))
    assert comment.author.email == "marketer@demo.local"
    notes = db.session.scalars(select(Notification).where(Notification.kind == "mentioned")).all()
    assert [(n.user_id, n.task_id) for n in notes] == [(user("copywriter@demo.local").id, task.id)]
    assert "please check" in text(client.get(f"/projects/tasks/{task.id}"))
    empty = client.post(f"/projects/tasks/{task.id}/comments", data={"body": " "})
    assert empty.status_code == 400 and "Write something first." in text(empty)
    assert count(Comment) == 1
    as_user(auth, "copywriter@demo.local")
    page = text(client.get("/notifications"))
    assert "Olga Lebedeva mentioned you on “Write the brief”." in page
    assert f'href="/projects/tasks/{task.id}"' in page


def test_watchers_add_and_remove(client, auth, team):
    project, task = team
    pr = user("pr@demo.local")
    add_people(project, "pr@demo.local", role="observer")
    add_member(project, project.manager, department=department("sales"))
    db.session.commit()
    as_user(auth, "marketer@demo.local")
    response = client.post(f"/projects/tasks/{task.id}/watchers", data={"user_id": pr.id})
    assert response.status_code == 302 and response.location.endswith("#watchers")
    client.post(
        f"/projects/tasks/{task.id}/watchers", data={"department_id": department("sales").id}
    )
    watchers = db.session.scalars(
        select(Watcher).where(Watcher.task_id == task.id).order_by(Watcher.id)
    ).all()
    assert [(w.user_id, w.department_id) for w in watchers] == [
        (pr.id, None),
        (None, department("sales").id),
    ]
    page = text(client.get(f"/projects/tasks/{task.id}"))
    assert "Sergey Fedorov" in page and "Department: Sales" in page
    again = client.post(f"/projects/tasks/{task.id}/watchers", data={"user_id": pr.id})
    assert again.status_code == 400 and "Already watching." in text(again)
    neither = client.post(f"/projects/tasks/{task.id}/watchers", data={})
    assert neither.status_code == 400 and "Choose a person or a department." in text(neither)
    as_user(auth, "head@demo.local")  # the project's manager
    response = client.post(f"/projects/tasks/{task.id}/watchers/{watchers[0].id}/delete")
    assert response.status_code == 302
    assert [w.id for w in db.session.scalars(select(Watcher))] == [watchers[1].id]
    assert (
        client.post(f"/projects/tasks/{task.id}/watchers/{watchers[0].id}/delete").status_code
        == 404
    )


def test_only_who_can_open_a_task_may_watch_it(client, auth, team):
    """An outsider would read the task's title in notices about a page that is a 404 to them."""
    _project, task = team
    as_user(auth, "marketer@demo.local")
    page = text(client.get(f"/projects/tasks/{task.id}"))
    watch_options = page[page.index('id="watch-user"') :]
    assert "Dmitry Volkov" in watch_options  # the copywriter is in the project
    assert "Sergey Fedorov" not in watch_options and "Sales</option>" not in watch_options
    outsider = client.post(
        f"/projects/tasks/{task.id}/watchers", data={"user_id": user("pr@demo.local").id}
    )
    assert outsider.status_code == 400
    assert "Sergey Fedorov cannot open this, so cannot watch it." in text(outsider)
    department_refused = client.post(
        f"/projects/tasks/{task.id}/watchers", data={"department_id": department("sales").id}
    )
    assert department_refused.status_code == 400
    assert "Not everyone in Sales can open this" in text(department_refused)
    assert count(Watcher) == 0
    as_user(auth, "head@demo.local")  # not even the manager: the task is not theirs to open
    assert (
        client.post(
            f"/projects/tasks/{task.id}/watchers", data={"user_id": user("pr@demo.local").id}
        ).status_code
        == 400
    )
    assert count(Watcher) == 0


def test_only_a_manager_removes_someone_elses_watch(client, auth, team):
    _project, task = team
    copywriter, designer = user("copywriter@demo.local"), user("designer@demo.local")
    theirs = discussion.add_watcher(task, copywriter, user=copywriter)
    other = discussion.add_watcher(task, copywriter, user=designer)
    db.session.commit()
    ids = (theirs.id, other.id)
    as_user(auth, "marketer@demo.local")
    page = client.get(f"/projects/tasks/{task.id}").get_data(as_text=True)
    assert f"/watchers/{ids[0]}/delete" not in page and f"/watchers/{ids[1]}/delete" not in page
    refused = client.post(f"/projects/tasks/{task.id}/watchers/{ids[1]}/delete")
    assert refused.status_code == 403
    assert "Only a manager may remove someone else&#39;s watch." in text(refused)
    as_user(auth, "copywriter@demo.local")
    page = client.get(f"/projects/tasks/{task.id}").get_data(as_text=True)
    assert f"/watchers/{ids[0]}/delete" in page and f"/watchers/{ids[1]}/delete" not in page
    assert client.post(f"/projects/tasks/{task.id}/watchers/{ids[0]}/delete").status_code == 302
    as_user(auth, "head@demo.local")
    assert client.post(f"/projects/tasks/{task.id}/watchers/{ids[1]}/delete").status_code == 302
    assert count(Watcher) == 0


def test_a_watcher_taken_off_the_project_hears_nothing_more_of_its_tasks(team):
    project, task = team
    designer = user("designer@demo.local")
    discussion.add_watcher(task, designer, user=designer)
    [membership] = [m for m in project.members if m.user_id == designer.id]
    remove_member(project, project.manager, membership.id)
    db.session.commit()
    task_rules.move(db.session.get(Task, task.id), user("marketer@demo.local"), "start")
    db.session.commit()
    assert count(Notification, Notification.user_id == designer.id) == 0


# --- attachments ----------------------------------------------------------------------------


def test_upload_and_download_round_trip(client, auth, team, files_dir):
    _project, task = team
    content = b"name,budget\nbanner,1000\n" * 20
    as_user(auth, "marketer@demo.local")
    response = upload(client, task.id, "budget plan.csv", content)
    assert response.status_code == 302 and response.location.endswith("#files")
    stored = db.session.scalar(select(Attachment).where(Attachment.task_id == task.id))
    assert (stored.filename, stored.size) == ("budget plan.csv", len(content))
    assert (files_dir / stored.stored_name).read_bytes() == content
    page = text(client.get(f"/projects/tasks/{task.id}"))
    assert f'href="/projects/tasks/{task.id}/files/{stored.id}">budget plan.csv</a>' in page
    as_user(auth, "head@demo.local")
    served = download(client, task.id, stored.id)
    assert served.status_code == 200
    assert served.data == content
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "budget plan.csv" in served.headers["Content-Disposition"]
    assert served.mimetype == "application/octet-stream"
    assert client.get(f"/projects/tasks/{task.id}/files/{stored.id + 99}").status_code == 404


def test_a_harmless_type_is_shown_inline(client, auth, team, files_dir):
    _project, task = team
    as_user(auth, "marketer@demo.local")
    upload(client, task.id, "notes.txt", b"plain notes")
    stored = db.session.scalar(select(Attachment))
    served = download(client, task.id, stored.id)
    assert served.mimetype == "text/plain" and served.data == b"plain notes"
    assert served.headers["Content-Disposition"].startswith("inline;")
    assert "sandbox" in served.headers["Content-Security-Policy"]


def test_a_dangerous_name_is_stored_under_a_random_name_and_served_as_a_download(
    client, auth, team, files_dir
):
    _project, task = team
    content = b"<script>alert(document.cookie)</script>"
    as_user(auth, "marketer@demo.local")
    response = upload(client, task.id, "../../evil.html", content)
    assert response.status_code == 302
    stored = db.session.scalar(select(Attachment))
    assert stored.filename == "evil.html"
    assert re.fullmatch(r"[0-9a-f]{32}", stored.stored_name)
    assert [p.name for p in files_dir.iterdir()] == [stored.stored_name]
    assert not list(files_dir.parent.parent.rglob("evil.html"))
    served = download(client, task.id, stored.id)
    assert served.data == content
    assert served.mimetype == "application/octet-stream"
    assert "text/html" not in served.headers["Content-Type"]
    disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "evil.html" in disposition
    assert ".." not in disposition and "/" not in disposition
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "Files of type .exe cannot be attached."),
        ("run.BAT", b"echo hi", "Files of type .bat cannot be attached."),
        # Windows drops trailing dots and spaces and opens a stream's file by its own name.
        ("evil.exe.", b"plain", "Files of type .exe cannot be attached."),
        ("evil.exe . .", b"plain", "Files of type .exe cannot be attached."),
        ("Evil.ExE", b"plain", "Files of type .exe cannot be attached."),
        ("evil.exe:stream", b"plain", "Files of type .exe cannot be attached."),
        ("evil.exe::$DATA", b"plain", "Files of type .exe cannot be attached."),
        ("evil.\uff45xe", b"plain", "Files of type .exe cannot be attached."),  # full width
        ("evil.exe\u200b", b"plain", "Files of type .exe cannot be attached."),
        ("console.msc", b"<xml/>", "Files of type .msc cannot be attached."),
        ("help.CHM", b"ITSF", "Files of type .chm cannot be attached."),
        ("disk.iso", b"CD001", "Files of type .iso cannot be attached."),
        ("site.url", b"[InternetShortcut]", "Files of type .url cannot be attached."),
        # Programs by their first bytes, whatever they are called.
        ("report.pdf", b"MZ\x90\x00\x03", "This file is a program"),
        ("photo.jpg", b"\x7fELF\x02\x01", "This file is a program"),
        ("notes.txt", b"\xcf\xfa\xed\xfe\x07", "This file is a program"),
        ("app.zip", b"\xca\xfe\xba\xbe\x00", "This file is a program"),
        ("readme.txt", b"#!/bin/sh\nrm -rf ~", "This file is a program"),
        ("link.txt", b"L\x00\x00\x00\x01\x14\x02\x00\x00", "This file is a program"),
        ("empty.txt", b"", "The file is empty."),
        ("...", b"data", "The file has no usable name."),
    ],
)
def test_dangerous_or_empty_files_are_refused(
    client, auth, team, files_dir, name, content, message
):
    _project, task = team
    as_user(auth, "marketer@demo.local")
    response = upload(client, task.id, name, content)
    assert response.status_code == 400
    assert message in text(response)
    assert count(Attachment) == 0
    assert not files_dir.exists() or not list(files_dir.iterdir())


def test_an_oversized_file_is_refused(app, client, auth, team, files_dir):
    _project, task = team
    app.config["MKFLOW_MAX_ATTACHMENT_MB"] = 0.001  # about a kilobyte
    as_user(auth, "marketer@demo.local")
    response = upload(client, task.id, "big.pdf", b"x" * 2000)
    assert response.status_code == 400
    assert "The file is larger than 0.001 MB." in text(response)
    assert count(Attachment) == 0
    assert not list(files_dir.iterdir())
    assert upload(client, task.id, "small.pdf", b"x" * 1000).status_code == 302
    assert count(Attachment) == 1


def test_an_upload_without_a_file_is_refused(client, auth, team, files_dir):
    _project, task = team
    as_user(auth, "marketer@demo.local")
    response = client.post(f"/projects/tasks/{task.id}/files", data={})
    assert response.status_code == 400 and "Choose a file first." in text(response)


def test_the_uploader_removes_a_file_and_others_cannot(client, auth, team, files_dir):
    _project, task = team
    as_user(auth, "marketer@demo.local")
    upload(client, task.id, "draft.pdf", b"%PDF-1.4 draft")
    stored = db.session.scalar(select(Attachment))
    path, file_id = files_dir / stored.stored_name, stored.id
    as_user(auth, "designer@demo.local")
    refused = client.post(f"/projects/tasks/{task.id}/files/{file_id}/delete")
    assert refused.status_code == 400
    assert "Only the person who attached the file or the manager can remove it." in text(refused)
    assert count(Attachment) == 1 and path.exists()
    as_user(auth, "marketer@demo.local")
    response = client.post(f"/projects/tasks/{task.id}/files/{file_id}/delete")
    assert response.status_code == 302
    assert count(Attachment) == 0 and not path.exists()
    assert client.get(f"/projects/tasks/{task.id}/files/{file_id}").status_code == 404


def test_a_file_of_another_task_is_not_served_through_this_one(client, auth, team, files_dir):
    project, task = team
    other = new_task(project, "Other task")
    as_user(auth, "marketer@demo.local")
    upload(client, task.id, "draft.pdf", b"%PDF-1.4 draft")
    stored = db.session.scalar(select(Attachment))
    assert client.get(f"/projects/tasks/{other.id}/files/{stored.id}").status_code == 404
    assert client.post(f"/projects/tasks/{other.id}/files/{stored.id}/delete").status_code == 404
    assert count(Attachment) == 1


# --- My work and notifications ----------------------------------------------------------------


def test_my_work_shows_my_tasks_and_those_waiting_for_my_review(client, auth, team):
    project, task = team
    review = new_task(
        project,
        "Check the banner",
        assignee=user("designer@demo.local"),
        reviewer=user("marketer@demo.local"),
    )
    set_status(review.id, TaskStatus.ON_REVIEW)
    finished = new_task(project, "Old work", assignee=user("marketer@demo.local"))
    set_status(finished.id, TaskStatus.DONE)
    someone_elses = new_task(project, "Designer's task", assignee=user("designer@demo.local"))
    as_user(auth, "marketer@demo.local")
    page = text(client.get("/me"))
    assert f'id="mytask-{task.id}"' in page and f'id="mytask-{review.id}"' in page
    assert (
        f'id="mytask-{finished.id}"' not in page and f'id="mytask-{someone_elses.id}"' not in page
    )
    assert 'value="start"' in page and 'value="accept"' in page
    assert work_count(page) == 2

    response = move(client, task.id, "start", origin="me")
    assert response.status_code == 302 and response.location.endswith("/me")
    assert work_count(text(client.get("/me"))) == 2  # still theirs, now in progress
    move(client, task.id, "submit", origin="me")
    assert work_count(text(client.get("/me"))) == 1

    as_user(auth, "designer@demo.local")
    page = text(client.get("/me"))
    assert f'id="mytask-{someone_elses.id}"' in page and f'id="mytask-{review.id}"' not in page
    assert work_count(page) == 1


def test_the_notification_list_shows_task_notifications(client, auth, team):
    _project, task = team
    as_user(auth, "marketer@demo.local")
    move(client, task.id, "start")
    move(client, task.id, "submit")
    as_user(auth, "copywriter@demo.local")
    move(client, task.id, "reopen", comment="Add the audience")
    as_user(auth, "marketer@demo.local")
    page = text(client.get("/notifications"))
    assert "Elena Morozova assigned you the task “Write the brief”." in page
    assert "Dmitry Volkov reopened your task “Write the brief”." in page
    assert "Add the audience" in page
    assert f'href="/projects/tasks/{task.id}"' in page
    as_user(auth, "copywriter@demo.local")
    assert "Olga Lebedeva submitted “Write the brief” for your review." in text(
        client.get("/notifications")
    )


def test_an_archived_project_takes_no_comments_or_watchers(client, auth, team):
    project, task = team
    project.archived_at = project.created_at
    db.session.commit()
    as_user(auth, "copywriter@demo.local")
    refused = client.post(f"/projects/tasks/{task.id}/comments", data={"body": "Late note"})
    assert refused.status_code == 400 and "The project is archived." in text(refused)
    watch = client.post(
        f"/projects/tasks/{task.id}/watchers", data={"user_id": str(user("smm@demo.local").id)}
    )
    assert watch.status_code == 400
    assert count(Comment) == 0 and count(Watcher) == 0
