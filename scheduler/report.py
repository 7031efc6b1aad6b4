"""The Excel report of a schedule (SPEC §6, issue 2 item 7), written with openpyxl.

Sheets, in order: ``Summary``, ``Schedule``, ``Gantt``, ``Critical path``,
``Resources``, ``Budget``, ``Network``, ``Issues``. Every figure comes from
:class:`~scheduler.solution.Schedule` and its helpers (``activity_rows``,
``spend_by_month``, ``spend_by_budget``, ``resource_use_by_month``) and from
:mod:`scheduler.network`; nothing is recomputed here.

Safety: no cell is ever written as a formula. Text that starts with ``=`` (or looks
like an Excel error code such as ``#N/A``) is stored as a plain string, and control
characters Excel cannot hold are removed (see :func:`_put`).

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
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date
from math import ceil, inf
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.errors import Issue
from scheduler.network import connection_months, link_activities, link_finish_slots
from scheduler.solution import Schedule

__all__ = [
    "GANTT_FIRST_MONTH_COL",
    "GANTT_HEADER_ROW",
    "GANTT_YEAR_ROW",
    "LOGIC_NOTE",
    "RESOURCES_HEADER_ROW",
    "SCHEDULE_HEADER_ROW",
    "SHEETS",
    "write_report",
]

log = logging.getLogger(__name__)

#: Sheet names in the order they appear.
SHEETS: tuple[str, ...] = (
    "Summary",
    "Schedule",
    "Gantt",
    "Critical path",
    "Resources",
    "Budget",
    "Network",
    "Issues",
)

DATE_FMT = "yyyy-mm-dd"
MONEY_FMT = "#,##0.00"
PCT_FMT = "0%"

# Styles are created once and shared by every cell (fast on 10,000 activities).
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_CRIT_FONT = Font(color="C00000")
_CRIT_FILL = PatternFill("solid", fgColor="FDE9E7")
_BAR_CRIT = PatternFill("solid", fgColor="E0301E")
_BAR_NORMAL = PatternFill("solid", fgColor="5B9BD5")
_BAR_PROJECT = PatternFill("solid", fgColor="404040")
_PROJECT_FILL = PatternFill("solid", fgColor="D9D9D9")
_WARN_FONT = Font(color="C00000", bold=True)
_OK_FONT = Font(color="006100", bold=True)
_CENTER = Alignment(horizontal="center", vertical="center")
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEAD_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left")
_YES_NO = Alignment(horizontal="center")
_THIN = Side(style="thin", color="FFFFFF")
_BAR_BORDER = Border(left=_THIN, right=_THIN)
_NOTE_FONT = Font(italic=True, color="7F7F7F")
_DRIVING_MARK = "▶"
_MILESTONE_MARK = "◆"

#: Gantt layout (1-based), for readers and tests: the year row, the header row (fixed
#: column names and month abbreviations "Jan".."Dec") and the first month column.
GANTT_YEAR_ROW = 5
GANTT_HEADER_ROW = 6
GANTT_FIRST_MONTH_COL = 7
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_WIDTH = 4.7  # fits "Jan".."Dec" and a year such as "2027", unrotated

#: Schedule layout: two note lines, then the header row.
SCHEDULE_HEADER_ROW = 3

#: Resources layout: the header row shared by the month x resource matrix (from column
#: A) and the long table beside it (one blank column to the right of the matrix).
RESOURCES_HEADER_ROW = 3

# Peak share of capacity bands (SPEC §6 reading aid): below BUSY green, BUSY..FULL amber,
# above FULL red (over capacity: never in a feasible plan); 0 = idle (grey, no fill).
_BUSY_SHARE = 0.8
_FULL_SHARE = 1.0
_RES_COL_WIDTH = 11  # characters: fits "CREW-SEL" in bold, 2.2 cm
_MAX_RESOURCE_CHARTS = 8  # two rows of four small charts: one printed page
_CHARTS_PER_ROW = 4
_CHART_COLS = 4  # matrix columns under one chart (8.4 cm wide)
_CHART_ROWS = 14  # sheet rows under one row of charts (6.6 cm high)
_BAND_STYLE: dict[str, tuple[Font, PatternFill | None]] = {
    "idle": (Font(color="A6A6A6"), None),
    "ok": (Font(color="006100"), PatternFill("solid", fgColor="C6EFCE")),
    "busy": (Font(color="9C5700"), PatternFill("solid", fgColor="FFEB9C")),
    "over": (Font(color="9C0006", bold=True), PatternFill("solid", fgColor="FFC7CE")),
}
_BAND_LEGEND = (
    ("ok", "< 80 %"),
    ("busy", "80–100 %"),
    ("over", "> 100 %"),
    ("idle", "0 % idle"),
)

#: What the logic columns mean vs the solved plan (one note line each, written on the
#: Summary, Schedule, Gantt and Critical path sheets).
LOGIC_NOTE: tuple[str, str] = (
    "ES/EF/LS/LF, total/free float, critical = the LOGIC network: CPM over the "
    "dependencies and lags alone (P6 longest path), no crews, budgets or blackouts.",
    "start/finish, driving = the SOLVED plan with crews, budget caps and blackouts: "
    "start may be later than ES (Schedule column 'delay vs early start' = start − ES).",
)

# Page setup: margins in inches (about 1 cm at the sides, 1.5 cm top and bottom).
_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}

_MAX_TEXT = 32_000  # Excel holds at most 32,767 characters in a cell


# -- cell helpers ------------------------------------------------------------------------
def _put(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """Write ``value`` to a cell as data, never as a formula.

    Strings are stripped of characters Excel cannot store and cut to 32,000
    characters; a string that openpyxl would treat as a formula (leading ``=``) or an
    error code (``#N/A``...) is forced back to a plain string.
    """
    if isinstance(value, str):
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > _MAX_TEXT:
            value = value[:_MAX_TEXT] + "…"
    cell = ws.cell(row=row, column=col, value=value)
    if cell.data_type in ("f", "e"):
        cell.data_type = "s"
    return cell


def _row(ws: Worksheet, row: int, values: Sequence[Any], col: int = 1) -> None:
    """Write one row of values; dates get the date format."""
    for j, v in enumerate(values, start=col):
        c = _put(ws, row, j, v)
        if isinstance(v, date):
            c.number_format = DATE_FMT


def _header(
    ws: Worksheet,
    row: int,
    names: Sequence[str | None],
    col: int = 1,
    alignment: Alignment = _CENTER,
) -> None:
    """Write a styled header row (``None`` = a blank, styled cell)."""
    for j, name in enumerate(names):
        c = _put(ws, row, col + j, name)
        c.font = _HEADER_FONT
        c.fill = _HEADER_FILL
        c.alignment = alignment


def _table(
    ws: Worksheet,
    row: int,
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    col: int = 1,
    formats: dict[int, str] | None = None,
) -> int:
    """Write a header and rows; return the last row written."""
    _header(ws, row, names, col)
    r = row
    for values in rows:
        r += 1
        for j, v in enumerate(values):
            c = _put(ws, r, col + j, v)
            if formats and j in formats and v is not None:
                c.number_format = formats[j]
    return r


def _widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _note(ws: Worksheet, row: int, text: str) -> None:
    c = _put(ws, row, 1, text)
    c.font = Font(italic=True, color="7F7F7F")


def _month_key(d: date) -> int:
    return d.year * 12 + d.month - 1


def _money(value: float | None) -> float | None:
    """Money (100M KRW) as stored in a cell: rounded to 2 decimals (억원 to 1M KRW)."""
    return None if value is None else round(value, 2)


def _unit(s: Schedule) -> str:
    """Unit of durations, floats and the makespan: grid slots in the planner's words."""
    if s.plan is not None and s.plan.grid.kind != "calendar":
        return "working days"
    return "days"


def _logic_note(ws: Worksheet, row: int) -> int:
    """Write :data:`LOGIC_NOTE` on two rows from ``row``; return the last row written."""
    for k, line in enumerate(LOGIC_NOTE):
        _note(ws, row + k, line)
    return row + len(LOGIC_NOTE) - 1


def _page_setup(
    ws: Worksheet,
    *,
    title_rows: str,
    title_cols: str | None = None,
    paper: str = Worksheet.PAPERSIZE_A4,
) -> None:
    """Print setup: landscape, one page wide, repeated title rows (and columns).

    Parameters
    ----------
    ws
        The sheet.
    title_rows
        Rows repeated on every printed page, e.g. ``"3:3"``.
    title_cols
        Columns repeated on every printed page, e.g. ``"A:B"`` (Gantt names).
    paper
        Paper size code (``Worksheet.PAPERSIZE_A3`` / ``PAPERSIZE_A4``).
    """
    ps = ws.page_setup
    ps.orientation = "landscape"
    ps.paperSize = paper
    ps.fitToWidth = 1
    ps.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**_MARGINS)
    ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    ws.oddFooter.center.text = "&A: page &P of &N"


class _Styles:
    """Cell styles built once per workbook and copied onto cells (the fast path).

    Assigning ``cell.font = ...`` makes openpyxl hash the style object on every call,
    which dominates the run time on 10,000 activities. Each combination of shared
    style objects is applied once to a scratch cell (not part of any sheet) and its
    ``StyleArray`` (indices into the workbook's style tables) is copied onto cells.
    """

    def __init__(self, wb: Workbook) -> None:
        ws = wb.active
        assert isinstance(ws, Worksheet)
        self._ws = ws
        self._cache: dict[tuple[Any, ...], StyleArray] = {}

    def get(
        self,
        *,
        font: Font | None = None,
        fill: PatternFill | None = None,
        number_format: str | None = None,
        alignment: Alignment | None = None,
        border: Border | None = None,
    ) -> StyleArray:
        """The style array for this combination (built on first use)."""
        key = (font, fill, number_format, alignment, border)
        arr = self._cache.get(key)
        if arr is None:
            probe = Cell(self._ws)
            if font is not None:
                probe.font = font
            if fill is not None:
                probe.fill = fill
            if number_format is not None:
                probe.number_format = number_format
            if alignment is not None:
                probe.alignment = alignment
            if border is not None:
                probe.border = border
            arr = StyleArray() if probe._style is None else StyleArray(probe._style)
            self._cache[key] = arr
        return arr

    @staticmethod
    def apply(cell: Any, style: StyleArray) -> None:
        """Give ``cell`` the style ``style`` (a copy: cells never share arrays)."""
        cell._style = StyleArray(style)


# -- sheets ------------------------------------------------------------------------------
def _summary(ws: Worksheet, s: Schedule) -> None:
    plan = s.plan
    unit = _unit(s)
    _put(ws, 1, 1, "infraplan schedule report").font = _TITLE
    items: list[tuple[str, Any, str | None]] = []
    items.append(("Plan name", plan.name if plan else "", None))
    items.append(("Status", s.status, None))
    if plan is not None:
        grid = plan.grid
        items += [
            ("Plan start", grid.plan_start, DATE_FMT),
            ("Calendar", grid.kind, None),
            ("Horizon end (last day)", grid.finish_date(0, grid.horizon), DATE_FMT),
            ("Horizon (slots)", grid.horizon, None),
        ]
    ms = s.makespan
    finish = plan.grid.finish_date(0, ms) if plan is not None and ms is not None else None
    items += [
        (f"Makespan ({unit})", ms, None),
        ("Finish date", finish, DATE_FMT),
        ("Objectives", ", ".join(s.objectives), None),
        ("Objective value", s.objective, None),
        ("Best bound", s.bound, None),
        ("Gap", s.gap, "0.00%"),
        ("Solve time (s)", round(s.solve_seconds, 3), "0.000"),
    ]
    if plan is not None:
        rows = s.activity_rows()
        items += [
            ("Activities", len(plan.activities), None),
            ("Projects", len({a.project for a in plan.activities}), None),
            ("Dependencies", len(plan.dependencies), None),
            ("Resources", len(plan.resources), None),
            ("Budget periods", len(plan.budgets), None),
            ("Regions", len(plan.regions), None),
            ("Blackouts", len(plan.blackouts), None),
            ("Critical activities", sum(1 for r in rows if r.get("critical")), None),
            ("Driving activities", len(s.driving), None),
        ]
    errors = sum(1 for i in s.issues if i.severity == "error")
    items += [
        ("Issues (errors)", errors, None),
        ("Issues (warnings)", len(s.issues) - errors, None),
    ]
    r = 2
    for label, value, fmt in items:
        r += 1
        _put(ws, r, 1, label).font = _BOLD
        c = _put(ws, r, 2, value)
        c.alignment = _LEFT  # numbers next to their labels, not 70 characters away
        if fmt and value is not None:
            c.number_format = fmt
    # budget years
    budget = s.spend_by_budget()
    if budget:
        r += 1
        all_ok = all(b["within_cap"] for b in budget) if s.has_plan else None
        _put(ws, r, 1, "Budget periods within cap").font = _BOLD
        c = _put(ws, r, 2, "n/a" if all_ok is None else ("yes" if all_ok else "no"))
        c.font = _OK_FONT if all_ok else _WARN_FONT
        for b in budget:
            r += 1
            _put(ws, r, 1, f"  {b['period']}")
            if s.has_plan:
                ok = "yes" if b["within_cap"] else "no"
                text = f"{ok}: spend {b['spend']:,.2f} of cap {b['cap']:,.2f} (100M KRW)"
            else:
                text = f"cap {b['cap']:,.2f} (100M KRW)"
            _put(ws, r, 2, text)
    # how to read the logic columns vs the solved plan
    r += 2
    ws.row_breaks.append(Break(id=r - 1))  # printed: figures on page 1, reading + paths next
    _put(ws, r, 1, "How to read the dates").font = _BOLD
    for label, line in zip(("  logic network (CPM)", "  solved plan"), LOGIC_NOTE, strict=True):
        r += 1
        _put(ws, r, 1, label).alignment = _WRAP
        c = _put(ws, r, 2, line)
        c.alignment = _WRAP
        ws.row_dimensions[r].height = 15 * ceil(len(line) / 60)  # wrapped in column B
    # critical path
    r += 2
    _put(ws, r, 1, "Critical path (logic CPM)").font = _BOLD
    chains = s.critical_path
    if not chains:
        r += 1
        _put(ws, r, 2, "none computed")
    for k, chain in enumerate(chains, start=1):
        r += 1
        _put(ws, r, 1, f"  chain {k} ({len(chain)} activities)")
        _put(ws, r, 2, " → ".join(chain)).alignment = _WRAP  # stays inside the page
    if s.driving:
        r += 1
        _put(ws, r, 1, "Driving path (solved plan)").font = _BOLD
        _put(ws, r, 2, " → ".join(s.driving)).alignment = _WRAP
    # infeasible
    if s.status == "infeasible":
        r += 2
        _put(ws, r, 1, "Why no plan fits").font = _WARN_FONT
        r += 1
        _put(ws, r, 1, "Days needed without horizon and due dates")
        _put(ws, r, 2, s.min_horizon_days)
        if not s.conflicts:
            r += 1
            _put(ws, r, 2, "no conflicting set was named")
        for cf in s.conflicts:
            r += 1
            _put(ws, r, 1, f"  {cf.kind}")
            c = _put(ws, r, 2, cf.message)
            c.alignment = _WRAP
            if cf.activities:
                _put(ws, r, 3, ", ".join(cf.activities))
    if s.status == "invalid":
        r += 2
        _put(ws, r, 1, "The plan has input errors: see the Issues sheet.").font = _WARN_FONT
    _widths(ws, {1: 42, 2: 70, 3: 30})
    _page_setup(ws, title_rows="1:1")


def schedule_columns(unit: str = "days") -> tuple[str, ...]:
    """Header of the Schedule sheet; ``unit`` is ``"days"`` or ``"working days"``."""
    return (
        "id",
        "name",
        "project",
        "sector",
        "region_from",
        "region_to",
        "start",
        "finish",
        f"duration ({unit})",
        "ES",
        "EF",
        "LS",
        "LF",
        f"total float ({unit})",
        f"free float ({unit})",
        f"delay vs early start ({unit})",
        "critical",
        "driving",
        "cost (100M KRW)",
        "demands",
    )


#: Header of the Schedule sheet on a calendar grid.
SCHEDULE_COLUMNS: tuple[str, ...] = schedule_columns()


def _delays(s: Schedule) -> dict[str, int]:
    """Solved start − logic early start per activity (grid slots), where both exist."""
    if not s.has_plan or s.cpm is None:
        return {}
    times = s.cpm.times
    return {aid: start - times[aid].es for aid, start in s.starts.items() if aid in times}


def _schedule(ws: Worksheet, s: Schedule, rows: list[dict[str, Any]], st: _Styles) -> None:
    names = schedule_columns(_unit(s))
    h = SCHEDULE_HEADER_ROW
    _logic_note(ws, 1)
    _header(ws, h, names, alignment=_HEAD_WRAP)
    date_cols = {7, 8, 10, 11, 12, 13}
    money_col = names.index("cost (100M KRW)") + 1
    yes_no = {names.index("critical") + 1, names.index("driving") + 1}
    ncol = len(names)

    def style(j: int, **kw: Any) -> StyleArray:
        fmt = DATE_FMT if j in date_cols else MONEY_FMT if j == money_col else None
        return st.get(number_format=fmt, alignment=_YES_NO if j in yes_no else None, **kw)

    plain = {j: style(j) for j in range(1, ncol + 1)}
    red = {j: style(j, font=_CRIT_FONT, fill=_CRIT_FILL) for j in range(1, ncol + 1)}
    delays = _delays(s)
    for i, row in enumerate(rows, start=h + 1):
        values = (
            row["id"],
            row["name"],
            row["project"],
            row["sector"],
            row["region_from"],
            row["region_to"],
            _iso(row["start"]),
            _iso(row["finish"]),
            row["duration_days"],
            _iso(row.get("es")),
            _iso(row.get("ef")),
            _iso(row.get("ls")),
            _iso(row.get("lf")),
            row.get("total_float_days"),
            row.get("free_float_days"),
            delays.get(row["id"]),
            "yes" if row.get("critical") else "no",
            "yes" if row["driving"] else "no",
            _money(row["cost"]),
            ", ".join(f"{k}: {v}" for k, v in row["demands"].items()),
        )
        styles = red if row.get("critical") else plain
        for j, v in enumerate(values, start=1):
            st.apply(_put(ws, i, j, v), styles[j])
    ws.freeze_panes = ws.cell(row=h + 1, column=3)
    last = max(h, len(rows) + h)
    ws.auto_filter.ref = f"A{h}:{get_column_letter(ncol)}{last}"
    ws.row_dimensions[h].height = 45  # headers wrapped on up to three lines
    widths = (
        14,
        36,
        18,
        9,
        11,
        11,
        11.5,
        11.5,
        9,
        11.5,
        11.5,
        11.5,
        11.5,
        10,
        10,
        10,
        8,
        8,
        12,
        28,
    )
    _widths(ws, dict(enumerate(widths, start=1)))
    _page_setup(ws, title_rows=f"{h}:{h}", paper=Worksheet.PAPERSIZE_A3)
    if not rows:
        _note(ws, h + 1, "no activities")


def _gantt(ws: Worksheet, s: Schedule, rows: list[dict[str, Any]], st: _Styles) -> None:
    plan = s.plan
    _put(ws, 1, 1, "Gantt by month").font = _TITLE
    legend = (
        "red = critical (longest logic path); blue = other activities; dark grey = "
        f"project; {_DRIVING_MARK} = on the driving path of the solved plan; "
        f"{_MILESTONE_MARK} = milestone"
    )
    _put(ws, 2, 1, legend)
    _logic_note(ws, 3)  # rows 3 and 4, above the year row
    h, y = GANTT_HEADER_ROW, GANTT_YEAR_ROW
    _page_setup(ws, title_rows=f"{y}:{h}", title_cols="A:B", paper=Worksheet.PAPERSIZE_A3)
    if plan is None or not s.has_plan:
        _note(ws, h, f"no solved plan (status {s.status}): no bars to draw")
        return
    first = _month_key(plan.plan_start)
    finishes = [_iso(r["finish"]) for r in rows]
    last = max([_month_key(d) for d in finishes if d] + [first])
    n_months = last - first + 1
    fixed = ("project / id", "name", "start", "finish", f"float ({_unit(s)})", "flags")
    _header(ws, y, [None] * len(fixed))
    _header(ws, h, fixed, alignment=_HEAD_WRAP)
    ws.row_dimensions[h].height = 30  # "float (working days)" on two lines
    # two header rows: the year (merged over its months) above "Jan".."Dec"
    _header(ws, h, [_MONTH_ABBR[(first + k) % 12] for k in range(n_months)], GANTT_FIRST_MONTH_COL)
    for k in range(n_months):
        col = GANTT_FIRST_MONTH_COL + k
        ws.column_dimensions[get_column_letter(col)].width = _MONTH_WIDTH
        key = first + k
        if k == 0 or key % 12 == 0:
            span = min(12 - key % 12, n_months - k)
            _header(ws, y, [str(key // 12)], col)
            for j in range(1, span):
                _header(ws, y, [None], col + j)
            if span > 1:
                ws.merge_cells(start_row=y, start_column=col, end_row=y, end_column=col + span - 1)
    # styles, built once
    project_text = st.get(font=_BOLD, fill=_PROJECT_FILL)
    project_date = st.get(font=_BOLD, fill=_PROJECT_FILL, number_format=DATE_FMT)
    project_bar = st.get(fill=_BAR_PROJECT, border=_BAR_BORDER)
    text = {False: st.get(), True: st.get(font=_CRIT_FONT)}
    dated = {
        False: st.get(number_format=DATE_FMT),
        True: st.get(font=_CRIT_FONT, number_format=DATE_FMT),
    }
    bar = {
        False: st.get(fill=_BAR_NORMAL, border=_BAR_BORDER),
        True: st.get(fill=_BAR_CRIT, border=_BAR_BORDER),
    }
    marked = {
        False: st.get(fill=_BAR_NORMAL, border=_BAR_BORDER, font=_HEADER_FONT, alignment=_CENTER),
        True: st.get(fill=_BAR_CRIT, border=_BAR_BORDER, font=_HEADER_FONT, alignment=_CENTER),
    }
    # group by project, in order of first appearance
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["project"] or "(no project)", []).append(row)
    r = h
    for project, members in groups.items():
        starts = [d for d in (_iso(m["start"]) for m in members) if d]
        ends = [d for d in (_iso(m["finish"]) for m in members) if d]
        r += 1
        p_start, p_finish = min(starts), max(ends)
        head = (project, f"{len(members)} activities", p_start, p_finish, None, None)
        for j, v in enumerate(head, start=1):
            st.apply(_put(ws, r, j, v), project_date if isinstance(v, date) else project_text)
        for k in range(_month_key(p_start) - first, _month_key(p_finish) - first + 1):
            st.apply(ws.cell(row=r, column=GANTT_FIRST_MONTH_COL + k), project_bar)
        for m in members:
            r += 1
            ws.row_dimensions[r].outlineLevel = 1
            crit = bool(m.get("critical"))
            flags = "".join(
                (
                    "C" if crit else "",
                    "D" if m["driving"] else "",
                    "M" if m["duration_days"] == 0 else "",
                )
            )
            a_start, a_finish = _iso(m["start"]), _iso(m["finish"])
            values = (m["id"], m["name"], a_start, a_finish, m.get("total_float_days"), flags)
            for j, v in enumerate(values, start=1):
                st.apply(_put(ws, r, j, v), dated[crit] if isinstance(v, date) else text[crit])
            if a_start is None or a_finish is None:
                continue
            mark = (
                _MILESTONE_MARK
                if m["duration_days"] == 0
                else (_DRIVING_MARK if m["driving"] else None)
            )
            for k in range(_month_key(a_start) - first, _month_key(a_finish) - first + 1):
                c = ws.cell(row=r, column=GANTT_FIRST_MONTH_COL + k)
                if mark:
                    c.value = mark
                    st.apply(c, marked[crit])
                else:
                    st.apply(c, bar[crit])
    ws.freeze_panes = ws.cell(row=h + 1, column=GANTT_FIRST_MONTH_COL)
    ws.sheet_properties.outlinePr.summaryBelow = False
    _widths(ws, {1: 16, 2: 28, 3: 11.5, 4: 11.5, 5: 8, 6: 6})


def _critical(ws: Worksheet, s: Schedule, rows: list[dict[str, Any]]) -> None:
    by_id = {r["id"]: r for r in rows}
    _put(ws, 1, 1, "Critical path: longest logic path (CPM), every parallel chain").font = _TITLE
    unit = _unit(s)
    top = _logic_note(ws, 2) + 1
    names = (
        "chain",
        "step",
        "id",
        "name",
        "start",
        "finish",
        "ES",
        "EF",
        "LS",
        "LF",
        f"total float ({unit})",
        f"free float ({unit})",
    )
    _header(ws, top, names, alignment=_HEAD_WRAP)
    ws.row_dimensions[top].height = 30  # float headers on two lines
    _page_setup(ws, title_rows=f"{top}:{top}")
    r = top
    if not s.critical_path:
        r += 1
        _note(ws, r, "no critical path computed")
    for k, chain in enumerate(s.critical_path, start=1):
        for step, aid in enumerate(chain, start=1):
            r += 1
            a = by_id.get(aid, {"id": aid, "name": "", "start": None, "finish": None})
            values: tuple[Any, ...] = (
                k,
                step,
                aid,
                a.get("name"),
                _iso(a.get("start")),
                _iso(a.get("finish")),
                _iso(a.get("es")),
                _iso(a.get("ef")),
                _iso(a.get("ls")),
                _iso(a.get("lf")),
                a.get("total_float_days"),
                a.get("free_float_days"),
            )
            _row(ws, r, values)
    r += 2
    _put(
        ws, r, 1, "Driving path of the solved plan (logic, resource, budget, blackout)"
    ).font = _TITLE
    r += 1
    _header(
        ws,
        r,
        (
            "step",
            "predecessor",
            "successor",
            "link kind",
            "detail",
            "successor start",
            "successor finish",
        ),
    )
    if s.driving_links:
        for step, link in enumerate(s.driving_links, start=1):
            r += 1
            succ = by_id.get(link.successor, {})
            values = (
                step,
                link.predecessor or "(plan start)",
                link.successor,
                link.kind,
                link.detail,
                _iso(succ.get("start")),
                _iso(succ.get("finish")),
            )
            _row(ws, r, values)
    elif s.driving:
        for step, aid in enumerate(s.driving, start=1):
            r += 1
            a = by_id.get(aid, {})
            values = (step, "", aid, "", "", _iso(a.get("start")), _iso(a.get("finish")))
            _row(ws, r, values)
    else:
        r += 1
        _note(ws, r, "no driving path (no solved plan)")
    _widths(
        ws,
        {
            1: 8,
            2: 14,
            3: 14,
            4: 34,
            5: 14,
            6: 14,
            7: 14,
            8: 11.5,
            9: 11.5,
            10: 11.5,
            11: 10,
            12: 10,
        },
    )


def _share(peak: int, capacity: int) -> float | None:
    """Peak daily use as a share of capacity (1.0 = full); ``None`` if capacity is 0."""
    return round(peak / capacity, 4) if capacity else None


def _band(peak: int, capacity: int) -> str:
    """Colour band of a month's peak use: ``idle``, ``ok``, ``busy`` or ``over``."""
    if peak <= 0:
        return "idle"
    if capacity <= 0 or peak > capacity * _FULL_SHARE:
        return "over"
    return "busy" if peak >= capacity * _BUSY_SHARE else "ok"


def _scarce(
    resources: Sequence[str], info: dict[str, Any], stats: dict[str, tuple[float, int, float]]
) -> list[str]:
    """Resources charted on the Resources sheet, busiest first.

    National resources (no region) that reach 80 % of capacity in some month, ranked
    by months at >= 80 %, then mean share; all resources if none is national; the
    busiest one alone if none reaches 80 %. At most eight.
    """
    national = [rid for rid in resources if rid in info and not info[rid].region]
    pool = national or list(resources)
    ranked = sorted(pool, key=lambda rid: (-stats[rid][1], -stats[rid][2], resources.index(rid)))
    scarce = [rid for rid in ranked if stats[rid][0] >= _BUSY_SHARE][:_MAX_RESOURCE_CHARTS]
    return scarce or ranked[:1]


def _resources(ws: Worksheet, s: Schedule, styles: _Styles) -> None:
    """Resources sheet: a month x resource matrix of peak use / capacity, coloured.

    Layout: a colour key (row 2); the matrix (months down, one narrow column per
    resource, header row :data:`RESOURCES_HEADER_ROW`); a resource key below it (name,
    unit, scope, capacity, highest share, months at >= 80 %); one small bar chart of
    peak use with its capacity line per scarce resource (national resources that reach
    80 % in some month, busiest first, at most nine; regional ones if there is no
    national one; the busiest resource if none reaches 80 %). Beside the matrix, from
    column :data:`RESOURCES_LONG_COL`, a long table (resource, month, peak, average,
    capacity, share) with an auto-filter, sharing the matrix's header row so the one
    repeated print row heads both. Use is in units per day (crews, machines, plants).
    """
    use = s.resource_use_by_month()
    _put(ws, 1, 1, "Resource use per month: peak daily use as a share of capacity").font = _TITLE
    _page_setup(ws, title_rows="1:1")  # the header row once there is a table (below)
    if not use:
        _note(ws, 2, "no resource use (no solved plan or no resources)")
        return
    plan = s.plan
    assert plan is not None
    info = {r.id: r for r in plan.resources}
    resources = list(dict.fromkeys(u["resource"] for u in use))
    months = sorted({u["month"] for u in use})
    cell_of = {(u["resource"], u["month"]): u for u in use}
    band_styles = {
        band: styles.get(font=font, fill=fill, number_format=PCT_FMT, alignment=_CENTER)
        for band, (font, fill) in _BAND_STYLE.items()
    }
    # colour key
    _put(ws, 2, 1, "key:").font = _BOLD
    for j, (band, label) in enumerate(_BAND_LEGEND, start=2):
        styles.apply(_put(ws, 2, j, label), band_styles[band])
    _put(
        ws,
        2,
        len(_BAND_LEGEND) + 2,
        "cell = highest daily use in the month ÷ capacity; red (over capacity) must "
        "never appear in a feasible plan; ≥80% mo. = months at 80 % or more",
    ).font = _NOTE_FONT
    # month x resource matrix
    top = RESOURCES_HEADER_ROW
    _header(ws, top, ["month", *resources])
    for i, m in enumerate(months, start=top + 1):
        _put(ws, i, 1, m).alignment = _CENTER
        for j, rid in enumerate(resources, start=2):
            u = cell_of.get((rid, m))
            if u is None:
                continue
            c = _put(ws, i, j, _share(u["peak"], u["capacity"]))
            if c.value is None:  # capacity 0 that month
                c.value = "cap 0" if u["peak"] else "—"
            styles.apply(c, band_styles[_band(u["peak"], u["capacity"])])
    last = top + len(months)
    width = 1 + len(resources)
    # resource key: what each column is
    stats: dict[str, tuple[float, int, float]] = {}
    for rid in resources:
        rows = [cell_of[(rid, m)] for m in months if (rid, m) in cell_of]
        shares = [
            u["peak"] / u["capacity"] if u["capacity"] else (inf if u["peak"] else 0.0)
            for u in rows
        ]
        busy = sum(1 for u in rows if _band(u["peak"], u["capacity"]) in ("busy", "over"))
        stats[rid] = (max(shares, default=0.0), busy, sum(shares) / max(len(shares), 1))
    key_head = ["resource", "unit", "scope", "capacity", "highest", "≥80% mo.", "name"]
    n_charts = len(_scarce(resources, info, stats))
    left_cols = max(width, 1 + _CHART_COLS * min(n_charts, _CHARTS_PER_ROW), len(key_head))
    key_top = last + 2
    _header(ws, key_top, key_head + [None] * (left_cols - len(key_head)))
    for i, rid in enumerate(resources, start=key_top + 1):
        res = info.get(rid)
        caps = [cell_of[(rid, m)]["capacity"] for m in months if (rid, m) in cell_of]
        lo, hi = min(caps), max(caps)
        highest, busy, _ = stats[rid]
        _row(
            ws,
            i,
            [
                rid,
                res.unit if res else "",
                (res.region or "national") if res else "",
                lo if lo == hi else f"{lo}–{hi}",
                round(highest, 4) if highest != inf else "cap 0",
                busy,
                res.name if res else "",
            ],
        )
        ws.cell(i, 4).alignment = _CENTER
        ws.cell(i, 5).number_format = PCT_FMT
        ws.cell(i, 5).alignment = _CENTER
        ws.cell(i, 6).alignment = _CENTER
    key_last = key_top + len(resources)
    # long table beside the matrix, for filtering; also the charts' data
    lc = left_cols + 2  # the long table, after one blank column
    long_rows: list[list[Any]] = []
    block: dict[str, tuple[int, int]] = {}
    for rid in resources:
        first = top + 1 + len(long_rows)
        for m in months:
            u = cell_of.get((rid, m))
            if u is not None:
                long_rows.append(
                    [
                        rid,
                        m,
                        u["peak"],
                        u["average"],
                        u["capacity"],
                        _share(u["peak"], u["capacity"]),
                    ]
                )
        block[rid] = (first, top + len(long_rows))
    long_last = _table(
        ws,
        top,
        ("resource", "month", "peak", "average", "capacity", "share"),
        long_rows,
        col=lc,
        formats={3: "0.00", 5: PCT_FMT},
    )
    for i, line in enumerate(long_rows, start=top + 1):
        styles.apply(ws.cell(i, lc + 5), band_styles[_band(line[2], line[4])])
    _put(ws, 2, lc, "All months (filter here): daily use in units per day").font = _BOLD
    ws.auto_filter.ref = f"{get_column_letter(lc)}{top}:{get_column_letter(lc + 5)}{long_last}"
    # small charts: peak use (bars) against capacity (line), one per scarce resource
    scarce = _scarce(resources, info, stats)
    chart_top = key_last + 2
    ws.row_breaks.append(Break(id=chart_top - 1))  # printed: the charts on a page of their own
    what = "national " if any(rid in info and not info[rid].region for rid in resources) else ""
    _put(
        ws,
        chart_top,
        1,
        f"Scarce {what}resources: peak daily use (bars) against capacity (line), busiest first",
    ).font = _BOLD
    for k, rid in enumerate(scarce):
        r0, r1 = block[rid]
        bar = BarChart()
        res = info.get(rid)
        unit = f" ({res.unit}s)" if res and res.unit else ""
        bar.title = f"{rid}{unit}"
        bar.add_data(Reference(ws, min_col=lc + 2, min_row=r0, max_row=r1))
        bar.series[0].tx = SeriesLabel(v="peak")
        cap = LineChart()
        cap.add_data(Reference(ws, min_col=lc + 4, min_row=r0, max_row=r1))
        cap.series[0].tx = SeriesLabel(v="capacity")
        cap.series[0].graphicalProperties.line.solidFill = "C00000"
        cap.series[0].graphicalProperties.line.width = 28575  # 2.25 pt
        cap.series[0].smooth = False
        cats = Reference(ws, min_col=lc + 1, min_row=r0, max_row=r1)
        bar.set_categories(cats)
        cap.set_categories(cats)
        top_units = max(max(line[2], line[4]) for line in long_rows[r0 - top - 1 : r1 - top])
        step = max(1, ceil(top_units / 5))
        bar.y_axis.scaling.min = 0
        bar.y_axis.scaling.max = top_units + step  # the capacity line below the top edge
        bar.y_axis.majorUnit = step
        bar.y_axis.delete = False
        bar.x_axis.delete = False
        bar.legend.position = "b"
        bar.gapWidth = 40
        bar += cap
        bar.height, bar.width = 6.6, 8.4
        row = chart_top + 1 + (k // _CHARTS_PER_ROW) * _CHART_ROWS
        col = 2 + (k % _CHARTS_PER_ROW) * _CHART_COLS
        ws.add_chart(bar, f"{get_column_letter(col)}{row}")
    chart_last = chart_top + ceil(len(scarce) / _CHARTS_PER_ROW) * _CHART_ROWS
    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    _page_setup(ws, title_rows=f"{top}:{top}")
    ws.print_area = [
        f"A1:{get_column_letter(left_cols)}{chart_last}",
        f"{get_column_letter(lc)}1:{get_column_letter(lc + 5)}{long_last}",
    ]
    _widths(ws, {j: _RES_COL_WIDTH for j in range(2, left_cols + 1)})
    _widths(ws, {1: 10, lc: 11, lc + 1: 9, lc + 2: 8, lc + 3: 8, lc + 4: 8, lc + 5: 8})


def _budget(ws: Worksheet, s: Schedule) -> None:
    _put(ws, 1, 1, "Budget: spend against cap (100M KRW)").font = _TITLE
    _page_setup(ws, title_rows="1:1")  # two tables: only the title repeats
    periods = s.spend_by_budget()
    r = 3
    if periods:
        rows = [
            (
                b["period"],
                _iso(b["from"]),
                _iso(b["to"]),
                _money(b["spend"]),
                _money(b["cap"]),
                _money(b["cap"] - b["spend"]),
                "yes" if b["within_cap"] else "no",
            )
            for b in periods
        ]
        last = _table(
            ws,
            r,
            ("period", "from", "to", "spend", "cap", "headroom", "within cap"),
            rows,
            formats={1: DATE_FMT, 2: DATE_FMT, 3: MONEY_FMT, 4: MONEY_FMT, 5: MONEY_FMT},
        )
        for rr in range(r + 1, last + 1):
            c = ws.cell(row=rr, column=7)
            c.font = _OK_FONT if c.value == "yes" else _WARN_FONT
        bar = BarChart()
        bar.title = "Spend vs cap per budget period"
        bar.y_axis.title = "100M KRW"
        bar.height, bar.width = 8, 16
        bar.add_data(
            Reference(ws, min_col=4, max_col=5, min_row=r, max_row=last), titles_from_data=True
        )
        bar.set_categories(Reference(ws, min_col=1, min_row=r + 1, max_row=last))
        ws.add_chart(bar, "I3")
        r = max(last, r + 16) + 2
    else:
        _note(ws, r, "no budget caps in this plan")
        r += 2
    monthly = s.spend_by_month()
    _put(ws, r, 1, "Spend per month and cumulative (S-curve)").font = _BOLD
    r += 1
    if not monthly:
        _note(ws, r, "no solved plan: no spend")
    else:
        top = r
        last = _table(
            ws,
            top,
            ("month", "spend", "cumulative"),
            [(m["month"], _money(m["spend"]), _money(m["cumulative"])) for m in monthly],
            formats={1: MONEY_FMT, 2: MONEY_FMT},
        )
        line = LineChart()
        line.title = "Cumulative spend (S-curve) and monthly spend"
        line.y_axis.title = "100M KRW"
        line.x_axis.title = "month"
        line.height, line.width = 9, 22
        line.add_data(
            Reference(ws, min_col=2, max_col=3, min_row=top, max_row=last), titles_from_data=True
        )
        line.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=last))
        ws.add_chart(line, f"I{top}")
    _widths(ws, {1: 14, 2: 12, 3: 12, 4: 12, 5: 12, 6: 12, 7: 11})


def _network(ws: Worksheet, s: Schedule) -> None:
    plan = s.plan
    _put(
        ws,
        1,
        1,
        "Corridor network: month from which each pair of regions is connected "
        "by completed links of a sector",
    ).font = _TITLE
    _put(
        ws,
        2,
        1,
        "A link counts from the month its last activity finishes; pairs joined "
        "through other regions count too. Blank = not connected within the plan.",
    )
    _page_setup(ws, title_rows="1:1")  # two tables: only the title repeats
    names = {r.id: r.name for r in plan.regions} if plan else {}
    rows = connection_months(s)
    r = 4
    if not rows:
        _note(ws, r, "no corridor links, or no solved plan")
        _widths(ws, {1: 12})
        return
    last = _table(
        ws,
        r,
        ("sector", "region a", "region a name", "region b", "region b name", "connected from"),
        [
            (
                x["sector"],
                x["region_a"],
                names.get(x["region_a"], ""),
                x["region_b"],
                names.get(x["region_b"], ""),
                x["connected_from"],
            )
            for x in rows
        ],
    )
    ws.auto_filter.ref = f"A{r}:F{last}"
    ws.freeze_panes = ws.cell(row=r + 1, column=1)
    # the links themselves
    assert plan is not None
    r = last + 2
    _put(ws, r, 1, "Links (sector, regions, activities, completed on)").font = _BOLD
    finish = link_finish_slots(plan, s.ends())
    links = link_activities(plan)
    _table(
        ws,
        r + 1,
        ("sector", "region a", "region b", "activities", "completed on"),
        [
            (sec, ra, rb, ", ".join(ids), plan.grid.date_of(finish[(sec, ra, rb)]))
            for (sec, ra, rb), ids in sorted(links.items())
        ],
        formats={4: DATE_FMT},
    )
    _widths(ws, {1: 10, 2: 12, 3: 20, 4: 12, 5: 20, 6: 15})


def _issues(ws: Worksheet, s: Schedule) -> None:
    issues: list[Issue] = list(s.issues)
    if s.plan is not None:
        seen = set(issues)
        for w in s.plan.warnings:
            if isinstance(w, Issue):
                if w not in seen:
                    issues.append(w)
                    seen.add(w)
            else:
                issues.append(Issue("", None, "", str(w), "warning"))
    _header(ws, 1, ("severity", "sheet", "row", "column", "message"))
    _page_setup(ws, title_rows="1:1")
    if not issues:
        _put(ws, 2, 1, "no issues")
    for i, issue in enumerate(issues, start=2):
        values = (issue.severity, issue.sheet, issue.row, issue.column, issue.message)
        for j, v in enumerate(values, start=1):
            c = _put(ws, i, j, v)
            if issue.severity == "error":
                c.font = _CRIT_FONT
    ws.freeze_panes = "A2"
    if issues:
        ws.auto_filter.ref = f"A1:E{len(issues) + 1}"
    _widths(ws, {1: 10, 2: 16, 3: 7, 4: 16, 5: 100})


# -- entry point -------------------------------------------------------------------------
def write_report(schedule: Schedule, path: str | Path) -> Path:
    """Write the Excel report of a schedule.

    Parameters
    ----------
    schedule
        Any schedule: solved (``optimal``/``feasible``), ``infeasible`` (the Summary
        names the conflicting constraints and the days needed) or ``invalid`` (the
        Issues sheet lists every problem). Never raises for lack of a plan.
    path
        Target ``.xlsx`` file; its folder is created if missing.

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
    sheets = [wb.active] + [wb.create_sheet() for _ in SHEETS[1:]]
    for ws, name in zip(sheets, SHEETS, strict=True):
        assert ws is not None
        ws.title = name
    styles = _Styles(wb)
    rows = schedule.activity_rows()
    _summary(wb["Summary"], schedule)
    _schedule(wb["Schedule"], schedule, rows, styles)
    _gantt(wb["Gantt"], schedule, rows, styles)
    _critical(wb["Critical path"], schedule, rows)
    _resources(wb["Resources"], schedule, styles)
    _budget(wb["Budget"], schedule)
    _network(wb["Network"], schedule)
    _issues(wb["Issues"], schedule)
    wb.save(out)
    log.info("report written to %s (%d activities)", out, len(rows))
    return out
