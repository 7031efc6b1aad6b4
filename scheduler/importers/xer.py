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
  holiday / working-day exceptions. P6 computes each activity on its own calendar;
  we compute every activity on the default one, converting each activity's hours
  with **its own** calendar's hours per day, then scaling by the ratio of working
  days per week (default / own) when the two differ (warning). Relationship lags use
  the predecessor's calendar hours per day (P6 ``rcal_Predecessor``).
* **Hours → days**: ``hours / hours_per_day`` rounded up to whole days (warning when
  the rounding changes the value).
* **Progress** (data date = ``PROJECT.last_recalc_date``; ``plan_start`` is the
  first working day at or after it): completed activities stay in the plan as
  milestones (duration 0) so their relationships keep the network intact, and their
  outgoing lags are dropped (the lag ran from the actual finish, in the past);
  in-progress and not-started activities are planned for their **remaining**
  duration (``remain_drtn_hr_cnt``) from the data date.
* **Constraints** (``cstr_type`` / ``cstr_type2``): ``CS_MSOA`` start on or after →
  ``release``; ``CS_MEOB`` finish on or before → ``due``; ``CS_MANDSTART``,
  ``CS_MSO`` → ``fixed_start``; ``CS_MANDFIN``, ``CS_MEO`` → ``fixed_start`` =
  finish − duration. Ignored with a warning: ``CS_MSOB``, ``CS_MEOA``, ``CS_ALAP``.
  Constraints of completed activities are ignored.
* **Resources**: ``RSRC`` → :class:`Resource` (id ``rsrc_short_name``, capacity =
  ``RSRCRATE.max_qty_per_hr`` rounded up, default 1); ``TASKRSRC`` → :class:`Demand`
  with ``target_qty_per_hr`` rounded up. A capacity below a demand is raised to the
  demand (warning); demands of milestones and completed activities are dropped.
* The tool's own computed values are kept in ``Activity.extra``: ``tool_tf_days``
  (``total_float_hr_cnt`` / hours per day), ``tool_critical`` (TF <=
  ``critical_drtn_hr_cnt``), ``tool_early_start``, ``status``, ``calendar``.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from scheduler.errors import UnreadableFileError
from scheduler.importers._common import IssueLog, days_up, decode_text, horizon_months_for
from scheduler.model import Activity, Demand, Dependency, Plan, Resource
from scheduler.timegrid import TimeGrid

__all__ = ["XerCalendar", "parse_xer_tables", "read_xer"]

log = logging.getLogger(__name__)

PRED_TYPES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
SUMMARY_TYPES = {"TT_WBS", "TT_LOE"}
MILESTONE_TYPES = {"TT_Mile", "TT_FinMile"}
IGNORED_CONSTRAINTS = {"CS_MSOB", "CS_MEOA", "CS_ALAP"}
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
    1 = Sunday … 7 = Saturday in ``clndr_data``.
    """

    id: str
    name: str
    hours_per_day: float
    workweek: frozenset[int]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    day_end: tuple[int, int] = (17, 0)


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


def _parse_dt(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


_DAY_RE = re.compile(r"\(0\|\|(\d)\(\)\((.*?)\)\)\s*(?=\(0\|\|\d\(\)|\)\)\s*\(0\|\|VIEW|$)", re.S)
_PERIOD_RE = re.compile(r"s\|(\d\d):(\d\d)\|f\|(\d\d):(\d\d)")
_EXC_RE = re.compile(r"\(0\|\|\d+\(d\|(\d+)\)\((.*?)\)\)", re.S)


def parse_calendar(row: XerRow) -> XerCalendar:
    """Read one ``CALENDAR`` row (its ``clndr_data`` work week and exceptions)."""
    data = row.get("clndr_data")
    hpd = float(row.get("day_hr_cnt") or 8) or 8.0
    workweek: set[int] = set()
    day_end = (17, 0)
    week_part, _, exc_part = data.partition("Exceptions()")
    dow = week_part.partition("DaysOfWeek()")[2]
    # split the DaysOfWeek block on each "(0||N()(" opener
    chunks = re.split(r"\(0\|\|([1-7])\(\)\(", dow)
    for i in range(1, len(chunks) - 1, 2):
        p6_day, body = int(chunks[i]), chunks[i + 1]
        periods = _PERIOD_RE.findall(body.split("(0||VIEW")[0])
        if periods:
            workweek.add((p6_day + 5) % 7)  # P6 1 = Sunday → weekday() 6
            for _, _, fh, fm in periods:
                end = (int(fh), int(fm))
                if end != (0, 0) and end > day_end:
                    day_end = end
    holidays: set[date] = set()
    workdays: set[date] = set()
    for serial, body in _EXC_RE.findall(exc_part):
        day = _EXCEL_EPOCH + timedelta(days=int(serial))
        if _PERIOD_RE.search(body):
            if day.weekday() not in workweek:
                workdays.add(day)
        else:
            holidays.add(day)
    if not data:
        workweek = {0, 1, 2, 3, 4}
    return XerCalendar(
        id=row.get("clndr_id"),
        name=row.get("clndr_name"),
        hours_per_day=hpd,
        workweek=frozenset(workweek),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        day_end=day_end,
    )


@dataclass
class _Task:
    row: XerRow
    code: str
    cal: XerCalendar
    status: str
    kind: str
    duration: int = 0
    extra: dict[str, object] = field(default_factory=dict)


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
    issues.raise_if_errors()
    projects = tables.get("PROJECT", [])
    if not projects:
        issues.error("PROJECT", None, "", "no PROJECT table: nothing to plan")
        issues.raise_if_errors()
    proj = projects[0]
    if len(projects) > 1:
        issues.warn("PROJECT", proj.line, "", f"{len(projects)} projects; only the first is read")
    proj_id = proj.get("proj_id")

    calendars = {r.get("clndr_id"): parse_calendar(r) for r in tables.get("CALENDAR", [])}
    default_id = proj.get("clndr_id")
    if default_id not in calendars:
        flagged = [c for c in tables.get("CALENDAR", []) if c.get("default_flag") == "Y"]
        default_id = flagged[0].get("clndr_id") if flagged else next(iter(calendars), "")
    default = calendars.get(default_id) or XerCalendar("", "default", 8.0, frozenset(range(5)))

    data_dt = _parse_dt(proj.get("last_recalc_date")) or _parse_dt(proj.get("plan_start_date"))
    if data_dt is None:
        issues.error("PROJECT", proj.line, "last_recalc_date", "no data date (last_recalc_date)")
        issues.raise_if_errors()
        raise AssertionError  # unreachable
    start_day = data_dt.date()
    if (data_dt.hour, data_dt.minute) >= default.day_end:
        start_day += timedelta(days=1)
    crit_hours = _num(proj.get("critical_drtn_hr_cnt")) or 0.0

    wbs_name = {r.get("wbs_id"): r.get("wbs_name") for r in tables.get("PROJWBS", [])}

    task_rows = [r for r in tables.get("TASK", []) if r.get("proj_id") in ("", proj_id)]
    last_day = start_day
    for r in task_rows:
        for key in ("early_end_date", "late_end_date", "target_end_date", "cstr_date"):
            dt = _parse_dt(r.get(key))
            if dt and dt.date() > last_day:
                last_day = dt.date()
    grid = TimeGrid(
        start_day,
        "custom",
        horizon_months_for(start_day, last_day),
        workweek=default.workweek,
        holidays_extra=default.holidays,
        workdays_extra=default.workdays,
    )

    by_task_id: dict[str, _Task] = {}
    skipped: dict[str, str] = {}
    activities: list[Activity] = []
    seen_codes: dict[str, int] = {}
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
        hours_field = "remain_drtn_hr_cnt" if r.get("remain_drtn_hr_cnt") else "target_drtn_hr_cnt"
        hours = _num(r.get(hours_field))
        if hours is None or hours < 0:
            issues.error(
                "TASK",
                r.line,
                hours_field,
                f"{code}: duration {r.get(hours_field)!r} is not a number of hours",
            )
            continue
        if status == "TK_Complete" or kind in MILESTONE_TYPES:
            t.duration = 0
        else:
            days = hours / cal.hours_per_day
            if cal.workweek != default.workweek and cal.workweek:
                days = days * len(default.workweek) / len(cal.workweek)
                issues.warn(
                    "TASK",
                    r.line,
                    "clndr_id",
                    f"{code}: on calendar {cal.name!r} ({len(cal.workweek)} days/week); "
                    f"{hours:g} h counted as {days:.2f} days of the default calendar",
                )
            t.duration = issues.round_up(
                days, "TASK", r.line, hours_field, f"{code}: {hours:g} h = {days:.2f} days"
            )
        act = Activity(
            id=code,
            name=r.get("task_name") or code,
            duration=t.duration,
            project=wbs_name.get(r.get("wbs_id"), ""),
            source_row=r.line,
        )
        _constraints(act, t, grid, issues)
        tf = _num(r.get("total_float_hr_cnt"))
        act.extra.update(
            status=status,
            calendar=cal.name,
            critical_days=crit_hours / cal.hours_per_day,
            own_calendar=cal.id != default.id,
            tool_early_start=(_parse_dt(r.get("early_start_date")) or datetime.min)
            .date()
            .isoformat(),
        )
        if tf is not None and r.get("total_float_hr_cnt").strip() != "":
            act.extra["tool_tf_days"] = tf / cal.hours_per_day
            act.extra["tool_critical"] = tf <= crit_hours
        by_task_id[r.get("task_id")] = t
        activities.append(act)

    dependencies: list[Dependency] = []
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
        for key, value in (("pred_task_id", pred_id), ("task_id", succ_id)):
            if value not in by_task_id:
                issues.error("TASKPRED", r.line, key, f"{key} {value} is not an activity")
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
        lag_h = _num(r.get("lag_hr_cnt") or "0")
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
        lag = days_up(lag_days)
        if pred.status == "TK_Complete" and lag != 0:
            issues.warn(
                "TASKPRED",
                r.line,
                "lag_hr_cnt",
                f"{pred.code} → {succ.code}: lag {lag_h:g} h of a completed predecessor dropped",
            )
            lag = 0
        elif abs(lag - lag_days) > 1e-6:
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
        dependencies.append(Dependency(pred.code, succ.code, ptype, lag, source_row=r.line))  # type: ignore[arg-type]

    resources, demands = _resources(tables, by_task_id, issues)
    name = wbs_name_of_project(tables, proj) or proj.get("proj_short_name") or filename
    plan = issues.plan(name, grid, activities, dependencies, resources, demands)
    log.info(
        "%s (%s): %d activities, %d relationships, %d warnings",
        filename,
        encoding,
        len(activities),
        len(dependencies),
        len(plan.warnings),
    )
    return plan


def wbs_name_of_project(tables: dict[str, list[XerRow]], proj: XerRow) -> str:
    """Name of the project's own WBS node (``proj_node_flag = Y``), or ``""``."""
    for r in tables.get("PROJWBS", []):
        if r.get("proj_id") == proj.get("proj_id") and r.get("proj_node_flag") == "Y":
            return r.get("wbs_name")
    return ""


def _num(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        out = float(value)
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def _constraints(act: Activity, t: _Task, grid: TimeGrid, issues: IssueLog) -> None:
    if t.status == "TK_Complete":
        return
    for tkey, dkey in (("cstr_type", "cstr_date"), ("cstr_type2", "cstr_date2")):
        ctype = t.row.get(tkey)
        if not ctype or ctype == "CS_ASAP":
            continue
        dt = _parse_dt(t.row.get(dkey))
        if ctype in IGNORED_CONSTRAINTS or dt is None:
            issues.warn("TASK", t.row.line, tkey, f"{t.code}: constraint {ctype} ignored")
            continue
        day = dt.date()
        if ctype == "CS_MSOA":
            act.release = grid.slot_on_or_after(day)
        elif ctype == "CS_MEOB":
            act.due = grid.slot_after(day)
        elif ctype in ("CS_MANDSTART", "CS_MSO"):
            act.fixed_start = grid.slot_on_or_after(day)
        elif ctype in ("CS_MANDFIN", "CS_MEO"):
            act.fixed_start = max(0, grid.slot_after(day) - act.duration)
        else:
            issues.warn("TASK", t.row.line, tkey, f"{t.code}: unknown constraint {ctype} ignored")


def _resources(
    tables: dict[str, list[XerRow]], by_task_id: dict[str, _Task], issues: IssueLog
) -> tuple[list[Resource], list[Demand]]:
    max_units: dict[str, float] = {}
    for r in tables.get("RSRCRATE", []):
        q = _num(r.get("max_qty_per_hr"))
        if q is not None:
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
        resources[rid] = Resource(rid, cap, name=r.get("rsrc_name"), unit=r.get("cost_qty_type"))
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
        q = _num(r.get("target_qty_per_hr") or r.get("remain_qty_per_hr") or "1") or 1.0
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
        demands.append(Demand(t.code, rid, amount, source_row=r.line))
    return list(resources.values()), demands
