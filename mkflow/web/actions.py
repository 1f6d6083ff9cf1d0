"""The one way a view runs a domain operation: run it, commit, answer; a refusal rolls back
and is answered by the view's own ``refused`` (its status is the error's), a concurrent
change of the same row becomes a Conflict, and a NotFound is the 404 every outsider gets.

    return perform(
        lambda: engine.act(item, current_user, action, expected_version=version),
        done=lambda event: redirect(url_for("items.show", item_id=item.id)),
        refused=lambda error: render_form("…", form),
    )
"""

from collections.abc import Callable
from typing import Any

from flask import abort
from sqlalchemy.orm.exc import StaleDataError

from mkflow.core.database import db
from mkflow.core.errors import Conflict, DomainError


def commit(*, keep_loaded: bool = False) -> None:
    """Commit; a concurrent change of a versioned row (optimistic lock) becomes a Conflict.
    ``keep_loaded`` keeps what was just written in memory, so an answer that renders it does
    not read it back."""
    if keep_loaded:
        db.session().expire_on_commit = False
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict() from None


def perform(
    operation: Callable[[], Any],
    *,
    done: Callable[[Any], Any],
    refused: Callable[[DomainError], Any],
    keep_loaded: bool = False,
):
    """Run ``operation`` (a domain call), commit, and answer ``done(result)``. A DomainError
    rolls back and answers ``refused(error)`` with the error's status; NotFound is a 404."""
    try:
        result = operation()
        commit(keep_loaded=keep_loaded)
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        answer = refused(error)
        if isinstance(answer, tuple):
            return answer
        return answer, error.status
    return done(result)
