"""What each kind of share link shows (``SHARED_VIEWS``, one entry per kind of
``sharing.share_links.KINDS``): a board as it is now, a Gantt chart or a dashboard, read-only,
without links."""

from collections.abc import Callable

from mkflow.blueprints.charts.routes import shared_gantt
from mkflow.blueprints.dashboard.routes import shared_dashboard, shared_department
from mkflow.core import clock
from mkflow.core.formatting import user_today
from mkflow.processes import board as boards
from mkflow.projects import listing
from mkflow.sharing import share_links
from mkflow.web.cards import card_context, prepare_rows
from mkflow.web.http import render_board


def project_board(link):
    project = link.project

    def context():
        columns = listing.board_columns(project, None, user_today(), is_manager=False)
        rows = [row for column in columns for row in column.rows]
        return {
            "project": project,
            "columns": columns,
            "link": link,
            "share_title": project.name,
            **prepare_rows(rows),
        }

    return render_board(
        "projects/board.html",
        "projects/_board.html",
        lambda: share_links.project_stamp(project, user_today()),
        context,
        shared=True,
    )


def process_board(link):
    template = link.template
    now = clock.now()

    def context():
        columns = boards.build_board(template, None, boards.BoardFilters(), now)
        return {
            "template": template,
            "columns": columns,
            "now": now,
            "link": link,
            "share_title": template.name,
            **card_context(now, columns),
        }

    return render_board(
        "processes/board.html",
        "processes/_board.html",
        lambda: share_links.template_stamp(template, now),
        context,
        shared=True,
    )


# Every kind of link and the view that answers it: ``view(link) -> response``.
SHARED_VIEWS: dict[str, Callable] = {
    "project_board": project_board,
    "process_board": process_board,
    "gantt": shared_gantt,
    "process_dashboard": shared_dashboard,
    "department_dashboard": shared_department,
}
