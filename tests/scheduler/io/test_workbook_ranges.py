"""Numbers out of any sane range, and junk in columns that are not read.

Each value here used to end in a traceback (ValueError, decimal.InvalidOperation,
OverflowError), reach the solver (MemoryError), or print hundreds of digits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scheduler.errors import InvalidPlanError, Issue
from scheduler.workbook import plan_from_tables, read_workbook, write_workbook
from scheduler.workbook.cells import show_number
from tests.scheduler.io.test_workbook import tiny_tables

Tables = dict[str, list[dict[str, Any]]]


def errors_of(edit: Callable[[Tables], None]) -> list[Issue]:
    tables = tiny_tables()
    edit(tables)
    with pytest.raises(InvalidPlanError) as info:
        plan_from_tables(tables)
    return [i for i in info.value.issues if i.severity == "error"]


def setting(key: str, value: Any) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        for row in tables["Settings"]:
            if row["key"] == key:
                row["value"] = value
                return
        tables["Settings"].append({"key": key, "value": value})

    return edit


def cell(sheet: str, index: int, **values: Any) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        tables[sheet][index].update(values)

    return edit


def only(issues: list[Issue]) -> tuple[str, int | None, str, str]:
    assert len(issues) == 1, [str(i) for i in issues]
    i = issues[0]
    return i.sheet, i.row, i.column, i.message


# -- Settings ----------------------------------------------------------------------------------
def test_a_horizon_of_a_hundred_thousand_months_is_an_error_on_its_cell() -> None:
    assert only(errors_of(setting("horizon_months", 100_000))) == (
        "Settings",
        4,
        "value",
        "Settings row 4: horizon_months 100000 is more than 1200 (100 years), "
        "the longest plan infraplan reads",
    )


def test_the_longest_horizon_reads() -> None:
    tables = tiny_tables()
    setting("horizon_months", 1200)(tables)
    plan = plan_from_tables(tables)
    assert plan.horizon == (date(2127, 1, 4) - date(2027, 1, 4)).days


@pytest.mark.parametrize(
    ("value", "shown"),
    [("9999-06-01", "9999-06-01"), (2958465, "9999-12-31"), (date(1899, 12, 31), "1899-12-31")],
)
def test_a_plan_start_outside_the_planning_years_is_an_error(value: Any, shown: str) -> None:
    assert only(errors_of(setting("plan_start", value))) == (
        "Settings",
        3,
        "value",
        f"Settings row 3: plan_start {shown} is outside the years infraplan plans (1900 to 2199)",
    )


def test_a_time_limit_of_1e300_seconds_is_an_error() -> None:
    assert only(errors_of(setting("time_limit_s", 1e300))) == (
        "Settings",
        6,
        "value",
        "Settings row 6: time_limit_s 1e+300 is more than 604,800 (a week)",
    )


# -- money, weights, units -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sheet", "column", "value", "text"),
    [
        ("Activities", "cost", 1e300, "cost 1e+300 is more than 100,000,000 (100M KRW), "
         "the most infraplan reads"),
        ("Budget", "cap", 1e300, "cap 1e+300 is more than 100,000,000 (100M KRW), "
         "the most infraplan reads"),
        ("Activities", "weight", 1e300, "weight 1e+300 is more than 1,000,000, "
         "the most infraplan reads"),
        ("Resources", "capacity", 10**20, "capacity 1e+20 is more than 1,000,000 units a day, "
         "the most infraplan reads"),
        ("Demands", "amount", 10**20, "amount 1e+20 is more than 1,000,000 units a day, "
         "the most infraplan reads"),
        ("Regions", "lat", 1e300, "lat 1e+300 is more than 90 (degrees of latitude)"),
        ("Regions", "lon", -200, "lon -200 is less than -180 (degrees of longitude)"),
    ],
)  # fmt: skip
def test_numbers_beyond_sane_ranges_are_errors_on_their_cells(
    sheet: str, column: str, value: Any, text: str
) -> None:
    assert only(errors_of(cell(sheet, 0, **{column: value}))) == (
        sheet,
        2,
        column,
        f"{sheet} row 2: {text}",
    )


def test_money_at_the_limit_reads() -> None:
    tables = tiny_tables()
    cell("Budget", 0, cap=100_000_000)(tables)
    plan = plan_from_tables(tables)
    assert plan.budgets[0].cap == 10_000_000_000  # 1/100 of 100M KRW


def test_a_number_of_five_thousand_digits_is_an_error_not_a_traceback() -> None:
    (issue,) = errors_of(cell("Activities", 0, cost="9" * 5000))
    assert (issue.sheet, issue.row, issue.column) == ("Activities", 2, "cost")
    assert issue.message == "Activities row 2: cost '9999999999999999999999999999999999999999…' " \
        "is too large a number (5000 digits)"  # fmt: skip


# -- lags and durations against the plan's length ----------------------------------------------
@pytest.mark.parametrize(("column", "value"), [("lag", 10**15), ("lag", -(10**15)),
                                               ("max_lag", 10**15)])  # fmt: skip
def test_a_lag_longer_than_the_plan_is_an_error(column: str, value: int) -> None:
    issues = errors_of(cell("Dependencies", 0, **{column: value}))
    assert only(issues) == (
        "Dependencies",
        2,
        column,
        f"Dependencies row 2: {column} {show_number(value)} days is longer than the whole "
        "plan (731 days)",
    )


def test_lags_on_a_workday_plan_count_working_days() -> None:
    def edit(tables: Tables) -> None:
        setting("calendar", "workdays-kr")(tables)
        cell("Dependencies", 0, lag=600, max_lag=None)(tables)

    (issue,) = errors_of(edit)
    assert issue.message.startswith("Dependencies row 2: lag 600 working days is longer than the")
    assert issue.message.endswith(" working days)")


@pytest.mark.parametrize(
    ("duration", "unit", "shown"),
    [(1e308, "d", "1e+308 days"), (1e308, "w", "1e+308 w"), (1e15, "d", "1e+15 days"),
     (800, "d", "800 days")],
)  # fmt: skip
def test_a_duration_longer_than_the_plan_is_shown_compactly(
    duration: float, unit: str, shown: str
) -> None:
    issues = errors_of(cell("Activities", 0, duration=duration, duration_unit=unit))
    assert only(issues) == (
        "Activities",
        2,
        "duration",
        f"Activities row 2: duration of 'A-1' is {shown}, longer than the whole plan "
        "(731 days); check the number and its duration_unit",
    )


def test_show_number() -> None:
    assert [show_number(n) for n in (20, 2.5, 2.0, -3, 10**15, 1e308, float("inf"))] == [
        "20", "2.5", "2", "-3", "1e+15", "1e+308", "inf",
    ]  # fmt: skip


def test_huge_numbers_in_a_workbook_file_are_placed(tmp_path: Path) -> None:
    tables = tiny_tables()
    cell("Dependencies", 0, lag=10**15)(tables)
    cell("Resources", 0, capacity=10**20)(tables)
    path = tmp_path / "huge.xlsx"
    write_workbook(tables, path)
    with pytest.raises(InvalidPlanError) as info:
        read_workbook(path)
    places = {(i.sheet, i.row, i.column) for i in info.value.issues if i.severity == "error"}
    assert places == {("Dependencies", 2, "lag"), ("Resources", 2, "capacity")}


# -- junk in columns that are not read -----------------------------------------------------------
def test_junk_in_an_ignored_column_is_not_reported_cell_by_cell(tmp_path: Path) -> None:
    path = tmp_path / "junk.xlsx"
    write_workbook(tiny_tables(), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Activities"]
    ws["N1"] = "notes"  # a column infraplan does not read
    for r in range(5, 3006):
        ws.cell(row=r, column=14, value=f"junk {r}")
        ws.cell(row=r, column=20, value="no header either")
    wb.save(path)
    plan = read_workbook(path)
    assert len(plan.activities) == 3
    assert [(w.sheet, w.row, w.message) for w in plan.warnings if w.sheet == "Activities"] == [
        ("Activities", 1, "Activities: column 'notes' is not one infraplan reads; it is ignored"),
    ]  # fmt: skip


def test_a_row_with_values_only_in_ignored_columns_is_skipped_with_one_warning(
    tmp_path: Path,
) -> None:
    path = tmp_path / "gap.xlsx"
    write_workbook(tiny_tables(), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Activities"]
    ws.insert_rows(3, amount=2)
    ws["Z3"], ws["Z4"] = "memo", "memo"  # beyond the last column read
    wb.save(path)
    plan = read_workbook(path)
    assert [a.source_row for a in plan.activities] == [2, 5, 6]
    assert [w.message for w in plan.warnings if w.sheet == "Activities"] == [
        "Activities rows 3-4: no value in a column infraplan reads; rows skipped"
    ]
