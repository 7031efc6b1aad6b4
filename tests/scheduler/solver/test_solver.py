"""Tests of scheduler.solver.solve on tiny plans with hand-computed starts (SPEC §5)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from scheduler.model import (
    Activity,
    Blackout,
    BudgetPeriod,
    Demand,
    Dependency,
    Plan,
    Resource,
)
from scheduler.solver import SolveOptions, check_schedule, solve
from scheduler.timegrid import TimeGrid
from tests.checker import assert_feasible

START = date(2027, 1, 1)
OPTS = SolveOptions(time_limit_s=2, workers=2, repeatable=True)


def make_plan(acts, deps=(), *, objectives=("weighted_completion",), months=2, **kw) -> Plan:
    """A calendar plan from 2027-01-01 (2 months = 59 slots)."""
    plan = Plan(
        name="t",
        grid=TimeGrid(START, "calendar", months),
        activities=list(acts),
        dependencies=list(deps),
        objectives=list(objectives),
        **kw,
    )
    plan.check()
    return plan


def run(plan: Plan, **kw):
    res = solve(plan, SolveOptions(time_limit_s=2, workers=2, **kw))
    assert res.status in ("optimal", "feasible"), res
    assert_feasible(
        plan, res.starts, ignore_due="tardiness" in (kw.get("objectives") or plan.objectives)
    )
    assert check_schedule(plan, res.starts, soft_due="tardiness" in plan.objectives) == []
    return res


def two(dep_type: str, lag: int, *, release_a: int | None = None) -> Plan:
    """A (5 slots) → B (3 slots) with one dependency."""
    return make_plan(
        [Activity("A", "a", 5, release=release_a), Activity("B", "b", 3)],
        [Dependency("A", "B", dep_type, lag)],
    )


@pytest.mark.parametrize(
    ("dep_type", "lag", "release_a", "a_start", "b_start"),
    [
        ("FS", 2, None, 0, 7),  # S(B) >= E(A) + 2 = 7
        ("FS", -2, None, 0, 3),  # lead: S(B) >= 5 - 2
        ("SS", 2, None, 0, 2),  # S(B) >= S(A) + 2
        ("SS", -2, 4, 4, 2),  # lead: S(B) >= 4 - 2
        ("FF", 2, None, 0, 4),  # E(B) >= E(A) + 2 = 7 -> S(B) = 4
        ("FF", -2, None, 0, 0),  # E(B) >= 3 -> S(B) = 0
        ("SF", 6, None, 0, 3),  # E(B) >= S(A) + 6 -> S(B) = 3
        ("SF", -1, 5, 5, 1),  # E(B) >= 5 - 1 = 4 -> S(B) = 1
    ],
)
def test_dependency_types_and_lag_signs(dep_type, lag, release_a, a_start, b_start):
    res = run(two(dep_type, lag, release_a=release_a))
    assert res.starts == {"A": a_start, "B": b_start}
    assert res.status == "optimal"


def test_max_lag_pulls_predecessor_late():
    # SS lag 0, max_lag 1: B (release 4) may start at most 1 slot after A
    plan = make_plan(
        [Activity("A", "a", 5), Activity("B", "b", 3, release=4)],
        [Dependency("A", "B", "SS", 0, max_lag=1)],
    )
    assert run(plan).starts == {"A": 3, "B": 4}


def test_release_fixed_start_and_due():
    plan = make_plan(
        [
            Activity("A", "a", 5, fixed_start=10),
            Activity("B", "b", 3, due=18),
            Activity("C", "c", 2, release=20),
        ],
        [Dependency("A", "B")],
    )
    res = run(plan)
    assert res.starts == {"A": 10, "B": 15, "C": 20}


def test_blackout_pushes_activity_past_window():
    # blackout [3, 10) on sector "dam": a 5-slot dam activity may not start in (-2, 10)
    plan = make_plan(
        [Activity("A", "a", 5, sector="dam"), Activity("M", "m", 0, sector="dam")],
        blackouts=[Blackout("dam", 3, 10, "monsoon")],
    )
    res = run(plan)
    assert res.starts == {"A": 10, "M": 0}  # a milestone is not affected


def test_budget_cap_forces_spreading():
    # two 10-slot activities of cost 100 (rate 10/slot); [0, 30) may take 150 -> 15 slots
    plan = make_plan(
        [Activity("A", "a", 10, cost=100), Activity("B", "b", 10, cost=100)],
        objectives=["makespan"],
        budgets=[BudgetPeriod("P1", 0, 30, 150)],
    )
    res = run(plan)
    assert res.objective == 33  # overlaps (30 - sA) + (30 - sB) <= 15 -> max start 23
    spend = sum(
        Fraction(100 * max(0, min(s + 10, 30) - max(s, 0)), 10) for s in res.starts.values()
    )
    assert spend <= 150


def test_budget_rounding_is_safe():
    # cost 100 over 3 slots; cap 66 on [0, 2): starting at 0 would spend 200/3 = 66.67 > 66
    # in the period (counted ceil = 67); at 1 it spends 33.33 (counted 34) -> start 1
    plan = make_plan([Activity("A", "a", 3, cost=100)], budgets=[BudgetPeriod("P", 0, 2, 66)])
    assert run(plan).starts == {"A": 1}
    assert_feasible(plan, {"A": 1})


def test_budget_that_fits_exactly_is_kept():
    # A1 30 d cost 100 -> A2 20 d cost 100 -> A3 10 d cost 100; caps 150 per year of 40 slots:
    # year 1 holds A1 (100) and half of A2 (50) exactly; rounding must not refuse it
    plan = make_plan(
        [
            Activity("A1", "a1", 30, cost=100),
            Activity("A2", "a2", 20, cost=100),
            Activity("A3", "a3", 10, cost=100),
        ],
        [Dependency("A1", "A2"), Dependency("A2", "A3")],
        budgets=[BudgetPeriod("Y1", 0, 40, 150), BudgetPeriod("Y2", 40, 80, 150)],
        months=3,
    )
    res = run(plan)
    assert res.status == "optimal"
    assert res.starts == {"A1": 0, "A2": 30, "A3": 50}
    assert_feasible(plan, res.starts)


def test_time_varying_capacity():
    # capacity 2, but 0 on [2, 6): a 4-slot activity demanding 1 must start at 6
    res_r = Resource("R", 2, capacity_changes=[(2, 0), (6, 2)])
    plan = make_plan([Activity("A", "a", 4)], resources=[res_r], demands=[Demand("A", "R", 1)])
    assert run(plan).starts == {"A": 6}


def test_resource_capacity_serialises():
    # cap 1; weights A=1, B=3 -> B first: 3*2 + 1*5 = 11
    plan = make_plan(
        [Activity("A", "a", 3, weight=100), Activity("B", "b", 2, weight=300)],
        resources=[Resource("R", 1)],
        demands=[Demand("A", "R", 1), Demand("B", "R", 1)],
    )
    res = run(plan)
    assert res.starts == {"A": 2, "B": 0}
    assert res.objective == pytest.approx(11.0)


def test_tardiness_makes_due_soft():
    plan = make_plan(
        [Activity("A", "a", 4, due=4), Activity("B", "b", 4, due=5)],
        objectives=["tardiness"],
        resources=[Resource("R", 1)],
        demands=[Demand("A", "R", 1), Demand("B", "R", 1)],
    )
    res = run(plan)
    assert res.starts == {"A": 0, "B": 4}
    assert res.objective == pytest.approx(3.0)  # B ends 8, due 5


def test_lexicographic_makespan_then_weighted_completion():
    plan = make_plan(
        [
            Activity("A", "a", 4, weight=100),
            Activity("B", "b", 4, weight=1000),
            Activity("C", "c", 1, weight=100),
        ],
        objectives=["makespan", "weighted_completion"],
        resources=[Resource("R", 1)],
        demands=[Demand("A", "R", 1), Demand("B", "R", 1)],
    )
    res = run(plan)
    assert res.objective == 8  # first objective: makespan
    assert res.starts == {"A": 4, "B": 0, "C": 0}


def test_repeatable_runs_repeat():
    from scheduler.psplib_io import read_psplib
    from tests.scheduler.io.test_psplib import J30, instance_path

    path = instance_path(J30, "j3013_2")
    plan = read_psplib(path)
    opts = SolveOptions(time_limit_s=1, workers=2, seed=3, repeatable=True)
    first, second = solve(plan, opts), solve(plan, opts)
    assert first.starts == second.starts
    assert first.objective == second.objective
    assert_feasible(plan, first.starts)


def test_infeasible_due_names_chain_and_min_horizon():
    plan = make_plan(
        [Activity("D-1", "d1", 10), Activity("D-2", "d2", 10), Activity("D-3", "d3", 10, due=25)],
        [Dependency("D-1", "D-2"), Dependency("D-2", "D-3")],
        objectives=["makespan"],
    )
    res = solve(plan, OPTS)
    assert res.status == "infeasible"
    assert [c.kind for c in res.conflicts] == ["due"]
    msg = res.conflicts[0].message
    assert "D-1 → D-2 → D-3" in msg
    assert "2027-01-25" in msg  # due date shown as the last day allowed (slot 24)
    assert "2027-01-30" in msg  # the chain finishes on slot 29
    assert res.min_horizon_days == 30


def test_infeasible_horizon_reports_needed_days():
    plan = make_plan(
        [Activity("A", "a", 40), Activity("B", "b", 30)],
        [Dependency("A", "B")],
        objectives=["makespan"],
    )
    res = solve(plan, OPTS)
    assert res.status == "infeasible"
    assert [c.kind for c in res.conflicts] == ["horizon"]
    assert "70 days" in res.conflicts[0].message
    assert res.min_horizon_days == 70


def test_infeasible_budget_too_small_for_fixed_starts():
    plan = make_plan(
        [
            Activity("A", "a", 10, cost=100, fixed_start=0),
            Activity("B", "b", 10, cost=100, fixed_start=0),
            Activity("C", "c", 5),
        ],
        budgets=[BudgetPeriod("FY2027", 0, 31, 150)],
    )
    res = solve(plan, OPTS)
    assert res.status == "infeasible"
    kinds = sorted(c.kind for c in res.conflicts)
    assert kinds == ["budget", "fixed_start", "fixed_start"]
    budget = next(c for c in res.conflicts if c.kind == "budget")
    assert set(budget.activities) == {"A", "B"}
    assert "1.50" in budget.message and "2.00" in budget.message
    assert res.min_horizon_days is None  # lifting horizon and due dates does not help


def test_progress_reports_objective_and_bound():
    from scheduler.psplib_io import read_psplib
    from tests.scheduler.io.test_psplib import J30, instance_path

    plan = read_psplib(instance_path(J30, "j305_3"))
    seen = []
    res = solve(plan, SolveOptions(time_limit_s=5, workers=2), progress=seen.append)
    assert seen, "no progress reported"
    assert seen[-1].objective == res.objective == 76
    assert all(p.bound <= p.objective for p in seen if p.bound is not None)
