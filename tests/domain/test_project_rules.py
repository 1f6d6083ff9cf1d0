"""Projects and tasks without HTTP: status rules, scheduling through the database,
roll-up, templates and copies, permissions."""

from datetime import date

import pytest
from support import add_people, new_project, new_task, user

from mkflow.core.database import db
from mkflow.core.errors import DomainError, NeedsConfirmation, PermissionDenied
from mkflow.models import (
    CalendarDay,
    ChecklistItem,
    Department,
    Event,
    Notification,
    Project,
    Task,
    TaskLink,
    TaskStatus,
)
from mkflow.people import project_access
from mkflow.projects import attachments, copying, listing, planning
from mkflow.projects import lifecycle as project_rules
from mkflow.projects import tasks as rules
from mkflow.projects.status import Move, moves_for
from mkflow.projects.tasks import TaskData

# Working days counted on a plain Monday-to-Friday week (see the fixture).
pytestmark = pytest.mark.usefixtures("plain_week")

MON, TUE, WED, THU, FRI = (date(2026, 3, d) for d in (2, 3, 4, 5, 6))
NEXT_MON, NEXT_TUE, NEXT_WED = date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11)

S = TaskStatus


# The status rules, as pure values


@pytest.mark.parametrize(
    ("status", "who", "expected"),
    [
        (S.ASSIGNED, "assignee", (Move.START,)),
        (S.ASSIGNED, "reviewer", ()),
        (S.IN_PROGRESS, "assignee", (Move.SUBMIT,)),
        (S.IN_PROGRESS, "reviewer", ()),
        (S.ON_REVIEW, "assignee", ()),
        (S.ON_REVIEW, "reviewer", (Move.ACCEPT, Move.REOPEN)),
        (S.REOPENED, "assignee", (Move.START,)),
        (S.DONE, "reviewer", ()),
        (S.DONE, "assignee", ()),
        (S.DONE, "manager", (Move.REOPEN,)),
        (S.ASSIGNED, "manager", (Move.START,)),
        (S.ON_REVIEW, "manager", (Move.ACCEPT, Move.REOPEN)),
        (S.IN_PROGRESS, "stranger", ()),
    ],
)
def test_moves_per_role(status, who, expected):
    assert (
        moves_for(
            status,
            is_assignee=who == "assignee",
            is_reviewer=who == "reviewer",
            is_manager=who == "manager",
        )
        == expected
    )


# Moving tasks through the database


@pytest.fixture
def team(demo):
    project = new_project()
    add_people(project, "copywriter@demo.local", "designer@demo.local")
    add_people(project, "sales@demo.local", role="observer")
    return project


def _task(project, title="Write the text", **data):
    options = {"assignee": user("copywriter@demo.local"), "start_date": MON, "due_date": WED}
    return new_task(project, title, by="head@demo.local", **(options | data))


def _move(task, email, move, **options):
    event = rules.move(db.session.get(Task, task.id), user(email), move, **options)
    db.session.commit()
    return event


def test_assignee_and_reviewer_take_a_task_through_every_status(team):
    task = _task(team)
    assert task.reviewer == user("head@demo.local")  # the author reviews by default
    _move(task, "copywriter@demo.local", "start")
    _move(task, "copywriter@demo.local", "submit")
    with pytest.raises(DomainError, match="comment"):
        _move(task, "head@demo.local", "reopen")
    db.session.rollback()
    _move(task, "head@demo.local", "reopen", comment="Shorter, please")
    _move(task, "copywriter@demo.local", "start")
    _move(task, "copywriter@demo.local", "submit")
    _move(task, "head@demo.local", "accept")

    db.session.expire_all()
    assert db.session.get(Task, task.id).status == S.DONE
    history = db.session.scalars(
        db.select(Event).where(Event.task_id == task.id).order_by(Event.id)
    ).all()
    assert [(e.kind, e.to_status) for e in history] == [
        ("created", "assigned"),
        ("start", "in_progress"),
        ("submit", "on_review"),
        ("reopen", "reopened"),
        ("start", "in_progress"),
        ("submit", "on_review"),
        ("accept", "done"),
    ]
    assert history[3].comment == "Shorter, please"
    kinds = db.session.scalars(
        db.select(Notification.kind).where(Notification.task_id == task.id)
    ).all()
    assert "task_reopened" in kinds and "task_review" in kinds and "task_done" in kinds


def test_others_cannot_move_a_task(team):
    task = _task(team)
    for email in ("designer@demo.local", "sales@demo.local"):  # a member, an observer
        with pytest.raises(PermissionDenied):
            _move(task, email, "start")
        db.session.rollback()
    _move(task, "head@demo.local", "start")  # the manager may do anything
    assert db.session.get(Task, task.id).status == S.IN_PROGRESS


def test_a_parent_is_not_done_while_a_subtask_is_open(team):
    parent = _task(team, "Landing page")
    child = _task(team, "Copy for the landing", parent_id=parent.id)
    for step in ("start", "submit"):
        _move(parent, "copywriter@demo.local", step)
    with pytest.raises(DomainError, match="Copy for the landing"):
        _move(parent, "head@demo.local", "accept")
    db.session.rollback()
    for step in ("start", "submit"):
        _move(child, "copywriter@demo.local", step)
    _move(child, "head@demo.local", "accept")
    _move(parent, "head@demo.local", "accept")
    assert db.session.get(Task, parent.id).status == S.DONE


def test_accepting_with_unticked_checklist_items_asks_first(team):
    task = _task(team)
    head = user("head@demo.local")
    for text in ("Headline", "Body", "Sources"):
        rules.add_check(db.session.get(Task, task.id), head, text)
    rules.toggle_check(db.session.get(Task, task.id), head, rules.checklist(task)[0].id)
    for step in ("start", "submit"):
        _move(task, "copywriter@demo.local", step)
    with pytest.raises(NeedsConfirmation, match="2 of 3 checklist items are not done") as asked:
        _move(task, "head@demo.local", "accept")
    assert asked.value.status == 409
    db.session.rollback()
    assert db.session.get(Task, task.id).status == S.ON_REVIEW  # nothing happened
    _move(task, "head@demo.local", "accept", confirmed=True)
    assert db.session.get(Task, task.id).status == S.DONE


def test_a_ticked_or_empty_checklist_accepts_without_a_question(team):
    ticked, empty = _task(team, "Ticked"), _task(team, "Empty")
    head = user("head@demo.local")
    item = rules.add_check(db.session.get(Task, ticked.id), head, "Headline")
    rules.toggle_check(db.session.get(Task, ticked.id), head, item.id)
    for task in (ticked, empty):
        for step in ("start", "submit"):
            _move(task, "copywriter@demo.local", step)
        _move(task, "head@demo.local", "accept")
        assert db.session.get(Task, task.id).status == S.DONE


def test_an_open_finish_to_start_predecessor_blocks_the_start(team):
    brief = _task(team, "Brief")
    text = _task(team, "Text", start_date=THU, due_date=FRI)
    rules.add_link(db.session.get(Task, text.id), user("head@demo.local"), brief.id, "fs")
    db.session.commit()

    with pytest.raises(DomainError, match="Brief"):
        _move(text, "copywriter@demo.local", "start")
    db.session.rollback()
    with pytest.raises(DomainError, match="override"):  # the manager must say why
        _move(text, "head@demo.local", "start", override=True)
    db.session.rollback()
    event = _move(text, "head@demo.local", "start", override=True, comment="Client is waiting")
    assert event.kind == "override"
    assert db.session.get(Task, text.id).status == S.IN_PROGRESS


# Scheduling and roll-up through the database


def _dates(task):
    db.session.expire_all()
    found = db.session.get(Task, task.id)
    return found.start_date, found.due_date


def test_a_dependent_task_moves_when_its_predecessor_moves(team):
    a = _task(team, "A", start_date=MON, due_date=TUE)
    b = _task(team, "B", start_date=WED, due_date=THU)
    c = _task(team, "C", start_date=FRI, due_date=FRI)
    manager = user("head@demo.local")
    rules.add_link(db.session.get(Task, b.id), manager, a.id, "fs")
    rules.add_link(db.session.get(Task, c.id), manager, b.id, "fs")
    db.session.commit()

    a_row = db.session.get(Task, a.id)
    data = TaskData(
        title="A", assignee=a_row.assignee, reviewer=a_row.reviewer, start_date=MON, due_date=THU
    )
    moved = rules.update_task(a_row, manager, data)
    db.session.commit()

    assert [m.title for m in moved] == ["B", "C"]
    assert _dates(b) == (FRI, NEXT_MON)  # two working days, over the weekend
    assert _dates(c) == (NEXT_TUE, NEXT_TUE)
    kinds = db.session.scalars(db.select(Event.kind).where(Event.task_id == c.id)).all()
    assert "rescheduled" in kinds


def test_manual_mode_flags_broken_links_instead_of_moving(team):
    team.auto_schedule = False
    db.session.commit()
    a = _task(team, "A", start_date=MON, due_date=WED)
    b = _task(team, "B", start_date=TUE, due_date=TUE)
    _link, moved = rules.add_link(db.session.get(Task, b.id), user("head@demo.local"), a.id, "fs")
    db.session.commit()
    assert moved == []
    assert _dates(b) == (TUE, TUE)
    assert planning.broken_links(team.id) == {(a.id, b.id)}


def test_parent_dates_roll_up_from_subtasks(team):
    parent = _task(team, "Event", start_date=MON, due_date=MON)
    _task(team, "Venue", parent_id=parent.id, start_date=TUE, due_date=WED)
    deep = _task(team, "Booth", parent_id=parent.id, start_date=WED, due_date=THU)
    _task(team, "Booth print", parent_id=deep.id, start_date=THU, due_date=NEXT_TUE)
    assert _dates(parent) == (TUE, NEXT_TUE)
    assert _dates(deep) == (THU, NEXT_TUE)  # a parent spans exactly its subtasks


def test_a_cycle_is_refused_naming_the_tasks(team):
    a, b, c = (_task(team, name) for name in ("Alpha", "Beta", "Gamma"))
    manager = user("head@demo.local")
    rules.add_link(db.session.get(Task, b.id), manager, a.id, "fs")
    rules.add_link(db.session.get(Task, c.id), manager, b.id, "ss")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        rules.add_link(db.session.get(Task, a.id), manager, c.id, "ff")
    message = str(refused.value.message)
    assert all(name in message for name in ("Alpha", "Beta", "Gamma"))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(TaskLink.id))) == 2


def test_links_stay_inside_a_project_and_outside_the_task_tree(team):
    other = new_project("Other")
    foreign = new_task(other, "Elsewhere")
    parent = _task(team, "Parent")
    child = _task(team, "Child", parent_id=parent.id)
    manager = user("head@demo.local")
    with pytest.raises(DomainError, match="same project"):
        rules.add_link(db.session.get(Task, child.id), manager, foreign.id, "fs")
    with pytest.raises(DomainError, match="parent or subtask"):
        rules.add_link(db.session.get(Task, child.id), manager, parent.id, "fs")


def test_bad_dates_and_outsiders_are_refused(team):
    with pytest.raises(DomainError, match="before the start"):
        _task(team, start_date=WED, due_date=MON)
    db.session.rollback()
    with pytest.raises(DomainError, match="workgroup"):
        _task(team, assignee=user("smm@demo.local"))
    db.session.rollback()
    task = _task(team, start_date=FRI, due_date=None, days=3)
    assert _dates(task) == (FRI, NEXT_TUE)
    assert db.session.scalar(db.select(db.func.count(Task.id))) == 1


# Templates and copies


def test_a_project_from_a_template_gets_shifted_dates_and_its_own_rows(project_templates):
    template = db.session.scalar(
        db.select(Project).where(Project.is_template, Project.name == "Conference participation")
    )
    template_tasks = {
        t.title: t
        for t in db.session.scalars(db.select(Task).where(Task.project_id == template.id))
    }
    template_links = db.session.scalar(
        db.select(db.func.count(TaskLink.id)).where(TaskLink.project_id == template.id)
    )
    cal = planning.company_calendar()
    start = date(2027, 2, 1)  # a Monday
    project = copying.from_template(
        template, user("marketer@demo.local"), name="Expo 2027", start_date=start
    )
    db.session.commit()

    copies = {
        t.title: t for t in db.session.scalars(db.select(Task).where(Task.project_id == project.id))
    }
    assert set(copies) == set(template_tasks)
    assert not set(t.id for t in copies.values()) & set(t.id for t in template_tasks.values())
    by_manager = 0
    for title, original in template_tasks.items():
        copy = copies[title]
        offset = cal.workdays(template.start_date, original.start_date) - 1
        assert copy.start_date == cal.add(start, offset), title
        assert cal.workdays(copy.start_date, copy.due_date) == cal.workdays(
            original.start_date, original.due_date
        )
        assert copy.status == S.ASSIGNED
        if original.parent_id:
            assert copy.parent.title == original.parent.title
            assert copy.parent.project_id == project.id
        if copying.duty_of(template, original.assignee_id) == copying.MANAGER_DUTY:
            assert copy.assignee == user("marketer@demo.local")  # the new project's manager
            by_manager += 1
        elif original.assignee_id:
            assert copy.assignee_id == original.assignee_id  # the same job, the same person
    assert by_manager > 0
    links = db.session.scalars(db.select(TaskLink).where(TaskLink.project_id == project.id)).all()
    assert len(links) == template_links
    assert all(
        link.predecessor.project_id == project.id and link.successor.project_id == project.id
        for link in links
    )
    checklists = db.session.scalar(
        db.select(db.func.count(ChecklistItem.id)).join(Task).where(Task.project_id == project.id)
    )
    assert checklists > 0

    # Changing the project leaves the template alone.
    first = next(iter(copies.values()))
    first.title = "Renamed in the project"
    db.session.commit()
    assert "Renamed in the project" not in {
        t.title for t in db.session.scalars(db.select(Task).where(Task.project_id == template.id))
    }


def test_save_as_template_and_duplicate_keep_duties_and_links(team):
    manager = user("head@demo.local")
    member = next(m for m in team.members if m.user == user("designer@demo.local"))
    member.duty = "Designer"
    db.session.commit()
    a = _task(team, "Layout", assignee=user("designer@demo.local"), start_date=TUE, due_date=WED)
    b = _task(team, "Text", start_date=THU, due_date=FRI)
    rules.add_link(db.session.get(Task, b.id), manager, a.id, "fs")
    rules.add_check(db.session.get(Task, a.id), manager, "Check the logo")
    db.session.commit()

    template = copying.copy_project(
        team, manager, name="Campaign template", start_date=MON, as_template=True
    )
    db.session.commit()
    layout = db.session.scalar(
        db.select(Task).where(Task.project_id == template.id, Task.title == "Layout")
    )
    assert template.is_template and copying.duty_of(template, layout.assignee_id) == "Designer"
    assert (layout.start_date, layout.due_date) == (TUE, WED)

    copy = copying.copy_project(team, manager, name="Campaign again", start_date=NEXT_MON)
    db.session.commit()
    moved = {
        t.title: (t.start_date, t.due_date)
        for t in db.session.scalars(db.select(Task).where(Task.project_id == copy.id))
    }
    assert moved == {"Layout": (NEXT_TUE, NEXT_WED), "Text": (date(2026, 3, 12), date(2026, 3, 13))}
    assert not copy.is_template


def test_only_the_manager_saves_a_template(team):
    with pytest.raises(PermissionDenied):
        copying.copy_project(
            team, user("copywriter@demo.local"), name="Mine", start_date=MON, as_template=True
        )


# Permissions


def test_who_sees_a_project(team):
    sales = db.session.scalar(db.select(Department).where(Department.slug == "sales"))
    project = db.session.get(Project, team.id)
    assert project_access.can_view(user("copywriter@demo.local"), project)
    assert project_access.can_view(user("sales@demo.local"), project)  # an observer
    assert not project_access.can_view(
        user("smm@demo.local"), project
    )  # marketing, but not a member
    assert project_access.can_view(user("ceo@demo.local"), project)  # the company's management
    assert not project_access.can_work(user("sales@demo.local"), project)
    assert not project_access.can_view(user("sales.head@demo.local"), project)
    project_rules.add_member(project, user("head@demo.local"), department=sales)
    db.session.commit()
    assert project_access.can_view(user("sales.head@demo.local"), project)
    assert not project_access.can_work(user("sales.head@demo.local"), project)
    visible = db.session.scalars(
        db.select(Project.id).where(project_access.visible_projects_filter(user("smm@demo.local")))
    ).all()
    assert project.id not in visible


def test_an_archived_project_is_read_only(team):
    task = _task(team)
    project_rules.archive(db.session.get(Project, team.id), user("head@demo.local"))
    db.session.commit()
    assert rules.allowed_moves(db.session.get(Task, task.id), user("copywriter@demo.local")) == ()
    with pytest.raises(PermissionDenied):
        _task(team, "One more")


# Attachment names


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\brief.docx", "brief.docx"),
        ("..hidden", "hidden"),
        ("бриф<v2>.pdf", "бриф_v2_.pdf"),
        ("line\nbreak.txt", "linebreak.txt"),
        ("", ""),
    ],
)
def test_attachment_names_are_cleaned(raw, clean):
    assert attachments.clean_name(raw) == clean


def test_only_harmless_types_are_served_inline():
    assert attachments.content_type("photo.png") == "image/png"
    assert attachments.content_type("page.html") == "application/octet-stream"
    assert attachments.content_type("logo.svg") == "application/octet-stream"


def test_the_workgroup_copies_a_project_observers_do_not(team):
    with pytest.raises(PermissionDenied):
        copying.copy_project(team, user("sales@demo.local"), name="Mine", start_date=MON)
    project_rules.archive(db.session.get(Project, team.id), user("head@demo.local"))
    db.session.commit()
    # Re-running an archived campaign is what duplicating is for.
    copy = copying.copy_project(team, user("copywriter@demo.local"), name="Again", start_date=MON)
    assert copy.manager == user("copywriter@demo.local") and copy.archived_at is None


def test_the_company_weekend_comes_from_the_settings(app, demo):
    app.config["MKFLOW_WEEKEND"] = "fri,sat"  # a company working Sunday to Thursday
    # Without the demo's Russian holidays: 8 and 9 March 2026 are days off in them.
    db.session.execute(db.delete(CalendarDay))
    db.session.commit()
    project = new_project()
    task = new_task(project, "Booth", start_date=THU, days=2)
    assert _dates(task) == (THU, date(2026, 3, 8))  # Thursday, then Sunday


def test_a_person_taken_off_a_project_no_longer_holds_its_open_tasks(team):
    copywriter = user("copywriter@demo.local")
    text = _task(team, "Write the text")
    review = _task(
        team, "Check the layout", assignee=user("designer@demo.local"), reviewer=copywriter
    )
    done = _task(team, "Old text")
    db.session.get(Task, done.id).status = TaskStatus.DONE
    db.session.commit()
    member = next(m for m in team.members if m.user_id == copywriter.id)
    project_rules.remove_member(team, user("head@demo.local"), member.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Task, text.id).assignee_id is None  # for the manager to give away
    assert db.session.get(Task, review.id).reviewer_id == team.manager_id
    assert db.session.get(Task, done.id).assignee_id == copywriter.id  # history stays
    note = db.session.scalar(
        db.select(Event.comment).where(Event.task_id == text.id, Event.kind == "edited")
    )
    assert note == "Dmitry Volkov was taken off the project."
    assert listing.my_tasks(copywriter) == []
