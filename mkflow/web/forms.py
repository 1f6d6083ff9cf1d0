"""Form pieces shared by the blueprints: the base of every form, ids, whole numbers and dates
read one way (mkflow.core.inputs), the e-mail shape, the empty POST form.

CSRF is checked once, before any view, by CSRFProtect (web.extensions): it covers every POST,
htmx's X-CSRFToken header and the posts no form class reads (logout, the language switch).
So a form only carries the token; it does not check it a second time."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from wtforms import DateField, Field, HiddenField, IntegerField, StringField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from mkflow.core.inputs import EARLIEST_DAY, LATEST_DAY, MAX_ID, parse_id, parse_int, sane_day

# Company mail often lives on intranet domains such as "demo.local", which strict
# validators refuse as special-use names; this checks the shape only.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class EmailAddress:
    def __call__(self, form, field):
        if field.data and not EMAIL_SHAPE.match(field.data.strip()):
            raise ValidationError(_l("Enter a valid email address."))


class CsrfTokenField(HiddenField):
    """The CSRF token, rendered afresh (``form.csrf_token``, ``form.hidden_tag()``); checked
    by CSRFProtect before the view runs. Without an id: a page holds many such forms, and
    an id must be unique."""

    def _value(self):
        return generate_csrf()

    def __call__(self, **kwargs):
        return super().__call__(**({"id": False} | kwargs))


class Form(FlaskForm):
    """The base of every form of the app: WTForms fields and validators, the CSRF token
    carried but checked once, app-wide (see the module's note). ``posted`` is what was
    posted (None before), for a page that refills inputs its template writes itself."""

    class Meta:
        csrf = False

    csrf_token = CsrfTokenField()

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        self.posted = self.meta.wrap_formdata(self, formdata)
        super().process(self.posted, obj, data, extra_filters, **kwargs)


class EmptyForm(Form):
    """A POST button that carries only the CSRF token."""


class CardActionForm(Form):
    """What an action on a card posts besides its own fields: the page it came from
    (``from``: "board", "me", "list", or the item's or task's own page) and, from a list,
    the address to go back to (``next``, checked by ``safe_next``)."""

    origin = StringField(name="from", default="")
    next = StringField(default="")


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


class VersionField(StringField):
    """The version of the row the form was made from (optimistic locking): None when the form
    sends none. A malformed version matches no version, so the change is refused as stale
    rather than applied without the check."""

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        if not raw:
            self.data = None
            return
        version = parse_int(raw, 0, MAX_ID)
        self.data = -1 if version is None else version


class IdField(StringField):
    """A row's id (a hidden input or a select the domain checks): None when it is missing or
    malformed, so "choose one" is the domain's refusal, not an exception. (Like VersionField,
    not a HiddenField: ``hidden_tag()`` must not write it next to the template's own input.)"""

    def process_formdata(self, valuelist):
        self.data = parse_id(valuelist[0]) if valuelist else None


class KeyedValues(Field):
    """The values posted as ``<name>-<key>``, as ``{key: value}``: a process's fields, roles
    and field modes, whose keys the template defines, not the form class."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.raw_data = None
        self.data = {}
        if formdata is not None:
            start = self.name + "-"
            # the last of a key's values: a checkbox posts a hidden "" before its "1"
            self.data = {
                key.removeprefix(start): formdata.getlist(key)[-1]
                for key in formdata
                if key.startswith(start)
            }


class CommentForm(Form):
    """A comment on an item or a task (Markdown; the domain checks its length)."""

    body = StringField(default="")


class WatcherForm(Form):
    """A person or a whole department to watch an item or a task."""

    user_id = IdField()
    department_id = IdField()
