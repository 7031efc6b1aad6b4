"""Tiny plans of every input format, and the bad variants each reader must refuse.

The files live in ``tests/data/`` (so the readers' error paths run without
``../shared``): ``tiny.xer`` (Primavera P6), ``tiny.xml`` (MS Project XML),
``tiny.sm`` (PSPLIB), ``tiny_dslib.xlsx`` (DSLIB/ProTrack); our own workbook is
written by :func:`workbook_bytes`. Each is one small chain of four activities.

:data:`BAD` lists, per format, a one-edit variant with a cycle, with an unknown
predecessor and with a bad lag, and the placed sentence the refusal must carry.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def data(name: str) -> bytes:
    """Bytes of a file in ``tests/data``."""
    return (DATA / name).read_bytes()


def tables() -> dict[str, list[dict[str, Any]]]:
    """Our workbook's tables: A (5 d) → B (10 d) →SS+2 C (3 d) → D (milestone)."""
    acts = [("A", 5), ("B", 10), ("C", 3), ("D", 0)]
    return {
        "Settings": [
            {"key": "plan_name", "value": "Tiny bridge"},
            {"key": "plan_start", "value": "2027-01-04"},
            {"key": "horizon_months", "value": 24},
            {"key": "calendar", "value": "calendar"},
        ],
        "Regions": [{"id": "SEL", "name": "Seoul"}],
        "Activities": [
            {"id": i, "name": f"work {i}", "sector": "road", "region_from": "SEL", "duration": d}
            for i, d in acts
        ],
        "Dependencies": [
            {"predecessor": "A", "successor": "B", "type": "FS", "lag": 0},
            {"predecessor": "B", "successor": "C", "type": "SS", "lag": 2},
            {"predecessor": "C", "successor": "D", "type": "FS", "lag": 0},
        ],
    }


def workbook_bytes(edit: Callable[[dict[str, list[dict[str, Any]]]], None] | None = None) -> bytes:
    """Our workbook of :func:`tables`, after ``edit`` (which changes the tables in place)."""
    import tempfile

    from scheduler.workbook import write_workbook

    t = tables()
    if edit is not None:
        edit(t)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.xlsx"
        write_workbook(t, path)
        return path.read_bytes()


def replaced(name: str, old: str, new: str) -> bytes:
    """``tests/data/<name>`` with the one occurrence of ``old`` replaced by ``new``."""
    text = data(name).decode("utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new).encode("utf-8")


def dslib_bytes(row: int, column: str, value: object) -> bytes:
    """``tiny_dslib.xlsx`` with one cell of its Baseline Schedule changed."""
    import openpyxl

    wb = openpyxl.load_workbook(DATA / "tiny_dslib.xlsx")
    ws = wb["Baseline Schedule"]
    header = [c.value for c in ws[2]]
    ws.cell(row=row, column=header.index(column) + 1, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _edit_dependency(i: int, **values: Any) -> Callable[[dict[str, list[dict[str, Any]]]], None]:
    def edit(t: dict[str, list[dict[str, Any]]]) -> None:
        t["Dependencies"][i].update(values)

    return edit


def _add_dependency(pred: str, succ: str) -> Callable[[dict[str, list[dict[str, Any]]]], None]:
    def edit(t: dict[str, list[dict[str, Any]]]) -> None:
        t["Dependencies"].append({"predecessor": pred, "successor": succ, "type": "FS", "lag": 0})

    return edit


_XER_ROW_202 = "%R\t202\t103\t102\t1\t1\tPR_SS\t16\n"

#: (format, kind) → (file name, bytes builder, sentence the refusal carries).
BAD: dict[tuple[str, str], tuple[str, Callable[[], bytes], str]] = {
    ("xer", "cycle"): (
        "tiny.xer",
        lambda: replaced(
            "tiny.xer", "%R\t203\t104\t103\t1\t1\tPR_FS\t0\n", "%R\t203\t101\t103\t1\t1\tPR_FS\t0\n"
        ),
        "tiny.xer: TASKPRED: cyclic dependencies A1000 → A1010 → A1020 → A1000 "
        "(lines 25, 26, 27); remove or reverse one of them",
    ),
    ("xer", "unknown"): (
        "tiny.xer",
        lambda: replaced(
            "tiny.xer", "%R\t201\t102\t101\t1\t1\tPR_FS\t0\n", "%R\t201\t102\t999\t1\t1\tPR_FS\t0\n"
        ),
        "tiny.xer: TASKPRED line 25: predecessor '999' is not an activity id",
    ),
    ("xer", "lag"): (
        "tiny.xer",
        lambda: replaced("tiny.xer", _XER_ROW_202, _XER_ROW_202.replace("\t16\n", "\tten\n")),
        "tiny.xer: TASKPRED line 26: lag 'ten' is not a number of hours",
    ),
    ("mspdi", "cycle"): (
        "tiny.xml",
        lambda: replaced(
            "tiny.xml",
            "<Duration>PT40H0M0S</Duration></Task>",
            "<Duration>PT40H0M0S</Duration><PredecessorLink><PredecessorUID>3</PredecessorUID>"
            "</PredecessorLink></Task>",
        ),
        "tiny.xml: PredecessorLink: cyclic dependencies 3 → 1 → 2 → 3 (lines 25, 27, 30); "
        "remove or reverse one of them",
    ),
    ("mspdi", "unknown"): (
        "tiny.xml",
        lambda: replaced(
            "tiny.xml",
            "<PredecessorUID>1</PredecessorUID>",
            "<PredecessorUID>77</PredecessorUID>",
        ),
        "tiny.xml: PredecessorLink line 27: Task 2 (UID 2, 'Excavation'): "
        "predecessor UID '77' is not an activity id",
    ),
    ("mspdi", "lag"): (
        "tiny.xml",
        # 4.8e6 tenths of a minute = 1,000 working days of 480 minutes: a sane number, but
        # longer than the plan
        lambda: replaced("tiny.xml", "<LinkLag>9600</LinkLag>", "<LinkLag>4800000</LinkLag>"),
        "tiny.xml: PredecessorLink line 30: lag 1000 working days of 2 → 3 is longer than the "
        "whole plan",
    ),
    ("psplib", "cycle"): (
        "tiny.sm",
        lambda: replaced(
            "tiny.sm",
            "   4        1          1           5",
            "   4        1          2           5  2",
        ),
        "tiny.sm: cyclic dependencies 2 → 3 → 4 → 2 (jobs 2, 3, 4); remove or reverse one of them",
    ),
    ("psplib", "unknown"): (
        "tiny.sm",
        lambda: replaced(
            "tiny.sm",
            "   2        1          1           3",
            "   2        1          1           9",
        ),
        "tiny.sm: job 2: successor '9' is not an activity id",
    ),
    # PSPLIB has no lags: its one number per relation is the duration
    ("psplib", "lag"): (
        "tiny.sm",
        lambda: replaced("tiny.sm", "  3      1     4       1", "  3      1    -4       1"),
        "tiny.sm: job 3 has a negative duration (-4)",
    ),
    ("dslib", "cycle"): (
        "tiny_dslib.xlsx",
        lambda: dslib_bytes(4, "Predecessors", "3"),
        "tiny_dslib.xlsx: Baseline Schedule: cyclic dependencies 3 → 1 → 2 → 3 "
        "(rows 4, 5, 6); remove or reverse one of them",
    ),
    ("dslib", "unknown"): (
        "tiny_dslib.xlsx",
        lambda: dslib_bytes(5, "Predecessors", "9"),
        "tiny_dslib.xlsx: Baseline Schedule row 5: predecessor '9' is not an activity id",
    ),
    ("dslib", "lag"): (
        "tiny_dslib.xlsx",
        lambda: dslib_bytes(6, "Predecessors", "2SS+2x"),
        "tiny_dslib.xlsx: Baseline Schedule row 6: unknown lag '2x' in '2SS+2x'",
    ),
    ("workbook", "cycle"): (
        "tiny.xlsx",
        lambda: workbook_bytes(_add_dependency("C", "A")),
        "Dependencies: cyclic dependencies A → B → C → A (rows 2, 3, 5); "
        "remove or reverse one of them",
    ),
    ("workbook", "unknown"): (
        "tiny.xlsx",
        lambda: workbook_bytes(_edit_dependency(0, predecessor="X")),
        "Dependencies row 2: predecessor 'X' is not an activity id",
    ),
    ("workbook", "lag"): (
        "tiny.xlsx",
        lambda: workbook_bytes(_edit_dependency(1, lag=3, max_lag=1)),
        "Dependencies row 3: max_lag 1 days is smaller than lag 3 days (B → C); "
        "no date can satisfy both",
    ),
}

BAD[("xer", "long lag")] = (
    "tiny.xer",
    # 8,000 hours = 1,000 working days of 8 hours: a sane number, longer than the plan
    lambda: replaced("tiny.xer", _XER_ROW_202, _XER_ROW_202.replace("\t16\n", "\t8000\n")),
    "tiny.xer: TASKPRED line 26: lag 1000 working days of A1010 → A1020 is longer than the "
    "whole plan",
)

#: The tiny valid file of each format.
GOOD: dict[str, tuple[str, Callable[[], bytes]]] = {
    "xer": ("tiny.xer", lambda: data("tiny.xer")),
    "mspdi": ("tiny.xml", lambda: data("tiny.xml")),
    "psplib": ("tiny.sm", lambda: data("tiny.sm")),
    "dslib": ("tiny_dslib.xlsx", lambda: data("tiny_dslib.xlsx")),
    "workbook": ("tiny.xlsx", workbook_bytes),
}
