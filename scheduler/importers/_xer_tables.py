"""P6 XER text: tables of rows with their line numbers, and P6 calendars.

Helpers of :mod:`scheduler.importers.xer`: :func:`parse_xer_tables` splits the
tab-separated export into ``%T`` tables of ``%R`` rows keyed by their ``%F``
fields; :func:`parse_calendar` reads a ``CALENDAR`` row's work week, exceptions and
hours per day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from scheduler.importers._common import IssueLog
from scheduler.importers._limits import FIRST_DATE, LAST_DATE, number, shown
from scheduler.workcal import Periods, WorkCalendar

__all__ = ["XerCalendar", "XerRow", "parse_calendar", "parse_dt", "parse_xer_tables"]

_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(slots=True)
class XerRow:
    """One ``%R`` row with the line number it came from (1-based)."""

    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        """Field value, ``""`` when absent."""
        return self.values.get(key, "")


@dataclass(slots=True)
class XerCalendar:
    """A P6 calendar: work week, exceptions and hours per day.

    ``workweek`` holds ``date.weekday()`` numbers (0 = Monday); P6 numbers days
    1 = Sunday … 7 = Saturday in ``clndr_data``. ``hours_per_day`` is the hours a
    working day of the work week has (its work periods, the most common day's):
    P6 schedules by those periods, and ``day_hr_cnt`` (kept in ``said_hours``) only
    converts hours to days for display — they disagree in real files (07:00–17:00
    on a calendar that says 8). ``day_start`` / ``day_end`` are the earliest start
    and latest finish of the work periods.
    """

    id: str
    name: str
    hours_per_day: float
    workweek: frozenset[int]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    day_end: tuple[int, int] = (17, 0)
    day_start: tuple[int, int] = (8, 0)
    said_hours: float | None = None
    #: Work periods per weekday (``date.weekday()`` order, minutes ``[start, end)``)
    #: and per exception day (``()`` = a holiday): the calendar at minute resolution.
    week: tuple[Periods, ...] = ()
    exceptions: dict[date, Periods] = field(default_factory=dict)

    def work_calendar(self) -> WorkCalendar:
        """This calendar as a :class:`~scheduler.workcal.WorkCalendar` (for hour CPM).

        Without ``week`` (a calendar made in code), the work week's days each have one
        period from ``day_start`` to ``day_end``.
        """
        week = self.week
        if len(week) != 7:
            s = self.day_start[0] * 60 + self.day_start[1]
            e = self.day_end[0] * 60 + self.day_end[1]
            week = tuple(((s, e),) if d in self.workweek else () for d in range(7))
        return WorkCalendar(self.id, self.name, week, dict(self.exceptions), self.hours_per_day)


def parse_xer_tables(text: str, log_: IssueLog) -> dict[str, list[XerRow]]:
    """Split XER text into tables of rows keyed by field name.

    Raises nothing itself: a missing ``ERMHDR``/``%E``, a row with more fields than
    its ``%F`` line, or a row before any ``%F`` is recorded in ``log_``.
    """
    lines = text.split("\n")
    tables: dict[str, list[XerRow]] = {}
    if not lines or not lines[0].startswith("ERMHDR"):
        log_.error("", None, "", "the file does not start with ERMHDR: not a P6 XER export")
        return tables
    current: str | None = None
    fields: list[str] = []
    ended = False
    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        if not line:
            continue
        parts = line.split("\t")
        tag = parts[0]
        if tag == "%T":
            current = parts[1] if len(parts) > 1 else ""
            tables.setdefault(current, [])
            fields = []
        elif tag == "%F":
            fields = parts[1:]
        elif tag == "%R":
            if current is None or not fields:
                log_.error("", n, "", f"line {n}: a row before any table header")
                continue
            values = parts[1:]
            if len(values) > len(fields):
                log_.error(current, n, "", f"{len(values)} values for {len(fields)} fields")
                continue
            tables[current].append(XerRow(n, dict(zip(fields, values, strict=False))))
        elif tag == "%E":
            ended = True
            break
    if not ended:
        log_.error(
            "",
            len(lines),
            "",
            f"the file ends at line {len(lines)} without the %E end marker: it is truncated",
        )
    return tables


def parse_dt(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


_PERIOD_RE = re.compile(r"s\|(\d\d):(\d\d)\|f\|(\d\d):(\d\d)")
_EXC_RE = re.compile(r"\(0\|\|\d+\(d\|(\d+)\)\((.*?)\)\)", re.S)
#: The opener of one exception day, ``(0||N(d|41214)(``; its periods follow it.
_EXC_OPEN_RE = re.compile(r"\(0\|\|\d+\(d\|(\d+)\)")


def _periods(body: str) -> Periods:
    """The ``s|HH:MM|f|HH:MM`` work periods in ``body`` as minutes (``f|00:00`` = 24:00)."""
    out = []
    for sh, sm, fh, fm in _PERIOD_RE.findall(body):
        s = int(sh) * 60 + int(sm)
        e = int(fh) * 60 + int(fm) or 1440
        if 0 <= s < e <= 1440:
            out.append((s, e))
    return tuple(sorted(out))


def parse_calendar(row: XerRow, issues: IssueLog | None = None) -> XerCalendar:
    """Read one ``CALENDAR`` row (its ``clndr_data`` work week and exceptions).

    ``day_hr_cnt`` (hours per day) must be a number above 0 and at most 24, else an
    error at the row in ``issues`` (8 is used to go on); an exception day outside
    1900…2199 is ignored with a warning.
    """
    data = row.get("clndr_data")
    hpd = number(row.get("day_hr_cnt") or "8")
    if hpd is None or not 0 < hpd <= 24:
        if issues is not None:
            issues.error(
                "CALENDAR",
                row.line,
                "day_hr_cnt",
                f"calendar {shown(row.get('clndr_name'))}: hours per day "
                f"{shown(row.get('day_hr_cnt'))} is not a number above 0 and at most 24",
            )
        hpd = 8.0
    workweek: set[int] = set()
    day_end = (17, 0)
    day_start = (24, 0)
    day_hours: list[float] = []
    week: list[Periods] = [()] * 7
    week_part, _, exc_part = data.partition("Exceptions()")
    dow = week_part.partition("DaysOfWeek()")[2]
    # split the DaysOfWeek block on each "(0||N()(" opener
    chunks = re.split(r"\(0\|\|([1-7])\(\)\(", dow)
    for i in range(1, len(chunks) - 1, 2):
        p6_day, body = int(chunks[i]), chunks[i + 1]
        periods = _PERIOD_RE.findall(body.split("(0||VIEW")[0])
        week[(p6_day + 5) % 7] = _periods(body.split("(0||VIEW")[0])
        if periods:
            workweek.add((p6_day + 5) % 7)  # P6 1 = Sunday → weekday() 6
            worked = 0.0
            for sh, sm, fh, fm in periods:
                end = (int(fh), int(fm))
                begin = (int(sh), int(sm))
                if end != (0, 0) and end > day_end:
                    day_end = end
                day_start = min(day_start, begin)
                finish = 24 * 60 if end == (0, 0) else end[0] * 60 + end[1]
                worked += max(0, finish - begin[0] * 60 - begin[1]) / 60
            day_hours.append(worked)
    holidays: set[date] = set()
    workdays: set[date] = set()
    for serial, body in _EXC_RE.findall(exc_part):
        offset = int(serial[:7])
        if len(serial) > 7 or not FIRST_DATE <= _EXCEL_EPOCH + timedelta(offset) <= LAST_DATE:
            if issues is not None:
                issues.warn(
                    "CALENDAR",
                    row.line,
                    "clndr_data",
                    f"calendar {shown(row.get('clndr_name'))}: exception day {serial[:20]} is "
                    f"not a date between {FIRST_DATE} and {LAST_DATE}; ignored",
                )
            continue
        day = _EXCEL_EPOCH + timedelta(days=offset)
        if _PERIOD_RE.search(body):
            if day.weekday() not in workweek:
                workdays.add(day)
        else:
            holidays.add(day)
    exceptions: dict[date, Periods] = {}
    openers = list(_EXC_OPEN_RE.finditer(exc_part))
    for k, m in enumerate(openers):
        body = exc_part[m.end() : openers[k + 1].start() if k + 1 < len(openers) else None]
        serial = m.group(1)
        if len(serial) > 7:
            continue
        day = _EXCEL_EPOCH + timedelta(days=int(serial))
        if FIRST_DATE <= day <= LAST_DATE:
            exceptions[day] = _periods(body)
    if not data:
        workweek = {0, 1, 2, 3, 4}
        week = [((480, 960),)] * 5 + [(), ()]
    said = hpd
    if day_hours and max(day_hours) > 0:
        hpd = max(set(day_hours), key=lambda h: (day_hours.count(h), h))
    return XerCalendar(
        id=row.get("clndr_id"),
        name=row.get("clndr_name"),
        hours_per_day=hpd,
        said_hours=said,
        day_start=day_start if day_start < (24, 0) else (8, 0),
        workweek=frozenset(workweek),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        day_end=day_end,
        week=tuple(week),
        exceptions=exceptions,
    )
