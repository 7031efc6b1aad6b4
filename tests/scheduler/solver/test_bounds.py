"""Makespan lower bounds on tiny plans, computed by hand (scheduler.solver.bounds)."""

from __future__ import annotations

from datetime import date

from scheduler.model import Activity, Blackout, BudgetPeriod, Demand, Dependency, Plan, Resource
from scheduler.solver import SolveOptions, solve
from scheduler.solver.bounds import budget_bound, energy_bound, makespan_bounds
from scheduler.solver.data import Instance
from scheduler.timegrid import TimeGrid


def _grid() -> TimeGrid:
    return TimeGrid(date(2027, 1, 1), "calendar", 2)


def _crew(changes: list[tuple[int, int]] | None = None) -> Plan:
    """P (1 slot) -> A (4 slots, 2 crews), B, C (3 slots, 1 crew each) -> X (2 slots);
    2 crews. Work 4·2 + 3 + 3 = 14 crew-slots."""
    acts = [Activity("P", "p", 1), Activity("A", "a", 4), Activity("B", "b", 3),
            Activity("C", "c", 3), Activity("X", "x", 2)]  # fmt: skip
    deps = [Dependency("P", k) for k in "ABC"] + [Dependency(k, "X") for k in "ABC"]
    return Plan(
        name="crew",
        grid=_grid(),
        activities=acts,
        dependencies=deps,
        resources=[Resource("R", 2, capacity_changes=changes or [])],
        demands=[Demand("A", "R", 2), Demand("B", "R", 1), Demand("C", "R", 1)],
    )


def _bounds(plan: Plan) -> dict[str, int]:
    inst = Instance.from_plan(plan)
    b = inst.start_bounds(plan.horizon)
    assert b is not None
    return makespan_bounds(inst, b[0])


def test_energy_bound_with_head_and_tail():
    # head 1 (P), 14 crew-slots at 2 a slot: 7 slots, tail 2 (X): 1 + 7 + 2 = 10
    got = _bounds(_crew())
    assert got == {"critical_path": 1 + 4 + 2, "energy": 10, "budget": 0}
    res = solve(_crew(), SolveOptions(time_limit_s=5, workers=1))
    assert res.objective == 10 and res.bound == 10  # A [1,5), B and C [5,8), X [8,10)


def test_energy_bound_with_falling_capacity():
    # 2 crews until slot 3, then 1: slots 1, 2 give 4, then 1 a slot: 10 more -> slot 12
    # is the last one worked, so the work ends at 13; with the tail 2: 15
    assert _bounds(_crew([(3, 1)]))["energy"] == 15


def test_energy_bound_skips_slots_every_user_is_blacked_out():
    plan = _crew()
    plan.blackouts = [Blackout(k, 1, 3) for k in "ABC"]
    inst = Instance.from_plan(plan)
    b = inst.start_bounds(plan.horizon)
    assert b is not None
    # heads of 0: slot 0 gives 2, nothing runs on the crew in [1, 3), slots 3-8 give the
    # other 12: the work ends at 9, the tail makes it 11
    assert energy_bound(inst, [0] * inst.n) == 11
    # with the CPM heads (A, B, C wait for the blackout: 3): 3 + 7 + 2
    assert _bounds(plan) == {"critical_path": 3 + 4 + 2, "energy": 12, "budget": 0}


def _money(crew: bool) -> Plan:
    """A and B: 4 slots, cost 40 each; FY1 [0, 10) cap 40, FY2 [10, 30) cap 100."""
    return Plan(
        name="money",
        grid=_grid(),
        activities=[Activity("A", "a", 4, cost=40), Activity("B", "b", 4, cost=40)],
        resources=[Resource("R", 1)] if crew else [],
        demands=[Demand("A", "R", 1), Demand("B", "R", 1)] if crew else [],
        budgets=[BudgetPeriod("FY1", 0, 10, 40), BudgetPeriod("FY2", 10, 30, 100)],
    )


def test_budget_bound():
    # 40 of the 80 must be paid after slot 10, each activity has at most L slots there
    # at 10 a slot: 20·L >= 40, L >= 2: makespan >= 12 (both start at 8: 20 + 20 in FY1)
    inst = Instance.from_plan(_money(False))
    assert budget_bound(inst, [0, 0]) == 12
    res = solve(_money(False), SolveOptions(time_limit_s=5, workers=1))
    assert res.objective == 12


def test_budget_bound_with_a_crew():
    # one crew: 4·x_A + 4·x_B <= L with x_A + x_B >= 1: L >= 4, makespan >= 14
    # (A [6, 10) pays 40 in FY1, B [10, 14))
    plan = _money(True)
    assert _bounds(plan) == {"critical_path": 4, "energy": 8, "budget": 14}
    res = solve(plan, SolveOptions(time_limit_s=5, workers=1))
    assert res.objective == 14 and res.bound == 14


def test_budget_bound_stops_at_a_slot_no_period_covers():
    plan = _money(False)
    plan.budgets = [BudgetPeriod("FY1", 0, 5, 10), BudgetPeriod("FY2", 8, 30, 100)]
    # slots 5-7 have no cap: as far as money goes the plan may end at 5 (plus the rest)
    assert budget_bound(Instance.from_plan(plan), [0, 0]) == 5
