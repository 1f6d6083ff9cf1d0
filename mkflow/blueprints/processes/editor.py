"""The template editor: settings, fields and stages edited in place (htmx), then published."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from mkflow.blueprints.processes.forms import (
    DuplicateForm,
    FieldForm,
    MoveForm,
    NewFieldForm,
    NewStageForm,
    StageForm,
    TemplateForm,
)
from mkflow.blueprints.processes.routes import bp
from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.models import (
    Department,
    DueUnit,
    FieldMode,
    FieldType,
    PickRule,
    Responsible,
    StageKind,
)
from mkflow.people import company
from mkflow.people.process_access import can_manage_template
from mkflow.processes import templates as editing
from mkflow.web.actions import InvalidForm, perform, refusal_page, shown_in
from mkflow.web.forms import EmptyForm
from mkflow.web.loaders import visible_template_or_404
from mkflow.web.share_panel import share_panel

NONE = SelectChoice(0, "—")


def _template_form(template=None) -> TemplateForm:
    data = {}
    if template is not None:
        data = {
            "name": template.name,
            "description": template.description,
            "department": template.department_id or 0,
            "color": template.color,
            "escalate_overdue": template.escalate_overdue,
        }
    form = TemplateForm(**data)
    departments = company.departments()
    if not current_user.is_admin:
        departments = [d for d in departments if d.head_id == current_user.id]
    form.department.choices = ([NONE] if current_user.is_admin else []) + [
        SelectChoice(d.id, d.name) for d in departments
    ]
    return form


def _stage_form(stage, version, people, groups) -> StageForm:
    form = StageForm(
        prefix=f"{stage.key}-",
        data={
            "name": stage.name,
            "kind": stage.kind.value,
            "responsible": stage.responsible.value if stage.responsible else "",
            "user_id": stage.user_id or 0,
            "group_id": stage.group_id or 0,
            "pick_rule": stage.pick_rule.value,
            "role": stage.role,
            "due_amount": stage.due_amount,
            "due_unit": stage.due_unit.value,
            "reject_to_key": stage.reject_to_key or "",
            "instructions": stage.instructions,
        },
    )
    _stage_choices(form, stage, version, people, groups)
    return form


def _stage_choices(form, stage, version, people, groups) -> None:
    form.responsible.choices = [SelectChoice("", "—"), *Responsible.choices()]
    form.user_id.choices = [NONE] + [SelectChoice(u.id, u.name) for u in people]
    form.group_id.choices = [NONE] + [SelectChoice(g.id, g.name) for g in groups]
    earlier = version.stages[: version.stages.index(stage)]
    form.reject_to_key.choices = [SelectChoice("", "—")] + [
        SelectChoice(s.key, s.name) for s in earlier
    ]


def _field_form(field) -> FieldForm:
    return FieldForm(
        prefix=f"{field.key}-",
        data={
            "label": field.label,
            "type": field.type.value,
            "at_launch": field.at_launch,
            "required": field.required,
            "default": field.default,
            "choices": field.choices,
        },
    )


def _editor_context(template, message=None, category="success"):
    version = editing.draft_of(template) or template.current_version
    people, groups = company.active_users(), company.groups()
    kept = {} if category == "error" else {"formdata": None}
    return {
        "template": template,
        "version": version,
        "live": template.current_version,
        "live_items": editing.instances_count(template.current_version)
        if template.current_version
        else 0,
        "problems": editing.problems_of(version),
        "stage_forms": [(s, _stage_form(s, version, people, groups)) for s in version.stages],
        "field_forms": [(f, _field_form(f)) for f in version.fields],
        # After an addition the boxes are empty again; after a refusal they keep the text.
        "new_stage": NewStageForm(prefix="new-stage-", **kept),
        "new_field": NewFieldForm(prefix="new-field-", **kept),
        "settings": _template_form(template),
        "duplicate_form": DuplicateForm(
            prefix="duplicate-", name=_("%(name)s (copy)", name=template.name)
        ),
        "form": EmptyForm(),
        "modes": list(FieldMode),
        "message": message,
        "category": category,
    }


def _managed_template_or_404(template_id):
    template = visible_template_or_404(template_id)
    if not can_manage_template(current_user, template):
        abort(403)
    return template


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create a template; its stages and fields are added in the editor."""
    if not editing.can_create_templates(current_user):
        abort(403)
    form = _template_form()

    def page():
        status = 422 if form.is_submitted() else 200
        return render_template("processes/new.html", form=form), status

    def done(template):
        flash(_("The process is created. Add its fields and stages."), "success")
        return redirect(url_for("processes.edit", template_id=template.id))

    if form.validate_on_submit():
        return perform(
            lambda: editing.create_template(
                current_user,
                name=form.name.data,
                description=form.description.data,
                department=db.session.get(Department, form.department.data),
                color=form.color.data,
            ),
            done=done,
            refused=shown_in(form, page),
        )
    return page()


@bp.route("/<int:template_id>/edit")
def edit(template_id):
    """The editor page."""
    template = _managed_template_or_404(template_id)
    return render_template(
        "processes/edit.html", **_editor_context(template), **share_panel(template)
    )


def _edited(template, operation, success: str, form=None):
    """Apply one editor operation (``form`` checked first); htmx gets the editor back, a
    plain post a redirect, and a refusal the editor (or its page) with the reason."""

    def done(_result):
        if request.htmx:
            return render_template("processes/_editor.html", **_editor_context(template, success))
        flash(success, "success")
        return redirect(url_for("processes.edit", template_id=template.id))

    def refused(error):
        db.session.expire_all()
        if request.htmx:
            return render_template(
                "processes/_editor.html", **_editor_context(template, error.message, "error")
            ), 422
        flash(str(error.message), "error")
        page = render_template(
            "processes/edit.html", **_editor_context(template), **share_panel(template)
        )
        return page, 422

    return perform(operation, form=form, done=done, refused=refused)


@bp.route("/<int:template_id>/settings", methods=["POST"])
def settings(template_id):
    template = _managed_template_or_404(template_id)
    form = _template_form(template)
    return _edited(
        template,
        lambda: editing.update_settings(
            current_user,
            template,
            name=form.name.data,
            description=form.description.data,
            department=db.session.get(Department, form.department.data),
            color=form.color.data,
            escalate_overdue=form.escalate_overdue.data,
        ),
        _("Settings saved."),
        form,
    )


@bp.route("/<int:template_id>/stages", methods=["POST"])
def add_stage(template_id):
    template = _managed_template_or_404(template_id)
    form = NewStageForm(prefix="new-stage-")
    return _edited(
        template,
        lambda: editing.add_stage(
            current_user, template, name=form.name.data, kind=StageKind(form.kind.data)
        ),
        _("Stage added."),
        form,
    )


def _int(value) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


@bp.route("/<int:template_id>/stages/<key>", methods=["POST"])
def update_stage(template_id, key):
    template = _managed_template_or_404(template_id)

    def save():
        version = editing.ensure_draft(current_user, template)
        stage = editing.find_stage(version, key)
        form = StageForm(prefix=f"{key}-")
        _stage_choices(form, stage, version, company.active_users(), company.groups())
        # The choices come from the draft, so the form is checked here, not by _edited.
        if not form.validate_on_submit():
            raise InvalidForm(form)
        responsible = form.responsible.data
        if responsible and responsible not in set(Responsible):
            raise DomainError(_("Choose who is responsible."))
        modes = {f.key: form.mode.data.get(f.key, FieldMode.SHOW) for f in version.fields}
        editing.update_stage(
            current_user,
            template,
            key,
            name=form.name.data,
            kind=StageKind(form.kind.data),
            responsible=Responsible(responsible) if responsible else None,
            user_id=_int(form.user_id.data),
            group_id=_int(form.group_id.data),
            pick_rule=PickRule(form.pick_rule.data),
            role=form.role.data or "",
            due_amount=form.due_amount.data or 0,
            due_unit=DueUnit(form.due_unit.data),
            reject_to_key=form.reject_to_key.data or None,
            instructions=form.instructions.data or "",
            field_modes=editing.clean_modes(modes),
        )

    return _edited(template, save, _("Stage saved."))


@bp.route("/<int:template_id>/<any(stages, fields):kind>/<key>/move", methods=["POST"])
def move(template_id, kind, key):
    template = _managed_template_or_404(template_id)
    form = MoveForm()
    mover = editing.move_stage if kind == "stages" else editing.move_field
    return _edited(
        template,
        lambda: mover(current_user, template, key, -1 if form.direction.data == "up" else 1),
        _("Order saved."),
        form,
    )


@bp.route("/<int:template_id>/<any(stages, fields):kind>/<key>/delete", methods=["POST"])
def remove(template_id, kind, key):
    template = _managed_template_or_404(template_id)
    remover = editing.remove_stage if kind == "stages" else editing.remove_field
    return _edited(
        template, lambda: remover(current_user, template, key), _("Removed."), EmptyForm()
    )


@bp.route("/<int:template_id>/fields", methods=["POST"])
def add_field(template_id):
    template = _managed_template_or_404(template_id)
    form = NewFieldForm(prefix="new-field-")
    return _edited(
        template,
        lambda: editing.add_field(
            current_user, template, label=form.label.data, type=FieldType(form.type.data)
        ),
        _("Field added."),
        form,
    )


@bp.route("/<int:template_id>/fields/<key>", methods=["POST"])
def update_field(template_id, key):
    template = _managed_template_or_404(template_id)
    form = FieldForm(prefix=f"{key}-")
    return _edited(
        template,
        lambda: editing.update_field(
            current_user,
            template,
            key,
            label=form.label.data,
            type=FieldType(form.type.data),
            at_launch=form.at_launch.data,
            required=form.required.data,
            default=form.default.data or "",
            choices=form.choices.data or "",
        ),
        _("Field saved."),
        form,
    )


@bp.route("/<int:template_id>/publish", methods=["POST"])
def publish(template_id):
    template = _managed_template_or_404(template_id)
    return _edited(
        template,
        lambda: editing.publish(current_user, template),
        _("Published: new items start on this version; running ones stay on theirs."),
        EmptyForm(),
    )


@bp.route("/<int:template_id>/discard", methods=["POST"])
def discard(template_id):
    template = _managed_template_or_404(template_id)
    return _edited(
        template,
        lambda: editing.discard_draft(current_user, template),
        _("The draft is discarded."),
        EmptyForm(),
    )


@bp.route("/<int:template_id>/duplicate", methods=["POST"])
def duplicate(template_id):
    """Copy a template (say, to make a simplified variant) and open the copy in the editor."""
    template = _managed_template_or_404(template_id)

    def done(copy):
        flash(_("This is the copy. Change it and publish it."), "success")
        return redirect(url_for("processes.edit", template_id=copy.id))

    form = DuplicateForm(prefix="duplicate-")
    return perform(
        lambda: editing.duplicate(current_user, template, form.name.data),
        form=form,
        done=done,
        refused=refusal_page,
    )


@bp.route("/<int:template_id>/<any(archive, restore):action>", methods=["POST"])
def archive(template_id, action):
    """Archived processes start nothing new; their running items go on."""
    template = _managed_template_or_404(template_id)

    def done(_result):
        archived = action == "archive"
        flash(
            _("The process is archived.") if archived else _("The process is back in use."),
            "success",
        )
        return redirect(url_for("processes.index"))

    return perform(
        lambda: editing.set_archived(current_user, template, action == "archive"),
        form=EmptyForm(),
        done=done,
        refused=refusal_page,
    )
