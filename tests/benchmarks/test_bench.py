"""Smoke tests of the benchmark harness (benchmarks); the real runs are slow-marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import main
from benchmarks.psplib import (
    check_rcpsp,
    load_references,
    mpm_time,
    read_csv,
    run_bench,
    select_instances,
    solve_ours,
    summarize,
)
from tests import shared

SHARED = shared.SHARED
PSPLIB = SHARED / "benchmarks" / "psplib"


@pytest.fixture(scope="module")
def folder() -> Path:
    if not (PSPLIB / "j30" / "j301_1.sm").exists():
        pytest.skip(f"PSPLIB data not found: {PSPLIB}")
    return PSPLIB


def test_select_instances_spreads_over_groups():
    names = select_instances("j120", 60)
    assert names[:3] == ["j1201_1", "j1202_2", "j1203_3"]
    assert names[-1] == "j12060_10"
    assert len(set(names)) == 60
    assert select_instances("j30", 2) == ["j301_1", "j3025_2"]
    assert len(select_instances("j60")) == 480


@pytest.mark.parametrize(
    ("set_name", "count"),
    [
        ("j90", 5),  # the hold-out set is not a benchmark set here
        ("j30", 0),  # an empty sample
    ],
)
def test_select_instances_rejects(set_name, count):
    with pytest.raises(ValueError):
        select_instances(set_name, count)


def test_references(folder):
    j30 = load_references("j30", folder)
    assert len(j30) == 480 and j30["j301_1"].value == 43 and j30["j301_1"].optimal
    j120 = load_references("j120", folder)
    assert len(j120) == 600
    assert j120["j1201_1"].value == 105
    assert mpm_time(folder / "j30" / "j301_1.sm") == 38


def test_harness_runs_two_instances(folder, tmp_path):
    """Two j30 instances, 1 s each, ours and (if installed) PyJobShop, re-checked."""
    solvers = ["ours"]
    try:
        import pyjobshop  # noqa: F401

        solvers.append("pyjobshop")
    except ImportError:
        pass
    out = tmp_path / "rows.csv"
    rows = run_bench(
        "j30", ["j301_1", "j3025_2"], folder=folder, time_limit=1.0, workers=2,
        solvers=solvers, csv_path=out,
    )  # fmt: skip
    assert len(rows) == 2 * len(solvers)
    for r in rows:
        assert r.feasible, r.errors
        assert r.makespan is not None and r.makespan >= r.reference
    ours = {r.instance: r for r in rows if r.solver == "ours"}
    assert ours["j301_1"].makespan == 43  # the proven optimum (j30opt.sm)
    assert ours["j301_1"].cp_lb == 38
    assert ours["j301_1"].dev_lb == pytest.approx(100 * 5 / 38)
    back = read_csv(out)
    assert [(r.instance, r.solver, r.makespan) for r in back] == [
        (r.instance, r.solver, r.makespan) for r in rows
    ]
    summary = summarize(rows)
    assert summary["ours"]["instances"] == 2 and summary["ours"]["feasible"] == 2


def test_check_rejects_broken_schedules(folder):
    path = folder / "j30" / "j301_1.sm"
    import psplib

    inst = psplib.parse(str(path), instance_format="psplib")
    dur = [a.modes[0].duration for a in inst.activities]
    starts, optimal, _ = solve_ours(path, 1.0, 1)
    assert starts is not None and optimal
    assert check_rcpsp(path, starts) == []
    # job 2 (index 1) has successors 6, 11, 15: start job 6 before job 2 ends
    early = list(starts)
    early[5] = starts[1] + dur[1] - 1
    assert any("job 6 starts" in e for e in check_rcpsp(path, early))
    # everything at period 0 overloads a resource
    assert any("resource" in e for e in check_rcpsp(path, [0] * len(starts)))
    # a wrong number of start times
    assert check_rcpsp(path, starts[:-1]) == [f"{len(starts) - 1} start times for 32 jobs"]


def test_cli_summary_of_csv(folder, tmp_path, capsys):
    out = tmp_path / "rows.csv"
    assert main(["psplib", "--set", "j30", "--instances", "j301_1", "--time-limit", "1",
                 "--workers", "1", "--out", str(out)]) == 0  # fmt: skip
    assert main(["psplib", "--set", "j30", "--summary", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| proven_optimal | 1 |" in text


@pytest.mark.slow
def test_j30_sample_against_pyjobshop(folder):
    """The j30 spread sample (48 instances, 10 s, 2 workers) in one run; see BENCHMARKS.md."""
    pytest.importorskip("pyjobshop")
    rows = run_bench(
        "j30", select_instances("j30", 48), folder=folder, time_limit=10.0, workers=2,
        solvers=["ours", "pyjobshop"],
    )  # fmt: skip
    assert all(r.feasible for r in rows)
    s = summarize(rows)
    assert s["ours"]["mean_dev_ref"] == pytest.approx(0.0, abs=1.0)
    assert s["ours"]["proven_optimal"] >= s["pyjobshop"]["proven_optimal"]


def test_risk_bench_runs_and_the_kernel_agrees_with_python() -> None:
    from benchmarks.risk import run_risk_bench

    figures = run_risk_bench(60, resources=12, iterations=40, python_iterations=2)
    assert figures["plan"].startswith("60 activities")
    assert "same starts as the kernel" in figures["plain Python SGS"]
    assert figures["speed-up, 1 thread"].endswith(" x")
