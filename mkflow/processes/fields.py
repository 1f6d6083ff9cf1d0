"""Form fields of a process: cleaning submitted values and checking the required ones."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.core.inputs import EARLIEST_DAY, LATEST_DAY, parse_day, parse_id
from mkflow.models import FieldDef, FieldMode, FieldType, Stage, User

MAX_TEXT = {FieldType.TEXT: 500, FieldType.URL: 2000, FieldType.LONGTEXT: 20000}


def clean(field: FieldDef, raw) -> str:
    """The value to store for ``raw`` (always a string; "" is empty) or a DomainError."""
    value = "" if raw is None else str(raw).strip()
    kind = FieldType(field.type)
    if kind == FieldType.CHECKBOX:
        return "1" if value.lower() in {"1", "y", "yes", "on", "true"} else ""
    if not value:
        return ""
    if len(value) > MAX_TEXT.get(kind, 500):
        raise DomainError(_l("“%(field)s” is too long.", field=field.label))
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(value.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            raise DomainError(_l("“%(field)s” must be a number.", field=field.label)) from None
        if not number.is_finite():
            raise DomainError(_l("“%(field)s” must be a number.", field=field.label))
        return format(number.normalize(), "f")
    if kind == FieldType.DATE:
        day = parse_day(value)
        if day is None:
            raise DomainError(
                _l(
                    "“%(field)s” must be a date (YYYY-MM-DD) between %(first)s and %(last)s.",
                    field=field.label,
                    first=EARLIEST_DAY.year,
                    last=LATEST_DAY.year,
                )
            )
        return day.isoformat()
    if kind == FieldType.URL and not value.lower().startswith(("http://", "https://")):
        raise DomainError(
            _l("“%(field)s” must be a link starting with https://.", field=field.label)
        )
    if kind == FieldType.USER:
        user_id = parse_id(value)
        user = db.session.get(User, user_id) if user_id else None
        if user is None or not user.active:
            raise DomainError(_l("“%(field)s”: choose a person from the list.", field=field.label))
    if kind == FieldType.CHOICE and value not in field.choice_list:
        raise DomainError(_l("“%(field)s”: choose one of the options.", field=field.label))
    return value


def editable_at(stage: Stage, fields: list[FieldDef]) -> list[FieldDef]:
    return [f for f in fields if stage.mode_for(f.key) in (FieldMode.EDIT, FieldMode.REQUIRE)]


def visible_at(stage: Stage, fields: list[FieldDef]) -> list[FieldDef]:
    return [f for f in fields if stage.mode_for(f.key) != FieldMode.HIDDEN]


class MissingFields(DomainError):
    """A stage's required fields are empty; ``keys``: which, in the template's order."""

    def __init__(self, message, keys: list[str]):
        super().__init__(message)
        self.keys = keys


def missing_required(stage: Stage, fields: list[FieldDef], values: dict) -> list[FieldDef]:
    return [
        f for f in fields if stage.mode_for(f.key) == FieldMode.REQUIRE and not values.get(f.key)
    ]


def apply(fields: list[FieldDef], submitted: dict, values: dict) -> tuple[dict, list[str]]:
    """New values with ``submitted`` cleaned in; also the labels of fields that changed."""
    updated = dict(values)
    changed = []
    for field in fields:
        if field.key not in submitted and FieldType(field.type) != FieldType.CHECKBOX:
            continue
        value = clean(field, submitted.get(field.key))
        if value != updated.get(field.key, ""):
            updated[field.key] = value
            changed.append(field.label)
    return updated, changed
