"""Form pieces shared by the blueprints: ids, whole numbers and dates read one way
(mkflow.core.inputs), the e-mail shape, the empty POST form."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField
from wtforms.validators import ValidationError

from mkflow.core.inputs import EARLIEST_DAY, LATEST_DAY, MAX_ID, parse_int, sane_day

# Company mail often lives on intranet domains such as "demo.local", which strict
# validators refuse as special-use names; this checks the shape only.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class EmailAddress:
    def __call__(self, form, field):
        if field.data and not EMAIL_SHAPE.match(field.data.strip()):
            raise ValidationError(_l("Enter a valid email address."))


class EmptyForm(FlaskForm):
    """A POST button that carries only the CSRF token."""


def choice_id(value) -> int:
    """``coerce`` of a select of ids (0 may mean "none"): ASCII digits within the database's
    range, else the field's "could not coerce" error."""
    number = parse_int(value, 0, MAX_ID)
    if number is None:
        raise ValueError(value)
    return number


def optional_id(value) -> int | None:
    """``coerce`` of a select of ids whose empty choice is None."""
    return None if value in (None, "", "None") else choice_id(value)


class WholeNumberField(IntegerField):
    """IntegerField that reads ASCII digits only (int() takes '١' and any length); the
    range is the field's NumberRange."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = parse_int(valuelist[0].strip(), -MAX_ID, MAX_ID)
        if self.data is None:
            raise ValueError(_("Enter a whole number."))


class DayField(DateField):
    """A date between inputs.EARLIEST_DAY and LATEST_DAY; the browser's picker is told too."""

    def __init__(self, label=None, validators=None, **kwargs):
        limits = {"min": EARLIEST_DAY.isoformat(), "max": LATEST_DAY.isoformat()}
        kwargs["render_kw"] = limits | (kwargs.get("render_kw") or {})
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form):
        if self.data is not None and not sane_day(self.data):
            raise ValidationError(
                _l(
                    "Enter a date between %(first)s and %(last)s.",
                    first=EARLIEST_DAY.year,
                    last=LATEST_DAY.year,
                )
            )
