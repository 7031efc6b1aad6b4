"""The Progress sheet and the Settings ``data_date``: checks with places, and the model.

A row of the optional Progress sheet says what has happened to one started activity
as of the Settings ``data_date`` (P6's data date, MS Project's status date): the
first day of the remaining work. ``actual_start`` (first day worked, on or before the
data date) is required; ``actual_finish`` (last day worked, before the data date)
makes it complete; otherwise it is in progress with ``remaining_duration`` (in the
Activities row's ``duration_unit``, rounded up to whole slots) or ``percent_complete``
left. How they are scheduled is :mod:`scheduler.progress`.

Every problem is an error at its sheet, row and column (:func:`check_progress`), in
the sentence style of :mod:`scheduler.validate`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from scheduler.errors import Issue, Place
from scheduler.model import Progress
from scheduler.timegrid import UNIT_SLOTS, TimeGrid
from scheduler.validate import place_of, unknown_id_text

__all__ = ["SHEET", "build_progress", "check_progress"]

#: The sheet's title.
SHEET = "Progress"

Row = dict[str, Any]


def _issue(r: Row, column: str, text: str) -> Issue:
    return place_of(SHEET, r).issue(column, text)


def check_progress(
    rows: Sequence[Row],
    data_date: date | None,
    activities: Mapping[str, Row],
    plan_start: date | None,
    horizon_end: date | None,
    data_date_row: int | None = None,
    data_date_bad: bool = False,
) -> list[Issue]:
    """Every problem of the Progress rows and the data date, each at its place.

    Parameters
    ----------
    rows
        Parsed Progress rows (:func:`scheduler.workbook.sheets.read_progress`).
    data_date
        Settings ``data_date``, or None when it is not given.
    activities
        Activity id → its parsed Activities row (for ids and duration units).
    plan_start, horizon_end
        The plan's first day and the first day after it (None when unknown).
    data_date_row
        The Settings row of the ``data_date`` key (None when the key is not given):
        a data date outside the plan, or a blank one, is placed on it.
    data_date_bad
        True when the ``data_date`` cell was already reported as not a date: a Progress
        sheet then adds no second error about the data date.

    Returns
    -------
    list of Issue
        Errors, e.g. ``"Progress row 4: actual_finish 2027-03-01 of 'RD-001' is
        before its actual_start 2027-03-05"``; a missing ``data_date`` is one error on
        Settings (on its row when the key is there with a blank value, none when its
        value was already reported as not a date). Rows with a bad cell are checked no
        further.
    """
    out: list[Issue] = []
    inside = (
        data_date is None
        or plan_start is None
        or horizon_end is None
        or plan_start <= data_date < horizon_end
    )
    if not inside:
        assert data_date is not None and plan_start is not None
        side = "before plan_start" if data_date < plan_start else "after the plan's last day"
        where = "Settings" if data_date_row is None else f"Settings row {data_date_row}"
        out.append(
            Issue(
                "Settings",
                data_date_row,
                "value" if data_date_row is not None else "data_date",
                f"{where}: data_date {data_date.isoformat()} is {side}; the data date "
                "must fall within the plan",
            )
        )
    if rows and data_date is None and not data_date_bad:
        n = f"{len(rows)} activit{'y' if len(rows) == 1 else 'ies'}"
        if data_date_row is None:
            out.append(
                Issue(
                    "Settings",
                    None,
                    "data_date",
                    f"Settings: data_date is missing; the Progress sheet gives progress of "
                    f"{n}, which is measured at a data date: add a row with key data_date",
                )
            )
        else:
            out.append(
                Issue(
                    "Settings",
                    data_date_row,
                    "value",
                    f"Settings row {data_date_row}: data_date is blank; the Progress sheet "
                    f"gives progress of {n}, which is measured at a data date: type the "
                    "date (the first day of the remaining work)",
                )
            )
    seen: dict[str, Row] = {}
    for r in rows:
        aid = r.get("activity")
        if not aid:
            continue
        if aid in seen:
            out.append(
                _issue(
                    r,
                    "activity",
                    f"progress of '{aid}' is already given on row {seen[aid]['_row']}",
                )
            )
            continue
        seen[aid] = r
        if aid not in activities:
            out.append(_issue(r, "activity", unknown_id_text("activity", aid)))
            continue
        if r.get("_bad"):
            continue
        out += _check_row(r, aid, data_date, plan_start)
    return out


def _check_row(r: Row, aid: str, data_date: date | None, plan_start: date | None) -> list[Issue]:
    """The checks of one Progress row of a known activity (see :func:`check_progress`)."""
    out: list[Issue] = []
    start, finish = r.get("actual_start"), r.get("actual_finish")
    if start is None:
        out.append(
            _issue(
                r,
                "actual_start",
                f"'{aid}' has no actual_start; give the first day worked (an activity that "
                "has not started needs no Progress row)",
            )
        )
        return out
    if finish is not None and finish < start:
        out.append(
            _issue(
                r,
                "actual_finish",
                f"actual_finish {finish.isoformat()} of '{aid}' is before its actual_start "
                f"{start.isoformat()}",
            )
        )
    if plan_start is not None and start < plan_start:
        out.append(
            _issue(
                r,
                "actual_start",
                f"actual_start {start.isoformat()} of '{aid}' is before plan_start "
                f"{plan_start.isoformat()}",
            )
        )
    if data_date is not None:
        day = data_date.isoformat()
        if start > data_date:
            out.append(
                _issue(
                    r,
                    "actual_start",
                    f"actual_start {start.isoformat()} of '{aid}' is after the data_date {day}",
                )
            )
        if finish is not None and finish >= data_date:
            out.append(
                _issue(
                    r,
                    "actual_finish",
                    f"actual_finish {finish.isoformat()} of '{aid}' is not before the data_date "
                    f"{day} (the data date is the first day of the remaining work)",
                )
            )
    if finish is not None and r.get("raw_remaining"):
        out.append(
            _issue(
                r,
                "remaining_duration",
                f"'{aid}' is complete (it has an actual_finish) but has a remaining_duration "
                "of " + f"{r['raw_remaining']:g}; leave it blank or 0",
            )
        )
    return out


def build_progress(
    rows: Sequence[Row], activities: Mapping[str, Row], grid: TimeGrid, kind: str
) -> dict[str, Progress]:
    """Activity id → :class:`~scheduler.model.Progress` of checked rows, on ``grid``.

    ``actual_start`` is the slot on or after its day, ``actual_finish`` the
    exclusive end after its day (as ``due``), ``remaining`` the remaining duration
    × the activity's ``duration_unit`` in slots of the calendar ``kind``, rounded up.
    """
    units = UNIT_SLOTS[kind]
    out: dict[str, Progress] = {}
    for r in rows:
        aid = r["activity"]
        start, finish = r["actual_start"], r.get("actual_finish")
        remaining = None
        raw = r.get("raw_remaining")
        if raw is not None:
            exact = raw * units[activities[aid].get("unit") or "d"]
            remaining = math.ceil(exact - 1e-9)
        out[aid] = Progress(
            actual_start=grid.slot_on_or_after(start),
            actual_finish=None if finish is None else grid.slot_after(finish),
            remaining=remaining,
            percent_complete=r.get("percent_complete"),
            place=Place(SHEET, r["_row"]),
        )
    return out


def longer_remaining(rows: Sequence[Row], activities: Mapping[str, Row], kind: str) -> list[Issue]:
    """Warnings for work in progress whose ``remaining_duration`` alone is longer than the
    activity's whole duration, one per Progress row.

    P6 accepts such a re-estimate, and so do we, but the figure is read in the activity's
    own ``duration_unit`` (30 on an activity in weeks is 210 days), so a planner who meant
    days sees the slip only in the re-plan. ``kind``: the calendar's kind (units of
    :data:`~scheduler.timegrid.UNIT_SLOTS`).
    """
    units = UNIT_SLOTS[kind]
    out: list[Issue] = []
    for r in rows:
        act = activities.get(r["activity"])
        raw = r.get("raw_remaining")
        if act is None or raw is None or r.get("actual_finish") is not None:
            continue
        unit = act.get("unit") or "d"
        whole = act.get("duration")  # slots, as the Activities sheet's row is read
        days = math.ceil(raw * units[unit] - 1e-9)
        if whole is None or days <= whole:
            continue
        out.append(
            place_of(SHEET, r).issue(
                "remaining_duration",
                f"remaining_duration {raw:g} of '{r['activity']}' is longer than its whole "
                f"duration {whole / units[unit]:g} (both in its duration_unit '{unit}': "
                f"{days} days left against {whole}); "
                "it is planned as given, check the unit if a re-estimate was not meant",
                warning=True,
            )
        )
    return out
