"""The task scheduler's pure rules: working days, links, rescheduling, cycles, roll-up.

Dates are hand-computed from Monday 2 March 2026 (MON below); comments name the weekdays.
"""

import copy
import random
from datetime import date, timedelta

import pytest

from mkflow.projects.scheduling import (
    Calendar,
    Link,
    LinkKind,
    Span,
    bound,
    broken_links,
    find_cycle,
    is_broken,
    reschedule,
    roll_up,
    would_create_cycle,
)

FS, SS, FF, SF = LinkKind.FS, LinkKind.SS, LinkKind.FF, LinkKind.SF
CAL = Calendar()
MON = date(2026, 3, 2)


def d(day: int, month: int = 3) -> date:
    return date(2026, month, day)


def span(id: int, start: date | None, due: date | None) -> Span:
    return Span(id=id, title=f"task {id}", start=start, due=due)


def spans_of(*items: Span) -> dict[int, Span]:
    return {item.id: item for item in items}


def naive_add(cal: Calendar, day: date, n: int) -> date:
    if n == 0:
        while not cal.is_workday(day):
            day += timedelta(days=1)
        return day
    step = 1 if n > 0 else -1
    for _ in range(abs(n)):
        day += timedelta(days=step)
        while not cal.is_workday(day):
            day += timedelta(days=step)
    return day


def naive_workdays(cal: Calendar, start: date, due: date) -> int:
    days = (due - start).days + 1
    return max(1, sum(cal.is_workday(start + timedelta(days=i)) for i in range(days)))


# --- Calendar ---------------------------------------------------------------------------


def test_weekdays_of_the_reference_dates():
    assert MON.weekday() == 0
    assert d(7).weekday() == 5  # Saturday 7 March


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (d(5), 1, d(6)),  # Thu -> Fri
        (d(6), 1, d(9)),  # Fri -> Mon, over the weekend
        (d(5), 3, d(10)),  # Thu -> Tue
        (d(7), 1, d(9)),  # Sat -> Mon
        (d(2), 5, d(9)),  # Mon -> next Mon
        (d(2), 10, d(16)),  # Mon -> Mon two weeks on
        (d(9), -1, d(6)),  # Mon -> Fri before
        (d(7), -1, d(6)),  # Sat -> Fri
        (d(10), -3, d(5)),  # Tue -> Thu before
        (d(16), -10, d(2)),  # Mon -> Mon two weeks back
        (d(4), 0, d(4)),  # a working Wed stays
        (d(7), 0, d(9)),  # Sat rolls forward to Mon
        (d(8), 0, d(9)),  # Sun rolls forward to Mon
        (d(2), 500, MON + timedelta(weeks=100)),  # 500 = 100 five-day weeks
        (d(2), -500, MON - timedelta(weeks=100)),
    ],
)
def test_add_working_days_with_the_default_weekend(day, n, expected):
    assert CAL.add(day, n) == expected


def test_add_with_a_friday_saturday_weekend():
    cal = Calendar(weekend=frozenset({4, 5}))
    assert not cal.is_workday(d(6))  # Fri
    assert not cal.is_workday(d(7))  # Sat
    assert cal.is_workday(d(8))  # Sun
    assert cal.add(d(5), 1) == d(8)  # Thu -> Sun
    assert cal.add(d(8), -1) == d(5)  # Sun -> Thu
    assert cal.add(d(6), 0) == d(8)  # Fri rolls to Sun
    assert cal.add(d(4), 3) == d(9)  # Wed -> Thu, Sun, Mon
    assert cal.roll_forward(d(7)) == d(8)  # Sat -> Sun


@pytest.mark.parametrize(
    "weekend",
    [{5, 6}, {4, 5}, {6}, set(), {0, 2, 4}, {0, 1, 2, 3, 4, 5}],
    ids=["sat-sun", "fri-sat", "sun", "none", "mon-wed-fri", "only-sunday-works"],
)
def test_add_and_workdays_match_a_day_by_day_count(weekend):
    cal = Calendar(weekend=frozenset(weekend))
    rng = random.Random(2026)
    for _ in range(150):
        start = MON + timedelta(days=rng.randint(-1500, 1500))
        n = rng.randint(-600, 600)
        assert cal.add(start, n) == naive_add(cal, start, n), (start, n)
        due = start + timedelta(days=rng.randint(-3, 400))
        assert cal.workdays(start, due) == naive_workdays(cal, start, due), (start, due)
    for n in (500, -500, 1, -1, 0):
        assert cal.add(MON, n) == naive_add(cal, MON, n)


def test_a_calendar_needs_a_working_day_and_real_weekday_numbers():
    with pytest.raises(ValueError, match="working day"):
        Calendar(weekend=frozenset(range(7)))
    with pytest.raises(ValueError, match="weekend"):
        Calendar(weekend=frozenset({7}))


def test_workdays_counts_inclusive_working_days_and_at_least_one():
    assert CAL.workdays(d(2), d(6)) == 5  # Mon..Fri
    assert CAL.workdays(d(6), d(9)) == 2  # Fri..Mon
    assert CAL.workdays(d(2), d(13)) == 10  # Mon..Fri next week
    assert CAL.workdays(d(4), d(4)) == 1  # a one-day task
    assert CAL.workdays(d(7), d(8)) == 1  # Sat..Sun still lasts a day
    assert CAL.workdays(d(7), d(9)) == 1  # Sat..Mon


def test_due_for_is_the_last_of_the_working_days():
    assert CAL.due_for(d(2), 1) == d(2)  # Mon
    assert CAL.due_for(d(5), 3) == d(9)  # Thu, Fri, Mon
    assert CAL.due_for(d(7), 2) == d(10)  # Sat rolls to Mon: Mon, Tue
    assert CAL.workdays(d(5), CAL.due_for(d(5), 7)) == 7
    with pytest.raises(ValueError):
        CAL.due_for(d(2), 0)


# --- Links ------------------------------------------------------------------------------

# Predecessor Wed 4 .. Fri 6 March; successor Fri 27 Feb .. Mon 2 March (two working days).
PRED = span(1, d(4), d(6))
SUCC = span(2, d(27, 2), d(2))

LINK_CASES = [
    # kind, lag, what the link demands, where the successor moves (None: it stays)
    (FS, 0, ("start", d(9)), (d(9), d(10))),  # Mon after Fri; Mon..Tue
    (FS, 2, ("start", d(11)), (d(11), d(12))),  # Wed; Wed..Thu
    (FS, -1, ("start", d(6)), (d(6), d(9))),  # the Fri P ends; Fri..Mon
    (FS, -2, ("start", d(5)), (d(5), d(6))),  # Thu; Thu..Fri
    (SS, 0, ("start", d(4)), (d(4), d(5))),  # Wed; Wed..Thu
    (SS, 3, ("start", d(9)), (d(9), d(10))),  # Wed + 3 = Mon; Mon..Tue
    (SS, -1, ("start", d(3)), (d(3), d(4))),  # Tue; Tue..Wed
    (SS, -3, ("start", d(27, 2)), None),  # Fri 27 Feb: already met
    (FF, 0, ("due", d(6)), (d(5), d(6))),  # due Fri; Thu..Fri
    (FF, 1, ("due", d(9)), (d(6), d(9))),  # due Mon; Fri..Mon
    (FF, -2, ("due", d(4)), (d(3), d(4))),  # due Wed; Tue..Wed
    (SF, 0, ("due", d(3)), (d(2), d(3))),  # due Tue, the day before Wed; Mon..Tue
    (SF, 1, ("due", d(4)), (d(3), d(4))),  # due Wed; Tue..Wed
    (SF, 4, ("due", d(9)), (d(6), d(9))),  # due Mon; Fri..Mon
    (SF, -2, ("due", d(27, 2)), None),  # due Fri 27 Feb: already met by Mon 2
]


@pytest.mark.parametrize(("kind", "lag", "demand", "moved"), LINK_CASES)
def test_each_link_kind_and_lag(kind, lag, demand, moved):
    link = Link(1, 2, kind, lag)
    assert bound(link, PRED, CAL) == demand
    assert is_broken(link, PRED, SUCC, CAL) is (moved is not None)
    expected = {} if moved is None else {2: moved}
    assert reschedule(spans_of(PRED, SUCC), [link], CAL) == expected


def test_a_span_missing_one_date_uses_the_other():
    only_due = span(1, None, d(6))  # Fri
    only_start = span(1, d(4), None)  # Wed
    assert bound(Link(1, 2, FS), only_due, CAL) == ("start", d(9))  # Mon
    assert bound(Link(1, 2, SS), only_due, CAL) == ("start", d(6))
    assert bound(Link(1, 2, FF), only_start, CAL) == ("due", d(4))
    assert bound(Link(1, 2, FS), span(1, None, None), CAL) is None


def test_a_broken_link_moves_the_successor_keeping_its_working_days():
    # P Mon 2 .. Thu 5; S Mon 2 .. Wed 4 is three working days.
    spans = spans_of(span(1, d(2), d(5)), span(2, d(2), d(4)))
    # S starts Fri 6 and takes Fri, Mon, Tue: the weekend is skipped, not counted.
    assert reschedule(spans, [Link(1, 2, FS)], CAL) == {2: (d(6), d(10))}


def test_a_move_landing_on_a_weekend_starts_on_monday():
    # P ends Thu 5; a lag of one working day puts S on Mon 9, not on Sat 7.
    spans = spans_of(span(1, d(2), d(5)), span(2, d(2), d(2)))
    assert reschedule(spans, [Link(1, 2, FS, lag=1)], CAL) == {2: (d(9), d(9))}


def test_satisfied_links_move_nothing_and_nothing_moves_backward():
    # S starts Wed 18, long after P ends Fri 6: it is not pulled back to Mon 9.
    spans = spans_of(span(1, d(2), d(6)), span(2, d(18), d(20)), span(3, d(23), d(23)))
    links = [Link(1, 2, FS), Link(1, 3, FF)]
    assert reschedule(spans, links, CAL) == {}
    assert reschedule(spans, links, CAL, changed=[1]) == {}
    assert broken_links(spans, links, CAL) == []
    # Even a task whose start (Fri 20) is after its due date (Mon 2) is not pulled back
    # when an FF link breaks: it becomes one day on its start.
    spans[3] = span(3, d(20), d(2))
    assert reschedule(spans, links, CAL) == {3: (d(20), d(20))}


def test_a_task_takes_the_latest_of_start_and_due_demands():
    # From P1 (ends Fri 6) S may start Mon 9; from P2 (ends Fri 13) S must end by Fri 13 or
    # later, so the two-day S runs Thu 12 .. Fri 13.
    spans = spans_of(span(1, d(2), d(6)), span(2, d(9), d(13)), span(3, d(2), d(3)))
    links = [Link(1, 3, FS), Link(2, 3, FF)]
    assert reschedule(spans, links, CAL) == {3: (d(12), d(13))}


def test_a_task_on_a_weekend_moves_to_a_working_day():
    # S Sat 7 .. Sun 8 lasts one day; an SS link to P starting Mon 9 puts it on Mon 9.
    spans = spans_of(span(1, d(9), d(10)), span(2, d(7), d(8)))
    assert reschedule(spans, [Link(1, 2, SS)], CAL) == {2: (d(9), d(9))}


# --- Rescheduling -----------------------------------------------------------------------


def test_moves_carry_through_a_chain():
    # A was moved to Mon 9 .. Wed 11; B (Thu 5 .. Fri 6) and C (Mon 9) follow it.
    spans = spans_of(span(1, d(9), d(11)), span(2, d(5), d(6)), span(3, d(9), d(9)))
    before = copy.deepcopy(spans)
    moves = reschedule(spans, [Link(2, 3, FS), Link(1, 2, FS)], CAL, changed=[1])
    assert moves == {2: (d(12), d(13)), 3: (d(16), d(16))}  # Thu..Fri, then Mon
    assert spans == before  # the input is not touched


def test_a_diamond_takes_the_latest_bound():
    # A Mon 9 .. Tue 10; B after A; C three working days after A; D after both.
    spans = spans_of(
        span(1, d(9), d(10)),
        span(2, d(2), d(2)),
        span(3, d(2), d(3)),
        span(4, d(4), d(4)),
    )
    links = [Link(1, 2, FS), Link(2, 4, FS), Link(1, 3, FS, lag=3), Link(3, 4, FS)]
    assert reschedule(spans, links, CAL, changed=[1]) == {
        2: (d(11), d(11)),  # Wed
        3: (d(16), d(17)),  # Tue 10 + 4 working days = Mon 16; Mon..Tue
        4: (d(18), d(18)),  # after C (Wed 18), not after B (Thu 12)
    }


def test_changed_limits_the_work_to_downstream_tasks():
    # Two broken pairs: 1 -> 2 and 3 -> 4 (each predecessor ends Fri 6).
    spans = spans_of(
        span(1, d(2), d(6)), span(2, d(2), d(2)), span(3, d(2), d(6)), span(4, d(2), d(2))
    )
    links = [Link(1, 2, FS), Link(3, 4, FS)]
    assert reschedule(spans, links, CAL, changed=[1]) == {2: (d(9), d(9))}
    # A changed task is itself held to its incoming links.
    assert reschedule(spans, links, CAL, changed=[2]) == {2: (d(9), d(9))}
    assert reschedule(spans, links, CAL, changed=[]) == {}
    assert reschedule(spans, links, CAL) == {2: (d(9), d(9)), 4: (d(9), d(9))}


def test_tasks_without_dates_are_skipped_and_pass_nothing_on():
    # 1 -> 2 -> 3 with 2 undated: 3 (Mon 2) stays although 1 ends Fri 6.
    spans = spans_of(span(1, d(2), d(6)), span(2, None, None), span(3, d(2), d(2)))
    links = [Link(1, 2, FS), Link(2, 3, FS)]
    assert reschedule(spans, links, CAL) == {}
    assert reschedule(spans, links, CAL, changed=[1]) == {}
    # A task with only a start lasts a day and gets both dates when it moves.
    spans[4] = span(4, d(3), None)
    assert reschedule(spans, [*links, Link(1, 4, FS)], CAL) == {4: (d(9), d(9))}


def test_a_long_chain_is_rescheduled():
    # 5,000 two-day tasks, all on Mon 2 .. Tue 3, each starting after the one before.
    n = 5000
    spans = {i: span(i, d(2), d(3)) for i in range(n)}
    links = [Link(i, i + 1, FS) for i in reversed(range(n - 1))]
    moves = reschedule(spans, links, CAL, changed=[0])
    assert len(moves) == n - 1
    assert moves[1] == (d(4), d(5))  # Wed..Thu
    assert moves[2] == (d(6), d(9))  # Fri..Mon
    # Task i starts 2*i working days after Mon 2: the last one 9998 = 1999 weeks + 3 days
    # (a Thursday) and ends a day later (Friday).
    assert moves[n - 1] == (MON + timedelta(days=1999 * 7 + 3), MON + timedelta(days=1999 * 7 + 4))
    assert moves[n - 1][0].weekday() == 3


# --- Cycles -----------------------------------------------------------------------------


def assert_cycle(cycle, links, ids):
    """`cycle` lists exactly `ids`, and each id links to the next, the last to the first."""
    assert cycle is not None and sorted(cycle) == sorted(ids)
    pairs = {(link.predecessor, link.successor) for link in links}
    assert all((a, b) in pairs for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True))


def test_find_cycle_returns_none_for_a_dag():
    diamond = [Link(1, 2, FS), Link(1, 3, SS), Link(2, 4, FF), Link(3, 4, SF)]
    assert find_cycle(diamond) is None
    assert find_cycle([]) is None


def test_find_cycle_names_the_tasks_in_order():
    two = [Link(1, 2, FS), Link(2, 1, SS)]
    assert_cycle(find_cycle(two), two, [1, 2])
    # 3 -> 7 -> 9 -> 3, with tasks around it that are not on the cycle.
    three = [Link(1, 3, FS), Link(3, 7, FS), Link(7, 9, FF), Link(9, 10, FS), Link(9, 3, SS)]
    assert_cycle(find_cycle(three), three, [3, 7, 9])
    assert find_cycle([Link(1, 2, FS), Link(5, 5, FS)]) == [5]


def test_find_cycle_handles_long_chains_without_recursion():
    chain = [Link(i, i + 1, FS) for i in range(5000)]
    assert find_cycle(chain) is None
    looped = [*chain, Link(5000, 0, FS)]
    assert_cycle(find_cycle(looped), looped, list(range(5001)))


def test_would_create_cycle():
    links = [Link(1, 2, FS), Link(2, 3, FS)]
    new = Link(3, 1, FS)
    assert_cycle(would_create_cycle(links, new), [*links, new], [1, 2, 3])
    assert would_create_cycle(links, Link(1, 3, FS)) is None
    assert would_create_cycle(links, Link(4, 4, SS)) == [4]


def test_reschedule_refuses_a_cycle():
    spans = spans_of(span(1, d(2), d(2)), span(2, d(2), d(2)))
    with pytest.raises(ValueError, match=r"cycle: \[(1, 2|2, 1)\]"):
        reschedule(spans, [Link(1, 2, FS), Link(2, 1, FS)], CAL)


# --- Manual mode ------------------------------------------------------------------------


def test_broken_links_flags_without_moving():
    # 1 ends Fri 6; 2 starts Mon 9 (fine); 3 starts Wed 4 (too early); 4 ends Thu 5 (too early
    # for FF); 5 has no dates; 99 is not a task.
    spans = spans_of(
        span(1, d(2), d(6)),
        span(2, d(9), d(9)),
        span(3, d(4), d(4)),
        span(4, d(4), d(5)),
        span(5, None, None),
    )
    before = copy.deepcopy(spans)
    fine, early, late_due = Link(1, 2, FS), Link(1, 3, FS), Link(1, 4, FF)
    links = [fine, early, Link(1, 5, FS), late_due, Link(1, 99, FS)]
    assert broken_links(spans, links, CAL) == [early, late_due]
    assert spans == before


# --- Roll-up ----------------------------------------------------------------------------


def test_roll_up_to_any_depth():
    # 1 > 2 > 4 > 6 (three levels of parents); 7 is an undated child of 4; 5 and 3 are leaves.
    # 10 only has an undated child, so it keeps its own dates.
    spans = spans_of(
        span(1, d(4), d(16)),
        span(2, None, None),
        span(3, d(4), d(5)),  # Wed..Thu
        span(4, d(2), d(2)),
        span(5, d(12), d(16)),  # Thu..Mon
        span(6, d(9), d(20)),  # Mon..Fri
        span(7, None, None),
        span(10, d(2), d(3)),
        span(11, None, None),
    )
    parent_of = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 4, 10: None, 11: 10}
    before = copy.deepcopy(spans)
    assert roll_up(spans, parent_of) == {
        4: (d(9), d(20)),  # only 6 counts
        2: (d(9), d(20)),  # 4 and 5
        1: (d(4), d(20)),  # 3's start, 6's due
    }
    assert spans == before


def test_roll_up_reports_only_changed_parents_and_refuses_a_cycle():
    spans = spans_of(span(1, d(2), d(6)), span(2, d(2), d(3)), span(3, d(5), d(6)))
    assert roll_up(spans, {2: 1, 3: 1}) == {}
    with pytest.raises(ValueError, match="cycle"):
        roll_up(spans, {1: 2, 2: 1})
