"""The report's Risk sheet holds the Monte Carlo figures and native charts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from scheduler.model import Activity, Plan, Progress
from scheduler.report import write_report
from scheduler.risk import RiskOptions, analyse
from scheduler.solution import Schedule
from scheduler.timegrid import TimeGrid
from scheduler.uncertainty import RiskEvent, Uncertainty


def test_risk_sheet_figures_and_charts(tmp_path: Path) -> None:
    plan = Plan("event", TimeGrid(date(2027, 1, 1), horizon_months=1), [Activity("A", "A", 10)])
    unc = Uncertainty(events=[RiskEvent("R1", "flood", 0.3, ("A",), 25, 25, 25)])
    schedule = Schedule(plan=plan, status="feasible", starts={"A": 0})
    result = analyse(schedule, RiskOptions(iterations=4000, seed=2, converge=False), None, unc)
    out = write_report(schedule, tmp_path / "r.xlsx", risk=result)
    ws = load_workbook(out)["Risk"]
    figures = {
        ws.cell(r, 1).value: (ws.cell(r, 2).value, ws.cell(r, 3).value) for r in range(5, 16)
    }
    # 10 days (finish 2027-01-10) with 0.7, 35 days (2027-02-04, past January) with 0.3
    share, _ = figures["probability within the horizon"]
    assert abs(share - 0.7) < 0.03
    assert figures["P50 finish"] == (datetime(2027, 1, 10), 10)
    assert figures["P80 finish"] == (datetime(2027, 2, 4), 35)
    assert figures["deterministic finish"] == (datetime(2027, 1, 10), 10)
    assert len(ws._charts) == 2  # histogram with cumulative curve, and the tornado
    names = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "R1" in names
    assert "data date (simulated from)" not in figures  # no progress


def test_risk_sheet_of_a_progressed_plan_names_its_data_date(tmp_path: Path) -> None:
    # A (10 days) in progress since slot 0 with 4 left at data date slot 6 (2027-01-07)
    acts = [Activity("A", "A", 10, progress=Progress(actual_start=0, remaining=4))]
    plan = Plan("p", TimeGrid(date(2027, 1, 1), horizon_months=1), acts, data_date=6)
    schedule = Schedule(plan=plan, status="feasible", starts={"A": 6})
    result = analyse(schedule, RiskOptions(iterations=200, seed=2, converge=False))
    ws = load_workbook(write_report(schedule, tmp_path / "r.xlsx", risk=result))["Risk"]
    figures = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(5, 17)}
    assert figures["data date (simulated from)"] == datetime(2027, 1, 7)
    assert figures["deterministic finish"] == datetime(2027, 1, 10)
