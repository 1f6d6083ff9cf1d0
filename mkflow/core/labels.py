"""Enums that carry their visible names, so a value is labelled the same on every page."""

import enum

from wtforms.fields.choices import SelectChoice


class LabelledEnum(enum.StrEnum):
    """A str-valued enum whose members are written ``NAME = "value", _l("Label")``.

    The stored value stays the plain string; ``member.label`` is its lazy, translated name.
    A subclass that needs a second wording (an event's "Approved" in a table as well as its
    "approved" in a history line) takes it as a third item under a name of its own.
    """

    label: str  # lazy: translated when shown

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls, members=None) -> list[SelectChoice]:
        """The options of a WTForms select, in declaration order."""
        members = cls if members is None else members
        return [SelectChoice(member.value, member.label) for member in members]
