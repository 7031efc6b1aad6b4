"""``infraplan convert``: calendar choice, its warning, Notes/Budget/Blackouts sheets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scheduler.importers import convert_to_workbook
from scheduler.importers.convert import NOTES_SHEET, choose_calendar
from scheduler.importers.dslib import read_dslib
from scheduler.importers.xer import read_xer
from scheduler.model import Activity, Dependency, Plan
from scheduler.planner import plan_schedule
from scheduler.solver import SolveOptions
from scheduler.timegrid import TimeGrid
from scheduler.workbook import read_workbook
from tests.plans import tiny_plan
from tests.shared import DSLIB, TAKT, sample

POPERINGE = "C2015-34 Roadworks Poperinge.xlsx"


def _finish(plan: Plan) -> date:
    schedule = plan_schedule(plan, SolveOptions(time_limit_s=5, workers=2))
    assert schedule.status == "optimal"
    return plan.grid.finish_date(0, max(schedule.ends().values()))


def _poperinge() -> Plan:
    path = DSLIB / POPERINGE
    if not path.exists():
        pytest.skip(f"DSLIB samples not found: {path}")
    return read_dslib(path.read_bytes(), POPERINGE)


@pytest.mark.parametrize(
    ("kw", "calendar"),
    [
        ({}, "workdays-kr"),  # Mon-Fri, nothing of its own: the one working-day calendar
        ({"holidays_extra": frozenset({date(2027, 5, 5)})}, "calendar"),  # own holidays
        ({"workdays_extra": frozenset({date(2027, 5, 8)})}, "calendar"),  # a working Saturday
        ({"workweek": frozenset(range(6))}, "calendar"),  # a six-day week
    ],
)
def test_choose_calendar(kw: dict[str, object], calendar: str) -> None:
    grid = TimeGrid(date(2027, 1, 4), "custom", 12, **kw)  # type: ignore[arg-type]
    assert choose_calendar(grid) == calendar


def test_poperinge_keeps_workdays_kr_and_warns_the_later_finish(tmp_path: Path) -> None:
    plan = _poperinge()
    notes = convert_to_workbook(plan, tmp_path / "p.xlsx")
    converted = read_workbook(tmp_path / "p.xlsx")
    assert converted.grid.kind == "workdays-kr"
    # Korean holidays (Chuseok 2013-09-18..20 and others) move the finish by 10 days
    assert (_finish(plan), _finish(converted)) == (date(2013, 9, 20), date(2013, 9, 30))
    calendar_notes = [n.message for n in notes if n.column == "calendar"]
    assert calendar_notes == [
        "the file's calendar (week MTWTF--, 0 holiday(s), 0 extra working day(s)) is written "
        "as 'workdays-kr': same working-day durations and lags, but Korean public holidays "
        "are added; CPM finish 2013-09-20 in the file's calendar, 2013-09-30 converted "
        "(+10 calendar days)"
    ]
    _assert_sheets(tmp_path / "p.xlsx", calendar_notes[0])


def test_takt_xer_with_holidays_becomes_calendar_days_with_the_same_dates(
    tmp_path: Path,
) -> None:
    plan = read_xer(sample(TAKT), TAKT)
    assert len(plan.grid.holidays_extra) == 5  # the P6 calendar's own holidays
    notes = convert_to_workbook(plan, tmp_path / "t.xlsx")
    converted = read_workbook(tmp_path / "t.xlsx")
    assert converted.grid.kind == "calendar"
    assert _finish(plan) == _finish(converted) == date(2022, 2, 21)
    by_id = {a.id: a for a in converted.activities}
    src = {a.id: a for a in plan.activities}
    assert all(by_id[k].duration >= src[k].duration for k in src)  # weekends added
    message = next(n.message for n in notes if n.column == "calendar")
    assert "written as 'calendar'" in message
    assert message.endswith("CPM finish unchanged: 2022-02-21")
    _assert_sheets(tmp_path / "t.xlsx", message)


def _assert_sheets(path: Path, message: str) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    assert [c.value for c in wb["Budget"][1]] == ["year", "from", "to", "cap"]
    assert wb["Budget"].max_row == 1  # headers only, for the planner to fill
    assert [c.value for c in wb["Blackouts"][1]] == ["scope", "from", "to", "reason"]
    assert wb["Blackouts"].max_row == 1
    notes = [r for r in wb[NOTES_SHEET].iter_rows(min_row=2, values_only=True)]
    assert ("warning", "Settings", message) in notes


def test_converted_workbook_reads_without_a_warning_about_its_notes(tmp_path: Path) -> None:
    """The Notes sheet convert writes is ours: planning the workbook does not warn about it."""
    plan = tiny_plan(
        [Activity("A", "road works", 5, project="Road"), Activity("B", "fibre", 3)],
        [Dependency("A", "B")],
    )
    notes = convert_to_workbook(plan, tmp_path / "c.xlsx")
    assert notes  # sector guesses at least: the Notes sheet has rows
    assert NOTES_SHEET in load_workbook(tmp_path / "c.xlsx").sheetnames
    converted = read_workbook(tmp_path / "c.xlsx")
    about_notes = [w for w in converted.warnings if "Notes" in str(w)]
    assert about_notes == []  # was "Notes: sheet is not one infraplan reads; it is ignored"
    assert [a.id for a in converted.activities] == ["A", "B"]


def test_a_progressed_p6_plan_converts_with_its_progress_and_the_same_finish(
    tmp_path: Path,
) -> None:
    # the chiller rebuild (data date 2025-09-02 17:00, 22 complete, 1 in progress): the
    # workbook gets Settings data_date / out_of_sequence and a Progress sheet, and plans
    # to P6's finish 2026-01-09 as the file does
    from scheduler.cpm import compute_cpm
    from scheduler.progress import remaining_plan
    from tests.shared import CHILLER

    plan = read_xer(sample(CHILLER), CHILLER)
    out = tmp_path / "chiller.xlsx"
    convert_to_workbook(plan, out)
    back = read_workbook(out)
    assert back.data_date is not None
    assert back.grid.date_of(back.data_date) == date(2025, 9, 3)
    assert back.out_of_sequence == "retained_logic"
    started = {a.id: a.progress for a in back.activities if a.progress is not None}
    assert len(started) == 23
    active = started["C-MOB-150"]
    assert active is not None and active.status == "in_progress"
    # 22 working days left from Wed 2025-09-03 (the file's calendar has a holiday on
    # 2025-09-08) end on Fri 2025-10-03: 31 calendar days
    assert active.remaining == 31
    for p in (plan, back):
        rem = remaining_plan(p)[0]
        assert rem.grid.finish_date(0, compute_cpm(rem).project_finish) == date(2026, 1, 9)
