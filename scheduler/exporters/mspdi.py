"""MS Project XML (MSPDI) out: :func:`write_mspdi` writes a solved schedule.

The file it writes is read back by :func:`scheduler.importers.mspdi.read_mspdi`
(same link codes, ``Text1`` alias for non-numeric ids, finish milestones at 17:00).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from xml.etree.ElementTree import Element

from scheduler.importers.mspdi import ID_ALIAS, LINK_CODES, NS, TEXT1_FIELD
from scheduler.model import Activity, Dependency
from scheduler.progress import ProgressMap
from scheduler.solution import Schedule
from scheduler.timegrid import TimeGrid

__all__ = ["write_mspdi"]

log = logging.getLogger(__name__)


def _sub(parent: Element, tag: str, text: object | None = None) -> Element:
    from xml.etree.ElementTree import SubElement

    el = SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def _calendar_exceptions(
    grid: TimeGrid, first: date, last: date
) -> tuple[set[int], list[tuple[date, bool]]]:
    """Work week and day exceptions that reproduce ``grid`` between two dates."""
    if grid.kind == "calendar":
        return set(range(7)), []
    week = set(grid.workweek) if grid.kind == "custom" else {0, 1, 2, 3, 4}
    work = set(grid.slot_days(0, grid.slot_after(last)))
    out: list[tuple[date, bool]] = []
    day = first
    while day <= last:
        in_week = day.weekday() in week
        if in_week and day not in work:
            out.append((day, False))
        elif not in_week and day in work:
            out.append((day, True))
        day += timedelta(days=1)
    return week, out


def write_mspdi(schedule: Schedule, path: str | Path) -> Path:
    """Write a solved schedule as MS Project XML (MSPDI) that MS Project and P6 import.

    Each activity is a task with its solved ``Start``/``Finish`` (08:00 and 17:00 on
    the grid's working days), ``Duration`` (8 h per grid slot), ``Critical`` (logic
    CPM longest path) and ``TotalSlack``; projects become summary tasks; links carry
    ``Type`` (FF=0, FS=1, SF=2, SS=3), ``LinkLag`` in tenths of minutes and
    ``LagFormat`` 7 (days); resources carry ``MaxUnits`` = capacity, assignments
    ``Units`` = amount. The project calendar reproduces the plan's grid (work week
    plus day exceptions). Solved dates are kept as constraints: ``ConstraintType``
    2 (must start on) for a ``fixed_start``, else 4 (start no earlier than), with
    ``ConstraintDate`` = the solved start; a ``due`` is the task's ``Deadline``.
    A milestone at slot s is a finish milestone at 17:00 on the date of slot s−1
    (:meth:`TimeGrid.finish_date`). Non-numeric activity ids go to ``Text1`` (alias
    ``Activity ID``) and are read back by :func:`read_mspdi`. A progressed plan has its
    data date as the project's ``StatusDate`` (08:00), and each started task its
    ``PercentComplete`` (100 when complete, else the share of the duration no longer
    remaining), ``ActualStart``, ``ActualFinish`` (when complete) and
    ``RemainingDuration``; its ``Start`` is the actual start.

    Parameters
    ----------
    schedule
        A schedule with a plan (``schedule.has_plan``).
    path
        Output ``.xml`` file.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        If the schedule has no solved plan.
    """
    from xml.etree.ElementTree import ElementTree, indent

    plan = schedule.plan
    if plan is None or not schedule.has_plan:
        raise ValueError("write_mspdi needs a solved schedule (status optimal or feasible)")
    grid = plan.grid
    ends = schedule.ends()
    starts = schedule.start_slots()  # actual starts of started work
    cpm = schedule.cpm.times if schedule.cpm else {}
    numeric = all(a.id.isdigit() and a.id != "0" for a in plan.activities)
    finish_slot = max(ends.values(), default=0)
    last_day = grid.finish_date(0, max(finish_slot, 1))

    root = Element("Project", {"xmlns": NS})
    _sub(root, "SaveVersion", 14)
    _sub(root, "Name", f"{plan.name}.xml")
    _sub(root, "Title", plan.name)
    _sub(root, "ScheduleFromStart", 1)
    _sub(root, "StartDate", f"{grid.plan_start.isoformat()}T08:00:00")
    _sub(root, "FinishDate", f"{last_day.isoformat()}T17:00:00")
    _sub(root, "CriticalSlackLimit", 0)
    _sub(root, "CalendarUID", 1)
    _sub(root, "DefaultStartTime", "08:00:00")
    _sub(root, "DefaultFinishTime", "17:00:00")
    _sub(root, "MinutesPerDay", 480)
    _sub(root, "MinutesPerWeek", 480 * 5)
    _sub(root, "DaysPerMonth", 20)
    _sub(root, "DurationFormat", 7)
    done = schedule.progress if schedule.progress is not None and schedule.progress.active else None
    if done is not None and done.data_date is not None:  # the data date, as P6 / MPXJ map it
        _sub(root, "StatusDate", f"{grid.date_of(done.data_date).isoformat()}T08:00:00")
    if not numeric:
        eas = _sub(root, "ExtendedAttributes")
        ea = _sub(eas, "ExtendedAttribute")
        _sub(ea, "FieldID", TEXT1_FIELD)
        _sub(ea, "FieldName", "Text1")
        _sub(ea, "Alias", ID_ALIAS)

    cals = _sub(_sub(root, "Calendars"), "Calendar")
    _sub(cals, "UID", 1)
    _sub(cals, "Name", "infraplan")
    _sub(cals, "IsBaseCalendar", 1)
    _sub(cals, "BaseCalendarUID", -1)
    week, exceptions = _calendar_exceptions(grid, grid.plan_start, last_day + timedelta(days=370))
    wds = _sub(cals, "WeekDays")
    for dtype in range(1, 8):
        wd = _sub(wds, "WeekDay")
        _sub(wd, "DayType", dtype)
        working = (dtype + 5) % 7 in week
        _sub(wd, "DayWorking", int(working))
        if working:
            _work_times(wd)
    if exceptions:
        excs = _sub(cals, "Exceptions")
        for day, working in exceptions:
            ex = _sub(excs, "Exception")
            _sub(ex, "EnteredByOccurrences", 0)
            tp = _sub(ex, "TimePeriod")
            _sub(tp, "FromDate", f"{day.isoformat()}T00:00:00")
            _sub(tp, "ToDate", f"{day.isoformat()}T23:59:00")
            _sub(ex, "Occurrences", 1)
            _sub(ex, "Name", "working day" if working else "non-working day")
            _sub(ex, "Type", 1)
            _sub(ex, "DayWorking", int(working))
            if working:
                _work_times(ex)

    tasks_el = _sub(root, "Tasks")
    uid_of: dict[str, int] = {}
    next_uid = 1
    order = _grouped(plan.activities)
    next_id = max((int(a.id) for a in plan.activities), default=0) + 1 if numeric else 1
    deps_of: dict[str, list[Dependency]] = {}
    for d in plan.dependencies:
        deps_of.setdefault(d.successor, []).append(d)
    # UIDs first so links can refer to any task
    rows: list[tuple[str, Activity | None, int]] = []
    for project, acts in order:
        if project:
            rows.append((project, None, next_uid))
            next_uid += 1
        for member in acts:
            uid_of[member.id] = next_uid
            rows.append((project, member, next_uid))
            next_uid += 1
    for project, row_act, uid in rows:
        a = row_act
        t = _sub(tasks_el, "Task")
        _sub(t, "UID", uid)
        if a is None:  # type: ignore[comparison-overlap]
            _sub(t, "ID", next_id if numeric else uid)
            next_id += 1
            members = [x for p, x, _ in rows if p == project and x is not None]
            s = min(starts[x.id] for x in members)
            e = max(ends[x.id] for x in members)
            _task_common(t, project, 1, s, e, grid, summary=True)
            continue
        _sub(t, "ID", a.id if numeric else uid)
        s, e = starts[a.id], ends[a.id]
        _task_common(t, a.name, 2 if project else 1, s, e, grid, summary=False)
        times = cpm.get(a.id)
        _sub(t, "Critical", int(bool(times and times.critical)))
        if times is not None:
            _sub(t, "EarlyStart", _start_text(grid, times.es, times.ef))
            _sub(t, "EarlyFinish", _finish_text(grid, times.es, times.ef))
            _sub(t, "LateStart", _start_text(grid, times.ls, times.lf))
            _sub(t, "LateFinish", _finish_text(grid, times.ls, times.lf))
            _sub(t, "TotalSlack", times.total_float * 4800)
            _sub(t, "FreeSlack", times.free_float * 4800)
        if done is not None and done.status[a.id] != "not_started":
            _progress_fields(t, grid, done, a.id)
        # keep the solved date in MS Project / P6: must start on for a committed
        # start, else start no earlier than the solved start (SPEC: the schedule,
        # with its release, blackout, crew and budget delays, is the product)
        _sub(t, "ConstraintType", 2 if a.fixed_start is not None else 4)
        _sub(t, "CalendarUID", -1)
        _sub(t, "ConstraintDate", _start_text(grid, s, e))
        if a.due is not None:
            _sub(t, "Deadline", f"{grid.date_of(a.due - 1).isoformat()}T17:00:00")
        for d in deps_of.get(a.id, []):
            link = _sub(t, "PredecessorLink")
            _sub(link, "PredecessorUID", uid_of[d.predecessor])
            _sub(link, "Type", LINK_CODES[d.type])
            _sub(link, "CrossProject", 0)
            _sub(link, "LinkLag", d.lag * 4800)
            _sub(link, "LagFormat", 7)
        if not numeric:
            ea = _sub(t, "ExtendedAttribute")
            _sub(ea, "FieldID", TEXT1_FIELD)
            _sub(ea, "Value", a.id)

    res_el = _sub(root, "Resources")
    res_uid: dict[str, int] = {}
    for i, r in enumerate(plan.resources, start=1):
        el = _sub(res_el, "Resource")
        _sub(el, "UID", i)
        _sub(el, "ID", i)
        _sub(el, "Name", r.id)
        _sub(el, "Type", 1)
        _sub(el, "MaxUnits", f"{r.max_capacity:.2f}")
        res_uid[r.id] = i
    asg_el = _sub(root, "Assignments")
    for i, dem in enumerate(plan.demands, start=1):
        el = _sub(asg_el, "Assignment")
        _sub(el, "UID", i)
        _sub(el, "TaskUID", uid_of[dem.activity])
        _sub(el, "ResourceUID", res_uid[dem.resource])
        s, e = starts[dem.activity], ends[dem.activity]
        _sub(el, "Start", _start_text(grid, s, e))
        _sub(el, "Finish", _finish_text(grid, s, e))
        _sub(el, "Units", dem.amount)
        _sub(el, "Work", f"PT{dem.amount * (e - s) * 8}H0M0S")

    indent(root, space="\t")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)
    log.info("wrote %s: %d tasks, %d links", out, len(plan.activities), len(plan.dependencies))
    return out


def _work_times(parent: Element) -> None:
    wts = _sub(parent, "WorkingTimes")
    for a, b in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
        wt = _sub(wts, "WorkingTime")
        _sub(wt, "FromTime", a)
        _sub(wt, "ToTime", b)


def _start_text(grid: TimeGrid, start: int, end: int) -> str:
    """Start of ``[start, end)`` as MSPDI text: 08:00 on the first day worked.

    A milestone (``end == start``) follows :meth:`TimeGrid.finish_date`: it is a
    finish milestone at 17:00 on the day before its slot (08:00 on plan_start when
    at slot 0), so MS Project shows the date of our report.
    """
    if end <= start and start > 0:
        return f"{grid.finish_date(start, start).isoformat()}T17:00:00"
    return f"{grid.date_of(start).isoformat()}T08:00:00"


def _finish_text(grid: TimeGrid, start: int, end: int) -> str:
    """Finish of ``[start, end)`` as MSPDI text: 17:00 on the last day worked."""
    if end <= start:
        return _start_text(grid, start, end)
    return f"{grid.finish_date(start, end).isoformat()}T17:00:00"


def _progress_fields(t: Element, grid: TimeGrid, done: ProgressMap, aid: str) -> None:
    """A started task's ``PercentComplete``, ``ActualStart``, ``ActualFinish`` and
    ``RemainingDuration`` (in that order, as the MSPDI schema's sequence has them)."""
    a_s, a_f = done.actual_start[aid], done.actual_finish.get(aid)
    left, dur = done.remaining[aid], done.duration[aid]
    if a_f is not None:
        pct = 100
    else:  # the share of the duration no longer remaining, below 100 until finished
        pct = 0 if dur <= 0 else max(0, min(99, round(100 * (dur - left) / dur)))
    _sub(t, "PercentComplete", pct)
    _sub(t, "ActualStart", _start_text(grid, a_s, a_f if a_f is not None else a_s + 1))
    if a_f is not None:
        _sub(t, "ActualFinish", _finish_text(grid, a_s, a_f))
    _sub(t, "RemainingDuration", f"PT{left * 8}H0M0S")


def _task_common(
    t: Element, name: str, level: int, s: int, e: int, grid: TimeGrid, *, summary: bool
) -> None:
    _sub(t, "Name", name)
    _sub(t, "Manual", 0)
    _sub(t, "OutlineLevel", level)
    _sub(t, "Start", _start_text(grid, s, e))
    _sub(t, "Finish", _finish_text(grid, s, e))
    _sub(t, "Duration", f"PT{(e - s) * 8}H0M0S")
    _sub(t, "DurationFormat", 7)
    _sub(t, "Milestone", int(e == s and not summary))
    _sub(t, "Summary", int(summary))


def _grouped(activities: Iterable[Activity]) -> list[tuple[str, list[Activity]]]:
    groups: dict[str, list[Activity]] = {}
    for a in activities:
        groups.setdefault(a.project, []).append(a)
    return list(groups.items())
