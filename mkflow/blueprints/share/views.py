"""What each kind of share link shows: a board as it is now, read-only, without links."""

from mkflow import clock, sharing
from mkflow.blueprints.share.routes import shared_view
from mkflow.projects import listing
from mkflow.web import card_context, render_board
from mkflow.workflow import board as boards


@shared_view("project_board")
def project_board(link):
    # Here, not above: the projects blueprint imports this package for its settings page.
    from mkflow.blueprints.projects.rows import prepare_rows

    project = link.project

    def context():
        columns = listing.board_columns(project, None, clock.user_today(), is_manager=False)
        rows = [row for column in columns for row in column.rows]
        return {
            "project": project,
            "columns": columns,
            "link": link,
            "share_title": project.name,
            **prepare_rows(rows, "board"),
        }

    return render_board(
        "projects/board.html",
        "projects/_board.html",
        lambda: sharing.project_stamp(project, clock.user_today()),
        context,
        shared=True,
    )


@shared_view("process_board")
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
            **card_context(now, boards.cards_of(columns), shared=True),
        }

    return render_board(
        "processes/board.html",
        "processes/_board.html",
        lambda: sharing.template_stamp(template, now),
        context,
        shared=True,
    )
