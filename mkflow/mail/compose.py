"""Mails written out as their recipient reads them: language, time zone, absolute links."""

from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

from flask import current_app, g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import refresh

from mkflow.activity.notice_kinds import kind_of, sentence
from mkflow.models import Notification, OutboxMessage, User


@contextmanager
def as_recipient(user: User) -> Iterator[None]:
    """A request context of the site's public address with ``user`` as the current user,
    so that the language, the time zone and ``url_for(_external=True)`` are theirs."""
    base_url = current_app.config["MKFLOW_BASE_URL"].rstrip("/")
    with current_app.test_request_context("/", base_url=base_url):
        g._login_user = user
        refresh()
        yield


def item_url(note: Notification) -> str:
    if note.instance_id:
        return url_for("items.show", instance_id=note.instance_id, _external=True)
    if note.task_id:
        return url_for("projects.task", task_id=note.task_id, _external=True)
    return url_for("main.notifications", _external=True)


def preferences_url() -> str:
    return url_for("auth.mail_preferences", _external=True)


def write_notification(message: OutboxMessage, note: Notification, user: User) -> None:
    """Fill in a notification's mail (call inside ``as_recipient(user)``)."""
    text = sentence(note)
    context = {
        "user": user,
        "note": note,
        "text": text,
        "quote": note.comment if kind_of(note.kind).quotes_comment else "",
        "url": item_url(note),
        "preferences_url": preferences_url(),
    }
    message.to_address = user.email
    message.subject = " ".join(text.split())[:255]  # one line, whatever the title holds
    message.text_body = render_template("mail/notification.txt", **context)
    message.html_body = render_template("mail/notification.html", **context)


def write_digest(message: OutboxMessage, user: User, notes: list, report) -> None:
    """Fill in a daily digest (inside ``as_recipient(user)``): the notifications held for
    it and, for a department head, what is overdue and where the boards and charts are."""
    context = {
        "user": user,
        "items": [(sentence(n), item_url(n), n) for n in notes],
        "report": report,
        "preferences_url": preferences_url(),
    }
    message.to_address = user.email
    message.subject = _("mkflow: your daily digest")
    message.text_body = render_template("mail/digest.txt", **context)
    message.html_body = render_template("mail/digest.html", **context)


def email_of(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MKFLOW_MAIL_FROM"]
    mail["To"] = message.to_address
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id(message)
    mail.set_content(message.text_body)
    mail.add_alternative(message.html_body, subtype="html")
    return mail


def message_id(message: OutboxMessage) -> str:
    """The same for every try of one outbox row, so that a mail sent again after a worker
    died between the server's acceptance and our commit is recognisable as the same message;
    the row's id and creation time and the site's host keep it unique across databases."""
    stamp = message.created_at.strftime("%Y%m%d%H%M%S%f")
    return f"<mkflow.{message.id}.{stamp}@{_site_host()}>"


def _site_host() -> str:
    host = urlsplit(current_app.config["MKFLOW_BASE_URL"]).hostname or ""
    return "".join(c for c in host.lower() if c.isascii() and (c.isalnum() or c in ".-")) or (
        "mkflow.invalid"
    )
