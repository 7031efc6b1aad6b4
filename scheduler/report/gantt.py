"""The Gantt sheet: activities grouped by project against a month grid (year row
over "Jan".."Dec"), critical bars in red, driving and milestone marks, and with a
baseline a thin amber bar under each activity's bar over the months the baseline had it.

With progress (a data date), as P6 draws it: the months an activity worked before the
data date are its actual bar (navy), the rest its remaining bar (blue, red when
critical); the data date's month is framed by a teal dashed line down the sheet and
its month header is teal. A month is the grid's unit: the data date's month shows as
actual for work in progress that started before it (work was done in it).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from openpyxl.styles import Border, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.report.cells import (
    header,
    iso,
    logic_note,
    month_key,
    note,
    put,
    put_styled,
    unit_of,
    widths,
)
from scheduler.report.styles import (
    BAR_ACTUAL,
    BAR_CRIT,
    BAR_NORMAL,
    BAR_PROJECT,
    BASELINE_SIDE,
    BOLD,
    CENTER,
    CRIT_FONT,
    DATA_DATE_FILL,
    DATA_DATE_SIDE,
    DATE_FMT,
    DRIVING_MARK,
    HEAD_WRAP,
    HEADER_FONT,
    MILESTONE_MARK,
    PROJECT_FILL,
    THIN,
    TITLE,
    Styles,
    page_setup,
)
from scheduler.solution import Schedule

#: Gantt layout (1-based), for readers and tests: the year row, the header row (fixed
#: column names and month abbreviations "Jan".."Dec") and the first month column.
GANTT_YEAR_ROW = 5
GANTT_HEADER_ROW = 6
GANTT_FIRST_MONTH_COL = 7
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_WIDTH = 4.7  # fits "Jan".."Dec" and a year such as "2027", unrotated


def write_gantt(ws: Worksheet, s: Schedule, rows: list[dict[str, Any]], st: Styles) -> None:
    """Write the Gantt sheet of ``s`` into ``ws`` (an empty sheet).

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
    plan = s.plan
    put(ws, 1, 1, "Gantt by month").font = TITLE
    legend = (
        "red = critical (longest logic path); blue = other activities; dark grey = "
        f"project; {DRIVING_MARK} = on the driving path of the solved plan; "
        f"{MILESTONE_MARK} = milestone"
    )
    if plan is not None and plan.baseline is not None:
        legend += f"; thin amber bar under a bar = the baseline's months ({plan.baseline.name})"
    dd = None if plan is None or plan.data_date is None else plan.grid.date_of(plan.data_date)
    if dd is not None:
        legend += (
            "; navy = actual (months worked before the data date), blue/red = remaining;"
            f" teal dashed column = the month of the data date ({dd.isoformat()})"
        )
    put(ws, 2, 1, legend)
    logic_note(ws, 3)  # rows 3 and 4, above the year row
    h, y = GANTT_HEADER_ROW, GANTT_YEAR_ROW
    page_setup(ws, title_rows=f"{y}:{h}", title_cols="A:B", paper=Worksheet.PAPERSIZE_A3)
    if plan is None or not s.has_plan:
        note(ws, h, f"no solved plan (status {s.status}): no bars to draw")
        return
    first = month_key(plan.plan_start)
    finishes = [iso(r["finish"]) for r in rows] + [iso(r.get("baseline_finish")) for r in rows]
    last = max([month_key(d) for d in finishes if d] + [first])
    n_months = last - first + 1
    fixed = (
        "project / id",
        "name",
        "start",
        "finish",
        f"total float (logic, {unit_of(s)})",
        "flags",
    )
    header(ws, y, [None] * len(fixed))
    header(ws, h, fixed, alignment=HEAD_WRAP)
    ws.row_dimensions[h].height = 45  # "total float (logic, working days)" on three lines
    # two header rows: the year (merged over its months) above "Jan".."Dec"
    header(ws, h, [_MONTH_ABBR[(first + k) % 12] for k in range(n_months)], GANTT_FIRST_MONTH_COL)
    dd_k = None if dd is None else month_key(dd) - first
    if dd_k is not None and 0 <= dd_k < n_months:
        c = ws.cell(row=h, column=GANTT_FIRST_MONTH_COL + dd_k)
        c.fill = DATA_DATE_FILL
    for k in range(n_months):
        col = GANTT_FIRST_MONTH_COL + k
        ws.column_dimensions[get_column_letter(col)].width = _MONTH_WIDTH
        key = first + k
        if k == 0 or key % 12 == 0:
            span = min(12 - key % 12, n_months - k)
            header(ws, y, [str(key // 12)], col)
            for j in range(1, span):
                header(ws, y, [None], col + j)
            if span > 1:
                ws.merge_cells(start_row=y, start_column=col, end_row=y, end_column=col + span - 1)
    # styles, built once
    project_text = st.get(font=BOLD, fill=PROJECT_FILL)
    project_date = st.get(font=BOLD, fill=PROJECT_FILL, number_format=DATE_FMT)
    text = {False: st.get(), True: st.get(font=CRIT_FONT)}
    dated = {
        False: st.get(number_format=DATE_FMT),
        True: st.get(font=CRIT_FONT, number_format=DATE_FMT),
    }
    cache: dict[tuple[PatternFill | None, bool, bool, bool], Any] = {}

    def month_cell(
        k: int, fill: PatternFill | None, *, mark: bool = False, base: bool = False
    ) -> Any:
        """Style of month ``k`` of a row: bar ``fill`` (None: no bar), the white mark
        font, the baseline's amber bottom line, the data date's dashed sides."""
        on_dd = k == dd_k
        key = (fill, mark, base, on_dd)
        if key not in cache:
            side = DATA_DATE_SIDE if on_dd else (THIN if fill is not None else None)
            border = Border(left=side, right=side, bottom=BASELINE_SIDE if base else None)
            cache[key] = st.get(
                fill=fill,
                border=border,
                font=HEADER_FONT if mark else None,
                alignment=CENTER if mark else None,
            )
        return cache[key]

    def put_month(row: int, k: int, style: Any, value: str | None = None) -> None:
        c = ws.cell(row=row, column=GANTT_FIRST_MONTH_COL + k)
        if value is not None:
            c.value = value
        st.apply(c, style)

    # group by project, in order of first appearance
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["project"] or "(no project)", []).append(row)
    r = h
    for project, members in groups.items():
        starts = [d for d in (iso(m["start"]) for m in members) if d]
        ends = [d for d in (iso(m["finish"]) for m in members) if d]
        r += 1
        p_start, p_finish = min(starts), max(ends)
        head = (project, f"{len(members)} activities", p_start, p_finish, None, None)
        for j, v in enumerate(head, start=1):
            put_styled(st, ws, r, j, v, project_date if isinstance(v, date) else project_text)
        for k in range(month_key(p_start) - first, month_key(p_finish) - first + 1):
            put_month(r, k, month_cell(k, BAR_PROJECT))
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
            a_start, a_finish = iso(m["start"]), iso(m["finish"])
            values = (m["id"], m["name"], a_start, a_finish, m.get("total_float_days"), flags)
            for j, v in enumerate(values, start=1):
                put_styled(st, ws, r, j, v, dated[crit] if isinstance(v, date) else text[crit])
            if a_start is None or a_finish is None:
                continue
            mark = (
                MILESTONE_MARK
                if m["duration_days"] == 0
                else (DRIVING_MARK if m["driving"] else None)
            )
            b_start, b_finish = iso(m.get("baseline_start")), iso(m.get("baseline_finish"))
            in_base: set[int] = set()
            if b_start is not None and b_finish is not None:
                in_base = set(range(month_key(b_start) - first, month_key(b_finish) - first + 1))
            months = range(month_key(a_start) - first, month_key(a_finish) - first + 1)
            worked = _worked_months(m, dd)
            for k in months:
                fill = (
                    BAR_ACTUAL
                    if worked is not None and worked[0] <= k + first <= worked[1]
                    else (BAR_CRIT if crit else BAR_NORMAL)
                )
                put_month(r, k, month_cell(k, fill, mark=bool(mark), base=k in in_base), mark)
            for k in sorted(in_base - set(months)):
                put_month(r, k, month_cell(k, None, base=True))
    if dd_k is not None and 0 <= dd_k < n_months:
        # the data date line down the whole body, where no bar or baseline drew it
        for body in range(h + 1, r + 1):
            c = ws.cell(row=body, column=GANTT_FIRST_MONTH_COL + dd_k)
            if c.fill.fill_type is None and c.border.bottom.style is None:
                st.apply(c, month_cell(dd_k, None))
    ws.freeze_panes = ws.cell(row=h + 1, column=GANTT_FIRST_MONTH_COL)
    ws.sheet_properties.outlinePr.summaryBelow = False
    widths(ws, {1: 16, 2: 28, 3: 11.5, 4: 11.5, 5: 11, 6: 6})


def _worked_months(row: dict[str, Any], dd: date | None) -> tuple[int, int] | None:
    """First and last month (:func:`month_key`) ``row``'s activity worked before the data date.

    A complete activity: its actual start's month to its actual finish's; one in
    progress: its actual start's month to the month of the day before the data date
    (None when it starts on the data date: nothing worked yet); otherwise None.
    """
    a_start = iso(row.get("actual_start"))
    if a_start is None or dd is None:
        return None
    a_finish = iso(row.get("actual_finish"))
    if a_finish is not None:
        return month_key(a_start), month_key(a_finish)
    if a_start >= dd:
        return None
    return month_key(a_start), month_key(dd - timedelta(days=1))
