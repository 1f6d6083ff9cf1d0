from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired

from mkflow.forms import DayField


class ShareForm(FlaskForm):
    kind = SelectField(_l("What to share"), choices=[])
    expires_on = DayField(_l("Works until"), validators=[InputRequired()])
