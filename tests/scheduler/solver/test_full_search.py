"""Tests of the full-model search (scheduler.solver.ga_full, improve_schedule(full=True))."""

from __future__ import annotations

from datetime import date

import numpy as np

from scheduler.model import Activity, Blackout, BudgetPeriod, Demand, Dependency, Plan, Resource
from scheduler.solver import SolveOptions, solve
from scheduler.solver.data import Instance
from scheduler.solver.improve import _Full, applicable, applicable_full, improve_schedule
from scheduler.solver.sgs import sgs
from scheduler.timegrid import TimeGrid
from tests.checker import assert_feasible


def _plan() -> Plan:
    """A (2 slots, cost 10) and B (3 slots, cost 30) share a crew of 1; FY [0, 4) has a
    cap of 20; B -> C finish-to-start with max lag 0; C may not run in [6, 8).

    By hand: B spends 10 a slot, so it may overlap the year by 2 slots at most (B starts
    at 2 or later), and then the year's 20 are B's alone (A runs after slot 4). B at
    [2, 5), C at 5, A at [5, 7): makespan 7. With A first ([0, 2), 10 of the cap), B can
    overlap the year by 1 slot only: B at [3, 6), then C at 6 falls in the blackout,
    C at 8 breaks the max lag, and the repair moves B to [5, 8): makespan 9.
    """
    return Plan(
        name="full",
        grid=TimeGrid(date(2027, 1, 1), "calendar", 2),
        activities=[
            Activity("A", "a", 2, cost=10),
            Activity("B", "b", 3, cost=30),
            Activity("C", "c", 1),
        ],
        dependencies=[Dependency("B", "C", "FS", 0, 0)],
        resources=[Resource("R", 1)],
        demands=[Demand("A", "R", 1), Demand("B", "R", 1)],
        budgets=[BudgetPeriod("FY", 0, 4, 20)],
        blackouts=[Blackout("C", 6, 8)],
    )


def _decode(plan: Plan, prio: list[float], rounds: int = 0) -> tuple[int, list[int]]:
    inst = Instance.from_plan(plan)
    fu = _Full(inst, 40)
    fu.warm_up()
    start = np.zeros(inst.n, np.int64)
    mk = fu.ga.decode_full(np.array(prio, np.float64), fu.g, fu._w, start, rounds)
    return int(mk), [int(x) for x in start]


def test_decoder_budget_blackout_and_max_lag_repair():
    plan = _plan()
    # A first: B at 3 (budget), C at 6 blacked out -> 8, max lag repaired: B at 5
    assert _decode(plan, [0, 1, 2]) == (9, [0, 5, 8])
    # B first: B at 2 (its 2 slots in FY use the cap), C at 5, A after B at 5 (budget)
    assert _decode(plan, [2, 0, 1]) == (7, [5, 2, 5])


def test_decoder_fails_on_a_moved_fixed_start():
    plan = _plan()
    plan.activities[0].fixed_start = 0  # A fixed at 0: B can only overlap FY by 1 slot
    assert _decode(plan, [2, 0, 1])[0] == -1  # B first pushes A off its fixed start
    assert _decode(plan, [0, 1, 2]) == (9, [0, 5, 8])


def test_full_search_finds_the_hand_computed_optimum():
    plan = _plan()
    inst = Instance.from_plan(plan)
    assert not applicable(inst) and applicable_full(inst)
    base = sgs(inst)
    bounds = inst.start_bounds(plan.horizon)
    assert base is not None and bounds is not None
    out = improve_schedule(inst, base, *bounds, seconds=2.0, max_evals=200, full=True)
    assert_feasible(plan, out.starts)
    assert max(out.starts[a.id] + a.duration for a in plan.activities) == 7
    assert out.starts == {"A": 5, "B": 2, "C": 5}


def test_solve_uses_it_and_proves_seven():
    plan = _plan()
    res = solve(plan, SolveOptions(time_limit_s=5, workers=1))
    assert res.status == "optimal" and res.objective == 7
    assert_feasible(plan, res.starts)
