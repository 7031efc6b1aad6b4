"""The Critical path sheet: every parallel chain of the longest logic path (CPM),
then the driving path of the solved plan with the kind of each link.
"""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from scheduler.report.cells import header, iso, logic_note, note, put, put_row, unit_of, widths
from scheduler.report.styles import HEAD_WRAP, TITLE, page_setup
from scheduler.solution import Schedule


def write_critical(ws: Worksheet, s: Schedule, rows: list[dict[str, Any]]) -> None:
    """Write the Critical path sheet of ``s`` into ``ws`` (an empty sheet).

    Parameters
    ----------
    ws
        The sheet to fill.
    s
        The schedule: any status; a sheet without data says so in a note line.
    rows
        ``s.activity_rows()``, computed once for the whole report.
    """
    by_id = {r["id"]: r for r in rows}
    put(ws, 1, 1, "Critical path: longest logic path (CPM), every parallel chain").font = TITLE
    unit = unit_of(s)
    top = logic_note(ws, 2) + 1
    names = (
        "chain",
        "step",
        "id",
        "name",
        "start",
        "finish",
        "ES",
        "EF",
        "LS",
        "LF",
        f"total float (logic, {unit})",
        f"free float (logic, {unit})",
    )
    header(ws, top, names, alignment=HEAD_WRAP)
    ws.row_dimensions[top].height = 30  # float headers on two lines
    page_setup(ws, title_rows=f"{top}:{top}")
    r = top
    if not s.critical_path:
        r += 1
        note(ws, r, "no critical path computed")
    for k, chain in enumerate(s.critical_path, start=1):
        for step, aid in enumerate(chain, start=1):
            r += 1
            a = by_id.get(aid, {"id": aid, "name": "", "start": None, "finish": None})
            values: tuple[Any, ...] = (
                k,
                step,
                aid,
                a.get("name"),
                iso(a.get("start")),
                iso(a.get("finish")),
                iso(a.get("es")),
                iso(a.get("ef")),
                iso(a.get("ls")),
                iso(a.get("lf")),
                a.get("total_float_days"),
                a.get("free_float_days"),
            )
            put_row(ws, r, values)
    r += 2
    put(
        ws, r, 1, "Driving path of the solved plan (logic, resource, budget, blackout)"
    ).font = TITLE
    r += 1
    header(
        ws,
        r,
        (
            "step",
            "predecessor",
            "successor",
            "link kind",
            "detail",
            "successor start",
            "successor finish",
        ),
    )
    if s.driving_links:
        for step, link in enumerate(s.driving_links, start=1):
            r += 1
            succ = by_id.get(link.successor, {})
            values = (
                step,
                # a budget step is held by the cap; the detail names the period and
                # the activities that fill it (the path goes on through one of them)
                "(budget cap)" if link.kind == "budget" else (link.predecessor or "(plan start)"),
                link.successor,
                link.kind,
                link.detail,
                iso(succ.get("start")),
                iso(succ.get("finish")),
            )
            put_row(ws, r, values)
    elif s.driving:
        for step, aid in enumerate(s.driving, start=1):
            r += 1
            a = by_id.get(aid, {})
            values = (step, "", aid, "", "", iso(a.get("start")), iso(a.get("finish")))
            put_row(ws, r, values)
    else:
        r += 1
        note(ws, r, "no driving path (no solved plan)")
    widths(
        ws,
        {
            1: 8,
            2: 14,
            3: 14,
            4: 34,
            5: 14,
            6: 14,
            7: 14,
            8: 11.5,
            9: 11.5,
            10: 11.5,
            11: 10,
            12: 10,
        },
    )
