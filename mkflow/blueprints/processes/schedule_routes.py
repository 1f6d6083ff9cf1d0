"""A process's schedules: the list, a form to add one (a preset or a cron/RRULE rule),
pause, resume and delete. Template managers only."""

from babel.dates import get_day_names
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from mkflow.blueprints.processes.forms import ScheduleForm
from mkflow.blueprints.processes.routes import bp
from mkflow.core.database import db
from mkflow.models.scheduling import ProcessSchedule
from mkflow.people import company
from mkflow.people.process_access import can_manage_template
from mkflow.processes import engine
from mkflow.processes import schedules as scheduling
from mkflow.processes.role_choices import role_choices
from mkflow.web.actions import perform
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


def _rule_from(form: ScheduleForm) -> str:
    if form.repeat.data == CUSTOM:
        return form.rule.data or ""
    preset = scheduling.make_preset(
        form.repeat.data, form.time.data, form.weekday.data, form.day.data
    )
    return preset.rule()


def _schedules_page(template, form: ScheduleForm, error=None, status=200):
    items = scheduling.schedules_of(template)
    version = template.current_version
    return render_template(
        "processes/schedules.html",
        template=template,
        version=version,
        schedules=items,
        last_items=scheduling.last_instances(items),
        describe=scheduling.describe,
        people=(people := company.active_users()),
        roles=role_choices(template, people),
        preset_kinds=scheduling.PRESET_KINDS,
        weekday_names=get_day_names("wide", locale=get_locale() or "en"),
        zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
        values=form.posted or {},
        error=error,
        form=EmptyForm(),
    ), status


def _refused_on_page(template, form: ScheduleForm):
    """``refused``: the schedules page with the reason (a plain refusal is 422)."""

    def refused(error):
        status = 422 if error.status == 400 else error.status
        return _schedules_page(template, form, error.message, status)

    return refused


@bp.route("/<int:template_id>/schedules", methods=["GET", "POST"])
def schedules(template_id):
    """The process's schedules and a form to add one."""
    template = _managed_template_or_404(template_id)
    form = ScheduleForm()
    if request.method == "GET":
        return _schedules_page(template, form)
    version = template.current_version
    launch_fields = [f for f in version.fields if f.at_launch] if version else []

    def done(_schedule):
        flash(_("The schedule is added."), "success")
        return redirect(url_for("processes.schedules", template_id=template.id))

    return perform(
        lambda: scheduling.create_schedule(
            template,
            current_user,
            _rule_from(form),
            form.title_pattern.data or "",
            values={f.key: form.field.data.get(f.key) for f in launch_fields},
            roles={
                role: form.role.data.get(str(n)) for n, role in enumerate(engine.roles_of(template))
            },
        ),
        form=form,
        done=done,
        refused=_refused_on_page(template, form),
    )


@bp.route(
    "/<int:template_id>/schedules/<int:schedule_id>/<any(pause, resume, delete):action>",
    methods=["POST"],
)
def schedule_action(template_id, schedule_id, action):
    """Pause, resume or delete a schedule."""
    template = _managed_template_or_404(template_id)
    schedule = _schedule_or_404(template, schedule_id)

    def change():
        if action == "delete":
            scheduling.delete_schedule(schedule, current_user)
        else:
            scheduling.set_active(schedule, current_user, action == "resume")

    def done(_result):
        messages = {
            "delete": _("The schedule is deleted."),
            "pause": _("The schedule is paused."),
            "resume": _("The schedule is on."),
        }
        flash(messages[action], "success")
        return redirect(url_for("processes.schedules", template_id=template.id))

    return perform(
        change,
        form=EmptyForm(),
        done=done,
        refused=_refused_on_page(template, ScheduleForm(formdata=None)),
    )
