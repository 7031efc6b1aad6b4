"""Statuses, repeatability, time budgets and overruns of scheduler.solver.solve (issue 9)."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import date

import pytest

from scheduler.model import Activity, Dependency, Plan, weight_to_int
from scheduler.solver import SolveOptions, SolveResult, SolveStatus, solve
from scheduler.solver import loop as solve_module
from scheduler.solver.cp_model import StagedResult
from scheduler.solver.options import command_budget, default_workers
from scheduler.timegrid import TimeGrid
from tests.checker import assert_feasible
from tests.scheduler.io.test_psplib import J30, instance_path
from tests.scheduler.solver.test_improve import J120

START = date(2027, 1, 1)


def _chain_plan(months: int = 2) -> Plan:
    """A (40 d) → B (30 d): needs 70 days."""
    plan = Plan(
        name="t",
        grid=TimeGrid(START, "calendar", months),
        activities=[Activity("A", "a", 40), Activity("B", "b", 30)],
        dependencies=[Dependency("A", "B")],
        objectives=["makespan"],
    )
    plan.check()
    return plan


def test_status_values_are_the_json_strings() -> None:
    assert [s.value for s in SolveStatus] == ["optimal", "feasible", "infeasible", "unknown"]
    assert json.dumps({"status": SolveStatus.UNKNOWN}) == '{"status": "unknown"}'
    assert SolveStatus.FEASIBLE.has_plan and not SolveStatus.UNKNOWN.has_plan


def test_options_and_results_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        SolveOptions(5.0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        SolveResult("feasible")  # type: ignore[misc]
    assert SolveOptions().workers == default_workers() >= 1
    fields = {f.name for f in dataclasses.fields(SolveOptions)}
    assert {"dtime_per_second", "improve_share", "search_params", "wall_backstop"} <= fields


def test_nothing_found_in_the_limit_is_unknown_with_notes(monkeypatch) -> None:
    """No constructive plan, CP-SAT finds nothing: ``unknown``, never ``infeasible``."""
    monkeypatch.setattr(solve_module, "sgs", lambda inst: None)
    monkeypatch.setattr(
        solve_module,
        "cp_solve",
        lambda *a, **k: StagedResult(status=SolveStatus.UNKNOWN, starts={}),
    )
    plan = _chain_plan(months=4)
    res = solve(plan, SolveOptions(time_limit_s=1, workers=1))
    assert res.status is SolveStatus.UNKNOWN
    assert res.starts == {} and res.conflicts == []
    assert "no plan was found within the time limit of 1 s" in res.notes[0]
    assert "could not repair the max lags" in res.notes[0]
    assert "a time limit of about 60 s" in res.notes[1]


def test_horizon_overrun_still_gives_the_schedule() -> None:
    plan = _chain_plan(months=2)  # 59 days
    res = solve(plan, SolveOptions(time_limit_s=2, workers=2))
    assert res.status is SolveStatus.INFEASIBLE
    assert [c.kind for c in res.conflicts] == ["horizon"]
    assert res.min_horizon_days == 70
    assert res.starts == {"A": 0, "B": 40}
    assert res.overrun_days == 70 - 59


def test_repeatable_runs_give_the_same_plan_and_say_so() -> None:
    from scheduler.psplib_io import read_psplib

    plan = read_psplib(instance_path(J30, "j3013_2"))
    opts = SolveOptions(time_limit_s=1, workers=2, seed=3, repeatable=True, wall_backstop=20)
    first, second = solve(plan, opts), solve(plan, opts)
    assert first.repeatable is True and second.repeatable is True
    assert first.objective == second.objective
    assert first.starts == second.starts
    assert_feasible(plan, first.starts)


def test_wall_clock_run_is_not_repeatable() -> None:
    from scheduler.psplib_io import read_psplib

    plan = read_psplib(instance_path(J30, "j3013_2"))
    res = solve(plan, SolveOptions(time_limit_s=1, workers=2, seed=3))
    assert res.repeatable is False


def test_backstop_makes_a_repeatable_run_not_repeatable() -> None:
    """The genetic algorithm's budget cannot be spent before a tiny backstop."""
    from scheduler.psplib_io import read_psplib

    plan = read_psplib(instance_path(J120, "j1206_6"))
    # a work budget no machine spends in 1 s (10^7 decodes a second), so the backstop cuts
    opts = SolveOptions(
        time_limit_s=2,
        workers=2,
        repeatable=True,
        wall_backstop=0.51,
        improve_evals_per_s=10_000_000,
    )
    res = solve(plan, opts)
    assert res.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert res.repeatable is False
    assert_feasible(plan, res.starts)


def test_deadline_bounds_a_wall_clock_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deadline ends every phase, whatever the time limit says (the rule, not a stopwatch).

    With a 30 s limit and a deadline 20 s away, CP-SAT is told to stop at the deadline less
    the finishing reserve (min(5 % of 30 s, 2 s) = 1.5 s) and left justification at the
    deadline itself; no phase is given the limit's later end. CP-SAT is replaced by a
    stand-in that answers its hint, so nothing here depends on how fast the machine is.
    """
    from scheduler.psplib_io import read_psplib

    plan = read_psplib(instance_path(J120, "j1206_6"))
    seen: dict[str, float | None] = {}

    def fake_cp(*args: object, **kw: object) -> StagedResult:
        seen["cp_wall_end"] = kw["wall_end"]  # type: ignore[assignment]
        hint = kw["hint"]
        assert isinstance(hint, dict)
        return StagedResult(status=SolveStatus.FEASIBLE, starts=dict(hint))

    real_left_justify = solve_module.left_justify

    def spy_left_justify(inst, starts, *, deadline=None, **kw):  # type: ignore[no-untyped-def]
        seen["left_justify_deadline"] = deadline
        return real_left_justify(inst, starts, deadline=deadline, **kw)

    monkeypatch.setattr(solve_module, "cp_solve", fake_cp)
    monkeypatch.setattr(solve_module, "left_justify", spy_left_justify)
    deadline = time.monotonic() + 20.0
    opts = SolveOptions(time_limit_s=30, deadline=deadline, workers=2, improve_share=0)
    res = solve(plan, opts)
    assert res.status.has_plan
    assert_feasible(plan, res.starts)
    reserve = min(solve_module.FINISH_SHARE * 30, solve_module.FINISH_RESERVE_S)
    assert reserve == 1.5
    assert seen == {"cp_wall_end": deadline - reserve, "left_justify_deadline": deadline}


def test_cp_sat_is_skipped_only_when_its_setup_exceeds_what_is_left() -> None:
    # 0.0002 s per activity before CP-SAT searches; it keeps 0.25 s per objective anyway
    assert solve_module.cp_setup_seconds(100_000) == pytest.approx(20.0)
    assert solve_module.skip_cp_sat(0.0, 100_000, 1)  # 20 s > 0 + 0.25
    assert solve_module.skip_cp_sat(19.7, 100_000, 1)  # 20 > 19.95
    assert not solve_module.skip_cp_sat(19.8, 100_000, 1)  # 20 < 20.05
    assert solve_module.skip_cp_sat(1.0, 10_000, 1)  # 2 > 1.25
    assert not solve_module.skip_cp_sat(1.0, 10_000, 4)  # 2 < 1 + 4 x 0.25
    assert not solve_module.skip_cp_sat(-5.0, 1_000, 1)  # 0.2 < 0.25: small plans always solve
    assert not solve_module.skip_cp_sat(-5.0, 1_250, 1)  # 0.25, not more
    assert solve_module.skip_cp_sat(-5.0, 1_251, 1)


def test_a_solve_past_its_deadline_answers_the_constructive_plan_when_cp_sat_cannot_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scheduler.psplib_io import read_psplib
    from scheduler.solver.data import Instance
    from scheduler.solver.objective import objective_value
    from scheduler.solver.sgs import sgs

    plan = read_psplib(instance_path(J120, "j1206_6"))
    monkeypatch.setattr(solve_module, "CP_SETUP_S_PER_ACTIVITY", 0.01)  # 1.22 s on 122
    called: list[bool] = []
    monkeypatch.setattr(solve_module, "cp_solve", lambda *a, **k: called.append(True))
    opts = SolveOptions(time_limit_s=5, deadline=time.monotonic(), workers=2, improve_share=0)
    res = solve(plan, opts)
    cons = sgs(Instance.from_plan(plan))
    assert cons is not None
    assert called == []
    assert res.status == SolveStatus.FEASIBLE and res.source == "constructive"
    assert res.objective == objective_value(Instance.from_plan(plan), cons, "makespan")
    assert res.notes[0].startswith("CP-SAT was not run: 0.0 s of the time limit were left")
    assert "on 122 activities it needs about 1 s" in res.notes[0]
    assert_feasible(plan, res.starts)


def test_command_budget_splits_the_limit() -> None:
    t0 = time.monotonic()
    limit, deadline = command_budget(20.0, 231, t0, repeatable=True)
    after = 1.0 + 0.004 * 231  # AFTER_S_FIXED + AFTER_S_PER_ACTIVITY × activities
    assert deadline == pytest.approx(t0 + 20 - after)
    assert limit == pytest.approx(20 - after - (0.3 + 0.002 * 231))
    # a wall-clock run gets what is left until the deadline (reading took 3 s here)
    limit2, deadline2 = command_budget(20.0, 231, t0 - 3.0, repeatable=False)
    assert deadline2 == pytest.approx(t0 - 3 + 20 - after)
    assert limit2 == pytest.approx(deadline2 - time.monotonic(), abs=0.05)
    # the work after the solve never takes more than half of a short limit
    assert command_budget(1.0, 100_000, t0, repeatable=False)[1] == pytest.approx(t0 + 0.5)


def test_weights_round_half_up_in_decimal() -> None:
    assert weight_to_int(1.005) == 101  # float arithmetic: 100.49999... -> 100
    assert weight_to_int(0.125) == 13
    assert weight_to_int(2) == 200
