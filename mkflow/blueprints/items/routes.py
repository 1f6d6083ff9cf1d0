"""One running item: its page, the stage actions, manager actions, comments, watchers."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mkflow.activity import notify
from mkflow.blueprints.discussion import add_discussion_views
from mkflow.blueprints.items import responses
from mkflow.blueprints.items.forms import ActForm, FieldsForm, ManageForm
from mkflow.models import User
from mkflow.processes import engine
from mkflow.web.actions import commit, perform
from mkflow.web.http import row
from mkflow.web.loaders import instance_or_404

bp = Blueprint("items", __name__, url_prefix="/instances")


@bp.before_request
@login_required
def require_login():
    pass


def _refused(instance_id: int, origin: str = ""):
    """``refused`` of every action here: the item (or the board, My work, as ``origin``
    says) with the reason."""
    return lambda error: responses.refused(instance_id, error, origin)


def _back_to_item(instance_id: int, message: str | None = None, anchor: str | None = None):
    def done(_result):
        if message:
            flash(message, "success")
        return redirect(url_for("items.show", instance_id=instance_id, _anchor=anchor))

    return done


@bp.route("/<int:instance_id>")
def show(instance_id):
    """The item: what to do now, its fields, the path of stages, history, comments. Opening
    it reads the notifications about it."""
    instance = instance_or_404(instance_id)
    notify.mark_read_about(current_user, instance=instance)
    commit(keep_loaded=True)  # the page renders what was just loaded
    return responses.item_page(instance)


@bp.route("/<int:instance_id>/act", methods=["POST"])
def act(instance_id):
    """The stage action (complete, approve, reject, publish) from a board, My work or the page."""
    instance = instance_or_404(instance_id)
    source_key = instance.stage.key
    form = ActForm()
    return perform(
        lambda: engine.act(
            instance,
            current_user,
            form.action.data or "",
            expected_version=form.version.data,
            comment=form.comment.data or "",
            values=form.field.data if form.with_fields.data else None,
        ),
        form=form,
        done=lambda event: responses.acted(instance_id, event, source_key, form.origin.data),
        refused=_refused(instance_id, form.origin.data),
        keep_loaded=True,
    )


@bp.route("/<int:instance_id>/fields", methods=["POST"])
def save_fields(instance_id):
    """Save the fields of the current stage without handing the item on."""
    instance = instance_or_404(instance_id)
    form = FieldsForm()
    return perform(
        lambda: engine.save_values(
            instance, current_user, form.field.data, expected_version=form.version.data
        ),
        form=form,
        done=_back_to_item(instance_id, _("Saved.")),
        refused=_refused(instance_id),
        keep_loaded=True,
    )


@bp.route("/<int:instance_id>/<any(reassign, move_back, cancel):action>", methods=["POST"])
def manage(instance_id, action):
    """Manager actions: reassign, move back to an earlier stage, cancel — each with a comment."""
    instance = instance_or_404(instance_id)
    form = ManageForm()

    def change():
        common = {"comment": form.comment.data or "", "expected_version": form.version.data}
        if action == "reassign":
            engine.reassign(instance, current_user, row(User, form.user_id.data), **common)
        elif action == "move_back":
            engine.move_back(instance, current_user, form.stage_key.data or "", **common)
        else:
            engine.cancel(instance, current_user, **common)

    def done(_result):
        flash(responses.describe_manager_action(action, instance_id), "success")
        return redirect(url_for("items.show", instance_id=instance_id))

    return perform(change, form=form, done=done, refused=_refused(instance_id), keep_loaded=True)


add_discussion_views(
    bp,
    "/<int:instance_id>",
    load=instance_or_404,
    back=lambda item, section: _back_to_item(item.id, anchor=section),
    refused=lambda item: _refused(item.id),
)
