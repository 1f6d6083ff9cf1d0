"""Process figures from the event history: throughput, cycle time (launch to the final
stage), time per stage, first-pass approval rate and the cumulative flow of the stages.

An item "finishes" with the event that brings it into a final stage; its cycle time runs
from its launch (``created_at``, the moment of its "launched" event) to that one. A
stage's time is the ``seconds_in_stage`` of the events that take items out of it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, case, func, literal, select, union_all
from sqlalchemy.orm import aliased

from mkflow.analytics.filters import Filters, as_day, monday, percentile, seconds_between
from mkflow.core.database import db, on_postgres
from mkflow.models import (
    Event,
    EventKind,
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Stage,
    StageKind,
)
from mkflow.processes.history import ENTERING

# Events that bring an item into a stage, and those that take it out of one.
ENTERS = tuple(ENTERING)
LEAVES = (*(ENTERING - {EventKind.LAUNCHED}), EventKind.CANCELLED)
DECISIONS = (EventKind.APPROVED, EventKind.REJECTED)
HOUR = 3600.0


def item_conditions(f: Filters) -> list:
    """Which process items the filters cover: the template's, else the department's; with a
    person, the items that person held at some stage."""
    conditions = []
    template = ProcessInstance.template_id
    if db.engine.dialect.name == "sqlite":
        # A department's templates hold most items: the plan should start from the period's
        # events, by their time. SQLite, without statistics, would start from every item of
        # the department unless the column is an expression; Postgres has statistics.
        template = template + 0
    if f.template_id is not None:
        conditions.append(template == f.template_id)
    elif f.department_id is not None:
        ids = select(ProcessTemplate.id).where(ProcessTemplate.department_id == f.department_id)
        conditions.append(template.in_(ids.correlate(None)))
    if f.person_id is not None:
        held = aliased(Event)
        ids = select(held.instance_id).where(held.assignee_id == f.person_id)
        conditions.append(ProcessInstance.id.in_(ids.correlate(None)))
    return conditions


def day_of(column, offset: timedelta):
    """The company's calendar day of a stored (naive UTC) moment."""
    if not offset:
        return func.date(column, type_=Date)
    if on_postgres():
        return func.date(column + offset, type_=Date)
    return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes", type_=Date)


def templates(f: Filters) -> dict[int, tuple[str, str]]:
    """The department's templates (or the chosen one): id -> (name, colour)."""
    query = select(ProcessTemplate.id, ProcessTemplate.name, ProcessTemplate.color)
    if f.template_id is not None:
        query = query.where(ProcessTemplate.id == f.template_id)
    else:
        query = query.where(ProcessTemplate.department_id == f.department_id)
    rows = db.session.execute(query.order_by(ProcessTemplate.name))
    return {tid: (name, colour) for tid, name, colour in rows}


# --- items finished in the period ---------------------------------------------------------


def finished(f: Filters, *columns):
    """A select of ``columns`` over the events that finished an item in the period."""
    finals = select(Stage.id).where(Stage.kind == StageKind.FINAL).correlate(None)
    return (
        select(*columns)
        .select_from(Event)
        .join(ProcessInstance, Event.instance_id == ProcessInstance.id)
        .where(
            Event.to_stage_id.in_(finals),  # the index on (to_stage_id, at) finds them
            Event.at >= f.period.lo,
            Event.at < f.period.hi,
            *item_conditions(f),
        )
    )


@dataclass
class Throughput:
    weeks: list[date]  # Mondays
    counts: dict[int, dict[date, int]]  # template id -> Monday -> items finished


def throughput(f: Filters) -> Throughput:
    day = day_of(Event.at, f.period.offset)
    rows = db.session.execute(
        finished(f, ProcessInstance.template_id, day, func.count()).group_by(
            ProcessInstance.template_id, day
        )
    )
    counts: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for template_id, finished_on, count in rows:
        counts[template_id][monday(as_day(finished_on))] += count
    return Throughput(f.period.weeks(), counts)


@dataclass
class Cycle:
    count: int
    median_hours: float | None
    p85_hours: float | None


def cycle_times(f: Filters, group=ProcessInstance.template_id) -> dict:
    """Cycle time (launch to the final stage) of the items finished in the period, by
    ``group`` (the template by default): their count, median and 85th percentile."""
    query = finished(f, group, seconds_between(ProcessInstance.created_at, Event.at))
    return cycles_of(db.session.execute(query))


def cycles_of(rows) -> dict:
    """Rows of (key..., seconds) -> {key: Cycle}; a key of several columns is a tuple."""
    seconds: dict = defaultdict(list)
    for *key, value in rows:
        seconds[key[0] if len(key) == 1 else tuple(key)].append(float(value))
    return {
        key: Cycle(len(values), _hours(percentile(values, 50)), _hours(percentile(values, 85)))
        for key, values in seconds.items()
    }


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / HOUR


# --- stages -------------------------------------------------------------------------------


@dataclass
class StageTime:
    template_id: int
    key: str
    name: str
    position: int
    visits: int
    mean_hours: float
    total_hours: float


def stage_exits(f: Filters, stage, columns, *conditions):
    """A select of ``columns`` over the events that took an item out of ``stage`` (an alias
    of Stage) in the period and meet ``conditions``."""
    return (
        select(*columns)
        .select_from(Event)
        .join(ProcessInstance, Event.instance_id == ProcessInstance.id)
        .join(stage, Event.from_stage_id == stage.id)
        .where(*conditions, Event.at >= f.period.lo, Event.at < f.period.hi, *item_conditions(f))
    )


def stage_times(f: Filters) -> list[StageTime]:
    """How long items stayed at each stage: the visits that ended in the period."""
    stage = aliased(Stage)
    columns = (
        ProcessInstance.template_id,
        stage.key,
        func.max(stage.name),
        func.min(stage.position),
        func.count(),
        func.avg(Event.seconds_in_stage),
        func.sum(Event.seconds_in_stage),
    )
    rows = db.session.execute(
        stage_exits(
            f, stage, columns, Event.kind.in_(LEAVES), Event.seconds_in_stage.is_not(None)
        ).group_by(ProcessInstance.template_id, stage.key)
    )
    result = [
        StageTime(tid, key, name, pos, visits, float(mean) / HOUR, float(total) / HOUR)
        for tid, key, name, pos, visits, mean, total in rows
    ]
    return sorted(result, key=lambda s: (s.template_id, s.position))


@dataclass
class FirstPass:
    template_id: int
    key: str
    name: str
    position: int
    decided: int  # items approved or rejected at the stage in the period
    rejected: int  # of them, items sent back at least once

    @property
    def rate(self) -> float:
        """The share of items approved without being sent back, in per cent."""
        return 100.0 * (self.decided - self.rejected) / self.decided


def first_pass(f: Filters) -> list[FirstPass]:
    """Per approval stage: the items decided there in the period and how many of them were
    sent back at least once (in the period)."""
    stage = aliased(Stage)
    columns = (
        ProcessInstance.template_id.label("template_id"),
        stage.key.label("key"),
        func.max(stage.name).label("name"),
        func.min(stage.position).label("position"),
        func.max(case((Event.kind == EventKind.REJECTED, 1), else_=0)).label("rejected"),
    )
    per_item = (
        stage_exits(f, stage, columns, Event.kind.in_(DECISIONS))
        .group_by(ProcessInstance.template_id, stage.key, Event.instance_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            per_item.c.template_id,
            per_item.c.key,
            func.max(per_item.c.name),
            func.min(per_item.c.position),
            func.count(),
            func.sum(per_item.c.rejected),
        ).group_by(per_item.c.template_id, per_item.c.key)
    )
    result = [FirstPass(*row[:5], int(row[5])) for row in rows]
    return sorted(result, key=lambda s: (s.template_id, s.position))


# --- cumulative flow ----------------------------------------------------------------------


@dataclass
class Flow:
    days: list[date]
    stages: list[tuple[str, str]]  # (key, name) in stage order
    counts: dict[str, list[int]]  # key -> items at the stage at the end of each day


def _moves(f: Filters, template_id: int, since):
    """Items into (+1) and out of (-1) each stage since ``since``, per stage key and day."""
    stage = aliased(Stage)
    parts = []
    for kinds, column, sign in ((ENTERS, Event.to_stage_id, 1), (LEAVES, Event.from_stage_id, -1)):
        parts.append(
            select(
                stage.key.label("key"),
                day_of(Event.at, f.period.offset).label("day"),
                literal(sign).label("d"),
            )
            .select_from(Event)
            .join(ProcessInstance, Event.instance_id == ProcessInstance.id)
            .join(stage, column == stage.id)
            .where(
                Event.kind.in_(kinds),
                Event.at >= since,
                ProcessInstance.template_id == template_id,
                *item_conditions(f),
            )
        )
    moves = union_all(*parts).subquery()
    return db.session.execute(
        select(moves.c.key, moves.c.day, func.sum(moves.c.d)).group_by(moves.c.key, moves.c.day)
    )


def _now_at_stages(f: Filters, template_id: int) -> dict[str, int]:
    """Items at each stage now: the active ones where they are, the finished ones at their
    final stage (a cancelled item left its stage)."""
    rows = db.session.execute(
        select(Stage.key, func.count())
        .select_from(ProcessInstance)
        .join(Stage, ProcessInstance.stage_id == Stage.id)
        .where(
            ProcessInstance.template_id == template_id,
            ProcessInstance.state != InstanceState.CANCELLED,
            *item_conditions(f),
        )
        .group_by(Stage.key)
    )
    return dict(rows.all())


def cumulative_flow(f: Filters, template_id: int) -> Flow:
    """Items at each stage of ``template_id`` at the end of each day of the period (of each
    week when the period is longer than 92 days); the final stage counts every item done.

    Counted back from now: the items at each stage now, less the moves since the period
    began, is where they stood then; the moves of each day carry it forward. So only the
    events since the period's start are read, however long the history."""
    period = f.period
    level: dict[str, int] = defaultdict(int, _now_at_stages(f, template_id))
    changes: dict[date, dict[str, int]] = defaultdict(dict)
    for key, day, delta in _moves(f, template_id, period.lo):
        changes[as_day(day)][key] = int(delta)
        level[key] -= int(delta)
    stages = _stage_order(template_id, set(level))
    step = 7 if period.days > 92 else 1
    days, counts = [], {key: [] for key, _ in stages}
    for n in range(period.days):
        day = period.start + timedelta(days=n)
        for key, delta in changes.get(day, {}).items():
            level[key] += delta
        if (period.end - day).days % step == 0:
            days.append(day)
            for key, _ in stages:
                counts[key].append(level[key])
    return Flow(days, stages, counts)


def _stage_order(template_id: int, seen: set[str]) -> list[tuple[str, str]]:
    """The template's stages (current version first, then any older keys still in use)."""
    rows = db.session.execute(
        select(Stage.key, Stage.name, Stage.version_id)
        .join(ProcessTemplate, ProcessTemplate.current_version_id == Stage.version_id)
        .where(ProcessTemplate.id == template_id)
        .order_by(Stage.position)
    ).all()
    order = [(key, name) for key, name, _ in rows]
    known = {key for key, _ in order}
    return order + sorted((key, key) for key in seen - known)


def busiest_template(f: Filters, data: Throughput, names: dict) -> int | None:
    """The chosen template, else the one with the most items finished in the period,
    else the department's first (``names``: its templates)."""
    if f.template_id is not None:
        return f.template_id
    totals = {tid: sum(weeks.values()) for tid, weeks in data.counts.items()}
    if totals:
        return min(totals, key=lambda tid: (-totals[tid], tid))
    return next(iter(names), None)
