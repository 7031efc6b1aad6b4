"""The documented template workbook (``infraplan template PATH``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from scheduler.model import (
    DEPENDENCY_TYPES,
    OUT_OF_SEQUENCE,
    SECTORS,
)
from scheduler.timegrid import CALENDAR_KINDS
from scheduler.uncertainty import DISTRIBUTIONS
from scheduler.workbook.layout import SETTINGS_KEYS, SHEETS
from scheduler.workbook.tables import _col_letter
from scheduler.workbook.writer import _cell_value


def _template_tables() -> dict[str, list[dict[str, Any]]]:
    """The template's example rows: together a valid tiny plan."""
    return {
        "settings": [
            {"key": "plan_name", "value": "국가 인프라 2개년 계획 (example)"},
            {"key": "plan_start", "value": date(2027, 1, 4)},
            {"key": "horizon_months", "value": 24},
            {"key": "calendar", "value": "calendar"},
            {"key": "objective", "value": "makespan"},
            {"key": "time_limit_s", "value": 30},
            {"key": "risk_correlation", "value": 0.3},
            {"key": "risk_iterations", "value": 5000},
            {"key": "data_date", "value": None},
            {"key": "out_of_sequence", "value": "retained_logic"},
        ],
        "regions": [
            {"id": "SEL", "name": "서울 수도권 (capital hub)", "lat": 37.5665, "lon": 126.978,
             "industry": "AI"},
        ],
        "activities": [
            {"id": "RD-001", "name": "도로 토공 (road earthworks)", "project": "Corridor SEL",
             "sector": "road", "region_from": "SEL", "region_to": "", "duration": 3,
             "duration_unit": "mo", "cost": 120.5, "weight": 1, "release": date(2027, 1, 4),
             "due": date(2027, 12, 31), "fixed_start": None, "optimistic": 2.5,
             "most_likely": 3, "pessimistic": 4.5, "distribution": "triangular",
             "risk_group": "earthworks"},
            {"id": "TC-001", "name": "광케이블 포설 (fibre in the trench)",
             "project": "Corridor SEL", "sector": "telecom", "region_from": "SEL",
             "region_to": "", "duration": 10, "duration_unit": "d", "cost": 8, "weight": 1,
             "release": None, "due": None, "fixed_start": None},
        ],
        "dependencies": [
            {"predecessor": "RD-001", "successor": "TC-001", "type": "SS", "lag": 20,
             "max_lag": 60},
        ],
        "resources": [
            {"id": "CREW-SEL", "name": "Civil crew Seoul", "capacity": 4, "region": "SEL",
             "unit": "crews"},
        ],
        "demands": [{"activity": "RD-001", "resource": "CREW-SEL", "amount": 2}],
        "budget": [{"year": 2027, "from": None, "to": None, "cap": 500}],
        "blackouts": [
            {"scope": "road", "from": date(2027, 7, 1), "to": date(2027, 8, 31),
             "reason": "장마 (monsoon)"},
        ],
        "risks": [
            {"id": "R-01", "name": "지하수 (ground water in the cut)", "probability": 0.2,
             "activities": "RD-001;TC-001", "impact_min": 5, "impact_likely": 10,
             "impact_max": 30, "cost_impact": 4},
        ],
        # a new plan has no progress: fill in Settings data_date and a row per started
        # activity when the plan is updated
        "progress": [],
    }  # fmt: skip


def write_template(path: str | Path) -> None:
    """Write the documented, empty-but-for-examples workbook (``infraplan template PATH``).

    Every sheet of SPEC §3 with its header row (required columns marked ``*``),
    a note on each header (unit, required, format), drop-down lists for sector,
    dependency type, duration unit, calendar and out_of_sequence, date and number
    checks on the Progress sheet (a new plan's is empty; its data_date blank), and
    example rows that together form a valid tiny plan.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    examples = _template_tables()
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for key, spec in SHEETS.items():
        ws = wb.create_sheet(spec.title)
        cols = [c.name for c in spec.columns]
        for ci, col in enumerate(spec.columns, start=1):
            cell = ws.cell(row=1, column=ci, value=col.name + ("*" if col.required else ""))
            cell.font = bold
            cell.fill = fill
            comment = Comment(col.note, "infraplan")
            comment.width, comment.height = 300, 110
            cell.comment = comment
            ws.column_dimensions[_col_letter(ci - 1)].width = max(12, len(col.name) + 4)
        ws.freeze_panes = "A2"
        for ri, row in enumerate(examples[key], start=2):
            for ci, col_name in enumerate(cols, start=1):
                v = _cell_value(row.get(col_name))
                if v is None or v == "":
                    continue
                ws.cell(row=ri, column=ci, value=v)
        if key == "settings":
            ws.column_dimensions["A"].width = 18
            ws.column_dimensions["B"].width = 36
            for ri, row in enumerate(examples[key], start=2):
                ws.cell(row=ri, column=1).comment = Comment(SETTINGS_KEYS[row["key"]], "infraplan")
                if row["key"] in ("calendar", "out_of_sequence"):
                    kinds = CALENDAR_KINDS if row["key"] == "calendar" else OUT_OF_SEQUENCE
                    dv = DataValidation(type="list", formula1=f'"{",".join(kinds)}"')
                    dv.add(f"B{ri}")
                    ws.add_data_validation(dv)
        if key == "progress":
            _progress_checks(ws, cols, DataValidation)
        lists = {
            ("activities", "sector"): SECTORS,
            ("activities", "duration_unit"): ("d", "w", "mo"),
            ("dependencies", "type"): DEPENDENCY_TYPES,
            ("activities", "distribution"): DISTRIBUTIONS,
        }
        for (sheet_key, col_name), allowed in lists.items():
            if sheet_key != key:
                continue
            letter = _col_letter(cols.index(col_name))
            dv = DataValidation(
                type="list",
                formula1=f'"{",".join(allowed)}"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=f"{col_name}",
                error=f"Use one of: {', '.join(allowed)}",
            )
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
    wb.save(str(path))


def _progress_checks(ws: Any, cols: list[str], validation: Any) -> None:
    """Excel checks of the Progress sheet: dates, remaining >= 0, percent 0-100."""
    checks = {
        "actual_start": ("date", "greaterThan", "DATE(1900,1,1)", "a date"),
        "actual_finish": ("date", "greaterThan", "DATE(1900,1,1)", "a date"),
        "remaining_duration": ("decimal", "greaterThanOrEqual", "0", "a number >= 0"),
        "percent_complete": ("decimal", "between", "0", "a number from 0 to 100"),
    }
    for col_name, (kind, op, low, what) in checks.items():
        letter = _col_letter(cols.index(col_name))
        dv = validation(
            type=kind,
            operator=op,
            formula1=low,
            formula2="100" if op == "between" else None,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=col_name,
            error=f"{col_name}: {what}",
        )
        dv.add(f"{letter}2:{letter}5000")
        ws.add_data_validation(dv)
