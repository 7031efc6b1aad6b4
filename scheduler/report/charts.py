"""Native openpyxl charts of the report: a resource's peak use against its capacity
(Resources sheet), spend against cap per budget period and the spend S-curve (Budget
sheet). Each function builds one chart from cells already written; none writes cells.
"""

from __future__ import annotations

from math import ceil

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["budget_chart", "plural", "resource_chart", "s_curve_chart"]

_VOWELS = frozenset("aeiou")


def plural(unit: str) -> str:
    """The plural of an English unit name, for a chart title ("crew" → "crews").

    A name already plural (ending in "s"), one that does not end in a Latin letter
    (Korean, "m³") and a name of several words ("crew per shift") are kept as
    written. Otherwise: "-ch", "-sh", "-x", "-z" add "es"; a consonant + "y" ends in
    "ies"; every other name adds "s".

    Parameters
    ----------
    unit
        The resource's unit as the planner wrote it, e.g. ``"crew"`` or ``"crews"``.

    Returns
    -------
    str
        The plural (``""`` for ``""``).
    """
    word = unit.strip()
    last = word[-1:].lower()
    if not last or not ("a" <= last <= "z") or last == "s" or " " in word:
        return word
    lower = word.lower()
    if lower.endswith(("ch", "sh", "x", "z")):
        return word + "es"
    if last == "y" and len(word) > 1 and lower[-2] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def resource_chart(
    ws: Worksheet,
    title: str,
    *,
    month_col: int,
    peak_col: int,
    capacity_col: int,
    first_row: int,
    last_row: int,
    top_units: int,
) -> BarChart:
    """Peak daily use (bars) against capacity (red line) of one resource, month by month.

    Parameters
    ----------
    ws
        The sheet holding the data (a long table: one row per month).
    title
        Chart title, e.g. ``"HV (crews)"``.
    month_col, peak_col, capacity_col
        1-based columns of the month labels, the peak use and the capacity (units
        per day).
    first_row, last_row
        1-based rows of the resource's months in that table (inclusive).
    top_units
        The highest peak or capacity plotted (units per day): the value axis ends one
        step above it, so the capacity line stays below the top edge.

    Returns
    -------
    BarChart
        The chart, 8.4 cm x 6.6 cm, not yet placed on a sheet.
    """
    bar = BarChart()
    bar.title = title
    bar.add_data(Reference(ws, min_col=peak_col, min_row=first_row, max_row=last_row))
    bar.series[0].tx = SeriesLabel(v="peak")
    cap = LineChart()
    cap.add_data(Reference(ws, min_col=capacity_col, min_row=first_row, max_row=last_row))
    cap.series[0].tx = SeriesLabel(v="capacity")
    cap.series[0].graphicalProperties.line.solidFill = "C00000"
    cap.series[0].graphicalProperties.line.width = 28575  # 2.25 pt
    cap.series[0].smooth = False
    cats = Reference(ws, min_col=month_col, min_row=first_row, max_row=last_row)
    bar.set_categories(cats)
    cap.set_categories(cats)
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
    return bar


def budget_chart(ws: Worksheet, *, header_row: int, last_row: int) -> BarChart:
    """Spend and cap (100M KRW) per budget period, as bars side by side.

    Parameters
    ----------
    ws
        The sheet holding the budget table: period names in column A, spend in D and
        cap in E, under a header row that names the series.
    header_row, last_row
        1-based rows of the table's header and of its last period.

    Returns
    -------
    BarChart
        The chart, 16 cm x 8 cm, not yet placed on a sheet.
    """
    bar = BarChart()
    bar.title = "Spend vs cap per budget period"
    bar.y_axis.title = "100M KRW"
    bar.height, bar.width = 8, 16
    bar.add_data(
        Reference(ws, min_col=4, max_col=5, min_row=header_row, max_row=last_row),
        titles_from_data=True,
    )
    bar.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    return bar


def s_curve_chart(ws: Worksheet, *, header_row: int, last_row: int) -> LineChart:
    """The spend S-curve: cumulative spend (line, left axis) and spend per month (bars,
    right axis), both in 100M KRW.

    Each series has its own value axis: a month's spend is a small fraction of the
    total, so on the cumulative axis its bars would lie flat along the bottom.

    Parameters
    ----------
    ws
        The sheet holding the monthly table: months in column A, spend in B and the
        cumulative spend in C, under a header row that names the series.
    header_row, last_row
        1-based rows of the table's header and of its last month.

    Returns
    -------
    LineChart
        The combined chart, 22 cm x 9 cm, not yet placed on a sheet.
    """
    cats = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    line = LineChart()
    line.title = "Cumulative spend (S-curve, left axis) and spend per month (bars, right axis)"
    line.y_axis.title = "cumulative, 100M KRW"
    line.x_axis.title = "month"
    line.height, line.width = 9, 22
    line.add_data(
        Reference(ws, min_col=3, min_row=header_row, max_row=last_row), titles_from_data=True
    )
    line.set_categories(cats)
    line.y_axis.scaling.min = 0
    monthly = BarChart()
    monthly.add_data(
        Reference(ws, min_col=2, min_row=header_row, max_row=last_row), titles_from_data=True
    )
    monthly.set_categories(cats)
    monthly.y_axis.axId = 200  # a value axis of its own ...
    monthly.y_axis.crosses = "max"  # ... on the right
    monthly.y_axis.title = "per month, 100M KRW"
    monthly.y_axis.scaling.min = 0
    monthly.gapWidth = 50
    for axis in (line.x_axis, line.y_axis, monthly.y_axis):
        axis.delete = False
    line.legend.position = "b"
    line += monthly
    return line
