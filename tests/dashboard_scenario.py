"""A small hand-built history for the dashboard tests, with fixed timestamps (2026).

Article items (stages: brief → copy → copy_review → design → design_review → ready →
published), acted on by the demo marketer, copywriter and designer:

- D: launched Mon 23 Feb 09:00, straight through, published Tue 24 Feb 09:00 (previous
  period; cycle 24 h; no deadline).
- A: launched Mon 2 Mar 09:00; brief 2 h, copy 24 h, text rejected after 2 h, copy again
  24 h, approved after 2 h, design 24 h, layout approved after 2 h, ready 16 h: published
  Fri 6 Mar 09:00 (cycle 96 h; deadline 6 Mar: on time).
- B: launched Mon 9 Mar 09:00; brief 1 h, copy 4 h, approved after 1 h, design 24 h,
  layout rejected after 1 h, design again 24 h, approved after 1 h, ready 16 h: published
  Thu 12 Mar 09:00 (cycle 72 h; deadline 11 Mar: late).
- C: launched Tue 10 Mar 09:00; brief 1 h, copy 2 h, approved after 1 h: at design since
  Tue 10 Mar 13:00, due two working days later (Thu 12 Mar 13:00).

A marketing project's tasks (dates set directly, done events written with fixed times):
T1 due 5 Mar done 4 Mar (on time), T2 due 12 Mar done 12 Mar 15:00 (on time), T3 without
a due date done 10 Mar; the designer's open T4 due 10 Mar, T5 due 18 Mar, T6 undated and
milestone M due 20 Mar; T5 moved by the scheduler on 9 Mar and 10 Mar.

The period is Mon 2 Mar – Sun 15 Mar 2026; "now" is Fri 13 Mar 2026, 12:00.
"""

from datetime import date, datetime

from sqlalchemy import insert, update
from support import add_people, launch_article, new_project, new_task, user

from mkflow.core.database import db
from mkflow.models import Event, Task, TaskStatus
from mkflow.processes import engine

START, END = date(2026, 3, 2), date(2026, 3, 15)
NOW = datetime(2026, 3, 13, 12, 0)
TODAY = NOW.date()
PERIOD = {"from": START.isoformat(), "to": END.isoformat()}

FIELDS = {
    "brief": {"brief": "Audience and key points"},
    "copy": {"text": "https://docs.demo.local/text"},
    "design": {"layout": "https://docs.demo.local/layout"},
}


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour)


def step(item, action: str, moment: datetime, **extra) -> None:
    values = FIELDS.get(item.stage.key) if action == "complete" else None
    if action == "reject":
        extra.setdefault("comment", "Fix it")
    actor = item.assignee
    engine.act(item, actor, action, expected_version=None, at=moment, values=values, **extra)
    db.session.commit()


def run(item, steps) -> None:
    for action, moment in steps:
        step(item, action, moment)


def build() -> dict:
    """The items and tasks above; returns them by letter."""
    d = launch_article("D", at=at(23, 9, month=2))
    run(
        d,
        [
            ("complete", at(23, 10, 2)),
            ("complete", at(23, 12, 2)),
            ("approve", at(23, 13, 2)),
            ("complete", at(23, 16, 2)),
            ("approve", at(23, 17, 2)),
            ("publish", at(24, 9, 2)),
        ],
    )
    a = launch_article("A", at=at(2, 9), deadline=date(2026, 3, 6))
    run(
        a,
        [
            ("complete", at(2, 11)),
            ("complete", at(3, 11)),
            ("reject", at(3, 13)),
            ("complete", at(4, 13)),
            ("approve", at(4, 15)),
            ("complete", at(5, 15)),
            ("approve", at(5, 17)),
            ("publish", at(6, 9)),
        ],
    )
    b = launch_article("B", at=at(9, 9), deadline=date(2026, 3, 11))
    run(
        b,
        [
            ("complete", at(9, 10)),
            ("complete", at(9, 14)),
            ("approve", at(9, 15)),
            ("complete", at(10, 15)),
            ("reject", at(10, 16)),
            ("complete", at(11, 16)),
            ("approve", at(11, 17)),
            ("publish", at(12, 9)),
        ],
    )
    c = launch_article("C", at=at(10, 9))
    run(c, [("complete", at(10, 10)), ("complete", at(10, 12)), ("approve", at(10, 13))])

    project = new_project("Spring campaign", start_date=date(2026, 3, 2))
    add_people(project, "designer@demo.local", "copywriter@demo.local")
    designer = user("designer@demo.local")
    tasks = {
        "T1": new_task(project, "T1", due_date=date(2026, 3, 5)),
        "T2": new_task(project, "T2", due_date=date(2026, 3, 12)),
        "T3": new_task(project, "T3"),
        "T4": new_task(project, "T4", assignee=designer, due_date=date(2026, 3, 10)),
        "T5": new_task(project, "T5", assignee=designer, due_date=date(2026, 3, 18)),
        "T6": new_task(project, "T6", assignee=designer),
        "M": new_task(project, "M", milestone=True, due_date=date(2026, 3, 20)),
    }
    copywriter = user("copywriter@demo.local")
    done = {"T1": at(4, 12), "T2": at(12, 15), "T3": at(10, 12)}
    for name, moment in done.items():
        db.session.execute(
            update(Task)
            .where(Task.id == tasks[name].id)
            .values(status=TaskStatus.DONE, assignee_id=copywriter.id, status_changed_at=moment)
        )
    events = [
        {
            "task_id": tasks[name].id,
            "kind": "accept",
            "from_status": "on_review",
            "to_status": "done",
            "at": moment,
            "comment": "",
        }
        for name, moment in done.items()
    ] + [
        {"task_id": tasks["T5"].id, "kind": "rescheduled", "at": moment, "comment": ""}
        for moment in (at(9, 12), at(10, 12))
    ]
    db.session.execute(insert(Event), events)
    db.session.commit()
    return {"A": a, "B": b, "C": c, "D": d, "project": project, **tasks}
