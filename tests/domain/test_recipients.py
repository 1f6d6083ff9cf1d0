"""Who hears of what: task watchers, watching departments, the launcher of a finished item,
the department head who asked to hear of hand-offs, and approvals asked as approvals."""

from datetime import date

import pytest
from sqlalchemy import event
from support import add_people, launch_article, new_project, new_task, template, user

from mkflow.activity import discussion
from mkflow.core.database import db
from mkflow.models import (
    Department,
    Notification,
    OutboxMessage,
    ProcessInstance,
    Responsible,
    Task,
    User,
)
from mkflow.processes import engine
from mkflow.projects import tasks as task_rules
from mkflow.projects.lifecycle import add_member

pytestmark = pytest.mark.usefixtures("processes")
URL = "https://docs.example/article"


def notes(email: str, kind: str | None = None) -> list[Notification]:
    query = db.select(Notification).where(Notification.user_id == user(email).id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def kinds(email: str) -> list[str]:
    return [n.kind for n in notes(email)]


def department(slug: str) -> Department:
    return db.session.scalar(db.select(Department).where(Department.slug == slug))


def act(item, email, action, **extra):
    engine.act(item, user(email), action, expected_version=item.lock_version, **extra)
    db.session.commit()


def to_the_end(item):
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    act(item, "copywriter@demo.local", "complete", values={"text": URL})
    act(item, "marketer@demo.local", "approve")
    act(item, "designer@demo.local", "complete", values={"layout": URL})
    act(item, "marketer@demo.local", "approve")
    act(item, "marketer@demo.local", "publish")


# --- tasks -----------------------------------------------------------------------------------


@pytest.fixture
def task():
    project = new_project()
    add_people(project, "copywriter@demo.local", "designer@demo.local")
    add_people(project, "pr@demo.local", role="observer")  # watchers must be able to open it
    add_member(project, project.manager, department=department("sales"))
    db.session.commit()
    return new_task(
        project, "Write the text", by="head@demo.local", assignee=user("copywriter@demo.local")
    )


def move(task, email, name, **options):
    task_rules.move(db.session.get(Task, task.id), user(email), name, **options)
    db.session.commit()


def test_task_watchers_and_watching_departments_hear_of_status_changes(task):
    head = user("head@demo.local")
    discussion.add_watcher(task, head, user=user("pr@demo.local"))
    discussion.add_watcher(task, head, department=department("sales"))
    discussion.add_watcher(task, head, user=user("copywriter@demo.local"))  # the assignee
    db.session.commit()

    move(task, "copywriter@demo.local", "start")
    for email in ("pr@demo.local", "sales@demo.local", "sales.head@demo.local"):
        assert kinds(email) == ["watched"], email
    assert "watched" not in kinds("copywriter@demo.local")  # they moved it themselves

    move(task, "copywriter@demo.local", "submit")
    discussion.add_watcher(task, head, user=user("head@demo.local"))  # the reviewer
    db.session.commit()
    move(task, "head@demo.local", "reopen", comment="Shorter")
    # The assignee hears it as the assignee, not once more as a watcher.
    assert kinds("copywriter@demo.local").count("task_reopened") == 1
    assert "watched" not in kinds("copywriter@demo.local")
    assert kinds("pr@demo.local") == ["watched"] * 3
    [latest] = notes("pr@demo.local")[-1:]
    assert (latest.task_id, latest.comment) == (task.id, "reopened")


def test_a_task_without_watchers_tells_only_the_people_on_it(task):
    move(task, "copywriter@demo.local", "start")
    move(task, "copywriter@demo.local", "submit")
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(Notification)
            .where(Notification.kind == "watched")
        )
        == 0
    )
    assert kinds("head@demo.local") == ["task_review"]


# --- process items ---------------------------------------------------------------------------


def test_members_of_a_watching_department_hear_of_moves():
    item = launch_article()
    discussion.add_watcher(item, user("head@demo.local"), department=department("sales"))
    db.session.commit()
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    for email in ("sales@demo.local", "sales.head@demo.local"):
        [note] = notes(email)
        assert (note.kind, note.instance_id, note.comment) == ("watched", item.id, "completed")


def test_a_department_member_who_also_watches_in_person_hears_once():
    item = launch_article()
    head = user("head@demo.local")
    discussion.add_watcher(item, head, department=department("sales"))
    discussion.add_watcher(item, head, user=user("sales@demo.local"))
    db.session.commit()
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    assert kinds("sales@demo.local") == ["watched"]


def test_the_launcher_hears_when_the_item_is_finished():
    item = launch_article(by="head@demo.local")
    discussion.add_watcher(item, user("head@demo.local"), user=user("head@demo.local"))
    db.session.commit()
    to_the_end(item)
    assert kinds("head@demo.local").count("finished") == 1
    [finished] = notes("head@demo.local", "finished")
    assert finished.instance_id == item.id
    # As launcher, not also as a watcher of the last move.
    watched = notes("head@demo.local", "watched")
    assert all(n.comment != "published" for n in watched)


def test_the_launcher_hears_of_a_finish_by_the_timer():
    item = launch_article(by="sales@demo.local", publish_on=date(2030, 1, 10))
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    act(item, "copywriter@demo.local", "complete", values={"text": URL})
    act(item, "marketer@demo.local", "approve")
    act(item, "designer@demo.local", "complete", values={"layout": URL})
    act(item, "marketer@demo.local", "approve")
    engine.tick(date(2030, 1, 10))
    db.session.commit()
    [note] = notes("sales@demo.local", "finished")
    assert note.instance_id == item.id and note.actor_id is None


def test_a_head_who_opted_in_hears_of_hand_offs_in_their_department():
    item = launch_article(by="copywriter@demo.local")  # the head has not opted in yet
    assert notes("head@demo.local") == []
    user("head@demo.local").hears_department_handoffs = True
    db.session.commit()

    act(item, "marketer@demo.local", "complete", values={"brief": "b"})  # to the copywriter
    [note] = notes("head@demo.local")
    assert (note.kind, note.instance_id, note.actor_id) == (
        "handoff",
        item.id,
        user("marketer@demo.local").id,
    )
    # A rejection hands the work back to the copywriter: a hand-off too.
    act(item, "copywriter@demo.local", "complete", values={"text": URL})
    act(item, "marketer@demo.local", "reject", comment="Again")
    assert kinds("head@demo.local") == ["handoff"] * 3
    # Another department's head hears nothing of marketing's hand-offs.
    assert notes("sales.head@demo.local") == []


def test_no_hand_off_notice_when_the_head_acts_or_receives_the_work():
    head = user("head@demo.local")
    head.hears_department_handoffs = True
    db.session.commit()
    item = launch_article(
        by="head@demo.local",
        roles={
            "Marketer": head.id,
            "Copywriter": user("copywriter@demo.local").id,
            "Text approver": head.id,
        },
    )
    assert "handoff" not in kinds("head@demo.local")  # they launched it and hold it
    act(item, "head@demo.local", "complete", values={"brief": "b"})
    act(item, "copywriter@demo.local", "complete", values={"text": URL})  # back to the head
    assert "handoff" not in kinds("head@demo.local")


def test_an_approval_stage_asks_its_holder_for_approval():
    item = launch_article()
    assert kinds("marketer@demo.local") == ["assigned"]  # the brief: work
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    assert kinds("copywriter@demo.local") == ["assigned"]
    act(item, "copywriter@demo.local", "complete", values={"text": URL})
    assert kinds("marketer@demo.local") == ["assigned", "approval"]
    [note] = notes("marketer@demo.local", "approval")
    assert note.instance_id == item.id and note.actor_id == user("copywriter@demo.local").id


def test_an_action_reads_as_many_statements_with_many_people_around_as_with_none():
    """Watchers, watching departments and the head are found in one query."""

    def selects_of_a_hand_off(item) -> int:
        found = []

        def count(_conn, _cursor, statement, *_args):
            if statement.lstrip().upper().startswith("SELECT"):
                found.append(statement)

        engine_ = db.engine
        event.listen(engine_, "before_cursor_execute", count)
        try:
            act(item, "marketer@demo.local", "complete", values={"brief": "b"})
        finally:
            event.remove(engine_, "before_cursor_execute", count)
        return len(found)

    quiet = launch_article("Quiet")
    busy = launch_article("Busy")
    head = user("head@demo.local")
    for email in ("sales@demo.local", "pr@demo.local", "smm@demo.local", "hr@demo.local"):
        discussion.add_watcher(busy, head, user=user(email))
    for slug in ("sales", "production", "legal"):
        discussion.add_watcher(busy, head, department=department(slug))
    head.hears_department_handoffs = True
    db.session.commit()
    quiet_count = selects_of_a_hand_off(quiet)
    assert selects_of_a_hand_off(busy) == quiet_count
    assert len(notes("pr@demo.local", "watched")) == 1


def test_a_launch_tells_the_items_people_and_no_watcher_of_anything_else(client, auth, task):
    """A new item has no id until the session flushes: its watchers were once looked up as
    "instance_id IS NULL", which is every task watcher in the company."""
    head = user("head@demo.local")
    discussion.add_watcher(task, head, user=user("pr@demo.local"))
    discussion.add_watcher(task, head, department=department("sales"))
    other = launch_article("Other")
    discussion.add_watcher(other, head, user=user("smm@demo.local"))
    # A closed department's process whose launcher holds the first stage: nothing asks the
    # database before the watchers are looked up, so the new item has no id yet.
    posts = template("social-post")
    posts.department = department("legal")
    posts.current_version.stages[0].responsible = Responsible.LAUNCHER
    db.session.commit()
    seen = set(db.session.scalars(db.select(Notification.id)))
    queued = set(db.session.scalars(db.select(OutboxMessage.id)))

    auth.login("lawyer@demo.local")
    form = {"title": "Claim against a supplier", "field-idea": "Tell no one"}
    assert client.post(f"/processes/{posts.id}/start", data=form).status_code == 302

    item = db.session.scalar(
        db.select(ProcessInstance).where(ProcessInstance.title == form["title"])
    )
    told = [
        (db.session.get(User, note.user_id).email, note.kind)
        for note in db.session.scalars(db.select(Notification).where(Notification.id.not_in(seen)))
    ]
    assert item.assignee == user("lawyer@demo.local")
    assert told == []  # the item's people: its holder, who launched it, and no watchers
    mailed = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.id.not_in(queued)))
    assert list(mailed) == []  # nothing for the daily digest either
