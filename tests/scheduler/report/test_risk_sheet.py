"""The report's Risk sheet holds the Monte Carlo figures and native charts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from scheduler.model import Activity, Plan
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
