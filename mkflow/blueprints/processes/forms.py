from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from mkflow.models import DueUnit, FieldType, PickRule, StageKind
from mkflow.web.forms import WholeNumberField, choice_id


class TemplateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    department = SelectField(_l("Department"), coerce=choice_id)
    color = StringField(
        _l("Colour"),
        validators=[DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Use #rrggbb."))],
        default="#2454c5",
    )
    escalate_overdue = BooleanField(_l("Escalate overdue stages to the department head"))


class NewStageForm(FlaskForm):
    name = StringField(_l("Stage name"), validators=[DataRequired(), Length(max=160)])
    kind = SelectField(_l("Kind"), choices=StageKind.choices())


class StageForm(FlaskForm):
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


class NewFieldForm(FlaskForm):
    label = StringField(_l("Field name"), validators=[DataRequired(), Length(max=160)])
    type = SelectField(_l("Type"), choices=FieldType.choices())


class FieldForm(FlaskForm):
    label = StringField(_l("Field name"), validators=[DataRequired(), Length(max=160)])
    type = SelectField(_l("Type"), choices=FieldType.choices())
    at_launch = BooleanField(_l("Asked at start"))
    required = BooleanField(_l("Required at start"))
    default = StringField(_l("Default value"), validators=[Length(max=500)])
    choices = TextAreaField(_l("Options (one per line)"), validators=[Length(max=5000)])


class DuplicateForm(FlaskForm):
    name = StringField(_l("Name of the copy"), validators=[DataRequired(), Length(max=160)])
