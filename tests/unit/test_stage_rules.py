"""The engine's pure rules, with plain values (no database, no HTTP)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mkflow.core.workdays import add_working_days, due_after
from mkflow.models import Responsible, StageKind
from mkflow.processes.rules import (
    Action,
    ManagerAction,
    StageSpec,
    actions_for,
    comment_required,
    manager_actions,
    validate,
)

WORK, APPROVAL, WAIT, FINAL = StageKind.WORK, StageKind.APPROVAL, StageKind.WAIT, StageKind.FINAL


def stage(key, kind=WORK, responsible=Responsible.LAUNCHER, reject_to=None):
    return StageSpec(
        key=key,
        name=key.title(),
        kind=kind,
        responsible=responsible,
        has_holder=responsible is not None,
        reject_to_key=reject_to,
    )


ARTICLE = [
    stage("brief"),
    stage("copy"),
    stage("copy_review", APPROVAL, reject_to="copy"),
    stage("design"),
    stage("design_review", APPROVAL, reject_to="design"),
    stage("ready", WAIT),
    stage("published", FINAL, responsible=None),
]


@pytest.mark.parametrize(
    "kind, expected",
    [
        (WORK, (Action.COMPLETE,)),
        (APPROVAL, (Action.APPROVE, Action.REJECT)),
        (WAIT, (Action.PUBLISH,)),
        (FINAL, ()),
    ],
)
def test_the_assignee_gets_the_actions_of_the_stage_kind(kind, expected):
    assert actions_for(kind, is_assignee=True, is_active=True) == expected


@pytest.mark.parametrize("is_assignee, is_active", [(False, True), (True, False), (False, False)])
def test_nobody_else_acts_and_nothing_acts_on_a_finished_item(is_assignee, is_active):
    for kind in StageKind:
        assert actions_for(kind, is_assignee=is_assignee, is_active=is_active) == ()


def test_managers_reassign_move_back_and_cancel_active_items_only():
    assert manager_actions(is_manager=True, is_active=True) == tuple(ManagerAction)
    assert manager_actions(is_manager=True, is_active=False) == ()
    assert manager_actions(is_manager=False, is_active=True) == ()


def test_rejecting_and_manager_actions_need_a_comment():
    assert comment_required(Action.REJECT)
    assert all(comment_required(a) for a in ManagerAction)
    assert not comment_required(Action.APPROVE)


def test_the_article_chain_is_valid():
    assert validate(ARTICLE) == []


def messages(stages):
    return [str(p.message) for p in validate(stages)]


def test_a_process_needs_stages_and_a_final_stage():
    assert messages([]) == ["Add at least one stage."]
    assert any("no final stage" in m for m in messages(ARTICLE[:-1]))


def test_stages_after_the_final_stage_are_unreachable():
    problems = validate(ARTICLE + [stage("late")])
    assert [p.stage_key for p in problems] == ["late"]
    assert "can never be reached" in str(problems[0].message)


def test_the_first_stage_cannot_be_final():
    assert any(
        "first stage cannot be final" in m
        for m in messages([stage("end", FINAL, responsible=None)])
    )


def test_a_stage_without_a_responsible_is_refused():
    broken = list(ARTICLE)
    broken[1] = stage("copy", responsible=None)
    assert [p.stage_key for p in validate(broken)] == ["copy"]
    holderless = StageSpec(
        key="copy", name="Copy", kind=WORK, responsible=Responsible.GROUP, has_holder=False
    )
    assert [p.stage_key for p in validate([holderless, ARTICLE[-1]])] == ["copy"]


@pytest.mark.parametrize("target", [None, "copy_review", "design", "nowhere"])
def test_a_reject_target_must_be_an_earlier_stage(target):
    broken = list(ARTICLE)
    broken[2] = stage("copy_review", APPROVAL, reject_to=target)
    problems = validate(broken)
    assert [p.stage_key for p in problems] == ["copy_review"]
    assert "earlier stage" in str(problems[0].message)


def test_working_days_skip_the_weekend():
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 1) == date(2026, 11, 30)
    assert add_working_days(friday, 5) == date(2026, 12, 4)
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Saturday
    assert add_working_days(date(2026, 11, 30), -1) == friday


def test_due_times_in_working_days_or_hours():
    friday_evening = datetime(2026, 11, 27, 18, 0)
    assert due_after(friday_evening, 1, "days") == datetime(2026, 11, 30, 18, 0)
    assert due_after(friday_evening, 4, "hours") == datetime(2026, 11, 27, 22, 0)
    assert due_after(friday_evening, 0, "days") is None


def test_working_days_are_counted_on_the_company_s_calendar_and_clock():
    moscow, berlin = ZoneInfo("Europe/Moscow"), ZoneInfo("Europe/Berlin")
    saturday_night = datetime(2026, 12, 11, 22, 30)  # Saturday 01:30 in Moscow, Friday in UTC
    assert due_after(saturday_night, 1, "days", moscow) == datetime(2026, 12, 13, 22, 30)
    assert due_after(saturday_night, 1, "days") == datetime(2026, 12, 14, 22, 30)  # UTC's
    # 10:00 on Friday stays 10:00 on Monday across the end of summer time (UTC+2 -> UTC+1).
    assert due_after(datetime(2026, 10, 23, 8, 0), 1, "days", berlin) == datetime(
        2026, 10, 26, 9, 0
    )
