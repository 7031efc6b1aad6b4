"""Tests of scheduler.report: the Excel report read back with openpyxl (SPEC §6).

Schedules are built by hand (no solver, no CPM module), on a calendar grid from
2027-01-01 (slot 0 = 2027-01-01, slot 90 = 2027-04-01, slot 365 = 2028-01-01).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from scheduler.errors import Issue
from scheduler.model import (
    Activity,
    BudgetPeriod,
    Demand,
    Dependency,
    Plan,
    Region,
    Resource,
    money_to_int,
)
from scheduler.report import (
    GANTT_FIRST_MONTH_COL,
    GANTT_HEADER_ROW,
    GANTT_YEAR_ROW,
    LOGIC_NOTE,
    SCHEDULE_HEADER_ROW,
    SHEETS,
    write_report,
)
from scheduler.solution import (
    ActivityTimes,
    Conflict,
    CpmResult,
    DrivingLink,
    Schedule,
)
from scheduler.timegrid import TimeGrid
from tests.plans import tiny_plan

PLAN_NAME = "국가 인프라 2개년 계획"


@pytest.fixture
def plan() -> Plan:
    """Five activities, one crew, two fiscal years, two regions, a formula-looking name."""
    acts = [
        Activity(
            "A1",
            "도로 토공",
            31,
            sector="road",
            project="도로",
            region_from="SEL",
            region_to="DJN",
            cost=money_to_int(31),
        ),
        Activity(
            "A2",
            "=SUM(A1)",
            10,
            sector="telecom",
            project="도로",
            region_from="SEL",
            region_to="DJN",
            cost=money_to_int(5),
        ),
        Activity(
            "A3",
            "댐 본체",
            59,
            sector="dam",
            project="댐",
            region_from="SEL",
            cost=money_to_int(59),
        ),
        Activity(
            "A4",
            "송전선",
            300,
            sector="grid",
            project="전력",
            region_from="SEL",
            region_to="DJN",
            cost=money_to_int(300),
        ),
        Activity("M5", "완공", 0, sector="grid", project="전력", region_from="DJN"),
    ]
    deps = [
        Dependency("A1", "A3"),
        Dependency("A1", "A2", "SS", 20),
        Dependency("A3", "A4"),
        Dependency("A4", "M5"),
    ]
    return Plan(
        PLAN_NAME,
        TimeGrid(date(2027, 1, 1)),
        acts,
        dependencies=deps,
        resources=[Resource("crew", 2, name="토목반")],
        demands=[Demand("A1", "crew", 1), Demand("A2", "crew", 1), Demand("A3", "crew", 2)],
        budgets=[
            BudgetPeriod("FY2027", 0, 365, money_to_int(400), date(2027, 1, 1), date(2027, 12, 31)),
            BudgetPeriod(
                "FY2028", 365, 731, money_to_int(100), date(2028, 1, 1), date(2028, 12, 31)
            ),
        ],
        regions=[
            Region("SEL", "서울", 37.57, 126.98, "AI"),
            Region("DJN", "대전", 36.35, 127.38, "bio"),
        ],
    )


@pytest.fixture
def cpm() -> CpmResult:
    """Hand CPM: A1 → A3 → A4 → M5 critical, A2 floats 360 days."""
    times = {
        "A1": ActivityTimes(0, 31, 0, 31, 0, 0, True),
        "A2": ActivityTimes(20, 30, 380, 390, 360, 360, False),
        "A3": ActivityTimes(31, 90, 31, 90, 0, 0, True),
        "A4": ActivityTimes(90, 390, 90, 390, 0, 0, True),
        "M5": ActivityTimes(390, 390, 390, 390, 0, 0, True),
    }
    return CpmResult(times, 390, [["A1", "A3", "A4", "M5"]])


@pytest.fixture
def solved(plan: Plan, cpm: CpmResult) -> Schedule:
    """The optimal plan: every activity at its early start."""
    starts = {"A1": 0, "A2": 20, "A3": 31, "A4": 90, "M5": 390}
    links = [
        DrivingLink("", "A1", "constraint", "plan start"),
        DrivingLink("A1", "A3", "logic", "FS 0"),
        DrivingLink("A3", "A4", "logic", "FS 0"),
        DrivingLink("A4", "M5", "logic", "FS 0"),
    ]
    return Schedule(
        plan,
        "optimal",
        starts=starts,
        objective=390,
        bound=390,
        gap=0.0,
        solve_seconds=0.25,
        cpm=cpm,
        driving=["A1", "A3", "A4", "M5"],
        driving_links=links,
        issues=[Issue("Activities", 7, "cost", "Activities row 7: cost rounded", "warning")],
    )


@pytest.fixture
def report(solved: Schedule, tmp_path: Path) -> openpyxl.Workbook:
    path = write_report(solved, tmp_path / "out" / "report.xlsx")
    return openpyxl.load_workbook(path)


def _row_of(ws, activity_id: str, col: int = 1) -> int:
    for row in ws.iter_rows(min_col=col, max_col=col):
        if row[0].value == activity_id:
            return row[0].row
    raise AssertionError(f"{activity_id} not found on {ws.title}")


def _no_formulas(wb: openpyxl.Workbook) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula"


def test_sheet_names_in_order(report: openpyxl.Workbook) -> None:
    assert report.sheetnames == list(SHEETS)
    assert SHEETS == (
        "Summary",
        "Schedule",
        "Gantt",
        "Critical path",
        "Progress",
        "Resources",
        "Budget",
        "Network",
        "Issues",
        "Health",
    )


def test_summary_values(report: openpyxl.Workbook) -> None:
    ws = report["Summary"]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert values["Plan name"] == PLAN_NAME  # Korean round-trips
    assert values["Status"] == "optimal"
    assert values["Makespan (days)"] == 390
    assert values["Finish date"] == datetime(2028, 1, 25)  # last day worked, slot 389
    assert values["Gap"] == 0
    assert values["Activities"] == 5
    assert values["Budget periods within cap"] == "yes"
    assert values["  chain 1 (4 activities)"] == "A1 → A3 → A4 → M5"
    # what the logic columns mean vs the solved plan
    assert values["  logic network (CPM)"] == LOGIC_NOTE[0]
    assert values["  solved plan"] == LOGIC_NOTE[1]
    heading = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "How to read the dates"
    )
    assert [b.id for b in ws.row_breaks.brk] == [heading - 1]  # printed on a new page


def test_schedule_dates_are_real_dates(report: openpyxl.Workbook) -> None:
    ws = report["Schedule"]
    assert [ws["A1"].value, ws["A2"].value] == list(LOGIC_NOTE)  # note lines above
    header = [c.value for c in ws[SCHEDULE_HEADER_ROW]]
    r = _row_of(ws, "A3")
    start = ws.cell(r, header.index("start") + 1)
    finish = ws.cell(r, header.index("finish") + 1)
    assert start.value == datetime(2027, 2, 1)  # slot 31
    assert finish.value == datetime(2027, 3, 31)  # [31, 90): last day slot 89
    assert start.is_date and start.number_format == "yyyy-mm-dd"
    assert ws.cell(r, header.index("duration (days)") + 1).value == 59
    r2 = _row_of(ws, "A2")
    assert ws.cell(r2, header.index("LF") + 1).value == datetime(2028, 1, 25)
    assert ws.cell(r2, header.index("total float (logic, days)") + 1).value == 360
    assert ws.cell(r2, header.index("demands") + 1).value == "crew: 1"
    assert ws.freeze_panes == "C4"
    assert ws.auto_filter.ref == "A3:Y8"


def test_critical_rows_red(report: openpyxl.Workbook) -> None:
    ws = report["Schedule"]
    crit, other = _row_of(ws, "A3"), _row_of(ws, "A2")
    assert ws.cell(crit, 2).fill.fgColor.rgb.endswith("FDE9E7")
    assert ws.cell(crit, 2).font.color.rgb.endswith("C00000")
    assert ws.cell(other, 2).fill.fill_type is None


def test_formula_looking_name_stays_text(report: openpyxl.Workbook) -> None:
    ws = report["Schedule"]
    cell = ws.cell(_row_of(ws, "A2"), 2)
    assert cell.value == "=SUM(A1)"
    assert cell.data_type == "s"
    _no_formulas(report)


def test_gantt_month_grid(report: openpyxl.Workbook) -> None:
    ws = report["Gantt"]
    h, c0 = GANTT_HEADER_ROW, GANTT_FIRST_MONTH_COL
    months = [ws.cell(h, c).value for c in range(c0, ws.max_column + 1)]
    assert months[0] == "Jan" and months[-1] == "Jan" and len(months) == 13
    r = _row_of(ws, "A3")  # runs Feb and Mar 2027, critical
    filled = [ws.cell(r, c0 + k).fill.fgColor.rgb[-6:] for k in range(4)]
    assert ws.cell(r, c0).fill.fill_type is None  # January empty
    assert filled[1:3] == ["E0301E", "E0301E"]
    assert ws.cell(r, c0 + 3).fill.fill_type is None  # April empty
    assert ws.cell(r, c0 + 1).value == "▶"  # on the driving path
    r2 = _row_of(ws, "A2")  # Jan only, not critical: blue
    assert ws.cell(r2, c0).fill.fgColor.rgb.endswith("5B9BD5")
    assert ws.cell(r2, c0 + 1).fill.fill_type is None
    # project summary row above its activities, bold, spanning its months
    p = _row_of(ws, "전력")
    assert p < _row_of(ws, "A4")
    assert ws.cell(p, 1).font.b
    assert ws.cell(p, c0 + 2).fill.fill_type is None  # March: project not started
    assert all(ws.cell(p, c0 + k).fill.fgColor.rgb.endswith("404040") for k in range(3, 13))
    assert ws.freeze_panes == ws.cell(h + 1, c0).coordinate


def test_gantt_header_labels_distinct_per_month(report: openpyxl.Workbook) -> None:
    """Year (merged over its months) above unrotated "Jan".."Dec": every month is told apart."""
    ws = report["Gantt"]
    y, h, c0 = GANTT_YEAR_ROW, GANTT_HEADER_ROW, GANTT_FIRST_MONTH_COL
    labels, year = [], None
    for c in range(c0, ws.max_column + 1):
        year = ws.cell(y, c).value or year  # merged cells: the year sits in the first month
        labels.append((year, ws.cell(h, c).value))
    assert labels[:2] == [("2027", "Jan"), ("2027", "Feb")]
    assert labels[11:] == [("2027", "Dec"), ("2028", "Jan")]
    assert len(set(labels)) == len(labels) == 13
    assert "G5:R5" in {str(m) for m in ws.merged_cells.ranges}  # 2027 spans Jan..Dec
    month = ws.cell(h, c0)
    assert month.alignment.text_rotation in (0, None)  # not rotated
    assert ws.column_dimensions["G"].width >= 4.5  # wide enough for "May", "2027"
    assert [ws["A3"].value, ws["A4"].value] == list(LOGIC_NOTE)


@pytest.mark.parametrize(
    ("sheet", "paper", "title_rows", "title_cols"),
    [
        ("Summary", 9, "$1:$1", None),  # A4, the title repeats
        ("Schedule", 8, "$3:$3", None),  # A3, the header row below the two note lines
        ("Gantt", 8, "$5:$6", "$A:$B"),  # A3, year + month rows and the name columns
        ("Critical path", 9, "$4:$4", None),  # header below the title and two notes
        ("Progress", 9, "$1:$2", None),  # several tables: the title and the units note
        ("Resources", 9, "$3:$3", None),  # the month x resource header
        ("Budget", 9, "$1:$1", None),  # two tables: only the title repeats
        ("Network", 9, "$1:$1", None),  # two tables: only the title repeats
        ("Issues", 9, "$1:$1", None),  # the header row
    ],
)
def test_page_setup(
    report: openpyxl.Workbook, sheet: str, paper: int, title_rows: str, title_cols: str | None
) -> None:
    """Landscape, one page wide and as many tall as needed, repeated titles."""
    ws = report[sheet]
    ps = ws.page_setup
    assert ps.orientation == "landscape"
    assert ps.paperSize == paper  # 8 = A3, 9 = A4
    assert ps.fitToWidth == 1 and ps.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == title_rows
    assert ws.print_title_cols == title_cols
    assert ws.page_margins.left == pytest.approx(0.4)


def test_critical_path_sheet(report: openpyxl.Workbook) -> None:
    ws = report["Critical path"]
    assert [ws["A2"].value, ws["A3"].value] == list(LOGIC_NOTE)
    assert ws["K4"].value == "total float (logic, days)"
    ids = [ws.cell(r, 3).value for r in range(5, 9)]
    assert ids == ["A1", "A3", "A4", "M5"]
    kinds = [row[3].value for row in ws.iter_rows() if row[3].value in ("logic", "constraint")]
    assert kinds == ["constraint", "logic", "logic", "logic"]


def _long_table(ws) -> tuple[int, dict[tuple[str, str], list]]:
    """The long table beside the matrix: its first column and rows by (resource, month)."""
    col = next(c for c in range(3, ws.max_column + 1) if ws.cell(3, c).value == "resource")
    assert [ws.cell(3, col + k).value for k in range(6)] == [
        "resource",
        "month",
        "peak",
        "average",
        "capacity",
        "share",
    ]
    rows = {}
    for r in range(4, ws.max_row + 1):
        line = [ws.cell(r, col + k).value for k in range(6)]
        if line[0] is not None:
            rows[(line[0], line[1])] = line
    return col, rows


def test_resources_matrix_share_and_colour(report: openpyxl.Workbook) -> None:
    """Months down, one column per resource: peak daily use / capacity, coloured by band."""
    ws = report["Resources"]
    assert [ws.cell(3, c).value for c in (1, 2, 3)] == ["month", "crew", None]
    rows = {ws.cell(r, 1).value: r for r in range(4, 17)}
    months = list(rows)
    assert (months[0], months[-1], len(months)) == ("2027-01", "2028-01", 13)
    feb = ws.cell(rows["2027-02"], 2)
    assert feb.value == 1.0  # A3 uses 2 crews of 2
    assert feb.number_format == "0%"
    assert feb.fill.fgColor.rgb.endswith("FFEB9C")  # amber: 80-100 %
    apr = ws.cell(rows["2027-04"], 2)
    assert apr.value == 0  # idle: no fill, grey
    assert apr.fill.fill_type is None
    assert apr.font.color.rgb.endswith("A6A6A6")
    assert ws.freeze_panes == "B4"
    assert ws.print_title_rows == "$3:$3"


def test_resources_key_long_table_and_chart(report: openpyxl.Workbook) -> None:
    ws = report["Resources"]
    key = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "resource")
    assert [ws.cell(key, c).value for c in range(1, 8)] == [
        "resource",
        "unit",
        "scope",
        "capacity",
        "highest",
        "≥80% mo.",
        "name",
    ]
    # crew: national, capacity 2, full in Jan (A1 + A2), Feb and Mar (A3)
    assert [ws.cell(key + 1, c).value for c in range(1, 8)] == [
        "crew",
        None,  # no unit given
        "national",
        2,
        1.0,
        3,
        "토목반",
    ]
    col, rows = _long_table(ws)
    assert col == 9  # column I: after the resource key (A:G) and a blank column H
    assert rows[("crew", "2027-02")] == ["crew", "2027-02", 2, 2.0, 2, 1.0]
    # January: A1 (1 crew, 31 days) + A2 (1 crew, 10 days) = 41 crew-days / 31
    assert rows[("crew", "2027-01")][3] == pytest.approx(41 / 31, abs=1e-3)
    assert len(rows) == 13
    assert ws.auto_filter.ref == "I3:N16"
    assert len(ws._charts) == 1  # the one scarce national resource


@pytest.fixture
def busy_schedule() -> Schedule:
    """Three national resources and one regional crew, by month (calendar, from 2027-01-01).

    ``pump`` (capacity 5): 4 in January (80 %, amber), 2 in March (40 %, green), 6 in
    May (120 %, red: hand-built, over capacity). ``hoist`` (capacity 2): 2 in February.
    ``drill`` (capacity 4): 1 in January only (25 %). ``crew-SEL`` (regional): 1 of 1.
    """
    acts = [
        Activity("X", "펌프 설치", 10),  # slots 0-9, January
        Activity("Y", "배관", 10),  # slots 59-68, March
        Activity("Z", "양수", 10),  # slots 120-129, May
        Activity("W", "양수 보조", 10),  # slots 120-129, May
    ]
    plan = tiny_plan(
        acts,
        resources=[
            Resource("pump", 5, name="Pump crew", unit="crew"),
            Resource("hoist", 2, name="Hoist", unit="machine"),
            Resource("drill", 4, name="Drill rig", unit="machine"),
            Resource("crew-SEL", 1, name="서울 토목반", region="SEL", unit="crew"),
        ],
        demands=[
            Demand("X", "pump", 4),
            Demand("Y", "pump", 2),
            Demand("Z", "pump", 3),
            Demand("W", "pump", 3),
            Demand("Y", "hoist", 2),
            Demand("X", "drill", 1),
            Demand("Z", "crew-SEL", 1),
        ],
        regions=[Region("SEL", "서울", 37.57, 126.98, "AI")],
    )
    return Schedule(plan, "feasible", starts={"X": 0, "Y": 59, "Z": 120, "W": 120})


def test_resources_bands_and_charts(busy_schedule: Schedule, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_report(busy_schedule, tmp_path / "busy.xlsx"))
    ws = wb["Resources"]
    assert [ws.cell(3, c).value for c in range(1, 6)] == [
        "month",
        "pump",
        "hoist",
        "drill",
        "crew-SEL",
    ]
    rows = {ws.cell(r, 1).value: r for r in range(4, 9)}
    assert list(rows) == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05"]
    jan, mar, may = (ws.cell(rows[m], 2) for m in ("2027-01", "2027-03", "2027-05"))
    assert jan.value == 0.8  # 4 of 5: amber
    assert jan.fill.fgColor.rgb.endswith("FFEB9C")
    assert mar.value == 0.4  # 2 of 5: green
    assert mar.fill.fgColor.rgb.endswith("C6EFCE")
    assert may.value == 1.2  # 6 of 5: red, over capacity
    assert may.fill.fgColor.rgb.endswith("FFC7CE")
    assert may.font.b
    # the long table colours its share column the same way
    col, long_rows = _long_table(ws)
    assert long_rows[("pump", "2027-05")] == ["pump", "2027-05", 6, 6, 5, 1.2]  # to the makespan
    r = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, col + 1).value == "2027-05")
    assert ws.cell(r, col + 5).fill.fgColor.rgb.endswith("FFC7CE")
    # charts: national resources reaching 80 % (pump, hoist); not drill (25 %) nor the
    # regional crew (100 %, but regional)
    assert len(ws._charts) == 2
    titles = [c.title.tx.rich.p[0].r[0].t for c in ws._charts]
    assert titles == ["pump (crews)", "hoist (machines)"]  # by months at >= 80 %
    _no_formulas(wb)


def test_budget_spend_and_charts(report: openpyxl.Workbook) -> None:
    ws = report["Budget"]
    assert len(ws._charts) == 2
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    fy27, fy28 = rows["FY2027"], rows["FY2028"]
    # FY2027: A1 31 + A2 5 + A3 59 + A4 275 of its 300 days = 370
    assert ws.cell(fy27, 4).value == pytest.approx(370.0)
    assert ws.cell(fy27, 5).value == 400
    assert ws.cell(fy28, 4).value == pytest.approx(25.0)
    assert ws.cell(fy27, 7).value == "yes"
    # S-curve ends at the total cost
    last_month = rows["2028-01"]
    assert ws.cell(last_month, 3).value == pytest.approx(395.0)


def test_network_connection_month(report: openpyxl.Workbook) -> None:
    ws = report["Network"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_col=6)]
    by_sector = {r[0]: r for r in rows if r[1] == "DJN" and r[3] == "SEL"}
    assert by_sector["road"][5] == "2027-01"  # A1 ends 2027-01-31
    assert by_sector["grid"][5] == "2028-01"  # A4 ends 2028-01-25
    assert by_sector["road"][2] == "대전"


def test_issues_sheet_lists_warnings(report: openpyxl.Workbook) -> None:
    ws = report["Issues"]
    assert [c.value for c in ws[2]] == [
        "warning",
        "Activities",
        7,
        "cost",
        "Activities row 7: cost rounded",
    ]


def test_infeasible_schedule_still_reported(plan: Plan, cpm: CpmResult, tmp_path: Path):
    sched = Schedule(
        plan,
        "infeasible",
        cpm=cpm,
        min_horizon_days=800,
        conflicts=[Conflict("due", "A4 cannot finish by its due date 2027-06-30", ["A4"])],
    )
    wb = openpyxl.load_workbook(write_report(sched, tmp_path / "inf.xlsx"))
    assert wb.sheetnames == list(SHEETS)
    ws = wb["Summary"]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert values["Status"] == "infeasible"
    assert values["Days needed without horizon and due dates"] == 800
    assert values["  due"] == "A4 cannot finish by its due date 2027-06-30"
    assert values["Makespan (days)"] is None
    assert wb["Issues"]["A2"].value == "no issues"
    assert wb["Gantt"].cell(GANTT_HEADER_ROW, 1).value.startswith("no solved plan")
    _no_formulas(wb)


def test_invalid_schedule_without_plan(tmp_path: Path) -> None:
    issues = [
        # a formula-looking message must stay text too
        Issue("Activities", 3, "duration", "=1+1 is not a number"),
        Issue(
            "Dependencies",
            14,
            "successor",
            "Dependencies row 14: successor 'RL-07' is not an activity id",
        ),
    ]
    wb = openpyxl.load_workbook(
        write_report(Schedule(None, "invalid", issues=issues), tmp_path / "bad.xlsx")
    )
    ws = wb["Issues"]
    assert [c.value for c in ws[2]] == [
        "error",
        "Activities",
        3,
        "duration",
        "=1+1 is not a number",
    ]
    assert ws.cell(3, 3).value == 14
    values = {
        wb["Summary"].cell(r, 1).value: wb["Summary"].cell(r, 2).value
        for r in range(1, wb["Summary"].max_row + 1)
    }
    assert values["Status"] == "invalid"
    assert values["Issues (errors)"] == 2
    _no_formulas(wb)


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("=SUM(A1)", "=SUM(A1)"),  # a formula: kept as text
        ('=HYPERLINK("http://x")', '=HYPERLINK("http://x")'),  # formula with a call
        ("#N/A", "#N/A"),  # an Excel error code: kept as text, not an error cell
        ("+cmd|' /C calc'!A0", "+cmd|' /C calc'!A0"),  # DDE-style text stays inert text
        ("벨\x07소리", "벨소리"),  # a control character Excel cannot hold is dropped
    ],
)
def test_hostile_names_written_as_text(
    plan: Plan, cpm: CpmResult, tmp_path: Path, name: str, stored: str
) -> None:
    plan.activities[2].name = name  # A3
    starts = {"A1": 0, "A2": 20, "A3": 31, "A4": 90, "M5": 390}
    sched = Schedule(plan, "feasible", starts=starts, cpm=cpm)
    wb = openpyxl.load_workbook(write_report(sched, tmp_path / "hostile.xlsx"))
    for sheet in ("Schedule", "Gantt", "Critical path"):
        ws = wb[sheet]
        col = 3 if sheet == "Critical path" else 1
        cell = ws.cell(_row_of(ws, "A3", col), col + 1)
        assert cell.value == stored
        assert cell.data_type == "s"
    _no_formulas(wb)


def test_korean_activity_names_round_trip(report: openpyxl.Workbook) -> None:
    ws = report["Schedule"]
    assert ws.cell(_row_of(ws, "A3"), 2).value == "댐 본체"
    assert ws.cell(_row_of(ws, "A3"), 3).value == "댐"


def test_solved_plan_without_cpm(plan: Plan, tmp_path: Path) -> None:
    """CPM may fail (positive max_lag cycle): dates still shown, logic columns blank."""
    starts = {"A1": 0, "A2": 20, "A3": 31, "A4": 90, "M5": 390}
    sched = Schedule(plan, "feasible", starts=starts)
    wb = openpyxl.load_workbook(write_report(sched, tmp_path / "nocpm.xlsx"))
    ws = wb["Schedule"]
    r = _row_of(ws, "A4")
    assert ws.cell(r, 8).value == datetime(2028, 1, 25)  # finish
    assert ws.cell(r, 10).value is None  # ES
    assert wb["Critical path"]["A5"].value == "no critical path computed"
    header = [c.value for c in ws[SCHEDULE_HEADER_ROW]]
    assert ws.cell(r, header.index("delay vs early start (days)") + 1).value is None


def test_delay_vs_early_start(plan: Plan, cpm: CpmResult, tmp_path: Path) -> None:
    """Crews hold A3 back 14 days past its ES (slot 31): A3, A4, M5 start 14 days late."""
    starts = {"A1": 0, "A2": 20, "A3": 45, "A4": 104, "M5": 404}
    sched = Schedule(plan, "feasible", starts=starts, cpm=cpm)
    ws = openpyxl.load_workbook(write_report(sched, tmp_path / "late.xlsx"))["Schedule"]
    header = [c.value for c in ws[SCHEDULE_HEADER_ROW]]
    col = header.index("delay vs early start (days)") + 1
    assert header[col - 2] == "free float (logic, days)"  # right after the floats
    delays = {aid: ws.cell(_row_of(ws, aid), col).value for aid in starts}
    assert delays == {"A1": 0, "A2": 0, "A3": 14, "A4": 14, "M5": 14}
    r = _row_of(ws, "A3")
    assert ws.cell(r, header.index("start") + 1).value == datetime(2027, 2, 15)  # slot 45
    assert ws.cell(r, header.index("ES") + 1).value == datetime(2027, 2, 1)  # slot 31


def test_money_rounded_to_two_decimals(tmp_path: Path) -> None:
    """30,000 − 29,971.31 is 28.68999999999869 in floats: cells hold 28.69."""
    acts = [
        Activity("X", "교량", 10, cost=money_to_int(29971.31)),  # January
        Activity("Y", "포장", 10, cost=money_to_int(0.1)),  # February
        Activity("Z", "신호", 10, cost=money_to_int(0.2)),  # March
    ]
    cap = BudgetPeriod("FY2027", 0, 365, money_to_int(30000), date(2027, 1, 1), date(2027, 12, 31))
    plan = tiny_plan(acts, budgets=[cap])
    sched = Schedule(plan, "optimal", starts={"X": 0, "Y": 31, "Z": 59})
    wb = openpyxl.load_workbook(write_report(sched, tmp_path / "money.xlsx"))
    ws = wb["Budget"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    fy = rows["FY2027"]
    assert ws.cell(fy, 4).value == 29971.61  # spend, exactly
    assert ws.cell(fy, 6).value == 28.39  # headroom = 30,000 − 29,971.61, exactly
    months = [rows["2027-01"], rows["2027-02"], rows["2027-03"]]
    assert [ws.cell(r, 2).value for r in months] == [29971.31, 0.1, 0.2]
    assert [ws.cell(r, 3).value for r in months] == [29971.31, 29971.41, 29971.61]
    sched_ws = wb["Schedule"]
    assert sched_ws.cell(_row_of(sched_ws, "X"), 20).value == 29971.31  # cost column


def test_headroom_of_the_reported_case(tmp_path: Path) -> None:
    """The user's case: a 29,971.31 spend under a 30,000 cap has headroom 28.69, not ...869."""
    acts = [Activity("X", "교량", 10, cost=money_to_int(29971.31))]
    cap = BudgetPeriod("FY2027", 0, 365, money_to_int(30000), date(2027, 1, 1), date(2027, 12, 31))
    sched = Schedule(tiny_plan(acts, budgets=[cap]), "optimal", starts={"X": 0})
    ws = openpyxl.load_workbook(write_report(sched, tmp_path / "h.xlsx"))["Budget"]
    assert ws["F4"].value == 28.69
    assert ws["F4"].number_format == "#,##0.00"


def test_units_on_a_workdays_grid(tmp_path: Path) -> None:
    """Grid slots are working days on workdays-kr (and custom) plans: the labels say so."""
    grid = TimeGrid(date(2027, 1, 4), "workdays-kr")  # a Monday; slot 5 = Mon 2027-01-11
    acts = [Activity("A", "토공", 5), Activity("B", "포장", 10)]
    plan = tiny_plan(acts, [Dependency("A", "B")], grid=grid)
    cpm = CpmResult(
        {"A": ActivityTimes(0, 5, 0, 5, 0, 0, True), "B": ActivityTimes(5, 15, 5, 15, 0, 0, True)},
        15,
        [["A", "B"]],
    )
    sched = Schedule(plan, "optimal", starts={"A": 0, "B": 7}, objective=17, cpm=cpm)
    wb = openpyxl.load_workbook(write_report(sched, tmp_path / "wd.xlsx"))
    summary = wb["Summary"]
    labels = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, 40)}
    assert labels["Makespan (working days)"] == 17
    assert "Makespan (days)" not in labels
    ws = wb["Schedule"]
    header = [c.value for c in ws[SCHEDULE_HEADER_ROW]]
    assert header[8] == "duration (working days)"
    assert header[13:17] == [
        "total float (logic, working days)",
        "plan float (leveled, working days)",
        "free float (logic, working days)",
        "delay vs early start (working days)",
    ]
    assert ws.cell(_row_of(ws, "B"), 17).value == 2  # start slot 7 − ES slot 5
    assert wb["Gantt"].cell(GANTT_HEADER_ROW, 5).value == "total float (logic, working days)"
    assert wb["Critical path"]["K4"].value == "total float (logic, working days)"
