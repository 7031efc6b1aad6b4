"""The report's Progress sheet and the Gantt's baseline bars (issue 10 item 3).

The plan and baseline of :mod:`tests.scheduler.test_baseline` with B1 taking 5 days, not
3: the solved plan (hand-computed, see :mod:`tests.scheduler.solver.test_stability`) is
S 0, A1 0, A2 5, M 10, B1 0, B2 5, C 5 (one day late: it waits for the crew after B1),
finish slot 11 (2027-01-11) against the baseline's 10 (2027-01-10).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl

from scheduler.baseline import attach_baseline, baseline_from_bytes
from scheduler.model import Activity, Dependency, Progress
from scheduler.planner import plan_schedule
from scheduler.report import GANTT_FIRST_MONTH_COL, GANTT_HEADER_ROW, write_report
from scheduler.report.progress import PROGRESS_SUMMARY_ROW
from scheduler.solution import Schedule
from scheduler.solver import SolveOptions
from tests.plans import tiny_plan
from tests.scheduler.test_baseline import baseline_doc, chain_plan

SOLVED = {"S": 0, "A1": 0, "A2": 5, "M": 10, "B1": 0, "B2": 5, "C": 5}


def report(tmp_path: Path, starts: dict[str, int], *, baseline: bool = True):  # type: ignore[no-untyped-def]
    plan = chain_plan(b1=5)
    if baseline:
        data = json.dumps(baseline_doc()).encode()
        attach_baseline(plan, baseline_from_bytes(data, plan, "prev.json"))
    path = write_report(Schedule(plan=plan, status="optimal", starts=starts), tmp_path / "r.xlsx")
    return openpyxl.load_workbook(path)


def day(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_progress_sheet_summary_slips_and_variances(tmp_path: Path) -> None:
    ws = report(tmp_path, SOLVED)["Progress"]
    r = PROGRESS_SUMMARY_ROW
    summary = [(ws.cell(r + k, 1).value, ws.cell(r + k, 2).value) for k in range(6)]
    assert summary == [
        ("baseline", "prev.json"),
        ("baseline finish", day("2027-01-10")),
        ("finish", day("2027-01-11")),
        ("finish variance (days)", 1),
        ("activities that start on another day", "1 of 7"),
        ("activities that slipped", 2),
    ]
    # the slipped-most table: B1 (finish +2, its own duration), then C (+1, the crew)
    assert ws["A11"].value == "Activities that slipped most (finish variance, then start variance)"
    assert [c.value for c in ws[12]][:11] == [
        "id",
        "name",
        "baseline start",
        "start",
        "start variance (days)",
        "baseline finish",
        "finish",
        "finish variance (days)",
        "driven by",
        "from activity",
        "detail",
    ]
    assert [c.value for c in ws[13]][:11] == [
        "B1",
        "b1",
        day("2027-01-01"),
        day("2027-01-01"),
        0,
        day("2027-01-03"),
        day("2027-01-05"),
        2,
        "longer duration",
        None,
        "takes 5 days, the baseline 3",
    ]
    assert [c.value for c in ws[14]][:11] == [
        "C",
        "c",
        day("2027-01-05"),
        day("2027-01-06"),
        1,
        day("2027-01-10"),
        day("2027-01-11"),
        1,
        "resource (crew or machine)",
        "B1",
        "crew",
    ]
    # every activity, filterable: 7 rows under the header on row 17
    assert ws["A16"].value == "Every activity against the baseline"
    assert ws.auto_filter.ref == "A17:J24"
    rows = {ws.cell(r, 1).value: [c.value for c in ws[r]][:10] for r in range(18, 25)}
    assert rows["A2"][3:] == [
        "not started",
        day("2027-01-06"),
        day("2027-01-10"),
        day("2027-01-06"),
        day("2027-01-10"),
        0,
        0,
    ]
    assert (rows["C"][8], rows["C"][9]) == (1, 1)


def test_progress_sheet_without_a_baseline_says_how(tmp_path: Path) -> None:
    ws = report(tmp_path, SOLVED, baseline=False)["Progress"]
    assert ws.cell(PROGRESS_SUMMARY_ROW, 1).value.startswith(
        "no baseline: re-plan with infraplan plan FILE --baseline PREV.json"
    )


def _gantt_row(ws, aid: str) -> int:  # type: ignore[no-untyped-def]
    return next(
        r for r in range(GANTT_HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == aid
    )


def test_gantt_draws_the_baseline_under_each_bar(tmp_path: Path) -> None:
    # C moved to February (slot 35 = 2027-02-05): its January baseline month keeps only
    # the amber line, its February bar has none; A1 is where the baseline had it
    ws = report(tmp_path, dict(SOLVED, C=35))["Gantt"]
    assert "thin amber bar under a bar = the baseline's months (prev.json)" in ws["A2"].value
    jan, feb = GANTT_FIRST_MONTH_COL, GANTT_FIRST_MONTH_COL + 1
    assert [ws.cell(GANTT_HEADER_ROW, c).value for c in (jan, feb)] == ["Jan", "Feb"]
    c_row, a_row = _gantt_row(ws, "C"), _gantt_row(ws, "A1")
    c_jan, c_feb, a_jan = ws.cell(c_row, jan), ws.cell(c_row, feb), ws.cell(a_row, jan)
    assert (c_jan.border.bottom.style, c_jan.border.bottom.color.rgb) == ("thick", "00F4B000")
    assert c_jan.fill.fill_type is None  # no bar in January any more
    assert c_feb.fill.fgColor.rgb == "005B9BD5" and c_feb.border.bottom is None
    assert a_jan.fill.fill_type == "solid" and a_jan.border.bottom.style == "thick"


def test_gantt_draws_actual_work_apart_and_marks_the_data_date(tmp_path: Path) -> None:
    # calendar grid from 2027-01-01, data date slot 73 = 2027-03-15. A (59 days) complete,
    # worked [0, 59) = Jan 1 .. Feb 28; B (90 days) in progress since slot 31 (Feb 1) with
    # 40 days left: [73, 113) = Mar 15 .. Apr 23; C (30 days, FS from B) [113, 143) =
    # Apr 24 .. May 23. Months Jan..May are columns 7..11; March (the data date's) is 9.
    acts = [
        Activity("A", "a", 59, progress=Progress(actual_start=0, actual_finish=59)),
        Activity("B", "b", 90, progress=Progress(actual_start=31, remaining=40)),
        Activity("C", "c", 30),
    ]
    plan = tiny_plan(acts, [Dependency("B", "C")], data_date=73)
    sched = plan_schedule(plan, SolveOptions(time_limit_s=2, workers=2, repeatable=True))
    path = write_report(sched, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)["Gantt"]
    assert ws["A2"].value.endswith(
        "navy = actual (months worked before the data date), blue/red = remaining;"
        " teal dashed column = the month of the data date (2027-03-15)"
    )
    jan = GANTT_FIRST_MONTH_COL
    header = [ws.cell(GANTT_HEADER_ROW, jan + k) for k in range(5)]
    assert [c.value for c in header] == ["Jan", "Feb", "Mar", "Apr", "May"]
    assert [c.fill.fgColor.rgb for c in header] == ["001F4E78"] * 2 + ["000B7285"] + [
        "001F4E78"
    ] * 2

    def fills(aid: str) -> list[str | None]:
        r = _gantt_row(ws, aid)
        return [
            ws.cell(r, jan + k).fill.fgColor.rgb if ws.cell(r, jan + k).fill.fill_type else None
            for k in range(5)
        ]

    navy, red = "001F3864", "00E0301E"  # B and C are the critical chain (0 float)
    assert fills("A") == [navy, navy, None, None, None]
    assert fills("B") == [None, navy, navy, red, None]  # worked Feb 1 .. Mar 14
    assert fills("C") == [None, None, None, red, red]
    # the data date line runs down March on every row, bar or not
    for r in range(GANTT_HEADER_ROW + 1, ws.max_row + 1):
        march = ws.cell(r, jan + 2).border
        assert (march.left.style, march.right.style) == ("mediumDashed", "mediumDashed")
        assert march.left.color.rgb == "000B7285"
    assert ws.cell(_gantt_row(ws, "C"), jan + 3).border.left.style == "thin"
