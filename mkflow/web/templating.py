"""What every template may call: the navigation's counters, dates in the person's zone."""

from functools import lru_cache
from urllib.parse import urlencode

from flask import request
from flask_babel import format_date
from flask_login import current_user
from markupsafe import escape

from mkflow.analytics import svg
from mkflow.core.formatting import formatter
from mkflow.processes import board
from mkflow.processes.rules import Action
from mkflow.web import i18n
from mkflow.web.cards import row_labels
from mkflow.web.counters import nav_counts, shown_count
from mkflow.web.process_colors import stylesheet_url


def template_helpers() -> dict:
    """Functions templates call: counters for the navigation, dates in the user's zone."""
    return {
        "nav_counts": lambda: nav_counts(current_user),
        "shown_count": shown_count,
        "colors_url": stylesheet_url,
        "when": lambda moment: formatter().when(moment),
        "duration": lambda delta: formatter().duration(delta),
        "day": lambda d: formatter().date(d) if d else "",
        "weekday": lambda d: format_date(d, "EEEE"),
        "is_overdue": board.is_overdue,
        # Translated and escaped once per language (a label is lazy: each use would look it
        # up; the card partial prints them without autoescape).
        "action_texts": lambda: _action_texts(i18n.translations()),
        # Task statuses and moves, translated once per list of task cards.
        "task_texts": row_labels,
    }


# The query parameter that asks a chart page for one chart's figure JSON (chart_response).
FIGURE_ARG = "figure"


def figure_url(chart_id: str) -> str:
    """Where "Interactive" fetches a chart's figure: this page's own URL (the part's, for a
    chart htmx brought in), its filters and share token kept, naming the chart."""
    args = request.args.to_dict(flat=False) | {FIGURE_ARG: [chart_id]}
    return f"{request.path}?{urlencode(args, doseq=True)}"


@lru_cache(maxsize=8)
def _action_texts(translations) -> dict:
    """The action labels in the language of ``translations`` (the current one, which
    Flask-Babel keeps for the life of the process)."""
    return {action: escape(action.label) for action in Action}


def chart_helpers() -> dict:
    """What the chart macro calls (Jinja globals: imported macros see no context). The one
    place a figure becomes what the page shows: drawn on the server, in the page's date
    format, and the URL of its JSON for plotly.js when the reader asks for the interactive
    chart."""
    return {
        "chart_svg": lambda figure, caption="": svg.render(
            figure, formatter().date, caption=caption
        ),
        "figure_url": figure_url,
    }
