"""The Health sheet: the DCMA 14-point assessment of the plan (:mod:`scheduler.dcma`).

One row per check (DCMA-EA PAM 200.1): count, total, share or index, the published
threshold, the result (pass in green, FAIL in red, n/a in grey), what was counted, and
the activities it flags (at most :data:`scheduler.dcma.MAX_LISTED`, then how many
more). A title line names the data date and the baseline.
"""

from __future__ import annotations

import logging

from openpyxl.worksheet.worksheet import Worksheet

from scheduler.dcma import HealthCheck, assess
from scheduler.report.cells import header, note, put, widths
from scheduler.report.styles import NOTE_FONT, OK_FONT, TITLE, WARN_FONT, WRAP, page_setup
from scheduler.solution import Schedule

__all__ = ["HEALTH_HEADER_ROW", "write_health"]

log = logging.getLogger(__name__)

#: Row of the column headers (rows 1-2: the title and its note).
HEALTH_HEADER_ROW = 4
_COLUMNS = (
    "#",
    "check",
    "count",
    "total",
    "share / index",
    "threshold",
    "result",
    "what is counted",
    "activities flagged",
)


def write_health(ws: Worksheet, s: Schedule, health: HealthCheck | None = None) -> None:
    """Write the Health sheet of ``s`` into ``ws`` (an empty sheet).

    Parameters
    ----------
    ws
        The sheet to fill.
    s
        The schedule; its plan is assessed (with the plan's baseline, when it has one).
        Without a plan (an invalid input) the sheet says so.
    health
        The assessment when the caller has it; computed from ``s.plan`` otherwise.
    """
    page_setup(ws, title_rows=f"{HEALTH_HEADER_ROW}:{HEALTH_HEADER_ROW}")
    put(ws, 1, 1, "Schedule health: DCMA 14-point assessment (DCMA-EA PAM 200.1)").font = TITLE
    if health is None and s.plan is not None:
        try:
            # CPLI on the solved (leveled) finish the report shows (scheduler.dcma)
            ends = s.ends() if s.has_dates else None
            health = assess(s.plan, s.plan.baseline, solved_ends=ends)
        except ValueError as exc:  # a max-lag cycle: CPM has no dates
            log.warning("no health check: %s", exc)
            note(ws, 2, f"no assessment: {exc}")
            return
    if health is None:
        note(ws, 2, "no assessment: the input is not a valid plan (see Issues)")
        return
    against = f", against the baseline {health.baseline}" if health.baseline else ""
    note(
        ws,
        2,
        f"data date {health.data_date}{against}: {health.passed} passed, {health.failed} "
        f"failed, {len(health.checks) - health.passed - health.failed} not applicable. "
        "Counts are of incomplete activities (and the relationships into them); floats "
        "and durations are this plan's logic CPM in working days; CPLI (13) is on the "
        "solved plan's finish when there is one (its note gives the logic network's too).",
    )
    header(ws, HEALTH_HEADER_ROW, _COLUMNS)
    for r, c in enumerate(health.checks, start=HEALTH_HEADER_ROW + 1):
        if c.value is not None:
            share: float | str | None = c.value
        elif c.percent is not None and c.id != 12:
            share = c.percent / 100
        else:
            share = None
        ids = ", ".join(c.activities)
        if c.activities_count > len(c.activities):
            ids += f" … and {c.activities_count - len(c.activities):,} more"
        values = (c.id, c.name, c.count, c.total, share, c.threshold)
        for j, v in enumerate(values, start=1):
            put(ws, r, j, v)
        if c.value is None and share is not None:
            ws.cell(r, 5).number_format = "0.0%"
        elif c.value is not None:
            ws.cell(r, 5).number_format = "0.000"
        result = put(ws, r, 7, {True: "pass", False: "FAIL", None: "n/a"}[c.passed])
        result.font = {True: OK_FONT, False: WARN_FONT, None: NOTE_FONT}[c.passed]
        put(ws, r, 8, c.note).alignment = WRAP
        put(ws, r, 9, ids).alignment = WRAP
    ws.freeze_panes = f"C{HEALTH_HEADER_ROW + 1}"
    widths(ws, {1: 4, 2: 20, 3: 9, 4: 9, 5: 12, 6: 22, 7: 8, 8: 60, 9: 60})
