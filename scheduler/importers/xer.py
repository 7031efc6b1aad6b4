"""Primavera P6 XER export → :class:`~scheduler.model.Plan`.

The XER format (Oracle Primavera P6 "XER" export, tab separated): an ``ERMHDR``
line, then per table a ``%T name`` line, a ``%F`` field line and ``%R`` rows, and
``%E`` at the end. We read the raw fields ourselves (``xerparser`` rounds hours to
days by ``int(h / 8)`` whatever the calendar; we need the raw hour counts and the
line numbers for messages).

Rules (also in ``docs/IMPORTS.md``):

* **Ids**: activity id = ``task_code`` (the P6 Activity ID); ``project`` = the name
  of the activity's WBS node. ``TT_WBS`` and ``TT_LOE`` activities are summaries,
  not planned (warning); their relationships are dropped (warning).
* **Calendars**: the grid is a ``"custom"`` :class:`~scheduler.timegrid.TimeGrid`
  from the project's default calendar (``PROJECT.clndr_id``): its work week and
  holiday / working-day exceptions. The plan's durations (the leveled schedule's, on
  whole working days of that grid) convert each activity's hours with **its own**
  calendar's hours per day, then scale by the ratio of working days per week
  (default / own) when the two differ (warning). Relationship lags use the
  predecessor's calendar hours per day (P6 ``rcal_Predecessor``).
* **Hours**: the plan also keeps the file's calendars at minute resolution and its
  hour counts (:attr:`~scheduler.model.Plan.calendars`, a
  :class:`~scheduler.workcal.FileCalendars`: durations, remaining hours, lags,
  actual dates and times, constraint dates, the ``SCHEDOPTIONS`` lag calendar and
  float type), from which the logic CPM is computed as P6 computes it, each
  activity in working time of its own calendar (:mod:`scheduler.calendar_cpm`). So
  logic dates and floats follow the file's calendars at hour resolution, while the
  leveled schedule is on whole working days of the project calendar.
* **Hours → days**: ``hours / hours_per_day`` rounded up to whole days (warning when
  the rounding changes the value).
* **Progress**: ``Plan.data_date`` = ``PROJECT.last_recalc_date`` (else
  ``plan_start_date``); ``plan_start`` is the project's start (the earliest of
  ``plan_start_date``, the actual starts and the data date), so actual dates sit on
  the grid. ``status_code`` ``TK_Active`` / ``TK_Complete`` give
  :class:`~scheduler.model.Progress` (``act_start_date``, ``act_end_date``,
  ``remain_drtn_hr_cnt``, ``phys_complete_pct``; :func:`slot_at` puts a date and
  time on the grid); the duration is the original one (``target_drtn_hr_cnt``) for
  a started activity, the remaining one for an unstarted. ``SCHEDOPTIONS``
  ``sched_progress_override = Y`` → ``Plan.out_of_sequence = "progress_override"``,
  else ``retained_logic``. The P6 progress rules themselves are
  :mod:`scheduler.progress`. Bad progress (a date that is not one, a started
  activity without an actual start, a complete one without an actual finish or
  with remaining hours, a finish before its start, a percent outside 0–100, an
  actual date after the data date) is an error at its TASK line and column, every
  bad record at once. A ``TK_NotStart`` activity with actual dates is not started
  (P6 takes progress from the status): its actuals are ignored with a warning.
* **Constraints** (``cstr_type`` / ``cstr_type2``) as P6 schedules them: the ones
  P6 applies in its forward pass are ``release`` (``CS_MSOA`` start on or after:
  the start; ``CS_MEOA`` finish on or after: the finish − duration); the ones it
  applies only in its backward pass (``CS_MSOB`` start on or before, ``CS_MEOB``
  finish on or before) are a soft :attr:`~scheduler.model.Activity.deadline`,
  which gives negative float and a warning, never infeasibility; ``CS_MSO`` start
  on and ``CS_MEO`` finish on are both. Only ``CS_MANDSTART`` / ``CS_MANDFIN``
  (mandatory, which override logic in P6) pin ``fixed_start``. ``CS_ALAP`` is
  ignored with a warning. Constraints of completed activities are ignored.
* **Resources**: ``RSRC`` → :class:`Resource` (id ``rsrc_short_name``, capacity =
  ``RSRCRATE.max_qty_per_hr`` rounded up, default 1); ``TASKRSRC`` → :class:`Demand`
  with ``target_qty_per_hr`` rounded up. A capacity below a demand is raised to the
  demand (warning); demands of milestones and completed activities are dropped.
* **Ranges** (:mod:`scheduler.importers._limits`): a duration or lag over 100
  years, a capacity or demand over 1,000,000 units, a data date outside 1900…2199,
  a constraint date more than 100 years after it, ``day_hr_cnt`` not in (0, 24]
  are errors at their table and line; a finish date or total float that far out
  and an exception day outside 1900…2199 are ignored with a warning.
* The tool's own computed values are kept in ``Activity.extra``: ``tool_tf_days``
  (``total_float_hr_cnt`` / hours per day), ``tool_critical`` (TF <=
  ``critical_drtn_hr_cnt``), ``tool_early_start``, ``tool_early_finish``, ``status``,
  ``calendar``; and what the rules above map away, as written (for the health check,
  :mod:`scheduler.dcma`): ``constraint``/``constraint2`` (``cstr_type``/``cstr_type2``,
  their dates ``constraint_date``/``constraint2_date``),
  ``original_days`` (``target_drtn_hr_cnt`` in days), ``actual_start``/``actual_finish``
  (date and time), and on each successor ``links``: ``(predecessor id, type, lag in days)`` per
  relationship, the lag unrounded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from scheduler.errors import UnreadableFileError
from scheduler.importers._common import (
    IssueLog,
    days_up,
    decode_text,
    horizon_months_for,
    lift_unleveled_limits,
)
from scheduler.importers._limits import (
    FIRST_DATE,
    MAX_PLAN_DAYS,
    check_date,
    check_days,
    check_units,
    number,
    shown,
)
from scheduler.importers._three_point import xer_three_point
from scheduler.importers._xer_tables import (
    XerCalendar,
    XerRow,
    parse_calendar,
    parse_dt,
    parse_xer_tables,
)
from scheduler.model import Activity, Demand, Dependency, Plan, Progress, Resource
from scheduler.progress import progress_problems
from scheduler.timegrid import TimeGrid
from scheduler.validate import unknown_id_text
from scheduler.workcal import FileCalendars, minutes_of

__all__ = ["XerCalendar", "parse_xer_tables", "read_xer"]

log = logging.getLogger(__name__)

PRED_TYPES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
SUMMARY_TYPES = {"TT_WBS", "TT_LOE"}
MILESTONE_TYPES = {"TT_Mile", "TT_FinMile"}
IGNORED_CONSTRAINTS = {"CS_ALAP"}
#: Constraint types read (module docstring); others are ignored with a warning.
P6_CONSTRAINTS = frozenset(
    ("CS_MSOA", "CS_MSOB", "CS_MSO", "CS_MEOA", "CS_MEOB", "CS_MEO", "CS_MANDSTART", "CS_MANDFIN")
)
#: TASK dates that set the horizon: the tool's finish dates (informative) and
#: constraint dates (binding).
_DATE_FIELDS = ("early_end_date", "late_end_date", "target_end_date", "cstr_date", "cstr_date2")


@dataclass
class _Task:
    row: XerRow
    code: str
    cal: XerCalendar
    status: str
    kind: str
    duration: int = 0
    extra: dict[str, object] = field(default_factory=dict)
    hours_field: str = ""


def read_xer(data: bytes, filename: str = "file.xer") -> Plan:
    """Read a Primavera P6 XER export into a plan (rules: module docstring).

    Parameters
    ----------
    data
        The file's bytes (UTF-16, UTF-8, cp1252 or cp949; see
        :func:`scheduler.importers._common.decode_text`).
    filename
        Name used in messages.

    Returns
    -------
    Plan
        On a ``"custom"`` grid from the project's default calendar; warnings (every
        rounding, ignored constraint, dropped relationship) in ``plan.warnings``.

    Raises
    ------
    UnreadableFileError
        If the bytes are not text in a known encoding or not an XER export.
    InvalidPlanError
        With every problem and its place (table, line, field): a truncated file, an
        unknown relationship type, a relationship naming no activity, bad numbers.
    """
    text, encoding = decode_text(data, filename)
    issues = IssueLog(filename)
    if not text.startswith("ERMHDR"):
        raise UnreadableFileError(
            f"{filename} does not start with ERMHDR (read as {encoding} text): not a P6 XER export"
        )
    tables = parse_xer_tables(text, issues)
    if "replaced" in encoding:
        _warn_replaced(text, issues)
    issues.raise_if_errors()
    projects = tables.get("PROJECT", [])
    if not projects:
        issues.error("PROJECT", None, "", "no PROJECT table: nothing to plan")
        issues.raise_if_errors()
    proj = projects[0]
    if len(projects) > 1:
        issues.warn("PROJECT", proj.line, "", f"{len(projects)} projects; only the first is read")
    proj_id = proj.get("proj_id")

    calendars = {r.get("clndr_id"): parse_calendar(r, issues) for r in tables.get("CALENDAR", [])}
    for r in tables.get("CALENDAR", []):
        cal = calendars[r.get("clndr_id")]
        if cal.said_hours is not None and abs(cal.said_hours - cal.hours_per_day) > 1e-6:
            issues.warn(
                "CALENDAR",
                r.line,
                "day_hr_cnt",
                f"calendar {shown(cal.name)}: day_hr_cnt says {cal.said_hours:g} h a day but "
                f"its work periods are {cal.hours_per_day:g} h; hours are counted in days of "
                f"{cal.hours_per_day:g} h, as P6 schedules them",
            )
    default_id = proj.get("clndr_id")
    if default_id not in calendars:
        flagged = [c for c in tables.get("CALENDAR", []) if c.get("default_flag") == "Y"]
        default_id = flagged[0].get("clndr_id") if flagged else next(iter(calendars), "")
    default = calendars.get(default_id) or XerCalendar("", "default", 8.0, frozenset(range(5)))
    if not (default.workweek or default.workdays):
        row = next(r for r in tables["CALENDAR"] if r.get("clndr_id") == default_id)
        issues.error(
            "CALENDAR",
            row.line,
            "clndr_data",
            f"calendar {shown(default.name)}, the project's default: no working day",
        )
        issues.raise_if_errors()

    date_field = "last_recalc_date" if parse_dt(proj.get("last_recalc_date")) else "plan_start_date"
    data_dt = parse_dt(proj.get(date_field))
    if data_dt is None:
        issues.error("PROJECT", proj.line, "last_recalc_date", "no data date (last_recalc_date)")
    elif not check_date(
        issues, "PROJECT", proj.line, date_field, f"data date {date_field}", data_dt.date()
    ):
        data_dt = None
    if data_dt is None:
        issues.raise_if_errors()
        raise AssertionError  # unreachable
    task_rows = [r for r in tables.get("TASK", []) if r.get("proj_id") in ("", proj_id)]
    # the grid starts at the project's start, so the actual dates sit on it
    first_dt = data_dt
    for candidate in [proj.get("plan_start_date")] + [
        r.get("act_start_date") for r in task_rows if r.get("status_code") != "TK_NotStart"
    ]:
        dt = parse_dt(candidate)
        if dt is not None and dt.date() >= FIRST_DATE and dt < first_dt:
            first_dt = dt
    start_day = first_dt.date()
    if (first_dt.hour, first_dt.minute) >= default.day_end:
        start_day += timedelta(days=1)
    crit_hours = number(proj.get("critical_drtn_hr_cnt")) or 0.0

    wbs_name = {r.get("wbs_id"): r.get("wbs_name") for r in tables.get("PROJWBS", [])}

    last_day = start_day
    for r in task_rows:
        for key in _DATE_FIELDS:
            dt = parse_dt(r.get(key))
            code = r.get("task_code").strip()[:40]
            binding = key.startswith("cstr_date")
            if dt and not check_date(
                issues,
                "TASK",
                r.line,
                key,
                f"{code}: {key}",
                dt.date(),
                start_day,
                warning=not binding,
            ):
                r.values[key] = ""  # ignored (informative) or an error (a constraint)
            elif dt and dt.date() > last_day:
                last_day = dt.date()
    grid = TimeGrid(
        start_day,
        "custom",
        horizon_months_for(start_day, last_day),
        workweek=default.workweek,
        holidays_extra=default.holidays,
        workdays_extra=default.workdays,
    )
    data_slot = slot_at(grid, data_dt, default)

    by_task_id: dict[str, _Task] = {}
    skipped: dict[str, str] = {}
    activities: list[Activity] = []
    seen_codes: dict[str, int] = {}
    actuals: dict[str, Progress | None] = {}
    for r in task_rows:
        code = r.get("task_code").strip()
        kind = r.get("task_type")
        if not code:
            issues.error("TASK", r.line, "task_code", "activity without an Activity ID")
            continue
        if code in seen_codes:
            issues.error(
                "TASK",
                r.line,
                "task_code",
                f"Activity ID {code!r} repeats line {seen_codes[code]}",
            )
            continue
        seen_codes[code] = r.line
        if kind in SUMMARY_TYPES:
            issues.warn("TASK", r.line, "task_type", f"{code}: {kind} summary is not planned")
            skipped[r.get("task_id")] = code
            continue
        cal = calendars.get(r.get("clndr_id"), default)
        status = r.get("status_code")
        t = _Task(r, code, cal, status, kind)
        # P6 schedules an unstarted activity on its remaining duration; a started one
        # keeps its original duration, its remaining work in its progress
        started = status in ("TK_Active", "TK_Complete")
        remain_given = r.get("remain_drtn_hr_cnt").strip() != ""
        hours_field = "remain_drtn_hr_cnt" if remain_given and not started else "target_drtn_hr_cnt"
        if not r.get(hours_field).strip() and remain_given:
            hours_field = "remain_drtn_hr_cnt"
        t.duration = _task_days(t, hours_field, default, issues)
        t.hours_field = hours_field
        act = Activity(
            id=code,
            name=r.get("task_name") or code,
            duration=t.duration,
            project=wbs_name.get(r.get("wbs_id"), ""),
            source_row=r.line,
            place=issues.place("TASK", r.line, columns=_task_columns(hours_field)),
        )
        act.progress, actuals[code] = _progress(t, grid, default, data_slot, issues)
        _constraints(act, t, grid, issues)
        tf = number(r.get("total_float_hr_cnt"))
        act.extra.update(
            status=status,
            calendar=cal.name,
            critical_days=crit_hours / cal.hours_per_day,
            own_calendar=cal.id != default.id,
            tool_early_start=(parse_dt(r.get("early_start_date")) or datetime.min)
            .date()
            .isoformat(),
        )
        if tf is not None and abs(tf / cal.hours_per_day) > MAX_PLAN_DAYS:
            issues.warn(
                "TASK",
                r.line,
                "total_float_hr_cnt",
                f"{code}: total float {tf:.4g} h is more than 100 years; ignored",
            )
        elif tf is not None and r.get("total_float_hr_cnt").strip() != "":
            act.extra["tool_tf_days"] = tf / cal.hours_per_day
            act.extra["tool_critical"] = tf <= crit_hours
        act.extra.update(_raw_fields(r, cal))
        act.extra["tool_slots"] = _tool_slots(r, grid, default)
        by_task_id[r.get("task_id")] = t
        activities.append(act)

    dependencies: list[Dependency] = []
    raw_links: dict[str, list[tuple[str, str, float]]] = {}
    lag_minutes: dict[tuple[str, str, str], int] = {}
    for r in tables.get("TASKPRED", []):
        succ_id, pred_id = r.get("task_id"), r.get("pred_task_id")
        if succ_id in skipped or pred_id in skipped:
            issues.warn(
                "TASKPRED",
                r.line,
                "task_id",
                f"relationship {skipped.get(pred_id, pred_id)} → {skipped.get(succ_id, succ_id)} "
                "touches a summary activity and is dropped",
            )
            continue
        bad = False
        for key, word, value in (
            ("pred_task_id", "predecessor", pred_id),
            ("task_id", "successor", succ_id),
        ):
            if value not in by_task_id:
                issues.error("TASKPRED", r.line, key, unknown_id_text(word, value))
                bad = True
        ptype = PRED_TYPES.get(r.get("pred_type"))
        if ptype is None:
            issues.error(
                "TASKPRED",
                r.line,
                "pred_type",
                f"unknown relationship type {r.get('pred_type')!r} (PR_FS, PR_SS, PR_FF, PR_SF)",
            )
            bad = True
        lag_h = number(r.get("lag_hr_cnt") or "0")
        if lag_h is None:
            issues.error(
                "TASKPRED",
                r.line,
                "lag_hr_cnt",
                f"lag {r.get('lag_hr_cnt')!r} is not a number of hours",
            )
            bad = True
        if bad:
            continue
        assert ptype is not None and lag_h is not None
        pred, succ = by_task_id[pred_id], by_task_id[succ_id]
        lag_days = lag_h / pred.cal.hours_per_day
        what = f"{pred.code} → {succ.code}: lag {shown(r.get('lag_hr_cnt'))} h"
        if not check_days(issues, "TASKPRED", r.line, "lag_hr_cnt", what, lag_days):
            continue
        raw_links.setdefault(succ.code, []).append((pred.code, ptype, lag_days))
        lag_minutes[(pred.code, succ.code, ptype)] = minutes_of(lag_h)
        if pred.cal.workweek != default.workweek and pred.cal.workweek:
            lag_days = lag_days * len(default.workweek) / len(pred.cal.workweek)
        lag = days_up(lag_days)
        if abs(lag - lag_days) > 1e-6:
            issues.warn(
                "TASKPRED",
                r.line,
                "lag_hr_cnt",
                f"{pred.code} → {succ.code}: lag {lag_h:g} h = {lag_days:.2f} days"
                f" rounded up to {lag}",
            )
        if pred.code == succ.code:
            issues.error("TASKPRED", r.line, "task_id", f"{succ.code} depends on itself")
            continue
        dependencies.append(
            Dependency(
                pred.code,
                succ.code,
                ptype,  # type: ignore[arg-type]
                lag,
                source_row=r.line,
                place=issues.place("TASKPRED", r.line, columns=_TASKPRED_COLUMNS),
            )
        )

    for act in activities:
        if act.id in raw_links:
            act.extra["links"] = raw_links[act.id]
    resources, demands = _resources(tables, by_task_id, issues)
    name = wbs_name_of_project(tables, proj) or proj.get("proj_short_name") or filename
    # the actual dates of every started row, even of rows with other errors, against
    # the data date (each bad record reported, not only the first)
    dated = [replace(a, progress=actuals[a.id]) for a in activities if actuals.get(a.id)]
    for problem in progress_problems(Plan(name, grid, dated, data_date=data_slot)):
        p = actuals[problem.activity]
        issues.issues.append(problem.issue(p.place if p is not None else None))
    issues.raise_if_errors()
    plan = issues.plan(name, grid, activities, dependencies, resources, demands)
    plan.data_date = data_slot
    plan.out_of_sequence = _out_of_sequence(tables, proj_id)
    plan.calendars = _file_calendars(
        tables, proj_id, calendars, default, by_task_id, activities, lag_minutes, data_dt
    )
    plan.calendars.data_slot = data_slot
    lift_unleveled_limits(plan)
    plan = xer_three_point(plan, tables, by_task_id, default, issues)
    log.info(
        "%s (%s): %d activities, %d relationships, %d warnings",
        filename,
        encoding,
        len(activities),
        len(dependencies),
        len(plan.warnings),
    )
    return plan


_HOURS_FIELD = {
    "target_drtn_hr_cnt": "original duration",
    "remain_drtn_hr_cnt": "remaining duration",
}
"""The words for a TASK hours column in messages."""


def _task_days(t: _Task, hours_field: str, default: XerCalendar, issues: IssueLog) -> int:
    """Duration (slots of the default calendar) of ``t``'s ``hours_field`` hours.

    Hours / the activity calendar's hours per day, scaled by the ratio of working days
    per week (default / own, warning) when the two work weeks differ, rounded up
    (warning). A milestone is 0. A bad number is an error at its line (0 is returned
    so the activity's links still resolve while the plan is refused).
    """
    r, code, cal = t.row, t.code, t.cal
    if t.kind in MILESTONE_TYPES:
        return 0
    hours = number(r.get(hours_field) or "0")
    if hours is None or hours < 0:
        issues.error(
            "TASK",
            r.line,
            hours_field,
            f"{code}: {_HOURS_FIELD.get(hours_field, hours_field)} "
            f"{shown(r.get(hours_field))} is not a number of hours (0 or more)",
        )
        return 0
    days = hours / cal.hours_per_day
    what = f"{code}: {hours_field} {shown(r.get(hours_field))} h"
    if not check_days(issues, "TASK", r.line, hours_field, what, days):
        return 0
    if cal.workweek != default.workweek and cal.workweek:
        days = days * len(default.workweek) / len(cal.workweek)
        issues.warn(
            "TASK",
            r.line,
            "clndr_id",
            f"{code}: on calendar {cal.name!r} ({len(cal.workweek)} days/week); "
            f"{hours:g} h counted as {days:.2f} days of the default calendar",
        )
    return issues.round_up(
        days, "TASK", r.line, hours_field, f"{code}: {hours:g} h = {days:.2f} days"
    )


def slot_at(grid: TimeGrid, when: datetime, cal: XerCalendar, *, end: bool = False) -> int:
    """Grid slot of a P6 date and time on the project calendar ``cal``.

    A start (``end=False``) at or after the day's end (``cal.day_end``) is the next
    working slot, else the slot of its day (or the next working one). An end
    (exclusive, as :class:`~scheduler.model.Activity` ends) at or before the day's
    first working hour (``cal.day_start``; 00:00 included) is the start of its day's
    slot — the work ended the working day before — else the end of its day's slot.
    """
    day, hm = when.date(), (when.hour, when.minute)
    if end:
        return grid.slot_on_or_after(day) if hm <= cal.day_start else grid.slot_after(day)
    return grid.slot_after(day) if hm >= cal.day_end else grid.slot_on_or_after(day)


#: Progress fields → the TASK columns they are read from (for placed messages).
_PROGRESS_COLUMNS = (
    ("actual_start", "act_start_date"),
    ("actual_finish", "act_end_date"),
    ("remaining", "remain_drtn_hr_cnt"),
    ("percent_complete", "phys_complete_pct"),
)


def _progress(
    t: _Task, grid: TimeGrid, default: XerCalendar, data_slot: int, issues: IssueLog
) -> tuple[Progress | None, Progress | None]:
    """``t``'s :class:`~scheduler.model.Progress` from its status and actual dates.

    ``TK_Active``: ``act_start_date``, ``remain_drtn_hr_cnt`` (hours → slots as the
    duration), ``phys_complete_pct``; ``TK_Complete``: ``act_start_date`` and
    ``act_end_date`` (a milestone may have only one of them); ``TK_NotStart``: none
    (actual dates on it are ignored with a warning: P6 schedules an activity that is
    not marked started from its remaining duration, whatever dates it carries).
    Errors at the TASK line and column, every one of the row (not only its first):
    a started activity without an actual start, a complete one without an actual
    finish, a date that is not a date, a finish before its start, a remaining
    duration on a complete activity, a percent outside 0–100. Actual dates after the
    data date are found by the plan's progress check
    (:func:`scheduler.progress.progress_problems`, placed at this row).

    Returns
    -------
    (Progress or None, Progress or None)
        The progress to schedule (None when not started or when the row has an
        error), and the row's actual dates alone (None when none could be read),
        which the caller checks against the data date even on a row with other
        errors, so that every bad record is reported at once.
    """
    r, code = t.row, t.code
    if t.status not in ("TK_Active", "TK_Complete"):
        a_s, a_e = r.get("act_start_date").strip(), r.get("act_end_date").strip()
        if a_s or a_e:
            # one column and one shape for every such row: grouped into one line
            issues.warn(
                "TASK",
                r.line,
                "status_code",
                f"{code}: status {shown(t.status)} but actual start {shown(a_s)}, actual "
                f"finish {shown(a_e)}: P6 takes progress from the status, so the actual "
                "dates are ignored and it is scheduled as not started, on its remaining "
                "duration",
            )
        return None, None
    place = issues.place("TASK", r.line, columns=_PROGRESS_COLUMNS)
    ok = True
    dates: dict[str, datetime | None] = {}
    unreadable: set[str] = set()
    for key in ("act_start_date", "act_end_date"):
        raw = r.get(key).strip()
        dates[key] = parse_dt(raw) if raw else None
        if raw and dates[key] is None:
            issues.error("TASK", r.line, key, f"{code}: {key} {shown(raw)} is not a date")
            unreadable.add(key)
            ok = False
    start_dt, end_dt = dates["act_start_date"], dates["act_end_date"]
    milestone = t.kind in MILESTONE_TYPES
    if milestone and t.status == "TK_Complete" and not unreadable:
        start_dt = start_dt or end_dt
        end_dt = end_dt or start_dt
    if start_dt is None and "act_start_date" not in unreadable:
        issues.error(
            "TASK", r.line, "act_start_date", f"{code}: {t.status} without an actual start"
        )
        ok = False
    if t.status == "TK_Complete" and end_dt is None and "act_end_date" not in unreadable:
        issues.error(
            "TASK", r.line, "act_end_date", f"{code}: TK_Complete without an actual finish"
        )
        ok = False
    if t.status == "TK_Active":
        end_dt = None  # an active activity's finish is not actual
    pct = number(r.get("phys_complete_pct") or "0")
    if pct is None or not 0 <= pct <= 100:
        issues.error(
            "TASK",
            r.line,
            "phys_complete_pct",
            f"{code}: percent complete {shown(r.get('phys_complete_pct'))} is not 0 to 100",
        )
        ok = False
    remaining: int | None = None
    if r.get("remain_drtn_hr_cnt").strip():
        hours = number(r.get("remain_drtn_hr_cnt"))
        if t.status == "TK_Complete" and hours:
            issues.error(
                "TASK",
                r.line,
                "remain_drtn_hr_cnt",
                f"{code}: complete, but remaining duration {shown(r.get('remain_drtn_hr_cnt'))}"
                " h is not 0",
            )
            ok = False
        elif t.status == "TK_Active" and not milestone:
            remaining = _task_days(t, "remain_drtn_hr_cnt", default, issues)
    if start_dt is None:
        return None, None
    a_start = slot_at(grid, start_dt, default)
    a_end = None
    if end_dt is not None:
        a_end = slot_at(grid, end_dt, default, end=True)
        if end_dt < start_dt:
            issues.error(
                "TASK",
                r.line,
                "act_end_date",
                f"{code}: actual finish {end_dt:%Y-%m-%d %H:%M} is before its actual start "
                f"{start_dt:%Y-%m-%d %H:%M}",
            )
            return None, Progress(a_start, place=place)
        a_end = max(a_end, a_start)
    actuals = Progress(a_start, a_end, place=place)
    if not ok:
        return None, actuals
    return Progress(a_start, a_end, remaining, pct, place=place), actuals


def _tool_slots(r: XerRow, grid: TimeGrid, default: XerCalendar) -> list[int | None]:
    """P6's early start, early finish, late start, late finish of a TASK row as grid slots.

    Starts and (exclusive) ends by :func:`slot_at`; None where the file has no date.
    Kept in ``Activity.extra["tool_slots"]`` for comparing our dates with P6's.
    """
    out: list[int | None] = []
    for key, end in (
        ("early_start_date", False),
        ("early_end_date", True),
        ("late_start_date", False),
        ("late_end_date", True),
    ):
        dt = parse_dt(r.get(key))
        out.append(None if dt is None else slot_at(grid, dt, default, end=end))
    return out


#: ``SCHEDOPTIONS.sched_calendar_on_relationship_lag`` → :class:`FileCalendars` ``lag_calendar``.
_LAG_CALENDARS = {
    "rcal_Predecessor": "predecessor",
    "rcal_Successor": "successor",
    "rcal_24Hour": "24h",
    "rcal_ProjDefault": "project",
}
#: ``SCHEDOPTIONS.sched_float_type`` → :class:`FileCalendars` ``float_type`` (P6
#: "compute total float as": finish float, start float, smallest of the two; a value
#: naming neither start nor finish float counts as the smallest, an empty one finish).
_FLOAT_TYPES = {"FT_FF": "finish", "FT_SF": "start"}


def _float_type(value: str) -> str:
    """``finish``, ``start`` or ``smallest`` for a ``sched_float_type`` (``_FLOAT_TYPES``)."""
    return _FLOAT_TYPES.get(value, "smallest" if value.strip() else "finish")


def _file_calendars(
    tables: dict[str, list[XerRow]],
    proj_id: str,
    calendars: dict[str, XerCalendar],
    default: XerCalendar,
    by_task_id: dict[str, _Task],
    activities: list[Activity],
    lag_minutes: dict[tuple[str, str, str], int],
    data_dt: datetime,
) -> FileCalendars:
    """The file's calendars and hour counts, for the hour CPM (:mod:`scheduler.calendar_cpm`).

    Durations: the TASK hours the plan's durations were read from (0 for milestones),
    remaining hours of work in progress, actual dates, constraint dates as P6 applies
    them (module docstring), the lag calendar and float type of ``SCHEDOPTIONS``
    (defaults ``rcal_Predecessor``, ``FT_FF``), the must-finish-by date
    ``PROJECT.plan_end_date``.
    """
    opts = next(
        (r for r in tables.get("SCHEDOPTIONS", []) if r.get("proj_id") in ("", proj_id)), None
    )
    proj = next((r for r in tables.get("PROJECT", []) if r.get("proj_id") == proj_id), None)
    cals = {cid: c.work_calendar() for cid, c in calendars.items()}
    cals.setdefault(default.id, default.work_calendar())
    out = FileCalendars(
        calendars=cals,
        project=default.id,
        activity={},
        minutes={},
        data_date=data_dt,
        lags=lag_minutes,
        lag_calendar=_LAG_CALENDARS.get(
            opts.get("sched_calendar_on_relationship_lag") if opts else "", "predecessor"
        ),
        float_type=_float_type(opts.get("sched_float_type") if opts else ""),
        slots={a.id: a.duration for a in activities},
        finish_by=parse_dt(proj.get("plan_end_date")) if proj else None,
    )
    fin_miles = set()
    for t in by_task_id.values():
        r, code = t.row, t.code
        out.activity[code] = t.cal.id if t.cal.id in cals else default.id
        milestone = t.kind in MILESTONE_TYPES
        if t.kind == "TT_FinMile":
            fin_miles.add(code)
        out.minutes[code] = 0 if milestone else minutes_of(number(r.get(t.hours_field)) or 0.0)
        a_s, a_f = parse_dt(r.get("act_start_date")), parse_dt(r.get("act_end_date"))
        if t.status == "TK_Complete" and milestone:
            a_s, a_f = a_s or a_f, a_f or a_s
        if t.status in ("TK_Active", "TK_Complete") and a_s is not None:
            out.actual_start[code] = a_s
        if t.status == "TK_Complete" and a_f is not None:
            out.actual_finish[code] = a_f
        if t.status == "TK_Active" and not milestone:
            out.remaining[code] = minutes_of(number(r.get("remain_drtn_hr_cnt")) or 0.0)
        if t.status == "TK_Complete":
            continue
        for tkey, dkey in (("cstr_type", "cstr_date"), ("cstr_type2", "cstr_date2")):
            ctype, dt = r.get(tkey), parse_dt(r.get(dkey))
            if dt is None:
                continue
            for kinds, target in (
                (("CS_MSOA", "CS_MSO"), out.start_after),
                (("CS_MEOA", "CS_MEO"), out.finish_after),
                (("CS_MSOB", "CS_MSO"), out.start_before),
                (("CS_MEOB", "CS_MEO"), out.finish_before),
                (("CS_MANDSTART",), out.mandatory_start),
                (("CS_MANDFIN",), out.mandatory_finish),
            ):
                if ctype in kinds:
                    target[code] = dt
    out.finish_milestones = frozenset(fin_miles)
    return out


def _out_of_sequence(tables: dict[str, list[XerRow]], proj_id: str) -> str:
    """``progress_override`` when the project's SCHEDOPTIONS say so, else ``retained_logic``."""
    for r in tables.get("SCHEDOPTIONS", []):
        if r.get("proj_id") in ("", proj_id):
            return (
                "progress_override"
                if r.get("sched_progress_override") == "Y"
                else ("retained_logic")
            )
    return "retained_logic"


def _warn_replaced(text: str, issues: IssueLog) -> None:
    """One warning per line whose text had bytes no code page defines (U+FFFD now)."""
    table = ""
    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith("%T\t"):
            table = line[3:].strip()
        if "\ufffd" in line:
            issues.warn(
                table or "file",
                n,
                "",
                "text in a code page infraplan does not read was "
                "replaced by \ufffd (the dates, durations and links are not affected)",
            )


def wbs_name_of_project(tables: dict[str, list[XerRow]], proj: XerRow) -> str:
    """Name of the project's own WBS node (``proj_node_flag = Y``), or ``""``."""
    for r in tables.get("PROJWBS", []):
        if r.get("proj_id") == proj.get("proj_id") and r.get("proj_node_flag") == "Y":
            return r.get("wbs_name")
    return ""


#: Model field → XER column, for the plan's checks to name the file's column.
_TASKPRED_COLUMNS = (
    ("predecessor", "pred_task_id"),
    ("successor", "task_id"),
    ("type", "pred_type"),
    ("lag", "lag_hr_cnt"),
)
_TASKRSRC_COLUMNS = (
    ("activity", "task_id"),
    ("resource", "rsrc_id"),
    ("amount", "target_qty_per_hr"),
)


def _task_columns(hours_field: str) -> tuple[tuple[str, str], ...]:
    return (
        ("id", "task_code"),
        ("duration", hours_field),
        ("release", "cstr_date"),
        ("deadline", "cstr_date"),
        ("fixed_start", "cstr_date"),
    )


def _raw_fields(r: XerRow, cal: XerCalendar) -> dict[str, object]:
    """TASK values the plan maps away, kept as the file has them (for the health check).

    ``constraint`` / ``constraint2``: ``cstr_type`` / ``cstr_type2`` as written
    (``CS_MSO``, ``CS_MEOB``, ...; absent when empty), with ``constraint_date`` /
    ``constraint2_date`` the dates of ``cstr_date`` / ``cstr_date2``; ``original_days``:
    ``target_drtn_hr_cnt`` / the activity calendar's ``day_hr_cnt`` (P6 Original
    Duration as P6 shows it, unrounded; the plan's durations count the calendar's
    work periods instead); ``actual_start`` / ``actual_finish``: ``act_start_date`` /
    ``act_end_date`` (ISO date and time, ``2025-08-29T00:00``); ``tool_early_finish``:
    the date of ``early_end_date``.
    """
    out: dict[str, object] = {}
    for key, column, day in (
        ("constraint", "cstr_type", "cstr_date"),
        ("constraint2", "cstr_type2", "cstr_date2"),
    ):
        if r.get(column):
            out[key] = r.get(column)
            if dt := parse_dt(r.get(day)):
                out[f"{key}_date"] = dt.date().isoformat()
    hours = number(r.get("target_drtn_hr_cnt"))
    shown_hpd = cal.said_hours or cal.hours_per_day  # P6 shows days of day_hr_cnt
    if hours is not None and shown_hpd > 0:
        out["original_days"] = hours / shown_hpd
    for key, column in (("actual_start", "act_start_date"), ("actual_finish", "act_end_date")):
        if dt := parse_dt(r.get(column)):
            out[key] = dt.isoformat(timespec="minutes")
    if dt := parse_dt(r.get("early_end_date")):
        out["tool_early_finish"] = dt.date().isoformat()
    return out


def _constraints(act: Activity, t: _Task, grid: TimeGrid, issues: IssueLog) -> None:
    """P6 constraints as P6 applies them (module docstring): the forward-pass ones
    (start / finish on or after) are releases, the backward-pass ones (start / finish
    on or before) soft deadlines, "on" both; only the mandatory ones pin a date."""
    if t.status == "TK_Complete":
        return
    for tkey, dkey in (("cstr_type", "cstr_date"), ("cstr_type2", "cstr_date2")):
        ctype = t.row.get(tkey)
        if not ctype or ctype == "CS_ASAP":
            continue
        dt = parse_dt(t.row.get(dkey))
        if ctype in IGNORED_CONSTRAINTS or dt is None:
            issues.warn("TASK", t.row.line, tkey, f"{t.code}: constraint {ctype} ignored")
            continue
        day = dt.date()
        start_on = grid.slot_on_or_after(day)  # first slot on or after the day
        end_by = grid.slot_after(day)  # exclusive end of the day's work
        if ctype in ("CS_MSOA", "CS_MSO"):
            act.release = max(act.release or 0, start_on)
        if ctype in ("CS_MSOB", "CS_MSO"):
            _tighten_deadline(act, max(start_on, end_by - 1) + act.duration)
        if ctype in ("CS_MEOA", "CS_MEO"):
            act.release = max(act.release or 0, end_by - act.duration)
        if ctype in ("CS_MEOB", "CS_MEO"):
            _tighten_deadline(act, end_by)
        if ctype == "CS_MANDSTART":
            act.fixed_start = start_on
        elif ctype == "CS_MANDFIN":
            act.fixed_start = max(0, end_by - act.duration)
        elif ctype not in P6_CONSTRAINTS:
            issues.warn("TASK", t.row.line, tkey, f"{t.code}: unknown constraint {ctype} ignored")


def _tighten_deadline(act: Activity, end: int) -> None:
    act.deadline = end if act.deadline is None else min(act.deadline, end)


def _resources(
    tables: dict[str, list[XerRow]], by_task_id: dict[str, _Task], issues: IssueLog
) -> tuple[list[Resource], list[Demand]]:
    max_units: dict[str, float] = {}
    for r in tables.get("RSRCRATE", []):
        q = number(r.get("max_qty_per_hr"))
        what = f"resource {r.get('rsrc_id')[:40]}: max_qty_per_hr"
        if q is not None and check_units(issues, "RSRCRATE", r.line, "max_qty_per_hr", what, q):
            max_units[r.get("rsrc_id")] = max(q, max_units.get(r.get("rsrc_id"), 0.0))
    resources: dict[str, Resource] = {}
    rsrc_code: dict[str, str] = {}
    for r in tables.get("RSRC", []):
        rid = (r.get("rsrc_short_name") or r.get("rsrc_name") or r.get("rsrc_id")).strip()
        units = max_units.get(r.get("rsrc_id"), 1.0)
        cap = max(1, days_up(units))
        if abs(cap - units) > 1e-6:
            issues.warn(
                "RSRC", r.line, "max_qty_per_hr", f"{rid}: max units {units:g} rounded up to {cap}"
            )
        resources[rid] = Resource(
            rid,
            cap,
            name=r.get("rsrc_name"),
            unit=r.get("cost_qty_type"),
            place=issues.place("RSRC", r.line, columns=(("id", "rsrc_short_name"),)),
        )
        rsrc_code[r.get("rsrc_id")] = rid
    demands: list[Demand] = []
    for r in tables.get("TASKRSRC", []):
        t = by_task_id.get(r.get("task_id"))
        code = rsrc_code.get(r.get("rsrc_id"))
        if t is None or code is None:
            if r.get("rsrc_id"):
                issues.warn(
                    "TASKRSRC",
                    r.line,
                    "task_id",
                    "assignment to an unknown activity or resource dropped",
                )
            continue
        rid = code
        if t.duration == 0:
            issues.warn(
                "TASKRSRC",
                r.line,
                "task_id",
                f"{t.code}: assignment of {rid} to a milestone or completed activity dropped",
            )
            continue
        q = number(r.get("target_qty_per_hr") or r.get("remain_qty_per_hr") or "1") or 1.0
        what = f"{t.code}/{rid}: target_qty_per_hr"
        if not check_units(issues, "TASKRSRC", r.line, "target_qty_per_hr", what, q):
            continue
        amount = days_up(q)
        if abs(amount - q) > 1e-6:
            issues.warn(
                "TASKRSRC",
                r.line,
                "target_qty_per_hr",
                f"{t.code}/{rid}: {q:g} units rounded up to {amount}",
            )
        res = resources[rid]
        if amount > res.capacity:
            issues.warn(
                "TASKRSRC",
                r.line,
                "target_qty_per_hr",
                f"{rid}: capacity {res.capacity} raised to {amount} for {t.code}",
            )
            res.capacity = amount
        demands.append(
            Demand(
                t.code,
                rid,
                amount,
                source_row=r.line,
                place=issues.place("TASKRSRC", r.line, columns=_TASKRSRC_COLUMNS),
            )
        )
    return list(resources.values()), demands
