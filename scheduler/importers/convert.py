"""A plan read from a foreign file → tables and a workbook in our template format.

``infraplan convert FILE -o WORKBOOK.xlsx`` uses :func:`convert_to_workbook`, so a
planner can then add regions, budgets and blackouts. Placeholders (also in
``docs/IMPORTS.md``):

* **Region**: foreign files have none; every activity gets the one region
  ``SITE`` (named after the plan) as ``region_from``.
* **Sector**: guessed from keywords in the activity's project name, then the
  plan name (:data:`SECTOR_KEYWORDS`); when nothing matches the sector is
  ``road`` and a warning per activity tells the planner to set it.
* **Calendar**: the Settings sheet knows only ``calendar`` and ``workdays-kr``
  (:func:`choose_calendar`). A ``custom`` grid (P6, MS Project, DSLIB) that is
  Mon–Fri **and** has no holidays or exception days of its own is written as
  ``workdays-kr`` (same durations and lags in working days; Korean public
  holidays are added, which can move dates later). Any other custom calendar (its
  own holidays, or another work week) is written as ``calendar`` with durations
  and lags **converted to calendar days** measured at each activity's CPM early
  dates on the file's calendar, so the converted plan's CPM gives the same
  start and finish dates (:func:`to_calendar_days`); an activity that resources,
  blackouts or a budget later move may then gain or lose a weekend day. In
  every case a warning states both CPM finish dates (file's calendar and
  converted), is written to the workbook's ``Notes`` sheet and is returned by
  :func:`convert_to_workbook` for the CLI to print.
* **Budget** and **Blackouts** sheets are written with their headers only, for
  the planner to fill.
* Dates: ``release`` and ``fixed_start`` are the dates of their slots; ``due``
  (exclusive end slot) is the last day the activity may work. A soft
  ``deadline`` is not written (the workbook's ``due`` is hard): one warning
  names them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scheduler.errors import Issue
from scheduler.model import MONEY_SCALE, WEIGHT_SCALE, Plan
from scheduler.timegrid import TimeGrid
from scheduler.workbook.layout import NOTES_SHEET

__all__ = [
    "NOTES_SHEET",
    "SECTOR_KEYWORDS",
    "SITE_REGION",
    "choose_calendar",
    "convert_to_workbook",
    "guess_sector",
    "plan_to_tables",
    "to_calendar_days",
]

log = logging.getLogger(__name__)

SITE_REGION = "SITE"
#: Keywords (lower case, English and Spanish as in the DSLIB samples) → sector.
SECTOR_KEYWORDS: dict[str, tuple[str, ...]] = {
    "rail": ("rail", "railway", "railroad", "train", "tram", "metro", "ferrocarril"),
    "gas": ("gas", "pipeline"),
    "telecom": ("telecom", "fibre", "fiber", "telephone", "network cabling"),
    "grid": (
        "power",
        "electric",
        "electricity",
        "solar",
        "substation",
        "grid",
        "redes",
        "transmission",
        "cable",
    ),
    "water": (
        "water",
        "sewer",
        "sanitary",
        "drainage",
        "alcantarillado",
        "agua",
        "riego",
        "canal",
        "desague",
        "chiller",
    ),
    "dam": ("dam", "reservoir", "bocatoma", "presa"),
    "road": (
        "road",
        "highway",
        "street",
        "roadworks",
        "calzada",
        "vereda",
        "carretera",
        "tunnel",
        "bridge",
        "pavement",
    ),
}


def guess_sector(*names: str) -> str:
    """First sector whose keyword occurs in the first name that has one, else ``""``."""
    for name in names:
        low = f" {name.lower()} "
        for sector, words in SECTOR_KEYWORDS.items():
            if any(w in low for w in words):
                return sector
    return ""


def plan_to_tables(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """Tables of SPEC §3 (sheet → rows with its column names) for a plan.

    Placeholder rules: module docstring. Warnings about them are appended to
    ``plan.warnings`` (as :class:`~scheduler.errors.Issue`) and logged.
    """
    grid = plan.grid
    warnings: list[Issue] = []
    calendar = choose_calendar(grid)
    durations: dict[str, int] = {a.id: a.duration for a in plan.activities}
    lags: list[int] = [d.lag for d in plan.dependencies]
    slot_date = grid.date_of
    converting = calendar == "calendar" and grid.kind == "custom"
    if converting:
        durations, lags = to_calendar_days(plan)
    settings: list[dict[str, Any]] = [
        {"key": "plan_name", "value": plan.name},
        # a calendar conversion counts days from the file's first working day
        {"key": "plan_start", "value": grid.date_of(0) if converting else grid.plan_start},
        {"key": "horizon_months", "value": grid.horizon_months},
        {"key": "calendar", "value": calendar},
    ]
    regions = [{"id": SITE_REGION, "name": plan.name[:80] or SITE_REGION}]
    activities = []
    fallback = guess_sector(plan.name)
    for a in plan.activities:
        sector = a.sector or guess_sector(a.project) or fallback
        if not sector:
            sector = "road"
            warnings.append(
                Issue(
                    "Activities",
                    None,
                    "sector",
                    f"activity {a.id}: sector unknown, set to 'road': please set it",
                    "warning",
                )
            )
        row: dict[str, Any] = {
            "id": a.id,
            "name": a.name,
            "project": a.project,
            "sector": sector,
            "region_from": a.region_from or SITE_REGION,
            "region_to": a.region_to,
            "duration": durations[a.id],
            "duration_unit": "d",
            "cost": a.cost / MONEY_SCALE if a.cost else None,
            "weight": a.weight / WEIGHT_SCALE if a.weight != WEIGHT_SCALE else None,
            "release": slot_date(a.release) if a.release else None,
            "due": slot_date(a.due - 1) if a.due else None,
            "fixed_start": slot_date(a.fixed_start) if a.fixed_start is not None else None,
        }
        activities.append(row)
    soft = [a.id for a in plan.activities if a.deadline is not None]
    if soft:
        shown_ids = ", ".join(soft[:5]) + (f" and {len(soft) - 5} more" if len(soft) > 5 else "")
        warnings.append(
            Issue(
                "Activities",
                None,
                "due",
                f"{len(soft)} soft deadline(s) of the file (finish / start on or before) not "
                f"written: the workbook's due date is a hard limit ({shown_ids})",
                "warning",
            )
        )
    progress_rows = _progress_rows(plan, converting)
    if plan.data_date is not None:
        settings += [
            {"key": "data_date", "value": grid.date_of(plan.data_date)},
            {"key": "out_of_sequence", "value": plan.out_of_sequence},
        ]
    dependencies = [
        {
            "predecessor": d.predecessor,
            "successor": d.successor,
            "type": d.type,
            "lag": lag,
            "max_lag": d.max_lag,
        }
        for d, lag in zip(plan.dependencies, lags, strict=True)
    ]
    resources = [
        {
            "id": r.id,
            "name": r.name or r.id,
            "capacity": r.max_capacity,
            "region": r.region,
            "unit": r.unit,
        }
        for r in plan.resources
    ]
    demands = [
        {"activity": d.activity, "resource": d.resource, "amount": d.amount} for d in plan.demands
    ]
    tables: dict[str, list[dict[str, Any]]] = {
        "Settings": settings,
        "Regions": regions,
        "Activities": activities,
        "Dependencies": dependencies,
        "Resources": resources,
        "Demands": demands,
        "Budget": [],
        "Blackouts": [],
    }
    if progress_rows:
        tables["Progress"] = progress_rows
    if grid.kind == "custom":
        warnings.insert(0, _calendar_warning(plan, calendar, tables))
    for w in warnings:
        log.info("%s", w.message)
    plan.warnings.extend(warnings)
    return tables


def choose_calendar(grid: TimeGrid) -> str:
    """Settings calendar for a grid: ``workdays-kr`` or ``calendar`` (module docstring).

    ``workdays-kr`` only for a ``custom`` Mon–Fri grid without holidays or extra
    working days of its own (or a ``workdays-kr`` grid); else ``calendar``.
    """
    if grid.kind != "custom":
        return grid.kind
    mon_fri = set(grid.workweek) == {0, 1, 2, 3, 4}
    own_days = bool(grid.holidays_extra or grid.workdays_extra)
    return "workdays-kr" if mon_fri and not own_days else "calendar"


def to_calendar_days(plan: Plan) -> tuple[dict[str, int], list[int]]:
    """Durations and lags of ``plan`` in calendar days, measured at its CPM early dates.

    An activity at slots ``[es, ef)`` of the file's grid starts on day
    ``date_of(es)`` and ends (exclusive) the day after its last day worked; its
    calendar duration is the number of days between (weekends and holidays it
    spans included). A milestone sits at the end of the day before its slot
    (:meth:`~scheduler.timegrid.TimeGrid.finish_date`). Each link's calendar lag is
    the number of days from its predecessor's anchor (start or end) to the day
    its lag reaches on the file's grid, so the converted plan's CPM early dates
    are the file's (every offset map is monotone, so a link that did not drive
    still does not).

    Returns
    -------
    tuple[dict[str, int], list[int]]
        Activity id → duration (calendar days); lag per ``plan.dependencies`` entry
        (calendar days, same order). Unchanged durations and lags when CPM fails
        (a positive cycle through ``max_lag``).
    """
    from scheduler.cpm import compute_cpm
    from scheduler.progress import remaining_plan

    grid = plan.grid
    try:
        # a progressed plan is measured where its work lies: the remaining plan's dates
        times = compute_cpm(remaining_plan(plan)[0]).times
    except ValueError as exc:
        log.warning("CPM failed; durations kept in working days: %s", exc)
        return {a.id: a.duration for a in plan.activities}, [d.lag for d in plan.dependencies]
    day0 = grid.date_of(0)  # the converted plan_start

    def start_day(slot: int) -> int:  # calendar offset of the first day of slot
        return (grid.date_of(slot) - day0).days

    def end_day(slot: int) -> int:  # calendar offset just after slot - 1 (0 at slot 0)
        return (grid.date_of(slot - 1) - day0).days + 1 if slot > 0 else 0

    dur = {a.id: a.duration for a in plan.activities}
    cal_start: dict[str, int] = {}
    cal_end: dict[str, int] = {}
    durations: dict[str, int] = {}
    progress = {a.id: a.progress for a in plan.activities}
    for aid, t in times.items():
        cal_end[aid] = end_day(t.ef)
        cal_start[aid] = start_day(t.es) if t.ef > t.es else cal_end[aid]
        p = progress[aid]
        if p is not None and p.actual_start is not None and dur[aid] > 0:
            # started: its original duration, measured from its actual start
            first = p.actual_start
            durations[aid] = end_day(first + dur[aid]) - start_day(first)
        else:
            durations[aid] = cal_end[aid] - cal_start[aid] if dur[aid] > 0 else 0
    lags: list[int] = []
    for d in plan.dependencies:
        t = times[d.predecessor]
        anchor_slot = t.ef if d.from_end else t.es
        anchor = cal_end[d.predecessor] if d.from_end else cal_start[d.predecessor]
        reach = anchor_slot + d.lag
        succ_is_milestone = dur[d.successor] == 0
        target = end_day(reach) if d.to_end or succ_is_milestone else start_day(reach)
        lags.append(target - anchor)
    return durations, lags


def _progress_rows(plan: Plan, converting: bool) -> list[dict[str, Any]]:
    """The Progress sheet of a progressed plan: one row per started activity.

    ``actual_start`` the first day worked, ``actual_finish`` the last (complete only;
    none for a milestone, complete on its start),
    ``remaining_duration`` the work left at the data date in the Activities row's unit
    (``d``: working days, or calendar days when the plan is converted to a calendar
    plan: the days from the data date to the end of that work), ``percent_complete``.
    """
    grid, dd = plan.grid, plan.data_date
    rows: list[dict[str, Any]] = []
    for a in plan.activities:
        p = a.progress
        if p is None or p.actual_start is None:
            continue
        left = p.remaining
        if left is not None and converting and dd is not None and left > 0:
            left = (grid.date_of(dd + left - 1) - grid.date_of(dd)).days + 1
        rows.append(
            {
                "activity": a.id,
                "actual_start": grid.date_of(p.actual_start),
                # a milestone with an actual start is complete on it (no finish row)
                "actual_finish": (
                    None
                    if p.actual_finish is None or p.actual_finish <= p.actual_start
                    else grid.finish_date(p.actual_start, p.actual_finish)
                ),
                "remaining_duration": left if p.actual_finish is None else None,
                "percent_complete": p.percent_complete,
            }
        )
    return rows


def _calendar_warning(plan: Plan, calendar: str, tables: dict[str, list[dict[str, Any]]]) -> Issue:
    """The Settings warning: what the calendar became and both CPM finish dates."""
    from scheduler.cpm import compute_cpm
    from scheduler.workbook import plan_from_tables

    grid = plan.grid
    own = f"{len(grid.holidays_extra)} holiday(s), {len(grid.workdays_extra)} extra working day(s)"
    week = "".join("MTWTFSS"[d] if d in grid.workweek else "-" for d in range(7))
    what = f"the file's calendar (week {week}, {own})"
    if calendar == "workdays-kr":
        how = (
            "is written as 'workdays-kr': same working-day durations and lags, "
            "but Korean public holidays are added"
        )
    else:
        how = (
            "is written as 'calendar' with durations and lags converted to calendar days "
            "at the file's CPM dates (an activity moved later by resources, blackouts or "
            "budget may gain or lose a weekend day)"
        )
    try:
        src = compute_cpm(plan).project_finish
        source_finish = grid.finish_date(0, src)
        converted = plan_from_tables(tables, sheet_rows=False)
        dst = compute_cpm(converted).project_finish
        converted_finish = converted.grid.finish_date(0, dst)
        if converted_finish == source_finish:
            effect = f"CPM finish unchanged: {source_finish.isoformat()}"
        else:
            late = (converted_finish - source_finish).days
            effect = (
                f"CPM finish {source_finish.isoformat()} in the file's calendar, "
                f"{converted_finish.isoformat()} converted ({late:+d} calendar days)"
            )
    except Exception as exc:  # the measurement must never block a conversion
        effect = f"finish dates not compared ({type(exc).__name__}: {exc})"
    return Issue("Settings", None, "calendar", f"{what} {how}; {effect}", "warning")


def convert_to_workbook(plan: Plan, path: str | Path) -> list[Issue]:
    """Write ``plan`` as a workbook in our template format (``infraplan convert``).

    The workbook (readable by :func:`scheduler.workbook.read_workbook`) has the
    template's sheets, ``Budget`` and ``Blackouts`` with headers only, and a
    ``Notes`` sheet (severity, sheet, message) listing the conversion warnings.

    Returns
    -------
    list[Issue]
        The conversion warnings (calendar, sectors): the CLI prints them.
    """
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    from scheduler.workbook import write_workbook

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    before = len(plan.warnings)
    tables = plan_to_tables(plan)
    notes = [w for w in plan.warnings[before:] if isinstance(w, Issue)]
    write_workbook(tables, out, plan_name=plan.name)
    wb = load_workbook(out)
    ws = wb.create_sheet(NOTES_SHEET)
    ws.append(["severity", "sheet", "message"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for w in notes:
        ws.append([w.severity, w.sheet, w.message])
    ws.column_dimensions["C"].width = 120
    wb.save(out)
    return notes
