"""``infraplan plan FILE --baseline PREV.json`` end to end (issue 10 item 3).

The workbook is the plan of :mod:`tests.scheduler.test_baseline` (``S -> A1 -> A2 -> M``,
``B1 -> B2``, ``C``, B1 and C on one crew). Planned alone it is left-justified: S 0,
A1 0, A2 5, M 10, B1 0, B2 3, C 3 (C after B1 on the crew), finish 2027-01-10.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.workbook import write_workbook


def workbook(path: Path, a1: int = 5, objective: str = "makespan") -> Path:
    acts = [("S", 0), ("A1", a1), ("A2", 5), ("M", 0), ("B1", 3), ("B2", 4), ("C", 6)]
    write_workbook(
        {
            "Settings": [
                {"key": "plan_name", "value": "chains"},
                {"key": "plan_start", "value": "2027-01-01"},
                {"key": "horizon_months", "value": 2},
                {"key": "objective", "value": objective},
            ],
            "Regions": [{"id": "SEL", "name": "Seoul"}],
            "Activities": [
                {"id": i, "name": i.lower(), "sector": "road", "region_from": "SEL", "duration": d}
                for i, d in acts
            ],
            "Dependencies": [
                {"predecessor": p, "successor": s}
                for p, s in (("S", "A1"), ("A1", "A2"), ("A2", "M"), ("B1", "B2"))
            ],
            "Resources": [{"id": "crew", "capacity": 1}],
            "Demands": [
                {"activity": "B1", "resource": "crew", "amount": 1},
                {"activity": "C", "resource": "crew", "amount": 1},
            ],
        },
        path,
    )
    return path


def run(*args: str) -> int:
    return main(["plan", *args, "--no-report", "--time-limit", "3", "--workers", "2"])


@pytest.fixture(scope="module")
def prev(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("baseline")
    out = tmp / "prev.json"
    assert run(str(workbook(tmp / "v1.xlsx")), "--json", str(out)) == 0
    return out


def test_replan_against_the_baseline(tmp_path: Path, prev: Path, capsys) -> None:
    out = tmp_path / "v2.json"
    v2 = workbook(tmp_path / "v2.xlsx", a1=8)  # A1 takes 3 days more
    assert run(str(v2), "--baseline", str(prev), "--json", str(out)) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["objectives"] == ["makespan", "stability"]
    assert (doc["baseline"], doc["baseline_finish"], doc["finish"]) == (
        "prev.json",
        "2027-01-10",
        "2027-01-13",
    )
    assert (doc["finish_variance_days"], doc["variance_unit"]) == (3, "days")
    rows = {r["id"]: r for r in doc["activities"]}
    assert {k: (r["start_variance_days"], r["finish_variance_days"]) for k, r in rows.items()} == {
        "S": (0, 0),
        "A1": (0, 3),
        "A2": (3, 3),
        "M": (3, 3),
        "B1": (0, 0),
        "B2": (0, 0),
        "C": (0, 0),
    }
    assert (rows["C"]["baseline_start"], rows["C"]["baseline_finish"]) == (
        "2027-01-04",
        "2027-01-09",
    )
    printed = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "prev.json: finish 2027-01-10, variance +3 days; 2 of 7 activities start" in printed


def test_a_bad_baseline_exits_2_with_its_place(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"status": "optimal", "plan_start": "2027-01-01", "activities": [}')
    out = tmp_path / "o.json"
    assert run(str(workbook(tmp_path / "v.xlsx")), "--baseline", str(bad), "--json", str(out)) == 2
    printed = capsys.readouterr().out
    assert "bad.json: JSON line 1: is not JSON" in printed
    assert json.loads(out.read_text())["status"] == "invalid"


def test_a_missing_baseline_file_is_refused_before_reading(tmp_path: Path, capsys) -> None:
    code = run(str(workbook(tmp_path / "v.xlsx")), "--baseline", str(tmp_path / "none.json"))
    assert code == 2
    assert "none.json" in capsys.readouterr().out


def test_stability_without_a_baseline_exits_2(tmp_path: Path, capsys) -> None:
    assert run(str(workbook(tmp_path / "v.xlsx")), "--objective", "stability") == 2
    assert "the stability objective needs a baseline" in capsys.readouterr().out


def test_settings_stability_without_a_baseline_exits_2(tmp_path: Path, capsys) -> None:
    # the workbook's Settings ask for stability; export has no baseline to keep to
    wb = workbook(tmp_path / "v.xlsx", objective="stability")
    assert main(["export", str(wb), "-o", str(tmp_path / "p.xml"), "--time-limit", "3"]) == 2
    assert "the stability objective needs a baseline" in capsys.readouterr().out
    assert not (tmp_path / "p.xml").exists()
