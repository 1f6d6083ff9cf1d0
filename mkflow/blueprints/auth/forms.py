from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from mkflow.activity.notice_kinds import KINDS
from mkflow.models import Channel
from mkflow.web.forms import Form
from mkflow.web.i18n import LOCALES


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()


class PasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords do not match."))],
    )


class SettingsForm(Form):
    locale = SelectField(_l("Language"), choices=[SelectChoice(*item) for item in LOCALES.items()])
    timezone = SelectField(_l("Time zone"), choices=sorted(available_timezones()))


class MailPreferencesForm(Form):
    """A channel per kind of notification; the fields are added per kind below."""

    digest_time = TimeField(_l("Daily digest at"), validators=[DataRequired()])
    hears_handoffs = BooleanField(_l("Tell me of every hand-off in my department"))

    def channel_fields(self):
        return [self[f"kind_{key}"] for key in KINDS]


for _key, _kind in KINDS.items():
    setattr(
        MailPreferencesForm,
        f"kind_{_key}",
        SelectField(
            _kind.label,
            choices=Channel.choices(),
        ),
    )


class LanguageForm(Form):
    """The language switch: a button per language, and the page to come back to."""

    locale = SelectField(choices=[SelectChoice(code, label) for code, label in LOCALES.items()])
    next = HiddenField()
