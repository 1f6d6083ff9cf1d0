"""HTTP plumbing shared by the blueprints: safe redirects, headers, form responses."""

import hashlib
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for

from mkflow.card_markup import CardMarkup

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (never an open redirect)."""
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    return response


@cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """A static URL that changes with the file, so it can be cached for a year."""
    path = Path(current_app.static_folder) / filename
    return url_for("static", filename=filename, v=_file_digest(str(path)))


def posted_version() -> int | None:
    """The version of the item the posted form was made from (optimistic locking)."""
    from flask import request

    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


def render_form(template: str, form, status: int | None = None, **context):
    """Render a form page; a submitted form with errors answers 422, not 200."""
    if status is None:
        status = 422 if form.is_submitted() and (form.errors or form.form_errors) else 200
    return render_template(template, form=form, **context), status


def _nav_counts(user) -> tuple[int, int]:
    """Waiting items and unread notifications, asked once per response."""
    from flask import g

    from mkflow.workflow import board

    if "nav_counts" not in g:
        g.nav_counts = board.nav_counts(user)
    return g.nav_counts


def template_helpers() -> dict:
    """Functions templates call: counters for the navigation, dates in the user's zone."""
    from flask_babel import format_date
    from flask_login import current_user

    from mkflow.formatting import formatter
    from mkflow.workflow import board
    from mkflow.workflow.rules import ACTION_LABELS

    return {
        "nav_counts": lambda: _nav_counts(current_user),
        "when": lambda moment: formatter().when(moment),
        "duration": lambda delta: formatter().duration(delta),
        "day": lambda d, fmt="medium": format_date(d, fmt) if d else "",
        "is_overdue": board.is_overdue,
        "action_labels": ACTION_LABELS,
    }


def card_context(now, cards=()) -> dict:
    """What every card on a page shares, prepared once, and each card's links and texts
    filled in one Python pass: a board prints hundreds and template calls add up."""
    from flask_babel import gettext as _
    from flask_wtf.csrf import generate_csrf

    from mkflow.formatting import formatter
    from mkflow.workflow.board import is_overdue
    from mkflow.workflow.rules import ACTION_LABELS

    labels = SimpleNamespace(
        actions={action: str(label) for action, label in ACTION_LABELS.items()},
        reject=_("Reject"),
        fix=_("What needs fixing?"),
        send_back=_("Send back for rework"),
        unassigned=_("Unassigned"),
        returned=_("Times returned for rework"),
    )
    overdue, due, in_stage = _("Overdue"), _("Due"), _("%(time)s in stage", time="{}")
    sentinel = "987654321"
    show = url_for("instances.show", instance_id=int(sentinel))
    act = url_for("instances.act", instance_id=int(sentinel))
    fmt = formatter()
    for card in cards:
        card.url = show.replace(sentinel, str(card.id))
        card.act_url = act.replace(sentinel, str(card.id))
        card.late = is_overdue(card, now)
        if card.is_active:
            if card.stage_due_at:
                moment = fmt.when(card.stage_due_at)
                card.due_text = f"{overdue}: {moment}" if card.late else f"{due} {moment}"
            card.age_text = in_stage.replace("{}", fmt.duration(now - card.stage_entered_at))
        card.finished_text = fmt.when(card.finished_at)
    return {"card_host": CARD_HOST, "card_markup": CardMarkup(labels, generate_csrf())}


# On the element around cards: their boosted forms stay on the page and swap only the
# out-of-band parts of the answer.
CARD_HOST = 'hx-push-url="false" hx-swap="none"'
