"""Sane ranges for the numbers and dates of foreign plan files, checked at read time.

A foreign file (P6 XER, MS Project XML, DSLIB workbook, PSPLIB ``.sm``) can hold
any number: a lag of 10^15 hours, a duration of ``PT99999999999H``, a capacity of
10^20, a date in year 9999. Nothing such may reach the time grid or the solver,
whose arrays and integer domains grow with the plan's length (a 10^12-day
duration asks for petabytes; a year-9999 date overflows Python's dates). Every
reader passes each value through these checks, which record an error at the
value's place (file, table or element, line or row, field) in the reader's
:class:`~scheduler.importers._common.IssueLog` and tell the reader to skip it:

* a **duration or lag** is at most :data:`MAX_PLAN_DAYS` days (100 years) long,
  whatever its unit;
* a **capacity or demand** is at most :data:`MAX_UNITS` units;
* a **date** that places the plan (its start) lies in :data:`FIRST_DATE` …
  :data:`LAST_DATE`; any other date lies at most :data:`MAX_PLAN_DAYS` days after
  the plan's start;
* a **number** is finite (``nan``, ``inf`` and text are not numbers).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from scheduler.importers._common import IssueLog

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_PLAN_DAYS",
    "MAX_UNITS",
    "check_date",
    "check_days",
    "check_units",
    "number",
    "shown",
]

#: Longest duration, lag or plan a foreign file may describe: 100 years, in days.
MAX_PLAN_DAYS = 36_525
#: Largest capacity or demand (units of one resource at one time).
MAX_UNITS = 1_000_000
#: Earliest and latest plan start (and the window any date must fall in).
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)


def number(text: object) -> float | None:
    """A finite number from a field's text (``"12.5"``, ``" 3 "``), or None.

    None for an empty field, text that is no number, ``nan`` and ``inf``.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        s = str(text).strip()
        if not s or len(s) > 64:
            return None
        try:
            value = float(s)
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def shown(value: object, limit: int = 40) -> str:
    """``repr`` of a field's value for a message, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_days(
    issues: IssueLog, sheet: str, row: int | None, column: str, what: str, days: float
) -> bool:
    """True when ``days`` (a duration or lag in days) is at most 100 years long.

    Else records an error ``"<what> = <days> days is longer than any plan (at
    most 36,525 days, 100 years)"`` at (sheet, row, column) and returns False;
    the reader then leaves the value out.
    """
    if math.isfinite(days) and abs(days) <= MAX_PLAN_DAYS:
        return True
    issues.error(
        sheet,
        row,
        column,
        f"{what} = {days:.4g} days is longer than any plan "
        f"(at most {MAX_PLAN_DAYS:,} days, 100 years)",
    )
    return False


def check_units(
    issues: IssueLog, sheet: str, row: int | None, column: str, what: str, units: float
) -> bool:
    """True when ``units`` (a capacity or demand) is between 0 and :data:`MAX_UNITS`.

    Else records an error at (sheet, row, column) and returns False.
    """
    if math.isfinite(units) and 0 <= units <= MAX_UNITS:
        return True
    issues.error(
        sheet,
        row,
        column,
        f"{what}: {units:.4g} units is not between 0 and {MAX_UNITS:,}",
    )
    return False


def check_date(
    issues: IssueLog,
    sheet: str,
    row: int | None,
    column: str,
    what: str,
    day: date,
    plan_start: date | None = None,
    *,
    warning: bool = False,
) -> bool:
    """True when ``day`` is a date a plan may hold.

    Without ``plan_start`` (the date places the plan): between :data:`FIRST_DATE`
    and :data:`LAST_DATE`. With it: at most :data:`MAX_PLAN_DAYS` days after the
    plan's start (dates before it are fine: they fall on slot 0). Else records an
    error (a warning when ``warning``, for a date that is only informative and is
    then ignored) at (sheet, row, column) and returns False.
    """
    if plan_start is None:
        if FIRST_DATE <= day <= LAST_DATE:
            return True
        text = f"{what} {day.isoformat()} is not between {FIRST_DATE} and {LAST_DATE}"
    else:
        if day <= plan_start or (day - plan_start).days <= MAX_PLAN_DAYS:
            return True
        text = (
            f"{what} {day.isoformat()} is more than 100 years after the plan start "
            f"{plan_start.isoformat()}"
        )
    if warning:
        issues.warn(sheet, row, column, f"{text}; ignored")
    else:
        issues.error(sheet, row, column, text)
    return False


def last_allowed(plan_start: date) -> date:
    """The latest date :func:`check_date` accepts for a plan starting ``plan_start``."""
    return plan_start + timedelta(days=MAX_PLAN_DAYS)
