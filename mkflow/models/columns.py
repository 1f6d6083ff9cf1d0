"""Column types the models share."""

import enum

from mkflow.core.database import db


def stored_enum(cls: type[enum.Enum]) -> db.Enum:
    """An enum column stored as its members' values in a VARCHAR(20), not a database enum."""
    return db.Enum(
        cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )
