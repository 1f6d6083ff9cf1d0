from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired


class ShareForm(FlaskForm):
    kind = SelectField(_l("What to share"), choices=[])
    expires_on = DateField(_l("Works until"), validators=[InputRequired()])
