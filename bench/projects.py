"""Benchmark of big projects: the board, the task list, a move on the board and
rescheduling a long chain.

    .venv/bin/python bench/projects.py [--db sqlite|postgres|both] [--requests 200]
                                       [--runs 20] [--profile]

For each database: a fresh, migrated database with the demo company, then two projects made
in bulk with the same recipe: 5,000 tasks and 500 tasks. A project has subtasks to depth 3,
about 40% done tasks and the rest spread over the four other statuses, overdue tasks,
milestones, checklists, and links of all four kinds (three for every four tasks), 499 of
them a 500-task finish-to-start chain. The Flask test client, logged in as the project
manager, then times:

* ``board``       GET /projects/<id>/board, on both projects;
* ``column``      GET /projects/<id>/board/assigned?after=<cursor> with htmx: a column's
  next page, on the big project;
* ``move``        POST /projects/tasks/<id>/move from the board with htmx (carrying the
  board's cursors, as the page sends them), on both projects: an in-progress task goes
  round submit → reopen (with a comment) → start;
* ``list``        GET /projects/<id> (the default tree view), on the big project;
* ``reschedule``  POST /projects/tasks/<chain head>/edit moving the head's due date N working
  days later, so that all 500 tasks of the chain move; ``reschedule (domain)`` is the same
  change through ``tasks.update_task`` and a commit, without the form and the request.

Every response is checked (status, the tasks shown, the chain moved by exactly N working
days, a move answers no board). Statements per request are counted with a
``before_cursor_execute`` listener and compared between the two projects; the bytes of the
board and of a move's answer are printed raw and gzip-compressed. Postgres comes from
MKFLOW_BENCH_PROJECTS_DATABASE_URL (default below); the database is created when missing
and its public schema is dropped and recreated.
"""

import argparse
import cProfile
import gzip
import os
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import flask_migrate
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
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
from mkflow.models import ChecklistItem, Department, Project, Task, TaskLink, TaskStatus, User
from mkflow.projects import lifecycle as project_domain  # noqa: E402
from mkflow.projects import listing, planning  # noqa: E402
from mkflow.projects import tasks as task_domain  # noqa: E402
from mkflow.projects.scheduling import Calendar, Link, LinkKind, Span, reschedule, roll_up  # noqa: E402
from mkflow.seeding import company_seeds  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mkflow_bench_projects"
BIG, SMALL = 5000, 500  # tasks per project
WARMUP = 5
SHIFT = 3  # working days the chain head's due date moves per reschedule
MANAGER = "marketer@demo.local"
MEMBERS = (
    "head@demo.local",
    "copywriter@demo.local",
    "designer@demo.local",
    "smm@demo.local",
    "pr@demo.local",
)
TARGETS_MS = {
    "board": 15.0,
    "column": 15.0,
    "move": 10.0,
    "list": 60.0,
    "reschedule": 250.0,
    "reschedule (domain)": 250.0,
}
OPEN_STATUSES = (
    (TaskStatus.ASSIGNED, 0.40),
    (TaskStatus.IN_PROGRESS, 0.30),
    (TaskStatus.ON_REVIEW, 0.15),
    (TaskStatus.REOPENED, 0.15),
)
KINDS = ((LinkKind.FS, 0.70), (LinkKind.SS, 0.15), (LinkKind.FF, 0.10), (LinkKind.SF, 0.05))
WORDS = (
    "press kit",
    "landing page",
    "speaker brief",
    "booth layout",
    "media list",
    "newsletter",
    "banner set",
    "case study",
    "webinar",
    "price sheet",
    "FAQ",
    "partner deck",
    "video cut",
    "survey",
    "social calendar",
    "SEO audit",
    "review copy",
    "approve budget",
    "print order",
)
VERBS = ("Prepare", "Write", "Design", "Check", "Publish", "Agree", "Order", "Plan", "Test")


# --- the plan of a project (pure Python) -----------------------------------------------------


@dataclass
class Planned:
    index: int
    parent: int | None
    depth: int
    title: str
    assignee: str
    position: int = 0
    start: date | None = None
    due: date | None = None
    milestone: bool = False
    status: TaskStatus = TaskStatus.ASSIGNED
    checks: int = 0  # checklist items
    checks_done: int = 0


@dataclass
class Plan:
    tasks: list[Planned]
    links: list[Link]  # between task indexes
    chain: list[int]  # indexes, head first
    start: date

    def children(self) -> dict[int | None, list[int]]:
        found = defaultdict(list)
        for task in self.tasks:
            found[task.parent].append(task.index)
        return found

    def tree_order(self) -> list[int]:
        """Indexes as the task list's tree view orders them (siblings by position)."""
        children = self.children()
        ordered, stack = [], list(reversed(children[None]))
        while stack:
            index = stack.pop()
            ordered.append(index)
            stack.extend(reversed(children[index]))
        return ordered


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _tree(size: int, rng: random.Random) -> list[Planned]:
    """Top-level tasks, then subtasks to depth 3, each under a random task one level up."""
    levels = [round(size * share) for share in (0.125, 0.30, 0.35)]
    levels.append(size - sum(levels))
    people = (MANAGER, *MEMBERS)
    tasks, previous = [], []
    for depth, count in enumerate(levels):
        current = []
        for _ in range(count):
            index = len(tasks)
            title = f"{rng.choice(VERBS)} {rng.choice(WORDS)} #{index + 1}"
            parent = rng.choice(previous) if previous else None
            tasks.append(Planned(index, parent, depth, title, rng.choice(people)))
            current.append(index)
        previous = current
    siblings = defaultdict(int)
    for task in tasks:
        siblings[task.parent] += 1
        task.position = siblings[task.parent]
    return tasks


def _ancestors(tasks: list[Planned], index: int) -> set[int]:
    found, parent = set(), tasks[index].parent
    while parent is not None:
        found.add(parent)
        parent = tasks[parent].parent
    return found


def _links(tasks, leaves, chain, total: int, rng: random.Random) -> list[Link]:
    """The chain, then links between leaves always from an earlier to a later start (so
    they can never form a cycle); chain tasks are only ever predecessors outside the chain,
    so the chain stays tight and moves as one."""
    links = [Link(a, b, LinkKind.FS, 0) for a, b in zip(chain, chain[1:], strict=False)]
    in_chain = set(chain)
    successors = [i for i in leaves if i not in in_chain]
    pairs = {(link.predecessor, link.successor) for link in links}
    key = {i: (tasks[i].start, i) for i in leaves}
    while len(links) < total:
        a, b = rng.choice(leaves), rng.choice(successors)
        if a == b or key[a] >= key[b] or (a, b) in pairs:
            continue
        if a in _ancestors(tasks, b) or b in _ancestors(tasks, a):
            continue
        lag = rng.choice((0, 0, 0, 0, 1, 2, -1))
        links.append(Link(a, b, _pick(rng, KINDS), lag))
        pairs.add((a, b))
    return links


def _settle(tasks: list[Planned], links: list[Link], cal: Calendar) -> None:
    """Make the plan what the scheduler would keep: links met, parents spanning subtasks."""
    spans = {t.index: Span(t.index, t.title, t.start, t.due) for t in tasks}
    for index, (start, due) in reschedule(spans, links, cal).items():
        spans[index].start, spans[index].due = start, due
    for index, (start, due) in roll_up(spans, {t.index: t.parent for t in tasks}).items():
        spans[index].start, spans[index].due = start, due
    for task in tasks:
        task.start, task.due = spans[task.index].start, spans[task.index].due


def _statuses(tasks: list[Planned], today: date, rng: random.Random) -> None:
    """Mostly done in the past, mostly open in the future; a parent is done only when all
    its subtasks are."""
    children = defaultdict(list)
    for task in tasks:
        children[task.parent].append(task)
    for task in sorted(tasks, key=lambda t: -t.depth):  # subtasks first
        kids = children[task.index]
        if kids:
            if all(k.status == TaskStatus.DONE for k in kids):
                task.status = TaskStatus.DONE
            elif any(k.status != TaskStatus.ASSIGNED for k in kids):
                task.status = TaskStatus.IN_PROGRESS
            else:
                task.status = TaskStatus.ASSIGNED
            continue
        p_done = 0.90 if task.due < today else 0.06
        task.status = TaskStatus.DONE if rng.random() < p_done else _pick(rng, OPEN_STATUSES)


def make_plan(size: int, today: date, seed: int = 42, cal: Calendar | None = None) -> Plan:
    rng = random.Random(seed)
    cal = cal or Calendar()
    chain_length, link_total = min(size // 4, 500), size * 3 // 4
    tasks = _tree(size, rng)
    start = cal.roll_forward(today - timedelta(days=300))
    parents = {t.parent for t in tasks}
    leaves = [t.index for t in tasks if t.index not in parents]
    chain = rng.sample(leaves, chain_length)
    for n, index in enumerate(chain):  # one working day each, back to back
        tasks[index].start = tasks[index].due = cal.add(start, n)
    in_chain = set(chain)
    for index in leaves:
        task = tasks[index]
        if index in in_chain:
            continue
        task.start = cal.add(start, rng.randint(0, chain_length - 20))
        task.milestone = rng.random() < 0.04
        task.due = task.start if task.milestone else cal.add(task.start, rng.randint(0, 9))
    links = _links(tasks, leaves, chain, link_total, rng)
    _settle(tasks, links, cal)
    _statuses(tasks, today, rng)
    for task in tasks:
        if rng.random() < 0.25:
            task.checks = rng.randint(2, 5)
            task.checks_done = (
                task.checks if task.status == TaskStatus.DONE else rng.randint(0, task.checks)
            )
    return Plan(tasks, links, chain, start)


# --- the database ----------------------------------------------------------------------------


@dataclass
class Built:
    """A project in the database and what the checks need to know about it."""

    project_id: int
    size: int
    ids: list[int]  # task id by plan index
    tree_ids: list[int]  # task ids in tree order
    done_ids: set[int]
    open_ids: set[int]
    chain_ids: list[int]
    counts: dict = field(default_factory=dict)
    first_page: set = field(default_factory=set)  # of the Assigned column, see board_state
    cursors: dict = field(default_factory=dict)  # the board's, as a move carries them
    moved: int = 0  # the task the move case moves


def create_project(name: str, start: date, manager: User) -> Project:
    marketing = db.session.scalar(select(Department).where(Department.head_id.is_not(None)))
    data = project_domain.ProjectData(
        name=name, start_date=start, department=manager.department or marketing
    )
    project = project_domain.create_project(manager, data)
    for email in MEMBERS:
        person = db.session.scalar(select(User).where(User.email == email))
        project_domain.add_member(project, manager, user=person, role="member")
    return project


def insert_plan(plan: Plan, project: Project, people: dict[str, int], now) -> list[int]:
    """Tasks level by level (a subtask needs its parent's id), then links and checklists,
    each as one bulk INSERT."""
    ids: list[int | None] = [None] * len(plan.tasks)
    manager_id = people[MANAGER]
    for depth in range(4):
        level = [t for t in plan.tasks if t.depth == depth]
        rows = [
            {
                "project_id": project.id,
                "parent_id": ids[t.parent] if t.parent is not None else None,
                "title": t.title,
                "description": f"What to do for {t.title}.",
                "description_html": f"<p>What to do for {t.title}.</p>",
                "status": t.status,
                "assignee_id": people[t.assignee],
                "reviewer_id": manager_id,
                "author_id": manager_id,
                "assignee_duty": "",
                "start_date": t.start,
                "due_date": t.due,
                "milestone": t.milestone,
                "position": t.position,
                "status_changed_at": now,
                "lock_version": 1,
            }
            for t in level
        ]
        new_ids = db.session.scalars(
            insert(Task).returning(Task.id, sort_by_parameter_order=True), rows
        ).all()
        for task, task_id in zip(level, new_ids, strict=True):
            ids[task.index] = task_id
    db.session.execute(
        insert(TaskLink),
        [
            {
                "project_id": project.id,
                "predecessor_id": ids[link.predecessor],
                "successor_id": ids[link.successor],
                "kind": link.kind.value,
                "lag": link.lag,
            }
            for link in plan.links
        ],
    )
    checks = [
        {"task_id": ids[t.index], "text": f"Step {n}", "done": n <= t.checks_done, "position": n}
        for t in plan.tasks
        for n in range(1, t.checks + 1)
    ]
    db.session.execute(insert(ChecklistItem), checks)
    return ids


def build_project(size: int, today: date) -> Built:
    # Dates on the company's calendar (the demo's Russian holidays too), as the app plans them.
    plan = make_plan(size, today, seed=size, cal=planning.company_calendar())
    people = {u.email: u.id for u in db.session.scalars(select(User))}
    manager = db.session.get(User, people[MANAGER])
    project = create_project(f"Product launch, {size:,} tasks", plan.start, manager)
    ids = insert_plan(plan, project, people, clock.now())
    db.session.commit()
    done = {ids[t.index] for t in plan.tasks if t.status == TaskStatus.DONE}
    open_ids = set(ids) - done
    overdue = sum(1 for t in plan.tasks if t.status != TaskStatus.DONE and t.due < today)
    return Built(
        project_id=project.id,
        size=size,
        ids=ids,
        tree_ids=[ids[i] for i in plan.tree_order()],
        done_ids=done,
        open_ids=open_ids,
        chain_ids=[ids[i] for i in plan.chain],
        counts={
            "tasks": len(ids),
            "done": len(done),
            "overdue": overdue,
            "milestones": sum(t.milestone for t in plan.tasks),
            "subtasks": sum(t.parent is not None for t in plan.tasks),
            "depth 3": sum(t.depth == 3 for t in plan.tasks),
            "links": len(plan.links),
            "checklist items": sum(t.checks for t in plan.tasks),
        },
    )


def seed(app, sizes: tuple[int, int] = (BIG, SMALL)) -> tuple[Built, Built, float]:
    """A fresh database with the demo company and two projects of ``sizes`` tasks."""
    started = time.perf_counter()
    with app.app_context():
        flask_migrate.upgrade()
        company_seeds.load_company("en")
        db.session.commit()
        with app.test_request_context():
            today = clock.company_today()
            big, small = (build_project(size, today) for size in sizes)
        vacuum_analyze(db.engine)
    return big, small, time.perf_counter() - started


# --- the checks ------------------------------------------------------------------------------

ROW_ID = re.compile(r'<tr id="task-(\d+)"')
CARD_ID = re.compile(r'<li class="card-item[^"]*" id="task-(\d+)"')
COLUMN_COUNT = re.compile(r'id="col-(\w+)".*?<span class="count"[^>]*>(\d+)<', re.DOTALL)


def check_board(response, built: Built) -> None:
    """Each column counts all its tasks and shows at most a page of them; together the
    counts are the whole project; no card is shown twice or belongs elsewhere."""
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True)
    shown = [int(i) for i in CARD_ID.findall(body)]
    assert len(shown) == len(set(shown)), "a card appears twice"
    assert set(shown) <= built.open_ids | built.done_ids, "the board shows a stranger"
    counts = dict(COLUMN_COUNT.findall(body))
    assert int(counts["done"]) == len(built.done_ids), "wrong Done count"
    assert sum(map(int, counts.values())) == built.size, "the counts miss tasks"
    expected = sum(min(int(n), listing.BOARD_PAGE) for n in counts.values())
    assert len(shown) == expected, "a column shows too few or too many cards"


def check_column(response, built: Built) -> None:
    """A full next page of the column, none of them on the first page."""
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True)
    shown = [int(i) for i in CARD_ID.findall(body)]
    assert len(shown) == listing.BOARD_PAGE and not set(shown) & built.first_page
    assert "<html" not in body, "not a fragment"


def check_list(response, built: Built) -> None:
    """The first page of the tree, in tree order."""
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True)
    page = getattr(listing, "PAGE_SIZE", None) or built.size
    shown = [int(i) for i in ROW_ID.findall(body)]
    assert shown == built.tree_ids[:page], "the list is not the tree's first page"


# --- measuring -------------------------------------------------------------------------------


def log_in(client) -> None:
    response = client.post("/login", data={"email": MANAGER, "password": "demo"})
    assert response.status_code == 302, "login failed"


def bench_page(client, counter, built, case, n, label, profiler=None) -> Result:
    url, check = PAGES[case]
    url = url.format(built.project_id, built.cursors.get("after_assigned", ""))
    headers = {"HX-Request": "true"} if case == "column" else {}
    result = Result(label, case, built.size, TARGETS_MS[case])
    for i in range(WARMUP + n):
        measured = i >= WARMUP
        response, sample = timed(
            counter, lambda: client.get(url, headers=headers), profiler if measured else None
        )
        check(response, built)
        if measured:
            result.add(*sample)
            SIZES[(label, case, built.size)] = response.data
    return result


PAGES = {
    "board": ("/projects/{}/board", check_board),
    "column": ("/projects/{}/board/assigned?after={}", check_column),
    "list": ("/projects/{}", check_list),
}
# The last answer of each case, for its size raw and compressed: (db, case, tasks) → bytes.
SIZES: dict[tuple, bytes] = {}
CURSOR = re.compile(r'name="(after_\w+)" value="([^"]*)"')
# A round of moves for an in-progress task, as its manager: each returns it to the start.
ROUND = (("submit", {}), ("reopen", {"comment": "Once more, please."}), ("start", {}))


def board_state(client, built: Built) -> None:
    """What the board's first page shows: the Assigned column's cards and the cursors a
    move carries; and the task the move case moves (the first in-progress card)."""
    body = client.get(f"/projects/{built.project_id}/board").get_data(as_text=True)
    built.cursors = dict(CURSOR.findall(body))
    column = body[body.index('id="col-assigned"') : body.index('id="col-in_progress"')]
    built.first_page = {int(i) for i in CARD_ID.findall(column)}
    in_progress = body[body.index('id="col-in_progress"') : body.index('id="col-on_review"')]
    built.moved = int(CARD_ID.search(in_progress).group(1))


def bench_move(app, client, counter, built, n, label, profiler=None) -> Result:
    """``n`` moves of one task round ROUND, from the board with htmx."""
    result = Result(label, "move", built.size, TARGETS_MS["move"])
    for i in range(WARMUP + n):
        name, extra = ROUND[i % len(ROUND)]
        with app.app_context():
            version = db.session.scalar(select(Task.lock_version).where(Task.id == built.moved))
        data = {"move": name, "version": str(version), "from": "board", **built.cursors, **extra}
        measured = i >= WARMUP
        response, sample = timed(
            counter,
            lambda data=data: client.post(
                f"/projects/tasks/{built.moved}/move", data=data, headers={"HX-Request": "true"}
            ),
            profiler if measured else None,
        )
        assert response.status_code == 200, response.status_code
        assert b'id="board"' not in response.data, "a move answered the whole board"
        if measured:
            result.add(*sample)
            SIZES[(label, "move", built.size)] = response.data
    return result


def print_sizes() -> None:
    print("\n| db | case | tasks | bytes | gzip bytes |\n|---|---|---:|---:|---:|")
    for (label, case, size), body in SIZES.items():
        print(f"| {label} | {case} | {size:,} | {len(body):,} | {len(gzip.compress(body)):,} |")


def chain_dates(app, built: Built) -> dict[int, tuple[date, date]]:
    with app.app_context():
        rows = db.session.execute(
            select(Task.id, Task.start_date, Task.due_date).where(Task.id.in_(built.chain_ids))
        )
        return {row.id: (row.start_date, row.due_date) for row in rows}


def edit_form(app, task_id: int, due: date) -> dict:
    """The edit form as the page would submit it, with a new due date."""
    with app.app_context():
        task = db.session.get(Task, task_id)
        form = {
            "title": task.title,
            "description": task.description,
            "assignee_id": str(task.assignee_id or ""),
            "reviewer_id": str(task.reviewer_id or ""),
            "start_date": task.start_date.isoformat(),
            "due_date": due.isoformat(),
            "days": "",
            "parent_id": str(task.parent_id or ""),
            "version": str(task.lock_version),
        }
        if task.milestone:
            form["milestone"] = "y"
        return form


def check_chain_moved(before: dict, after: dict, built: Built, cal: Calendar) -> None:
    """Every task after the head moved exactly SHIFT working days; so did the last one."""
    for task_id in built.chain_ids[1:]:
        (old_start, old_due), (new_start, new_due) = before[task_id], after[task_id]
        assert new_start == cal.add(old_start, SHIFT), (task_id, old_start, new_start)
        assert new_due == cal.add(old_due, SHIFT), (task_id, old_due, new_due)


def post_edit(app, client, built: Built, due: date):
    form = edit_form(app, built.chain_ids[0], due)
    url = f"/projects/tasks/{built.chain_ids[0]}/edit"

    def send():
        response = client.post(url, data=form)
        assert response.status_code == 302, (response.status_code, response.data[:800])
        return response

    return send


def update_directly(app, built: Built, due: date, manager_id: int):
    """The same change through the domain: update_task and a commit."""

    def send():
        task = db.session.get(Task, built.chain_ids[0])
        data = task_domain.TaskData(
            title=task.title,
            description=task.description,
            assignee=task.assignee,
            reviewer=task.reviewer,
            start_date=task.start_date,
            due_date=due,
            milestone=task.milestone,
            parent_id=task.parent_id,
        )
        moved = task_domain.update_task(task, db.session.get(User, manager_id), data)
        db.session.commit()
        return moved

    return send


def bench_reschedule(app, client, counter, built, runs, label, direct=False, profiler=None):
    """Each run moves the head's due date SHIFT working days later than the run before
    (the scheduler only moves tasks forward), so the whole chain moves each time."""
    case = "reschedule (domain)" if direct else "reschedule"
    result = Result(label, case, built.size, TARGETS_MS[case])
    with app.app_context():
        manager_id = db.session.scalar(select(User.id).where(User.email == MANAGER))
        cal = planning.company_calendar()  # the demo's: its weekend and Russian holidays
    for i in range(2 + runs):  # two warm-up runs
        before = chain_dates(app, built)
        due = cal.add(before[built.chain_ids[0]][1], SHIFT)
        measured = i >= 2
        if direct:
            with app.test_request_context():
                send = update_directly(app, built, due, manager_id)
                moved, sample = timed(counter, send, profiler if measured else None)
                assert len(moved) >= len(built.chain_ids) - 1, len(moved)
                db.session.remove()
        else:
            send = post_edit(app, client, built, due)
            _response, sample = timed(counter, send, profiler if measured else None)
            with client.session_transaction() as session:
                session.pop("_flashes", None)  # nobody reads them; keep the cookie small
        check_chain_moved(before, chain_dates(app, built), built, cal)
        if measured:
            result.add(*sample)
    return result


def run_database(label: str, url: str, requests: int, runs: int, profile: bool) -> tuple:
    app = make_app(url)
    big, small, seconds = seed(app)
    print(
        f"[{label}] seeded {big.counts} and a {small.size}-task project in {seconds:.1f} s",
        flush=True,
    )
    with app.app_context():
        counter = StatementCounter(db.engine)
    client = app.test_client()
    log_in(client)
    cases = ("board", "column", "move", "list", "reschedule")
    profilers = {c: cProfile.Profile() if profile else None for c in cases}
    results = []
    for built in (small, big):
        board_state(client, built)
        results.append(
            bench_page(client, counter, built, "board", requests, label, profilers["board"])
        )
        results.append(bench_move(app, client, counter, built, requests, label, profilers["move"]))
        print(f"[{label}] board and move at {built.size} done", flush=True)
    board_state(client, big)
    for case in ("column", "list"):
        results.append(bench_page(client, counter, big, case, requests, label, profilers[case]))
        print(f"[{label}] {case} done", flush=True)
    results.append(
        bench_reschedule(app, client, counter, big, runs, label, profiler=profilers["reschedule"])
    )
    results.append(bench_reschedule(app, client, counter, big, runs, label, direct=True))
    print(f"[{label}] reschedule done", flush=True)
    counts = {
        size: {r.case: r.statement_text for r in results if r.size == size} for size in (SMALL, BIG)
    }
    for name, profiler in profilers.items():
        if profiler:
            print_profile(f"projects {label} {name}@{BIG}", profiler)
    with app.app_context():
        db.engine.dispose()
    return results, {label: counts}


def print_constancy(counts: dict) -> None:
    print()
    for label, by_size in counts.items():
        for case in ("board", "move"):
            seen = {size: by_size[size][case] for size in (SMALL, BIG)}
            verdict = "constant" if len(set(seen.values())) == 1 else "GROWS"
            print(f"{label} {case}: statements by tasks {seen} -> {verdict}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--runs", type=int, default=20, help="timed reschedules per case")
    parser.add_argument("--profile", action="store_true", help="print cProfile of each case")
    args = parser.parse_args(argv)
    print(f"load average at start: {load_average()}", flush=True)
    results, counts = [], {}
    with tempfile.TemporaryDirectory(prefix="mkflow-bench-projects-") as workdir:
        plan = []
        if args.db in ("sqlite", "both"):
            plan.append(("sqlite", sqlite_url(workdir, "projects.db")))
        if args.db in ("postgres", "both"):
            url = os.environ.get("MKFLOW_BENCH_PROJECTS_DATABASE_URL", DEFAULT_PG_URL)
            plan.append(("postgres", fresh_postgres(url)))
        for label, url in plan:
            found, by_size = run_database(label, url, args.requests, args.runs, args.profile)
            results += found
            counts.update(by_size)
    print_table(results, "tasks")
    print_sizes()
    print_constancy(counts)
    print(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
