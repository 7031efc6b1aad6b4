"""One CP-SAT model of a plan, solved for its objectives in turn.

:func:`cp_solve` builds the model of SPEC §5 once (intervals on the grid with CPM
domains, dependencies with lags and max lags, cumulatives with time-varying capacity,
budget overlaps, release/due/fixed start/blackouts) and solves the objectives
lexicographically. It is the one place that sets CP-SAT parameters; the solve loop
around it (constructive schedule, genetic algorithm, explanations) is
:mod:`scheduler.solver.loop`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.model import WEIGHT_SCALE
from scheduler.solver.constraints import add_budgets, add_dependencies, add_resources
from scheduler.solver.data import Instance
from scheduler.solver.objective import (
    makespan_var,
    objective_value,
    stability_expr,
    tardiness_expr,
    weighted_completion_expr,
)
from scheduler.solver.options import Progress, SolveOptions, SolveStatus
from scheduler.solver.variables import make_variables

__all__ = ["StagedResult", "cp_solve"]

log = logging.getLogger("scheduler.solver")

#: Least wall seconds of one CP-SAT stage, even when the deadline has passed (e.g. when
#: importing and model building used the limit up): a small plan is then still solved,
#: and a large one overruns by at most this much per objective.
MIN_STAGE_S = 0.25
#: CP-SAT parameters of a makespan stage seeded with the full-model GA's complete hint on
#: a large plan (``lns=True`` in :func:`cp_solve`): both workers run large-neighbourhood
#: re-solves of the incumbent, no full-problem search (which proves nothing on these plans
#: in the limit and holds one of the two workers) and no first-solution subsolvers (the
#: hint is the first solution). With 2 workers CP-SAT's default runs one LNS worker beside
#: the full search; on a 1,000-activity plan (n1000s1) its graph/random neighbourhoods
#: improved the incumbent in 1 of 28 re-solves, its scheduling ones (time window, resource
#: windows, intervals, precedences) in 5 of 5 (BENCHMARKS.md, "National plans").
LNS_PARAMS: dict[str, object] = {
    "use_lns_only": True,
    "ignore_subsolvers": [
        "graph_arc_lns",
        "graph_cst_lns",
        "graph_dec_lns",
        "graph_var_lns",
        "rnd_cst_lns",
        "rnd_var_lns",
    ],
}


@dataclass(slots=True, kw_only=True)
class StagedResult:
    """What :func:`cp_solve` found.

    Attributes
    ----------
    status
        ``OPTIMAL``/``FEASIBLE`` with ``starts``; ``INFEASIBLE`` (proven, first
        objective); ``UNKNOWN`` (nothing found, nothing proven).
    starts
        Activity id → start slot (empty without a plan).
    objective, bound, gap
        First objective's value, proven bound and relative gap (its own units).
    first_seconds
        Seconds (from the caller's ``t0``) until CP-SAT's first solution.
    repeatable
        False when a repeatable run was stopped by its wall-clock backstop.
    """

    status: SolveStatus
    starts: dict[str, int]
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    first_seconds: float | None = None
    repeatable: bool = True


class _Callback(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution through ``progress``."""

    def __init__(
        self, t0: float, scale: float, progress: Callable[[Progress], None] | None
    ) -> None:
        super().__init__()
        self.t0, self.scale, self.progress = t0, scale, progress
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        if self.progress is not None:
            self.progress(
                Progress(
                    self.objective_value / self.scale, self.best_objective_bound / self.scale, now
                )
            )


def _params(
    solver: cp_model.CpSolver,
    opts: SolveOptions,
    work: float,
    wall: float,
    *,
    safe: bool = False,
    lns: bool = False,
) -> None:
    """Set CP-SAT parameters: ``work`` seconds of limit, ``wall`` seconds of wall clock;
    with ``lns`` (and not ``safe``) :data:`LNS_PARAMS` too, before ``opts.search_params``."""
    p = solver.parameters
    p.num_workers = 1 if safe else max(1, opts.workers)
    p.random_seed = opts.seed
    p.log_search_progress = opts.log
    if opts.log:
        solver.log_callback = log.info
    if safe:
        p.cp_model_presolve = False
    if opts.repeatable:
        p.max_deterministic_time = max(0.01, work * opts.dtime_per_second)
        if p.num_workers > 1:
            p.interleave_search = True
    p.max_time_in_seconds = max(0.01, wall)
    if not safe:
        extra = {**LNS_PARAMS, **opts.search_params} if lns else opts.search_params
        for key, value in extra.items():
            if isinstance(value, list):  # repeated field, e.g. subsolvers
                repeated = getattr(p, key)
                repeated.clear()
                repeated.extend(value)
            else:
                setattr(p, key, value)


def _scale(name: str) -> float:
    return 1.0 if name == "makespan" else float(WEIGHT_SCALE)


def _next_hint(
    inst: Instance,
    best: dict[str, int],
    alt: dict[str, int] | None,
    kept: list[tuple[str, int]],
    name: str,
) -> dict[str, int]:
    """The hint of the next stage: ``alt`` if it keeps every done stage's value (in the
    model's integer units) and is better than ``best`` for ``name``, else ``best``."""
    if alt is None:
        return best

    def value(starts: dict[str, int], obj: str) -> int:
        return round(objective_value(inst, starts, obj) * _scale(obj))

    if all(value(alt, obj) <= val for obj, val in kept) and value(alt, name) < value(best, name):
        return alt
    return best


def cp_solve(
    inst: Instance,
    opts: SolveOptions,
    objectives: list[str],
    *,
    es: list[int],
    ls: list[int],
    horizon: int,
    cp_lb: int,
    hint: dict[str, int] | None,
    limit: float,
    wall_end: float,
    progress: Callable[[Progress], None] | None = None,
    t0: float | None = None,
    safe: bool = False,
    alt_hint: dict[str, int] | None = None,
    lns: bool = False,
) -> StagedResult:
    """Build the CP-SAT model once and solve each objective in turn.

    Parameters
    ----------
    inst
        The indexed plan.
    opts
        Seed, workers, repeatability and the model switches.
    objectives
        Objective names, lexicographic.
    es, ls
        Start domains (slots), shape ``(n,)``.
    horizon
        Largest allowed end slot (the makespan's upper bound).
    cp_lb
        Critical-path lower bound of the makespan (slots).
    hint
        A feasible schedule to start from, or None.
    limit
        Seconds for all stages (repeatable runs: turned into deterministic time, each
        stage an equal share).
    wall_end
        :func:`time.monotonic` instant at which every stage stops (the wall clock).
    progress
        Called at each improving solution of the first objective.
    t0
        :func:`time.monotonic` origin of the reported seconds (default: now).
    safe
        One worker, no presolve, no extra parameters (the re-run after a doubtful
        infeasibility).
    alt_hint
        Another feasible schedule (the baseline's starts, where they are feasible): a
        later stage is hinted with it instead of the best so far when it keeps the
        earlier stages' values and is better for the stage's own objective.

    Returns
    -------
    StagedResult
    """
    t0 = time.monotonic() if t0 is None else t0
    model = cp_model.CpModel()
    v = make_variables(model, inst, es, ls)
    add_dependencies(model, inst, v)
    mk = makespan_var(model, inst, v, cp_lb, horizon)
    in_cumulative = "makespan" in objectives and opts.makespan_in_cumulative
    add_resources(model, inst, v, horizon, mk if in_cumulative else None)
    add_budgets(model, inst, v, hint=None if hint is None else [hint[i] for i in inst.ids])
    exprs = {"makespan": mk, "weighted_completion": weighted_completion_expr(inst, v)}
    if "tardiness" in objectives:
        exprs["tardiness"] = tardiness_expr(model, inst, v)
    if "stability" in objectives:
        exprs["stability"] = stability_expr(model, inst, v)
    if hint is not None:
        for i, s in enumerate(v.starts):
            model.add_hint(s, hint[inst.ids[i]])
        # a complete hint: the makespan too (clamped to its domain)
        model.add_hint(mk, max(cp_lb, min(horizon, int(objective_value(inst, hint, "makespan")))))
    log.info("CP-SAT model built: %d activities, %.2fs", inst.n, time.monotonic() - t0)
    first_obj = first_bound = None
    statuses: list[SolveStatus] = []
    first_seen: float | None = None
    best: dict[str, int] | None = None
    repeatable = opts.repeatable
    stage_start = time.monotonic()
    kept: list[tuple[str, int]] = []  # (objective, value it may not exceed) of done stages
    for k, name in enumerate(objectives):
        wall_left = max(MIN_STAGE_S * (len(objectives) - k), wall_end - time.monotonic())
        if opts.repeatable:  # work-based: independent of the wall clock
            work = limit / len(objectives)
            wall = wall_left
        else:
            work = wall = wall_left / (len(objectives) - k)
        expr = exprs[name]
        model.minimize(expr)
        solver = cp_model.CpSolver()
        stage_lns = lns and k == 0 and name == "makespan" and hint is not None
        _params(solver, opts, work, wall, safe=safe, lns=stage_lns)
        cb = _Callback(t0, _scale(name), progress if k == 0 else None)
        st = solver.solve(model, cb)
        # stopped by the clock before its work budget was spent: not repeatable
        short = solver.deterministic_time < 0.99 * solver.parameters.max_deterministic_time
        if opts.repeatable and st not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and short:
            repeatable = False
            log.warning(
                "CP-SAT hit its wall-clock backstop (%.1fs) after %.2f of %.2f work "
                "units: this run is not repeatable",
                time.monotonic() - stage_start,
                solver.deterministic_time,
                solver.parameters.max_deterministic_time,
            )
        if first_seen is None:
            first_seen = cb.first
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = {inst.ids[i]: int(solver.value(s)) for i, s in enumerate(v.starts)}
            val = round(solver.objective_value)
            if k == 0:
                first_obj = solver.objective_value / _scale(name)
                first_bound = solver.best_objective_bound / _scale(name)
            statuses.append(SolveStatus.OPTIMAL if st == cp_model.OPTIMAL else SolveStatus.FEASIBLE)
            if k + 1 < len(objectives):
                model.add(expr <= val)
                kept.append((name, val))
                nxt = _next_hint(inst, best, alt_hint, kept, objectives[k + 1])
                model.clear_hints()
                for i, s in enumerate(v.starts):
                    model.add_hint(s, nxt[inst.ids[i]])
                mk_hint = int(objective_value(inst, nxt, "makespan"))
                model.add_hint(mk, max(cp_lb, min(horizon, mk_hint)))
            log.info(
                "objective %s: %s (%s)", name, solver.objective_value / _scale(name), statuses[-1]
            )
        elif st == cp_model.INFEASIBLE and k == 0:
            return StagedResult(status=SolveStatus.INFEASIBLE, starts={}, repeatable=repeatable)
        else:
            if best is None:
                return StagedResult(status=SolveStatus.UNKNOWN, starts={}, repeatable=repeatable)
            statuses.append(SolveStatus.FEASIBLE)
            break
    assert best is not None
    proven = len(statuses) == len(objectives) and all(s == SolveStatus.OPTIMAL for s in statuses)
    status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
    gap = None
    if first_obj is not None and first_bound is not None:
        gap = (
            0.0
            if first_obj == first_bound
            else abs(first_obj - first_bound) / max(abs(first_obj), 1e-9)
        )
    if status == SolveStatus.OPTIMAL and first_obj is not None and len(objectives) == 1:
        first_bound, gap = first_obj, 0.0
    return StagedResult(
        status=status,
        starts=best,
        objective=first_obj,
        bound=first_bound,
        gap=gap,
        first_seconds=first_seen,
        repeatable=repeatable,
    )
