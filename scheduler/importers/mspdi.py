"""MS Project XML (MSPDI) in.

Reading (:func:`read_mspdi`) parses with ``defusedxml`` (a DOCTYPE or an entity is
refused: :class:`~scheduler.errors.UnreadableFileError`). Rules (also in
``docs/IMPORTS.md``):

* **Ids**: activity id = the task ``ID`` (what MS Project shows in its ID column),
  or the ``Text1`` value when the file declares ``Text1`` with alias
  ``Activity ID`` (our own export of non-numeric ids). ``Summary`` tasks are
  projects: each leaf task's ``project`` is its nearest summary task's name. Task
  ``UID`` 0 (the project summary) and empty (``IsNull``) tasks are skipped.
* **Calendar**: the grid is a ``"custom"`` :class:`~scheduler.timegrid.TimeGrid`
  from the project calendar (``CalendarUID``): week days (``DayType`` 1 = Sunday …
  7 = Saturday, inherited from the base calendar when absent) and exceptions
  (non-working and working days). Task calendars other than the project's are
  ignored (warning).
* **Durations and lags**: ``PT#H#M#S`` durations are minutes / ``MinutesPerDay``,
  rounded up to whole days (warning when that changes them). ``LinkLag`` is in
  tenths of minutes; ``LagFormat`` 3, 5, 7, 9, 11 (m, h, d, w, mo; +32 for the
  estimated forms 35…43) count working time: lag = minutes / MinutesPerDay;
  elapsed formats 4, 6, 8, 10, 12 (36…44) count calendar time: lag = minutes /
  1440 × working days per week / 7; 19/20 (51/52) are percent of the
  predecessor's duration (LinkLag = percent × 10). Any other format is an error.
  Link ``Type``: 0 FF, 1 FS, 2 SF, 3 SS; any other is an error.
* **Links to summary tasks** are replaced by links to (or from) each of the
  summary's leaf tasks (warning), which is how MS Project schedules them.
* **Constraints** (``ConstraintType``): 4 start no earlier than → ``release``;
  6 finish no earlier than → ``release`` = finish − duration; 5 start no later
  than, 7 finish no later than and a task ``Deadline`` → a soft
  :attr:`~scheduler.model.Activity.deadline` (late dates and negative float, a
  warning when the plan misses it, never infeasibility); 2 must start on →
  ``fixed_start``; 3 must finish on → ``fixed_start`` = finish − duration. 1 as
  late as possible is ignored with a warning. A start constraint dated at or after
  ``DefaultFinishTime`` (17:00) means the next slot.
* **Progress**: ``plan_start`` is the project's ``StartDate`` (or the earliest
  ``ActualStart`` when earlier), so actual dates sit on the grid; ``Plan.data_date``
  is the ``StatusDate`` (without one, when tasks have progress, the end of the
  latest actual date, warning). A task with an ``ActualStart`` (or a percent above
  0: its ``Start``) has :class:`~scheduler.model.Progress`: complete at 100 % or
  with an ``ActualFinish`` (else its ``Finish``), else in progress with its
  ``RemainingDuration``; every task keeps its original ``Duration``. The rules that
  schedule progress are :mod:`scheduler.progress`. Errors at the task: an actual
  finish before its start, a complete task with remaining work, a remaining
  duration that is not ``PT#H#M#S``, an actual date after the status date.
* **Resources**: work resources (``Type`` 1) → :class:`Resource` (id = name,
  capacity = ``MaxUnits`` rounded up, at least 1); ``Assignments`` →
  :class:`Demand` with ``Units`` rounded up (warnings). A capacity below a demand
  is raised to it (warning); assignments of milestones are dropped.
* **Fields** are read with their place (element, line, task ``ID``/``UID``/name,
  field) and their range (:mod:`scheduler.importers._limits`): ``MinutesPerDay``
  1…1440, ``PercentComplete`` 0…100, ``OutlineLevel``, ``LinkLag``, ``MaxUnits``,
  ``Units``, ``DayType`` numbers, durations and lags at most 100 years, dates in
  range — else an error. Informative fields (``TotalSlack``,
  ``CriticalSlackLimit``, task ``Start``/``Finish``) are ignored with a warning.
  A self-link and a repeated ``UID`` are errors; a link from a summary to its own
  task is dropped (warning); an unreadable ``StartDate`` is replaced by the
  earliest task ``Start`` (warning).
* The tool's computed values are kept in ``Activity.extra``: ``tool_tf_days``
  (``TotalSlack`` / (MinutesPerDay × 10)), ``tool_critical`` (``Critical``),
  ``tool_early_start``, ``tool_early_finish``, ``start`` / ``finish`` (dates of
  ``Start`` / ``Finish``), ``critical_days`` (``CriticalSlackLimit``), ``manual``; and
  what the rules above map away, as written (for the health check,
  :mod:`scheduler.dcma`): ``constraint`` (``ConstraintType``) and ``constraint_date``,
  ``original_days``
  (``Duration`` in days), ``actual_start`` / ``actual_finish`` (date and time), and on each
  successor ``links``: ``(predecessor id, type, lag in days)`` per link, unrounded.

Writing is :func:`scheduler.exporters.mspdi.write_mspdi`.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from xml.etree.ElementTree import Element

from scheduler.errors import UnreadableFileError
from scheduler.importers._common import IssueLog, horizon_months_for, lift_unleveled_limits
from scheduler.importers._limits import (
    MAX_PLAN_DAYS,
    MAX_UNITS,
    check_date,
    check_days,
    shown,
)
from scheduler.importers._mspdi_fields import (
    Fields,
    minutes,
    parse_dt,
    parse_xml_lines,
    project_calendar,
)
from scheduler.importers._mspdi_fields import (
    child_text as _text,
)
from scheduler.importers._three_point import mspdi_three_point
from scheduler.model import Activity, Demand, Dependency, Plan, Progress, Resource
from scheduler.progress import progress_problems
from scheduler.timegrid import TimeGrid
from scheduler.validate import unknown_id_text

__all__ = ["LINK_CODES", "LINK_TYPES", "read_mspdi"]

NS = "http://schemas.microsoft.com/project"
#: MSPDI link Type codes.
LINK_TYPES = {"0": "FF", "1": "FS", "2": "SF", "3": "SS"}
LINK_CODES = {v: k for k, v in LINK_TYPES.items()}
_WORK_FORMATS = {3, 5, 7, 9, 11}
_ELAPSED_FORMATS = {4, 6, 8, 10, 12}
_PERCENT_FORMATS = {19, 20}
TEXT1_FIELD = "188743731"
ID_ALIAS = "Activity ID"


def read_mspdi(
    data: bytes, filename: str = "file.xml", *, missing_slack_is_zero: bool = False
) -> Plan:
    """Read an MS Project XML (MSPDI) file into a plan (rules: module docstring).

    ``missing_slack_is_zero``: read an absent ``TotalSlack`` as 0 (MPXJ's MSPDI
    writer, used for ``.mpp`` files, leaves out zero slack).

    Returns
    -------
    Plan
        On a ``"custom"`` grid from the project calendar; warnings in ``plan.warnings``.

    Raises
    ------
    UnreadableFileError
        On hostile or malformed XML, or XML that is not an MSPDI ``Project``.
    InvalidPlanError
        With every problem and its place (element, line, task ``ID``, ``UID`` and
        name, field): unknown link type or lag format, a predecessor that names no
        task, a self-link, a repeated ``UID``, a field that is no number, bad or
        too long durations and lags, dates out of range.
    """
    root, lines = parse_xml_lines(data, filename)
    if root.tag != "Project":
        raise UnreadableFileError(
            f"{filename}: the XML root is <{root.tag}>, not an MSPDI <Project>"
        )
    issues = IssueLog(filename)
    f = Fields(issues, lines)
    mpd = (
        f.number(
            root,
            "MinutesPerDay",
            480,
            "Project",
            low=1,
            high=1440,
            what="a number of minutes from 1 to 1440",
        )
        or 480.0
    )
    workweek, holidays, workdays, _ = project_calendar(root, _text(root, "CalendarUID", "1"), f)
    crit_days = f.number(root, "CriticalSlackLimit", 0, "Project", warn=True) or 0.0
    day_end = _clock(root, f)
    use_text1 = any(
        _text(ea, "FieldID") == TEXT1_FIELD and _text(ea, "Alias") == ID_ALIAS
        for ea in root.findall("ExtendedAttributes/ExtendedAttribute")
    )
    tasks = [t for t in root.findall("Tasks/Task") if _text(t, "IsNull") != "1"]
    start_dt = _plan_start(root, tasks, f)
    plan_start = start_dt.date()
    last = max(
        [
            d.date()
            for t in tasks
            for k in ("Finish", "LateFinish")
            if (d := f.stamp(t, k, _who(t), plan_start, warn=True))
        ],
        default=None,
    )
    grid = TimeGrid(
        plan_start,
        "custom",
        horizon_months_for(plan_start, last),
        workweek=workweek,
        holidays_extra=frozenset(holidays),
        workdays_extra=frozenset(workdays),
    )

    uid_to_id: dict[str, str] = {}
    uid_line: dict[str, int | None] = {}
    summaries: dict[str, list[str]] = {}  # summary UID -> leaf activity ids
    stack: list[tuple[float, str, str]] = []  # (outline level, uid, name)
    activities: list[Activity] = []
    seen: dict[str, str] = {}
    for t in tasks:
        uid = _text(t, "UID")
        if uid == "0":
            continue
        tid = _task_id(t, use_text1)
        who, line = _who(t, tid), f.line(t)
        if uid in uid_line:
            where = f"line {uid_line[uid]}" if uid_line[uid] else "an earlier task"
            issues.error("Task", line, "UID", f"{who}: UID {uid} repeats the task at {where}")
            continue
        uid_line[uid] = line
        level = f.number(t, "OutlineLevel", 1, who, low=0, high=1000, what="an outline level")
        level = 1 if level is None else level
        while stack and stack[-1][0] >= level:
            stack.pop()
        name = _text(t, "Name") or tid
        if _text(t, "Summary") == "1":
            stack.append((level, uid, name))
            summaries[uid] = []
            continue
        for _, suid, _ in stack:
            summaries[suid].append(tid)
        if tid in seen:
            issues.error("Task", line, "ID", f"{who}: ID repeats task UID {seen[tid]}")
            continue
        seen[tid] = uid
        uid_to_id[uid] = tid
        pct = f.number(
            t, "PercentComplete", 0, who, low=0, high=100, what="a percentage from 0 to 100"
        )
        pct = 0.0 if pct is None else pct
        field = "Duration"  # the original duration; a started task's rest is its progress
        text = _text(t, field, "PT0H0M0S") or "PT0H0M0S"
        mins = minutes(text)
        if mins is None or mins < 0:
            issues.error("Task", line, field, f"{who}: duration {shown(text)} is not PT#H#M#S")
            continue
        days = mins / mpd
        if not check_days(issues, "Task", line, field, f"{who}: duration {shown(text)}", days):
            continue
        if _text(t, "Milestone") == "1":
            dur = 0
        else:
            dur = issues.round_up(days, "Task", line, field, f"{who}: {days:.2f} days")
        act = Activity(
            id=tid,
            name=name,
            duration=dur,
            project=stack[-1][2] if stack else "",
            place=issues.place("Task", line, columns=(("duration", field),)),
        )
        cal_uid = _text(t, "CalendarUID", "-1")
        if cal_uid not in ("-1", "", _text(root, "CalendarUID", "1")):
            issues.warn(
                "Task",
                line,
                "CalendarUID",
                f"{who}: own calendar {cal_uid} ignored; project calendar used",
            )
        act.progress = _progress(t, pct, dur, grid, f, who, day_end, mpd)
        if pct < 100:
            _constraint(act, t, grid, f, who, day_end)
        extra: dict[str, Any] = {
            "uid": uid,
            "status": "complete" if pct >= 100 else ("active" if pct > 0 else "not started"),
            "manual": _text(t, "Manual") == "1",
            "critical_days": crit_days,
        }
        for key, tag in (
            ("start", "Start"),
            ("finish", "Finish"),
            ("tool_early_start", "EarlyStart"),
        ):
            if d := f.stamp(t, tag, who, plan_start, warn=True):
                extra[key] = d.date().isoformat()
        extra.update(_raw_fields(t, mpd))
        extra["tool_slots"] = _tool_slots(t, grid, f, who, day_end)
        slack: float | None = 0.0 if missing_slack_is_zero else None
        if _text(t, "TotalSlack"):
            slack = f.number(
                t,
                "TotalSlack",
                0,
                who,
                low=-MAX_PLAN_DAYS * mpd * 10,
                high=MAX_PLAN_DAYS * mpd * 10,
                what="a slack within 100 years",
                warn=True,
            )
        if slack is not None:
            extra["tool_tf_days"] = slack / (mpd * 10)
        if _text(t, "Critical"):
            extra["tool_critical"] = _text(t, "Critical") == "1"
        act.extra.update(extra)
        activities.append(act)

    dur_of = {a.id: a.duration for a in activities}
    dependencies: list[Dependency] = []
    raw_links: dict[str, list[tuple[str, str, float]]] = {}
    for t in tasks:
        uid = _text(t, "UID")
        if uid == "0" or uid_line.get(uid) != f.line(t):
            continue  # the project summary, or a repeated UID (an error above)
        succs = summaries.get(uid) or ([uid_to_id[uid]] if uid in uid_to_id else [])
        who = _who(t, _task_id(t, use_text1))
        for link in t.findall("PredecessorLink"):
            dependencies += _links(
                link, who, uid, succs, summaries, uid_to_id, dur_of, f, mpd, workweek, raw_links
            )
    for act in activities:
        if act.id in raw_links:
            act.extra["links"] = raw_links[act.id]

    resources, demands = _resources(root, uid_to_id, dur_of, f)
    name = _text(root, "Title") or _text(root, "Name") or filename
    data_slot = _data_date(root, tasks, grid, f, day_end, activities)
    issues.raise_if_errors()
    if data_slot is not None:
        for problem in progress_problems(Plan(name, grid, activities, data_date=data_slot)):
            act = next(a for a in activities if a.id == problem.activity)
            issues.issues.append(problem.issue(act.progress.place if act.progress else act.place))
    plan = issues.plan(name, grid, activities, dependencies, resources, demands)
    plan.data_date = data_slot if any(a.progress for a in activities) else None
    lift_unleveled_limits(plan)
    return mspdi_three_point(plan, root, uid_to_id, mpd, f)


def _task_id(t: Element, use_text1: bool) -> str:
    """Activity id of a task: its ``ID`` (``UID`` when empty), or its ``Text1`` id."""
    tid = _text(t, "ID") or _text(t, "UID")
    if use_text1:
        for ea in t.findall("ExtendedAttribute"):
            if _text(ea, "FieldID") == TEXT1_FIELD and _text(ea, "Value"):
                tid = _text(ea, "Value")
    return tid


def _who(t: Element, tid: str = "") -> str:
    """A task as messages name it: ``"Task 7 (UID 12, 'Pour slab')"``."""
    tid = tid or _text(t, "ID") or _text(t, "UID")
    name = _text(t, "Name")
    label = f"UID {_text(t, 'UID')}" + (f", {shown(name)}" if name else "")
    return f"Task {tid} ({label})"


def _plan_start(root: Element, tasks: list[Element], f: Fields) -> datetime:
    """The plan's start: ``StartDate``, or the earliest ``ActualStart`` when earlier.

    An unreadable ``StartDate`` is replaced by the earliest task ``Start`` (warning);
    a start outside 1900…2199 is an error, as is a file without any start.
    """
    issues = f.issues
    start_dt = parse_dt(_text(root, "StartDate"))
    if start_dt is None and _text(root, "StartDate"):
        issues.warn(
            "Project",
            f.line(root),
            "StartDate",
            f"Project: StartDate {shown(_text(root, 'StartDate'))} is not a date; "
            "the earliest task start is used",
        )
    field = "StartDate"
    actual = [d for t in tasks if (d := parse_dt(_text(t, "ActualStart")))]
    if start_dt is not None and actual and min(actual) < start_dt:
        start_dt, field = min(actual), "ActualStart"  # actual dates sit on the grid
    if start_dt is None:
        starts = [d for t in tasks if (d := parse_dt(_text(t, "Start")))]
        start_dt = min(starts) if starts else None
        field = "Start"
    if start_dt is None:
        issues.error("Project", None, "StartDate", "no project start date")
    elif not check_date(
        issues, "Project", f.line(root), field, f"Project: {field}", start_dt.date()
    ):
        start_dt = None
    if start_dt is None:
        issues.raise_if_errors()
        raise AssertionError  # unreachable: an error was recorded
    return start_dt


def _links(
    link: Element,
    who: str,
    uid: str,
    succs: list[str],
    summaries: dict[str, list[str]],
    uid_to_id: dict[str, str],
    dur_of: dict[str, int],
    f: Fields,
    mpd: float,
    workweek: frozenset[int],
    raw_links: dict[str, list[tuple[str, str, float]]],
) -> list[Dependency]:
    """The dependencies of one ``PredecessorLink`` of the task ``uid`` (module rules).

    Each one is also added to ``raw_links[successor]`` as ``(predecessor, type, lag in
    days before rounding)``.
    """
    issues, line = f.issues, f.line(link)
    puid = _text(link, "PredecessorUID")
    if puid == uid:
        issues.error("PredecessorLink", line, "PredecessorUID", f"{who}: links to itself")
        return []
    preds = summaries.get(puid) or ([uid_to_id[puid]] if puid in uid_to_id else [])
    if not preds:
        issues.error(
            "PredecessorLink",
            line,
            "PredecessorUID",
            f"{who}: {unknown_id_text('predecessor UID', puid[:40])}",
        )
        return []
    ltype = LINK_TYPES.get(_text(link, "Type", "1"))
    if ltype is None:
        issues.error(
            "PredecessorLink",
            line,
            "Type",
            f"{who}: unknown link type {shown(_text(link, 'Type'))} (0 FF, 1 FS, 2 SF, 3 SS)",
        )
        return []
    fmt_text = _text(link, "LagFormat", "7") or "7"
    lag_raw = f.number(link, "LinkLag", 0, who, what="a lag in tenths of minutes")
    fmt = int(fmt_text) if fmt_text.isdigit() and len(fmt_text) < 4 else -1
    base = fmt - 32 if fmt >= 35 else fmt
    if base in _WORK_FORMATS:
        per_day = 10 * mpd
    elif base in _ELAPSED_FORMATS:
        per_day = 10 * 1440 * 7 / len(workweek)
    elif base in _PERCENT_FORMATS:
        per_day = 0.0  # percent of the predecessor's duration, below
    else:
        issues.error(
            "PredecessorLink", line, "LagFormat", f"{who}: unknown lag format {shown(fmt_text)}"
        )
        return []
    if lag_raw is None:
        return []
    if summaries.get(uid) or summaries.get(puid):
        issues.warn(
            "PredecessorLink",
            line,
            "PredecessorUID",
            f"{who}: link with a summary task replaced by links to its "
            f"{len(preds) * len(succs)} leaf pairs",
        )
    out: list[Dependency] = []
    for p in preds:
        days = lag_raw / per_day if per_day else lag_raw / 1000 * dur_of.get(p, 0)
        lag_text = f"{who}: LinkLag {shown(_text(link, 'LinkLag'))}"
        if not check_days(issues, "PredecessorLink", line, "LinkLag", lag_text, days):
            return []
        lag = issues.round_up(
            days, "PredecessorLink", line, "LinkLag", f"{who}: lag {days:.2f} days"
        )
        for s in succs:
            if p != s:
                raw_links.setdefault(s, []).append((p, ltype, days))
                at = issues.place("PredecessorLink", line, columns=_LINK_COLUMNS)
                out.append(Dependency(p, s, ltype, lag, place=at))  # type: ignore[arg-type]
            else:
                issues.warn(
                    "PredecessorLink",
                    line,
                    "PredecessorUID",
                    f"{who}: the link from summary task UID {puid} to its own task {s} is dropped",
                )
    return out


#: Model field → element of a ``PredecessorLink``, for the plan's checks.
_LINK_COLUMNS = (
    ("predecessor", "PredecessorUID"),
    ("successor", "UID"),
    ("type", "Type"),
    ("lag", "LinkLag"),
)


def _raw_fields(t: Element, mpd: float) -> dict[str, object]:
    """Task values the plan maps away, as the file has them (for the health check).

    ``constraint``: ``ConstraintType`` as written (``"0"`` … ``"7"``; absent when
    empty) and ``constraint_date`` the date of ``ConstraintDate``; ``original_days``:
    ``Duration`` in days (minutes / ``MinutesPerDay``, unrounded); ``actual_start`` /
    ``actual_finish``: ``ActualStart`` / ``ActualFinish`` (ISO date and time);
    ``tool_early_finish``: the date of ``EarlyFinish``. Unreadable values are left out
    (the reader's own checks report the fields it uses).
    """
    out: dict[str, object] = {}
    if ctype := _text(t, "ConstraintType"):
        out["constraint"] = ctype
        if when := parse_dt(_text(t, "ConstraintDate")):
            out["constraint_date"] = when.date().isoformat()
    mins = minutes(_text(t, "Duration"))
    if mins is not None and mins >= 0:
        out["original_days"] = mins / mpd
    for key, tag in (("actual_start", "ActualStart"), ("actual_finish", "ActualFinish")):
        if d := parse_dt(_text(t, tag)):
            out[key] = d.isoformat(timespec="minutes")
    if d := parse_dt(_text(t, "EarlyFinish")):
        out["tool_early_finish"] = d.date().isoformat()
    return out


def _clock(root: Element, f: Fields) -> time:
    """``DefaultFinishTime`` (``HH:MM:SS``): 17:00 when absent, or not a time (warning)."""
    value = _text(root, "DefaultFinishTime", "17:00:00")
    try:
        return time.fromisoformat(value)
    except ValueError:
        f.issues.warn(
            "Project",
            f.line(root),
            "DefaultFinishTime",
            f"Project: DefaultFinishTime {shown(value)} is not a time; 17:00 is used",
        )
        return time(17, 0)


def _constraint(
    act: Activity, t: Element, grid: TimeGrid, f: Fields, who: str, day_end: time
) -> None:
    """Map a task's ``ConstraintType``/``ConstraintDate`` and ``Deadline`` onto ``act``.

    A start constraint at or after the end of the working day (``DefaultFinishTime``,
    17:00) means the next grid slot: that is how
    :func:`scheduler.exporters.mspdi.write_mspdi` writes a
    finish milestone (17:00 on the day before its slot). A date more than 100 years
    after the plan start is an error.
    """
    issues, line, start = f.issues, f.line(t), grid.plan_start
    deadline = f.stamp(t, "Deadline", who, start, warn=False)
    if deadline is not None:
        _tighten_deadline(act, grid.slot_after(deadline.date()))
    ctype = _text(t, "ConstraintType", "0") or "0"
    if ctype == "0":
        return
    when = f.stamp(t, "ConstraintDate", who, start, warn=False)
    if ctype == "1" or when is None:
        issues.warn("Task", line, "ConstraintType", f"{who}: constraint type {ctype} ignored")
        return
    day = when.date()
    start_slot = grid.slot_after(day) if when.time() >= day_end else grid.slot_on_or_after(day)
    if ctype == "4":
        act.release = start_slot
    elif ctype == "5":
        _tighten_deadline(act, max(start_slot, grid.slot_after(day) - 1) + act.duration)
    elif ctype == "6":
        act.release = max(0, grid.slot_after(day) - act.duration)
    elif ctype == "7":
        _tighten_deadline(act, grid.slot_after(day))
    elif ctype == "2":
        act.fixed_start = start_slot
    elif ctype == "3":
        act.fixed_start = max(0, grid.slot_after(day) - act.duration)
    else:
        issues.warn(
            "Task", line, "ConstraintType", f"{who}: unknown constraint type {shown(ctype)} ignored"
        )


def _tool_slots(t: Element, grid: TimeGrid, f: Fields, who: str, day_end: time) -> list[int | None]:
    """MS Project's EarlyStart, EarlyFinish, LateStart, LateFinish as grid slots.

    A start at or after ``day_end`` is the next slot, else its day's; a finish at or
    before 08:00 ends at the start of its day's slot, else at its end (exclusive).
    None where the task has no such date. For comparing our dates with the tool's.
    """
    out: list[int | None] = []
    for tag, end in (
        ("EarlyStart", False),
        ("EarlyFinish", True),
        ("LateStart", False),
        ("LateFinish", True),
    ):
        d = f.stamp(t, tag, who, grid.plan_start, warn=True)
        if d is None:
            out.append(None)
        elif end:
            early = d.time() <= time(8, 0)
            out.append(grid.slot_on_or_after(d.date()) if early else grid.slot_after(d.date()))
        else:
            late = d.time() >= day_end
            out.append(grid.slot_after(d.date()) if late else grid.slot_on_or_after(d.date()))
    return out


def _slot(grid: TimeGrid, d: datetime, day_end: time, *, end: bool = False) -> int:
    """Grid slot of an MSPDI date-time: a start at or after ``day_end`` is the next
    slot, else its day's; an (exclusive) end at or before 08:00 ends at the start of
    its day's slot, else at its end."""
    if end:
        return (
            grid.slot_on_or_after(d.date()) if d.time() <= time(8, 0) else grid.slot_after(d.date())
        )
    return grid.slot_after(d.date()) if d.time() >= day_end else grid.slot_on_or_after(d.date())


#: Progress fields → the Task fields they are read from (for placed messages).
_PROGRESS_FIELDS = (
    ("actual_start", "ActualStart"),
    ("actual_finish", "ActualFinish"),
    ("remaining", "RemainingDuration"),
    ("percent_complete", "PercentComplete"),
)


def _progress(
    t: Element,
    pct: float,
    dur: int,
    grid: TimeGrid,
    f: Fields,
    who: str,
    day_end: time,
    mpd: float,
) -> Progress | None:
    """A task's :class:`~scheduler.model.Progress` (``ActualStart``, ``ActualFinish``,
    ``RemainingDuration``, ``PercentComplete``), or None when it has not started.

    Started: an ``ActualStart`` or a percent above 0 (then ``Start`` is its actual
    start); complete: 100 % or an ``ActualFinish`` (else ``Finish``). Errors at the
    task: an actual finish before its start, a remaining duration that is not
    ``PT#H#M#S``, a complete task with remaining work.
    """
    issues, line = f.issues, f.line(t)
    a_start = f.stamp(t, "ActualStart", who, grid.plan_start, warn=False)
    a_finish = f.stamp(t, "ActualFinish", who, grid.plan_start, warn=False)
    if a_start is None and pct > 0:
        a_start = f.stamp(t, "Start", who, grid.plan_start, warn=True)
    if a_start is None:
        return None
    complete = pct >= 100 or a_finish is not None
    if complete and a_finish is None:
        a_finish = f.stamp(t, "Finish", who, grid.plan_start, warn=True) or a_start
    place = f.issues.place("Task", line, columns=_PROGRESS_FIELDS)
    if a_finish is not None and a_finish < a_start:
        issues.error(
            "Task",
            line,
            "ActualFinish",
            f"{who}: actual finish {a_finish:%Y-%m-%d %H:%M} is before its actual start "
            f"{a_start:%Y-%m-%d %H:%M}",
        )
        return None
    remaining: int | None = None
    rest = _text(t, "RemainingDuration")
    if rest:
        mins = minutes(rest)
        if mins is None or mins < 0:
            issues.error(
                "Task", line, "RemainingDuration", f"{who}: remaining {shown(rest)} is not PT#H#M#S"
            )
            return None
        if complete and mins > 0:
            issues.error(
                "Task",
                line,
                "RemainingDuration",
                f"{who}: complete, but remaining duration {shown(rest)} is not 0",
            )
            return None
        if not complete and dur > 0:
            remaining = issues.round_up(
                mins / mpd, "Task", line, "RemainingDuration", f"{who}: {mins / mpd:.2f} days left"
            )
    s0 = _slot(grid, a_start, day_end)
    s1 = (
        None
        if a_finish is None or not complete
        else max(s0, _slot(grid, a_finish, day_end, end=True))
    )
    return Progress(s0, s1, remaining, 100.0 if complete else pct, place=place)


def _data_date(
    root: Element,
    tasks: list[Element],
    grid: TimeGrid,
    f: Fields,
    day_end: time,
    activities: list[Activity],
) -> int | None:
    """Slot of the project's ``StatusDate``; without one, when tasks have progress, the
    end of the latest actual date (warning). None without progress or status date."""
    status = f.stamp(root, "StatusDate", "Project", grid.plan_start, warn=False)
    if status is not None:
        return _slot(grid, status, day_end)
    started = [a.progress for a in activities if a.progress is not None]
    if not started:
        return None
    latest = max(p.actual_finish if p.actual_finish is not None else p.actual_start + 1
                 for p in started if p.actual_start is not None)  # fmt: skip
    f.issues.warn(
        "Project",
        f.line(root),
        "StatusDate",
        f"Project: tasks have progress but no StatusDate; the data date is taken as "
        f"{grid.date_of(latest).isoformat()}, after the latest actual date",
    )
    return latest


def _tighten_deadline(act: Activity, end: int) -> None:
    act.deadline = end if act.deadline is None else min(act.deadline, end)


def _resources(
    root: Element, uid_to_id: dict[str, str], dur_of: dict[str, int], f: Fields
) -> tuple[list[Resource], list[Demand]]:
    issues = f.issues
    resources: dict[str, Resource] = {}
    by_uid: dict[str, str] = {}
    for r in root.findall("Resources/Resource"):
        uid, name = _text(r, "UID"), _text(r, "Name")
        if not name or _text(r, "Type", "1") != "1":
            continue  # the unnamed UID 0 resource, material and cost resources
        who = f"Resource {shown(name)} (UID {uid})"
        units = f.number(
            r,
            "MaxUnits",
            1,
            who,
            low=0,
            high=MAX_UNITS,
            what=f"a number of units up to {MAX_UNITS:,}",
        )
        if units is None:
            continue
        cap = issues.round_up(
            units, "Resource", f.line(r), "MaxUnits", f"{who}: max units {units:g}", at_least=1
        )
        resources[name] = Resource(name, cap, name=name, place=issues.place("Resource", f.line(r)))
        by_uid[uid] = name
    demands: list[Demand] = []
    for a in root.findall("Assignments/Assignment"):
        tid, rid = uid_to_id.get(_text(a, "TaskUID")), by_uid.get(_text(a, "ResourceUID"))
        if tid is None or rid is None or tid not in dur_of:
            continue  # unassigned (-65535), summary task, non-work resource, bad task
        line = f.line(a)
        if dur_of[tid] == 0:
            issues.warn(
                "Assignment",
                line,
                "TaskUID",
                f"Task {tid}: assignment of {rid} to a milestone dropped",
            )
            continue
        who = f"Task {tid}/{rid}"
        units = f.number(
            a, "Units", 1, who, low=0, high=MAX_UNITS, what=f"a number of units up to {MAX_UNITS:,}"
        )
        if units is None:
            continue
        amount = issues.round_up(
            units, "Assignment", line, "Units", f"{who}: {units:g} units", at_least=1
        )
        res = resources[rid]
        if amount > res.capacity:
            issues.warn(
                "Assignment",
                line,
                "Units",
                f"Resource {rid}: capacity {res.capacity} raised to {amount} for task {tid}",
            )
            res.capacity = amount
        demands.append(
            Demand(
                tid,
                rid,
                amount,
                place=issues.place("Assignment", line, columns=(("amount", "Units"),)),
            )
        )
    return list(resources.values()), demands
