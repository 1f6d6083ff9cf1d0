"""Benchmark of the dashboards: the department dashboard and the company dashboard over a
year of history.

    .venv/bin/python bench/dashboards.py [--db sqlite|postgres|both] [--requests 100] [--profile]

For each database: a fresh, migrated database with the demo company and the shipped process
templates, then, inserted in bulk, 10,000 process items launched over the last year (85 %
finished, 5 % cancelled, the rest active) with their whole event history — a "launched"
event and one event per stage passed, rejections sending about one item in four back
once, ``seconds_in_stage`` on each (about 100,000 events) — and 20,000 tasks in 40
projects of every department, with "done" events for the finished ones and "rescheduled"
events for one in ten. The items go in twice: 1,000 first, when a few requests of each page
count their statements, then the other 9,000. The Flask test client times:

* ``department`` GET /dashboard as the head of marketing (the last four weeks; every chart);
* ``company``    GET /dashboard/company as the company head.

Each answer is checked (200, its charts present). Postgres comes from
MKFLOW_BENCH_DASH_DATABASE_URL (default below); the database is created when missing and
its public schema is dropped and recreated.
"""

import argparse
import cProfile
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import flask_migrate
from sqlalchemy import bindparam, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402  (also puts the repository on the path)
    Result,
    StatementCounter,
    fresh_postgres,
    load_average,
    make_app,
    print_profile,
    print_table,
    sqlite_url,
    timed,
    vacuum_analyze,
)

from mkflow.core import clock
from mkflow.core.database import db  # noqa: E402
from mkflow.models import (
    Department,
    Event,
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Project,
    StageKind,
    Task,
    TaskStatus,
    User,
)
from mkflow.seeding import company_seeds, process_seeds  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mkflow_bench_dash"
ITEMS, FEW_ITEMS, TASKS, PROJECTS = 10_000, 1_000, 20_000, 40
WARMUP = 3
TARGET_MS = 150.0
HTMX = {"HX-Request": "true"}  # as the page asks for a later chart
LATER = ("cycle", "stages", "first_pass", "flow", "projects", "milestones")
# Per case: who, and the requests one sample makes with what each answer must hold. The
# department page brings its first screen; each later chart comes as the reader scrolls to
# it (htmx), so "every chart" is the page and all of them, one after the other.
PAGES = {
    "department": ("head@demo.local", [("/dashboard", 'id="throughput-table"', {})]),
    "department, every chart": (
        "head@demo.local",
        [("/dashboard", 'id="throughput-table"', {})]
        + [(f"/dashboard/part/{name}", f'id="{name}"', HTMX) for name in LATER],
    ),
    "company": ("ceo@demo.local", [("/dashboard/company", 'id="departments-table"', {})]),
}


# --- data ------------------------------------------------------------------------------------


def item_history(item_id, stages, people, launched, state, rng) -> tuple[list[dict], dict]:
    """The events of one item walking its stages from ``launched``; and the item's columns."""
    events, at, index, entered = [], launched, 0, launched
    holder = rng.choice(people)
    events.append(_event(item_id, "launched", None, stages[0], holder, launched, None))
    last = len(stages) - 1
    stop = last if state == InstanceState.DONE else rng.randrange(last)
    while index < stop:
        stage = stages[index]
        at = entered + timedelta(minutes=rng.randint(20, 60 * 40))
        seconds = int((at - entered).total_seconds())
        if stage.kind == StageKind.APPROVAL and stage.reject_to_key and rng.random() < 0.25:
            target = next(i for i, s in enumerate(stages) if s.key == stage.reject_to_key)
            kind = "rejected"
        else:
            target = index + 1
            kind = {StageKind.APPROVAL: "approved", StageKind.WAIT: "published"}.get(
                stage.kind, "completed"
            )
        if rng.random() < 0.5:  # fields saved along the way: history the figures skip
            saved = entered + (at - entered) / 2
            events.append(_event(item_id, "fields", stage, stage, holder, saved, None))
        holder = None if stages[target].kind == StageKind.FINAL else rng.choice(people)
        events.append(_event(item_id, kind, stage, stages[target], holder, at, seconds))
        index, entered = target, at
    columns = {
        "stage_id": stages[index].id,
        "stage_entered_at": entered,
        "assignee_id": holder if state == InstanceState.ACTIVE else None,
        "stage_due_at": entered + timedelta(days=2) if state == InstanceState.ACTIVE else None,
        "finished_at": entered if state != InstanceState.ACTIVE else None,
    }
    if state == InstanceState.CANCELLED:
        events.append(_event(item_id, "cancelled", stages[index], stages[index], None, entered, 0))
    return events, columns


def _event(item_id, kind, source, target, holder, at, seconds) -> dict:
    return {
        "instance_id": item_id,
        "actor_id": holder,
        "kind": kind,
        "from_stage_id": source.id if source else None,
        "to_stage_id": target.id,
        "assignee_id": holder,
        "comment": "",
        "seconds_in_stage": seconds,
        "at": at,
    }


def seed_items(rng, now, count: int) -> int:
    templates = db.session.scalars(select(ProcessTemplate).order_by(ProcessTemplate.id)).all()
    marketing = db.session.scalar(select(Department).where(Department.slug == "marketing"))
    people = [u.id for u in marketing.members]
    plan = []
    for n in range(count):
        template = rng.choice(templates)
        roll = rng.random()
        state = (
            InstanceState.DONE
            if roll < 0.85
            else InstanceState.CANCELLED
            if roll < 0.9
            else InstanceState.ACTIVE
        )
        days = rng.uniform(0, 20) if state == InstanceState.ACTIVE else rng.uniform(0, 365)
        launched = now - timedelta(days=days)
        plan.append((template, state, launched, n))
    rows = [
        {
            "template_id": t.id,
            "version_id": t.current_version_id,
            "title": f"{t.name} #{n}",
            "state": state,
            "stage_id": t.current_version.stages[0].id,
            "launched_by_id": people[0],
            "values": {},
            "roles": {},
            "rework_count": 0,
            "created_at": launched,
            "stage_entered_at": launched,
            "lock_version": 1,
            "deadline": (launched + timedelta(days=rng.randint(3, 12))).date(),
        }
        for t, state, launched, n in plan
    ]
    ids = db.session.scalars(
        insert(ProcessInstance).returning(ProcessInstance.id, sort_by_parameter_order=True), rows
    ).all()
    events, updates = [], []
    for item_id, (template, state, launched, _n) in zip(ids, plan, strict=True):
        stages = template.current_version.stages
        history, columns = item_history(item_id, stages, people, launched, state, rng)
        events += history
        updates.append({"item_id": item_id, **columns})
    table = ProcessInstance.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == bindparam("item_id"))
        .values(
            stage_id=bindparam("stage_id"),
            stage_entered_at=bindparam("stage_entered_at"),
            assignee_id=bindparam("assignee_id"),
            stage_due_at=bindparam("stage_due_at"),
            finished_at=bindparam("finished_at"),
        ),
        updates,
    )
    db.session.execute(insert(Event), events)
    return len(events)


def seed_tasks(rng, now) -> int:
    departments = db.session.scalars(select(Department).order_by(Department.id)).all()
    members = {
        d.id: [u.id for u in db.session.scalars(select(User).where(User.department_id == d.id))]
        for d in departments
    }
    marketing = next(d for d in departments if d.slug == "marketing")
    projects = []
    for n in range(PROJECTS):  # half of them in marketing, the rest in every department
        department = departments[n % len(departments)] if n % 2 else marketing
        projects.append((department.id, members[department.id]))
    project_ids = db.session.scalars(
        insert(Project).returning(Project.id, sort_by_parameter_order=True),
        [
            {
                "name": f"Project {n}",
                "department_id": did,
                "manager_id": people[0],
                "start_date": (now - timedelta(days=200)).date(),
                "auto_schedule": True,
                "is_template": False,
            }
            for n, (did, people) in enumerate(projects)
        ],
    ).all()
    rows = []
    for n in range(TASKS):
        pid, (_did, people) = project_ids[n % PROJECTS], projects[n % PROJECTS]
        due = (now + timedelta(days=rng.randint(-180, 60))).date()
        done = due < now.date() and rng.random() < 0.8
        rows.append(
            {
                "project_id": pid,
                "title": f"Task {n}",
                "description": "",
                "description_html": "",
                "status": TaskStatus.DONE if done else rng.choice(list(TaskStatus)[:4]),
                "assignee_id": rng.choice(people),
                "due_date": due,
                "start_date": due - timedelta(days=rng.randint(1, 10)),
                "milestone": rng.random() < 0.02,
                "position": n,
                "lock_version": 1,
                "status_changed_at": now,
            }
        )
    ids = db.session.scalars(insert(Task).returning(Task.id, sort_by_parameter_order=True), rows)
    events = []
    for task_id, row in zip(ids.all(), rows, strict=True):
        if row["status"] == TaskStatus.DONE:
            at = now.replace(hour=12) - timedelta(days=(now.date() - row["due_date"]).days)
            at += timedelta(days=rng.randint(-3, 3))
            events.append(
                {
                    "task_id": task_id,
                    "kind": "accept",
                    "from_status": "on_review",
                    "to_status": "done",
                    "at": at,
                    "comment": "",
                }
            )
        if rng.random() < 0.1:
            at = now - timedelta(days=rng.uniform(0, 120))
            events.append({"task_id": task_id, "kind": "rescheduled", "at": at, "comment": ""})
    db.session.execute(insert(Event), events)
    return len(events)


def seed(app) -> dict:
    """The company, its processes and tasks, and the first FEW_ITEMS items."""
    rng = random.Random(7)
    with app.app_context():
        flask_migrate.upgrade()
        company_seeds.load_company("en")
        process_seeds.load_processes("en")
        db.session.commit()
        now = clock.now()
        item_events = seed_items(rng, now, FEW_ITEMS)
        task_events = seed_tasks(rng, now)
        db.session.commit()
        vacuum_analyze(db.engine)
    return {"item events": item_events, "tasks": TASKS, "task events": task_events}


def add_items(app, counts: dict) -> None:
    """The other items, up to ITEMS."""
    with app.app_context():
        counts["item events"] += seed_items(random.Random(8), clock.now(), ITEMS - FEW_ITEMS)
        db.session.commit()
        vacuum_analyze(db.engine)


# --- measuring -------------------------------------------------------------------------------


def bench_page(app, counter, case, requests, label, profiler=None) -> Result:
    email, requests_of_a_sample = PAGES[case]
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": "demo"})
    assert response.status_code == 302, "login failed"
    result = Result(label, case, ITEMS, TARGET_MS)
    for i in range(WARMUP + requests):
        measured = i >= WARMUP
        responses, sample = timed(
            counter,
            lambda: [client.get(url, headers=headers) for url, _, headers in requests_of_a_sample],
            profiler if measured else None,
        )
        for response, (url, marker, _) in zip(responses, requests_of_a_sample, strict=True):
            assert response.status_code == 200, (url, response.status_code)
            assert marker in response.get_data(as_text=True), f"{url}: a chart is missing"
        if measured:
            result.add(*sample)
    return result


def run_database(label: str, url: str, requests: int, profile: bool) -> list[Result]:
    app = make_app(url)
    started = time.perf_counter()
    counts = seed(app)
    with app.app_context():
        counter = StatementCounter(db.engine)
    few = {case: bench_page(app, counter, case, 3, label).statement_text for case in PAGES}
    add_items(app, counts)
    seconds = time.perf_counter() - started
    print(f"[{label}] seeded {ITEMS:,} items, {counts} in {seconds:.1f} s", flush=True)
    results = []
    for case in PAGES:
        profiler = cProfile.Profile() if profile else None
        results.append(bench_page(app, counter, case, requests, label, profiler))
        if profiler:
            print_profile(f"dashboard {label} {case}", profiler)
        many = results[-1].statement_text
        verdict = "constant" if many == few[case] else "GROWS"
        print(
            f"{label} {case}: statements {few[case]} at {FEW_ITEMS:,} items, "
            f"{many} at {ITEMS:,} -> {verdict}",
            flush=True,
        )
    with app.app_context():
        db.engine.dispose()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    parser.add_argument("--profile", action="store_true", help="print cProfile of each page")
    args = parser.parse_args(argv)
    print(f"load average at start: {load_average()}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="mkflow-bench-dash-") as workdir:
        plan = []
        if args.db in ("sqlite", "both"):
            plan.append(("sqlite", sqlite_url(workdir, "dashboards.db")))
        if args.db in ("postgres", "both"):
            url = os.environ.get("MKFLOW_BENCH_DASH_DATABASE_URL", DEFAULT_PG_URL)
            plan.append(("postgres", fresh_postgres(url)))
        for label, url in plan:
            results += run_database(label, url, args.requests, args.profile)
    print_table(results, "items")
    print(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
