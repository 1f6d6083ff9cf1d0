"""Task rows made ready to print in one Python pass.

The board and the task list print hundreds of rows; a template call per link, date, label or
move form adds up (``web.card_context`` does the same for process cards). Each distinct set of
moves renders ``_moves.html`` once; rows get a copy with their own id and version.
"""

from flask import render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from mkflow.core.formatting import formatter
from mkflow.models import TaskStatus
from mkflow.web.forms import EmptyForm

# Stand-ins for a row's id and version in the rendered snippets; no real id is this large.
SENTINEL_ID, SENTINEL_VERSION = "987654321", "987654320"


def prepare_rows(rows, origin: str) -> dict:
    """Fill each row's link, date texts and moves form; return the labels every row shares."""
    task_url = url_for("projects.task", task_id=int(SENTINEL_ID))
    short_day = formatter().short_day
    forms: dict[tuple, str] = {}
    form = None  # made on first need: a form sets a CSRF token in the session
    for row in rows:
        row_id = str(row.id)
        row.url = task_url.replace(SENTINEL_ID, row_id)
        row.start_text = short_day(row.start_date) if row.start_date else ""
        row.due_text = short_day(row.due_date) if row.due_date else ""
        if row.moves:
            if row.moves not in forms:
                if form is None:
                    form = EmptyForm()
                forms[row.moves] = _moves_form(row.moves, origin, form)
            row.moves_html = Markup(
                forms[row.moves]
                .replace(SENTINEL_ID, row_id)
                .replace(SENTINEL_VERSION, str(row.lock_version))
            )
    return {"labels": row_labels()}


def _moves_form(moves: tuple, origin: str, form) -> str:
    row = {"id": int(SENTINEL_ID), "lock_version": int(SENTINEL_VERSION), "moves": moves}
    return render_template("projects/_moves.html", row=row, origin=origin, form=form)


def row_labels() -> dict:
    """Texts shared by all rows, translated once per page."""
    return {
        "status": {status: str(status.label) for status in TaskStatus},
        "due": _("Due"),
        "milestone": _("Milestone"),
        "subtasks": _("Subtasks done"),
        "checklist": _("Checklist"),
        "waiting": _("waiting"),
        "waiting_title": _("A task it depends on is not done"),
        "broken": _("dependency broken"),
    }
