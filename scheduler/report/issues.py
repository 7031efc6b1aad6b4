"""The Issues sheet: the plan's errors and warnings, one row per kind with its first place.

Warnings of one kind (the same sentence about other rows or ids, e.g. a rounding on
each of 1,386 resource assignments) are one row whose message gives the count and a
few more places (:func:`scheduler.errors.grouped_issues`).
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from scheduler.errors import Issue, grouped_issues
from scheduler.report.cells import header, put, widths
from scheduler.report.styles import CRIT_FONT, page_setup
from scheduler.solution import Schedule


def write_issues(ws: Worksheet, s: Schedule) -> None:
    """Write the Issues sheet of ``s`` into ``ws`` (an empty sheet).

    Parameters
    ----------
    ws
        The sheet to fill.
    s
        The schedule: any status; a sheet without data says so in a note line.
    """
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
    issues = grouped_issues(issues, errors_apart=True)
    header(ws, 1, ("severity", "sheet", "row", "column", "message"))
    page_setup(ws, title_rows="1:1")
    if not issues:
        put(ws, 2, 1, "no issues")
    for i, issue in enumerate(issues, start=2):
        values = (issue.severity, issue.sheet, issue.row, issue.column, issue.message)
        for j, v in enumerate(values, start=1):
            c = put(ws, i, j, v)
            if issue.severity == "error":
                c.font = CRIT_FONT
    ws.freeze_panes = "A2"
    if issues:
        ws.auto_filter.ref = f"A1:E{len(issues) + 1}"
    widths(ws, {1: 10, 2: 16, 3: 7, 4: 16, 5: 100})
