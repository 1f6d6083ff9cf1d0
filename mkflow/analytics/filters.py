"""What a dashboard shows: a period, a department, a template and a person, kept in the URL;
and who may ask for which (a member: their own numbers; a head: their department; the
company's management and administrators: everything)."""

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import NotFound
from mkflow.core.inputs import parse_id
from mkflow.models import Department, ProcessTemplate, User
from mkflow.people.process_access import sees_everything

DEFAULT_DAYS = 28
NO_DASHBOARD = _l("There is no such dashboard.")
MAX_DAYS = 731


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    # The company's offset from UTC: its days start at midnight there, not in UTC.
    offset: timedelta = timedelta(0)

    @property
    def lo(self) -> datetime:
        """The first moment of the period (stored times are naive UTC)."""
        return datetime.combine(self.start, time.min) - self.offset

    @property
    def hi(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min) - self.offset

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return replace(
            self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1)
        )

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the period touches."""
        first = monday(self.start)
        return [first + timedelta(weeks=n) for n in range((self.end - first).days // 7 + 1)]

    def week(self, start: date) -> "Period":
        """The part of the week starting ``start`` that lies in this period."""
        return replace(
            self, start=max(start, self.start), end=min(start + timedelta(days=6), self.end)
        )


@dataclass(frozen=True)
class Filters:
    period: Period
    department_id: int | None = None
    template_id: int | None = None
    person_id: int | None = None

    def args(self, **changes) -> dict:
        """The filters as URL arguments (``changes`` override them; None drops one)."""
        values = {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "department": self.department_id,
            "template": self.template_id,
            "person": self.person_id,
        } | changes
        return {key: value for key, value in values.items() if value is not None}

    def narrowed(self, period: Period | None = None, **changes) -> "Filters":
        return replace(self, period=period or self.period, **changes)


EARLIEST = date(2000, 1, 1)


def _day(text: str | None, today: date) -> date | None:
    """An ISO day from the URL; a broken one, or one outside 2000 to a year ahead, is none."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day and EARLIEST <= day <= today + timedelta(days=366) else None


def company_offset(day: date) -> timedelta:
    """How far the company's clock (MKFLOW_TIMEZONE) is ahead of UTC on ``day``."""
    return clock.company_zone().utcoffset(datetime.combine(day, time(12)))


def _id(text: str | None) -> int | None:
    return parse_id(text)


def parse(args, today: date) -> Filters:
    """Filters from URL arguments: ``from``, ``to`` (ISO days), ``department``, ``template``,
    ``person``. Missing or broken dates give the last four weeks up to today."""
    end = _day(args.get("to"), today) or today
    start = _day(args.get("from"), today) or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    return Filters(
        Period(start, end, company_offset(end)),
        department_id=_id(args.get("department")),
        template_id=_id(args.get("template")),
        person_id=_id(args.get("person")),
    )


# --- who may see what ---------------------------------------------------------------------


def sees_company(user: User) -> bool:
    """The company dashboard: the company's management and administrators."""
    return sees_everything(user)


def headed_departments(user: User) -> list[Department]:
    return list(
        db.session.scalars(
            select(Department).where(Department.head_id == user.id).order_by(Department.name)
        )
    )


def departments_for(user: User) -> list[Department]:
    """The departments whose dashboard ``user`` may open."""
    if sees_everything(user):
        return list(db.session.scalars(select(Department).order_by(Department.name)))
    headed = headed_departments(user)
    if headed:
        return headed
    return [user.department] if user.department else []


def may_see_department(user: User, department_id: int) -> bool:
    return any(d.id == department_id for d in departments_for(user))


def own_numbers_only(user: User, department_id: int) -> bool:
    """A member sees only their own figures; heads see their department's, management all."""
    return not (
        sees_everything(user) or any(d.id == department_id for d in headed_departments(user))
    )


def authorize(user: User, filters: Filters) -> Filters:
    """The filters ``user`` may have: their department by default, their own numbers when
    they are a member; NotFound for a department, template or person they may not see."""
    departments = departments_for(user)
    if not departments:
        raise NotFound(NO_DASHBOARD)
    department_id = filters.department_id
    if department_id is None:
        own = user.department_id if any(d.id == user.department_id for d in departments) else None
        department_id = own or departments[0].id
    elif not any(d.id == department_id for d in departments):
        raise NotFound(NO_DASHBOARD)
    if filters.template_id is not None:
        template = db.session.get(ProcessTemplate, filters.template_id)
        if template is None or template.department_id != department_id:
            raise NotFound(NO_DASHBOARD)
    person_id = filters.person_id
    if own_numbers_only(user, department_id):
        if person_id not in (None, user.id):
            raise NotFound(NO_DASHBOARD)
        person_id = user.id
    elif person_id is not None:
        person = db.session.get(User, person_id)
        if person is None or person.department_id != department_id:
            raise NotFound(NO_DASHBOARD)
    return filters.narrowed(department_id=department_id, person_id=person_id)


# --- SQL helpers that read the same on SQLite and Postgres --------------------------------


class seconds_between(FunctionElement):  # noqa: N801  (used like a SQL function)
    """The seconds from the first timestamp to the second."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_sqlite(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgres(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def percentile(values: list[float], p: float) -> float | None:
    """The ``p``-th percentile, interpolating between the closest ranks (p=50: the median)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def as_day(value) -> date:
    """A day from SQL ``date(...)``: a date on Postgres, ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
