"""Plan float of a solved plan (scheduler/plan_float.py): hand-computed cases, properties.

Each plan is on a calendar grid (one slot = one day); starts are given by hand unless a
test solves. Logic float is the CPM's (``compute_cpm``), plan float the solved plan's.
"""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest

from scheduler.cpm import compute_cpm, driving_path
from scheduler.model import (
    Activity,
    Blackout,
    BudgetPeriod,
    Demand,
    Dependency,
    Plan,
    Resource,
)
from scheduler.plan_float import FlowArc, compute_plan_float, resource_flow
from scheduler.planner import add_driving, plan_schedule
from scheduler.report import SCHEDULE_HEADER_ROW, write_report
from scheduler.solution import Schedule
from scheduler.solver import SolveOptions, solve
from scheduler.solver.check import check_schedule
from tests.checker import assert_feasible, violations
from tests.plans import tiny_plan


def _makespan(plan: Plan, starts: dict[str, int]) -> int:
    return max(starts[a.id] + a.duration for a in plan.activities)


def _crew_plan(capacity: int) -> Plan:
    # A (10) and B (10) both need the one crew; L (20) needs nothing and has no logic.
    return tiny_plan(
        [Activity("A", "a", 10), Activity("B", "b", 10), Activity("L", "l", 20)],
        resources=[Resource("crew", capacity)],
        demands=[Demand("A", "crew", 1), Demand("B", "crew", 1)],
    )


# -- hand-computed cases ----------------------------------------------------------------------
def test_crew_serialises_two_activities_float_zero() -> None:
    # Solved: A [0,10), B [10,20) (one crew), L [0,20): finish 20.
    # Logic: finish 20 (L), A and B each have total float 20 - 10 = 10.
    # Plan: the crew flows A -> B (B takes A's unit at 10): E(A) <= S(B), E(B) <= 20,
    # so LS(B) = 10 = S(B) and LS(A) = 10 - 10 = 0 = S(A): plan float 0 for both.
    plan = _crew_plan(1)
    starts = {"A": 0, "B": 10, "L": 0}
    assert_feasible(plan, starts)
    logic = compute_cpm(plan).times
    assert (logic["A"].total_float, logic["B"].total_float) == (10, 10)
    pf = compute_plan_float(plan, starts)
    assert pf.floats == {"A": 0, "B": 0, "L": 0}
    assert pf.arcs == [FlowArc("A", "B", "crew", 1)]
    assert pf.driving == {"A", "B", "L"}
    # slipping A by one day pushes B past the finish
    assert _makespan(plan, pf.slip("A", 1)) == 21


def test_two_crews_leave_the_logic_float() -> None:
    # With two crews, A and B run side by side [0,10): no flow arc, plan float 10 each.
    plan = _crew_plan(2)
    starts = {"A": 0, "B": 0, "L": 0}
    pf = compute_plan_float(plan, starts)
    assert pf.floats == {"A": 10, "B": 10, "L": 0}
    assert pf.arcs == []
    assert pf.driving == {"L"}


def test_blackout_cuts_the_float() -> None:
    # X (5) at [0,5); its own blackout [10,15); L (30) fixes the finish at 30.
    # Logic float of X: 30 - 5 = 25. Plan float: X may not be pushed into [10,15): it
    # must end by 10, LS = 10 - 5 = 5 -> 5. Not driving: the blackout holds it, not the finish.
    plan = tiny_plan(
        [Activity("X", "x", 5), Activity("L", "l", 30)],
        blackouts=[Blackout("X", 10, 15, "inspection")],
    )
    starts = {"X": 0, "L": 0}
    assert compute_cpm(plan).times["X"].total_float == 25
    pf = compute_plan_float(plan, starts)
    assert pf.floats["X"] == 5
    assert "X" not in pf.driving
    assert violations(plan, pf.slip("X", 5)) == []
    assert violations(plan, pf.slip("X", 6)) == [
        "X: runs [6, 11) inside blackout X [10, 15) inspection"
    ]


def test_budget_cap_cuts_the_float() -> None:
    # P1 = [0,10) cap 1000, P2 = [10,30) cap 230. X (10, cost 100: 10 a day) at [0,10);
    # Z (20, cost 200) at [10,30) spends 200 in P2; L (30) fixes the finish at 30.
    # Network float of X: 30 - 10 = 20. Slipping X by d puts 10*d into P2: 200 + 10*d <= 230
    # -> d <= 3. Plan float 3; the budget cut it.
    plan = tiny_plan(
        [
            Activity("X", "x", 10, cost=100),
            Activity("Z", "z", 20, cost=200),
            Activity("L", "l", 30),
        ],
        budgets=[BudgetPeriod("P1", 0, 10, 1000), BudgetPeriod("P2", 10, 30, 230)],
    )
    starts = {"X": 0, "Z": 10, "L": 0}
    assert_feasible(plan, starts)
    pf = compute_plan_float(plan, starts)
    assert pf.latest["X"] == 20
    assert pf.floats == {"X": 3, "Z": 0, "L": 0}
    assert pf.budget_cut == {"X"}
    assert violations(plan, pf.slip("X", 3)) == []
    assert violations(plan, pf.slip("X", 4)) == ["budget P2: spend 240.0000 > cap 230"]


def test_max_lag_pushes_the_predecessor_back_into_its_blackout() -> None:
    # A (5) FS B (5) with lag 0 and max_lag 2: S(B) <= E(A) + 2. A's blackout [10,20).
    # Solved A [0,5), B [5,10); L (30) fixes the finish at 30.
    # A must end by 10: LS(A) = 5, float 5. B: LS(B) <= LS(A) + 5 + 2 = 12 -> float 7
    # (a slip of 7 pulls A to 12 - 7 = 5, one more pulls A into its blackout).
    # Logic float of B: 30 - 10 = 20 (blackouts are not logic).
    plan = tiny_plan(
        [Activity("A", "a", 5), Activity("B", "b", 5), Activity("L", "l", 30)],
        [Dependency("A", "B", "FS", 0, max_lag=2)],
        blackouts=[Blackout("A", 10, 20, "closure")],
    )
    starts = {"A": 0, "B": 5, "L": 0}
    assert_feasible(plan, starts)
    assert compute_cpm(plan).times["B"].total_float == 20
    pf = compute_plan_float(plan, starts)
    assert (pf.floats["A"], pf.floats["B"]) == (5, 7)
    assert pf.slip("B", 7) == {"A": 5, "B": 12, "L": 0}
    assert violations(plan, pf.slip("B", 7)) == []
    assert violations(plan, pf.slip("B", 8)) == [
        "A: runs [6, 11) inside blackout A [10, 20) closure"
    ]


def test_fixed_start_and_due_hold_the_float() -> None:
    # F (4, fixed start 0) FS G (4, due 12): G [4,8) may end by 12 -> float 4; F pinned.
    # L (20) fixes the finish.
    plan = tiny_plan(
        [
            Activity("F", "f", 4, fixed_start=0),
            Activity("G", "g", 4, due=12),
            Activity("L", "l", 20),
        ],
        [Dependency("F", "G")],
    )
    pf = compute_plan_float(plan, {"F": 0, "G": 4, "L": 0})
    assert pf.floats == {"F": 0, "G": 4, "L": 0}
    assert pf.driving == {"L"}  # F's zero float is its pin, not the finish


def test_a_met_soft_deadline_holds_the_float_a_missed_one_does_not() -> None:
    # A (2) FS B (3, deadline 6: finish on or before slot 5); L (10) fixes the finish.
    # Solved A [0,2), B [2,5): B may end by 6 -> float 1, A (which pushes B) float 1.
    # Before, the deadline was left out: B showed 5 days (to the finish 10) while its
    # logic total float was 1 (chiller MILE-130: TF 0, plan float 24).
    # M (4, deadline 3) already ends past it at 4: no bound, float to the finish 10 - 4.
    plan = tiny_plan(
        [
            Activity("A", "a", 2),
            Activity("B", "b", 3, deadline=6),
            Activity("L", "l", 10),
            Activity("M", "m", 4, deadline=3),
        ],
        [Dependency("A", "B")],
    )
    assert compute_cpm(plan).times["B"].total_float == 1
    pf = compute_plan_float(plan, {"A": 0, "B": 2, "L": 0, "M": 0})
    assert pf.floats == {"A": 1, "B": 1, "L": 0, "M": 6}
    assert pf.driving == {"L"}  # B's deadline is not the finish


def test_capacity_step_is_a_pinned_block() -> None:
    # Crew of 2 until slot 15, then 1. A (10) needs 2 at [0,10); L (30) fixes the finish.
    # A may not run into the step: the step takes 1 unit from A at 15, E(A) <= 15 -> float 5.
    plan = tiny_plan(
        [Activity("A", "a", 10), Activity("L", "l", 30)],
        resources=[Resource("crew", 2, capacity_changes=[(15, 1)])],
        demands=[Demand("A", "crew", 2)],
    )
    pf = compute_plan_float(plan, {"A": 0, "L": 0})
    assert pf.floats["A"] == 5
    assert [(a.predecessor, a.units) for a in pf.arcs] == [("A", 1)]


def test_flow_of_a_schedule_over_capacity_is_refused() -> None:
    # Two activities on one crew at the same time: the units cannot be found.
    plan = _crew_plan(1)
    with pytest.raises(ValueError, match="resource crew: B needs 1 units at slot 0"):
        resource_flow(plan, {"A": 0, "B": 0, "L": 0})


def test_negative_slip_is_refused() -> None:
    pf = compute_plan_float(_crew_plan(1), {"A": 0, "B": 10, "L": 0})
    with pytest.raises(ValueError, match="negative"):
        pf.slip("A", -1)


def test_driving_path_activities_have_plan_float_zero() -> None:
    # R (2, release 1) FS X (3); X and Y (4) share a crew of 1; W (2) idle beside them.
    # Solved R [1,3), X [3,6), Y [6,10): the driving path R -> X -> Y has plan float 0.
    plan = tiny_plan(
        [
            Activity("R", "r", 2, release=1),
            Activity("X", "x", 3),
            Activity("Y", "y", 4),
            Activity("W", "w", 2),
        ],
        [Dependency("R", "X")],
        resources=[Resource("crew", 1)],
        demands=[Demand("X", "crew", 1), Demand("Y", "crew", 1)],
    )
    starts = {"R": 1, "X": 3, "Y": 6, "W": 0}
    ids, links = driving_path(plan, starts)
    pf = compute_plan_float(plan, starts, driving_links=links)
    assert ids == ["R", "X", "Y"]
    assert pf.floats == {"R": 0, "X": 0, "Y": 0, "W": 8}
    assert pf.driving == {"R", "X", "Y"}


# -- property: a slip by the float keeps the plan, one more day does not -----------------------
def _random_plan(seed: int) -> Plan:
    rng = random.Random(seed)
    n = 7
    acts = [
        Activity(f"T{i}", f"t{i}", rng.randint(1, 6), cost=rng.choice([0, 60, 120]))
        for i in range(n)
    ]
    deps = []
    for j in range(1, n):
        for i in range(j):
            if rng.random() < 0.25:
                kind = rng.choice(["FS", "SS", "FF"])
                lag = rng.randint(0, 2)
                mx = lag + rng.randint(0, 4) if rng.random() < 0.3 else None
                deps.append(Dependency(f"T{i}", f"T{j}", kind, lag, max_lag=mx))
    demands = [Demand(a.id, "crew", rng.randint(1, 2)) for a in acts if rng.random() < 0.7]
    return tiny_plan(
        acts,
        deps,
        resources=[Resource("crew", 2)],
        demands=demands,
        budgets=[
            BudgetPeriod("P1", 0, 6, 250),
            BudgetPeriod("P2", 6, 12, 250),
            BudgetPeriod("P3", 12, 731, 100000),
        ],
        blackouts=[Blackout(f"T{rng.randrange(n)}", 12, 15, "window")],
    )


# seeds whose random plan is feasible (3, 4, 9 and 10 are infeasible); 2, 11 and 12 have
# floats the budget cuts, 1, 2, 5, 7, 11-13 max lags
@pytest.mark.parametrize("seed", [0, 1, 2, 5, 7, 11, 12, 13])
def test_slip_by_plan_float_keeps_plan_and_one_more_breaks_it(seed: int) -> None:
    plan = _random_plan(seed)
    res = solve(plan, SolveOptions(time_limit_s=2, workers=1, seed=0))
    assert res.starts, f"seed {seed}: no plan found ({res.status})"
    starts = dict(res.starts)
    assert_feasible(plan, starts)
    finish = _makespan(plan, starts)
    pf = compute_plan_float(plan, starts)
    for a in plan.activities:
        f = pf.floats[a.id]
        assert f >= 0
        kept = pf.slip(a.id, f)
        assert kept[a.id] == starts[a.id] + f
        assert_feasible(plan, kept)
        assert check_schedule(plan, kept) == []
        assert _makespan(plan, kept) == finish
        more = pf.slip(a.id, f + 1)
        broken = check_schedule(plan, more) != [] or _makespan(plan, more) > finish
        assert broken, f"{a.id}: a slip of {f + 1} still keeps the plan"


# -- in the schedule document -------------------------------------------------------------------
def test_schedule_json_carries_plan_float_next_to_logic_float() -> None:
    # The crew case solved: A and B (10 each, one crew) in series, L (20) beside them.
    # Logic total float 10 for A and B; plan float 0: both drive the finish at 20.
    plan = _crew_plan(1)
    s = plan_schedule(plan, SolveOptions(time_limit_s=5, workers=1))
    assert s.status == "optimal" and _makespan(plan, s.starts) == 20
    rows = {r["id"]: r for r in s.to_json()["activities"]}
    assert {a: rows[a]["total_float_days"] for a in "ABL"} == {"A": 10, "B": 10, "L": 0}
    assert {a: rows[a]["plan_float_days"] for a in "ABL"} == {"A": 0, "B": 0, "L": 0}
    assert all(rows[a]["driving"] for a in "ABL")


def test_schedule_without_plan_has_no_plan_float() -> None:
    # A due date before the work can end: infeasible, so no plan float is given.
    plan = tiny_plan([Activity("A", "a", 10, due=5)])
    s = plan_schedule(plan, SolveOptions(time_limit_s=5, workers=1))
    assert s.status == "infeasible"
    assert s.plan_float == {}
    assert s.to_json()["activities"][0]["plan_float_days"] is None


def test_report_shows_plan_float_next_to_logic_float(tmp_path: Path) -> None:
    # The solved crew case in the Schedule sheet: the logic and the leveled float side
    # by side, each header saying which it is; the note line says what plan float means.
    s = plan_schedule(_crew_plan(1), SolveOptions(time_limit_s=5, workers=1))
    ws = openpyxl.load_workbook(write_report(s, tmp_path / "crew.xlsx"))["Schedule"]
    header = [c.value for c in ws[SCHEDULE_HEADER_ROW]]
    tf = header.index("total float (logic, days)")
    assert header[tf + 1] == "plan float (leveled, days)"
    rows = {
        r[0].value: (r[tf].value, r[tf + 1].value)
        for r in ws.iter_rows(min_row=SCHEDULE_HEADER_ROW + 1)
    }
    assert rows == {"A": (10, 0), "B": (10, 0), "L": (0, 0)}
    assert "plan float = how far an activity can slip" in ws["A2"].value


def test_driving_path_before_a_budget_step_keeps_its_float() -> None:
    # FY1 = [0,4) cap 100, FY2 = [4,400). A (2, cost 100) fills FY1 at [0,2); B (2, cost
    # 100) starts at 4 (at 3 FY1 would pass its cap): driving path A -> B by budget FY1.
    # A slipping moves its spend out of FY1, never B: plan float 6 - 2 = 4, not driving.
    plan = tiny_plan(
        [Activity("A", "a", 2, cost=100), Activity("B", "b", 2, cost=100)],
        budgets=[BudgetPeriod("FY1", 0, 4, 100), BudgetPeriod("FY2", 4, 400, 1000)],
    )
    s = Schedule(plan, "feasible", starts={"A": 0, "B": 4})
    add_driving(s)
    assert s.driving == ["A", "B"] and s.driving_links[-1].kind == "budget"
    assert s.plan_float == {"A": 4, "B": 0}
    rows = {r["id"]: r for r in s.to_json()["activities"]}
    assert (rows["A"]["driving"], rows["B"]["driving"]) == (False, True)
    assert s.to_json()["driving_path"] == ["A", "B"]
