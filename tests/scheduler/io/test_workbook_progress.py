"""The workbook's Progress sheet and Settings data_date / out_of_sequence.

Plan of :func:`tiny_tables` (plan_start 2027-01-04 = slot 0, calendar grid), data date
2027-02-01 = slot 28.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scheduler.cli import main
from scheduler.errors import InvalidPlanError, Issue
from scheduler.model import Progress
from scheduler.workbook import plan_from_tables, read_workbook, write_template, write_workbook
from tests.scheduler.io.test_workbook import find, tiny_tables

DD = date(2027, 2, 1)


def progressed(rows: list[dict[str, Any]], **settings: Any) -> dict[str, list[dict[str, Any]]]:
    """tiny_tables with a Progress sheet (rows 2, 3, ...) and data_date on Settings row 6."""
    t = tiny_tables()
    t["Settings"].append({"key": "data_date", "value": settings.pop("data_date", DD)})
    for k, v in settings.items():
        t["Settings"].append({"key": k, "value": v})
    t["Progress"] = rows
    return t


def issues_of(tables: Any) -> list[Issue]:
    with pytest.raises(InvalidPlanError) as info:
        plan_from_tables(tables)
    return info.value.issues


def test_progress_is_read_onto_the_plan() -> None:
    rows = [
        # A-1 (10 days) complete: worked 2027-01-04 .. 2027-01-13 = slots [0, 10)
        {"activity": "A-1", "actual_start": date(2027, 1, 4), "actual_finish": date(2027, 1, 13)},
        # A-2 (2 w = 14 days) started 2027-01-25 (slot 21), 1 w left = 7 slots
        {"activity": "A-2", "actual_start": "2027-01-25", "remaining_duration": 1,
         "percent_complete": 40},
    ]  # fmt: skip
    plan = plan_from_tables(progressed(rows, out_of_sequence="progress_override"))
    assert plan.data_date == 28
    assert plan.out_of_sequence == "progress_override"
    by_id = {a.id: a for a in plan.activities}
    assert by_id["A-1"].progress == Progress(actual_start=0, actual_finish=10)
    assert by_id["A-2"].progress == Progress(actual_start=21, remaining=7, percent_complete=40)
    assert by_id["A-3"].progress is None
    assert by_id["A-2"].progress.place is not None
    assert by_id["A-2"].progress.place.prefix == "Progress row 3"
    assert plan.warnings == []


def test_out_of_sequence_defaults_to_retained_logic() -> None:
    plan = plan_from_tables(progressed([]))
    assert (plan.data_date, plan.out_of_sequence) == (28, "retained_logic")


@pytest.mark.parametrize(
    ("rows", "settings", "place", "text"),
    [
        # actual finish before its start
        (
            [{"activity": "A-1", "actual_start": date(2027, 1, 10),
              "actual_finish": date(2027, 1, 5)}],
            {},
            ("Progress", 2, "actual_finish"),
            "Progress row 2: actual_finish 2027-01-05 of 'A-1' is before its actual_start "
            "2027-01-10",
        ),
        # started after the data date
        (
            [{"activity": "A-1", "actual_start": date(2027, 2, 2)}],
            {},
            ("Progress", 2, "actual_start"),
            "Progress row 2: actual_start 2027-02-02 of 'A-1' is after the data_date 2027-02-01",
        ),
        # finished on the data date, which is the first day of the remaining work
        (
            [{"activity": "A-1", "actual_start": date(2027, 1, 4),
              "actual_finish": date(2027, 2, 1)}],
            {},
            ("Progress", 2, "actual_finish"),
            "Progress row 2: actual_finish 2027-02-01 of 'A-1' is not before the data_date "
            "2027-02-01 (the data date is the first day of the remaining work)",
        ),
        # a remaining duration on a completed activity
        (
            [{"activity": "A-1", "actual_start": date(2027, 1, 4),
              "actual_finish": date(2027, 1, 13), "remaining_duration": 3}],
            {},
            ("Progress", 2, "remaining_duration"),
            "Progress row 2: 'A-1' is complete (it has an actual_finish) but has a "
            "remaining_duration of 3; leave it blank or 0",
        ),
        # progress on an unknown id
        (
            [{"activity": "A-9", "actual_start": date(2027, 1, 4)}],
            {},
            ("Progress", 2, "activity"),
            "Progress row 2: activity 'A-9' is not an activity id",
        ),
        # percent above 100
        (
            [{"activity": "A-1", "actual_start": date(2027, 1, 4), "percent_complete": 120}],
            {},
            ("Progress", 2, "percent_complete"),
            "Progress row 2: percent_complete 120 is not between 0 and 100",
        ),
        # percent below 0
        (
            [{"activity": "A-1", "actual_start": date(2027, 1, 4), "percent_complete": -5}],
            {},
            ("Progress", 2, "percent_complete"),
            "Progress row 2: percent_complete -5 is not between 0 and 100",
        ),
        # progress with the data_date row left blank (as the template has it)
        (
            [{"activity": "A-1", "actual_start": date(2027, 1, 4)}],
            {"data_date": None},
            ("Settings", 6, "value"),
            "Settings row 6: data_date is blank; the Progress sheet gives progress of 1 "
            "activity, which is measured at a data date: type the date (the first day of "
            "the remaining work)",
        ),
        # a duplicate row
        (
            [{"activity": "A-1", "actual_start": date(2027, 1, 4)},
             {"activity": "A-1", "actual_start": date(2027, 1, 5)}],
            {},
            ("Progress", 3, "activity"),
            "Progress row 3: progress of 'A-1' is already given on row 2",
        ),
        # a progress row without its actual start
        (
            [{"activity": "A-1", "percent_complete": 50}],
            {},
            ("Progress", 2, "actual_start"),
            "Progress row 2: 'A-1' has no actual_start; give the first day worked (an "
            "activity that has not started needs no Progress row)",
        ),
        # an actual start before the plan
        (
            [{"activity": "A-1", "actual_start": date(2026, 12, 1)}],
            {},
            ("Progress", 2, "actual_start"),
            "Progress row 2: actual_start 2026-12-01 of 'A-1' is before plan_start 2027-01-04",
        ),
        # a data date outside the plan
        (
            [],
            {"data_date": date(2026, 6, 1)},
            ("Settings", 6, "value"),
            "Settings row 6: data_date 2026-06-01 is before plan_start; the data date must "
            "fall within the plan",
        ),
        # an unknown out-of-sequence option
        (
            [],
            {"out_of_sequence": "retained"},
            ("Settings", 7, "value"),
            "Settings row 7: out_of_sequence 'retained' is not a progress option; use "
            "retained_logic, progress_override",
        ),
        # a negative remaining duration
        (
            [{"activity": "A-1", "actual_start": date(2027, 1, 4), "remaining_duration": -1}],
            {},
            ("Progress", 2, "remaining_duration"),
            "Progress row 2: remaining_duration -1 is negative; it is >= 0",
        ),
    ],
)  # fmt: skip
def test_bad_progress_is_a_placed_error(
    rows: list[dict[str, Any]], settings: dict[str, Any], place: tuple[Any, ...], text: str
) -> None:
    found = find(issues_of(progressed(rows, **settings)), *place)
    assert found.message == text
    assert found.severity == "error"


def test_progress_without_a_data_date_row_asks_for_one() -> None:
    t = tiny_tables()
    t["Progress"] = [{"activity": "A-1", "actual_start": date(2027, 1, 4)}]
    found = find(issues_of(t), "Settings", None, "data_date")
    assert found.message == (
        "Settings: data_date is missing; the Progress sheet gives progress of 1 activity, "
        "which is measured at a data date: add a row with key data_date"
    )


def test_a_data_date_that_is_not_a_date_is_one_error_not_also_missing() -> None:
    rows = [{"activity": "A-1", "actual_start": date(2027, 1, 4)}]
    issues = issues_of(progressed(rows, data_date="next month"))
    assert [(i.sheet, i.row, i.column, i.message) for i in issues] == [
        (
            "Settings",
            6,
            "value",
            "Settings row 6: data_date 'next month' is not a date; type a date or YYYY-MM-DD",
        )
    ]


def test_what_progress_did_is_placed_on_the_workbook_rows() -> None:
    # A-1 started 2027-01-04 (in progress at the data date 2027-02-01): the max lag 20 of
    # SS A-1 -> A-2 (Dependencies row 2) is anchored on history; A-3 (Activities row 4)
    # has not started but its fixed start 2027-01-10 is before the data date
    from scheduler.progress import remaining_plan

    t = progressed([{"activity": "A-1", "actual_start": date(2027, 1, 4)}])
    t["Activities"][2]["fixed_start"] = date(2027, 1, 10)
    t["Dependencies"] = [t["Dependencies"][0]]  # A-3 free of A-2
    _, pm = remaining_plan(plan_from_tables(t))
    got = {(w.sheet, w.row, w.column, w.severity): w.message for w in pm.warnings}
    assert got == {
        ("Activities", 4, "fixed_start", "warning"): "Activities row 4: A-3 has not started "
        "but its fixed start 2027-01-10 is before the data date 2027-02-01; it starts on or "
        "after the data date",
        ("Dependencies", 2, "max_lag", "warning"): "Dependencies row 2: the max lag 20 of SS "
        "A-1 -> A-2 is not kept: it is anchored on A-1's actual start, which is history",
    }


def test_progress_round_trips_through_a_workbook_file(tmp_path: Path) -> None:
    rows = [{"activity": "A-1", "actual_start": date(2027, 1, 4), "percent_complete": 50}]
    path = tmp_path / "p.xlsx"
    write_workbook(progressed(rows), path)
    plan = read_workbook(path)
    a1 = next(a for a in plan.activities if a.id == "A-1")
    assert plan.data_date == 28
    assert a1.progress == Progress(actual_start=0, percent_complete=50)


def test_template_has_the_progress_sheet(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Progress"]
    assert [c.value for c in ws[1]] == [
        "activity*",
        "actual_start",
        "actual_finish",
        "remaining_duration",
        "percent_complete",
    ]
    assert "data_date" in ws["A1"].comment.text
    checks = {
        (dv.type, dv.operator, dv.formula1, dv.formula2)
        for dv in ws.data_validations.dataValidation
    }
    assert ("decimal", "between", "0", "100") in checks
    assert ("date", "greaterThan", "DATE(1900,1,1)", None) in checks
    settings = wb["Settings"]
    keys = [settings.cell(r, 1).value for r in range(2, settings.max_row + 1)]
    assert {"data_date", "out_of_sequence"} <= set(keys)
    lists = {dv.formula1 for dv in settings.data_validations.dataValidation}
    assert '"retained_logic,progress_override"' in lists
    assert read_workbook(path).data_date is None  # a new plan has no progress


def test_cli_says_what_progress_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        {"activity": "A-1", "actual_start": date(2027, 1, 4), "actual_finish": date(2027, 1, 13)},
        {"activity": "A-2", "actual_start": date(2027, 1, 25), "remaining_duration": 1},
    ]
    path = tmp_path / "p.xlsx"
    write_workbook(progressed(rows), path)
    code = main(["plan", str(path), "--no-report", "--time-limit", "2"])
    assert code == 0
    out = capsys.readouterr().out
    assert "progress: 1 complete, 1 in progress at data date 2027-02-01 (retained logic)" in out


def test_remaining_longer_than_the_whole_duration_is_a_placed_warning() -> None:
    """A-2 lasts 2 w; 3 w remaining (21 days) is planned as given and warned about on its
    Progress row, since the figure is read in the activity's unit; 2 w is not warned."""
    rows = [
        {"activity": "A-2", "actual_start": "2027-01-25", "remaining_duration": 3},
        {"activity": "A-1", "actual_start": "2027-01-25", "remaining_duration": 5},
    ]
    plan = plan_from_tables(progressed(rows))
    by_id = {a.id: a for a in plan.activities}
    assert by_id["A-2"].progress is not None and by_id["A-2"].progress.remaining == 21
    got = [(w.sheet, w.row, w.column, w.severity, w.message) for w in plan.warnings]
    assert got == [
        (
            "Progress",
            2,
            "remaining_duration",
            "warning",
            "Progress row 2: remaining_duration 3 of 'A-2' is longer than its whole duration 2 "
            "(both in its duration_unit 'w': 21 days left against 14); it is planned as given, "
            "check the unit if a re-estimate was not meant",
        )
    ]
