"""Report defects a newcomer found (issue 13 item 4) and the cell limit of the break-test
(issue 14 item 13), each read back from the written workbook."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from scheduler.cpm import driving_path
from scheduler.model import (
    Activity,
    Blackout,
    Demand,
    Dependency,
    Region,
    Resource,
    money_to_int,
)
from scheduler.report import SCHEDULE_HEADER_ROW, write_report
from scheduler.report.cells import MAX_TEXT, clip_text
from scheduler.report.charts import plural
from scheduler.solution import Schedule
from scheduler.timegrid import TimeGrid
from tests.plans import tiny_plan


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def corridor(tmp_path: Path) -> openpyxl.Workbook:
    """Gas SEL-DJN: pipe laying Jan 1-31, then its finish milestone (at slot 31)."""
    plan = tiny_plan(
        [
            Activity("G-LAY", "배관", 31, sector="gas", region_from="SEL", region_to="DJN"),
            Activity("G-END", "완공", 0, sector="gas", region_from="SEL", region_to="DJN"),
        ],
        [Dependency("G-LAY", "G-END")],
        regions=[
            Region("SEL", "서울", 37.57, 126.98, "AI"),
            Region("DJN", "대전", 36.35, 127.38, "bio"),
        ],
    )
    schedule = Schedule(plan, "feasible", starts={"G-LAY": 0, "G-END": 31})
    return openpyxl.load_workbook(write_report(schedule, tmp_path / "corridor.xlsx"))


def test_network_link_completes_on_the_milestone_date(corridor: openpyxl.Workbook) -> None:
    sched = corridor["Schedule"]
    h = SCHEDULE_HEADER_ROW
    head = [c.value for c in sched[h]]
    end_row = next(r for r in range(h + 1, sched.max_row + 1) if sched.cell(r, 1).value == "G-END")
    shown = sched.cell(end_row, head.index("finish") + 1).value
    assert shown == datetime(2027, 1, 31)  # the day the pipe laying ends
    net = corridor["Network"]
    rows = [[c.value for c in row] for row in net.iter_rows(min_row=1, max_col=6)]
    pair = next(r for r in rows if r[:2] == ["gas", "DJN"] and r[3] == "SEL")
    assert pair[5] == "2027-01"  # was 2027-02: one day after the milestone
    links = next(i for i, r in enumerate(rows) if r[0] == "sector" and r[4] == "completed on")
    assert rows[links + 1][:5] == ["gas", "DJN", "SEL", "G-LAY, G-END", shown]


@pytest.mark.parametrize(
    ("unit", "shown"),
    [
        ("crews", "crews"),
        ("crew", "crews"),
        ("machine", "machines"),
        ("batch", "batches"),
        ("gantry", "gantries"),
        ("반", "반"),
        ("crew per shift", "crew per shift"),
    ],
)
def test_plural_keeps_plural_units(unit: str, shown: str) -> None:
    assert plural(unit) == shown


def test_chart_title_does_not_double_the_plural(tmp_path: Path) -> None:
    plan = tiny_plan(
        [Activity("A", "송전선", 10), Activity("B", "철탑", 10)],
        resources=[
            Resource("HV", 2, name="High-voltage crew", unit="crews"),
            Resource("TBM", 1, name="Tunnel boring machine", unit="machine"),
        ],
        demands=[Demand("A", "HV", 2), Demand("B", "TBM", 1)],
    )
    schedule = Schedule(plan, "feasible", starts={"A": 0, "B": 0})
    wb = openpyxl.load_workbook(write_report(schedule, tmp_path / "units.xlsx"))
    titles = [c.title.tx.rich.p[0].r[0].t for c in wb["Resources"]._charts]
    assert sorted(titles) == ["HV (crews)", "TBM (machines)"]  # not "HV (crewss)"


def test_s_curve_puts_monthly_spend_on_its_own_axis(tmp_path: Path) -> None:
    """12 months of 10 each: the cumulative reaches 120, a month stays 10."""
    plan = tiny_plan([Activity("A", "공사", 365, cost=money_to_int(120))])
    schedule = Schedule(plan, "feasible", starts={"A": 0})
    wb = openpyxl.load_workbook(write_report(schedule, tmp_path / "s.xlsx"))
    ws = wb["Budget"]
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "month")
    assert [ws.cell(top, c).value for c in (2, 3)] == ["spend", "cumulative"]
    assert ws.cell(top + 12, 3).value == pytest.approx(120.0)
    assert max(ws.cell(top + k, 2).value for k in range(1, 13)) < 11
    (chart,) = ws._charts
    line, bars = chart._charts  # the S-curve line and the monthly bars, combined
    assert line.tagname == "lineChart" and bars.tagname == "barChart"
    assert [s.tx.strRef.f for s in line.series] == [f"'Budget'!C{top}"]  # cumulative
    assert [s.tx.strRef.f for s in bars.series] == [f"'Budget'!B{top}"]  # per month
    # the bars have a value axis of their own, on the right (was: one axis for both)
    assert line.y_axis.axId != bars.y_axis.axId
    assert bars.y_axis.crosses == "max"


def test_summary_horizon_in_days_and_workbook_properties(tmp_path: Path) -> None:
    plan = tiny_plan([Activity("A", "공사", 10)])
    plan.name = "국가 인프라 2개년 계획"
    wb = openpyxl.load_workbook(
        write_report(Schedule(plan, "optimal", starts={"A": 0}), tmp_path / "p.xlsx")
    )
    ws = wb["Summary"]
    labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert labels["Horizon (days)"] == 731  # 24 months from 2027-01-01
    assert "Horizon (slots)" not in labels
    assert wb.properties.title == "국가 인프라 2개년 계획 – schedule report"
    assert wb.properties.creator == "infraplan"
    assert wb.properties.subject == "status optimal, finish 2027-01-10"


def test_summary_horizon_in_working_days(tmp_path: Path) -> None:
    grid = TimeGrid(date(2027, 1, 4), "workdays-kr", horizon_months=1)
    plan = tiny_plan([Activity("A", "공사", 3)], grid=grid)
    wb = openpyxl.load_workbook(
        write_report(Schedule(plan, "optimal", starts={"A": 0}), tmp_path / "w.xlsx")
    )
    ws = wb["Summary"]
    labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert labels["Horizon (working days)"] == grid.horizon


def test_long_emoji_name_cut_by_utf16_units(tmp_path: Path) -> None:
    """Excel holds 32,767 UTF-16 units in a cell; an emoji counts two."""
    name = "🚧" * 100_000
    plan = tiny_plan([Activity("A", name, 10)])
    wb = openpyxl.load_workbook(
        write_report(Schedule(plan, "feasible", starts={"A": 0}), tmp_path / "e.xlsx")
    )
    ws = wb["Schedule"]
    cell = ws.cell(SCHEDULE_HEADER_ROW + 1, 2).value
    assert cell == "🚧" * 16_000 + "…"  # was 32,000 emoji = 64,001 units
    assert _utf16_units(cell) == 32_001 <= 32_767
    summary = wb["Summary"]
    title = next(
        summary.cell(r, 2).value
        for r in range(1, summary.max_row + 1)
        if summary.cell(r, 1).value == "Plan name"
    )
    assert title == "t"


def test_clip_text_never_splits_a_surrogate_pair() -> None:
    text = "a" + "😀" * MAX_TEXT  # the cut falls in the middle of an emoji
    out = clip_text(text)
    assert out == "a" + "😀" * (MAX_TEXT // 2 - 1) + "…"
    assert _utf16_units(out) == MAX_TEXT
    out.encode("utf-8")  # no lone surrogate left
    assert clip_text("가" * MAX_TEXT) == "가" * MAX_TEXT  # Hangul: one unit each, fits
    assert clip_text("가" * (MAX_TEXT + 5)) == "가" * MAX_TEXT + "…"


def test_driving_details_name_dates_in_report_and_json(tmp_path: Path) -> None:
    """A fixed start, a release and a blackout without reason: dates, not day offsets."""
    plan = tiny_plan(
        [
            Activity("F", "기초", 5, fixed_start=56),  # slot 56 = 2027-02-26
            Activity("R", "도로", 3, release=70),  # slot 70 = 2027-03-12
            Activity("B", "댐", 4, sector="dam"),
        ],
        blackouts=[Blackout("dam", 10, 20)],  # slots 10..19 = 2027-01-11 to 2027-01-20
    )
    starts = {"F": 56, "R": 70, "B": 20}
    links = {lk.successor: lk.detail for a in ("F", "R", "B") for lk in _path(plan, starts, a)}
    assert links["F"] == "fixed_start 2027-02-26"  # was "fixed_start 56"
    assert links["R"] == "release 2027-03-12"  # was "release 70"
    assert links["B"] == "dam 2027-01-11 to 2027-01-20"  # was "dam [10, 20)"
    ids, path = driving_path(plan, starts)
    schedule = Schedule(plan, "feasible", starts=starts, driving=ids, driving_links=path)
    doc = schedule.to_json()
    assert [d["detail"] for d in doc["driving_links"]] == ["release 2027-03-12"]
    wb = openpyxl.load_workbook(write_report(schedule, tmp_path / "d.xlsx"))
    ws = wb["Critical path"]
    details = [ws.cell(r, 5).value for r in range(1, ws.max_row + 1)]
    assert "release 2027-03-12" in details


def _path(plan, starts: dict[str, int], last: str) -> list:
    """The driving path of ``plan`` if ``last`` were the activity that ends last."""
    only = {a: s for a, s in starts.items() if a == last}
    sub = tiny_plan([a for a in plan.activities if a.id == last], blackouts=plan.blackouts)
    return driving_path(sub, only)[1]
