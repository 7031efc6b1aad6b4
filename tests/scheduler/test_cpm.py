"""Tests for scheduler.cpm: logic CPM dates and floats, longest path, driving path.

All values are computed by hand in the comments (grid slots, half-open ends:
EF = ES + duration, LF = LS + duration).
"""

from __future__ import annotations

import itertools
import random
from functools import partial

import pytest

from scheduler.cpm import MAX_CHAINS, compute_cpm, driving_path, float_critical
from scheduler.model import (
    Activity,
    Blackout,
    BudgetPeriod,
    Demand,
    Dependency,
    Plan,
    Resource,
)
from scheduler.solution import ActivityTimes, DrivingLink
from tests import shared
from tests.checker import assert_feasible
from tests.plans import calendar_grid, tiny_plan

GRID = calendar_grid()
_plan = partial(tiny_plan, grid=GRID)


def _t(es: int, ef: int, ls: int, lf: int, tf: int, ff: int, crit: bool = False) -> ActivityTimes:
    return ActivityTimes(es, ef, ls, lf, tf, ff, crit)


# -- each dependency type with a positive, zero and negative lag ------------------------------
# Network: A (5 days) -> B (3 days) by the relation under test; C (12 days) stands alone, so
# project_finish = 12 and only C is critical. ES_A = 0, EF_A = 5 in every case.
@pytest.mark.parametrize(
    ("dtype", "lag", "a", "b"),
    [
        # FS +2: ES_B = EF_A + 2 = 7, EF_B = 10; LF_B = 12, LS_B = 9, TF_B = 2, FF_B = 12-10 = 2;
        # LS_A = LS_B - 2 - 5 = 2, LF_A = 7, TF_A = 2; FF_A = ES_B - 2 - EF_A = 0
        ("FS", 2, _t(0, 5, 2, 7, 2, 0), _t(7, 10, 9, 12, 2, 2)),
        # FS 0: ES_B = 5, EF_B = 8, LS_B = 9, TF_B = 4 = FF_B; LS_A = 9 - 5 = 4, TF_A = 4, FF_A = 0
        ("FS", 0, _t(0, 5, 4, 9, 4, 0), _t(5, 8, 9, 12, 4, 4)),
        # FS -2 (lead): ES_B = 5 - 2 = 3, EF_B = 6, LS_B = 9, TF_B = 6 = FF_B;
        # LS_A = 9 - (5 - 2) = 6, LF_A = 11, TF_A = 6; FF_A = 3 + 2 - 5 = 0
        ("FS", -2, _t(0, 5, 6, 11, 6, 0), _t(3, 6, 9, 12, 6, 6)),
        # SS +2: ES_B = 0 + 2 = 2, EF_B = 5, LS_B = 9, TF_B = 7, FF_B = 12 - 5 = 7;
        # LS_A = min(12 - 5, 9 - 2) = 7, LF_A = 12, TF_A = 7; FF_A = 2 - 2 - 0 = 0
        ("SS", 2, _t(0, 5, 7, 12, 7, 0), _t(2, 5, 9, 12, 7, 7)),
        # SS 0: ES_B = 0, EF_B = 3, LS_B = 9, TF_B = 9 = FF_B; LS_A = min(7, 9) = 7, FF_A = 0
        ("SS", 0, _t(0, 5, 7, 12, 7, 0), _t(0, 3, 9, 12, 9, 9)),
        # SS -2: ES_B = max(0, 0 - 2) = 0 (never below plan start), EF_B = 3, TF_B = 9;
        # FF_A = ES_B - (-2) - ES_A = 2; LS_A = min(7, 9 + 2) = 7, TF_A = 7
        ("SS", -2, _t(0, 5, 7, 12, 7, 2), _t(0, 3, 9, 12, 9, 9)),
        # FF +2: EF_B = EF_A + 2 = 7, ES_B = 4, LS_B = 9, TF_B = 5 = FF_B;
        # LF_A = LF_B - 2 = 10, LS_A = 5, TF_A = 5; FF_A = 7 - 2 - 5 = 0
        ("FF", 2, _t(0, 5, 5, 10, 5, 0), _t(4, 7, 9, 12, 5, 5)),
        # FF 0: EF_B = 5, ES_B = 2, TF_B = 7 = FF_B; LF_A = min(12, 12 - 0) = 12, LS_A = 7; FF_A = 0
        ("FF", 0, _t(0, 5, 7, 12, 7, 0), _t(2, 5, 9, 12, 7, 7)),
        # FF -2: EF_B = 5 - 2 = 3, ES_B = 0, TF_B = 9 = FF_B; LS_A = min(7, 9 - 0) = 7;
        # FF_A = 3 + 2 - 5 = 0
        ("FF", -2, _t(0, 5, 7, 12, 7, 0), _t(0, 3, 9, 12, 9, 9)),
        # SF +8: EF_B = ES_A + 8 = 8, ES_B = 5, LS_B = 9, TF_B = 4 = FF_B;
        # LS_A = LF_B - 8 = 12 - 8 = 4, LF_A = 9, TF_A = 4; FF_A = 8 - 8 - 0 = 0
        ("SF", 8, _t(0, 5, 4, 9, 4, 0), _t(5, 8, 9, 12, 4, 4)),
        # SF 0: EF_B >= 0, so ES_B = 0, EF_B = 3; FF_A = 3 - 0 - 0 = 3; LS_A = min(7, 12) = 7
        ("SF", 0, _t(0, 5, 7, 12, 7, 3), _t(0, 3, 9, 12, 9, 9)),
        # SF -2: ES_B = 0, EF_B = 3; FF_A = 3 + 2 - 0 = 5; LS_A = min(7, 12 + 2) = 7
        ("SF", -2, _t(0, 5, 7, 12, 7, 5), _t(0, 3, 9, 12, 9, 9)),
    ],
)
def test_dependency_types_and_lags(
    dtype: str, lag: int, a: ActivityTimes, b: ActivityTimes
) -> None:
    plan = _plan(
        [Activity("A", "a", 5), Activity("B", "b", 3), Activity("C", "c", 12)],
        [Dependency("A", "B", dtype, lag)],  # type: ignore[arg-type]
    )
    r = compute_cpm(plan)
    assert r.project_finish == 12
    assert r.times["A"] == a
    assert r.times["B"] == b
    assert r.times["C"] == _t(0, 12, 0, 12, 0, 0, True)
    assert r.chains == [["C"]]


@pytest.mark.parametrize(
    ("dtype", "lag", "finish"),
    [
        # FS +2: B runs [7, 10)
        ("FS", 2, 10),
        # SS +4: B runs [4, 7); A ends at 5 -> finish 7
        ("SS", 4, 7),
        # FF +3: EF_B = 5 + 3 = 8
        ("FF", 3, 8),
        # SF +9: EF_B = 0 + 9 = 9
        ("SF", 9, 9),
    ],
)
def test_driving_relation_is_critical(dtype: str, lag: int, finish: int) -> None:
    # A (5) -> B (3) alone: the relation drives B, B ends last; both critical, TF 0.
    plan = _plan(
        [Activity("A", "a", 5), Activity("B", "b", 3)],
        [Dependency("A", "B", dtype, lag)],  # type: ignore[arg-type]
    )
    r = compute_cpm(plan)
    assert r.project_finish == finish
    assert r.chains == [["A", "B"]]
    assert (r.times["A"].total_float, r.times["B"].total_float) == (0, 0)
    assert r.times["A"].critical and r.times["B"].critical


# -- due dates, release, fixed start, milestones ---------------------------------------------
def test_due_date_gives_negative_float() -> None:
    # A (5) FS B (3), B due at slot 5. ES: A [0,5), B [5,8); project_finish = 8.
    # LF_B = min(8, due 5) = 5, LS_B = 2, TF_B = 2 - 5 = -3;
    # LF_A = LS_B = 2, LS_A = -3, TF_A = -3 (shown, never clamped).
    plan = _plan(
        [Activity("A", "a", 5), Activity("B", "b", 3, due=5)],
        [Dependency("A", "B")],
    )
    r = compute_cpm(plan)
    assert r.project_finish == 8
    assert r.times["B"] == _t(5, 8, 2, 5, -3, 0, True)
    assert r.times["A"] == _t(0, 5, -3, 2, -3, 0, True)
    assert r.chains == [["A", "B"]]


def test_soft_deadline_gives_the_same_negative_float_as_a_due_date() -> None:
    # As above with B's deadline (soft) at slot 5 instead of a due date: the backward
    # pass is the same, LF_B = 5, TF_B = TF_A = -3; the early dates do not move.
    plan = _plan(
        [Activity("A", "a", 5), Activity("B", "b", 3, deadline=5)],
        [Dependency("A", "B")],
    )
    r = compute_cpm(plan)
    assert r.project_finish == 8
    assert r.times["B"] == _t(5, 8, 2, 5, -3, 0, True)
    assert r.times["A"] == _t(0, 5, -3, 2, -3, 0, True)


def test_release_delays_early_start() -> None:
    # A (3, release 4) FS B (2); C (8) alone. A [4,7), B [7,9); project_finish = 9.
    # LS_B = 7, LS_A = 4 -> TF 0; C: LS = 9 - 8 = 1, TF_C = 1 = FF_C.
    plan = _plan(
        [Activity("A", "a", 3, release=4), Activity("B", "b", 2), Activity("C", "c", 8)],
        [Dependency("A", "B")],
    )
    r = compute_cpm(plan)
    assert r.times["A"] == _t(4, 7, 4, 7, 0, 0, True)
    assert r.times["B"] == _t(7, 9, 7, 9, 0, 0, True)
    assert r.times["C"] == _t(0, 8, 1, 9, 1, 1, False)
    assert r.chains == [["A", "B"]]


def test_fixed_start_pins_early_and_late_start() -> None:
    # A (3, fixed 2) FS B (2); C (10) alone -> project_finish 10.
    # ES_A = 2 pinned; B [5, 7), LS_B = 8, TF_B = 3 = FF_B. LS_A pinned to 2 (P6 mandatory
    # start), so TF_A = 0 although A is not on the longest path (C is).
    plan = _plan(
        [Activity("A", "a", 3, fixed_start=2), Activity("B", "b", 2), Activity("C", "c", 10)],
        [Dependency("A", "B")],
    )
    r = compute_cpm(plan)
    assert r.times["A"] == _t(2, 5, 2, 5, 0, 0, False)
    assert r.times["B"] == _t(5, 7, 8, 10, 3, 3, False)
    assert r.chains == [["C"]]


def test_fixed_start_earlier_than_logic_shows_negative_float_before_it() -> None:
    # P (4) FS A (3, fixed 2): logic wants ES_A = 4, the mandatory start pins 2.
    # A [2, 5) = project end; LS_P = LS_A - 4 = -2, TF_P = -2 (the conflict shows).
    plan = _plan(
        [Activity("P", "p", 4), Activity("A", "a", 3, fixed_start=2)],
        [Dependency("P", "A")],
    )
    r = compute_cpm(plan)
    assert r.project_finish == 5
    assert r.times["A"] == _t(2, 5, 2, 5, 0, 0, True)
    # relationship slack P->A at early dates: 2 - 0 - 4 = -2
    assert r.times["P"] == _t(0, 4, -2, 2, -2, -2, False)


def test_milestones() -> None:
    # S (0) FS A (3) FS M (0) FS B (2) FS E (0); N (0) FS after A with lag 1 (off path).
    # S [0,0), A [0,3), M [3,3), B [3,5), E [5,5); N [4,4): LS_N = 5, TF_N = 1.
    plan = _plan(
        [
            Activity("S", "start", 0),
            Activity("A", "a", 3),
            Activity("M", "mid", 0),
            Activity("B", "b", 2),
            Activity("E", "end", 0),
            Activity("N", "side", 0),
        ],
        [
            Dependency("S", "A"),
            Dependency("A", "M"),
            Dependency("M", "B"),
            Dependency("B", "E"),
            Dependency("A", "N", "FS", 1),
        ],
    )
    r = compute_cpm(plan)
    assert r.project_finish == 5
    assert r.times["S"] == _t(0, 0, 0, 0, 0, 0, True)
    assert r.times["M"] == _t(3, 3, 3, 3, 0, 0, True)
    assert r.times["E"] == _t(5, 5, 5, 5, 0, 0, True)
    assert r.times["N"] == _t(4, 4, 5, 5, 1, 1, False)
    # B also ends at 5 but has a driving successor E: the chain runs on to E.
    assert r.chains == [["S", "A", "M", "B", "E"]]


# -- longest path -----------------------------------------------------------------------------
def test_two_parallel_critical_chains_and_a_near_critical_one() -> None:
    # A1 (3) -> A2 (4) ends at 7; B1 (5) -> B2 (2) ends at 7; N1 (3) -> N2 (3) ends at 6.
    # project_finish 7: A and B chains critical (TF 0); N chain TF 1, not critical.
    plan = _plan(
        [
            Activity(x, x, d)
            for x, d in [("A1", 3), ("A2", 4), ("B1", 5), ("B2", 2), ("N1", 3), ("N2", 3)]
        ],
        [Dependency("A1", "A2"), Dependency("B1", "B2"), Dependency("N1", "N2")],
    )
    r = compute_cpm(plan)
    assert r.chains == [["A1", "A2"], ["B1", "B2"]]
    assert {k for k, t in r.times.items() if t.critical} == {"A1", "A2", "B1", "B2"}
    assert (r.times["N1"].total_float, r.times["N2"].total_float) == (1, 1)
    assert float_critical(r, 0) == {"A1", "A2", "B1", "B2"}
    assert float_critical(r, 1) == {"A1", "A2", "B1", "B2", "N1", "N2"}


def test_non_driving_link_between_critical_activities() -> None:
    # Chains A (3) -> B (4) and P (2) -> Q (5), both end at 7. Link A SS Q lag 0:
    # slack = ES_Q - 0 - ES_A = 2 - 0 = 2, so it does not drive and makes no chain A -> Q.
    plan = _plan(
        [
            Activity("A", "a", 3),
            Activity("B", "b", 4),
            Activity("P", "p", 2),
            Activity("Q", "q", 5),
        ],
        [Dependency("A", "B"), Dependency("P", "Q"), Dependency("A", "Q", "SS", 0)],
    )
    r = compute_cpm(plan)
    assert r.chains == [["A", "B"], ["P", "Q"]]
    # free float of A: min(slack to B = 0, slack to Q = 2) = 0
    assert r.times["A"].free_float == 0


def test_branching_chains_share_start_and_end() -> None:
    # A (2) -> B (3) -> D (1) and A -> C (3) -> D: both branches drive D.
    plan = _plan(
        [
            Activity("A", "a", 2),
            Activity("B", "b", 3),
            Activity("C", "c", 3),
            Activity("D", "d", 1),
        ],
        [Dependency("A", "B"), Dependency("A", "C"), Dependency("B", "D"), Dependency("C", "D")],
    )
    r = compute_cpm(plan)
    assert r.project_finish == 6
    assert r.chains == [["A", "B", "D"], ["A", "C", "D"]]


def test_chain_enumeration_is_capped_but_all_marked_critical() -> None:
    # 8 diamonds in series of two equal branches: 2**8 = 256 chains, capped at MAX_CHAINS.
    acts = [Activity("J0", "j", 0)]
    deps: list[Dependency] = []
    for k in range(8):
        acts += [
            Activity(f"U{k}", "u", 1),
            Activity(f"L{k}", "l", 1),
            Activity(f"J{k + 1}", "j", 0),
        ]
        deps += [
            Dependency(f"J{k}", f"U{k}"),
            Dependency(f"J{k}", f"L{k}"),
            Dependency(f"U{k}", f"J{k + 1}"),
            Dependency(f"L{k}", f"J{k + 1}"),
        ]
    r = compute_cpm(_plan(acts, deps))
    assert len(r.chains) == MAX_CHAINS
    assert all(t.critical for t in r.times.values())


# -- max_lag ----------------------------------------------------------------------------------
def test_max_lag_pulls_predecessor_later() -> None:
    # C (4) FS B (3); A (5) SS B lag 0 max_lag 1: S(B) - S(A) <= 1.
    # ES_B = 4 (from C), so ES_A >= 4 - 1 = 3: A [3, 8), project_finish = 8.
    # Backward: LS_A = 3; LS_B = min(8 - 3, LS_A + 1) = 4; LS_C = 4 - 4 = 0. All TF 0.
    # The chain that fixes the finish: C -> B -> (max_lag) A.
    plan = _plan(
        [Activity("A", "a", 5), Activity("B", "b", 3), Activity("C", "c", 4)],
        [Dependency("A", "B", "SS", 0, max_lag=1), Dependency("C", "B")],
    )
    r = compute_cpm(plan)
    assert r.project_finish == 8
    # FF_A: SS slack to B = ES_B - 0 - ES_A = 4 - 3 = 1, but A ends the project: 8 - 8 = 0
    assert r.times["A"] == _t(3, 8, 3, 8, 0, 0, True)
    # FF_B: 8 - 7 = 1 to the finish, but the max_lag read backwards has slack
    # ES_A - ES_B + 1 = 0 (a later B pulls A later): 0
    assert r.times["B"] == _t(4, 7, 4, 7, 0, 0, True)
    assert r.times["C"] == _t(0, 4, 0, 4, 0, 0, True)
    assert r.chains == [["C", "B", "A"]]
    assert_feasible(plan, {k: t.es for k, t in r.times.items()})
    assert_feasible(plan, {k: t.ls for k, t in r.times.items()})


def test_free_float_never_exceeds_total_float_under_a_max_lag() -> None:
    # A (5) SS B (2) lag 0 max_lag 1: 0 <= S(B) - S(A) <= 1; C (10) alone sets the
    # finish 10. ES all 0. Backward: LS_C 0; LS_B = min(10 - 2, LS_A + 1) and LS_A =
    # min(10 - 5, LS_B - 0): LS_A 5, LS_B 6. TF: A 5, B 6, C 0.
    # FF_A = min(10 - 5 to the finish, SS slack to B 0 - 0 - 0) = 0;
    # FF_B = min(10 - 2 to the finish, max_lag backwards 0 - 0 + 1) = 1: a slip of 2 would
    # pull A to start at 1. (It was 8, above B's total float 6.)
    plan = _plan(
        [Activity("A", "a", 5), Activity("B", "b", 2), Activity("C", "c", 10)],
        [Dependency("A", "B", "SS", 0, max_lag=1)],
    )
    r = compute_cpm(plan)
    assert r.times["A"] == _t(0, 5, 5, 10, 5, 0, False)
    assert r.times["B"] == _t(0, 2, 6, 8, 6, 1, False)
    assert r.times["C"] == _t(0, 10, 0, 10, 0, 0, True)
    # B slipped by its free float breaks nothing, a slot more pulls A later
    assert_feasible(plan, {"A": 0, "B": 1, "C": 0})
    with pytest.raises(AssertionError):
        assert_feasible(plan, {"A": 0, "B": 2, "C": 0})
    # a pinned activity cannot slip at all
    pinned = _plan([Activity("P", "p", 2, fixed_start=0), Activity("C", "c", 10)])
    assert compute_cpm(pinned).times["P"].free_float == 0


def test_positive_cycle_is_named() -> None:
    # A (3) FS B with max_lag 0, and B SS A lag 1: S(A) >= S(B) + 1 >= E(A) + 1: impossible.
    plan = _plan(
        [Activity("A", "a", 3), Activity("B", "b", 2)],
        [Dependency("A", "B", "FS", 0, max_lag=5), Dependency("B", "A", "SS", 1)],
    )
    with pytest.raises(ValueError, match="positive length") as exc:
        compute_cpm(plan)
    assert "A" in str(exc.value) and "B" in str(exc.value)


def test_zero_cycle_of_max_lag_is_fine() -> None:
    # A (4) SS B (2) lag 0 max_lag 0: they start together; B's start is pinned to A's.
    plan = _plan(
        [Activity("A", "a", 4), Activity("B", "b", 2)],
        [Dependency("A", "B", "SS", 0, max_lag=0)],
    )
    r = compute_cpm(plan)
    assert r.times["A"] == _t(0, 4, 0, 4, 0, 0, True)
    # LS_B = LS_A + 0 = 0 (tied by the max_lag), so TF_B = 0; FF_B: 4 - 2 = 2 to the
    # finish, but the max_lag backwards has slack 0 - 0 + 0 = 0 (was 2 > TF: wrong)
    assert r.times["B"] == _t(0, 2, 0, 2, 0, 0, True)
    assert r.chains == [["B", "A"]]


def test_empty_plan() -> None:
    r = compute_cpm(_plan([]))
    assert (r.times, r.project_finish, r.chains) == ({}, 0, [])


# -- driving path of a solved plan ------------------------------------------------------------
def test_driving_path_through_resource() -> None:
    # A (3) and B (2) share a crew of capacity 1, no logic. Solved: A [0,3), B [3,5).
    # B cannot start at 2: crew use 1 + 1 > 1 on slot 2 -> resource link from A (ends at 3).
    # A starts at slot 0 -> plan start.
    plan = _plan(
        [Activity("A", "a", 3), Activity("B", "b", 2)],
        resources=[Resource("crew", 1)],
        demands=[Demand("A", "crew", 1), Demand("B", "crew", 1)],
    )
    starts = {"A": 0, "B": 3}
    assert_feasible(plan, starts)
    ids, links = driving_path(plan, starts)
    assert ids == ["A", "B"]
    assert links == [
        DrivingLink("", "A", "constraint", "plan start"),
        DrivingLink("A", "B", "resource", "crew"),
    ]


def test_driving_path_through_budget() -> None:
    # FY1 = [0, 4) cap 100, FY2 = [4, 400) cap 1000. A (2, cost 100) spends 100 in FY1.
    # B (2, cost 100, rate 50/slot) starts at 4: at 3 it would add 50 to FY1 -> 150 > 100.
    plan = _plan(
        [Activity("A", "a", 2, cost=100), Activity("B", "b", 2, cost=100)],
        budgets=[BudgetPeriod("FY1", 0, 4, 100), BudgetPeriod("FY2", 4, 400, 1000)],
    )
    starts = {"A": 0, "B": 4}
    assert_feasible(plan, starts)
    ids, links = driving_path(plan, starts)
    assert ids == ["A", "B"]
    assert links == [
        DrivingLink("", "A", "constraint", "plan start"),
        DrivingLink(
            "A",
            "B",
            "budget",
            "budget FY1 is spent to its cap of 1 (100M KRW) by A: an earlier start of B "
            "would spend more in FY1",
        ),
    ]


def test_a_budget_step_names_the_period_and_the_activities_that_fill_it() -> None:
    # FY1 = [0, 4) cap 250 (2.5 x 100M KRW), spent in full by A 100 [0, 2), C 80 [0, 2),
    # D 40 [2, 4), E 30 [3, 4); B (cost 100, 50 a slot) at 3 would pass the cap: it starts
    # at 4. The path goes on through D (it ends at 4); the words name FY1 and its
    # spenders, most spent first.
    plan = _plan(
        [
            Activity("A", "a", 2, cost=100),
            Activity("B", "b", 2, cost=100),
            Activity("C", "c", 2, cost=80),
            Activity("D", "d", 2, cost=40),
            Activity("E", "e", 1, cost=30),
        ],
        budgets=[BudgetPeriod("FY1", 0, 4, 250), BudgetPeriod("FY2", 4, 400, 1000)],
    )
    starts = {"A": 0, "B": 4, "C": 0, "D": 2, "E": 3}
    assert_feasible(plan, starts)
    _, links = driving_path(plan, starts)
    assert links[-1] == DrivingLink(
        "D",
        "B",
        "budget",
        "budget FY1 is spent to its cap of 2.5 (100M KRW) by A, C and D (+1 more): an "
        "earlier start of B would spend more in FY1",
    )


def test_driving_path_through_blackout() -> None:
    # Dam A (3) may not run in the monsoon [0, 5): A [5, 8); B (2) FS A: B [8, 10).
    plan = _plan(
        [Activity("A", "a", 3, sector="dam"), Activity("B", "b", 2)],
        [Dependency("A", "B")],
        blackouts=[Blackout("dam", 0, 5, "monsoon")],
    )
    starts = {"A": 5, "B": 8}
    assert_feasible(plan, starts)
    ids, links = driving_path(plan, starts)
    assert ids == ["A", "B"]
    assert links == [
        DrivingLink("", "A", "blackout", "monsoon"),
        DrivingLink("A", "B", "logic", "FS lag 0"),
    ]


def test_driving_path_mixed_chain_with_release() -> None:
    # R (2, release 1) FS X (3) ; X and Y (4) share a crew of 1: Y after X.
    # Solved: R [1,3), X [3,6), Y [6,10). Y <- resource X <- logic R <- release.
    plan = _plan(
        [Activity("R", "r", 2, release=1), Activity("X", "x", 3), Activity("Y", "y", 4)],
        [Dependency("R", "X")],
        resources=[Resource("crew", 1)],
        demands=[Demand("X", "crew", 1), Demand("Y", "crew", 1)],
    )
    starts = {"R": 1, "X": 3, "Y": 6}
    assert_feasible(plan, starts)
    ids, links = driving_path(plan, starts)
    assert ids == ["R", "X", "Y"]
    assert [(lk.predecessor, lk.successor, lk.kind) for lk in links] == [
        ("", "R", "constraint"),
        ("R", "X", "logic"),
        ("X", "Y", "resource"),
    ]
    assert links[0].detail == "release 2027-01-02"  # slot 1, a date (was "release 1")


def test_driving_path_capacity_window_without_blocker() -> None:
    # The crew exists only from slot 4 (capacity 0 before): A (2) starts at 4. No activity
    # blocks it, so the link is a resource link without predecessor and the path stops.
    plan = _plan(
        [Activity("A", "a", 2)],
        resources=[Resource("crew", 0, capacity_changes=[(4, 1)])],
        demands=[Demand("A", "crew", 1)],
    )
    starts = {"A": 4}
    assert_feasible(plan, starts)
    assert driving_path(plan, starts) == (["A"], [DrivingLink("", "A", "resource", "crew")])


def test_driving_path_stops_when_nothing_blocks() -> None:
    # A (3) at slot 2 for no reason: the path is A alone, without links.
    plan = _plan([Activity("A", "a", 3)])
    assert driving_path(plan, {"A": 2}) == (["A"], [])


def test_driving_path_ties_pick_first_listed() -> None:
    # A and B both end at 4: A (listed first) is the end of the driving path.
    plan = _plan([Activity("A", "a", 4), Activity("B", "b", 4)])
    ids, _ = driving_path(plan, {"A": 0, "B": 0})
    assert ids == ["A"]


def test_driving_path_starts_at_the_finish_milestone() -> None:
    # A1 (4) -> E (milestone): both end at 4; E marks the finish, so the path ends at E.
    plan = _plan([Activity("A1", "a1", 4), Activity("E", "end", 0)], [Dependency("A1", "E")])
    ids, links = driving_path(plan, {"A1": 0, "E": 4})
    assert ids == ["A1", "E"]
    assert links[-1] == DrivingLink("A1", "E", "logic", "FS lag 0")


# -- properties on random networks ------------------------------------------------------------
def _random_plan(rng: random.Random, with_max_lag: bool = False) -> Plan:
    """A random DAG of 2-15 activities, durations 0-6, all types, lags -3..3."""
    n = rng.randint(2, 15)
    acts = [Activity(f"T{i}", f"t{i}", rng.randint(0, 6)) for i in range(n)]
    deps = []
    for j in range(1, n):
        for i in rng.sample(range(j), k=min(j, rng.randint(0, 3))):
            lag = rng.randint(-3, 3)
            max_lag = lag + rng.randint(0, 6) if with_max_lag and rng.random() < 0.2 else None
            deps.append(
                Dependency(f"T{i}", f"T{j}", rng.choice(["FS", "SS", "FF", "SF"]), lag, max_lag)
            )
    return _plan(acts, deps)


@pytest.mark.parametrize("seed", range(40))
def test_random_networks_properties(seed: int) -> None:
    rng = random.Random(seed)
    plan = _random_plan(rng)
    r = compute_cpm(plan)
    tf = {k: t.total_float for k, t in r.times.items()}
    assert all(t.es <= t.ls for t in r.times.values())
    assert min(tf.values()) >= 0  # no due dates: float never negative
    crit = [k for k, t in r.times.items() if t.critical]
    assert crit
    assert all(tf[k] == min(tf.values()) for k in crit)
    assert max(t.ef for t in r.times.values()) == r.project_finish
    # early and late schedules both satisfy every dependency (independent checker)
    assert_feasible(plan, {k: t.es for k, t in r.times.items()})
    assert_feasible(plan, {k: t.ls for k, t in r.times.items()})
    # every chain ends at the project finish and every step of it is a driving link
    dur = {a.id: a.duration for a in plan.activities}
    for chain in r.chains:
        assert r.times[chain[-1]].ef == r.project_finish
        for p, s in itertools.pairwise(chain):
            assert any(
                d.predecessor == p and d.successor == s and _slack(d, r.times, dur) == 0
                for d in plan.dependencies
            )
    # early dates are as early as possible: an activity after slot 0 has a driving link in
    for a in plan.activities:
        if r.times[a.id].es > 0:
            assert any(
                d.successor == a.id and _slack(d, r.times, dur) == 0 for d in plan.dependencies
            )


@pytest.mark.parametrize("seed", range(40))
def test_random_networks_with_max_lag(seed: int) -> None:
    rng = random.Random(1000 + seed)
    plan = _random_plan(rng, with_max_lag=True)
    try:
        r = compute_cpm(plan)
    except ValueError as exc:
        assert "positive length" in str(exc)
        return
    assert all(t.es <= t.ls and t.total_float >= 0 for t in r.times.values())
    assert any(t.critical for t in r.times.values())
    assert_feasible(plan, {k: t.es for k, t in r.times.items()})
    assert_feasible(plan, {k: t.ls for k, t in r.times.items()})


def _slack(d: Dependency, times: dict[str, ActivityTimes], dur: dict[str, int]) -> int:
    """Relationship slack at early dates, written out per type."""
    p, s = times[d.predecessor], times[d.successor]
    if d.type == "FS":
        return s.es - d.lag - p.ef
    if d.type == "SS":
        return s.es - d.lag - p.es
    if d.type == "FF":
        return s.ef - d.lag - p.ef
    return s.ef - d.lag - p.es  # SF


# -- agreement with Primavera P6 on a real file -------------------------------------------------
SHARED = shared.SHARED
TAKT_XER = SHARED / "samples" / "schedules" / "xernative_TAKT_sample.xer"


def test_agrees_with_p6_on_takt_sample() -> None:
    # P6 8.2 file: 25 not-started activities, 40 FS links with lag 0, one 8 h/day calendar,
    # no constraints. Durations and floats are in hours; /8 gives working days (exact here).
    # Our grid slots are working days from the data date, so P6's floats compare directly.
    if not TAKT_XER.exists():
        pytest.skip(f"P6 sample not found: {TAKT_XER}")
    xerparser = pytest.importorskip("xerparser")
    proj = next(iter(xerparser.Xer.reader(str(TAKT_XER)).projects.values()))
    tasks = proj.tasks
    acts = [Activity(t.task_code, t.name, int(float(t.remain_drtn_hr_cnt)) // 8) for t in tasks]
    deps = [
        Dependency(r.predecessor.task_code, r.successor.task_code, "FS", int(r.lag_hr_cnt) // 8)
        for r in proj.relationships
    ]
    r = compute_cpm(_plan(acts, deps))
    assert len(tasks) == 25 and len(deps) == 40
    for t in tasks:
        ours = r.times[t.task_code]
        assert ours.total_float * 8 == int(float(t.total_float_hr_cnt)), t.task_code
        assert ours.free_float * 8 == int(float(t.free_float_hr_cnt or 0)), t.task_code
        assert ours.critical == t.is_longest_path, t.task_code
    assert r.chains == [
        ["A1010", "A1020", "A1030", "A1040", "A1090", "A1140", "A1190", "A1240", "A1250"]
    ]
