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
  7 finish no later than → ``due``; 2 must start on → ``fixed_start``; 3 must
  finish on → ``fixed_start`` = finish − duration. Ignored with a warning: 1 as late
  as possible, 5 start no later than, 6 finish no earlier than. A start
  constraint dated at or after ``DefaultFinishTime`` (17:00) means the next slot.
  A task ``Deadline`` → ``due``.
* **Progress**: tasks at 100 % are milestones (duration 0, constraints ignored);
  partly done tasks keep their ``RemainingDuration``; ``plan_start`` is the status
  date when the file has progress and a ``StatusDate``, else the project start.
* **Resources**: work resources (``Type`` 1) → :class:`Resource` (id = name,
  capacity = ``MaxUnits`` rounded up, at least 1); ``Assignments`` →
  :class:`Demand` with ``Units`` rounded up (warnings). A capacity below a demand
  is raised to it (warning); assignments of milestones are dropped.
* The tool's computed values are kept in ``Activity.extra``: ``tool_tf_days``
  (``TotalSlack`` / (MinutesPerDay × 10)), ``tool_critical`` (``Critical``),
  ``tool_early_start``, ``start`` / ``finish`` (dates of ``Start`` / ``Finish``),
  ``critical_days`` (``CriticalSlackLimit``), ``manual``.

Writing is :func:`scheduler.exporters.mspdi.write_mspdi`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree.ElementTree import Element

from scheduler.errors import UnreadableFileError
from scheduler.importers._common import IssueLog, horizon_months_for
from scheduler.model import Activity, Demand, Dependency, Plan, Resource
from scheduler.timegrid import TimeGrid

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
_DUR_RE = re.compile(r"^-?PT(\d+(?:\.\d+)?)H(\d+(?:\.\d+)?)M(\d+(?:\.\d+)?)S$")


def _strip_ns(root: Element) -> Element:
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]
    return root


def _text(el: Element | None, tag: str, default: str = "") -> str:
    if el is None:
        return default
    value = el.findtext(tag)
    return value.strip() if value is not None else default


def _minutes(duration: str) -> float | None:
    m = _DUR_RE.match(duration.strip())
    if not m:
        return None
    h, mi, s = (float(x) for x in m.groups())
    return (h * 60 + mi + s / 60) * (-1 if duration.strip().startswith("-") else 1)


def _dt(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def parse_xml(data: bytes, filename: str) -> Element:
    """Parse XML safely (defusedxml: no DTD, no entities) and drop namespaces.

    Raises
    ------
    UnreadableFileError
        On a DOCTYPE, an entity, or XML that does not parse.
    """
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException as exc:
        raise UnreadableFileError(
            f"{filename}: refused: the XML declares a DOCTYPE or entities ({type(exc).__name__})"
        ) from exc
    except Exception as exc:  # xml.etree.ElementTree.ParseError and friends
        raise UnreadableFileError(f"{filename}: not well-formed XML ({exc})") from exc
    return _strip_ns(root)


def _calendar(root: Element, uid: str) -> tuple[frozenset[int], set[date], set[date], str]:
    """Work week (weekday() numbers), holidays, extra working days and name of a calendar."""
    cals = {_text(c, "UID"): c for c in root.findall("Calendars/Calendar")}
    week: dict[int, bool] = {}
    holidays: set[date] = set()
    workdays: set[date] = set()
    name = ""
    seen: set[str] = set()
    while uid in cals and uid not in seen:
        seen.add(uid)
        cal = cals[uid]
        name = name or _text(cal, "Name")
        for wd in cal.findall("WeekDays/WeekDay"):
            dtype = int(_text(wd, "DayType", "-1") or -1)
            working = _text(wd, "DayWorking") == "1"
            if 1 <= dtype <= 7:
                week.setdefault((dtype + 5) % 7, working)
            elif dtype == 0:  # older exception form
                _exception(wd.find("TimePeriod"), working, holidays, workdays)
        for exc in cal.findall("Exceptions/Exception"):
            _exception(exc.find("TimePeriod"), _text(exc, "DayWorking") == "1", holidays, workdays)
        uid = _text(cal, "BaseCalendarUID")
    if not week:
        week = {d: d < 5 for d in range(7)}
    for d in range(7):
        week.setdefault(d, d < 5)
    return frozenset(d for d, w in week.items() if w), holidays, workdays, name


def _exception(tp: Element | None, working: bool, holidays: set[date], workdays: set[date]) -> None:
    if tp is None:
        return
    a, b = _dt(_text(tp, "FromDate")), _dt(_text(tp, "ToDate"))
    if a is None or b is None:
        return
    day = a.date()
    while day <= b.date() and len(holidays) + len(workdays) < 100_000:
        (workdays if working else holidays).add(day)
        day += timedelta(days=1)


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
        With every problem and its place (``Task`` ID, field): unknown link type or
        lag format, a predecessor that names no task, bad durations.
    """
    root = parse_xml(data, filename)
    if root.tag != "Project":
        raise UnreadableFileError(
            f"{filename}: the XML root is <{root.tag}>, not an MSPDI <Project>"
        )
    issues = IssueLog(filename)
    mpd = float(_text(root, "MinutesPerDay", "480") or 480) or 480.0
    workweek, holidays, workdays, _ = _calendar(root, _text(root, "CalendarUID", "1"))
    crit_days = float(_text(root, "CriticalSlackLimit", "0") or 0)
    day_end = _clock(_text(root, "DefaultFinishTime", "17:00:00"))
    use_text1 = any(
        _text(ea, "FieldID") == TEXT1_FIELD and _text(ea, "Alias") == ID_ALIAS
        for ea in root.findall("ExtendedAttributes/ExtendedAttribute")
    )

    tasks = [t for t in root.findall("Tasks/Task") if _text(t, "IsNull") != "1"]
    start_dt = _dt(_text(root, "StartDate"))
    status_dt = _dt(_text(root, "StatusDate"))
    progress = any(float(_text(t, "PercentComplete", "0") or 0) > 0 for t in tasks)
    if progress and status_dt is not None:
        start_dt = status_dt
    if start_dt is None:
        starts = [d for t in tasks if (d := _dt(_text(t, "Start")))]
        start_dt = min(starts) if starts else None
    if start_dt is None:
        issues.error("Project", None, "StartDate", "no project start date")
        issues.raise_if_errors()
        raise AssertionError
    last = max(
        [d.date() for t in tasks for k in ("Finish", "LateFinish") if (d := _dt(_text(t, k)))],
        default=None,
    )
    grid = TimeGrid(
        start_dt.date(),
        "custom",
        horizon_months_for(start_dt.date(), last),
        workweek=workweek,
        holidays_extra=frozenset(holidays),
        workdays_extra=frozenset(workdays),
    )

    uid_to_id: dict[str, str] = {}
    summaries: dict[str, list[str]] = {}  # summary UID -> leaf activity ids
    stack: list[tuple[int, str, str]] = []  # (outline level, uid, name)
    activities: list[Activity] = []
    seen: dict[str, str] = {}
    for t in tasks:
        uid = _text(t, "UID")
        if uid == "0":
            continue
        tid = _text(t, "ID") or uid
        if use_text1:
            for ea in t.findall("ExtendedAttribute"):
                if _text(ea, "FieldID") == TEXT1_FIELD and _text(ea, "Value"):
                    tid = _text(ea, "Value")
        place = f"Task {tid}"
        level = int(_text(t, "OutlineLevel", "1") or 1)
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
            issues.error("Task", None, "ID", f"{place}: ID repeats task UID {seen[tid]}")
            continue
        seen[tid] = uid
        uid_to_id[uid] = tid
        pct = float(_text(t, "PercentComplete", "0") or 0)
        field = "RemainingDuration" if 0 < pct < 100 else "Duration"
        minutes = _minutes(_text(t, field, "PT0H0M0S") or "PT0H0M0S")
        if minutes is None or minutes < 0:
            issues.error(
                "Task", None, field, f"{place}: duration {_text(t, field)!r} is not PT#H#M#S"
            )
            continue
        days = minutes / mpd
        if pct >= 100 or _text(t, "Milestone") == "1":
            dur = 0
        else:
            dur = issues.round_up(days, "Task", None, field, f"{place}: {days:.2f} days")
        act = Activity(id=tid, name=name, duration=dur, project=stack[-1][2] if stack else "")
        cal_uid = _text(t, "CalendarUID", "-1")
        if cal_uid not in ("-1", "", _text(root, "CalendarUID", "1")):
            issues.warn(
                "Task",
                None,
                "CalendarUID",
                f"{place}: own calendar {cal_uid} ignored; project calendar used",
            )
        if pct < 100:
            _constraint(act, t, grid, issues, place, day_end)
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
            if d := _dt(_text(t, tag)):
                extra[key] = d.date().isoformat()
        slack = _text(t, "TotalSlack")
        if not slack and missing_slack_is_zero:
            slack = "0"
        if slack:
            extra["tool_tf_days"] = float(slack) / (mpd * 10)
        if _text(t, "Critical"):
            extra["tool_critical"] = _text(t, "Critical") == "1"
        act.extra.update(extra)
        activities.append(act)

    dur_of = {a.id: a.duration for a in activities}
    dependencies: list[Dependency] = []
    for t in tasks:
        uid = _text(t, "UID")
        if uid == "0":
            continue
        succs = summaries.get(uid) or ([uid_to_id[uid]] if uid in uid_to_id else [])
        place = f"Task {_text(t, 'ID') or uid}"
        for link in t.findall("PredecessorLink"):
            puid = _text(link, "PredecessorUID")
            preds = summaries.get(puid) or ([uid_to_id[puid]] if puid in uid_to_id else [])
            if not preds:
                issues.error(
                    "Task", None, "PredecessorUID", f"{place}: predecessor UID {puid} is not a task"
                )
                continue
            ltype = LINK_TYPES.get(_text(link, "Type", "1"))
            if ltype is None:
                issues.error(
                    "Task",
                    None,
                    "Type",
                    f"{place}: unknown link type {_text(link, 'Type')!r} (0 FF, 1 FS, 2 SF, 3 SS)",
                )
                continue
            fmt_text = _text(link, "LagFormat", "7") or "7"
            lag_raw = float(_text(link, "LinkLag", "0") or 0)
            fmt = int(fmt_text) if fmt_text.isdigit() else -1
            base = fmt - 32 if fmt >= 35 else fmt
            if base in _WORK_FORMATS:
                lag_days = lag_raw / 10 / mpd
            elif base in _ELAPSED_FORMATS:
                lag_days = lag_raw / 10 / 1440 * len(workweek) / 7
            elif base in _PERCENT_FORMATS:
                lag_days = -1.0  # resolved per predecessor below
            else:
                issues.error("Task", None, "LagFormat", f"{place}: unknown lag format {fmt_text!r}")
                continue
            if summaries.get(uid) or summaries.get(puid):
                issues.warn(
                    "Task",
                    None,
                    "PredecessorUID",
                    f"{place}: link with a summary task replaced by links to its "
                    f"{len(preds) * len(succs)} leaf pairs",
                )
            for p in preds:
                days = lag_days if base not in _PERCENT_FORMATS else lag_raw / 1000 * dur_of[p]
                lag = issues.round_up(
                    days, "Task", None, "LinkLag", f"{place}: lag {days:.2f} days"
                )
                for s in succs:
                    if p != s:
                        dependencies.append(Dependency(p, s, ltype, lag))  # type: ignore[arg-type]

    resources, demands = _resources(root, uid_to_id, dur_of, issues)
    name = _text(root, "Title") or _text(root, "Name") or filename
    return issues.plan(name, grid, activities, dependencies, resources, demands)


def _clock(value: str) -> time:
    """``HH:MM:SS`` as a time of day (17:00 when it does not parse)."""
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        return time(17, 0)


def _constraint(
    act: Activity, t: Element, grid: TimeGrid, issues: IssueLog, place: str, day_end: time
) -> None:
    """Map a task's ``ConstraintType``/``ConstraintDate`` and ``Deadline`` onto ``act``.

    A start constraint at or after the end of the working day (``DefaultFinishTime``,
    17:00) means the next grid slot: that is how
    :func:`scheduler.exporters.mspdi.write_mspdi` writes a
    finish milestone (17:00 on the day before its slot).
    """
    deadline = _dt(_text(t, "Deadline"))
    if deadline is not None:
        act.due = grid.slot_after(deadline.date())
    ctype = _text(t, "ConstraintType", "0") or "0"
    if ctype == "0":
        return
    when = _dt(_text(t, "ConstraintDate"))
    if ctype in ("1", "5", "6") or when is None:
        issues.warn("Task", None, "ConstraintType", f"{place}: constraint type {ctype} ignored")
        return
    day = when.date()
    start_slot = grid.slot_after(day) if when.time() >= day_end else grid.slot_on_or_after(day)
    if ctype == "4":
        act.release = start_slot
    elif ctype == "7":
        act.due = min(
            grid.slot_after(day), act.due if act.due is not None else grid.slot_after(day)
        )
    elif ctype == "2":
        act.fixed_start = start_slot
    elif ctype == "3":
        act.fixed_start = max(0, grid.slot_after(day) - act.duration)
    else:
        issues.warn(
            "Task", None, "ConstraintType", f"{place}: unknown constraint type {ctype} ignored"
        )


def _resources(
    root: Element, uid_to_id: dict[str, str], dur_of: dict[str, int], issues: IssueLog
) -> tuple[list[Resource], list[Demand]]:
    resources: dict[str, Resource] = {}
    by_uid: dict[str, str] = {}
    for r in root.findall("Resources/Resource"):
        uid, name = _text(r, "UID"), _text(r, "Name")
        if not name or _text(r, "Type", "1") != "1":
            continue  # the unnamed UID 0 resource, material and cost resources
        units = float(_text(r, "MaxUnits", "1") or 1)
        cap = issues.round_up(
            units, "Resource", None, "MaxUnits", f"Resource {name}: max units {units:g}", at_least=1
        )
        resources[name] = Resource(name, cap, name=name)
        by_uid[uid] = name
    demands: list[Demand] = []
    for a in root.findall("Assignments/Assignment"):
        tid, rid = uid_to_id.get(_text(a, "TaskUID")), by_uid.get(_text(a, "ResourceUID"))
        if tid is None or rid is None:
            continue  # unassigned (-65535), summary task or non-work resource
        if dur_of[tid] == 0:
            issues.warn(
                "Assignment",
                None,
                "TaskUID",
                f"Task {tid}: assignment of {rid} to a milestone dropped",
            )
            continue
        units = float(_text(a, "Units", "1") or 1)
        amount = issues.round_up(
            units, "Assignment", None, "Units", f"Task {tid}/{rid}: {units:g} units", at_least=1
        )
        res = resources[rid]
        if amount > res.capacity:
            issues.warn(
                "Assignment",
                None,
                "Units",
                f"Resource {rid}: capacity {res.capacity} raised to {amount} for task {tid}",
            )
            res.capacity = amount
        demands.append(Demand(tid, rid, amount))
    return list(resources.values()), demands
