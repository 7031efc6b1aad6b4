"""Tests of the constructive schedule (serial SGS) and check_schedule."""

from __future__ import annotations

import pytest

from scheduler.model import Activity, Blackout, BudgetPeriod, Demand, Dependency, Resource
from scheduler.solver import check_schedule, constructive_schedule
from tests.checker import assert_feasible
from tests.scheduler.solver.test_solver import make_plan, two


def small_plans():
    """Feasible tiny plans covering every constraint kind."""
    return {
        "fs_lead": two("FS", -2),
        "sf_release": two("SF", -1, release_a=5),
        "ff": two("FF", 2),
        "max_lag": make_plan(
            [Activity("A", "a", 5), Activity("B", "b", 3, release=4)],
            [Dependency("A", "B", "SS", 0, max_lag=1)],
        ),
        "blackout": make_plan(
            [Activity("A", "a", 5, sector="dam")], blackouts=[Blackout("dam", 3, 10)]
        ),
        "budget": make_plan(
            [Activity("A", "a", 10, cost=100), Activity("B", "b", 10, cost=100)],
            budgets=[BudgetPeriod("P1", 0, 30, 150)],
        ),
        "capacity": make_plan(
            [Activity("A", "a", 4)],
            resources=[Resource("R", 2, capacity_changes=[(2, 0), (6, 2)])],
            demands=[Demand("A", "R", 1)],
        ),
        "fixed": make_plan(
            [Activity("A", "a", 5, fixed_start=10), Activity("B", "b", 3)], [Dependency("A", "B")]
        ),
    }


@pytest.mark.parametrize("name", sorted(small_plans()))
def test_sgs_feasible_on_small_plans(name):
    plan = small_plans()[name]
    starts = constructive_schedule(plan)
    assert starts is not None
    assert check_schedule(plan, starts) == []
    assert_feasible(plan, starts)


def test_sgs_values():
    assert constructive_schedule(small_plans()["blackout"]) == {"A": 10}
    assert constructive_schedule(small_plans()["capacity"]) == {"A": 6}
    starts = constructive_schedule(small_plans()["budget"])
    assert starts is not None and max(starts.values()) + 10 == 35


def test_sgs_repairs_max_lag_by_delaying_predecessor():
    # X holds R on [0, 5); B needs R and must start with A (SS, max lag 0) -> both at 5
    plan = make_plan(
        [Activity("X", "x", 5, fixed_start=0), Activity("A", "a", 2), Activity("B", "b", 2)],
        [Dependency("A", "B", "SS", 0, max_lag=0)],
        resources=[Resource("R", 1)],
        demands=[Demand("X", "R", 1), Demand("B", "R", 1)],
    )
    assert constructive_schedule(plan) == {"X": 0, "A": 5, "B": 5}


@pytest.mark.parametrize(
    ("starts", "needle"),
    [
        ({"A": 0, "B": 4}, "FS A → B"),  # B starts before A ends
        ({"A": 0, "B": 57}, "horizon"),  # B ends at slot 60 > 59
        ({"A": -1, "B": 5}, "before the plan start"),  # negative start
    ],
)
def test_check_schedule_reports_violations(starts, needle):
    plan = two("FS", 0)
    found = check_schedule(plan, starts)
    assert any(needle in m for m in found), found


def test_check_schedule_reports_capacity_and_budget():
    plan = make_plan(
        [Activity("A", "a", 10, cost=100), Activity("B", "b", 10, cost=100)],
        resources=[Resource("R", 1)],
        demands=[Demand("A", "R", 1), Demand("B", "R", 1)],
        budgets=[BudgetPeriod("P1", 0, 30, 150)],
    )
    found = check_schedule(plan, {"A": 0, "B": 5})
    assert any("resource R over capacity on 5 slot(s)" in m for m in found)
    assert any("budget P1: spend 200 above cap 150" in m for m in found)
