"""The report prints Korean names: every font names one that covers Hangul."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from scheduler.model import Activity, Plan
from scheduler.report import write_report
from scheduler.solution import Schedule
from scheduler.timegrid import TimeGrid


def test_the_report_names_a_font_that_covers_hangul(tmp_path: Path) -> None:
    plan = Plan("서울 계획", TimeGrid(date(2027, 1, 1)), [Activity("A", "도로 토공", 10)])
    out = write_report(Schedule(plan=plan, status="feasible", starts={"A": 0}), tmp_path / "k.xlsx")
    wb = load_workbook(out)
    assert wb._fonts[0].name == "Malgun Gothic"  # the workbook's default font
    ws = wb["Schedule"]
    fonts = {
        ws.cell(r, c).font.name for r in range(1, 6) for c in range(1, 6) if ws.cell(r, c).value
    }
    assert fonts == {"Malgun Gothic"}  # titles, headers and cells alike
