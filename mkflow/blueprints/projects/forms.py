from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from mkflow.models import LinkKind, MemberRole
from mkflow.web.forms import (
    CardActionForm,
    DayField,
    Form,
    VersionField,
    WholeNumberField,
    optional_id,
)


class ProjectForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    department_id = SelectField(_l("Department"), coerce=optional_id, validate_choice=True)
    manager_id = SelectField(_l("Manager"), coerce=optional_id, validate_choice=True)
    start_date = DayField(_l("Start date"), validators=[DataRequired()])
    auto_schedule = BooleanField(
        _l("Move dependent tasks automatically when dates change"), default=True
    )


class FromTemplateForm(Form):
    template_id = SelectField(_l("Template"), coerce=optional_id, validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    start_date = DayField(_l("Start date"), validators=[DataRequired()])


class CopyForm(Form):
    """Save as template or duplicate: a name and a start date."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    start_date = DayField(_l("Start date"), validators=[DataRequired()])


class MemberForm(Form):
    user_id = SelectField(_l("Person"), coerce=optional_id, validate_choice=True)
    department_id = SelectField(
        _l("or a whole department (observers)"), coerce=optional_id, validate_choice=True
    )
    role = SelectField(
        _l("Role"),
        choices=MemberRole.choices(),
        default=MemberRole.MEMBER.value,
    )
    duty = StringField(_l("Job in this project"), validators=[Length(max=80)])


class TaskForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description (Markdown)"), validators=[Length(max=20000)])
    assignee_id = SelectField(_l("Assignee"), coerce=optional_id, validate_choice=True)
    reviewer_id = SelectField(
        _l("Reviewer (by default, the author)"), coerce=optional_id, validate_choice=True
    )
    start_date = DayField(_l("Start date"), validators=[Optional()])
    due_date = DayField(_l("Due date"), validators=[Optional()])
    days = WholeNumberField(
        _l("or duration, working days"), validators=[Optional(), NumberRange(1, 2000)]
    )
    milestone = BooleanField(_l("Milestone"))
    # Checked by the domain (same project, not under itself): the choices are read only
    # to render the form.
    parent_id = SelectField(_l("Parent task"), coerce=optional_id, validate_choice=False)
    version = VersionField()  # the template writes the input (task.lock_version)


class LinkForm(Form):
    # The rules (a task of the same project, no cycle, a known kind, the lag's range) are
    # the domain's, which names what is wrong; the form reads the values.
    predecessor_id = SelectField(
        _l("Depends on"), coerce=optional_id, validators=[DataRequired()], validate_choice=False
    )
    kind = SelectField(
        _l("Kind"),
        choices=LinkKind.choices(),
        default="fs",
        validate_choice=False,
    )
    lag = WholeNumberField(_l("Lag, working days"), default=0, validators=[Optional()])


class MoveForm(CardActionForm):
    """A status move of a task (from the board, the list, My work or the task page)."""

    move = StringField(default="")
    comment = StringField(default="")
    override = StringField(default="")
    confirm = StringField(default="")  # "1": yes, do it (NeedsConfirmation asked)
    version = VersionField()


class CheckForm(Form):
    """A checklist item (the domain checks its length)."""

    text = StringField(default="")


class UploadForm(Form):
    file = FileField(validators=[FileRequired(_l("Choose a file first."))])
