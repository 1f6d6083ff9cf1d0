"""The process engine against a real database, without HTTP."""

import threading
from datetime import datetime, timedelta

import pytest
from support import MOSCOW, at_every_moment, launch_article, moment_name, template, user

from mkflow.activity import discussion
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from mkflow.models import (
    Department,
    Event,
    Group,
    InstanceState,
    Notification,
    PickRule,
    ProcessInstance,
    Responsible,
    Visibility,
)
from mkflow.people.process_access import can_view_instance
from mkflow.processes import engine
from mkflow.processes import templates as editing

pytestmark = pytest.mark.usefixtures("processes")
URL = "https://docs.example/article"


def act(item, email, action, **extra):
    extra.setdefault("expected_version", item.lock_version)
    event = engine.act(item, user(email), action, **extra)
    db.session.commit()
    return event


def stage_key(item) -> str:
    db.session.refresh(item)
    return item.stage.key


def notes(email, kind):
    return db.session.scalars(
        db.select(Notification).where(
            Notification.user_id == user(email).id, Notification.kind == kind
        )
    ).all()


def test_launch_puts_the_item_at_the_first_stage_with_its_role():
    item = launch_article()
    assert (item.stage.key, item.assignee.email) == ("brief", "marketer@demo.local")
    assert item.state == InstanceState.ACTIVE and item.version.number == 1
    assert item.stage_due_at is not None
    [event] = db.session.scalars(db.select(Event).where(Event.instance_id == item.id)).all()
    assert (event.kind, event.actor.email, event.to_stage.key) == (
        "launched",
        "head@demo.local",
        "brief",
    )
    assert len(notes("marketer@demo.local", "assigned")) == 1


# A one-working-day stage entered at each moment is due the next working day, at the same
# time on the company's clock (Moscow): a Saturday just after midnight is still Friday in UTC.
NEXT_WORKING_DAY = {
    "tuesday-morning": datetime(2026, 12, 9, 10, 0),
    "monday-morning": datetime(2026, 12, 8, 9, 0),
    "friday-evening": datetime(2026, 12, 14, 19, 30),
    "saturday": datetime(2026, 12, 14, 1, 30),
    "dst-night": datetime(2027, 3, 29, 3, 30),
    # The demo company works by Russia's production calendar (seeds/calendar-ru.toml):
    # 31 December and 1-8 January are days off, 9-10 January a weekend.
    "new-years-eve": datetime(2027, 1, 11, 23, 30),
}


@at_every_moment
def test_a_stage_of_working_days_is_due_on_the_company_s_calendar(clock_moment):
    item = launch_article()  # its brief stage takes one working day
    due = clock.local(item.stage_due_at, MOSCOW).replace(tzinfo=None)
    assert due == NEXT_WORKING_DAY[moment_name(clock_moment)]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": "  "}, "Give the item a title."),
        ({"values": {}}, "Fill in “Topic and goal”."),
        ({"roles": {"Marketer": None}}, "Choose who will be “Marketer”."),
        ({"values": {"topic": "x", "channel": "Nowhere"}}, "choose one of the options"),
    ],
)
def test_launch_refuses_incomplete_input(overrides, message):
    with pytest.raises(DomainError, match=message):
        launch_article(**overrides)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(ProcessInstance)) == 0


def test_the_whole_article_with_one_rejection_and_rework():
    item = launch_article(publish_on=clock.company_today() + timedelta(days=3))
    with pytest.raises(DomainError, match="Fill in first: Content brief"):
        act(item, "marketer@demo.local", "complete")
    db.session.rollback()
    act(item, "marketer@demo.local", "complete", values={"brief": "Audience: SMB owners"})
    assert (stage_key(item), item.assignee.email) == ("copy", "copywriter@demo.local")

    act(item, "copywriter@demo.local", "complete", values={"text": URL})
    assert (stage_key(item), item.assignee.email) == ("copy_review", "marketer@demo.local")

    with pytest.raises(DomainError, match="needs a comment"):
        act(item, "marketer@demo.local", "reject", comment=" ")
    db.session.rollback()
    act(item, "marketer@demo.local", "reject", comment="Too dry, add examples")
    assert (stage_key(item), item.assignee.email, item.rework_count) == (
        "copy",
        "copywriter@demo.local",
        1,
    )
    [returned] = notes("copywriter@demo.local", "returned")
    assert returned.comment == "Too dry, add examples"

    act(item, "copywriter@demo.local", "complete")
    act(item, "marketer@demo.local", "approve")
    assert [n.instance_id for n in notes("copywriter@demo.local", "approved")] == [item.id]
    assert (stage_key(item), item.assignee.email) == ("design", "designer@demo.local")

    act(item, "designer@demo.local", "complete", values={"layout": URL + "/layout"})
    act(item, "marketer@demo.local", "approve")
    assert stage_key(item) == "ready"
    assert item.stage_due_at.date() == item.publish_on

    assert engine.tick(clock.company_today()) == []  # not yet the publication date
    moved = engine.tick(item.publish_on)
    db.session.commit()
    assert [i.id for i in moved] == [item.id]
    db.session.refresh(item)
    assert (item.state, item.stage.key, item.assignee) == (InstanceState.DONE, "published", None)
    kinds = [
        e.kind
        for e in db.session.scalars(
            db.select(Event).where(Event.instance_id == item.id).order_by(Event.id)
        )
    ]
    assert kinds == [
        "launched",
        "fields",
        "completed",
        "fields",
        "completed",
        "rejected",
        "completed",
        "approved",
        "fields",
        "completed",
        "approved",
        "published",
    ]


def test_publish_now_moves_a_waiting_item_at_once():
    item = launch_article()
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    act(item, "copywriter@demo.local", "complete", values={"text": URL})
    act(item, "marketer@demo.local", "approve")
    act(item, "designer@demo.local", "complete", values={"layout": URL})
    act(item, "marketer@demo.local", "approve")
    act(item, "marketer@demo.local", "publish")
    assert item.state == InstanceState.DONE and item.finished_at is not None


def test_only_the_assignee_acts():
    item = launch_article()
    for email in ("copywriter@demo.local", "head@demo.local", "sales@demo.local"):
        with pytest.raises(PermissionDenied, match="Olga Lebedeva has the item"):
            act(item, email, "complete", values={"brief": "b"})
        db.session.rollback()
    with pytest.raises(PermissionDenied):
        act(item, "marketer@demo.local", "approve")  # not an action of a work stage
    db.session.rollback()
    assert stage_key(item) == "brief"


def test_a_stale_version_is_a_conflict_and_changes_nothing():
    item = launch_article()
    old = item.lock_version
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    with pytest.raises(Conflict, match="moved on"):
        engine.act(
            item,
            user("copywriter@demo.local"),
            "complete",
            expected_version=old,
            values={"text": URL},
        )
    db.session.rollback()
    assert stage_key(item) == "copy"


def test_two_people_acting_at_once_apply_exactly_one_action(app):
    """Two sessions load the same version and act together: one wins, one hears it moved on."""
    item = launch_article()
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    act(item, "copywriter@demo.local", "complete", values={"text": URL})
    item_id, version = item.id, item.lock_version
    barrier = threading.Barrier(2)
    results = []

    def approve_or_reject(action):
        with app.app_context():
            mine = db.session.get(ProcessInstance, item_id)
            marketer = user("marketer@demo.local")
            barrier.wait()
            try:
                engine.act(mine, marketer, action, expected_version=version, comment="why")
                db.session.commit()
                results.append(action)
            except Exception as error:  # noqa: BLE001 - the loser's error is what we check
                db.session.rollback()
                results.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve_or_reject, args=(a,)) for a in ("approve", "reject")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if r in ("approve", "reject")]
    assert len(winners) == 1, results
    # the loser hears it moved on: from its version check, the flush or the database's lock
    losers = [r for r in results if r not in winners]
    assert losers in (["Conflict"], ["StaleDataError"], ["OperationalError"])
    db.session.expire_all()
    moves = db.session.scalar(
        db.select(db.func.count())
        .select_from(Event)
        .where(Event.instance_id == item_id, Event.kind.in_(["approved", "rejected"]))
    )
    assert moves == 1
    assert stage_key(db.session.get(ProcessInstance, item_id)) == (
        "design" if winners == ["approve"] else "copy"
    )


def test_managers_reassign_move_back_and_cancel_with_a_comment():
    item = launch_article()
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    head = user("head@demo.local")
    with pytest.raises(PermissionDenied):
        engine.reassign(
            item,
            user("marketer@demo.local"),
            user("smm@demo.local"),
            comment="x",
            expected_version=None,
        )
    with pytest.raises(DomainError, match="Add a comment"):
        engine.reassign(item, head, user("smm@demo.local"), comment="", expected_version=None)
    engine.reassign(
        item,
        head,
        user("smm@demo.local"),
        comment="Dmitry is ill",
        expected_version=item.lock_version,
    )
    db.session.commit()
    assert item.assignee.email == "smm@demo.local"
    assert len(notes("smm@demo.local", "assigned")) == 1

    with pytest.raises(DomainError, match="earlier stage"):
        engine.move_back(item, head, "design", comment="x", expected_version=None)
    engine.move_back(item, head, "brief", comment="The brief changed", expected_version=None)
    db.session.commit()
    assert (item.stage.key, item.assignee.email) == ("brief", "marketer@demo.local")

    engine.cancel(item, user("admin@demo.local"), comment="Topic dropped", expected_version=None)
    db.session.commit()
    assert item.state == InstanceState.CANCELLED and item.assignee is None
    with pytest.raises(Conflict, match="already finished"):
        engine.cancel(item, head, comment="again", expected_version=None)


def _copywriters_rule(rule: PickRule):
    article = template("article")
    stage = editing.update_stage(
        user("head@demo.local"),
        article,
        "copy",
        responsible="group",
        group_id=group_id("copywriters"),
        pick_rule=rule,
    )
    editing.publish(user("head@demo.local"), article)
    db.session.commit()
    return stage


def group_id(slug):

    return db.session.scalar(db.select(Group.id).where(Group.slug == slug))


def _to_copy(title):
    item = launch_article(title)
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    return item.assignee.email


def test_pick_rule_first_always_takes_the_first_member():

    _copywriters_rule(PickRule.FIRST)
    assert template("article").current_version.stages[1].responsible == Responsible.GROUP
    assert {_to_copy(f"A{n}") for n in range(3)} == {"copywriter@demo.local"}  # Dmitry < Olga


def test_pick_rule_round_robin_takes_turns():
    _copywriters_rule(PickRule.ROUND_ROBIN)
    assert [_to_copy(f"A{n}") for n in range(4)] == [
        "copywriter@demo.local",
        "marketer@demo.local",
        "copywriter@demo.local",
        "marketer@demo.local",
    ]


def test_pick_rule_least_loaded_takes_whoever_has_least():
    _copywriters_rule(PickRule.LEAST_LOADED)
    # Copywriters are Dmitry (the first) and Olga, who also holds each brief until it moves.
    # A tie goes to the first; once Dmitry has two items and Olga one, Olga is picked —
    # unlike "first" (always Dmitry) and "round robin" (Dmitry, Olga, Dmitry).
    assert [_to_copy(f"A{n}") for n in range(3)] == [
        "copywriter@demo.local",
        "copywriter@demo.local",
        "marketer@demo.local",
    ]


def test_a_deactivated_person_is_not_picked():
    copywriter = user("copywriter@demo.local")
    copywriter.active = False
    db.session.commit()
    _copywriters_rule(PickRule.FIRST)
    assert _to_copy("A1") == "marketer@demo.local"


def test_closed_departments_hide_their_processes_but_not_from_participants():
    marketing = db.session.scalar(db.select(Department).where(Department.slug == "marketing"))
    marketing.visibility = Visibility.DEPARTMENT
    db.session.commit()
    item = launch_article()
    with pytest.raises(NotFound):
        engine.launch(
            template("article"),
            user("sales@demo.local"),
            title="x",
            values={"topic": "t"},
            roles={},
        )
    db.session.rollback()

    assert not can_view_instance(user("sales@demo.local"), item)
    assert not can_view_instance(user("sales.head@demo.local"), item)
    assert can_view_instance(user("ceo@demo.local"), item)  # Management oversees the company
    discussion.add_watcher(item, user("head@demo.local"), user=user("sales@demo.local"))
    db.session.commit()
    assert can_view_instance(user("sales@demo.local"), item)


def test_mentions_notify_and_comments_are_sanitised():
    item = launch_article()
    comment = discussion.add_comment(
        item,
        user("head@demo.local"),
        "**Please** look, @copywriter <script>alert(1)</script> [x](javascript:alert(1))",
    )
    db.session.commit()
    assert "<strong>Please</strong>" in comment.html
    assert f'<span class="mention">@{user("copywriter@demo.local").name}</span>' in comment.html
    assert "<script" not in comment.html and "javascript:" not in comment.html
    assert len(notes("copywriter@demo.local", "mentioned")) == 1
    with pytest.raises(DomainError):
        discussion.add_comment(item, user("head@demo.local"), "   ")


def test_watchers_hear_about_moves_and_departments_can_watch():
    item = launch_article()
    discussion.add_watcher(item, user("head@demo.local"), user=user("sales@demo.local"))
    sales = db.session.scalar(db.select(Department).where(Department.slug == "sales"))
    discussion.add_watcher(item, user("head@demo.local"), department=sales)
    db.session.commit()
    with pytest.raises(DomainError, match="Already watching"):
        discussion.add_watcher(item, user("head@demo.local"), department=sales)
    db.session.rollback()
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})
    assert len(notes("sales@demo.local", "watched")) == 1


def test_a_watcher_who_takes_the_item_hears_as_its_holder_not_as_a_watcher():
    item = launch_article()
    for email in ("copywriter@demo.local", "sales@demo.local"):
        discussion.add_watcher(item, user("head@demo.local"), user=user(email))
    db.session.commit()
    act(item, "marketer@demo.local", "complete", values={"brief": "b"})  # to the copywriter
    assert len(notes("copywriter@demo.local", "assigned")) == 1
    assert notes("copywriter@demo.local", "watched") == []
    assert len(notes("sales@demo.local", "watched")) == 1
    act(item, "copywriter@demo.local", "complete", values={"text": URL})  # on to the marketer
    assert len(notes("copywriter@demo.local", "watched")) == 0  # they acted themselves
    assert len(notes("sales@demo.local", "watched")) == 2


def test_notifications_carry_the_time_of_the_change():

    at = datetime(2026, 11, 2, 9, 30)
    item = launch_article(at=at)
    act(item, "marketer@demo.local", "complete", values={"brief": "b"}, at=at + timedelta(hours=2))
    [first] = notes("marketer@demo.local", "assigned")
    [second] = notes("copywriter@demo.local", "assigned")
    assert (first.at, second.at) == (at, at + timedelta(hours=2))
