"""Approvals reach the person who should give them and stay with them: the text approver is a
role (the department's head unless the launch says otherwise), a takeover holds across
rework, and everyone whose work moved hears of it."""

import pytest
from support import launch_article, template, user

from mkflow.activity import discussion
from mkflow.core.database import db
from mkflow.models import Notification
from mkflow.people import company
from mkflow.processes import engine
from mkflow.processes.history import stage_path
from mkflow.processes.role_choices import role_choices

pytestmark = pytest.mark.usefixtures("processes")
TEXT = {"text": "https://docs.example/article"}


def act(item, email, action, **extra):
    engine.act(item, user(email), action, expected_version=item.lock_version, **extra)
    db.session.commit()


def to_text_approval(item):
    act(item, "marketer@demo.local", "complete", values={"brief": "The brief"})
    act(item, "copywriter@demo.local", "complete", values=TEXT)
    assert item.stage.key == "copy_review"


def take_over(item, by="head@demo.local"):
    engine.reassign(
        item, user(by), user(by), comment="I approve this one", expected_version=item.lock_version
    )
    db.session.commit()


def unread(email, kind=None):
    query = db.select(Notification.kind).where(
        Notification.user_id == user(email).id, Notification.read_at.is_(None)
    )
    kinds = db.session.scalars(query).all()
    return [k for k in kinds if kind is None or k == kind]


def test_the_launch_form_offers_the_head_as_text_approver_and_the_department_first():
    choices = {c.name: c for c in role_choices(template("article"), company.active_users())}
    assert list(choices) == ["Marketer", "Copywriter", "Text approver"]
    assert choices["Text approver"].chosen_id == user("head@demo.local").id
    assert choices["Marketer"].chosen_id is None  # nobody held it yet: nothing is guessed
    department = {p.email for p in choices["Marketer"].department}
    others = {p.email for p in choices["Marketer"].others}
    assert "marketer@demo.local" in department and "sales@demo.local" in others


def test_the_launch_form_chooses_whoever_last_held_each_role():
    launch_article(roles={"Text approver": user("pr@demo.local").id})
    choices = {
        c.name: c.chosen_id for c in role_choices(template("article"), company.active_users())
    }
    assert choices == {
        "Marketer": user("marketer@demo.local").id,
        "Copywriter": user("copywriter@demo.local").id,
        "Text approver": user("pr@demo.local").id,
    }


def test_the_text_approver_gets_the_text_and_every_item_says_who_approves():
    item = launch_article(roles={"Text approver": user("head@demo.local").id})
    path = {step.key: step for step in stage_path(item)}
    assert path["copy_review"].holder_id == user("head@demo.local").id
    assert path["design_review"].holder_id == user("marketer@demo.local").id
    assert path["design"].group and path["design"].holder_id is None
    to_text_approval(item)
    assert item.assignee.email == "head@demo.local"
    assert unread("head@demo.local", "approval") == ["approval"]


def test_a_takeover_holds_across_rework_and_the_rejecter_hears_of_the_resubmission():
    item = launch_article()  # the marketer approves the text
    to_text_approval(item)
    take_over(item)
    assert item.assignee.email == "head@demo.local"
    act(item, "head@demo.local", "reject", comment="Too long")
    assert (item.stage.key, item.assignee.email) == ("copy", "copywriter@demo.local")
    act(item, "copywriter@demo.local", "complete", values=TEXT)
    assert (item.stage.key, item.assignee.email) == ("copy_review", "head@demo.local")
    assert unread("head@demo.local", "resubmitted") == ["resubmitted"]
    assert unread("head@demo.local", "approval") == []  # one notice, not two
    assert "approval" not in unread("marketer@demo.local")
    # the next round goes to her again, and she hears again
    act(item, "head@demo.local", "reject", comment="Still too long")
    act(item, "copywriter@demo.local", "complete", values=TEXT)
    assert item.assignee.email == "head@demo.local"
    assert len(unread("head@demo.local", "resubmitted")) == 2


def test_whoever_rejected_hears_of_the_resubmission_even_when_someone_else_approves_now():
    item = launch_article()
    to_text_approval(item)
    act(item, "marketer@demo.local", "reject", comment="Add figures")
    engine.reassign(
        item,
        user("head@demo.local"),
        user("smm@demo.local"),
        comment="Dmitry rewrites it",
        expected_version=item.lock_version,
    )
    db.session.commit()
    act(item, "smm@demo.local", "complete", values=TEXT)
    assert item.assignee.email == "marketer@demo.local"
    assert unread("marketer@demo.local", "resubmitted") == ["resubmitted"]
    assert unread("marketer@demo.local", "approval") == ["approval"]  # the first round's only


def test_the_person_an_item_is_taken_from_is_told_and_their_requests_are_settled():
    item = launch_article()
    to_text_approval(item)
    assert unread("marketer@demo.local", "approval") == ["approval"]
    take_over(item)
    assert unread("marketer@demo.local", "approval") == []
    assert unread("marketer@demo.local", "taken_over") == ["taken_over"]
    note = db.session.scalar(db.select(Notification).where(Notification.kind == "taken_over"))
    assert (note.actor.email, note.comment) == ("head@demo.local", "I approve this one")
    # a takeover onto someone else asks them to approve, as a hand-off would
    engine.reassign(
        item,
        user("head@demo.local"),
        user("pr@demo.local"),
        comment="Irina knows the client",
        expected_version=item.lock_version,
    )
    db.session.commit()
    assert unread("pr@demo.local") == ["approval"]
    assert unread("head@demo.local", "taken_over") == []  # she gave it away herself


def test_an_old_rejection_approved_since_is_not_a_resubmission():
    item = launch_article()  # the marketer approves the text and the layout
    to_text_approval(item)
    act(item, "marketer@demo.local", "reject", comment="Shorter")
    act(item, "copywriter@demo.local", "complete", values=TEXT)
    assert unread("marketer@demo.local", "resubmitted") == ["resubmitted"]
    act(item, "marketer@demo.local", "approve")
    # the head moves it back to the writing; it returns to the text approval
    engine.move_back(
        item,
        user("head@demo.local"),
        "copy",
        comment="The client changed the brief",
        expected_version=item.lock_version,
    )
    db.session.commit()
    act(item, "copywriter@demo.local", "complete", values=TEXT)
    assert item.stage.key == "copy_review"
    assert unread("marketer@demo.local", "resubmitted") == ["resubmitted"]  # still the one
    assert "approval" in unread("marketer@demo.local")  # asked again, as for new work


def test_a_takeover_leaves_mentions_unread():
    item = launch_article()
    to_text_approval(item)
    discussion.add_comment(item, user("copywriter@demo.local"), "@marketer see the numbers")
    db.session.commit()
    assert "mentioned" in unread("marketer@demo.local")
    take_over(item)
    assert "mentioned" in unread("marketer@demo.local")
    assert "approval" not in unread("marketer@demo.local")
