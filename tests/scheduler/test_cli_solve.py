"""The ``infraplan plan`` solve options: exit codes 0/1/2/3, --repeatable, --seed (issue 9)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl

from scheduler.cli import main
from scheduler.solver import SolveStatus, loop
from scheduler.solver.cp_model import StagedResult
from scheduler.workbook import write_workbook


def _workbook(tmp_path: Path, *, months: int = 1, settings: tuple = ()) -> Path:
    """A1 (10 d) → A2 (5 d) → A3 (20 d) on one crew, with a parallel A4 on the same crew."""
    acts = [
        {"id": "A1", "name": "a1", "sector": "road", "region_from": "R1", "duration": 10},
        {"id": "A2", "name": "a2", "sector": "road", "region_from": "R1", "duration": 5},
        {"id": "A3", "name": "a3", "sector": "road", "region_from": "R1", "duration": 20},
        {"id": "A4", "name": "a4", "sector": "rail", "region_from": "R1", "duration": 8},
    ]
    tables = {
        "Settings": [
            {"key": "plan_name", "value": "solve options"},
            {"key": "plan_start", "value": date(2027, 1, 1)},
            {"key": "horizon_months", "value": months},
            *({"key": k, "value": v} for k, v in settings),
        ],
        "Regions": [{"id": "R1", "name": "Seoul"}],
        "Activities": acts,
        "Dependencies": [
            {"predecessor": "A1", "successor": "A2", "type": "FS", "lag": 0},
            {"predecessor": "A2", "successor": "A3", "type": "FS", "lag": 0},
        ],
        "Resources": [{"id": "crew", "name": "crew", "capacity": 1}],
        "Demands": [
            {"activity": "A1", "resource": "crew", "amount": 1},
            {"activity": "A4", "resource": "crew", "amount": 1},
        ],
    }
    path = tmp_path / "plan.xlsx"
    write_workbook(tables, path)
    return path


def _plan(path: Path, tmp_path: Path, *extra: str) -> tuple[int, dict]:
    js = tmp_path / "out.json"
    code = main(["plan", str(path), "--json", str(js), "--no-report", *extra])
    return code, json.loads(js.read_text())


def test_repeatable_runs_say_so_and_agree(tmp_path: Path) -> None:
    path = _workbook(tmp_path, months=3)
    code1, doc1 = _plan(path, tmp_path, "--repeatable", "--time-limit", "3", "--seed", "5")
    code2, doc2 = _plan(path, tmp_path, "--repeatable", "--time-limit", "3", "--seed", "5")
    assert (code1, code2) == (0, 0)
    assert doc1["repeatable"] is True and doc2["repeatable"] is True
    assert doc1["makespan_days"] == doc2["makespan_days"] == 35  # A4 after A1 on the crew
    assert doc1["activities"] == doc2["activities"]


def test_seed_alone_does_not_make_a_run_repeatable(tmp_path: Path) -> None:
    code, doc = _plan(_workbook(tmp_path, months=3), tmp_path, "--seed", "7", "--time-limit", "2")
    assert code == 0
    assert doc["repeatable"] is False
    assert doc["status"] == "optimal" and doc["makespan_days"] == 35


def test_repeatable_from_the_settings_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path, months=3, settings=(("repeatable", "yes"),))
    code, doc = _plan(path, tmp_path, "--time-limit", "2")
    assert code == 0 and doc["repeatable"] is True


def test_bad_repeatable_setting_is_refused_on_its_cell(tmp_path: Path, capsys) -> None:
    path = _workbook(tmp_path, months=3, settings=(("repeatable", "maybe"),))
    code, doc = _plan(path, tmp_path)
    assert code == 2
    assert doc["status"] == "invalid"
    issue = next(i for i in doc["issues"] if i["sheet"] == "Settings")
    assert (issue["row"], issue["column"]) == (5, "value")
    assert issue["message"] == "Settings row 5: repeatable is 'maybe'; use yes or no"


def test_nothing_found_in_the_limit_exits_3(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(loop, "sgs", lambda inst: None)
    monkeypatch.setattr(
        loop, "cp_solve", lambda *a, **k: StagedResult(status=SolveStatus.UNKNOWN, starts={})
    )
    code, doc = _plan(_workbook(tmp_path, months=3), tmp_path, "--time-limit", "1")
    assert code == 3
    assert doc["status"] == "unknown"
    assert doc["makespan_days"] is None and "conflicts" not in doc
    assert doc["notes"][0].startswith("no plan was found within the time limit of")
    out = capsys.readouterr().out
    assert "unknown" in out and "would likely find a plan" in out


def test_overrun_shows_how_late_and_the_dates(tmp_path: Path, capsys) -> None:
    # the chain A1 → A2 → A3 needs 35 days; a one-month horizon has 31
    js, report = tmp_path / "out.json", tmp_path / "r.xlsx"
    path = _workbook(tmp_path, months=1)
    code = main(["plan", str(path), "--json", str(js), "-o", str(report), "--time-limit", "3"])
    doc = json.loads(js.read_text())
    assert code == 1
    assert doc["status"] == "infeasible"
    assert [c["kind"] for c in doc["conflicts"]] == ["horizon"]
    assert doc["min_horizon_days"] == 35
    assert doc["overrun"] == {
        "days_past_horizon": 4,
        "makespan_days": 35,
        "finish": "2027-02-04",
        "horizon_end": "2027-01-31",
    }
    by_id = {a["id"]: a for a in doc["activities"]}
    assert (by_id["A3"]["start"], by_id["A3"]["finish"]) == ("2027-01-16", "2027-02-04")
    assert doc["makespan_days"] is None  # not a plan: it breaks the horizon
    assert "4 days past the horizon" in capsys.readouterr().out
    summary = openpyxl.load_workbook(report)["Summary"]
    rows = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r[0]}
    assert rows["Overrun (days past the horizon)"] == 4
    assert rows["Finish with the horizon lifted"].date() == date(2027, 2, 4)
