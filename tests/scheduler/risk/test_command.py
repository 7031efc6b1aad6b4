"""``infraplan risk``: solve, simulate, print, write JSON and the report."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scheduler.cli import main
from tests.shared import DSLIB


def test_risk_command_on_a_dslib_workbook(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = DSLIB / "C2015-34 Roadworks Poperinge.xlsx"
    if not path.exists():
        pytest.skip(f"DSLIB sample not found at {path}")
    out_json, out_xlsx = tmp_path / "risk.json", tmp_path / "risk.xlsx"
    code = main(
        [
            "risk",
            str(path),
            "--iterations",
            "1500",
            "--seed",
            "4",
            "--time-limit",
            "2",
            "--all-iterations",
            "--json",
            str(out_json),
            "-o",
            str(out_xlsx),
        ]
    )
    assert code == 0
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["iterations"] == 1500 and doc["seed"] == 4 and doc["mode"] == "leveled"
    ms = doc["makespan_days"]
    assert ms["min"] <= ms["p10"] <= ms["p50"] <= ms["p80"] <= ms["p90"] <= ms["max"]
    assert 0.0 <= doc["probability_within_horizon"] <= 1.0
    assert len(doc["activities"]) == 13
    assert max(a["criticality"] for a in doc["activities"]) == 1.0  # the finish milestone(s)
    assert "Risk" in load_workbook(out_xlsx).sheetnames
    printed = capsys.readouterr().out
    assert "within horizon" in printed and "P80" in printed


def test_risk_command_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "plan.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["risk", str(bad)]) == 2
    with pytest.raises(SystemExit) as exc:  # argparse: exit 2 on a bad option
        main(["risk", str(bad), "--iterations", "0"])
    assert exc.value.code == 2
    assert "iterations must be a whole number from 1 to 10000000" in capsys.readouterr().err


def test_risk_command_names_an_unreachable_cluster(capsys: pytest.CaptureFixture) -> None:
    path = DSLIB / "C2015-34 Roadworks Poperinge.xlsx"
    if not path.exists():
        pytest.skip(f"DSLIB sample not found at {path}")
    code = main(
        ["risk", str(path), "--iterations", "50", "--time-limit", "2", "--ray", "127.0.0.1:1"]
    )
    assert code == 1
    out = capsys.readouterr().out
    assert "cannot simulate:" in out
    assert "Ray" in out  # not installed, or cannot reach the Ray cluster at 127.0.0.1:1


def test_the_solve_leaves_the_estimated_simulation_time() -> None:
    """231 activities, 10,000 iterations, risks of probability 0.8 in all, 2 threads:
    2.5 s + 10,000 x 1.8 x 231 x 1.5e-6 s / 2 = 5.6187 s, taken off the solve's share."""
    import argparse
    import time

    from scheduler.model import Activity, Plan
    from scheduler.risk.command import simulation_estimate
    from scheduler.solver.options import command_budget
    from scheduler.timegrid import TimeGrid
    from scheduler.uncertainty import RiskEvent, Uncertainty

    acts = [Activity(f"A{i}", "a", 1) for i in range(231)]
    plan = Plan("p", TimeGrid(date(2027, 1, 1)), acts)
    plan.uncertainty = Uncertainty(
        events=[RiskEvent(f"R{k}", "r", p, ("A0",), 1, 1, 1) for k, p in enumerate((0.3, 0.5))]
    )
    est = simulation_estimate(plan, argparse.Namespace(iterations=10_000, workers=2))
    assert est == pytest.approx(2.5 + 10_000 * 1.8 * 231 * 1.5e-6 / 2)
    t0 = time.monotonic()
    _, deadline = command_budget(20.0, 231, t0, repeatable=False, reserve_s=est)
    assert deadline == pytest.approx(t0 + 20 - (1.0 + 0.004 * 231 + est))
    # never more than half the limit
    assert command_budget(20.0, 231, t0, repeatable=False, reserve_s=99)[1] == pytest.approx(
        t0 + 10
    )


def test_building_the_parser_loads_neither_numba_nor_scipy() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from scheduler.cli import _parser; _parser(); "
        "print(sorted(m for m in ('numba', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
