"""Tests of the national-plan benchmark (benchmarks.national); the real run is slow-marked."""

from __future__ import annotations

import csv

import pytest

from benchmarks import main
from benchmarks.national import load_best, national_plan, read_national_csv, summarize_national
from benchmarks.scale import generate_tables


def test_generated_max_lags_leave_the_rest_of_the_plan_alone():
    plain = generate_tables(60, seed=3)
    lagged = generate_tables(60, seed=3, max_lags=0.5)
    assert plain["activities"] == lagged["activities"]
    strip = [{**d, "max_lag": None} for d in lagged["dependencies"]]
    assert strip == plain["dependencies"]
    lags = [d for d in lagged["dependencies"] if d["max_lag"] is not None]
    assert lags and all(40 <= d["max_lag"] - d["lag"] <= 90 for d in lags)
    with pytest.raises(ValueError, match="max_lags is a share"):
        generate_tables(60, max_lags=1.5)


def test_bench_runs_one_tiny_plan(tmp_path, capsys):
    """One 20-activity plan, 2 s each, ours and the plain CP-SAT model, both re-checked."""
    out = tmp_path / "rows.csv"
    code = main(
        ["national", "--plans", "1", "--activities", "20", "--time-limit", "2",
         "--workers", "1", "--vs", "cpsat", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    rows = read_national_csv(out)
    assert [r.solver for r in rows] == ["ours", "cpsat"]
    plan = national_plan(20, 0)
    assert all(r.plan == "n20s0" and r.activities == len(plan.activities) for r in rows)
    assert all(r.feasible and r.makespan is not None for r in rows)
    for r in rows:  # no solver ends before its own proven bound
        assert r.bound is not None and r.makespan >= r.bound
    text = capsys.readouterr().out
    assert "| mean_dev_best |" in text and "national: 1 plans" in text
    s = summarize_national(rows)
    assert s["ours"]["plans"] == 1 and s["cpsat"]["feasible"] == 1


def test_bench_refuses_bad_sizes(capsys):
    assert main(["national", "--activities", "10"]) == 2
    assert main(["national", "--activities", "1x0"]) == 2
    assert "--activities" in capsys.readouterr().err


def test_best_known_table_is_read_and_a_bad_row_is_named(tmp_path):
    good = tmp_path / "best.csv"
    good.write_text("plan,makespan,bound,source\nn100s0,447,447,x\n", encoding="utf-8")
    assert load_best(good) == {"n100s0": 447}
    bad = tmp_path / "bad.csv"
    bad.write_text("plan,makespan\nn100s0,447\nn200s0,4x7\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv, row 3: column 'makespan'"):
        load_best(bad)
    assert load_best(tmp_path / "missing.csv") == {}


def test_repository_table_covers_the_default_plans():
    best = load_best()
    names = [f"n{a}s{s}" for a in (100, 200, 300, 500, 700, 1000) for s in (0, 1)]
    assert set(names) <= set(best)
    assert all(v > 0 for v in best.values())


@pytest.mark.slow
def test_national_bench_default_run(tmp_path):
    """The quoted run: 12 plans, 10 s, 2 workers, ours against plain CP-SAT."""
    out = tmp_path / "national.csv"
    assert main(["national", "--vs", "cpsat", "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 24
