"""The one way a view runs a domain operation: check the posted form, run the operation,
commit, answer. A refusal rolls back and is answered by the view's own ``refused`` (its
status is the error's); a form that does not validate is such a refusal (InvalidForm, 400);
a concurrent change of the same row becomes a Conflict (409); a NotFound is the 404 every
outsider gets.

    form = ActForm()
    return perform(
        lambda: engine.act(item, current_user, form.action.data, expected_version=...),
        form=form,
        done=lambda event: redirect(url_for("items.show", item_id=item.id)),
        refused=lambda error: render_form("…", form),
    )

A page whose form re-renders with its field errors checks ``form.validate_on_submit()``
itself and calls perform without ``form``.
"""

from collections.abc import Callable
from typing import Any

from flask import Response, abort
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from mkflow.core.database import db
from mkflow.core.errors import Conflict, DomainError
from mkflow.web.http import error_page


class InvalidForm(DomainError):
    """A posted form that did not validate, as a refusal (400, as any bad input the domain
    refuses): its errors are the message."""

    def __init__(self, form):
        messages = [str(e) for errors in form.errors.values() for e in errors]
        super().__init__(" ".join(messages) or _("Bad request"))
        self.form = form


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
    form=None,
    keep_loaded: bool = False,
):
    """Validate ``form`` (when given), run ``operation`` (a domain call), commit, and answer
    ``done(result)``. A DomainError rolls back and answers ``refused(error)`` with the
    error's status (unless ``refused`` gives its own, or redirects); NotFound is a 404."""
    try:
        if form is not None and not form.validate_on_submit():
            raise InvalidForm(form)
        try:
            result = operation()
        except StaleDataError:  # a flush inside the operation met the other change
            raise Conflict() from None
        commit(keep_loaded=keep_loaded)
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:  # the page every outsider gets, saying what is missing
            abort(404, description=str(error.message))
        answer = refused(error)
        if isinstance(answer, tuple) or _is_redirect(answer):
            return answer  # its own status, or a redirect to where the reason is shown
        return answer, error.status
    return done(result)


def _is_redirect(answer) -> bool:
    return isinstance(answer, Response) and 300 <= answer.status_code < 400


def refusal_page(error: DomainError):
    """The plain answer to a refusal, for a view with no page of its own to show it on."""
    return error_page(error.status, _("This cannot be done"), str(error.message))


def shown_in(form, page: Callable[[], Any]) -> Callable[[DomainError], Any]:
    """A ``refused`` for a form page: the refusal's message above the form, the page again
    (render_form answers 422, as for any error of the form)."""

    def refused(error: DomainError):
        form.form_errors.append(error.message)
        return page()

    return refused
