"""The Schedule sheet: one row per activity (solved dates, logic dates, floats,
delay vs early start, critical/driving flags, cost, demands, progress: status, actual
start and finish, remaining duration), critical rows in red.

Two floats, labelled apart: total and free float of the logic CPM (P6's, "logic") and
the plan float of the solved plan (:mod:`scheduler.plan_float`, "leveled"), right
after the total float.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.report.cells import header, iso, logic_note, money, note, put_styled, unit_of, widths
from scheduler.report.styles import (
    CRIT_FILL,
    CRIT_FONT,
    DATE_FMT,
    HEAD_WRAP,
    MONEY_FMT,
    YES_NO,
    Styles,
    page_setup,
)
from scheduler.solution import Schedule

#: Schedule layout: two note lines, then the header row.
SCHEDULE_HEADER_ROW = 3


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
        f"total float (logic, {unit})",
        f"plan float (leveled, {unit})",
        f"free float (logic, {unit})",
        f"delay vs early start ({unit})",
        "critical",
        "driving",
        "cost (100M KRW)",
        "demands",
        "progress",
        "actual start",
        "actual finish",
        f"remaining ({unit})",
    )


#: Header of the Schedule sheet on a calendar grid.
SCHEDULE_COLUMNS: tuple[str, ...] = schedule_columns()


def _delays(s: Schedule) -> dict[str, int]:
    """Solved start − logic early start per activity (grid slots), where both exist."""
    if not s.has_plan or s.cpm is None:
        return {}
    times = s.cpm.times
    shown = s.start_slots()  # an activity that started: its actual start, as its es
    return {aid: start - times[aid].es for aid, start in shown.items() if aid in times}


def write_schedule(ws: Worksheet, s: Schedule, rows: list[dict[str, Any]], st: Styles) -> None:
    """Write the Schedule sheet of ``s`` into ``ws`` (an empty sheet).

    Parameters
    ----------
    ws
        The sheet to fill.
    s
        The schedule: any status; a sheet without data says so in a note line.
    rows
        ``s.activity_rows()``, computed once for the whole report.
    st
        The workbook's shared :class:`~scheduler.report.styles.Styles`.
    """
    names = schedule_columns(unit_of(s))
    h = SCHEDULE_HEADER_ROW
    logic_note(ws, 1)
    header(ws, h, names, alignment=HEAD_WRAP)
    date_cols = {
        7,
        8,
        10,
        11,
        12,
        13,
        names.index("actual start") + 1,
        names.index("actual finish") + 1,
    }
    money_col = names.index("cost (100M KRW)") + 1
    yes_no = {names.index("critical") + 1, names.index("driving") + 1}
    ncol = len(names)

    def style(j: int, **kw: Any) -> StyleArray:
        fmt = DATE_FMT if j in date_cols else MONEY_FMT if j == money_col else None
        return st.get(number_format=fmt, alignment=YES_NO if j in yes_no else None, **kw)

    plain = {j: style(j) for j in range(1, ncol + 1)}
    red = {j: style(j, font=CRIT_FONT, fill=CRIT_FILL) for j in range(1, ncol + 1)}
    delays = _delays(s)
    for i, row in enumerate(rows, start=h + 1):
        values = (
            row["id"],
            row["name"],
            row["project"],
            row["sector"],
            row["region_from"],
            row["region_to"],
            iso(row["start"]),
            iso(row["finish"]),
            row["duration_days"],
            iso(row.get("es")),
            iso(row.get("ef")),
            iso(row.get("ls")),
            iso(row.get("lf")),
            row.get("total_float_days"),
            row.get("plan_float_days"),
            row.get("free_float_days"),
            delays.get(row["id"]),
            "yes" if row.get("critical") else "no",
            "yes" if row["driving"] else "no",
            money(row["cost"]),
            ", ".join(f"{k}: {v}" for k, v in row["demands"].items()),
            row["progress_status"].replace("_", " "),
            iso(row["actual_start"]),
            iso(row["actual_finish"]),
            row["remaining_days"],
        )
        styles = red if row.get("critical") else plain
        for j, v in enumerate(values, start=1):
            put_styled(st, ws, i, j, v, styles[j])
    ws.freeze_panes = ws.cell(row=h + 1, column=3)
    last = max(h, len(rows) + h)
    ws.auto_filter.ref = f"A{h}:{get_column_letter(ncol)}{last}"
    ws.row_dimensions[h].height = 45  # headers wrapped on up to three lines
    col_widths = (
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
        10,
        8,
        8,
        12,
        28,
        11,
        11.5,
        11.5,
        10,
    )
    widths(ws, dict(enumerate(col_widths, start=1)))
    page_setup(ws, title_rows=f"{h}:{h}", paper=Worksheet.PAPERSIZE_A3)
    if not rows:
        note(ws, h + 1, "no activities")
