"""Tests of the genetic algorithm with double justification (scheduler.solver.improve)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.model import Activity, BudgetPeriod, Demand, Dependency, Plan, Resource
from scheduler.psplib_io import read_psplib
from scheduler.solver.data import Instance
from scheduler.solver.improve import applicable, improve_schedule
from scheduler.solver.sgs import sgs
from scheduler.timegrid import TimeGrid
from tests import shared
from tests.checker import assert_feasible

SHARED = shared.SHARED
J120 = SHARED / "benchmarks" / "psplib" / "j120"


def _makespan(plan: Plan, starts: dict[str, int]) -> int:
    return max(starts[a.id] + a.duration for a in plan.activities)


def _tiny() -> Plan:
    """A, B, C each need 2 of capacity 2 (one at a time); A -> C; B long."""
    return Plan(
        name="tiny",
        grid=TimeGrid(date(2027, 1, 1), "calendar", 2),
        activities=[Activity("A", "a", 2), Activity("B", "b", 5), Activity("C", "c", 1)],
        dependencies=[Dependency("A", "C")],
        resources=[Resource("R", 2)],
        demands=[Demand("A", "R", 2), Demand("B", "R", 2), Demand("C", "R", 2)],
    )


def _setup(plan: Plan) -> tuple[Instance, dict[str, int], list[int], list[int]]:
    """Indexed plan, its serial-SGS schedule and CPM earliest/latest starts."""
    inst = Instance.from_plan(plan)
    bounds, base = inst.start_bounds(plan.horizon), sgs(inst)
    assert bounds is not None and base is not None
    return inst, base, bounds[0], bounds[1]


def _psplib(path: Path) -> Plan:
    if not path.exists():
        pytest.skip(f"PSPLIB instance not found: {path}")
    return read_psplib(path)


def test_tiny_plan_reaches_total_work():
    plan = _tiny()
    inst, base, es, ls = _setup(plan)
    assert applicable(inst)
    out = improve_schedule(inst, base, es, ls, seconds=0.2).starts
    assert_feasible(plan, out)
    assert _makespan(plan, out) == 8  # one at a time: 2 + 5 + 1


@pytest.mark.parametrize(
    "change",
    [
        "budget",  # a budget cap is not modelled by the plain SGS
        "release",  # neither is a release date
        "max_lag",  # nor a maximum lag
    ],
)
def test_not_applicable(change):
    plan = _tiny()
    if change == "budget":
        plan.activities[0].cost = 10
        plan.budgets.append(BudgetPeriod("FY", 0, 30, 100))
    elif change == "release":
        plan.activities[1].release = 3
    else:
        plan.dependencies[0] = Dependency("A", "C", "FS", 0, 5)
    assert not applicable(Instance.from_plan(plan))


def test_not_applicable_beyond_the_size_limit(monkeypatch):
    """Above MAX_ACTIVITIES the quadratic decoder could overrun the limit: SGS hint only."""
    import scheduler.solver.improve as improve

    inst = Instance.from_plan(_tiny())
    monkeypatch.setattr(improve, "MAX_ACTIVITIES", 3)
    assert applicable(inst)  # 3 activities
    monkeypatch.setattr(improve, "MAX_ACTIVITIES", 2)
    assert not applicable(inst)


def test_j120_improves_on_serial_sgs():
    path = J120 / "j1206_6.sm"
    plan = _psplib(path)
    inst, base, es, ls = _setup(plan)
    out = improve_schedule(inst, base, es, ls, seconds=30.0, max_evals=500).starts
    assert_feasible(plan, out)
    assert _makespan(plan, base) == 217  # LST serial SGS
    assert _makespan(plan, out) == 176  # 500 double-justified schedules (budget: repeatable)


J30 = SHARED / "benchmarks" / "psplib" / "j30"


@pytest.mark.parametrize(("name", "optimum"), [("j301_1", 43), ("j3011_1", 54), ("j3017_1", 64)])
def test_j30_genetic_algorithm_reaches_the_optimum(name, optimum):
    """Above the critical-path bound, the GA must find the proven optimum of j30opt.sm."""
    path = J30 / f"{name}.sm"
    plan = _psplib(path)
    inst, base, es, ls = _setup(plan)
    out = improve_schedule(inst, base, es, ls, seconds=60.0, max_evals=20000).starts
    assert_feasible(plan, out)
    assert _makespan(plan, out) == optimum


def test_same_seed_and_budget_give_the_same_schedule():
    path = J120 / "j1206_6.sm"
    plan = _psplib(path)
    inst, base, es, ls = _setup(plan)
    runs = [
        improve_schedule(inst, base, es, ls, seconds=60.0, seed=7, max_evals=1500, workers=w).starts
        for w in (1, 2, 2)
    ]  # 400 sampled lists, then generations of children bred by one or two threads
    assert runs[0] == runs[1] == runs[2]
    assert_feasible(plan, runs[0])
    assert _makespan(plan, runs[0]) < _makespan(plan, base)


def test_kernel_reports_a_schedule_that_does_not_fit():
    """The compiled serial SGS returns -1 when the work array is too short, and on a cycle."""
    import numpy as np

    from scheduler.solver import ga

    dur = np.array([3, 2], np.int64)
    dem = np.array([[1], [1]], np.int64)
    cap = np.array([1], np.int64)
    # A -> B (FS): pptr/pidx/plag by successor, sptr/sidx by predecessor
    fw = (
        np.array([0, 0, 1], np.int64),
        np.array([0], np.int64),
        np.array([3], np.int64),
        np.array([0, 1, 1], np.int64),
        np.array([1], np.int64),
    )
    start = np.zeros(2, np.int64)
    prio = np.zeros(2, np.float64)
    assert ga.serial_sgs(prio, dur, dem, cap, *fw, np.zeros((1, 5), np.int64), start) == 5
    assert list(start) == [0, 3]
    assert ga.serial_sgs(prio, dur, dem, cap, *fw, np.zeros((1, 4), np.int64), start) == -1
    cyc = (
        np.array([0, 1, 2], np.int64),
        np.array([1, 0], np.int64),
        np.array([2, 3], np.int64),
        np.array([0, 1, 2], np.int64),
        np.array([1, 0], np.int64),
    )
    assert ga.serial_sgs(prio, dur, dem, cap, *cyc, np.zeros((1, 9), np.int64), start) == -1


def test_backstop_in_a_repeatable_run_is_logged(caplog):
    """With an evaluation budget the clock is only a backstop; hitting it is announced."""
    path = J120 / "j1206_6.sm"
    plan = _psplib(path)
    inst, base, es, ls = _setup(plan)
    with caplog.at_level("WARNING", logger="scheduler.solver.improve"):
        out = improve_schedule(inst, base, es, ls, seconds=1e-4, max_evals=10**6)
    assert_feasible(plan, out.starts)
    assert out.backstop_hit is True
    assert out.evals < 10**6
    assert "not repeatable" in caplog.text


def test_repeatable_budget_scales_with_the_decode_cost():
    from scheduler.solver import SolveOptions
    from scheduler.solver.loop import improve_evals

    opts = SolveOptions(improve_evals_per_s=3000)
    assert improve_evals(opts, 32, 10) == 30000  # small plans: the full rate
    assert improve_evals(opts, 128, 10) == 30000
    assert improve_evals(opts, 1280, 10) == 300  # n² cost: 1/100


@pytest.mark.parametrize("load_s, decodes", [(0.0, True), (10.0, False)])
def test_kernel_load_spends_the_wall_clock_budget(monkeypatch, load_s, decodes):
    """Loading (or compiling) the kernels counts against ``seconds``: a load longer than
    the budget leaves the GA nothing to decode, rather than the command overrunning its
    limit (a fake clock that the warm-up moves on; no stopwatch)."""
    import scheduler.solver.improve as improve

    clock = [1000.0]
    monkeypatch.setattr(improve.time, "perf_counter", lambda: clock[0])

    def load(self) -> None:
        clock[0] += load_s

    monkeypatch.setattr(improve._Rcpsp, "warm_up", load)
    plan = _tiny()
    inst, base, es, ls = _setup(plan)
    # one decode per call moves the clock 0.001 s: 5 s would allow 5,000
    real_decode = improve._Rcpsp.decode

    def decode(self, prio):  # type: ignore[no-untyped-def]
        clock[0] += 0.001
        return real_decode(self, prio)

    monkeypatch.setattr(improve._Rcpsp, "decode", decode)
    out = improve_schedule(inst, base, es, ls, seconds=5.0)
    if decodes:
        assert out.evals > 0
    else:
        assert out.evals == 0
        assert out.starts == base
