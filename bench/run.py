"""Benchmark of the process board and the in-place (htmx) stage action.

    .venv/bin/python bench/run.py [--db sqlite|postgres|both] [--requests 200] [--profile] [--gzip]

For each database: a fresh, migrated database with the demo company and the shipped process
templates, then 15,000 items inserted in bulk (most finished; exactly 5,000 active on the
"article" template, spread over its non-final stages). The Flask test client, logged in as
the marketer who holds most of those cards, then times:

* ``board``    GET /processes/<article>/board, at 50, 500 and 5,000 active cards;
* ``approve``  POST /instances/<id>/act (htmx, from=board) on an approval-stage card, at 500
               and 5,000 active cards;
* ``complete`` the same with with_fields=1 and the required field, on a brief-stage card.

It prints each case's answer size (raw and gzipped) and statements, and, at 5,000 cards, the
time of the board's first-page statement against a row_number() window doing the same.

Every action goes to a different card and is checked (200, the card moved, its version rose);
when the cards run out they are put back untimed. Statements per request are counted with a
``before_cursor_execute`` listener. Postgres comes from MKFLOW_BENCH_DATABASE_URL (default
below); the database is created when missing and its public schema is dropped and recreated.
``--gzip`` asks for gzipped answers as a browser does (their compression is then timed too).
``--profile`` also prints where the time goes in board, approve and complete at 5,000 cards
(cProfile).
"""

import argparse
import cProfile
import gzip
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import flask_migrate
from sqlalchemy import bindparam, func, insert, select, update

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
    Event,
    FieldMode,
    FieldType,
    Group,
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Responsible,
    StageKind,
    User,
)
from mkflow.processes import board as boards  # noqa: E402
from mkflow.seeding import company_seeds, process_seeds  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mkflow_bench"
TOTAL_ITEMS = 15_000
BOARD_CARDS = 5_000
OTHER_ACTIVE = 400  # active items on the other templates
BOARD_SIZES = (50, 500, 5_000)
ACTION_CASES = (("approve", 500), ("approve", 5_000), ("complete", 500), ("complete", 5_000))
WARMUP = 5
BOARD_SLUG = "article"
USER_EMAIL = "marketer@demo.local"  # holds the Marketer role on every bench card
ROLE_HOLDERS = {
    "Marketer": USER_EMAIL,
    "Copywriter": "copywriter@demo.local",
    "Analyst": "marketer@demo.local",
}
# Active article cards per stage key (sums to BOARD_CARDS): 15%, 13⅓%, 23⅓%, 13⅓%, 21⅔%, 13⅓%.
ARTICLE_SPREAD = {
    "brief": 750,
    "copy": 667,
    "copy_review": 1_167,
    "design": 667,
    "design_review": 1_083,
    "ready": 666,
}
TARGETS_MS = {"board": 15.0, "approve": 10.0, "complete": 10.0}
ANSWER_LIMIT = 5_000  # bytes: an action answers with what changed only
MUTABLE = (
    "stage_id",
    "assignee_id",
    "state",
    "values",
    "stage_entered_at",
    "stage_due_at",
    "finished_at",
    "rework_count",
)


# --- data ------------------------------------------------------------------------------------


@dataclass
class Seeded:
    template_id: int
    cards: list[int]  # the active article cards, in id order
    stage_ids: dict[str, int]  # article stage key -> id
    user_id: int
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)


def sample_value(fld, n: int) -> str:
    if fld.type == FieldType.CHOICE:
        return fld.choice_list[0]
    if fld.type == FieldType.URL:
        return f"https://docs.example.com/{fld.key}/{n}"
    if fld.type == FieldType.NUMBER:
        return str(10_000 + n)
    if fld.type == FieldType.CHECKBOX:
        return "1"
    return f"{fld.label}: item {n}"


def values_up_to(version, position: int, n: int) -> dict:
    """Launch fields plus every field a stage before ``position`` requires."""
    required_before = {
        key
        for s in version.stages
        if s.position < position
        for key, mode in s.field_modes.items()
        if mode == FieldMode.REQUIRE
    }
    return {
        f.key: sample_value(f, n) for f in version.fields if f.at_launch or f.key in required_before
    }


class Holders:
    """Who holds a stage for a bulk-made item (the engine's rules, without its queries)."""

    def __init__(self):
        self.users = {u.email: u.id for u in db.session.scalars(select(User))}
        self.groups = {g.id: [m.id for m in g.members] for g in db.session.scalars(select(Group))}

    def roles(self, template) -> dict:
        names = {s.role for s in template.current_version.stages if s.role}
        return {name: self.users[ROLE_HOLDERS.get(name, USER_EMAIL)] for name in names}

    def of(self, stage, roles: dict, launcher_id: int) -> int | None:
        match stage.responsible:
            case Responsible.USER:
                return stage.user_id
            case Responsible.ROLE:
                return roles.get(stage.role)
            case Responsible.GROUP:
                return (self.groups.get(stage.group_id) or [None])[0]
            case Responsible.LAUNCHER:
                return launcher_id
        return None


def item_row(template, stage, state, n: int, holders: Holders, now, rng) -> dict:
    version = template.current_version
    launcher = holders.users["head@demo.local"]
    roles = holders.roles(template)
    created = now - timedelta(days=rng.randint(3, 400), minutes=rng.randint(0, 1440))
    row = {
        "template_id": template.id,
        "version_id": version.id,
        "title": f"{template.name} #{n}",
        "state": state,
        "stage_id": stage.id,
        "launched_by_id": launcher,
        "roles": roles,
        "values": values_up_to(version, stage.position, n),
        "rework_count": 0,
        "created_at": created,
        "lock_version": 1,
        "deadline": None,
        "publish_on": None,
        "assignee_id": None,
        "stage_due_at": None,
        "finished_at": None,
    }
    if state == InstanceState.ACTIVE:
        entered = now - timedelta(hours=rng.randint(1, 120))
        late = rng.random() < 0.25
        row.update(
            assignee_id=holders.of(stage, roles, launcher),
            stage_entered_at=entered,
            stage_due_at=now
            + timedelta(hours=rng.randint(-96, -1) if late else rng.randint(2, 120)),
            deadline=(now + timedelta(days=rng.randint(-3, 30))).date(),
            rework_count=1 if rng.random() < 0.1 else 0,
        )
        if stage.kind == StageKind.WAIT:
            row["publish_on"] = (now + timedelta(days=rng.randint(3, 30))).date()
    else:
        finished = min(now, created + timedelta(days=rng.randint(1, 20)))
        row.update(stage_entered_at=finished, finished_at=finished)
    return row


def planned_items(templates, rng) -> list[tuple]:
    """(template, stage, state) for every item: the article cards first, then the rest."""
    article = next(t for t in templates if t.slug == BOARD_SLUG)
    others = [t for t in templates if t.slug != BOARD_SLUG]
    stages = {s.key: s for s in article.current_version.stages}
    cards = [stages[key] for key, count in ARTICLE_SPREAD.items() for _ in range(count)]
    rng.shuffle(cards)
    plan = [(article, stage, InstanceState.ACTIVE) for stage in cards]
    for _ in range(OTHER_ACTIVE):
        template = rng.choice(others)
        working = [s for s in template.current_version.stages if s.kind != StageKind.FINAL]
        plan.append((template, rng.choice(working), InstanceState.ACTIVE))
    while len(plan) < TOTAL_ITEMS:
        template = rng.choice(templates)
        all_stages = template.current_version.stages
        if rng.random() < 0.85:
            plan.append((template, all_stages[-1], InstanceState.DONE))
        else:
            plan.append((template, rng.choice(all_stages[:-1]), InstanceState.CANCELLED))
    return plan


def history_rows(item_id: int, row: dict, stage, version, holders: Holders) -> list[dict]:
    """A "launched" event, and for an active item one "completed" per stage it passed."""
    first = version.stages[0]
    events = [
        {
            "instance_id": item_id,
            "actor_id": row["launched_by_id"],
            "kind": "launched",
            "from_stage_id": None,
            "to_stage_id": first.id,
            "assignee_id": holders.of(first, row["roles"], row["launched_by_id"]),
            "comment": "",
            "at": row["created_at"],
        }
    ]
    if row["state"] == InstanceState.ACTIVE and stage.position > 0:
        passed = [s for s in version.stages if s.position <= stage.position]
        for before, after in zip(passed, passed[1:], strict=False):
            events.append(
                {
                    "instance_id": item_id,
                    "actor_id": row["launched_by_id"],
                    "kind": "completed",
                    "from_stage_id": before.id,
                    "to_stage_id": after.id,
                    "assignee_id": holders.of(after, row["roles"], row["launched_by_id"]),
                    "comment": "",
                    "at": row["stage_entered_at"],
                }
            )
    return events


def seed(app) -> Seeded:
    """Migrate, load the demo company and templates, bulk-insert the items."""
    started = time.perf_counter()
    rng = random.Random(42)
    with app.app_context():
        flask_migrate.upgrade()
        company_seeds.load_company("en")
        process_seeds.load_processes("en")
        db.session.commit()
        templates = db.session.scalars(select(ProcessTemplate).order_by(ProcessTemplate.id)).all()
        holders, now = Holders(), clock.now()
        plan = planned_items(templates, rng)
        rows = [
            item_row(t, s, state, n, holders, now, rng) for n, (t, s, state) in enumerate(plan, 1)
        ]
        ids = db.session.scalars(
            insert(ProcessInstance).returning(ProcessInstance.id, sort_by_parameter_order=True),
            rows,
        ).all()
        events = [
            e
            for item_id, row, (t, s, _) in zip(ids, rows, plan, strict=True)
            for e in history_rows(item_id, row, s, t.current_version, holders)
        ]
        db.session.execute(insert(Event), events)
        db.session.commit()
        vacuum_analyze(db.engine)
        article = next(t for t in templates if t.slug == BOARD_SLUG)
        seeded = Seeded(
            template_id=article.id,
            cards=sorted(ids[:BOARD_CARDS]),
            stage_ids={s.key: s.id for s in article.current_version.stages},
            user_id=holders.users[USER_EMAIL],
            counts={
                "items": len(ids),
                "events": len(events),
                "active": sum(1 for r in rows if r["state"] == InstanceState.ACTIVE),
            },
        )
    seeded.seconds = time.perf_counter() - started
    return seeded


# --- measuring -------------------------------------------------------------------------------


def set_active_cards(app, seeded: Seeded, wanted: int) -> list[int]:
    """Keep ``wanted`` article cards active (every k-th, so all stages keep some); park the
    rest as cancelled (then vacuums, as autovacuum soon would after so many changed rows).
    Returns the active card ids."""
    step = len(seeded.cards) / wanted
    active = [seeded.cards[int(i * step)] for i in range(wanted)]
    with app.app_context():
        table = ProcessInstance.__table__
        db.session.execute(
            update(table).where(table.c.id.in_(seeded.cards)).values(state=InstanceState.CANCELLED)
        )
        db.session.execute(
            update(table).where(table.c.id.in_(active)).values(state=InstanceState.ACTIVE)
        )
        db.session.commit()
        vacuum_analyze(db.engine)
    return active


def expected_on_board(app, seeded, active: list[int]) -> tuple[int, int]:
    """(cards the board shows: a page per column at most, cards its heads count)."""
    per_stage: dict[int, int] = {}
    for row in card_rows(app, active).values():
        per_stage[row["stage_id"]] = per_stage.get(row["stage_id"], 0) + 1
    return sum(min(boards.PAGE, n) for n in per_stage.values()), len(active)


def head_counts(body: str) -> int:
    """The sum of the active columns' head counts (the final column counts finished items)."""
    heads = re.findall(r'id="colhead-(\w+)".*?<span class="count"[^>]*>(\d+)<', body, re.S)
    return sum(int(n) for key, n in heads if key != "published")


def bench_board(app, client, counter, seeded, cards: int, n: int, label: str, profiler=None):
    active = set_active_cards(app, seeded, cards)
    shown_expected, counted_expected = expected_on_board(app, seeded, active)
    url = f"/processes/{seeded.template_id}/board"
    result = Result(label, "board", cards, TARGETS_MS["board"])
    result.sizes = []
    for i in range(WARMUP + n):
        response, sample = timed(
            counter, lambda: client.get(url), profiler if i >= WARMUP else None
        )
        body = text_of(response)
        assert response.status_code == 200, response.status_code
        shown = body.count('<li class="card-item tpl-')  # active cards (finished ones differ)
        assert shown == shown_expected, (shown, shown_expected)
        assert head_counts(body) == counted_expected, "the heads do not count every card"
        if i >= WARMUP:
            result.add(*sample)
            result.sizes.append(sizes_of(response))
    return result


def sizes_of(response) -> tuple[int, int]:
    """(raw bytes, gzipped bytes) of an answer, as the app's compression would send it."""
    raw = text_of(response).encode()
    if response.headers.get("Content-Encoding") == "gzip":
        return len(raw), len(response.get_data())
    return len(raw), len(gzip.compress(raw, compresslevel=6))


@dataclass(frozen=True)
class ActionCase:
    name: str
    stage_keys: tuple[str, ...]
    form: dict


ACTIONS = {
    "approve": ActionCase("approve", ("copy_review", "design_review"), {"action": "approve"}),
    "complete": ActionCase(
        "complete",
        ("brief",),
        {
            "action": "complete",
            "with_fields": "1",
            "field-brief": "Audience: sales heads. Key points: price, onboarding. 6,000 chars.",
        },
    ),
}


def card_rows(app, ids) -> dict[int, dict]:
    table = ProcessInstance.__table__
    with app.app_context():
        rows = db.session.execute(select(table).where(table.c.id.in_(ids))).mappings()
        return {row["id"]: dict(row) for row in rows}


def candidates(app, seeded, active, case: ActionCase) -> list[int]:
    stage_ids = [seeded.stage_ids[key] for key in case.stage_keys]
    rows = card_rows(app, active).values()
    return [
        r["id"]
        for r in rows
        if r["stage_id"] in stage_ids
        and r["assignee_id"] == seeded.user_id
        and r["state"] == InstanceState.ACTIVE
    ]


def put_back(app, originals: list[dict]) -> None:
    """Return acted cards to where they were (untimed), so they can be acted on again."""
    if not originals:
        return
    table = ProcessInstance.__table__
    with app.app_context():
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("card_id"))
            .values({name: bindparam(name) for name in MUTABLE}),
            [{"card_id": row["id"], **{name: row[name] for name in MUTABLE}} for row in originals],
        )
        db.session.commit()


def act_once(app, client, counter, card: int, case: ActionCase, shown: dict, profiler=None):
    before = card_rows(app, [card])[card]
    form = {
        **case.form,
        **shown,
        "version": str(before["lock_version"]),
        "from": "board",
        "assignee": "",
        "q": "",
        "next": "",
    }

    def send():
        return client.post(f"/instances/{card}/act", data=form, headers={"HX-Request": "true"})

    response, sample = timed(counter, send, profiler)
    after = card_rows(app, [card])[card]
    body = text_of(response)
    assert response.status_code == 200, (response.status_code, body[:500])
    assert "message-success" in body and 'hx-swap-oob="true"' in body, body[:500]
    assert after["stage_id"] != before["stage_id"], "the card did not move"
    assert after["lock_version"] > before["lock_version"], "the version did not rise"
    size = sizes_of(response)
    assert size[0] < ANSWER_LIMIT, f"the answer is {size[0]} bytes"
    return before, sample, size


def bench_action(
    app, client, counter, seeded, case: ActionCase, cards: int, n: int, label: str, profiler=None
):
    active = set_active_cards(app, seeded, cards)
    result = Result(label, case.name, cards, TARGETS_MS[case.name])
    result.sizes = []
    # Where each column's shown cards end, as the board's "Show more" inputs send it.
    board = text_of(client.get(f"/processes/{seeded.template_id}/board"))
    shown = dict(re.findall(r'name="(after-\w+)" value="([^"]+)"', board))
    queue, acted = [], []
    for i in range(WARMUP + n):
        if not queue:
            put_back(app, acted)
            queue, acted = candidates(app, seeded, active, case), []
            assert queue, f"no card to {case.name}"
        before, sample, size = act_once(
            app, client, counter, queue.pop(0), case, shown, profiler if i >= WARMUP else None
        )
        acted.append(before)
        if i >= WARMUP:
            result.add(*sample)
            result.sizes.append(size)
    put_back(app, acted)
    return result


def text_of(response) -> str:
    """The answer's text, unpacked when it came gzipped (``--gzip``)."""
    data = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return data.decode()


def log_in(client) -> None:
    response = client.post("/login", data={"email": USER_EMAIL, "password": "demo"})
    assert response.status_code == 302, "login failed"


def run_database(
    label: str, url: str, requests: int, profile: bool, accept_gzip: bool = False
) -> list[Result]:
    app = make_app(url)
    seeded = seed(app)
    print(f"[{label}] seeded {seeded.counts} in {seeded.seconds:.1f} s", flush=True)
    with app.app_context():
        counter = StatementCounter(db.engine)
    client = app.test_client()
    if accept_gzip:  # as a browser asks: the answers' compression is timed too
        client.environ_base["HTTP_ACCEPT_ENCODING"] = "gzip, deflate, br"
    log_in(client)
    profilers = {
        name: cProfile.Profile() if profile else None for name in ("board", "approve", "complete")
    }
    results = []
    for cards in BOARD_SIZES:
        profiler = profilers["board"] if cards == BOARD_CARDS else None
        results.append(bench_board(app, client, counter, seeded, cards, requests, label, profiler))
        print(f"[{label}] board@{cards} done", flush=True)
        if cards == BOARD_CARDS:
            compare_first_pages(app, seeded, label)
    for name, cards in ACTION_CASES:
        profiler = profilers[name] if cards == BOARD_CARDS else None
        results.append(
            bench_action(
                app, client, counter, seeded, ACTIONS[name], cards, requests, label, profiler
            )
        )
        print(f"[{label}] {name}@{cards} done", flush=True)
    for name, profiler in profilers.items():
        if profiler:
            print_profile(f"{label} {name}@{BOARD_CARDS}", profiler)
    with app.app_context():
        db.engine.dispose()
    return results


def compare_first_pages(app, seeded, label: str, runs: int = 50) -> None:
    """The board's first cards of every column: the app's UNION ALL of per-stage LIMITed
    selects (after its GROUP BY of the counts, which it needs anyway) against one row_number()
    window over the template's active items, at the size the board was left at."""
    with app.app_context():
        template = db.session.get(ProcessTemplate, seeded.template_id)
        marketer = db.session.get(User, seeded.user_id)
        filters, now = boards.BoardFilters(), clock.now()
        pi = ProcessInstance
        rank = (
            func.row_number()
            .over(
                partition_by=pi.stage_id,
                order_by=(pi.stage_due_at.is_(None), pi.stage_due_at, pi.id),
            )
            .label("rank")
        )
        ranked = (
            select(pi.id, rank)
            .where(pi.template_id == template.id, pi.state == InstanceState.ACTIVE)
            .subquery()
        )
        window = boards._card_rows(
            pi.id.in_(select(ranked.c.id).where(ranked.c.rank <= boards.PAGE))
        )

        def union():
            return boards.build_board(template, marketer, filters, now)

        def windowed():  # the same counts, then the window's cards
            boards._stage_counts(template, marketer, filters, now, with_done=True)
            return boards._cards(window, marketer)

        assert len(windowed()) == sum(len(c.cards) for c in union())
        for name, run in (
            ("UNION ALL of LIMITed selects + GROUP BY", union),
            ("row_number() window", windowed),
        ):
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                run()
                times.append((time.perf_counter() - started) * 1000)
            print(
                f"[{label}] first pages at {BOARD_CARDS:,} cards, {name}: "
                f"median {statistics.median(times):.2f} ms",
                flush=True,
            )
        db.session.rollback()


# --- reporting -------------------------------------------------------------------------------


def print_sizes(results: list[Result]) -> None:
    print("\n| db | case | active cards | answer bytes (median) | gzip bytes (median) |")
    print("|---|---|---:|---:|---:|")
    for r in results:
        raw = statistics.median(size[0] for size in r.sizes)
        packed = statistics.median(size[1] for size in r.sizes)
        print(f"| {r.db} | {r.case} | {r.size:,} | {raw:,.0f} | {packed:,.0f} |")


def print_constancy(results: list[Result]) -> None:
    print()
    for db_label in dict.fromkeys(r.db for r in results):
        for case in ("board", "approve", "complete"):
            counts = {
                r.size: r.statement_text for r in results if r.db == db_label and r.case == case
            }
            verdict = "constant" if len(set(counts.values())) == 1 else "GROWS"
            print(f"{db_label} {case}: statements by active cards {counts} -> {verdict}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile of the cases at 5,000 cards"
    )
    parser.add_argument(
        "--gzip", action="store_true", help="accept gzipped answers, as a browser does"
    )
    args = parser.parse_args(argv)
    print(f"load average at start: {load_average()}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="mkflow-bench-") as workdir:
        if args.db in ("sqlite", "both"):
            results += run_database(
                "sqlite", sqlite_url(workdir), args.requests, args.profile, args.gzip
            )
        if args.db in ("postgres", "both"):
            url = fresh_postgres(os.environ.get("MKFLOW_BENCH_DATABASE_URL", DEFAULT_PG_URL))
            results += run_database("postgres", url, args.requests, args.profile, args.gzip)
    print_table(results, "active cards")
    print_sizes(results)
    print_constancy(results)
    print(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
