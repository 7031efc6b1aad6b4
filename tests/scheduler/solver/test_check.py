"""Tests for the independent feasibility checker (tests/checker.py)."""

from __future__ import annotations

from functools import partial

import pytest

from scheduler.model import (
    Activity,
    Blackout,
    BudgetPeriod,
    Demand,
    Dependency,
    Resource,
)
from tests.checker import assert_feasible, violations
from tests.plans import calendar_grid, tiny_plan

GRID = calendar_grid(months=1)  # 31 slots
_plan = partial(tiny_plan, grid=GRID)


def test_horizon_is_31_slots() -> None:
    assert GRID.horizon == 31


def test_feasible_schedule_passes() -> None:
    plan = _plan(
        [Activity("A", "a", 3, cost=300), Activity("B", "b", 2, cost=100)],
        dependencies=[Dependency("A", "B", "FS", 1, max_lag=2)],
        resources=[Resource("crew", 1)],
        demands=[Demand("A", "crew", 1), Demand("B", "crew", 1)],
        budgets=[BudgetPeriod("P", 0, 3, 300)],
    )
    assert violations(plan, {"A": 0, "B": 4}) == []
    assert_feasible(plan, {"A": 0, "B": 4})


def test_missing_start() -> None:
    plan = _plan([Activity("A", "a", 3), Activity("B", "b", 2)])
    assert violations(plan, {"A": 0}) == ["activity 'B' has no start"]


def test_negative_start() -> None:
    plan = _plan([Activity("A", "a", 3)])
    assert violations(plan, {"A": -1}) == ["A: start -1 < 0"]


def test_end_beyond_horizon() -> None:
    plan = _plan([Activity("A", "a", 3)])
    assert violations(plan, {"A": 28}) == []  # ends at 31 == horizon
    assert violations(plan, {"A": 29}) == ["A: end 32 > horizon 31"]


def test_release() -> None:
    plan = _plan([Activity("A", "a", 3, release=5)])
    assert violations(plan, {"A": 5}) == []
    assert violations(plan, {"A": 4}) == ["A: start 4 < release 5"]


def test_due_and_ignore_due() -> None:
    plan = _plan([Activity("A", "a", 3, due=5)])
    assert violations(plan, {"A": 2}) == []  # end 5 <= due 5
    assert violations(plan, {"A": 3}) == ["A: end 6 > due 5"]
    assert violations(plan, {"A": 3}, ignore_due=True) == []


def test_fixed_start() -> None:
    plan = _plan([Activity("A", "a", 3, fixed_start=7)])
    assert violations(plan, {"A": 7}) == []
    assert violations(plan, {"A": 8}) == ["A: start 8 != fixed_start 7"]


@pytest.mark.parametrize(
    ("dtype", "lag", "good_b", "bad_b", "message"),
    [
        # FS: S(B)=6 >= E(A)=5 + 1; bad S(B)=5
        ("FS", 1, 6, 5, "FS A->B: difference 0 < lag 1"),
        # SS: S(B)=2 >= S(A)=0 + 2; bad S(B)=1
        ("SS", 2, 2, 1, "SS A->B: difference 1 < lag 2"),
        # FF: E(B)=S(B)+3 >= E(A)=5 + 0 -> S(B)>=2; bad S(B)=1
        ("FF", 0, 2, 1, "FF A->B: difference -1 < lag 0"),
        # SF with lead: E(B)=S(B)+3 >= S(A)=0 - 1 -> always; use lag 4: S(B)>=1; bad 0
        ("SF", 4, 1, 0, "SF A->B: difference 3 < lag 4"),
    ],
)
def test_dependency_min_lag(dtype: str, lag: int, good_b: int, bad_b: int, message: str) -> None:
    plan = _plan(
        [Activity("A", "a", 5), Activity("B", "b", 3)],
        dependencies=[Dependency("A", "B", dtype, lag)],  # type: ignore[arg-type]
    )
    assert violations(plan, {"A": 0, "B": good_b}) == []
    assert violations(plan, {"A": 0, "B": bad_b}) == [message]


def test_dependency_max_lag() -> None:
    # SS lag 0, max_lag 2: 0 <= S(B) - S(A) <= 2
    plan = _plan(
        [Activity("A", "a", 5), Activity("B", "b", 3)],
        dependencies=[Dependency("A", "B", "SS", 0, max_lag=2)],
    )
    assert violations(plan, {"A": 1, "B": 3}) == []
    assert violations(plan, {"A": 1, "B": 4}) == ["SS A->B: difference 3 > max_lag 2"]


def test_negative_lag_fs() -> None:
    # FS lead -2: S(B) >= E(A) - 2 = 3
    plan = _plan(
        [Activity("A", "a", 5), Activity("B", "b", 3)],
        dependencies=[Dependency("A", "B", "FS", -2)],
    )
    assert violations(plan, {"A": 0, "B": 3}) == []
    assert violations(plan, {"A": 0, "B": 2}) == ["FS A->B: difference -3 < lag -2"]


def test_resource_capacity() -> None:
    plan = _plan(
        [Activity("A", "a", 3), Activity("B", "b", 3)],
        resources=[Resource("crew", 1)],
        demands=[Demand("A", "crew", 1), Demand("B", "crew", 1)],
    )
    assert violations(plan, {"A": 0, "B": 3}) == []
    # overlap on slots 2 only
    assert violations(plan, {"A": 0, "B": 2}) == ["resource crew: use 2 > capacity 1 at slot 2"]


def test_time_varying_capacity() -> None:
    # capacity 2 until slot 5, then 1
    plan = _plan(
        [Activity("A", "a", 3), Activity("B", "b", 3)],
        resources=[Resource("crew", 2, capacity_changes=[(5, 1)])],
        demands=[Demand("A", "crew", 1), Demand("B", "crew", 1)],
    )
    assert violations(plan, {"A": 0, "B": 0}) == []
    assert violations(plan, {"A": 4, "B": 4}) == [
        "resource crew: use 2 > capacity 1 at slot 5",
        "resource crew: use 2 > capacity 1 at slot 6",
    ]


def test_budget_exact_fraction() -> None:
    # A costs 10 over 3 slots (10/3 per slot). Period [0, 2): A at 0 spends 20/3 = 6.67.
    # cap 6 -> violated; cap 7 -> fine. A start 1 overlaps 1 slot: 10/3 = 3.33 <= 6.
    acts = [Activity("A", "a", 3, cost=10)]
    assert violations(_plan(acts, budgets=[BudgetPeriod("P", 0, 2, 7)]), {"A": 0}) == []
    assert violations(_plan(acts, budgets=[BudgetPeriod("P", 0, 2, 6)]), {"A": 1}) == []
    assert violations(_plan(acts, budgets=[BudgetPeriod("P", 0, 2, 6)]), {"A": 0}) == [
        "budget P: spend 6.6667 > cap 6"
    ]


def test_budget_exact_at_cap() -> None:
    # 3 activities cost 1 over 3 slots each: 3 * 1/3 = 1 exactly in [0, 1); cap 1 holds.
    acts = [Activity(x, x, 3, cost=1) for x in "ABC"]
    plan = _plan(acts, budgets=[BudgetPeriod("P", 0, 1, 1)])
    assert violations(plan, {"A": 0, "B": 0, "C": 0}) == []


@pytest.mark.parametrize(
    ("scope", "start", "bad"),
    [
        ("dam", 3, True),  # sector scope, runs [3, 6) through blackout [5, 8)
        ("A", 3, True),  # activity id scope
        ("R1", 3, True),  # region scope (region_from)
        ("dam", 8, False),  # starts exactly when the blackout ends
        ("dam", 2, False),  # ends exactly when the blackout starts
        ("road", 5, False),  # another sector's blackout
    ],
)
def test_blackout(scope: str, start: int, bad: bool) -> None:
    acts = [Activity("A", "a", 3, sector="dam", region_from="R1")]
    plan = _plan(acts, blackouts=[Blackout(scope, 5, 8, "monsoon")])
    found = violations(plan, {"A": start})
    if bad:
        assert found == [f"A: runs [{start}, {start + 3}) inside blackout {scope} [5, 8) monsoon"]
    else:
        assert found == []


def test_blackout_ignores_milestone() -> None:
    plan = _plan([Activity("M", "m", 0, sector="dam")], blackouts=[Blackout("dam", 5, 8)])
    assert violations(plan, {"M": 6}) == []


def test_assert_feasible_lists_all() -> None:
    plan = _plan([Activity("A", "a", 3, release=5, due=6)])
    with pytest.raises(AssertionError, match="2 violation") as exc:
        assert_feasible(plan, {"A": 4})
    assert "start 4 < release 5" in str(exc.value)
    assert "end 7 > due 6" in str(exc.value)
