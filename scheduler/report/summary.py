"""The Summary sheet: plan figures, budget periods, how to read the dates, the
critical and driving paths, and why no plan fits when the plan is infeasible.
"""

from __future__ import annotations

from math import ceil
from typing import Any

from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.report.cells import LOGIC_NOTE, put, unit_of, widths
from scheduler.report.styles import (
    BOLD,
    DATE_FMT,
    LEFT,
    OK_FONT,
    TITLE,
    WARN_FONT,
    WRAP,
    page_setup,
)
from scheduler.solution import Schedule


def write_summary(ws: Worksheet, s: Schedule) -> None:
    """Write the Summary sheet of ``s`` into ``ws`` (an empty sheet).

    Parameters
    ----------
    ws
        The sheet to fill.
    s
        The schedule: any status; a sheet without data says so in a note line.
    """
    plan = s.plan
    unit = unit_of(s)
    put(ws, 1, 1, "infraplan schedule report").font = TITLE
    items: list[tuple[str, Any, str | None]] = []
    items.append(("Plan name", plan.name if plan else "", None))
    items.append(("Status", s.status, None))
    if plan is not None:
        grid = plan.grid
        items += [
            ("Plan start", grid.plan_start, DATE_FMT),
            ("Calendar", grid.kind, None),
            ("Horizon end (last day)", grid.finish_date(0, grid.horizon), DATE_FMT),
            (f"Horizon ({unit})", grid.horizon, None),
        ]
        done = s.progress
        if done is not None and done.data_date is not None:  # only a progressed plan
            c = done.counts()
            items += [
                ("Data date", grid.date_of(done.data_date), DATE_FMT),
                (
                    "Progress",
                    f"{c['complete']} complete, {c['in_progress']} in progress, "
                    f"{c['not_started']} not started "
                    f"({done.out_of_sequence.replace('_', ' ')})",
                    None,
                ),
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
        put(ws, r, 1, label).font = BOLD
        c = put(ws, r, 2, value)
        c.alignment = LEFT  # numbers next to their labels, not 70 characters away
        if fmt and value is not None:
            c.number_format = fmt
    # budget years
    budget = s.spend_by_budget()
    if budget:
        r += 1
        all_ok = all(b["within_cap"] for b in budget) if s.has_plan else None
        put(ws, r, 1, "Budget periods within cap").font = BOLD
        c = put(ws, r, 2, "n/a" if all_ok is None else ("yes" if all_ok else "no"))
        c.font = OK_FONT if all_ok else WARN_FONT
        for b in budget:
            r += 1
            put(ws, r, 1, f"  {b['period']}")
            if s.has_plan:
                ok = "yes" if b["within_cap"] else "no"
                text = f"{ok}: spend {b['spend']:,.2f} of cap {b['cap']:,.2f} (100M KRW)"
            else:
                text = f"cap {b['cap']:,.2f} (100M KRW)"
            put(ws, r, 2, text)
    # how to read the logic columns vs the solved plan
    r += 2
    ws.row_breaks.append(Break(id=r - 1))  # printed: figures on page 1, reading + paths next
    put(ws, r, 1, "How to read the dates").font = BOLD
    for label, line in zip(("  logic network (CPM)", "  solved plan"), LOGIC_NOTE, strict=True):
        r += 1
        put(ws, r, 1, label).alignment = WRAP
        c = put(ws, r, 2, line)
        c.alignment = WRAP
        ws.row_dimensions[r].height = 15 * ceil(len(line) / 60)  # wrapped in column B
    # critical path
    r += 2
    put(ws, r, 1, "Critical path (logic CPM)").font = BOLD
    chains = s.critical_path
    if not chains:
        r += 1
        put(ws, r, 2, "none computed")
    for k, chain in enumerate(chains, start=1):
        r += 1
        put(ws, r, 1, f"  chain {k} ({len(chain)} activities)")
        put(ws, r, 2, " → ".join(chain)).alignment = WRAP  # stays inside the page
    if s.driving:
        r += 1
        put(ws, r, 1, "Driving path (solved plan)").font = BOLD
        put(ws, r, 2, " → ".join(s.driving)).alignment = WRAP
    # infeasible
    if s.status == "infeasible":
        r += 2
        put(ws, r, 1, "Why no plan fits").font = WARN_FONT
        r += 1
        put(ws, r, 1, "Days needed without horizon and due dates")
        put(ws, r, 2, s.min_horizon_days)
        end = s.overrun_finish
        if end is not None and plan is not None:
            r += 1
            put(ws, r, 1, f"Overrun ({unit} past the horizon)")
            put(ws, r, 2, s.overrun_days).alignment = LEFT
            r += 1
            put(ws, r, 1, "Finish with the horizon lifted")
            put(ws, r, 2, plan.grid.finish_date(0, end)).number_format = DATE_FMT
        if not s.conflicts:
            r += 1
            put(ws, r, 2, "no conflicting set was named")
        for cf in s.conflicts:
            r += 1
            put(ws, r, 1, f"  {cf.kind}")
            c = put(ws, r, 2, cf.message)
            c.alignment = WRAP
            if cf.activities:
                put(ws, r, 3, ", ".join(cf.activities))
    if s.notes:  # e.g. status unknown: what was tried, how much time would help
        r += 2
        put(ws, r, 1, "Solver notes").font = WARN_FONT if s.status == "unknown" else BOLD
        for note in s.notes:
            r += 1
            put(ws, r, 2, note).alignment = WRAP
    if s.status == "invalid":
        r += 2
        put(ws, r, 1, "The plan has input errors: see the Issues sheet.").font = WARN_FONT
    widths(ws, {1: 42, 2: 70, 3: 30})
    page_setup(ws, title_rows="1:1")
