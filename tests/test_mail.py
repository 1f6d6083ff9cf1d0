"""Mail that is never lost: a real SMTP server on loopback (aiosmtpd) receives what the
worker sends — to the right people, in their language, with working links; a server that is
down keeps mail queued until it is back; workers never send a mail twice; preferences and the
daily digest decide what goes out when."""

import socket
import threading
from datetime import datetime, time, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask import current_app
from support import at_every_moment, launch_article, moment_name, template, user

from mkflow.extensions import db
from mkflow.mail import digest, outbox, preferences, transport
from mkflow.models import Channel, MailStatus, Notification, OutboxMessage
from mkflow.workflow import engine

BASE = "http://mkflow.example"


class Inbox:
    """What the SMTP server received: one parsed mail per recipient."""

    def __init__(self):
        self.mails = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.mails.append((rcpt, mail))
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
    return outbox.deliver(worker, transport.from_config(current_app.config), now=now)


def body(mail, kind="plain"):
    return mail.get_body(preferencelist=(kind,)).get_content()


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


def test_settled_mail_is_forgotten_after_the_keeping_time(processes, app):
    from mkflow.models import MailStatus as S

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
    from mkflow import reminders, timed

    def broken(now):
        raise RuntimeError("reminders are broken")

    monkeypatch.setattr(reminders, "send_due", broken)
    report = timed.tick(datetime(2030, 6, 1, 12, 0))
    assert report.failed == ["reminders"]
    assert set(report.counts) == {"moved on", "launched", "digests", "old mail removed"}
    assert "reminders are broken" in caplog.text and "failed: reminders" in str(report)


@at_every_moment
def test_the_worker_command_ticks_and_sends_the_outbox(
    processes, app, smtp, inbox, caplog, clock_moment
):
    launch_article("Worker article")  # its brief stage takes one working day
    with caplog.at_level("INFO", logger="mkflow.worker"):
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    # Launched on a working day (or on Sunday), the brief is due tomorrow and the tick's
    # reminder goes out with the hand-over; launched on Friday or Saturday, it is due Monday.
    reminded = moment_name(clock_moment) not in {"friday-evening", "saturday"}
    handed = ["Elena Morozova passed you “Worker article”."]
    due = ["“Worker article” is due tomorrow."] if reminded else []
    assert sorted(m["Subject"] for _, m in inbox.mails) == sorted(handed + due)
    assert f"Tick: moved on: 0, launched: 0, reminders: {len(due)}" in caplog.text


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
