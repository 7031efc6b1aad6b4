"""Real project workbooks in the DSLIB / ProTrack layout → plan.

DSLIB (Batselier & Vanhoucke 2015, Ghent University) exports of ProTrack: a
``Baseline Schedule`` sheet with two header rows (a group row, then ``ID, Name,
WBS, Predecessors, Successors, Baseline Start, Baseline End, Duration, Resource
Demand, …``), a ``Resources`` sheet (``ID, Name, Type, Availability``) and, in some
files, ``Risk Analysis`` (three-point estimates).

Rules (also in ``docs/IMPORTS.md``):

* Row ID 0 is the project (its name is the plan name). A row is a **summary** (WBS)
  row when the next row's name is indented deeper; summaries become projects: each
  activity's ``project`` is the name of its innermost summary row. Leaf rows are
  activities with their own ``ID`` as id.
* Time: the grid is a ``"custom"`` Mon–Fri grid without holidays (ProTrack's
  default); ``1w`` = 5 days, ``1d`` = 8 hours (``h``), ``mo`` = 20 days.
  ``plan_start`` is the first baseline start in the sheet (else 2000-01-03, warning).
* Durations (``43d``, ``9 days``, ``23,88 days``, ``1w 2d``, ``2w 6h``, a bare
  number = days) and lags (``11SS+1d``, ``6FS-1d``, ``+1w 2d``) are summed in days
  and rounded **up** to whole days (warning when that changes them).
* Predecessors: ``;``-separated items ``<ID><type><lag>``; a bare number is FS 0.
  A predecessor that names no activity, an unknown type or unit is an error with
  its row and column. Links to a summary row become links to (or from) each of
  its leaf activities (warning).
* Resource demand: ``name[amount]`` or ``name[amount #x]`` (decimal comma or
  point; the part after ``#`` is ProTrack's fixed-use count and is ignored), a bare
  name = 1 unit; amounts rounded up (warning). Capacity is the ``Availability`` of
  the ``Resources`` sheet rounded up, raised to the largest demand when below it
  (warning); consumable resources and resources not found are dropped (warning).
* **Ranges** (:mod:`scheduler.importers._limits`): a duration or lag over 100
  years, an amount or availability over 1,000,000 or not a number (``"3
  #persons"`` is 3), a first baseline start outside 1900…2199 are errors at their
  row; a baseline end more than 100 years after the start is ignored (warning).
* ``Risk Analysis``: ``Optimistic``, ``Most Probable``, ``Pessimistic`` are kept in
  ``Activity.extra["optimistic"|"most_probable"|"pessimistic"]`` in days (floats).
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scheduler.errors import UnreadableFileError
from scheduler.importers._common import IssueLog, horizon_months_for
from scheduler.importers._limits import (
    MAX_PLAN_DAYS,
    check_date,
    check_days,
    check_units,
    number,
    shown,
)
from scheduler.model import Activity, Demand, Dependency, Plan, Resource
from scheduler.timegrid import TimeGrid
from scheduler.uncertainty import Estimate, Uncertainty
from scheduler.validate import unknown_id_text

__all__ = ["is_dslib", "parse_duration", "read_dslib"]

log = logging.getLogger(__name__)

SHEET = "Baseline Schedule"
HOURS_PER_DAY = 8.0
DAYS_PER_WEEK = 5.0
UNIT_DAYS = {
    "mo": 20.0,
    "month": 20.0,
    "months": 20.0,
    "w": DAYS_PER_WEEK,
    "week": DAYS_PER_WEEK,
    "weeks": DAYS_PER_WEEK,
    "d": 1.0,
    "day": 1.0,
    "days": 1.0,
    "h": 1 / HOURS_PER_DAY,
    "hour": 1 / HOURS_PER_DAY,
    "hours": 1 / HOURS_PER_DAY,
    "m": 1 / (HOURS_PER_DAY * 60),
    "min": 1 / (HOURS_PER_DAY * 60),
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-zA-Z]*)")
_PRED = re.compile(r"^\s*(\d+)\s*([A-Za-z]{2})?\s*(?:([+-])\s*(.+?))?\s*$")
_DEMAND = re.compile(r"^\s*(.*?)\s*(?:\[\s*([^\]#]*?)\s*(?:#[^\]]*)?\])?\s*$")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})")


def is_dslib(data: bytes) -> bool:
    """True when ``data`` is an .xlsx workbook with a ``Baseline Schedule`` sheet."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > 5_000_000:
                return False
            return b'name="Baseline Schedule"' in zf.read(info)
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def parse_duration(text: Any) -> float | None:
    """Days in a ProTrack duration or lag text (``"1w 2d"`` → 7.0); None if unreadable.

    A bare number is days; ``,`` is a decimal comma. Units: ``mo`` (20 d), ``w``
    (5 d), ``d``, ``h`` (1/8 d), ``m`` (minutes).
    """
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).strip().lower()
    if not s:
        return None
    total, pos = 0.0, 0
    for m in _PART.finditer(s):
        if s[pos : m.start()].strip():
            return None
        unit = m.group(2) or "d"
        if unit not in UNIT_DAYS:
            return None
        total += float(m.group(1).replace(",", ".")) * UNIT_DAYS[unit]
        pos = m.end()
    if s[pos:].strip() or pos == 0:
        return None
    return total


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and (m := _DATE.search(value)):
        d, mth, y = (int(g) for g in m.groups())
        y = y + 2000 if y < 100 else y
        try:
            return date(y, mth, d)
        except ValueError:
            return None
    return None


def _indent(name: Any) -> int:
    s = str(name or "")
    return len(s) - len(s.lstrip(" "))


def _all_rows(wb: Any, name: str) -> list[tuple[Any, ...]]:
    """Every row of sheet ``name`` (none when absent), whatever its declared dimension."""
    if name not in wb.sheetnames:
        return []
    ws = wb[name]
    ws.reset_dimensions()  # read-only mode would stop at a wrong <dimension> silently
    return list(ws.iter_rows(values_only=True))


def read_dslib(data: bytes, filename: str = "workbook.xlsx") -> Plan:
    """Read a DSLIB / ProTrack project workbook into a plan (rules: module docstring).

    Parameters
    ----------
    data
        The workbook's bytes.
    filename
        The file's name, used in every message (``"<name>: Baseline Schedule row
        10: ..."``); a path is reduced to its name, ``""`` means ``workbook.xlsx``.

    Returns
    -------
    Plan
        Activities (leaf rows), dependencies, resources and demands on a Mon–Fri
        ``"custom"`` grid; three-point estimates in ``Activity.extra``.

    Raises
    ------
    UnreadableFileError
        If the bytes are not a readable .xlsx workbook.
    InvalidPlanError
        With every problem at its sheet, row and column (unknown predecessor,
        relationship type or unit, unreadable duration, duplicate ID).
    """
    import openpyxl

    from scheduler.workbook.safety import check_xlsx

    filename = Path(filename).name or "workbook.xlsx"
    check_xlsx(data)  # hostile or too costly to parse: refused before openpyxl sees it
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableFileError(f"{filename}: not a readable .xlsx workbook ({exc})") from exc
    issues = IssueLog(filename, unit="row")
    try:
        if SHEET not in wb.sheetnames:
            raise UnreadableFileError(f"{filename}: no '{SHEET}' sheet: not a DSLIB workbook")
        rows = _all_rows(wb, SHEET)
        res_rows = _all_rows(wb, "Resources")
        risk_rows = _all_rows(wb, "Risk Analysis")
    finally:
        wb.close()
    if len(rows) < 3:
        issues.error(SHEET, None, "", "fewer than three rows: no activities")
        issues.raise_if_errors()
    header = [str(c or "").strip().lower() for c in rows[1]]
    col = {name: header.index(name) for name in header if name}
    for need in ("id", "name", "predecessors", "duration"):
        if need not in col:
            issues.error(SHEET, 2, need, f"column {need!r} is missing from the second header row")
    issues.raise_if_errors()

    def cell(r: tuple[Any, ...], name: str) -> Any:
        i = col.get(name)
        return r[i] if i is not None and i < len(r) else None

    body = [(n, r) for n, r in enumerate(rows[2:], start=3) if cell(r, "id") is not None]
    plan_name = filename
    records: list[tuple[int, tuple[Any, ...], str]] = []
    for n, r in body:
        rid = str(cell(r, "id")).strip()
        if rid.endswith(".0"):
            rid = rid[:-2]
        if rid == "0":
            plan_name = str(cell(r, "name") or filename).strip()
            continue
        records.append((n, r, rid))
    # summary rows: the next row is deeper (indentation, or WBS code depth); a row
    # without duration, predecessors and demand is a flat group header (children:
    # the rows after it, up to the next header of its depth)
    depths: list[float] = []
    for _n, r, _rid in records:
        wbs = str(cell(r, "wbs") or "").strip()
        depths.append(float(wbs.count(".") + 1) if wbs else float(_indent(cell(r, "name"))))
    flat = [
        cell(r, "duration") in (None, "")
        and not cell(r, "predecessors")
        and not cell(r, "resource demand")
        for _n, r, _rid in records
    ]
    for i in range(len(records)):
        nxt = depths[i + 1] if i + 1 < len(records) else -1.0
        if flat[i] and nxt <= depths[i]:
            depths[i] -= 0.5
    summary: dict[str, list[str]] = {}
    parents: list[tuple[float, str, str]] = []  # (depth, id, name)
    project_of: dict[str, str] = {}
    for i, (_n, r, rid) in enumerate(records):
        ind = depths[i]
        while parents and parents[-1][0] >= ind:
            parents.pop()
        nxt = depths[i + 1] if i + 1 < len(records) else -1.0
        if nxt > ind:
            summary[rid] = []
            parents.append((ind, rid, str(cell(r, "name")).strip()))
            continue
        for _, pid, _ in parents:
            summary[pid].append(rid)
        project_of[rid] = parents[-1][2] if parents else ""

    starts = [(d, n) for n, r, _ in records if (d := _date(cell(r, "baseline start")))]
    first = min(starts, default=None)
    if first is None:
        plan_start = date(2000, 1, 3)
        issues.warn(SHEET, None, "Baseline Start", "no baseline start date; plan starts 2000-01-03")
    else:
        plan_start = first[0]
        if not check_date(issues, SHEET, first[1], "Baseline Start", "baseline start", plan_start):
            issues.raise_if_errors()
    ends = [
        d
        for n, r, _ in records
        if (d := _date(cell(r, "baseline end")))
        and check_date(
            issues, SHEET, n, "Baseline End", "baseline end", d, plan_start, warning=True
        )
    ]
    grid = TimeGrid(plan_start, "custom", horizon_months_for(plan_start, max(ends, default=None)))

    activities: list[Activity] = []
    seen: dict[str, tuple[Any, ...]] = {}
    for n, r, rid in records:
        if rid in summary:
            continue
        if rid in seen:
            if seen[rid] == r:
                issues.warn(SHEET, n, "ID", f"repeats the row of ID {rid} exactly; dropped")
            else:
                issues.error(SHEET, n, "ID", f"ID {rid} repeats")
            continue
        seen[rid] = r
        raw = cell(r, "duration")
        days = parse_duration(raw) if raw is not None else 0.0
        if days is None or days < 0:
            issues.error(
                SHEET,
                n,
                "Duration",
                f"duration {shown(raw)} is not a duration (e.g. 5d, 1w 2d)",
            )
            days = 0.0  # the plan is refused; the activity stays so its links resolve
        elif not check_days(issues, SHEET, n, "Duration", f"{rid} duration {shown(raw)}", days):
            days = 0.0  # refused, as above
        dur = issues.round_up(
            days, SHEET, n, "Duration", f"{rid} duration {raw!r} = {days:.2f} days"
        )
        activities.append(
            Activity(
                id=rid,
                name=str(cell(r, "name") or rid).strip(),
                duration=dur,
                project=project_of.get(rid, ""),
                source_row=n,
                place=issues.place(SHEET, n, columns=(("id", "ID"), ("duration", "Duration"))),
                extra={
                    "baseline_start": (
                        d.isoformat() if (d := _date(cell(r, "baseline start"))) else None
                    )
                },
            )
        )
    ids = {a.id for a in activities}
    if not activities and not issues.issues:
        issues.error(
            SHEET, None, "ID", "no activity rows (IDs may be formulas without saved values)"
        )

    dependencies: list[Dependency] = []
    for n, r, rid in records:
        text = cell(r, "predecessors")
        if text is None or str(text).strip() == "":
            continue
        succs = summary.get(rid) or ([rid] if rid in ids else [])
        for item in str(text).split(";"):
            if not item.strip():
                continue
            m = _PRED.match(item)
            if not m:
                issues.error(
                    SHEET,
                    n,
                    "Predecessors",
                    f"predecessor {item.strip()!r} is not like 3FS, 11SS+1d or 6",
                )
                continue
            pid, ptype, sign, lag_text = (
                m.group(1),
                (m.group(2) or "FS").upper(),
                m.group(3),
                m.group(4),
            )
            if ptype not in ("FS", "SS", "FF", "SF"):
                issues.error(
                    SHEET,
                    n,
                    "Predecessors",
                    f"unknown relationship type {ptype!r} in {item.strip()!r}",
                )
                continue
            lag_days = 0.0
            if lag_text:
                parsed = parse_duration(lag_text)
                if parsed is None:
                    issues.error(
                        SHEET,
                        n,
                        "Predecessors",
                        f"unknown lag {lag_text!r} in {item.strip()!r}",
                    )
                    continue
                lag_days = -parsed if sign == "-" else parsed
                what = f"lag {shown(item.strip())}"
                if not check_days(issues, SHEET, n, "Predecessors", what, lag_days):
                    continue
            preds = summary.get(pid) or ([pid] if pid in ids else [])
            if not preds:
                issues.error(SHEET, n, "Predecessors", unknown_id_text("predecessor", pid))
                continue
            if pid in summary or rid in summary:
                issues.warn(
                    SHEET,
                    n,
                    "Predecessors",
                    f"link {pid} → {rid} with a summary row replaced by links "
                    "between its activities",
                )
            lag = issues.round_up(
                lag_days,
                SHEET,
                n,
                "Predecessors",
                f"lag {item.strip()!r} = {lag_days:.2f} days",
            )
            for p in preds:
                for s in succs:
                    if p != s:
                        dependencies.append(
                            Dependency(
                                p,
                                s,
                                ptype,  # type: ignore[arg-type]
                                lag,
                                source_row=n,
                                place=issues.place(SHEET, n, columns=_LINK_COLUMNS),
                            )
                        )

    resources, demands = _resources(
        records, res_rows, cell, ids, {a.id: a.duration for a in activities}, issues
    )
    estimates = _risk(risk_rows, {a.id: a for a in activities}, issues)
    plan = issues.plan(plan_name, grid, activities, dependencies, resources, demands)
    if estimates:
        plan.uncertainty = Uncertainty(estimates=estimates)
    log.info("%s: %d activities, %d dependencies", filename, len(activities), len(dependencies))
    return plan


def _resources(
    records: list[tuple[int, tuple[Any, ...], str]],
    res_rows: list[tuple[Any, ...]],
    cell: Any,
    ids: set[str],
    dur: dict[str, int],
    issues: IssueLog,
) -> tuple[list[Resource], list[Demand]]:
    avail: dict[str, tuple[float | None, str, int, Any]] = {}
    if len(res_rows) >= 2:
        head = [str(c or "").strip().lower() for c in res_rows[1]]
        i_name = head.index("name") if "name" in head else 1
        i_type = head.index("type") if "type" in head else 2
        i_av = next((i for i, h in enumerate(head) if h.startswith("avail")), 3)
        for n, r in enumerate(res_rows[2:], start=3):
            if i_name >= len(r) or r[i_name] is None:
                continue
            raw = r[i_av] if i_av < len(r) else None
            a = _amount(raw) if raw not in (None, "") else 1.0
            avail[str(r[i_name]).strip().lower()] = (a, str(r[i_type] or ""), n, raw)
    resources: dict[str, Resource] = {}
    demands: list[Demand] = []
    for n, r, rid in records:
        text = cell(r, "resource demand")
        if rid not in ids or text is None or not str(text).strip():
            continue
        for item in str(text).split(";"):
            m = _DEMAND.match(item)
            if not m or not m.group(1):
                continue
            name = m.group(1).strip()
            amount_text = (m.group(2) or "1").replace(",", ".")
            q = _amount(amount_text)
            if q is None:
                issues.error(
                    SHEET,
                    n,
                    "Resource Demand",
                    f"amount {shown(m.group(2))} of {shown(name)} is not a number",
                )
                continue
            key = name.lower()
            a, rtype, rrow, raw = avail.get(key, (1.0, "Renewable", 0, None))
            if rtype and not rtype.lower().startswith("renew"):
                issues.warn(
                    SHEET,
                    n,
                    "Resource Demand",
                    f"{rtype.lower()} resource {name!r} dropped",
                )
                continue
            if dur[rid] == 0:
                issues.warn(SHEET, n, "Resource Demand", f"demand of milestone {rid} dropped")
                continue
            if not check_units(issues, SHEET, n, "Resource Demand", f"{name[:40]} amount", q):
                continue
            if name not in resources:
                if a is None or not check_units(
                    issues, "Resources", rrow or None, "Availability", name[:40], a
                ):
                    if a is None:
                        issues.error(
                            "Resources",
                            rrow or None,
                            "Availability",
                            f"{name[:40]}: availability {shown(raw)} is not a number",
                        )
                    avail[key] = (1.0, rtype, rrow, raw)  # reported once
                    a = 1.0
                cap = issues.round_up(
                    a,
                    "Resources",
                    rrow or None,
                    "Availability",
                    f"{name}: availability {a:g}",
                    at_least=1,
                )
                resources[name] = Resource(
                    name, cap, name=name, place=issues.place("Resources", rrow or None)
                )
            amount = issues.round_up(q, SHEET, n, "Resource Demand", f"{name} amount {q:g}")
            if amount <= 0:
                continue
            res = resources[name]
            if amount > res.capacity:
                issues.warn(
                    SHEET,
                    n,
                    "Resource Demand",
                    f"capacity of {name} raised from {res.capacity} to {amount}",
                )
                res.capacity = amount
            demands.append(
                Demand(
                    rid,
                    name,
                    amount,
                    source_row=n,
                    place=issues.place(SHEET, n, columns=(("amount", "Resource Demand"),)),
                )
            )
    return list(resources.values()), demands


def _amount(value: Any) -> float | None:
    """A ProTrack amount: ``"3"``, ``"2,5"``, ``"3 #persons"`` (the text after the
    number is ignored), or None when it starts with no number (or is nan/inf)."""
    text = str(value).strip().replace(",", ".")
    num = re.match(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", text)
    return number(num.group(0) if num else text)


#: Model field → DSLIB column of a dependency, for the plan's checks.
_LINK_COLUMNS = (
    ("predecessor", "Predecessors"),
    ("successor", "ID"),
    ("type", "Predecessors"),
    ("lag", "Predecessors"),
)


def _estimate_days(value: Any, baseline: int) -> float | None:
    """Days of one three-point value: a bare number is a percentage of ``baseline``."""
    if isinstance(value, bool):
        return None
    percent = number(str(value).strip().replace(",", "."))
    if percent is not None:
        return percent * baseline / 100
    return parse_duration(value)


def _risk(
    rows: list[tuple[Any, ...]], acts: dict[str, Activity], issues: IssueLog
) -> dict[str, Estimate]:
    """Three-point estimates of the "Risk Analysis" sheet (working days = slots).

    ProTrack writes a duration with a unit (``1w 2d``) as that duration, and a bare
    number as a percentage of the activity's baseline duration (its distribution
    profiles, e.g. "standard - symmetric" 80 / 100 / 120). Each value is also kept
    in ``Activity.extra``; a row whose three values are all readable becomes a
    triangular :class:`~scheduler.uncertainty.Estimate` (a row with unordered values
    is warned about and left certain).
    """
    estimates: dict[str, Estimate] = {}
    if len(rows) < 3:
        return estimates
    head = [str(c or "").strip().lower() for c in rows[1]]
    keys = {
        "optimistic": "optimistic",
        "most probable": "most_probable",
        "pessimistic": "pessimistic",
    }
    cols = {k: head.index(h) for h, k in keys.items() if h in head}
    for n, r in enumerate(rows[2:], start=3):
        rid = str(r[0]).strip() if r and r[0] is not None else ""
        rid = rid[:-2] if rid.endswith(".0") else rid
        act = acts.get(rid)
        if act is None:
            continue
        for key, i in cols.items():
            if i < len(r) and r[i] is not None and str(r[i]).strip():
                days = _estimate_days(r[i], act.duration)
                if days is None or abs(days) > MAX_PLAN_DAYS:
                    issues.warn(
                        "Risk Analysis",
                        n,
                        key,
                        f"{key} {shown(r[i])} is not a duration within 100 years; ignored",
                    )
                else:
                    act.extra[key] = days
        three = [act.extra.get(k) for k in ("optimistic", "most_probable", "pessimistic")]
        if all(isinstance(v, float) for v in three):
            low, mode, high = (float(v) for v in three)  # type: ignore[arg-type]
            try:
                estimates[rid] = Estimate(low, mode, high)
            except ValueError as exc:
                issues.warn("Risk Analysis", n, "optimistic", f"{rid}: {exc}; ignored")
    return estimates
