"""``infraplan risk``: solve, simulate, print, write JSON and the report."""

from __future__ import annotations

import json
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
