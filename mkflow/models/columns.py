"""Column types the models share."""

import enum

from mkflow.core.database import db


def stored_enum(cls: type[enum.Enum], length: int = 20) -> db.Enum:
    """An enum column stored as its members' values in a VARCHAR, not a database enum (and
    without a CHECK constraint, so a new member needs no migration)."""
    return db.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )
