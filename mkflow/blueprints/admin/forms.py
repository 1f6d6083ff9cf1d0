from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mkflow.models import DayKind, Role, Visibility
from mkflow.web.forms import DayField, EmailAddress, Form, choice_id

NOBODY = 0


class UserForm(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    title = StringField(_l("Job title"), validators=[Length(max=120)])
    department = SelectField(_l("Department"), coerce=choice_id)
    role = SelectField(
        _l("Role"),
        choices=Role.choices(),
    )
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(max=200)])


class DepartmentForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    head = SelectField(_l("Head"), coerce=choice_id)
    visibility = SelectField(
        _l("Who sees its processes"),
        choices=Visibility.choices(),
    )
    oversees_company = BooleanField(_l("Its people see the work of every department"))


class GroupForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = StringField(_l("Description"), validators=[Length(max=500)])
    members = SelectMultipleField(
        _l("Members"),
        coerce=choice_id,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class CalendarDayForm(Form):
    day = DayField(_l("Date"), validators=[DataRequired()])
    kind = SelectField(
        _l("Kind"),
        choices=DayKind.choices(),
    )
    name = StringField(_l("Name"), validators=[Length(max=120)])
