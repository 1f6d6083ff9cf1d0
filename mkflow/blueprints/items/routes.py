"""One running item: its page, the stage actions, manager actions, comments, watchers."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from mkflow.activity import discussion
from mkflow.blueprints.items import responses
from mkflow.core.database import db
from mkflow.core.errors import Conflict, DomainError
from mkflow.models import Department, User
from mkflow.processes import engine
from mkflow.web.actions import perform
from mkflow.web.forms import EmptyForm
from mkflow.web.http import posted_row, posted_version
from mkflow.web.loaders import instance_or_404

bp = Blueprint("items", __name__, url_prefix="/instances")


@bp.before_request
@login_required
def require_login():
    if request.method == "POST" and not EmptyForm().validate_on_submit():
        abort(400)


def commit_or_conflict() -> None:
    """Commit; a concurrent change of the same item (version check) becomes a Conflict.
    What was just written stays loaded: the answer renders it without reading it back."""
    db.session().expire_on_commit = False
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict() from None


@bp.route("/<int:instance_id>")
def show(instance_id):
    """The item: what to do now, its fields, the path of stages, history, comments."""
    return responses.item_page(instance_or_404(instance_id))


@bp.route("/<int:instance_id>/act", methods=["POST"])
def act(instance_id):
    """The stage action (complete, approve, reject, publish) from a board, My work or the page."""
    instance = instance_or_404(instance_id)
    source_key = instance.stage.key
    form = request.form
    values = None
    if form.get("with_fields"):
        values = {k.removeprefix("field-"): v for k, v in form.items() if k.startswith("field-")}
    return perform(
        lambda: engine.act(
            instance,
            current_user,
            form.get("action", ""),
            expected_version=posted_version(),
            comment=form.get("comment", ""),
            values=values,
        ),
        done=lambda event: responses.acted(instance_id, event, source_key),
        refused=lambda error: responses.refused(instance_id, error),
        keep_loaded=True,  # the answer renders the item without reading it back
    )


@bp.route("/<int:instance_id>/fields", methods=["POST"])
def save_fields(instance_id):
    """Save the fields of the current stage without handing the item on."""
    instance = instance_or_404(instance_id)
    submitted = {
        k.removeprefix("field-"): v for k, v in request.form.items() if k.startswith("field-")
    }
    try:
        engine.save_values(instance, current_user, submitted, expected_version=posted_version())
        commit_or_conflict()
    except DomainError as refused:
        db.session.rollback()
        return responses.refused(instance_id, refused)
    flash(_("Saved."), "success")
    return redirect(url_for("items.show", instance_id=instance_id))


@bp.route("/<int:instance_id>/<any(reassign, move_back, cancel):action>", methods=["POST"])
def manage(instance_id, action):
    """Manager actions: reassign, move back to an earlier stage, cancel — each with a comment."""
    instance = instance_or_404(instance_id)
    form = request.form
    common = {"comment": form.get("comment", ""), "expected_version": posted_version()}
    try:
        if action == "reassign":
            person = posted_row(User, "user_id")
            engine.reassign(instance, current_user, person, **common)
        elif action == "move_back":
            engine.move_back(instance, current_user, form.get("stage_key", ""), **common)
        else:
            engine.cancel(instance, current_user, **common)
        commit_or_conflict()
    except DomainError as refused:
        db.session.rollback()
        return responses.refused(instance_id, refused)
    flash(responses.describe_manager_action(action, instance_id), "success")
    return redirect(url_for("items.show", instance_id=instance_id))


@bp.route("/<int:instance_id>/comments", methods=["POST"])
def comment(instance_id):
    """Add a comment (Markdown; @name mentions notify that person)."""
    instance = instance_or_404(instance_id)
    try:
        discussion.add_comment(instance, current_user, request.form.get("body", ""))
    except DomainError as refused:
        db.session.rollback()
        return responses.refused(instance_id, refused)
    db.session.commit()
    return redirect(url_for("items.show", instance_id=instance_id, _anchor="comments"))


@bp.route("/<int:instance_id>/watchers", methods=["POST"])
def add_watcher(instance_id):
    """Add a person or a whole department as watchers."""
    instance = instance_or_404(instance_id)
    person, department = posted_row(User, "user_id"), posted_row(Department, "department_id")
    try:
        discussion.add_watcher(instance, current_user, user=person, department=department)
    except DomainError as refused:
        db.session.rollback()
        return responses.refused(instance_id, refused)
    db.session.commit()
    return redirect(url_for("items.show", instance_id=instance_id, _anchor="watchers"))


@bp.route("/<int:instance_id>/watchers/<int:watcher_id>/delete", methods=["POST"])
def remove_watcher(instance_id, watcher_id):
    instance = instance_or_404(instance_id)
    try:
        discussion.remove_watcher(instance, current_user, watcher_id)
    except DomainError as refused:
        db.session.rollback()
        return responses.refused(instance_id, refused)
    db.session.commit()
    return redirect(url_for("items.show", instance_id=instance_id, _anchor="watchers"))
