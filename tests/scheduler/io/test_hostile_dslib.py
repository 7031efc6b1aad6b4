"""DSLIB / ProTrack workbooks with huge numbers and far dates: refused at their row."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from scheduler.errors import InvalidPlanError
from scheduler.importers.dslib import read_dslib
from tests.scheduler.io.hostile import DSLIB_RESOURCES, DSLIB_ROWS, dslib_workbook

SHEET = "Baseline Schedule"


def _with(row: int, column: int, value: object) -> list[tuple[object, ...]]:
    """:data:`DSLIB_ROWS` with one cell changed (``row`` as Excel numbers it)."""
    rows = [list(r) for r in DSLIB_ROWS]
    rows[row - 3][column] = value
    return [tuple(r) for r in rows]


ERRORS: list[tuple[Any, ...]] = [
    # (rows, resources, sheet, row, column, sentence after "bad.xlsx: <sheet> row N: ")
    (
        _with(5, 5, "99999999999d"),
        None,
        SHEET,
        5,
        "Duration",
        "2 duration '99999999999d' = 1e+11 days is longer than any plan "
        "(at most 36,525 days, 100 years)",
    ),
    (
        _with(5, 2, "2FS+99999999999w"),
        None,
        SHEET,
        5,
        "Predecessors",
        "lag '2FS+99999999999w' = 5e+11 days is longer than any plan "
        "(at most 36,525 days, 100 years)",
    ),
    (
        _with(4, 6, "Excavator[1e20]"),
        None,
        SHEET,
        4,
        "Resource Demand",
        "Excavator amount: 1e+20 units is not between 0 and 1,000,000",
    ),
    (
        None,
        [(1, "Excavator", "Renewable", "lots")],
        "Resources",
        3,
        "Availability",
        "Excavator: availability 'lots' is not a number",
    ),
    (
        None,
        [(1, "Excavator", "Renewable", 1e20)],
        "Resources",
        3,
        "Availability",
        "Excavator: 1e+20 units is not between 0 and 1,000,000",
    ),
    (
        [(r[0], r[1], r[2], "Mon 05/01/9999", "Fri 23/01/9999", r[5], r[6]) for r in DSLIB_ROWS],
        None,
        SHEET,
        4,
        "Baseline Start",
        "baseline start 9999-01-05 is not between 1900-01-01 and 2199-12-31",
    ),
]


@pytest.mark.parametrize(("rows", "resources", "sheet", "row", "column", "sentence"), ERRORS)
def test_huge_number_or_far_date_is_an_error_at_its_row(
    rows: list | None, resources: list | None, sheet: str, row: int, column: str, sentence: str
) -> None:
    with pytest.raises(InvalidPlanError) as err:
        read_dslib(dslib_workbook(rows, resources), "bad.xlsx")
    errors = [i for i in err.value.issues if i.severity == "error"]
    assert [(i.sheet, i.row, i.column, i.message) for i in errors] == [
        (sheet, row, column, f"bad.xlsx: {sheet} row {row}: {sentence}")
    ]


def test_far_baseline_end_is_ignored_with_a_warning() -> None:
    plan = read_dslib(dslib_workbook(_with(5, 4, "Fri 23/01/9999")), "far.xlsx")
    assert [(w.sheet, w.row, w.column, w.message) for w in plan.warnings] == [
        (
            SHEET,
            5,
            "Baseline End",
            "far.xlsx: Baseline Schedule row 5: baseline end 9999-01-23 is more than "
            "100 years after the plan start 2026-01-05; ignored",
        )
    ]
    assert plan.grid.horizon_months == 24
    assert plan.plan_start == date(2026, 1, 5)


def test_availability_with_a_unit_keeps_its_number() -> None:
    # ProTrack writes '3 #persons'; it was read as 1 (the text did not parse)
    plan = read_dslib(
        dslib_workbook(resources=[(1, "Excavator", "Renewable", "3 #persons")]), "u.xlsx"
    )
    assert [(r.id, r.capacity) for r in plan.resources] == [("Excavator", 3)]
    assert DSLIB_RESOURCES == [(1, "Excavator", "Renewable", 2)]
