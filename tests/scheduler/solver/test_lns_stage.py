"""CP-SAT's makespan stage as large-neighbourhood search only (``SolveOptions.lns_from``)."""

from __future__ import annotations

import time
from datetime import date

import pytest
from ortools.sat.python import cp_model

from scheduler.model import Activity, Demand, Dependency, Plan, Resource
from scheduler.solver import SolveOptions, solve
from scheduler.solver import loop as loop_mod
from scheduler.solver.cp_model import LNS_PARAMS, _params, cp_solve
from scheduler.solver.data import Instance
from scheduler.timegrid import TimeGrid
from tests.checker import assert_feasible
from tests.scheduler.solver.test_full_search import _plan


def test_params_lns_only_and_overrides():
    solver = cp_model.CpSolver()
    _params(solver, SolveOptions(workers=2), 1.0, 1.0, lns=True)
    p = solver.parameters
    assert p.use_lns_only and p.num_workers == 2
    assert list(p.ignore_subsolvers) == LNS_PARAMS["ignore_subsolvers"]
    # the caller's own parameters win; the safe re-run takes none of them
    solver = cp_model.CpSolver()
    _params(solver, SolveOptions(search_params={"use_lns_only": False}), 1.0, 1.0, lns=True)
    assert not solver.parameters.use_lns_only
    solver = cp_model.CpSolver()
    _params(solver, SolveOptions(), 1.0, 1.0, lns=True, safe=True)
    assert not solver.parameters.use_lns_only and solver.parameters.num_workers == 1


def test_lns_stage_improves_a_bad_hint_to_the_optimum():
    # the hand-computed schedules of test_full_search._plan: A first gives 9, the
    # optimum is 7 (B at [2, 5), C at 5, A at [5, 7))
    plan = _plan()
    inst = Instance.from_plan(plan)
    bounds = inst.start_bounds(plan.horizon)
    assert bounds is not None
    hint = {"A": 0, "B": 5, "C": 8}
    assert_feasible(plan, hint)
    res = cp_solve(
        inst, SolveOptions(workers=2), ["makespan"], es=bounds[0], ls=bounds[1], horizon=9,
        cp_lb=4, hint=hint, limit=3.0, wall_end=time.monotonic() + 3.0, lns=True,
    )  # fmt: skip
    assert res.objective == 7
    assert_feasible(plan, res.starts)
    assert res.starts == {"A": 5, "B": 2, "C": 5}


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    seen: list[bool] = []
    real = loop_mod.cp_solve

    def spy(*args, **kw):  # type: ignore[no-untyped-def]
        seen.append(kw["lns"])
        return real(*args, **kw)

    monkeypatch.setattr(loop_mod, "cp_solve", spy)
    return seen


@pytest.mark.parametrize(
    ("opts", "lns"),
    [
        (SolveOptions(time_limit_s=2, workers=1, lns_from=3), True),
        (SolveOptions(time_limit_s=2, workers=1, lns_from=4), False),  # 3 activities
        (SolveOptions(time_limit_s=2, workers=1, lns_from=None), False),
        (SolveOptions(time_limit_s=2, workers=1, lns_from=3, repeatable=True), False),
        (SolveOptions(time_limit_s=2, workers=1, lns_from=3, full_share=0), False),
    ],
)
def test_only_large_plans_the_full_model_ga_searched(monkeypatch, opts, lns):
    # _plan: the GA finds 7, which the bounds do not prove, so CP-SAT runs (LNS only when
    # asked) and keeps 7
    seen = _spy(monkeypatch)
    res = solve(_plan(), opts)
    assert res.objective == 7
    assert_feasible(_plan(), res.starts)
    assert seen[:1] == [lns]


def test_plain_rcpsp_never(monkeypatch):
    # plain RCPSP (PSPLIB's path): A, B share a crew of 1, C after B: B [0, 3), then A
    # [3, 5) beside C [3, 4): makespan 5 (the critical-path and energy bound)
    plan = Plan(
        name="plain",
        grid=TimeGrid(date(2027, 1, 1), "calendar", 2),
        activities=[Activity("A", "a", 2), Activity("B", "b", 3), Activity("C", "c", 1)],
        dependencies=[Dependency("B", "C", "FS", 0)],
        resources=[Resource("R", 1)],
        demands=[Demand("A", "R", 1), Demand("B", "R", 1)],
    )
    seen = _spy(monkeypatch)
    res = solve(plan, SolveOptions(time_limit_s=2, workers=1, lns_from=1))
    assert res.objective == 5
    assert True not in seen
