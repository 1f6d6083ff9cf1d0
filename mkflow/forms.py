"""Form pieces shared by the blueprints."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

# Company mail often lives on intranet domains such as "demo.local", which strict
# validators refuse as special-use names; this checks the shape only.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class EmailAddress:
    def __call__(self, form, field):
        if field.data and not EMAIL_SHAPE.match(field.data.strip()):
            raise ValidationError(_l("Enter a valid email address."))


class EmptyForm(FlaskForm):
    """A POST button that carries only the CSRF token."""
