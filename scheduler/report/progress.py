"""The Progress sheet: the solved plan against its baseline (SPEC §10, issue 10 item 3).

A summary (baseline, its finish, the plan's, the finish variance, how many activities
moved and slipped, the data date), the activities that slipped most with what drove
each slip (:func:`scheduler.baseline.compare`), and every activity's baseline dates and
variances in a filterable table. Variances are grid slots (days or working days),
positive = later than the baseline. Without a baseline the sheet says how to give one.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from scheduler.baseline import Comparison, compare_schedule, shown_dates
from scheduler.report.cells import header, note, put, put_row, unit_of, widths
from scheduler.report.styles import BOLD, HEAD_WRAP, TITLE, WARN_FONT, page_setup
from scheduler.solution import Schedule

__all__ = [
    "PROGRESS_SLIPPED_SHOWN",
    "PROGRESS_SUMMARY_ROW",
    "SLIPPED_COLUMNS",
    "VARIANCE_COLUMNS",
    "write_progress",
]

#: First row of the summary block (label in column A, value in B).
PROGRESS_SUMMARY_ROW = 4
#: Most slipped activities listed in the "slipped most" table.
PROGRESS_SLIPPED_SHOWN = 20
#: Headers of the "slipped most" table (the unit is added to the variance columns).
SLIPPED_COLUMNS = (
    "id",
    "name",
    "baseline start",
    "start",
    "start variance",
    "baseline finish",
    "finish",
    "finish variance",
    "driven by",
    "from activity",
    "detail",
    "duration change",
)
#: Headers of the table of every activity.
VARIANCE_COLUMNS = (
    "id",
    "name",
    "project",
    "progress",
    "baseline start",
    "baseline finish",
    "start",
    "finish",
    "start variance",
    "finish variance",
)
_DRIVER_WORDS = {
    "logic": "logic (a dependency)",
    "resource": "resource (crew or machine)",
    "budget": "budget cap",
    "blackout": "blackout",
    "constraint": "date constraint",
    "duration": "longer duration",
    "progress": "started late",
    "none": "nothing holds it",
}


def write_progress(ws: Worksheet, s: Schedule) -> None:
    """Write the Progress sheet of ``s`` into ``ws`` (an empty sheet).

    Parameters
    ----------
    ws
        The sheet to fill.
    s
        Any schedule; with a plan and a baseline (:attr:`scheduler.model.Plan.baseline`)
        the comparison, else a note saying what is missing.
    """
    put(ws, 1, 1, "Progress against the baseline: what moved and why").font = TITLE
    unit = unit_of(s)
    note(
        ws,
        2,
        f"Variances in {unit} (grid slots): solved minus baseline, positive = later than "
        "the baseline. Finish dates are the last day worked.",
    )
    page_setup(ws, title_rows="1:2")
    widths(ws, {1: 22, 2: 30, 3: 14, 4: 12, 5: 12, 6: 14, 7: 12, 8: 12, 9: 24, 10: 14, 11: 40})
    plan = s.plan
    cmp = compare_schedule(s)
    if plan is None or cmp is None:
        why = (
            f"no solved plan (status {s.status})"
            if not s.has_plan
            else "no baseline: re-plan with infraplan plan FILE --baseline PREV.json (or the "
            "API's baseline_schedule_id) to see what moved since the approved schedule"
        )
        note(ws, PROGRESS_SUMMARY_ROW, why)
        return
    grid = plan.grid
    moved_of = f"{cmp.moved} of {len(cmp.activities)}"
    summary: list[tuple[str, object]] = [
        ("baseline", cmp.baseline_name),
        ("baseline finish", grid.finish_date(0, cmp.baseline_finish)),
        ("finish", grid.finish_date(0, cmp.finish)),
        (f"finish variance ({unit})", cmp.finish_variance),
        ("activities that start on another day", moved_of),
        ("activities that slipped", len(cmp.slipped)),
    ]
    if plan.data_date is not None:
        summary.append(("data date", grid.date_of(plan.data_date)))
    if cmp.not_in_baseline:
        summary.append(("new since the baseline", len(cmp.not_in_baseline)))
    if cmp.not_in_plan:
        summary.append(("removed since the baseline", len(cmp.not_in_plan)))
    r = PROGRESS_SUMMARY_ROW
    for label, value in summary:
        put(ws, r, 1, label).font = BOLD
        put_row(ws, r, [value], col=2)
        if label.startswith("finish variance") and cmp.finish_variance > 0:
            ws.cell(row=r, column=2).font = WARN_FONT
        r += 1
    r = _slipped_table(ws, r + 1, cmp, s, unit)
    _variance_table(ws, r + 2, cmp, s, unit)


def _slipped_table(ws: Worksheet, top: int, cmp: Comparison, s: Schedule, unit: str) -> int:
    """The activities that slipped most, with what drove each; returns the last row."""
    assert s.plan is not None
    grid = s.plan.grid
    shown = cmp.slipped[:PROGRESS_SLIPPED_SHOWN]
    more = len(cmp.slipped) - len(shown)
    title = "Activities that slipped most (finish variance, then start variance)"
    put(ws, top, 1, title + (f": the first {len(shown)} of {len(cmp.slipped)}" if more else ""))
    ws.cell(row=top, column=1).font = BOLD
    names = [f"{n} ({unit})" if n.endswith("variance") else n for n in SLIPPED_COLUMNS]
    header(ws, top + 1, names, alignment=HEAD_WRAP)
    r = top + 1
    if not shown:
        r += 1
        note(
            ws,
            r,
            "nothing slipped: every activity starts and finishes as in the baseline or earlier",
        )
        return r
    by_id = {v.id: v for v in cmp.activities}
    for slip in shown:
        r += 1
        v = by_id[slip.id]
        assert v.baseline_start is not None and v.baseline_end is not None
        b_start, b_finish = shown_dates(grid, v.baseline_start, v.baseline_end)
        start, finish = shown_dates(grid, v.start, v.end)
        put_row(
            ws,
            r,
            [
                slip.id,
                slip.name,
                b_start,
                start,
                slip.start_variance,
                b_finish,
                finish,
                slip.finish_variance,
                _DRIVER_WORDS.get(slip.kind, slip.kind) if slip.kind else "nothing holds it",
                # a budget step is held by the cap, not by one activity: the detail
                # names the period and the activities that fill it
                (slip.predecessor or None) if slip.kind != "budget" else "(budget cap)",
                slip.detail or None,
                slip.duration or None,
            ],
        )
    return r


def _variance_table(ws: Worksheet, top: int, cmp: Comparison, s: Schedule, unit: str) -> None:
    """Every activity's baseline dates and variances, with a filter."""
    assert s.plan is not None
    grid = s.plan.grid
    put(ws, top, 1, "Every activity against the baseline").font = BOLD
    names = [f"{n} ({unit})" if n.endswith("variance") else n for n in VARIANCE_COLUMNS]
    h = top + 1
    header(ws, h, names, alignment=HEAD_WRAP)
    ws.row_dimensions[h].height = 30
    project = {a.id: a.project for a in s.plan.activities}
    r = h
    for v in cmp.activities:
        r += 1
        start, finish = shown_dates(grid, v.start, v.end)
        b_start = b_finish = None
        if v.baseline_start is not None and v.baseline_end is not None:
            b_start, b_finish = shown_dates(grid, v.baseline_start, v.baseline_end)
        put_row(
            ws,
            r,
            [
                v.id,
                v.name,
                project.get(v.id) or None,
                v.progress_status.replace("_", " "),
                b_start,
                b_finish,
                start,
                finish,
                v.start_variance,
                v.finish_variance,
            ],
        )
    ws.auto_filter.ref = f"A{h}:J{r}"
