"""The company's working calendar: dated exceptions to its weekly weekend."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, func
from sqlalchemy.orm import Mapped, mapped_column

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.labels import LabelledEnum
from mkflow.models.columns import stored_enum


class DayKind(LabelledEnum):
    # a holiday or a moved day off: not worked, whatever the weekday
    OFF = "off", _l("Day off (holiday)")
    # a moved working day: worked, though a weekend day
    WORKING = "working", _l("Working day (moved)")


class CalendarDay(db.Model):
    """One day that the weekly weekend gets wrong ("Новый год", a working Saturday)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[DayKind] = mapped_column(stored_enum(DayKind))
    name: Mapped[str] = mapped_column(String(120), default="")
    # Changed when the row is written: with the row count, it tells every process that the
    # calendar it holds is stale (mkflow.people.calendar).
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.now, onupdate=clock.now, server_default=func.now()
    )
