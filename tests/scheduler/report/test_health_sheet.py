"""The report's Health sheet: the DCMA 14-point assessment, read back from the workbook."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from scheduler.errors import InvalidPlanError, Issue
from scheduler.model import Activity, Baseline, Dependency
from scheduler.planner import invalid_schedule
from scheduler.report import write_report
from scheduler.report.health import HEALTH_HEADER_ROW
from scheduler.solution import Schedule
from tests.plans import tiny_plan


def _read(path: Path) -> dict[int, list[object]]:
    ws = openpyxl.load_workbook(path)["Health"]
    first = HEALTH_HEADER_ROW + 1
    return {
        int(ws.cell(r, 1).value): [ws.cell(r, c).value for c in range(2, 10)]  # type: ignore[arg-type]
        for r in range(first, first + 14)
    }


def test_health_sheet_rows(tmp_path: Path) -> None:
    # X [0, 5) → Y pinned at slot 5 [5, 10); no data date, nothing complete
    plan = tiny_plan(
        [Activity("X", "x", 5), Activity("Y", "y", 5, fixed_start=5)],
        [Dependency("X", "Y")],
    )
    out = write_report(Schedule(plan=plan, status="feasible"), tmp_path / "r.xlsx")
    rows = _read(out)
    ws = openpyxl.load_workbook(out)["Health"]
    assert "DCMA 14-point" in str(ws["A1"].value)
    # failed: logic, hard constraints, resources (neither has a crew), critical path test;
    # n/a: missed tasks, CPLI, BEI
    assert "7 passed, 4 failed, 3 not applicable" in str(ws["A2"].value)
    assert [ws.cell(HEALTH_HEADER_ROW, c).value for c in (1, 2, 7)] == ["#", "check", "result"]
    # 1: X has no predecessor, Y no successor: 2 of 2 (share 1.0 as 100 %)
    assert rows[1][:6] == ["Logic", 2, 2, 1.0, "<= 5%", "FAIL"]
    assert rows[1][7] == "X, Y"
    assert rows[5][:6] == ["Hard constraints", 1, 2, 0.5, "<= 5%", "FAIL"]  # Y must start on
    # 12: X 600 days longer moves the finish 10 → 605 (Y stays pinned): 595
    assert rows[12][:6] == [
        "Critical path test",
        595,
        600,
        None,
        "finish moves 600",
        "FAIL",
    ]
    assert rows[13][:6] == ["CPLI", None, None, None, ">= 0.95", "n/a"]  # no deadline
    assert rows[9][5] == "pass"  # no invalid dates
    assert rows[10][:6] == ["Resources", 2, 2, 1.0, "0", "FAIL"]
    result = ws.cell(HEALTH_HEADER_ROW + 1, 7)
    assert result.font.color.rgb.endswith("C00000")  # FAIL in red


def test_health_sheet_of_an_invalid_input(tmp_path: Path) -> None:
    error = InvalidPlanError([Issue("Activities", 3, "duration", "duration -1 is negative")])
    out = write_report(invalid_schedule(error), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(out)["Health"]
    assert "not a valid plan" in str(ws["A2"].value)


def test_health_sheet_uses_the_plans_baseline(tmp_path: Path) -> None:
    # X [0, 5) → Y [5, 10); the baseline had the plan finish at slot 8: CPLI = 8 / 10
    plan = tiny_plan([Activity("X", "x", 5), Activity("Y", "y", 5)], [Dependency("X", "Y")])
    plan.baseline = Baseline(starts={"X": 0, "Y": 4}, ends={"X": 4, "Y": 8}, finish=8, name="v1")
    out = write_report(Schedule(plan=plan, status="feasible"), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(out)["Health"]
    assert "against the baseline v1" in str(ws["A2"].value)
    assert _read(out)[13][:6] == ["CPLI", 8, 10, 0.8, ">= 0.95", "FAIL"]
