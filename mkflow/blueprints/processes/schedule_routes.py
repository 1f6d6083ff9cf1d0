"""A process's schedules: the list, a form to add one (a preset or a cron/RRULE rule),
pause, resume and delete. Template managers only."""

from babel.dates import get_day_names
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from mkflow.blueprints.processes.routes import bp
from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.models.scheduling import ProcessSchedule
from mkflow.people import company
from mkflow.people.process_access import can_manage_template
from mkflow.processes import engine
from mkflow.processes import schedules as scheduling
from mkflow.web.forms import EmptyForm
from mkflow.web.loaders import visible_template_or_404

CUSTOM = "custom"


def _managed_template_or_404(template_id):
    template = visible_template_or_404(template_id)
    if not can_manage_template(current_user, template):
        abort(403)
    return template


def _schedule_or_404(template, schedule_id) -> ProcessSchedule:
    schedule = db.session.get(ProcessSchedule, schedule_id)
    if schedule is None or schedule.template_id != template.id:
        abort(404)
    return schedule


def _rule_from(form) -> str:
    repeat = form.get("repeat", "weekly")
    if repeat == CUSTOM:
        return form.get("rule", "")
    preset = scheduling.make_preset(
        repeat, form.get("time", ""), form.get("weekday", 0), form.get("day", 1)
    )
    return preset.rule()


def _status(refused: DomainError) -> int:
    return 422 if refused.status == 400 else refused.status


def _page(template, error=None, status=200):
    items = scheduling.schedules_of(template)
    version = template.current_version
    return render_template(
        "processes/schedules.html",
        template=template,
        version=version,
        schedules=items,
        last_items=scheduling.last_instances(items),
        describe=scheduling.describe,
        roles=engine.roles_of(template),
        people=company.active_users(),
        preset_kinds=scheduling.PRESET_KINDS,
        weekday_names=get_day_names("wide", locale=get_locale() or "en"),
        zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
        values=request.form,
        error=error,
        form=EmptyForm(),
    ), status


@bp.route("/<int:template_id>/schedules", methods=["GET", "POST"])
def schedules(template_id):
    """The process's schedules and a form to add one."""
    template = _managed_template_or_404(template_id)
    if request.method == "GET":
        return _page(template)
    if not EmptyForm().validate_on_submit():
        abort(400)
    form = request.form
    version = template.current_version
    launch_fields = [f for f in version.fields if f.at_launch] if version else []
    try:
        scheduling.create_schedule(
            template,
            current_user,
            _rule_from(form),
            form.get("title_pattern", ""),
            values={f.key: form.get(f"field-{f.key}") for f in launch_fields},
            roles={role: form.get(f"role-{n}") for n, role in enumerate(engine.roles_of(template))},
        )
    except DomainError as refused:
        db.session.rollback()
        return _page(template, refused.message, _status(refused))
    db.session.commit()
    flash(_("The schedule is added."), "success")
    return redirect(url_for("processes.schedules", template_id=template.id))


@bp.route(
    "/<int:template_id>/schedules/<int:schedule_id>/<any(pause, resume, delete):action>",
    methods=["POST"],
)
def schedule_action(template_id, schedule_id, action):
    """Pause, resume or delete a schedule."""
    template = _managed_template_or_404(template_id)
    schedule = _schedule_or_404(template, schedule_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        if action == "delete":
            scheduling.delete_schedule(schedule, current_user)
            message = _("The schedule is deleted.")
        else:
            scheduling.set_active(schedule, current_user, action == "resume")
            message = (
                _("The schedule is paused.") if action == "pause" else _("The schedule is on.")
            )
    except DomainError as refused:
        db.session.rollback()
        return _page(template, refused.message, _status(refused))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("processes.schedules", template_id=template.id))
