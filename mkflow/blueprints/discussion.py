"""Comments and watchers of a work item — a process item or a project task: the same three
views in the items and the projects blueprints, each saying how it loads its item, where a
change goes back to and how a refusal is answered."""

from collections.abc import Callable

from flask import Blueprint
from flask_login import current_user

from mkflow.activity import discussion
from mkflow.models import Department, User
from mkflow.web.actions import perform
from mkflow.web.forms import CommentForm, EmptyForm, WatcherForm
from mkflow.web.http import row


def add_discussion_views(
    bp: Blueprint,
    rule: str,
    *,
    load: Callable,
    back: Callable,
    refused: Callable,
    live: Callable = lambda item: item,
) -> None:
    """Register ``comment``, ``add_watcher`` and ``remove_watcher`` under ``rule`` (the
    item's own, e.g. "/<int:instance_id>"). ``load(**ids)`` is the item (404 for an
    outsider); ``back(item, section)`` answers a change; ``refused(item)`` a refusal;
    ``live(item)`` refuses, inside the operation, a new comment or watcher on an item that
    takes none (a task of an archived project)."""

    def comment(**ids):
        """Add a comment (Markdown; @name mentions notify that person)."""
        item = load(**ids)
        form = CommentForm()
        return perform(
            lambda: discussion.add_comment(live(item), current_user, form.body.data or ""),
            form=form,
            done=back(item, "comments"),
            refused=refused(item),
        )

    def add_watcher(**ids):
        """Add a person or a whole department as watchers."""
        item = load(**ids)
        form = WatcherForm()
        return perform(
            lambda: discussion.add_watcher(
                live(item),
                current_user,
                user=row(User, form.user_id.data),
                department=row(Department, form.department_id.data),
            ),
            form=form,
            done=back(item, "watchers"),
            refused=refused(item),
        )

    def remove_watcher(watcher_id, **ids):
        item = load(**ids)
        return perform(
            lambda: discussion.remove_watcher(item, current_user, watcher_id),
            form=EmptyForm(),
            done=back(item, "watchers"),
            refused=refused(item),
        )

    bp.add_url_rule(f"{rule}/comments", view_func=comment, methods=["POST"])
    bp.add_url_rule(f"{rule}/watchers", view_func=add_watcher, methods=["POST"])
    bp.add_url_rule(
        f"{rule}/watchers/<int:watcher_id>/delete", view_func=remove_watcher, methods=["POST"]
    )
