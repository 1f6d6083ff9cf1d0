"""Helpers shared by the benchmarks: fresh databases, the app, timing and reporting."""

import cProfile
import io
import math
import os
import pstats
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkflow.application import create_app, freeze_startup_memory  # noqa: E402


def sqlite_url(workdir: str, name: str = "mkflow-bench.db") -> str:
    return f"sqlite:///{Path(workdir) / name}"


def fresh_postgres(url: str) -> str:
    """Create the database if missing (via the ``postgres`` database); empty its schema."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(target)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def make_app(url: str):
    """The real app, with CSRF off and cheap password hashing (logins are not measured),
    set up as app.py sets it up for a server."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "MKFLOW_PASSWORD_HASH": "pbkdf2:sha256:1000",
            "BABEL_DEFAULT_LOCALE": "en",
        }
    )
    freeze_startup_memory()
    return app


def vacuum_analyze(engine) -> None:
    """On Postgres, what autovacuum soon does after a bulk load or a mass update: the
    statistics, and the visibility map that lets a count read an index alone (without it
    the process board's counts read 2,600 table pages: 7 ms instead of 1.5)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


class StatementCounter:
    """SQL statements sent to the database since the last reset."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args):
        self.count += 1


@dataclass
class Result:
    db: str
    case: str
    size: int  # tasks, cards: what the case scales with
    target_ms: float
    millis: list[float] = field(default_factory=list)  # wall time
    cpu_millis: list[float] = field(default_factory=list)  # this process's CPU time
    statements: list[int] = field(default_factory=list)

    def add(self, ms: float, cpu_ms: float, statements: int) -> None:
        self.millis.append(ms)
        self.cpu_millis.append(cpu_ms)
        self.statements.append(statements)

    def percentile(self, p: float, cpu: bool = False) -> float:
        ordered = sorted(self.cpu_millis if cpu else self.millis)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def statement_text(self) -> str:
        low, high = min(self.statements), max(self.statements)
        return str(low) if low == high else f"{low}–{high}"

    @property
    def met(self) -> bool:
        return self.percentile(95) <= self.target_ms


def timed(counter: StatementCounter, send, profiler: cProfile.Profile | None = None):
    """Run ``send()`` once: (its result, (wall ms, CPU ms, statements))."""
    counter.count = 0
    if profiler:
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = send()
    elapsed = (time.perf_counter() - started) * 1000
    cpu = (time.process_time() - cpu_started) * 1000
    if profiler:
        profiler.disable()
    return outcome, (elapsed, cpu, counter.count)


def print_profile(title: str, profiler: cProfile.Profile, limit: int = 25) -> None:
    """The top functions by cumulative and by own time; the raw stats go to a .prof file."""
    path = Path(tempfile.gettempdir()) / f"mkflow-bench-{title.replace(' ', '-')}.prof"
    profiler.dump_stats(path)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(limit)
        print(f"\n### cProfile: {title}, by {order} (stats in {path})\n{out.getvalue()}")


def print_table(results: list[Result], size_label: str) -> None:
    print(
        f"\n| db | case | {size_label} | n | p50 ms | p95 ms | target p95 | met | "
        "CPU p50 ms | statements/request |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|")
    for r in results:
        met = "yes" if r.met else "**no**"
        print(
            f"| {r.db} | {r.case} | {r.size:,} | {len(r.millis)} | {r.percentile(50):.1f} | "
            f"{r.percentile(95):.1f} | ≤ {r.target_ms:.0f} | {met} | "
            f"{r.percentile(50, cpu=True):.1f} | {r.statement_text} |"
        )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
