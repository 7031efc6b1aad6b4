"""The Resources sheet: a months x resources matrix of peak use against capacity,
a resource key, small charts of the scarce resources and a long table for filtering.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil, inf
from typing import Any

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.report.cells import header, note, put, put_row, table, widths
from scheduler.report.charts import plural, resource_chart
from scheduler.report.styles import (
    BOLD,
    CENTER,
    NOTE_FONT,
    PCT_FMT,
    TITLE,
    Styles,
    font,
    page_setup,
)
from scheduler.solution import Schedule

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
    "idle": (font(color="A6A6A6"), None),
    "ok": (font(color="006100"), PatternFill("solid", fgColor="C6EFCE")),
    "busy": (font(color="9C5700"), PatternFill("solid", fgColor="FFEB9C")),
    "over": (font(color="9C0006", bold=True), PatternFill("solid", fgColor="FFC7CE")),
}
_BAND_LEGEND = (
    ("ok", "< 80 %"),
    ("busy", "80–100 %"),
    ("over", "> 100 %"),
    ("idle", "0 % idle"),
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


def write_resources(ws: Worksheet, s: Schedule, styles: Styles) -> None:
    """Resources sheet: a month x resource matrix of peak use / capacity, coloured.

    Layout: a colour key (row 2); the matrix (months down, one narrow column per
    resource, header row :data:`RESOURCES_HEADER_ROW`); a resource key below it (name,
    unit, scope, capacity, highest share, months at >= 80 %); one small bar chart of
    peak use with its capacity line per scarce resource (national resources that reach
    80 % in some month, busiest first, at most eight; regional ones if there is no
    national one; the busiest resource if none reaches 80 %). Beside the matrix, after
    one blank column, a long table (resource, month, peak, average, capacity, share)
    with an auto-filter, sharing the matrix's header row so the one repeated print row
    heads both. Use is in units per day (crews, machines, plants).

    Parameters
    ----------
    ws
        The sheet to fill.
    s
        The schedule: any status; without resource use the sheet says so.
    styles
        The workbook's shared :class:`~scheduler.report.styles.Styles`.
    """
    use = s.resource_use_by_month()
    put(ws, 1, 1, "Resource use per month: peak daily use as a share of capacity").font = TITLE
    page_setup(ws, title_rows="1:1")  # the header row once there is a table (below)
    if not use:
        note(ws, 2, "no resource use (no solved plan or no resources)")
        return
    plan = s.plan
    assert plan is not None
    info = {r.id: r for r in plan.resources}
    resources = list(dict.fromkeys(u["resource"] for u in use))
    months = sorted({u["month"] for u in use})
    cell_of = {(u["resource"], u["month"]): u for u in use}
    band_styles = {
        band: styles.get(font=font, fill=fill, number_format=PCT_FMT, alignment=CENTER)
        for band, (font, fill) in _BAND_STYLE.items()
    }
    # colour key
    put(ws, 2, 1, "key:").font = BOLD
    for j, (band, label) in enumerate(_BAND_LEGEND, start=2):
        styles.apply(put(ws, 2, j, label), band_styles[band])
    put(
        ws,
        2,
        len(_BAND_LEGEND) + 2,
        "cell = highest daily use in the month ÷ capacity; red (over capacity) must "
        "never appear in a feasible plan; ≥80% mo. = months at 80 % or more",
    ).font = NOTE_FONT
    # month x resource matrix
    top = RESOURCES_HEADER_ROW
    header(ws, top, ["month", *resources])
    for i, m in enumerate(months, start=top + 1):
        put(ws, i, 1, m).alignment = CENTER
        for j, rid in enumerate(resources, start=2):
            u = cell_of.get((rid, m))
            if u is None:
                continue
            c = put(ws, i, j, _share(u["peak"], u["capacity"]))
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
    header(ws, key_top, key_head + [None] * (left_cols - len(key_head)))
    for i, rid in enumerate(resources, start=key_top + 1):
        res = info.get(rid)
        caps = [cell_of[(rid, m)]["capacity"] for m in months if (rid, m) in cell_of]
        lo, hi = min(caps), max(caps)
        highest, busy, _ = stats[rid]
        put_row(
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
        ws.cell(i, 4).alignment = CENTER
        ws.cell(i, 5).number_format = PCT_FMT
        ws.cell(i, 5).alignment = CENTER
        ws.cell(i, 6).alignment = CENTER
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
    long_last = table(
        ws,
        top,
        ("resource", "month", "peak", "average", "capacity", "share"),
        long_rows,
        col=lc,
        formats={3: "0.00", 5: PCT_FMT},
    )
    for i, line in enumerate(long_rows, start=top + 1):
        styles.apply(ws.cell(i, lc + 5), band_styles[_band(line[2], line[4])])
    put(ws, 2, lc, "All months (filter here): daily use in units per day").font = BOLD
    ws.auto_filter.ref = f"{get_column_letter(lc)}{top}:{get_column_letter(lc + 5)}{long_last}"
    # small charts: peak use (bars) against capacity (line), one per scarce resource
    scarce = _scarce(resources, info, stats)
    chart_top = key_last + 2
    ws.row_breaks.append(Break(id=chart_top - 1))  # printed: the charts on a page of their own
    what = "national " if any(rid in info and not info[rid].region for rid in resources) else ""
    put(
        ws,
        chart_top,
        1,
        f"Scarce {what}resources: peak daily use (bars) against capacity (line), busiest first",
    ).font = BOLD
    for k, rid in enumerate(scarce):
        r0, r1 = block[rid]
        res = info.get(rid)
        unit = f" ({plural(res.unit)})" if res and res.unit.strip() else ""
        top_units = max(max(line[2], line[4]) for line in long_rows[r0 - top - 1 : r1 - top])
        bar = resource_chart(
            ws,
            f"{rid}{unit}",
            month_col=lc + 1,
            peak_col=lc + 2,
            capacity_col=lc + 4,
            first_row=r0,
            last_row=r1,
            top_units=top_units,
        )
        row = chart_top + 1 + (k // _CHARTS_PER_ROW) * _CHART_ROWS
        col = 2 + (k % _CHARTS_PER_ROW) * _CHART_COLS
        ws.add_chart(bar, f"{get_column_letter(col)}{row}")
    chart_last = chart_top + ceil(len(scarce) / _CHARTS_PER_ROW) * _CHART_ROWS
    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    page_setup(ws, title_rows=f"{top}:{top}")
    ws.print_area = [
        f"A1:{get_column_letter(left_cols)}{chart_last}",
        f"{get_column_letter(lc)}1:{get_column_letter(lc + 5)}{long_last}",
    ]
    widths(ws, {j: _RES_COL_WIDTH for j in range(2, left_cols + 1)})
    widths(ws, {1: 10, lc: 11, lc + 1: 9, lc + 2: 8, lc + 3: 8, lc + 4: 8, lc + 5: 8})
