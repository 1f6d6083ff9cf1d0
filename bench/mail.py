"""Benchmark of the outbox: two ways for a worker to send only while its claim holds.

    .venv/bin/python bench/mail.py [--db sqlite|postgres|both] [--mails 1000]

For each database: a fresh, migrated database and ``--mails`` written-out mails in the
outbox, sent by one worker to an SMTP server on loopback (aiosmtpd, answering at once) and
then, with the same rows queued again, to a transport that does nothing (which shows the
database's share alone). Ways:

* ``batch + renew``  claim 20, renew the claim on each mail just before sending it (shipped);
* ``one at a time``  claim a single mail, send it, claim the next;
* ``batch, no renew`` claim 20 and send them all on the batch's claim: the old way, unsafe
  when a batch outlasts its lease, for reference.

Each way sends the same mails ``--rounds`` times, the ways taking turns; the table gives the
median round. The script checks that every mail was sent. Postgres comes from
MKFLOW_BENCH_MAIL_DATABASE_URL (default below); the database is created when missing and
its public schema is dropped and recreated.
"""

import argparse
import os
import socket
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
from aiosmtpd.controller import Controller
from sqlalchemy import delete, insert

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402  (also puts the repository on the path)
    StatementCounter,
    fresh_postgres,
    load_average,
    make_app,
    sqlite_url,
)

from mkflow.core import clock  # noqa: E402
from mkflow.core.database import db  # noqa: E402
from mkflow.mail import outbox, transport  # noqa: E402
from mkflow.models import MailStatus, OutboxMessage  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mkflow_bench_mail"


class Accept:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


class NoTransport:
    delivered = MailStatus.SENT

    def send(self, message) -> None:
        pass

    def close(self) -> None:
        pass


def queue(count: int) -> None:
    """``count`` mails waiting, written out as a notification's mail is (about 3 KB)."""
    now = clock.now()
    db.session.execute(delete(OutboxMessage))
    db.session.execute(
        insert(OutboxMessage),
        [
            {
                "kind": "assigned",
                "to_address": f"person{n}@example.com",
                "subject": f"Elena Morozova passed you “Article {n}”.",
                "text_body": "Hello,\n\n" + "A line of the mail's text.\n" * 60,
                "html_body": "<p>Hello,</p>" + "<p>A line of the mail's text.</p>" * 60,
                "status": MailStatus.PENDING,
                "next_attempt_at": now,
            }
            for n in range(count)
        ],
    )
    db.session.commit()


@contextmanager
def no_renewal():
    """The claim made for the batch (or the single mail) is all the worker checks."""
    real = outbox.renew
    outbox.renew = lambda worker, message_id, now: True
    try:
        yield
    finally:
        outbox.renew = real


def batch_and_renew(mailer) -> None:
    while outbox.deliver("bench", mailer).total:
        pass


def one_at_a_time(mailer) -> None:
    with no_renewal():
        while ids := outbox.claim("bench", clock.now(), limit=1):
            outbox._deliver_one("bench", ids[0], mailer, clock.now())
        mailer.close()


def batch_without_renewal(mailer) -> None:
    with no_renewal():
        batch_and_renew(mailer)


WAYS = {
    "batch + renew": batch_and_renew,
    "one at a time": one_at_a_time,
    "batch, no renew (old)": batch_without_renewal,
}


def run_database(label: str, url: str, mails: int, rounds: int, smtp_port: int) -> list[tuple]:
    """Each way ``rounds`` times, the ways taking turns (so a busy moment hits them all);
    per way and server: the median round's ms per mail, CPU ms and statements per mail."""
    app = make_app(url)
    app.config.update(
        MKFLOW_SMTP_HOST="127.0.0.1", MKFLOW_SMTP_PORT=smtp_port, MKFLOW_SMTP_STARTTLS=False
    )
    servers = {"SMTP": lambda: transport.from_config(app.config), "none": NoTransport}
    rows = []
    with app.app_context():
        flask_migrate.upgrade()
        counter = StatementCounter(db.engine)
        for server, make in servers.items():
            measured = {way: [] for way in WAYS}
            for _ in range(rounds):
                for way, send in WAYS.items():
                    queue(mails)
                    counter.count = 0
                    started, cpu = time.perf_counter(), time.process_time()
                    send(make())
                    seconds = time.perf_counter() - started
                    cpu_seconds = time.process_time() - cpu
                    sent = db.session.scalar(
                        db.select(db.func.count()).where(OutboxMessage.status == MailStatus.SENT)
                    )
                    assert sent == mails, f"{way}: {sent} of {mails} sent"
                    measured[way].append((seconds, cpu_seconds, counter.count))
            for way, runs in measured.items():
                seconds, cpu_seconds, statements = sorted(runs)[len(runs) // 2]
                rows.append(
                    (
                        label,
                        server,
                        way,
                        mails,
                        rounds,
                        seconds / mails * 1000,
                        cpu_seconds / mails * 1000,
                        statements / mails,
                    )
                )
                print(f"{label} {server} {way}: {seconds / mails * 1000:.2f} ms/mail", flush=True)
        db.session.remove()
        db.engine.dispose()
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--mails", type=int, default=500, help="mails per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per way")
    args = parser.parse_args(argv)
    print(f"load average at start: {load_average()}", flush=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = Controller(Accept(), hostname="127.0.0.1", port=port)
    server.start()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="mkflow-bench-mail-") as workdir:
            plan = []
            if args.db in ("sqlite", "both"):
                plan.append(("sqlite", sqlite_url(workdir, "mail.db")))
            if args.db in ("postgres", "both"):
                url = os.environ.get("MKFLOW_BENCH_MAIL_DATABASE_URL", DEFAULT_PG_URL)
                plan.append(("postgres", fresh_postgres(url)))
            for label, url in plan:
                rows += run_database(label, url, args.mails, args.rounds, server.port)
    finally:
        server.stop()
    header = (
        "db | server | way | mails × rounds | ms/mail | mails/s | CPU ms/mail | statements/mail"
    )
    print(f"\n| {header} |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for db_, server_, way, n, rounds, ms, cpu, statements in rows:
        print(
            f"| {db_} | {server_} | {way} | {n:,} × {rounds} | {ms:.2f} | {1000 / ms:.0f} | "
            f"{cpu:.2f} | {statements:.1f} |"
        )
    print(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
