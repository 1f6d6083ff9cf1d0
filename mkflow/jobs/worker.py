"""The worker: sends the outbox and runs the tick every minute (``flask --app app worker``).

Any number of workers may run at once: mails are claimed, and every tick step is safe to
run twice. SIGTERM or SIGINT stops it after the mail it is sending."""

import logging
import os
import signal
import socket
import threading
import time
import uuid

from flask import current_app

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.jobs.tick import tick
from mkflow.mail import outbox, transport

log = logging.getLogger("mkflow.jobs.worker")
TICK_SECONDS = 60
POLL_SECONDS = 2  # the pause when the outbox is empty


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:64]


def run(*, once: bool = False) -> None:
    outbox.check_lease(current_app.config)
    name = worker_name()
    mailer = transport.from_config(current_app.config)
    if isinstance(mailer, transport.LogTransport):
        log.warning("No SMTP server is configured (MKFLOW_SMTP_HOST): mails go to the log.")
    stopping = threading.Event()
    if not once:
        _stop_on_signals(stopping)
    # The pause between ticks is a duration, not business time: a monotonic timer, which a
    # stopped clock (clock.set) does not stop.
    next_tick = 0.0
    while not stopping.is_set():
        if time.monotonic() >= next_tick:
            next_tick = time.monotonic() + TICK_SECONDS
            _safely(lambda: log.info("Tick: %s", tick(clock.now())))
        sent = _safely(lambda: outbox.deliver(name, mailer, stopping=stopping.is_set).total)
        db.session.remove()
        if once:
            return
        if not sent:
            stopping.wait(POLL_SECONDS)
    log.info("Stopped.")


def _stop_on_signals(stopping: threading.Event) -> None:
    """The first SIGTERM or SIGINT lets the mail being sent finish (killed mid-send, it
    could go out again); a second one stops at once."""

    def stop(signum, _frame):
        if stopping.is_set():
            raise SystemExit(128 + signum)
        log.info("Stopping after the current mail (%s).", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # a background job ignores it
        signal.signal(signal.SIGINT, stop)


def _safely(step):
    """A failing step (the database restarting, a bug) is logged and rolled back; the
    worker goes on and tries again on its next round."""
    try:
        return step()
    except Exception:
        log.exception("A worker step failed")
        db.session.rollback()
        return None
