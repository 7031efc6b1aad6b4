"""The Excel report of a schedule (SPEC §6, issue 2 item 7), written with openpyxl.

Sheets, in order: ``Summary``, ``Schedule``, ``Gantt``, ``Critical path``,
``Resources``, ``Budget``, ``Network``, ``Issues``, ``Health``. Every figure comes from
:class:`~scheduler.solution.Schedule` and its helpers (``activity_rows``,
``spend_by_month``, ``spend_by_budget``, ``resource_use_by_month``), from
:mod:`scheduler.network` and, for ``Health`` (the DCMA 14-point assessment of the
plan), from :func:`scheduler.dcma.assess`; nothing is recomputed here.

Safety: no cell is ever written as a formula. Text that starts with ``=`` (or looks
like an Excel error code such as ``#N/A``) is stored as a plain string, and control
characters Excel cannot hold are removed (see :func:`scheduler.report.cells.put`).

Dates are real Excel dates (``yyyy-mm-dd``); finish dates are the last day worked
(inclusive), as in P6 and MS Project. Money is in 100M KRW (억원), rounded to 2
decimals in the cell value (not only by the number format). Durations, floats and
delays are grid slots: "days" on a calendar grid, "working days" otherwise.

Two views of time sit side by side and each logic sheet says so in a note line:
ES/EF/LS/LF, total/free float and "critical" are the logic network (CPM over the
dependencies alone, longest path as in P6), while start/finish and "driving" are the
solved plan (crews, budget caps, blackouts). The Schedule column "delay vs early
start" (start − ES, grid slots) shows how far the resources and budgets pushed each
activity past its logic early start.

Every sheet has a print setup: landscape, one page wide (as many pages tall as
needed), repeated header rows (and the name columns on the Gantt), A3 paper for
the wide Schedule and Gantt sheets, A4 for the others.

The Resources sheet reads at a glance: a months x resources matrix of peak daily use
as a share of capacity (green < 80 %, amber 80–100 %, red > 100 %, grey 0 % idle), a
resource key (name, unit, scope, capacity) under it, small charts of the scarce
national resources on the next printed page, and a long table (resource, month, peak,
average, capacity, share) beside it for filtering, printed as a second print area.

Layout of the package: :mod:`~scheduler.report.styles` (fonts, fills, number formats,
the fast style cache, the print setup) and :mod:`~scheduler.report.cells` (writing data,
headers and tables) are shared; each sheet has its own module (``summary``,
``schedule``, ``gantt``, ``critical``, ``resources``, ``budget``, ``network``,
``issues``, ``health``), and :mod:`~scheduler.report.charts` builds the native charts. This module
puts them together in :func:`write_report`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook

from scheduler.report.budget import write_budget
from scheduler.report.cells import LOGIC_NOTE, cell_text
from scheduler.report.critical import write_critical
from scheduler.report.gantt import (
    GANTT_FIRST_MONTH_COL,
    GANTT_HEADER_ROW,
    GANTT_YEAR_ROW,
    write_gantt,
)
from scheduler.report.health import write_health
from scheduler.report.issues import write_issues
from scheduler.report.network import write_network
from scheduler.report.progress import write_progress
from scheduler.report.resources import RESOURCES_HEADER_ROW, write_resources
from scheduler.report.schedule import (
    SCHEDULE_COLUMNS,
    SCHEDULE_HEADER_ROW,
    schedule_columns,
    write_schedule,
)
from scheduler.report.styles import Styles, use_report_font
from scheduler.report.summary import write_summary
from scheduler.solution import Schedule

if TYPE_CHECKING:
    from scheduler.risk import RiskResult

__all__ = [
    "GANTT_FIRST_MONTH_COL",
    "GANTT_HEADER_ROW",
    "GANTT_YEAR_ROW",
    "LOGIC_NOTE",
    "RESOURCES_HEADER_ROW",
    "SCHEDULE_COLUMNS",
    "SCHEDULE_HEADER_ROW",
    "SHEETS",
    "schedule_columns",
    "write_report",
]

log = logging.getLogger(__name__)

SHEETS: tuple[str, ...] = (
    "Summary",
    "Schedule",
    "Gantt",
    "Critical path",
    "Progress",
    "Resources",
    "Budget",
    "Network",
    "Issues",
    "Health",
)


def _set_properties(wb: Workbook, schedule: Schedule) -> None:
    """Document properties (File > Info in Excel): a title naming the plan, infraplan
    as author, and the status and finish as the subject."""
    plan = schedule.plan
    name = cell_text(plan.name, 200) if plan is not None and plan.name else ""
    props = wb.properties
    props.title = f"{name} – schedule report" if name else "infraplan schedule report"
    props.creator = props.lastModifiedBy = "infraplan"
    ms = schedule.makespan
    finish = plan.grid.finish_date(0, ms) if plan is not None and ms is not None else None
    props.subject = f"status {schedule.status}" + (f", finish {finish}" if finish else "")
    props.keywords = "infraplan; schedule; report"


# -- entry point -------------------------------------------------------------------------
def write_report(schedule: Schedule, path: str | Path, risk: RiskResult | None = None) -> Path:
    """Write the Excel report of a schedule.

    Parameters
    ----------
    schedule
        Any schedule: solved (``optimal``/``feasible``), ``infeasible`` (the Summary
        names the conflicting constraints and the days needed) or ``invalid`` (the
        Issues sheet lists every problem). Never raises for lack of a plan.
    path
        Target ``.xlsx`` file; its folder is created if missing.
    risk
        A :class:`scheduler.risk.RiskResult` of the same schedule, written as a last
        ``Risk`` sheet (``infraplan risk -o``), or None.

    Returns
    -------
    Path
        The path written.

    Notes
    -----
    Sheets: see :data:`SHEETS`. Dates are Excel dates, finish = last day worked;
    money in 100M KRW; floats in grid slots (days or working days). Charts are native
    openpyxl charts (``Resources``: one small chart per scarce national resource,
    peak daily use against capacity; ``Budget``: spend vs cap per period and the
    cumulative S-curve). No input text is ever written as a formula.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    use_report_font(wb)
    sheets = [wb.active] + [wb.create_sheet() for _ in SHEETS[1:]]
    for ws, name in zip(sheets, SHEETS, strict=True):
        assert ws is not None
        ws.title = name
    _set_properties(wb, schedule)
    styles = Styles(wb)
    rows = schedule.activity_rows()
    write_summary(wb["Summary"], schedule)
    write_schedule(wb["Schedule"], schedule, rows, styles)
    write_gantt(wb["Gantt"], schedule, rows, styles)
    write_critical(wb["Critical path"], schedule, rows)
    write_progress(wb["Progress"], schedule)
    write_resources(wb["Resources"], schedule, styles)
    write_budget(wb["Budget"], schedule)
    write_network(wb["Network"], schedule)
    write_issues(wb["Issues"], schedule)
    write_health(wb["Health"], schedule)
    if risk is not None:
        from scheduler.report.risk import write_risk

        write_risk(wb.create_sheet("Risk"), risk)
    wb.save(out)
    log.info("report written to %s (%d activities)", out, len(rows))
    return out
