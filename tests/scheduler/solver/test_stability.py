"""Tests of the ``stability`` objective: a re-plan moves only what it must (SPEC §10).

The plan and its hand-written baseline are those of :mod:`tests.scheduler.test_baseline`:
``S -> A1 (5) -> A2 (5) -> M``, ``B1 (3) -> B2 (4)``, ``C (6)``, B1 and C on one crew;
baseline S 0, A1 0, A2 5, M 10, B1 0, B2 5, C 4 (B2 and C later than they could be, so
a left-justified or makespan-only answer would move them).
"""

from __future__ import annotations

import json

import pytest

from scheduler.baseline import attach_baseline, baseline_from_bytes
from scheduler.model import Plan, resolve_objectives
from scheduler.planner import plan_schedule
from scheduler.solver import SolveOptions, check_schedule, solve
from tests.scheduler.test_baseline import BASE_STARTS, baseline_doc, chain_plan

OPTS = {"time_limit_s": 1, "workers": 2, "repeatable": True}


def replan(plan: Plan, objectives: list[str] | None = None) -> dict[str, int]:
    """Solve ``plan`` against the hand-written baseline; return the starts."""
    attach_baseline(plan, baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "b"))
    res = solve(plan, SolveOptions(objectives=objectives, **OPTS))  # type: ignore[arg-type]
    assert res.status == "optimal", res
    assert check_schedule(plan, res.starts) == []
    return dict(res.starts)


def test_a_slipped_chain_moves_alone() -> None:
    # A1 takes 8 days, not 5: the A chain ends at 13; B and C keep their baseline starts
    # exactly (B2 at 5 and C at 4, although both could start at 3)
    starts = replan(chain_plan(a1=8))
    assert starts == {"S": 0, "A1": 0, "A2": 8, "M": 13, "B1": 0, "B2": 5, "C": 4}


def test_a_slip_through_the_crew_moves_only_what_it_must() -> None:
    # B1 takes 5 days: C must wait for the crew (slot 5, one day late) and the makespan
    # is 11 (C ends at 11); nothing else moves, B2 stays at 5 (it could take 5..7)
    starts = replan(chain_plan(b1=5))
    assert starts == {"S": 0, "A1": 0, "A2": 5, "M": 10, "B1": 0, "B2": 5, "C": 5}


def test_an_unchanged_plan_keeps_its_baseline() -> None:
    # nothing changed: the baseline itself is the answer (seeded as the hint), not the
    # left-justified plan (B2 and C at 3)
    assert replan(chain_plan()) == BASE_STARTS


@pytest.mark.parametrize("objectives", [["stability"], ["stability", "makespan"]])
def test_stability_alone_or_first(objectives: list[str]) -> None:
    plan = chain_plan(a1=8)
    attach_baseline(plan, baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "b"))
    res = solve(plan, SolveOptions(objectives=objectives, **OPTS))  # type: ignore[arg-type]
    assert res.status == "optimal"
    # the least shift: A2 and M 3 days each (weight 1): 6 day-weights
    assert res.objective == 6.0
    assert res.starts == {"S": 0, "A1": 0, "A2": 8, "M": 13, "B1": 0, "B2": 5, "C": 4}


def test_weights_count_in_the_shift() -> None:
    # A2 weighs 2.5: the schedule document's objective list and first objective
    plan = chain_plan(a1=8)
    plan.activities[2].weight = 250
    attach_baseline(plan, baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "b"))
    sched = plan_schedule(plan, SolveOptions(objectives=["stability"], **OPTS))  # type: ignore[arg-type]
    assert sched.objectives == ["stability"]
    assert sched.objective == 3 * 2.5 + 3 * 1.0


def test_started_activities_are_not_counted() -> None:
    from scheduler.model import Progress
    from scheduler.solver.data import Instance
    from scheduler.solver.objective import objective_value, stability_terms

    plan = chain_plan(a1=8)
    attach_baseline(plan, baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "b"))
    plan.activities[1].progress = Progress(actual_start=0)  # A1 under way
    inst = Instance.from_plan(plan)
    assert [inst.ids[i] for i, _, _ in stability_terms(inst)] == ["S", "A2", "M", "B1", "B2", "C"]
    moved = dict(BASE_STARTS, A1=2, A2=8, C=6)  # A1 is not counted: 3 + 2 = 5
    assert objective_value(inst, moved, "stability") == 5.0


def test_objectives_with_and_without_a_baseline() -> None:
    plan = chain_plan()
    assert resolve_objectives(plan) == ["makespan"]
    with pytest.raises(ValueError, match="the stability objective needs a baseline"):
        resolve_objectives(plan, ["stability"])
    with pytest.raises(ValueError, match="needs a baseline"):
        solve(plan, SolveOptions(objectives=["stability"], **OPTS))  # type: ignore[arg-type]
    attach_baseline(plan, baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "b"))
    assert resolve_objectives(plan) == ["makespan", "stability"]
    assert resolve_objectives(plan, ["weighted_completion"]) == [
        "weighted_completion",
        "stability",
    ]
    assert resolve_objectives(plan, ["stability", "makespan"]) == ["stability", "makespan"]
    with pytest.raises(ValueError, match="unknown objective 'fastest'"):
        resolve_objectives(plan, ["fastest"])
