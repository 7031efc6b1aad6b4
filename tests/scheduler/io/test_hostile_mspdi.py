"""MS Project XML with hostile fields: every bad number, date or link is named in place.

Each case edits one field of ``tests/data/hostile_base.xml`` and asserts the issue's
sentence (file, element and line, task ``ID``/``UID``/name, field) and severity.
Before these checks the reader raised a bare ``ValueError`` (a traceback in the CLI,
"the file cannot be read (ValueError)" over the API), ran out of memory in the
solver, or changed the plan without a word.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from scheduler.errors import InvalidPlanError, Issue
from scheduler.importers.mspdi import read_mspdi
from scheduler.model import Plan
from tests.scheduler.io.hostile import Edit, element_line, fixture

BASE = "hostile_base.xml"
EXCAVATE = "Task 3 (UID 3, 'Excavate')"
DONE = "Task 4 (UID 4, 'Earthworks done')"


def _read(edit: Edit) -> tuple[bytes, int, Plan | InvalidPlanError]:
    data, pos = edit.apply(fixture(BASE))
    try:
        return data, pos, read_mspdi(data, "bad.xml")
    except InvalidPlanError as exc:
        return data, pos, exc


def _only(issues: list[Issue], severity: str) -> Issue:
    found = [i for i in issues if i.severity == severity]
    assert len(found) == 1, [i.message for i in issues]
    return found[0]


ERRORS = [
    # (edit, element holding the field, field, sentence after "bad.xml: <element> line N: ")
    (
        Edit(b"<LinkLag>0</LinkLag>", b"<LinkLag>ten</LinkLag>"),
        "PredecessorLink",
        "LinkLag",
        f"{EXCAVATE}: LinkLag 'ten' is not a lag in tenths of minutes",
    ),
    (
        Edit(b"<LinkLag>0</LinkLag>", b"<LinkLag>nan</LinkLag>"),
        "PredecessorLink",
        "LinkLag",
        f"{EXCAVATE}: LinkLag 'nan' is not a lag in tenths of minutes",
    ),
    (
        Edit(b"<LinkLag>0</LinkLag>", b"<LinkLag>1e15</LinkLag>"),
        "PredecessorLink",
        "LinkLag",
        f"{EXCAVATE}: LinkLag '1e15' = 2.083e+11 days is longer than any plan "
        "(at most 36,525 days, 100 years)",
    ),
    (
        Edit(b"<MinutesPerDay>480", b"<MinutesPerDay>lots"),
        "Project",
        "MinutesPerDay",
        "Project: MinutesPerDay 'lots' is not a number of minutes from 1 to 1440",
    ),
    (
        Edit(b"<MinutesPerDay>480", b"<MinutesPerDay>nan"),
        "Project",
        "MinutesPerDay",
        "Project: MinutesPerDay 'nan' is not a number of minutes from 1 to 1440",
    ),
    (
        Edit(b"<MinutesPerDay>480", b"<MinutesPerDay>-480"),
        "Project",
        "MinutesPerDay",
        "Project: MinutesPerDay '-480' is not a number of minutes from 1 to 1440",
    ),
    (
        Edit(b"<MinutesPerDay>480", b"<MinutesPerDay>0.0001"),
        "Project",
        "MinutesPerDay",
        "Project: MinutesPerDay '0.0001' is not a number of minutes from 1 to 1440",
    ),
    (
        Edit(b"<PercentComplete>0", b"<PercentComplete>half", nth=1),
        "Task",
        "PercentComplete",
        f"{EXCAVATE}: PercentComplete 'half' is not a percentage from 0 to 100",
    ),
    (
        Edit(b"<PercentComplete>0", b"<PercentComplete>nan", nth=1),
        "Task",
        "PercentComplete",
        f"{EXCAVATE}: PercentComplete 'nan' is not a percentage from 0 to 100",
    ),
    (
        Edit(b"<OutlineLevel>2", b"<OutlineLevel>two", nth=1),
        "Task",
        "OutlineLevel",
        f"{EXCAVATE}: OutlineLevel 'two' is not an outline level",
    ),
    (
        Edit(b"<Duration>PT80H0M0S", b"<Duration>PT99999999999H0M0S"),
        "Task",
        "Duration",
        f"{EXCAVATE}: duration 'PT99999999999H0M0S' = 1.25e+10 days is longer than any plan "
        "(at most 36,525 days, 100 years)",
    ),
    (
        Edit(b"<PredecessorUID>3<", b"<PredecessorUID>4<"),
        "PredecessorLink",
        "PredecessorUID",
        f"{DONE}: links to itself",
    ),
    (
        Edit(b"<UID>4</UID>", b"<UID>3</UID>"),
        "Task",
        "UID",
        "Task 4 (UID 3, 'Earthworks done'): UID 3 repeats the task at line 56",
    ),
    (
        Edit(b"<StartDate>2026-01-05", b"<StartDate>9999-06-01"),
        "Project",
        "StartDate",
        "Project: StartDate 9999-06-01 is not between 1900-01-01 and 2199-12-31",
    ),
    (
        Edit(
            b"<PercentComplete>0</PercentComplete>\n",
            b"<PercentComplete>0</PercentComplete>"
            b"<ConstraintType>4</ConstraintType><ConstraintDate>9999-01-01T08:00:00"
            b"</ConstraintDate>\n",
            nth=1,
        ),
        "Task",
        "ConstraintDate",
        f"{EXCAVATE}: ConstraintDate 9999-01-01 is more than 100 years after the plan start "
        "2026-01-05",
    ),
    (
        Edit(b"<MaxUnits>2.00", b"<MaxUnits>many"),
        "Resource",
        "MaxUnits",
        "Resource 'Excavator' (UID 1): MaxUnits 'many' is not a number of units up to 1,000,000",
    ),
    (
        Edit(b"<Units>1<", b"<Units>1e20<"),
        "Assignment",
        "Units",
        "Task 3/Excavator: Units '1e20' is not a number of units up to 1,000,000",
    ),
    (
        Edit(b"<DayType>7", b"<DayType>Sat"),
        "WeekDay",
        "DayType",
        "calendar 1 'Standard': DayType 'Sat' is not a day type 0 to 7",
    ),
]


@pytest.mark.parametrize(("edit", "element", "field", "sentence"), ERRORS)
def test_bad_field_is_an_error_at_its_place(
    edit: Edit, element: str, field: str, sentence: str
) -> None:
    data, pos, got = _read(edit)
    assert isinstance(got, InvalidPlanError), "the hostile file was accepted"
    issue = _only(got.issues, "error")
    line = element_line(data, pos, element)
    assert (issue.sheet, issue.row, issue.column) == (element, line, field)
    assert issue.message == f"bad.xml: {element} line {line}: {sentence}"


WARNINGS = [
    # informative fields: the plan is read, the field ignored with a placed warning
    (
        Edit(b"<TotalSlack>0", b"<TotalSlack>none", nth=1),
        "Task",
        "TotalSlack",
        f"{EXCAVATE}: TotalSlack 'none' is not a slack within 100 years; ignored",
    ),
    (
        Edit(b"<TotalSlack>0", b"<TotalSlack>nan", nth=1),
        "Task",
        "TotalSlack",
        f"{EXCAVATE}: TotalSlack 'nan' is not a slack within 100 years; ignored",
    ),
    (
        Edit(b"<Finish>2026-01-23", b"<Finish>9999-12-31"),
        "Task",
        "Finish",
        f"{EXCAVATE}: Finish 9999-12-31 is more than 100 years after the plan start "
        "2026-01-05; ignored",
    ),
    (
        Edit(b"<StartDate>2026-01-05T08:00:00", b"<StartDate>soon"),
        "Project",
        "StartDate",
        "Project: StartDate 'soon' is not a date; the earliest task start is used",
    ),
    (
        Edit(b"<CriticalSlackLimit>0", b"<CriticalSlackLimit>x"),
        "Project",
        "CriticalSlackLimit",
        "Project: CriticalSlackLimit 'x' is not a number; ignored",
    ),
]


@pytest.mark.parametrize(("edit", "element", "field", "sentence"), WARNINGS)
def test_informative_field_is_a_warning_at_its_place(
    edit: Edit, element: str, field: str, sentence: str
) -> None:
    data, pos, got = _read(edit)
    assert isinstance(got, Plan), got
    issue = _only(got.warnings, "warning")
    line = element_line(data, pos, element)
    assert (issue.sheet, issue.row, issue.column) == (element, line, field)
    assert issue.message == f"bad.xml: {element} line {line}: {sentence}"
    assert got.plan_start == date(2026, 1, 5)
    assert [(a.id, a.duration) for a in got.activities] == [("2", 5), ("3", 10), ("4", 0)]


def test_unreadable_slack_is_left_out_not_read_as_nan() -> None:
    _, _, got = _read(Edit(b"<TotalSlack>0", b"<TotalSlack>nan", nth=1))
    assert isinstance(got, Plan)
    assert "tool_tf_days" not in got.activities[1].extra
    assert got.activities[0].extra["tool_tf_days"] == 0.0


def test_link_from_a_summary_to_its_own_task_is_dropped_with_a_warning() -> None:
    # Excavate (UID 3) under the summary Earthworks (UID 1) names its summary as predecessor:
    # its leaf pairs include 4 → 3 beside 3 → 4, a cycle, so the plan is refused, with the
    # warnings that explain where the links came from
    data, pos, got = _read(Edit(b"<PredecessorUID>2<", b"<PredecessorUID>1<"))
    assert isinstance(got, InvalidPlanError), got
    line = element_line(data, pos, "PredecessorLink")
    assert [i.message for i in got.issues] == [
        f"bad.xml: PredecessorLink line {line}: {EXCAVATE}: link with a summary task "
        "replaced by links to its 3 leaf pairs",
        f"bad.xml: PredecessorLink line {line}: {EXCAVATE}: the link from summary task "
        "UID 1 to its own task 3 is dropped",
        f"bad.xml: PredecessorLink: cyclic dependencies 4 → 3 → 4 (lines {line}, 85); "
        "remove or reverse one of them",
    ]
    assert [i.severity for i in got.issues] == ["warning", "warning", "error"]


def test_every_bad_field_is_reported_at_once() -> None:
    data = fixture(BASE)
    for edit in (
        Edit(b"<LinkLag>0</LinkLag>", b"<LinkLag>ten</LinkLag>"),
        Edit(b"<PercentComplete>0", b"<PercentComplete>half", nth=1),
        Edit(b"<MaxUnits>2.00", b"<MaxUnits>many"),
    ):
        data = edit.apply(data)[0]
    with pytest.raises(InvalidPlanError) as err:
        read_mspdi(data, "bad.xml")
    assert [i.column for i in err.value.issues if i.severity == "error"] == [
        "PercentComplete",
        "LinkLag",
        "MaxUnits",
    ]
    assert re.search(r"3 problem\(s\) in the plan: bad\.xml: Task line \d+: ", str(err.value))


def test_calendar_without_a_working_day_is_an_error() -> None:
    data = fixture(BASE).replace(
        b"<WeekDays>",
        b"<WeekDays>"
        + b"".join(
            b"<WeekDay><DayType>%d</DayType><DayWorking>0</DayWorking></WeekDay>" % d
            for d in range(2, 7)
        ),
    )
    with pytest.raises(InvalidPlanError) as err:
        read_mspdi(data, "bad.xml")
    line = element_line(data, data.index(b"<UID>1</UID>"), "Calendar")
    assert [(i.sheet, i.row, i.column, i.message) for i in err.value.issues] == [
        (
            "Calendar",
            line,
            "WeekDays",
            f"bad.xml: Calendar line {line}: calendar 1 'Standard', the project's: no working day",
        )
    ]
