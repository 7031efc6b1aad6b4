"""Tests of the multi-pass SGS with forward-backward improvement (scheduler.solver.improve)."""

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
from tests.checker import assert_feasible

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
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


def test_tiny_plan_reaches_total_work():
    plan = _tiny()
    inst = Instance.from_plan(plan)
    assert applicable(inst)
    bounds, base = inst.start_bounds(plan.horizon), sgs(inst)
    assert bounds is not None and base is not None
    es, ls = bounds
    out = improve_schedule(inst, base, es, ls, seconds=0.2)
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


def test_j120_improves_on_serial_sgs():
    path = J120 / "j1206_6.sm"
    if not path.exists():
        pytest.skip(f"PSPLIB instance not found: {path}")
    plan = read_psplib(path)
    inst = Instance.from_plan(plan)
    bounds, base = inst.start_bounds(plan.horizon), sgs(inst)
    assert bounds is not None and base is not None
    es, ls = bounds
    out = improve_schedule(inst, base, es, ls, seconds=5.0, max_passes=4)
    assert_feasible(plan, out)
    assert _makespan(plan, base) == 217  # LST serial SGS
    assert _makespan(plan, out) == 177  # the four priority rules with FBI (pass budget: repeatable)
