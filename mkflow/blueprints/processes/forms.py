from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from mkflow.core.inputs import EARLIEST_DAY, LATEST_DAY, parse_day
from mkflow.models import DueUnit, FieldType, PickRule, StageKind
from mkflow.web.forms import Form, KeyedValues, WholeNumberField, choice_id


class TemplateForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    department = SelectField(_l("Department"), coerce=choice_id)
    color = StringField(
        _l("Colour"),
        validators=[DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Use #rrggbb."))],
        default="#2454c5",
    )
    escalate_overdue = BooleanField(_l("Escalate overdue stages to the department head"))


class NewStageForm(Form):
    name = StringField(_l("Stage name"), validators=[DataRequired(), Length(max=160)])
    kind = SelectField(_l("Kind"), choices=StageKind.choices())


class StageForm(Form):
    name = StringField(_l("Stage name"), validators=[DataRequired(), Length(max=160)])
    kind = SelectField(_l("Kind"), choices=StageKind.choices())
    responsible = SelectField(_l("Responsible"), validate_choice=False)
    user_id = SelectField(_l("Person"), coerce=choice_id, validate_choice=False)
    group_id = SelectField(_l("Group"), coerce=choice_id, validate_choice=False)
    pick_rule = SelectField(_l("Pick rule"), choices=PickRule.choices())
    role = StringField(_l("Role name"), validators=[Length(max=80)])
    due_amount = WholeNumberField(
        _l("Time limit"), validators=[Optional(), NumberRange(min=0, max=365)], default=0
    )
    due_unit = SelectField(_l("Unit"), choices=DueUnit.choices())
    reject_to_key = SelectField(_l("Rejected work goes back to"), validate_choice=False)
    instructions = TextAreaField(_l("Instructions"), validators=[Length(max=5000)])
    # <stage key>-mode-<field key>: how the stage shows each field (editing.clean_modes)
    mode = KeyedValues()


class NewFieldForm(Form):
    label = StringField(_l("Field name"), validators=[DataRequired(), Length(max=160)])
    type = SelectField(_l("Type"), choices=FieldType.choices())


class FieldForm(Form):
    label = StringField(_l("Field name"), validators=[DataRequired(), Length(max=160)])
    type = SelectField(_l("Type"), choices=FieldType.choices())
    at_launch = BooleanField(_l("Asked at start"))
    required = BooleanField(_l("Required at start"))
    default = StringField(_l("Default value"), validators=[Length(max=500)])
    choices = TextAreaField(_l("Options (one per line)"), validators=[Length(max=5000)])


class DuplicateForm(Form):
    name = StringField(_l("Name of the copy"), validators=[DataRequired(), Length(max=160)])


class MoveForm(Form):
    """An up or down button of the editor's lists."""

    direction = SelectField(choices=[SelectChoice("up", "up"), SelectChoice("down", "down")])


class LaunchDayField(StringField):
    """A day typed as YYYY-MM-DD (a deadline, a publication date): ``data`` is the date or
    None when empty; anything else is refused with the field's name."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = parse_day(self.raw) if self.raw else None

    def pre_validate(self, form):
        if getattr(self, "raw", "") and self.data is None:
            raise ValidationError(
                _(
                    "%(field)s must be a date (YYYY-MM-DD) between %(first)s and %(last)s.",
                    field=self.label.text,
                    first=EARLIEST_DAY.year,
                    last=LATEST_DAY.year,
                )
            )


class StartForm(Form):
    """Start an item: its launch fields and roles are the template's (field-<key>, role-<n>)."""

    title = StringField(default="")
    field = KeyedValues()
    role = KeyedValues()
    deadline = LaunchDayField(_l("Deadline"))
    publish_on = LaunchDayField(_l("Publication date"))


class ScheduleForm(Form):
    """A schedule: a preset (repeat, time, weekday, day) or a rule of its own; the domain
    reads the preset and the rule."""

    repeat = StringField(default="weekly")
    rule = StringField(default="")
    time = StringField(default="")
    weekday = StringField(default="0")
    day = StringField(default="1")
    title_pattern = StringField(default="")
    field = KeyedValues()
    role = KeyedValues()
