"""The plan's time grid: integer day offsets from ``plan_start`` and their dates.

Every module that turns offsets into dates, or dates into offsets, goes through
:class:`TimeGrid` (one way to do it).

Conventions
-----------
* A grid slot is one day on a ``calendar`` plan and one working day
  (Monday–Friday less Korean public holidays, from the ``holidays`` package) on a
  ``workdays-kr`` plan. Offset 0 is the first slot on or after ``plan_start``.
* Activities occupy half-open intervals ``[start, end)`` of slots. People see
  the first day worked as the start date and the **last day worked** as the
  finish date (inclusive), as in P6 and MS Project: see :meth:`TimeGrid.finish_date`.
* Calendar dates given by planners (release, due, fixed_start, blackouts, budget
  periods) map to slots with :meth:`TimeGrid.slot_on_or_after`.
"""

from __future__ import annotations

import bisect
import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

__all__ = ["CALENDAR_KINDS", "GRID_KINDS", "CalendarKind", "TimeGrid", "add_months"]

CalendarKind = Literal["calendar", "workdays-kr", "custom"]
#: Calendars a planner may name in the workbook's Settings sheet (SPEC §3).
CALENDAR_KINDS: tuple[str, ...] = ("calendar", "workdays-kr")
#: Every grid kind: the Settings kinds plus ``"custom"`` (a work week and holiday
#: list read from a foreign file: P6 XER, MS Project XML, DSLIB workbooks).
GRID_KINDS: tuple[str, ...] = (*CALENDAR_KINDS, "custom")

#: Length of a week and a month in grid slots, per calendar kind (SPEC §3).
UNIT_SLOTS: dict[str, dict[str, int]] = {
    "calendar": {"d": 1, "w": 7, "mo": 30},
    "workdays-kr": {"d": 1, "w": 5, "mo": 21},
}


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months`` calendar months (day clipped to month end)."""
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@dataclass(slots=True)
class TimeGrid:
    """Map between grid offsets (int) and calendar dates.

    Parameters
    ----------
    plan_start
        First day of the plan.
    kind
        ``"calendar"`` (every day is a slot), ``"workdays-kr"`` (Mon–Fri less
        Korean public holidays) or ``"custom"`` (the days of ``workweek`` less
        ``holidays_extra``, plus ``workdays_extra``; used by importers of P6 and
        MS Project calendars).
    horizon_months
        Plan length in calendar months; the horizon ends (exclusive) at
        ``add_months(plan_start, horizon_months)``.
    workweek
        ``"custom"`` only: working weekdays (``date.weekday()`` numbers, 0 = Monday).
    holidays_extra
        ``"custom"`` only: non-working dates (holidays, exceptions).
    workdays_extra
        ``"custom"`` only: working dates outside the work week (exceptions).

    Raises
    ------
    ValueError
        If ``kind`` is unknown or ``horizon_months`` < 1.
    """

    plan_start: date
    kind: CalendarKind = "calendar"
    horizon_months: int = 24
    workweek: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays_extra: frozenset[date] = frozenset()
    workdays_extra: frozenset[date] = frozenset()
    _workdays: list[date] = field(default_factory=list, repr=False)
    _ordinals: list[int] = field(default_factory=list, repr=False)
    _kr_years: set[int] = field(default_factory=set, repr=False)
    _kr_holidays: set[date] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in GRID_KINDS:
            raise ValueError(f"unknown calendar {self.kind!r}; use one of {CALENDAR_KINDS}")
        if self.horizon_months < 1:
            raise ValueError("horizon_months must be at least 1")
        if self.kind == "custom" and not (self.workweek or self.workdays_extra):
            raise ValueError("a custom calendar needs at least one working weekday")
        if self.kind != "calendar":
            self._extend_until(self.horizon_end_date + timedelta(days=400))

    # -- workdays --------------------------------------------------------------------------
    def _is_workday(self, day: date) -> bool:
        """True when ``day`` is a grid slot of this (non-``calendar``) grid."""
        if self.kind == "custom":
            return (
                day.weekday() in self.workweek and day not in self.holidays_extra
            ) or day in self.workdays_extra
        if day.year not in self._kr_years:
            import holidays  # local: only workdays-kr plans need it

            self._kr_years.add(day.year)
            self._kr_holidays.update(holidays.country_holidays("KR", years=day.year).keys())
        return day.weekday() < 5 and day not in self._kr_holidays

    def _extend_until(self, last: date) -> None:
        """Append working days up to ``last`` (inclusive) to the lookup table."""
        day = self._workdays[-1] + timedelta(days=1) if self._workdays else self.plan_start
        while day <= last:
            if self._is_workday(day):
                self._workdays.append(day)
                self._ordinals.append(day.toordinal())
            day += timedelta(days=1)

    def _ensure_slot(self, offset: int) -> None:
        while offset >= len(self._workdays):
            self._extend_until(self._workdays[-1] + timedelta(days=366))

    # -- public ----------------------------------------------------------------------------
    @property
    def horizon_end_date(self) -> date:
        """First calendar day after the horizon (exclusive end)."""
        return add_months(self.plan_start, self.horizon_months)

    @property
    def horizon(self) -> int:
        """Number of grid slots in the horizon: every activity must end at or before it."""
        return self.slot_on_or_after(self.horizon_end_date)

    def units(self, unit: str) -> int:
        """Slots in one ``unit`` (``d``, ``w`` or ``mo``) on this calendar.

        Raises
        ------
        KeyError
            If ``unit`` is not one of ``d``, ``w``, ``mo``.
        """
        if self.kind == "custom":
            week = len(self.workweek) or 1
            return {"d": 1, "w": week, "mo": round(week * 30 / 7)}[unit]
        return UNIT_SLOTS[self.kind][unit]

    def date_of(self, offset: int) -> date:
        """Calendar date of grid slot ``offset`` (offset may exceed the horizon)."""
        if self.kind == "calendar":
            return self.plan_start + timedelta(days=offset)
        if offset < 0:  # before plan_start (late dates under negative float)
            day, left = self.plan_start, -offset
            while left:
                day -= timedelta(days=1)
                left -= self._is_workday(day)
            return day
        self._ensure_slot(offset)
        return self._workdays[offset]

    def slot_on_or_after(self, day: date) -> int:
        """First grid slot whose date is ``day`` or later (0 for days before plan_start)."""
        if self.kind == "calendar":
            return max(0, (day - self.plan_start).days)
        while not self._workdays or self._workdays[-1] < day:
            self._extend_until(
                max(day, self._workdays[-1] if self._workdays else day) + timedelta(days=366)
            )
        return bisect.bisect_left(self._ordinals, day.toordinal())

    def slot_after(self, day: date) -> int:
        """First grid slot whose date is strictly after ``day`` (end of an inclusive window)."""
        return self.slot_on_or_after(day + timedelta(days=1))

    def finish_date(self, start: int, end: int) -> date:
        """Date people see as the finish of ``[start, end)``: the last day worked.

        A milestone (``end == start``) is shown, like a P6 finish milestone, on the
        last day of the slot before it (the day the work it marks ends); a milestone
        at slot 0 is shown on plan_start. So a plan's finish date,
        ``finish_date(0, makespan)``, is the date of its completion milestone.
        """
        if end > start or end > 0:
            return self.date_of(end - 1)
        return self.date_of(end)

    def month_of(self, offset: int) -> str:
        """``YYYY-MM`` of grid slot ``offset``."""
        d = self.date_of(offset)
        return f"{d.year:04d}-{d.month:02d}"

    def slot_days(self, start: int, end: int) -> list[date]:
        """Dates of the slots in ``[start, end)``."""
        return [self.date_of(t) for t in range(start, end)]
