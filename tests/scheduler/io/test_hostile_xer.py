"""P6 XER files with hostile encodings and numbers: read, or refused naming the place."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.errors import InvalidPlanError, UnreadableFileError
from scheduler.importers.xer import read_xer
from scheduler.model import Plan
from tests.scheduler.io.hostile import Edit, fixture, line_of

BASE = "hostile_base.xer"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_export_is_read_like_the_utf8_one(encoding: str) -> None:
    # P6 "Unicode" exports: with a byte order mark, or without one (-le / -be)
    text = fixture(BASE).decode("utf-8").replace("Clear site", "부지 정리")
    wide = read_xer(text.encode(encoding), "wide.xer")
    narrow = read_xer(text.encode("utf-8"), "narrow.xer")
    assert [(a.id, a.name, a.duration) for a in wide.activities] == [
        (a.id, a.name, a.duration) for a in narrow.activities
    ]
    assert wide.activities[0].name == "부지 정리"
    assert len(wide.dependencies) == 2


def test_broken_utf16_names_the_encoding() -> None:
    data = fixture(BASE).decode("utf-8").encode("utf-16")[:-1] + b"\x00\xd8"
    with pytest.raises(UnreadableFileError) as err:
        read_xer(data, "wide.xer")
    assert err.value.reason.startswith("wide.xer looks like UTF-16 text but is not")


def test_not_an_xer_says_how_it_was_read() -> None:
    with pytest.raises(UnreadableFileError) as err:
        read_xer("%T\tPROJECT\r\n".encode("utf-16"), "odd.xer")
    assert err.value.reason == (
        "odd.xer does not start with ERMHDR (read as utf-16 text): not a P6 XER export"
    )


def _read(edit: Edit) -> tuple[int, Plan | InvalidPlanError]:
    data, pos = edit.apply(fixture(BASE))
    try:
        return line_of(data, pos), read_xer(data, "bad.xer")
    except InvalidPlanError as exc:
        return line_of(data, pos), exc


A110 = b"A110\tExcavate\tTT_Task\tTK_NotStart\t80\t80\t0\t2026-01-12 08:00\t2026-01-23 17:00"
ERRORS = [
    # (edit, table, field, sentence after "bad.xer: <table> line N: ")
    (
        Edit(b"Standard 5 Day\t8\t", b"Standard 5 Day\teight\t"),
        "CALENDAR",
        "day_hr_cnt",
        "calendar 'Standard 5 Day': hours per day 'eight' is not a number above 0 and at most 24",
    ),
    (
        Edit(A110, A110.replace(b"\t80\t80\t", b"\t80\t8e9\t")),
        "TASK",
        "remain_drtn_hr_cnt",
        "A110: remain_drtn_hr_cnt '8e9' h = 1e+09 days is longer than any plan "
        "(at most 36,525 days, 100 years)",
    ),
    (
        Edit(b"PR_FS\t8", b"PR_FS\t1e15"),
        "TASKPRED",
        "lag_hr_cnt",
        "A110 → A120: lag '1e15' h = 1.25e+14 days is longer than any plan "
        "(at most 36,525 days, 100 years)",
    ),
    (
        Edit(b"3101\t3001\t2", b"3101\t3001\t1e20"),
        "RSRCRATE",
        "max_qty_per_hr",
        "resource 3001: max_qty_per_hr: 1e+20 units is not between 0 and 1,000,000",
    ),
    (
        Edit(b"4001\t1002\t3001\t1", b"4001\t1002\t3001\t1e20"),
        "TASKRSRC",
        "target_qty_per_hr",
        "A110/EXC: target_qty_per_hr: 1e+20 units is not between 0 and 1,000,000",
    ),
    (
        Edit(b"HOSTILE\t10\t2026-01-05 08:00", b"HOSTILE\t10\t9999-06-01 08:00"),
        "PROJECT",
        "last_recalc_date",
        "data date last_recalc_date 9999-06-01 is not between 1900-01-01 and 2199-12-31",
    ),
    (
        Edit(A110 + b"\t2026-01-23 17:00\t\t", A110 + b"\t2026-01-23 17:00\tCS_MSOA\t9999-01-04"),
        "TASK",
        "cstr_date",
        "A110: cstr_date 9999-01-04 is more than 100 years after the plan start 2026-01-05",
    ),
]


@pytest.mark.parametrize(("edit", "table", "field", "sentence"), ERRORS)
def test_bad_number_or_date_is_an_error_at_its_line(
    edit: Edit, table: str, field: str, sentence: str
) -> None:
    line, got = _read(edit)
    assert isinstance(got, InvalidPlanError), "the hostile file was accepted"
    errors = [i for i in got.issues if i.severity == "error"]
    assert len(errors) == 1, [i.message for i in got.issues]
    issue = errors[0]
    assert (issue.sheet, issue.row, issue.column) == (table, line, field)
    assert issue.message == f"bad.xer: {table} line {line}: {sentence}"


WARNINGS = [
    (
        Edit(A110, A110.replace(b"2026-01-23 17:00", b"9999-12-31 17:00")),
        "TASK",
        "early_end_date",
        "A110: early_end_date 9999-12-31 is more than 100 years after the plan start "
        "2026-01-05; ignored",
    ),
    (
        Edit(A110, A110.replace(b"\t80\t80\t0\t", b"\t80\t80\t1e15\t")),
        "TASK",
        "total_float_hr_cnt",
        "A110: total float 1e+15 h is more than 100 years; ignored",
    ),
    (
        Edit(b"(d|46013)", b"(d|99999999999)"),
        "CALENDAR",
        "clndr_data",
        "calendar 'Standard 5 Day': exception day 99999999999 is not a date between "
        "1900-01-01 and 2199-12-31; ignored",
    ),
]


@pytest.mark.parametrize(("edit", "table", "field", "sentence"), WARNINGS)
def test_informative_value_out_of_range_is_a_warning(
    edit: Edit, table: str, field: str, sentence: str
) -> None:
    line, got = _read(edit)
    assert isinstance(got, Plan), got
    assert [(w.sheet, w.row, w.column, w.message) for w in got.warnings] == [
        (table, line, field, f"bad.xer: {table} line {line}: {sentence}")
    ]
    assert got.plan_start == date(2026, 1, 5)
    assert got.grid.horizon_months == 24  # the far date did not stretch the plan
    assert [(a.id, a.duration) for a in got.activities] == [("A100", 5), ("A110", 10), ("A120", 0)]


def test_default_calendar_without_a_working_day_is_an_error() -> None:
    # a clndr_data that names no working period: the grid would have no slot
    data = fixture(BASE)
    start = data.index(b"(0||CalendarData")
    end = data.index(b"\r\n", start)
    bad = data[:start] + b"nothing" + data[end:]
    with pytest.raises(InvalidPlanError) as err:
        read_xer(bad, "bad.xer")
    assert [(i.sheet, i.row, i.column, i.message) for i in err.value.issues] == [
        (
            "CALENDAR",
            7,
            "clndr_data",
            "bad.xer: CALENDAR line 7: calendar 'Standard 5 Day', the project's default: "
            "no working day",
        )
    ]
