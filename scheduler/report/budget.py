"""The Budget sheet: spend against cap per budget period, and spend per month with
its cumulative S-curve.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from scheduler.report.cells import iso, money, note, put, table, widths
from scheduler.report.charts import budget_chart, s_curve_chart
from scheduler.report.styles import (
    BOLD,
    DATE_FMT,
    MONEY_FMT,
    OK_FONT,
    TITLE,
    WARN_FONT,
    page_setup,
)
from scheduler.solution import Schedule


def write_budget(ws: Worksheet, s: Schedule) -> None:
    """Write the Budget sheet of ``s`` into ``ws`` (an empty sheet).

    Parameters
    ----------
    ws
        The sheet to fill.
    s
        The schedule: any status; a sheet without data says so in a note line.
    """
    put(ws, 1, 1, "Budget: spend against cap (100M KRW)").font = TITLE
    page_setup(ws, title_rows="1:1")  # two tables: only the title repeats
    periods = s.spend_by_budget()
    r = 3
    if periods:
        rows = [
            (
                b["period"],
                iso(b["from"]),
                iso(b["to"]),
                money(b["spend"]),
                money(b["cap"]),
                money(b["cap"] - b["spend"]),
                "yes" if b["within_cap"] else "no",
            )
            for b in periods
        ]
        last = table(
            ws,
            r,
            ("period", "from", "to", "spend", "cap", "headroom", "within cap"),
            rows,
            formats={1: DATE_FMT, 2: DATE_FMT, 3: MONEY_FMT, 4: MONEY_FMT, 5: MONEY_FMT},
        )
        for rr in range(r + 1, last + 1):
            c = ws.cell(row=rr, column=7)
            c.font = OK_FONT if c.value == "yes" else WARN_FONT
        bar = budget_chart(ws, header_row=r, last_row=last)
        ws.add_chart(bar, "I3")
        r = max(last, r + 16) + 2
    else:
        note(ws, r, "no budget caps in this plan")
        r += 2
    monthly = s.spend_by_month()
    put(ws, r, 1, "Spend per month and cumulative (S-curve)").font = BOLD
    r += 1
    if not monthly:
        note(ws, r, "no solved plan: no spend")
    else:
        top = r
        last = table(
            ws,
            top,
            ("month", "spend", "cumulative"),
            [(m["month"], money(m["spend"]), money(m["cumulative"])) for m in monthly],
            formats={1: MONEY_FMT, 2: MONEY_FMT},
        )
        line = s_curve_chart(ws, header_row=top, last_row=last)
        ws.add_chart(line, f"I{top}")
    widths(ws, {1: 14, 2: 12, 3: 12, 4: 12, 5: 12, 6: 12, 7: 11})
