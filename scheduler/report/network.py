"""The Network sheet: the month from which each pair of regions is connected by
completed corridor links of a sector, and the links themselves.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from scheduler.network import connection_months, link_activities, link_finish_slots
from scheduler.report.cells import note, put, table, widths
from scheduler.report.styles import BOLD, DATE_FMT, TITLE, page_setup
from scheduler.solution import Schedule


def write_network(ws: Worksheet, s: Schedule) -> None:
    """Write the Network sheet of ``s`` into ``ws`` (an empty sheet).

    Parameters
    ----------
    ws
        The sheet to fill.
    s
        The schedule: any status; a sheet without data says so in a note line.
    """
    plan = s.plan
    put(
        ws,
        1,
        1,
        "Corridor network: month from which each pair of regions is connected "
        "by completed links of a sector",
    ).font = TITLE
    put(
        ws,
        2,
        1,
        "A link counts from the month its last activity finishes; pairs joined "
        "through other regions count too. Blank = not connected within the plan.",
    )
    page_setup(ws, title_rows="1:1")  # two tables: only the title repeats
    names = {r.id: r.name for r in plan.regions} if plan else {}
    rows = connection_months(s)
    r = 4
    if not rows:
        note(ws, r, "no corridor links, or no solved plan")
        widths(ws, {1: 12})
        return
    last = table(
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
    put(ws, r, 1, "Links (sector, regions, activities, completed on)").font = BOLD
    finish = link_finish_slots(plan, s.ends())
    links = link_activities(plan)
    table(
        ws,
        r + 1,
        ("sector", "region a", "region b", "activities", "completed on"),
        [
            (sec, ra, rb, ", ".join(ids), plan.grid.date_of(finish[(sec, ra, rb)]))
            for (sec, ra, rb), ids in sorted(links.items())
        ],
        formats={4: DATE_FMT},
    )
    widths(ws, {1: 10, 2: 12, 3: 20, 4: 12, 5: 20, 6: 15})
