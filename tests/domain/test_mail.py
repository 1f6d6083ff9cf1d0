"""Mail that is never lost: a real SMTP server on loopback (aiosmtpd) receives what the
worker sends — to the right people, in their language, with working links; a server that is
down keeps mail queued until it is back; workers never send a mail twice, and the one repeat
a crash can cause carries the same Message-ID; preferences and the daily digest decide what
goes out when."""

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime, time, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import current_app
from support import at_every_moment, launch_article, template, user

from mkflow.activity import reminders
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.jobs import tick
from mkflow.mail import digest, outbox, preferences, transport
from mkflow.models import Channel, MailStatus, Notification, OutboxMessage
from mkflow.models import MailStatus as S
from mkflow.processes import engine

BASE = "http://mkflow.example"
ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    """What the SMTP server received: one parsed mail per recipient. ``hold(n)`` keeps the
    server's answer to the n-th mail until the test lets it go."""

    def __init__(self):
        self.mails = []
        self.lock = threading.Lock()
        self.holds = {}

    def hold(self, n: int) -> tuple[threading.Event, threading.Event]:
        """(set when the n-th mail has arrived — the server has it, its sender waits for
        the answer; set it to let the server answer)."""
        self.holds[n] = (threading.Event(), threading.Event())
        return self.holds[n]

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.mails.append((rcpt, mail))
            arrived, answer = self.holds.get(len(self.mails), (None, None))
        if arrived:
            arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, answer.wait, 60)
        return "250 OK"

    def to(self, address):
        return [mail for rcpt, mail in self.mails if rcpt == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def smtp(app, inbox):
    """An SMTP server on loopback, and the app configured to use it."""
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MKFLOW_SMTP_HOST="127.0.0.1",
        MKFLOW_SMTP_PORT=controller.port,
        MKFLOW_SMTP_STARTTLS=False,
        MKFLOW_BASE_URL=BASE,
        MKFLOW_MAIL_FROM="mkflow <mkflow@example.com>",
    )
    yield controller
    controller.stop()


def send_all(now=None, worker="w1"):
    with clock.stopped_at(now or clock.now()):
        return outbox.deliver(worker, transport.from_config(current_app.config))


def body(mail, kind="plain"):
    return mail.get_body(preferencelist=(kind,)).get_content()


def worker_process(database_url: str, smtp_port: int, log: Path) -> subprocess.Popen:
    """``flask --app app worker`` in a process of its own, on the test's database and server."""
    env = os.environ | {
        "MKFLOW_DATABASE_URL": database_url,
        "MKFLOW_SECRET_KEY": "test-secret",
        "MKFLOW_DEFAULT_LOCALE": "en",
        "MKFLOW_SMTP_HOST": "127.0.0.1",
        "MKFLOW_SMTP_PORT": str(smtp_port),
        "MKFLOW_SMTP_STARTTLS": "false",
        "MKFLOW_BASE_URL": BASE,
    }
    # The worker's clock stands where the test's does, as the tests' app's clock does.
    run_worker_at = (
        "import sys; from datetime import datetime; from flask.cli import main; "
        "from mkflow.core import clock; clock.set(datetime.fromisoformat(sys.argv.pop())); main()"
    )
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-c", run_worker_at, "--app", "app", "worker", f"{clock.now():%FT%T}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def worker_holding_mail(n: int, database_url, smtp, inbox, tmp_path):
    """Five hand-off mails and a worker process whose ``n``-th mail the server holds
    unanswered: the worker, the event that releases the answer, and the worker's log."""
    for number in range(5):
        launch_article(f"Article {number}")
    arrived, answer = inbox.hold(n)
    log = tmp_path / "worker.log"
    worker = worker_process(database_url, smtp.port, log)
    if not arrived.wait(60):
        worker.kill()
        worker.wait()
        pytest.fail(log.read_text())
    return worker, answer, log


def test_work_handed_on_is_mailed_in_the_recipients_language_with_working_links(
    processes, smtp, inbox, client, auth
):
    user("copywriter@demo.local").locale = "ru"
    db.session.commit()
    item = launch_article("CRM guide")  # the marketer writes the brief
    engine.act(
        item,
        user("marketer@demo.local"),
        "complete",
        expected_version=None,
        values={"brief": "Compare five CRMs"},
    )
    db.session.commit()
    assert send_all().counts.get(MailStatus.SENT, 0) >= 2

    (mail,) = inbox.to("copywriter@demo.local")
    assert mail["From"] == "mkflow <mkflow@example.com>"
    assert mail["Subject"] == "Olga Lebedeva передал(а) вам «CRM guide»."
    text, html = body(mail), body(mail, "html")
    assert "Здравствуйте" in text
    link = f"{BASE}/instances/{item.id}"
    assert link in text and f'href="{link}"' in html
    assert f"{BASE}/account/mail" in text  # where to change what comes by mail
    auth.login("copywriter@demo.local")
    assert client.get(link.removeprefix(BASE)).status_code == 200
    (marketer_mail,) = inbox.to("marketer@demo.local")  # launched: the brief is theirs
    assert "Hello, " in body(marketer_mail)  # English: no language chosen, the default


def test_a_mail_is_queued_with_the_change_and_not_without_it(processes, smtp):
    def queued():
        return db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))

    engine.launch(
        template("article"),
        user("head@demo.local"),
        title="Never saved",
        values={"topic": "CRMs"},
        roles={
            "Marketer": user("marketer@demo.local").id,
            "Copywriter": user("copywriter@demo.local").id,
            "Text approver": user("head@demo.local").id,
        },
    )
    assert queued() == 1  # the marketer's hand-off, in the same transaction
    db.session.rollback()  # the change fails: its mail goes with it
    assert queued() == 0
    launch_article()
    assert queued() == 1


def test_with_the_server_down_mail_stays_queued_and_all_arrives_once_it_is_back(
    processes, app, inbox
):
    port = free_port()  # nothing listens here yet
    app.config.update(
        MKFLOW_SMTP_HOST="127.0.0.1",
        MKFLOW_SMTP_PORT=port,
        MKFLOW_SMTP_STARTTLS=False,
        MKFLOW_MAIL_RETRY_SECONDS=60,
    )
    for n in range(3):
        launch_article(f"Article {n}")
    now = datetime(2030, 1, 1, 9, 0)
    assert send_all(now).counts == {MailStatus.PENDING: 3}
    rows = db.session.scalars(db.select(OutboxMessage)).all()
    assert all(r.attempts == 1 and "Connection refused" in r.last_error for r in rows)
    assert all(r.next_attempt_at == now + timedelta(seconds=60) for r in rows)
    assert send_all(now + timedelta(seconds=30)).total == 0  # not due yet: backoff
    assert send_all(now + timedelta(seconds=61)).counts == {MailStatus.PENDING: 3}
    assert rows[0].next_attempt_at == now + timedelta(seconds=61 + 120)  # doubled

    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert send_all(now + timedelta(hours=1)).counts == {MailStatus.SENT: 3}
        assert send_all(now + timedelta(hours=2)).total == 0
    finally:
        controller.stop()
    assert sorted(m["Subject"] for _, m in inbox.mails) == sorted(
        f"Elena Morozova passed you “Article {n}”." for n in range(3)
    )


def test_a_mail_fails_after_the_last_try_and_an_administrator_can_retry_it(
    processes, app, smtp, inbox, client, auth
):
    app.config.update(MKFLOW_SMTP_PORT=free_port(), MKFLOW_MAIL_MAX_ATTEMPTS=2)
    launch_article()
    now = datetime(2030, 1, 1, 9, 0)
    send_all(now)
    assert send_all(now + timedelta(hours=2)).counts == {MailStatus.FAILED: 1}
    message = db.session.scalar(db.select(OutboxMessage))
    app.config.update(MKFLOW_SMTP_PORT=smtp.port)

    auth.login("admin@demo.local")
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Failed" in page and "Retry" in page and "marketer@demo.local" in page
    assert client.post(f"/admin/mail/{message.id}/retry").status_code == 302
    db.session.expire_all()
    assert send_all().counts == {MailStatus.SENT: 1}
    assert len(inbox.to("marketer@demo.local")) == 1
    assert client.post(f"/admin/mail/{message.id}/retry").status_code == 400  # sent now


def test_non_administrators_do_not_see_the_outbox(processes, client, auth):
    auth.login("copywriter@demo.local")
    assert client.get("/admin/mail").status_code == 403


def test_without_smtp_mail_goes_to_the_log_and_the_admin_page_says_so(
    processes, app, client, auth, caplog
):
    launch_article("Logged article")
    with caplog.at_level("INFO", logger="mkflow.mail"):
        assert send_all().counts == {MailStatus.LOGGED: 1}
    assert "marketer@demo.local" in caplog.text and "Logged article" in caplog.text
    launch_article("Waiting article")
    auth.login("admin@demo.local")
    page = client.get("/admin/mail").get_data(as_text=True)
    waiting = page[page.index("Waiting to be sent</td>") - 400 :]
    assert "marketer@demo.local" in waiting  # whom a mail not yet written out is for
    assert "No SMTP server is configured" in page and "Written to the log" in page


def test_a_worker_killed_mid_batch_loses_nothing(processes, app, smtp, inbox):
    app.config.update(MKFLOW_MAIL_LEASE_SECONDS=300)
    for n in range(4):
        launch_article(f"Article {n}")
    now = datetime(2030, 1, 1, 9, 0)
    assert len(outbox.claim("dead-worker", now)) == 4  # claimed, then the worker died
    assert send_all(now + timedelta(seconds=10)).total == 0  # still leased
    assert send_all(now + timedelta(seconds=301)).counts == {MailStatus.SENT: 4}
    assert len(inbox.mails) == 4


def test_two_workers_at_once_send_each_mail_exactly_once(processes, app, smtp, inbox):
    for n in range(30):
        launch_article(f"Article {n}")
    results = []

    def work(name):
        with app.app_context():
            while True:
                done = outbox.deliver(name, transport.from_config(app.config), limit=3)
                results.append((name, done.total))
                if not done.total:
                    break
            db.session.remove()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    subjects = [m["Subject"] for _, m in inbox.mails]
    assert len(subjects) == 30 and len(set(subjects)) == 30
    assert {name for name, total in results if total} == {"w0", "w1"}  # both took part
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(db.select(OutboxMessage))} == {MailStatus.SENT}


def test_a_lease_shorter_than_a_batch_sends_each_mail_once(processes, app, smtp, inbox):
    app.config.update(MKFLOW_MAIL_LEASE_SECONDS=60)
    for n in range(5):
        launch_article(f"Article {n}")
    clock.set(datetime(2030, 1, 1, 9, 0))
    first_in, first_answer = inbox.hold(1)
    second_in, second_answer = inbox.hold(2)
    sent_by = {}

    def work(name):
        with app.app_context():  # a session of its own
            sent_by[name] = outbox.deliver(name, transport.from_config(app.config))
            db.session.remove()

    slow = threading.Thread(target=work, args=("slow",))
    slow.start()  # claims all five at 9:00, until 9:01
    try:
        assert first_in.wait(30)
        clock.set(clock.now() + timedelta(seconds=30))
        first_answer.set()
        assert second_in.wait(30)  # its claim on the second was renewed at 9:00:30
        clock.set(clock.now() + timedelta(seconds=40))  # 9:01:10: the batch's lease has run out
        other = threading.Thread(target=work, args=("other",))
        other.start()
        other.join(timeout=60)
    finally:
        second_answer.set()
        slow.join(timeout=60)

    subjects = Counter(m["Subject"] for _, m in inbox.mails)
    assert subjects == Counter(f"Elena Morozova passed you “Article {n}”." for n in range(5))
    assert sent_by["slow"].counts == {MailStatus.SENT: 2}  # the rest were no longer its own
    assert sent_by["other"].counts == {MailStatus.SENT: 3}  # not the one being sent
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(db.select(OutboxMessage))} == {MailStatus.SENT}


def test_a_worker_killed_mid_batch_sends_at_most_the_mail_in_flight_again(
    processes, app, smtp, inbox, database_url, tmp_path
):
    worker, answer, _log = worker_holding_mail(3, database_url, smtp, inbox, tmp_path)
    worker.kill()  # kill -9 while the third mail waits for the server's answer
    worker.wait(timeout=30)
    answer.set()

    later = clock.now() + timedelta(seconds=app.config["MKFLOW_MAIL_LEASE_SECONDS"] + 60)
    assert send_all(later).counts.get(MailStatus.SENT, 0) >= 3
    handed_on = [m for _, m in inbox.mails if "passed you" in m["Subject"]]
    subjects = Counter(m["Subject"] for m in handed_on)
    expected = Counter(f"Elena Morozova passed you “Article {n}”." for n in (0, 1, 2, 2, 3, 4))
    assert subjects == expected  # only the one in flight went twice
    ids = Counter(m["Message-ID"] for m in handed_on)
    again = [m for m in handed_on if m["Subject"].endswith("“Article 2”.")]
    assert again[0]["Message-ID"] == again[1]["Message-ID"]  # the same message, twice
    assert len(ids) == 5 and ids[again[0]["Message-ID"]] == 2


def test_preferences_decide_off_immediately_or_digest(processes, smtp, inbox, client, auth):
    marketer = user("marketer@demo.local")
    channels = preferences.channels_of(marketer)
    assert channels["assigned"] == Channel.IMMEDIATE and channels["watched"] == Channel.DIGEST
    auth.login("marketer@demo.local")
    form = {f"kind_{key}": str(channel) for key, channel in channels.items()}
    form |= {"kind_assigned": "off", "kind_returned": "digest", "digest_time": "18:30"}
    assert client.post("/account/mail", data=form).status_code == 302
    assert client.post("/account/mail", data=form | {"kind_assigned": "loud"}).status_code == 422
    assert client.post("/account/mail", data=form | {"digest_time": "25:99"}).status_code == 422
    db.session.expire_all()
    assert preferences.channels_of(user("marketer@demo.local"))["assigned"] == Channel.OFF
    assert user("marketer@demo.local").digest_time == time(18, 30)

    launch_article()
    assert send_all().counts == {MailStatus.SKIPPED: 1}
    assert inbox.mails == []


def test_the_digest_holds_the_days_events_and_goes_out_once_at_the_chosen_time(
    processes, app, smtp, inbox
):
    copywriter = user("copywriter@demo.local")
    preferences.save(copywriter, {"assigned": Channel.DIGEST}, time(18, 0), False)
    copywriter.timezone = "Europe/Moscow"  # 18:00 there is 15:00 UTC
    db.session.commit()
    item = launch_article("Digest article")
    marketer = user("marketer@demo.local")
    engine.act(item, marketer, "complete", expected_version=None, values={"brief": "Short brief"})
    db.session.commit()
    morning = datetime(2030, 1, 7, 9, 0)
    send_all(morning)
    assert inbox.to("copywriter@demo.local") == []
    note = db.session.scalar(db.select(Notification).where(Notification.user_id == copywriter.id))
    assert note.in_digest

    def digests():
        query = db.select(OutboxMessage).where(
            OutboxMessage.kind == "digest", OutboxMessage.user_id == copywriter.id
        )
        return db.session.scalars(query).all()

    digest.queue_due(datetime(2030, 1, 7, 14, 59))  # 17:59 in Moscow
    assert digests() == []
    digest.queue_due(datetime(2030, 1, 7, 15, 0))
    digest.queue_due(datetime(2030, 1, 7, 16, 0))
    assert len(digests()) == 1  # once a day
    send_all(datetime(2030, 1, 7, 15, 1))
    (mail,) = inbox.to("copywriter@demo.local")
    assert mail["Subject"] == "mkflow: your daily digest"
    text = body(mail)
    assert "Olga Lebedeva passed you “Digest article”." in text
    assert f"{BASE}/instances/{item.id}" in text
    db.session.expire_all()
    assert not db.session.get(Notification, note.id).in_digest


def test_a_department_head_digest_lists_overdue_work_and_links_to_boards_and_charts(
    processes, app, smtp, inbox
):
    item = launch_article("Late article", deadline=None)
    item.stage_due_at = datetime(2030, 1, 1, 9, 0)
    db.session.commit()
    head = user("head@demo.local")  # heads Marketing in the demo company
    assert digest.queue_due(datetime(2030, 1, 7, 9, 0)) >= 1
    db.session.commit()
    send_all(datetime(2030, 1, 7, 9, 1))
    (mail,) = inbox.to(head.email)
    text = body(mail)
    assert "Overdue in your department:" in text and "Late article" in text
    assert f"{BASE}/processes/" in text and "/board" in text


def test_a_title_with_line_breaks_is_mailed_on_one_line(processes, smtp, inbox):
    launch_article("Evil\r\nBcc: x@evil.example")
    assert send_all().counts == {MailStatus.SENT: 1}
    ((rcpt, mail),) = inbox.mails
    assert rcpt == "marketer@demo.local" and mail["Bcc"] is None
    assert mail["Subject"] == "Elena Morozova passed you “Evil Bcc: x@evil.example”."


def test_a_mail_that_cannot_be_written_fails_alone(processes, smtp, inbox, monkeypatch):
    first, second = launch_article("First"), launch_article("Second")
    real = outbox.compose.write_notification

    def broken(message, note, user_):
        if note.instance_id == first.id:
            raise ValueError("a mail that cannot be built")
        return real(message, note, user_)

    monkeypatch.setattr(outbox.compose, "write_notification", broken)
    assert send_all().counts == {MailStatus.FAILED: 1, MailStatus.SENT: 1}
    assert [m["Subject"] for _, m in inbox.mails] == ["Elena Morozova passed you “Second”."]
    failed = db.session.scalar(
        db.select(OutboxMessage).where(OutboxMessage.status == MailStatus.FAILED)
    )
    assert "a mail that cannot be built" in failed.last_error and failed.attempts == 1
    assert second is not None


def test_a_mail_the_server_can_never_take_fails_alone_after_one_try(
    processes, smtp, inbox, monkeypatch
):
    launch_article("First")
    launch_article("Second")
    real = transport.SmtpTransport.send

    def picky(self, mail):
        if "First" in mail["Subject"]:
            raise ValueError("a mail no server can take")
        return real(self, mail)

    monkeypatch.setattr(transport.SmtpTransport, "send", picky)
    assert send_all().counts == {MailStatus.FAILED: 1, MailStatus.SENT: 1}
    assert [m["Subject"] for _, m in inbox.mails] == ["Elena Morozova passed you “Second”."]
    failed = db.session.scalar(
        db.select(OutboxMessage).where(OutboxMessage.status == MailStatus.FAILED)
    )
    assert "a mail no server can take" in failed.last_error and failed.attempts == 1
    assert failed.locked_by is None


def test_settled_mail_is_forgotten_after_the_keeping_time(processes, app):

    app.config["MKFLOW_MAIL_KEEP_DAYS"] = 30
    now = datetime(2030, 6, 1, 12, 0)
    for n, status in enumerate((S.SENT, S.LOGGED, S.SKIPPED, S.DIGEST, S.FAILED, S.PENDING)):
        for age in (31, 29):
            db.session.add(
                OutboxMessage(
                    kind="assigned",
                    status=status,
                    subject=f"{status} {age}",
                    next_attempt_at=now,
                    created_at=now - timedelta(days=age, minutes=n),
                )
            )
    db.session.commit()
    assert outbox.prune(now) == 4  # the old settled ones
    db.session.commit()
    left = set(db.session.scalars(db.select(OutboxMessage.subject)))
    assert left == {f"{s} 29" for s in S} | {"failed 31", "pending 31"}


def test_a_failing_step_of_the_tick_does_not_stop_the_others(processes, monkeypatch, caplog):

    def broken(now):
        raise RuntimeError("reminders are broken")

    monkeypatch.setattr(reminders, "send_due", broken)
    report = tick.tick(datetime(2030, 6, 1, 12, 0))
    assert report.failed == ["reminders"]
    assert set(report.counts) == {"moved on", "launched", "digests", "old mail removed"}
    assert "reminders are broken" in caplog.text and "failed: reminders" in str(report)


@at_every_moment
def test_the_worker_command_ticks_and_sends_the_outbox(
    processes, app, smtp, inbox, caplog, clock_moment
):
    launch_article("Worker article")  # its brief stage takes one working day
    with caplog.at_level("INFO", logger="mkflow.jobs.worker"):
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    # Whenever it is launched, the brief is due on the next working day (on Friday, at the
    # weekend or on New Year's Eve: the next working day after the days off); the hand-over
    # says so, and no "due tomorrow" reminder follows it a moment later.
    handed = ["Elena Morozova passed you “Worker article”."]
    assert [m["Subject"] for _, m in inbox.mails] == handed
    assert "Tick: moved on: 0, launched: 0, reminders: 0" in caplog.text


def test_a_head_s_digest_counts_a_stage_overdue_since_an_hour_ago(processes, app, smtp, inbox):
    item = launch_article("Just late")
    now = datetime(2030, 1, 7, 9, 0)
    item.stage_due_at = now - timedelta(hours=1)  # 11:00 in Moscow: still the same local day
    db.session.commit()
    assert digest.queue_due(now) >= 1
    db.session.commit()
    send_all(now)
    (mail,) = inbox.to("head@demo.local")
    assert "Just late" in body(mail).split("Overdue in your department:")[1]


def test_the_worker_refuses_a_lease_shorter_than_one_send_can_take(app, smtp, inbox):
    app.config.update(MKFLOW_MAIL_LEASE_SECONDS=60, MKFLOW_SMTP_TIMEOUT=10)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 1
    assert "MKFLOW_MAIL_LEASE_SECONDS (60) must be at least 15 × MKFLOW_SMTP_TIMEOUT" in (
        result.output
    )
    app.config.update(MKFLOW_MAIL_LEASE_SECONDS=150)
    assert app.test_cli_runner().invoke(args=["worker", "--once"]).exit_code == 0


def test_sigterm_stops_the_worker_after_the_mail_it_is_sending(
    processes, app, smtp, inbox, database_url, tmp_path
):
    worker, answer, log = worker_holding_mail(2, database_url, smtp, inbox, tmp_path)
    try:
        worker.terminate()  # SIGTERM while the second mail waits for the server's answer
        answer.set()
        assert worker.wait(timeout=60) == 0, log.read_text()
    finally:
        answer.set()
        worker.kill()
        worker.wait()
    assert [m["Subject"] for _, m in inbox.mails] == [
        "Elena Morozova passed you “Article 0”.",
        "Elena Morozova passed you “Article 1”.",
    ]
    db.session.expire_all()
    query = db.select(OutboxMessage).order_by(OutboxMessage.id).limit(5)
    rows = db.session.scalars(query).all()  # the hand-offs (the tick may have queued more)
    assert [r.status for r in rows] == [MailStatus.SENT] * 2 + [MailStatus.PENDING] * 3
    assert {r.locked_by for r in rows[2:]} == {None}  # given back: the next worker sends them
    assert "Stopping after the current mail (SIGTERM)" in log.read_text()
