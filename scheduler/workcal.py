"""Working-time calendars at minute resolution (P6 / MS Project calendars read from files).

A :class:`WorkCalendar` is a week of work periods per weekday plus exceptions (a
holiday: no period; a changed or extra working day: its own periods), as Oracle
Primavera P6 stores them in ``CALENDAR.clndr_data`` and schedules by them (Oracle
Primavera P6 EPPM, *Calendars*: "work hours per day", "exceptions"). It answers the
four questions a calendar-aware CPM asks (:mod:`scheduler.calendar_cpm`):

* :meth:`WorkCalendar.next_work` — the next working instant at or after ``t``;
* :meth:`WorkCalendar.add` — the finish of ``m`` working minutes started at ``t``;
* :meth:`WorkCalendar.sub` — the start of ``m`` working minutes that finish at ``t``;
* :meth:`WorkCalendar.minutes_between` — the working minutes from ``t1`` to ``t2``.

Conventions: instants are naive :class:`~datetime.datetime` (the file's wall clock);
work periods are half-open minute ranges ``[start, end)`` of a day, ``end`` at most
1440 (midnight). A finish lands on the end of a period (17:00, not the next
morning's 07:00) and a start on the beginning of one, as P6 shows them. Durations
are whole minutes (P6 stores hours with decimals: 7.5 h = 450 min).

Errors: a calendar with no working minute in :data:`SEARCH_DAYS` days from an
instant raises :class:`ValueError` (the readers refuse calendars without work
before this runs).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

__all__ = ["SEARCH_DAYS", "Periods", "WorkCalendar", "minutes_of"]

#: Periods of one day: ``((start_minute, end_minute), ...)`` sorted, not overlapping.
Periods = tuple[tuple[int, int], ...]

#: Days searched for working time before a calendar is declared empty (ten years).
SEARCH_DAYS = 3660

_DAY = timedelta(days=1)


def minutes_of(hours: float) -> int:
    """Whole minutes of ``hours`` (P6 hour counts: 7.5 → 450), rounded to the nearest."""
    return round(hours * 60)


def _at(day: date, minute: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=minute)


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """A work week and its exceptions (see the module docstring).

    Parameters
    ----------
    id, name
        The file's calendar id and name (messages).
    week
        Seven :data:`Periods`, indexed by ``date.weekday()`` (0 = Monday); ``()`` for
        a day off.
    exceptions
        Date → its periods instead of the week's (``()`` = a holiday).
    hours_per_day
        Hours of a working day, to show hours as days (P6 shows float and
        durations in days of the calendar's hours per day).
    """

    id: str
    name: str
    week: tuple[Periods, ...]
    exceptions: Mapping[date, Periods] = field(default_factory=dict)
    hours_per_day: float = 8.0
    #: Exception dates sorted, and the week's working minutes (whole weeks without an
    #: exception are skipped at once: O(weeks / exceptions), not O(days), per call).
    _dates: tuple[date, ...] = field(init=False, repr=False, compare=False, default=())
    _week_minutes: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_dates", tuple(sorted(self.exceptions)))
        object.__setattr__(self, "_week_minutes", sum(e - s for p in self.week for s, e in p))
        if len(self.week) != 7:
            raise ValueError(f"calendar {self.name!r}: a week has 7 days, not {len(self.week)}")
        for periods in (*self.week, *self.exceptions.values()):
            for s, e in periods:
                if not 0 <= s < e <= 1440:
                    raise ValueError(
                        f"calendar {self.name!r}: work period {s}-{e} min is not a day's"
                    )

    def _weeks_after(self, day: date, limit: int) -> int:
        """Whole weeks from the start of ``day`` on without an exception day, at most ``limit``."""
        k = bisect.bisect_left(self._dates, day)
        if k < len(self._dates):
            limit = min(limit, (self._dates[k] - day).days // 7)
        return max(0, limit)

    def _weeks_before(self, day: date, limit: int) -> int:
        """Whole weeks back from the end of ``day`` without an exception day, at most ``limit``."""
        k = bisect.bisect_right(self._dates, day) - 1
        if k >= 0:
            limit = min(limit, (day - self._dates[k]).days // 7)
        return max(0, limit)

    def periods(self, day: date) -> Periods:
        """The work periods of ``day`` (its exception's, else its weekday's)."""
        got = self.exceptions.get(day)
        return self.week[day.weekday()] if got is None else got

    def day_minutes(self, day: date) -> int:
        """Working minutes of ``day``."""
        return sum(e - s for s, e in self.periods(day))

    def next_work(self, t: datetime) -> datetime:
        """The earliest instant at or after ``t`` with work right after it (a start)."""
        day, minute = t.date(), t.hour * 60 + t.minute
        for _ in range(SEARCH_DAYS):
            for s, e in self.periods(day):
                if minute < e:
                    return _at(day, max(s, minute))
            day, minute = day + _DAY, 0
        raise ValueError(f"calendar {self.name!r} has no working time after {t:%Y-%m-%d %H:%M}")

    def prev_work(self, t: datetime) -> datetime:
        """The latest instant at or before ``t`` with work right before it (a finish)."""
        day, minute = t.date(), t.hour * 60 + t.minute
        for _ in range(SEARCH_DAYS):
            for s, e in reversed(self.periods(day)):
                if minute > s:
                    return _at(day, min(e, minute))
            day, minute = day - _DAY, 1440
        raise ValueError(f"calendar {self.name!r} has no working time before {t:%Y-%m-%d %H:%M}")

    def add(self, t: datetime, minutes: int) -> datetime:
        """Finish of ``minutes`` working minutes started at ``t`` (``t`` itself for 0).

        Work starts at :meth:`next_work` of ``t`` and ends on a period's end when it
        uses it up (an 8 h task from 11:00 on a 07:00–17:00 day ends at 09:00 the next
        working day; one from 07:00 at 15:00; a 10 h one from 07:00 at 17:00 the same
        day). Negative ``minutes`` are :meth:`sub`.
        """
        if minutes < 0:
            return self.sub(t, -minutes)
        if minutes == 0:
            return t
        cur = self.next_work(t)
        day, minute = cur.date(), cur.hour * 60 + cur.minute
        left, idle, week = minutes, 0, self._week_minutes
        while idle < SEARCH_DAYS:
            idle += 1
            if minute == 0 and week and left > week:
                jump = self._weeks_after(day, (left - 1) // week)
                day, left = day + 7 * jump * _DAY, left - jump * week
            for s, e in self.periods(day):
                if e <= minute:
                    continue
                begin = max(s, minute)
                if left <= e - begin:
                    return _at(day, begin + left)
                left, idle = left - (e - begin), 0
            day, minute = day + _DAY, 0
        raise ValueError(f"calendar {self.name!r} has no working time after {t:%Y-%m-%d %H:%M}")

    def sub(self, t: datetime, minutes: int) -> datetime:
        """Start of ``minutes`` working minutes that finish at ``t`` (``t`` itself for 0).

        The mirror of :meth:`add`: work ends at :meth:`prev_work` of ``t`` and starts
        on a period's beginning when it uses it up.
        """
        if minutes < 0:
            return self.add(t, -minutes)
        if minutes == 0:
            return t
        cur = self.prev_work(t)
        day, minute = cur.date(), cur.hour * 60 + cur.minute
        left, idle, week = minutes, 0, self._week_minutes
        while idle < SEARCH_DAYS:
            idle += 1
            if minute == 1440 and week and left > week:
                jump = self._weeks_before(day, (left - 1) // week)
                day, left = day - 7 * jump * _DAY, left - jump * week
            for s, e in reversed(self.periods(day)):
                if s >= minute:
                    continue
                end = min(e, minute)
                if left <= end - s:
                    return _at(day, end - left)
                left, idle = left - (end - s), 0
            day, minute = day - _DAY, 1440
        raise ValueError(f"calendar {self.name!r} has no working time before {t:%Y-%m-%d %H:%M}")

    def minutes_between(self, t1: datetime, t2: datetime) -> int:
        """Working minutes from ``t1`` to ``t2`` (negative when ``t2`` is before ``t1``)."""
        if t2 < t1:
            return -self.minutes_between(t2, t1)
        total = 0
        day = t1.date()
        lo = t1.hour * 60 + t1.minute
        last = t2.date()
        while day <= last:
            if lo == 0 and self._week_minutes:
                jump = self._weeks_after(day, (last - day).days // 7)
                day, total = day + 7 * jump * _DAY, total + jump * self._week_minutes
            hi = t2.hour * 60 + t2.minute if day == last else 1440
            for s, e in self.periods(day):
                total += max(0, min(e, hi) - max(s, lo))
            day, lo = day + _DAY, 0
        return total

    def days(self, minutes: float) -> float:
        """``minutes`` as days of this calendar's :attr:`hours_per_day`."""
        return minutes / 60 / self.hours_per_day


#: Calendar P6 counts a relationship's lag on (``SCHEDOPTIONS.sched_calendar_on_relationship_lag``).
LagCalendar = str  # "predecessor" | "successor" | "24h" | "project"


@dataclass(slots=True)
class FileCalendars:
    """A file's calendars and the hour counts of its plan (for :mod:`scheduler.calendar_cpm`).

    Written by the readers of files that carry calendars (P6 XER); kept on
    :attr:`scheduler.model.Plan.calendars`. Instants are the file's wall clock,
    durations and lags whole minutes.

    Attributes
    ----------
    calendars
        Calendar id → :class:`WorkCalendar`.
    project
        Id of the project's default calendar (the plan's grid is its working days).
    activity
        Activity id → its calendar id.
    minutes
        Activity id → duration scheduled (minutes): the original for started work,
        the remaining for unstarted work, 0 for milestones.
    remaining
        Activity id → remaining minutes of work in progress.
    actual_start, actual_finish
        Activity id → the actual dates (started / complete activities).
    data_date
        The data date (P6 ``last_recalc_date``).
    lags
        ``(predecessor, successor, type)`` → lag minutes (as written, unrounded).
    lag_calendar
        ``"predecessor"`` (P6's default), ``"successor"``, ``"24h"`` or ``"project"``.
    float_type
        ``"finish"`` (LF − EF, P6 ``FT_FF``), ``"start"`` (LS − ES) or ``"smallest"``.
    start_after, finish_after, start_before, finish_before
        Activity id → constraint date (P6 start/finish on or after: forward pass;
        on or before: backward pass only).
    mandatory_start, mandatory_finish
        Activity id → a mandatory date (pins early and late dates).
    finish_milestones
        Ids of finish milestones (their date is the end of the work before them).
    finish_by
        The project's must-finish-by date (P6 ``PROJECT.plan_end_date``), or None: the
        backward pass starts there instead of at the latest early finish.
    slots
        Activity id → its duration in grid slots when read: the hours describe the
        plan only while the plan still has those durations (:meth:`describes`).
    """

    calendars: dict[str, WorkCalendar]
    project: str
    activity: dict[str, str]
    minutes: dict[str, int]
    data_date: datetime
    remaining: dict[str, int] = field(default_factory=dict)
    actual_start: dict[str, datetime] = field(default_factory=dict)
    actual_finish: dict[str, datetime] = field(default_factory=dict)
    lags: dict[tuple[str, str, str], int] = field(default_factory=dict)
    lag_calendar: LagCalendar = "predecessor"
    float_type: str = "finish"
    start_after: dict[str, datetime] = field(default_factory=dict)
    finish_after: dict[str, datetime] = field(default_factory=dict)
    start_before: dict[str, datetime] = field(default_factory=dict)
    finish_before: dict[str, datetime] = field(default_factory=dict)
    mandatory_start: dict[str, datetime] = field(default_factory=dict)
    mandatory_finish: dict[str, datetime] = field(default_factory=dict)
    finish_milestones: frozenset[str] = frozenset()
    finish_by: datetime | None = None
    slots: dict[str, int] = field(default_factory=dict)
    data_slot: int | None = None

    def of(self, aid: str) -> WorkCalendar:
        """The calendar of activity ``aid``."""
        return self.calendars[self.activity[aid]]
