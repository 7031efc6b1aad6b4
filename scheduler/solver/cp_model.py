"""The solve loop: constructive schedule, CP-SAT model, lexicographic objectives.

This is the one place that sets CP-SAT parameters. See :func:`solve`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.model import OBJECTIVES, WEIGHT_SCALE, Plan
from scheduler.solution import Conflict
from scheduler.solver.check import check_schedule
from scheduler.solver.compact import left_justify
from scheduler.solver.constraints import add_budgets, add_dependencies, add_resources
from scheduler.solver.data import Instance
from scheduler.solver.improve import applicable, improve_schedule
from scheduler.solver.objective import makespan_var, tardiness_expr, weighted_completion_expr
from scheduler.solver.sgs import sgs
from scheduler.solver.variables import make_variables

__all__ = ["DTIME_PER_SECOND", "Progress", "SolveOptions", "SolveResult", "solve"]

log = logging.getLogger(__name__)

#: Deterministic time units per "second" of time limit when ``deterministic=True``:
#: a limit of ``t`` seconds becomes ``max_deterministic_time = t * DTIME_PER_SECOND``.
#: Deterministic time counts work (memory accesses), not seconds, so the same limit
#: gives the same search on every machine and under any load; wall time varies.
#: With several workers, CP-SAT is repeatable only with ``interleave_search`` (measured:
#: the plain 2-worker portfolio under a deterministic limit gave makespans 510 and 502
#: on two runs of data/national_plan.xlsx). Measured on the reference machine (2 cores
#: shared with other jobs): one worker does 0.07-0.22 units per wall second on PSPLIB
#: j30; the interleaved 2-worker search overshoots the limit by up to 3x, so a "5 s"
#: limit took 0.8-7.4 s wall on j30, 17 s on j12014_3, and "10 s" took 22 s on the
#: sample national plan (makespan 526 vs 502 with deterministic=False in 10 s wall).
DTIME_PER_SECOND = 0.1
#: Add the interval ``[makespan, horizon)`` at full capacity to every cumulative
#: (redundant reasoning for RCPSP; see BENCHMARKS.md for its measured effect).
MAKESPAN_IN_CUMULATIVE = True
#: Share of the time limit spent on the genetic algorithm with double justification
#: (:mod:`scheduler.solver.improve`) before CP-SAT, plain RCPSP plans only (0 turns it
#: off); it stops earlier when it stalls. With ``deterministic`` the budget is
#: IMPROVE_EVALS_PER_S decoded schedules per second of limit instead (for plans of up to
#: 128 activities; scaled by ``(128 / n)²`` above, as a decode costs about n²), so runs
#: stay repeatable. At the measured 0.16 ms per decoded list for 120 activities (one
#: thread, this machine) the budget takes about 0.5 s per second of limit.
IMPROVE_SHARE = 0.85
IMPROVE_EVALS_PER_S = 3000
#: Extra CP-SAT parameters (name → value) applied to every solve except the safe
#: re-run; see BENCHMARKS.md for what was measured with which.
SEARCH_PARAMS: dict[str, object] = {}
#: Wall-clock backstop in deterministic mode: ``WALL_BACKSTOP * limit + 5`` seconds.
#: If it stops the search first, that run is not repeatable (a warning is logged).
WALL_BACKSTOP = 4.0


@dataclass(slots=True)
class SolveOptions:
    """How to solve.

    Attributes
    ----------
    time_limit_s
        Seconds for CP-SAT (None: ``plan.time_limit_s``). With ``deterministic``
        it is turned into deterministic time (see :data:`DTIME_PER_SECOND`).
    seed
        CP-SAT random seed.
    workers
        CP-SAT worker threads.
    objectives
        Names from :data:`scheduler.model.OBJECTIVES`, lexicographic (None: ``plan.objectives``).
    deterministic
        Repeatable runs: same seed and workers give the same plan (CP-SAT's
        interleaved search with a deterministic time limit). Off by default: a
        wall-clock limit stops on time and finds better plans, but two runs may
        differ. The CLI turns it on when ``--seed`` is given.
    log
        Let CP-SAT log its search (to the ``logging`` logger of this module).
    """

    time_limit_s: float | None = None
    seed: int = 0
    workers: int = 2
    objectives: list[str] | None = None
    deterministic: bool = False
    log: bool = False


@dataclass(slots=True)
class Progress:
    """A progress report: best objective and bound (first objective's units), seconds."""

    objective: float | None
    bound: float | None
    elapsed_s: float


@dataclass(slots=True)
class SolveResult:
    """Outcome of :func:`solve`.

    Attributes
    ----------
    status
        ``optimal``, ``feasible`` or ``infeasible``.
    starts
        Activity id → start slot (empty when infeasible).
    objective, bound, gap
        First objective's value and proven bound (slots for makespan; days × weight
        for weighted completion and tardiness), relative gap ``(obj - bound) / obj``.
    solve_seconds
        Wall seconds of the whole call.
    conflicts
        Minimal conflicting set when infeasible.
    min_horizon_days
        Makespan (slots) with the horizon and due dates lifted, when infeasible.
    first_feasible_seconds
        Seconds until the first feasible plan (constructive or CP-SAT).
    source
        ``"cp-sat"`` or ``"constructive"``: who produced ``starts``.
    """

    status: str
    starts: dict[str, int] = field(default_factory=dict)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    conflicts: list[Conflict] = field(default_factory=list)
    min_horizon_days: int | None = None
    first_feasible_seconds: float | None = None
    source: str = "cp-sat"


class _Callback(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution through ``progress``."""

    def __init__(
        self, t0: float, scale: float, progress: Callable[[Progress], None] | None, offset: float
    ) -> None:
        super().__init__()
        self.t0, self.scale, self.progress, self.offset = t0, scale, progress, offset
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.t0
        if self.first is None:
            self.first = now
        if self.progress is not None:
            self.progress(
                Progress(
                    self.objective_value / self.scale, self.best_objective_bound / self.scale, now
                )
            )


def _params(
    solver: cp_model.CpSolver, opts: SolveOptions, limit: float, *, safe: bool = False
) -> None:
    p = solver.parameters
    p.num_workers = 1 if safe else max(1, opts.workers)
    p.random_seed = opts.seed
    p.log_search_progress = opts.log
    if opts.log:
        solver.log_callback = log.info
    if safe:
        p.cp_model_presolve = False
    if opts.deterministic:
        p.max_deterministic_time = max(0.01, limit * DTIME_PER_SECOND)
        if p.num_workers > 1:
            p.interleave_search = True
        p.max_time_in_seconds = WALL_BACKSTOP * limit + 5.0
    else:
        p.max_time_in_seconds = max(0.01, limit)
    if not safe:
        for key, value in SEARCH_PARAMS.items():
            if isinstance(value, list):  # repeated field, e.g. subsolvers
                repeated = getattr(p, key)
                repeated.clear()
                repeated.extend(value)
            else:
                setattr(p, key, value)


def _improve_evals(n: int, limit: float) -> int:
    """Decoded-schedule budget of the GA in deterministic mode (see IMPROVE_EVALS_PER_S)."""
    return max(1, int(IMPROVE_EVALS_PER_S * limit * min(1.0, (128 / max(n, 1)) ** 2)))


def _scale(name: str) -> float:
    return 1.0 if name == "makespan" else float(WEIGHT_SCALE)


def objective_value(inst: Instance, starts: dict[str, int], name: str) -> float:
    """Value of objective ``name`` for ``starts`` (slots, or days × weight)."""
    acts = inst.plan.activities
    if name == "makespan":
        return float(max((starts[a.id] + a.duration for a in acts), default=0))
    if name == "weighted_completion":
        return sum(a.weight * (starts[a.id] + a.duration) for a in acts) / WEIGHT_SCALE
    return (
        sum(a.weight * max(0, starts[a.id] + a.duration - a.due) for a in acts if a.due is not None)
        / WEIGHT_SCALE
    )


def solve(
    plan: Plan,
    options: SolveOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> SolveResult:
    """Schedule ``plan`` with CP-SAT, starting from a constructive schedule.

    Steps: serial SGS (:func:`scheduler.solver.sgs.sgs`) gives a first plan and a
    hint; on a plain RCPSP with the makespan first, a genetic algorithm
    (:func:`scheduler.solver.improve.improve_schedule`, up to :data:`IMPROVE_SHARE` of
    the limit, on ``options.workers`` threads) improves it, and the horizon is cut to
    the best makespan found; CP-SAT solves the model of SPEC §5 (intervals on the grid
    with CPM domains, dependencies with lags/max lags, cumulatives with time-varying
    capacity, budget overlaps, release/due/fixed start/blackouts); several objectives are solved
    lexicographically (each later stage keeps the earlier values). If CP-SAT finds
    nothing in the limit, a feasible constructive schedule is the answer. If CP-SAT
    claims infeasibility although the constructive schedule is feasible, it is
    re-run with safer settings and never reported infeasible. Infeasible plans get a
    minimal conflicting set and ``min_horizon_days`` (:mod:`scheduler.solver.conflicts`).

    Parameters
    ----------
    plan
        The plan (integer grid slots and money).
    options
        Time limit (s), seed, workers, objectives, determinism.
    progress
        Called with :class:`Progress` at every improving solution.

    Returns
    -------
    SolveResult

    Raises
    ------
    ValueError
        On an unknown objective name or cyclic dependencies.
    """
    result = _solve(plan, options, progress)
    if result.status in ("optimal", "feasible") and result.starts:
        inst = Instance.from_plan(plan)
        result.starts = left_justify(inst, result.starts)
        objectives = list((options and options.objectives) or plan.objectives or ["makespan"])
        result.objective = objective_value(inst, result.starts, objectives[0])
        if result.bound is not None:
            result.gap = (result.objective - result.bound) / max(result.objective, 1e-9)
    return result


def _solve(
    plan: Plan,
    options: SolveOptions | None,
    progress: Callable[[Progress], None] | None,
) -> SolveResult:
    """:func:`solve` before left justification."""
    t0 = time.perf_counter()
    opts = options or SolveOptions()
    limit = plan.time_limit_s if opts.time_limit_s is None else opts.time_limit_s
    objectives = list(opts.objectives or plan.objectives or ["makespan"])
    for name in objectives:
        if name not in OBJECTIVES:
            raise ValueError(f"unknown objective {name!r}; use one of {OBJECTIVES}")
    soft_due = "tardiness" in objectives
    inst = Instance.from_plan(plan)
    hz = plan.horizon

    cons = sgs(inst)
    cons_ok = cons is not None and not check_schedule(plan, cons, soft_due=soft_due, instance=inst)
    first_feasible = time.perf_counter() - t0 if cons_ok else None
    log.info(
        "constructive schedule: %s after %.2fs",
        "feasible" if cons_ok else "not feasible",
        time.perf_counter() - t0,
    )

    def elapsed() -> float:
        return time.perf_counter() - t0

    def from_constructive(status: str = "feasible", bound: float | None = None) -> SolveResult:
        assert cons is not None
        obj = objective_value(inst, cons, objectives[0])
        gap = None if bound is None else (obj - bound) / max(obj, 1e-9)
        return SolveResult(
            status,
            dict(cons),
            obj,
            bound,
            gap,
            elapsed(),
            [],
            None,
            first_feasible,
            "constructive",
        )

    bounds = inst.start_bounds(hz, due=not soft_due)
    if bounds is None:
        if cons_ok:  # bounds are implied by a feasible schedule: cannot happen
            log.error("start bounds crossed although the constructive schedule is feasible")
            return from_constructive()
        return _infeasible(plan, inst, opts, soft_due, t0)

    if IMPROVE_SHARE > 0 and objectives[0] == "makespan" and cons_ok and applicable(inst):
        assert cons is not None
        es0, ls0 = bounds
        better = improve_schedule(
            inst,
            cons,
            es0,
            ls0,
            seconds=IMPROVE_SHARE * limit,
            seed=opts.seed,
            max_evals=_improve_evals(inst.n, limit) if opts.deterministic else None,
            workers=opts.workers,
        )
        if not check_schedule(plan, better, soft_due=soft_due, instance=inst):
            cons = better
        else:  # cannot happen: the improved schedule is built on the same constraints
            log.error("improved constructive schedule failed the check; keeping the SGS one")

    tight_hz = hz
    if objectives[0] == "makespan" and cons_ok:
        assert cons is not None
        tight_hz = min(hz, int(objective_value(inst, cons, "makespan")))
        tb = inst.start_bounds(tight_hz, due=not soft_due)
        if tb is not None:
            bounds = tb
        else:
            tight_hz = hz
    es, ls = bounds
    cp_lb = max((es[i] + inst.dur[i] for i in range(inst.n)), default=0)
    if len(objectives) == 1 and objectives[0] == "makespan" and cons_ok and tight_hz <= cp_lb:
        log.info("constructive schedule meets the critical-path bound %d: optimal", cp_lb)
        return SolveResult(
            "optimal",
            dict(cons or {}),
            float(cp_lb),
            float(cp_lb),
            0.0,
            elapsed(),
            [],
            None,
            first_feasible,
            "constructive",
        )

    result = _cp_solve(
        inst,
        opts,
        objectives,
        es,
        ls,
        tight_hz,
        cp_lb,
        cons if cons_ok else None,
        limit,
        progress,
        t0,
        safe=False,
    )
    if result.status == "infeasible" and cons_ok:
        log.warning(
            "CP-SAT reported infeasible although the constructive schedule is "
            "feasible; re-solving with 1 worker and no presolve"
        )
        result = _cp_solve(
            inst, opts, objectives, es, ls, tight_hz, cp_lb, cons, limit, progress, t0, safe=True
        )
        if result.status == "infeasible":
            log.error("CP-SAT still reports infeasible; answering with the constructive plan")
            return from_constructive()
    if result.status == "unknown":
        if cons_ok:  # the critical-path bound is all we know for the makespan
            return from_constructive(bound=float(cp_lb) if objectives[0] == "makespan" else None)
        return _infeasible(plan, inst, opts, soft_due, t0)
    if result.status == "infeasible":
        return _infeasible(plan, inst, opts, soft_due, t0)
    if first_feasible is not None:
        result.first_feasible_seconds = first_feasible
    result.solve_seconds = elapsed()
    return result


def _cp_solve(
    inst: Instance,
    opts: SolveOptions,
    objectives: list[str],
    es: list[int],
    ls: list[int],
    horizon: int,
    cp_lb: int,
    hint: dict[str, int] | None,
    limit: float,
    progress: Callable[[Progress], None] | None,
    t0: float,
    *,
    safe: bool,
) -> SolveResult:
    """Build the model once and solve each objective in turn (status ``unknown`` if none)."""
    model = cp_model.CpModel()
    v = make_variables(model, inst, es, ls)
    add_dependencies(model, inst, v)
    mk = makespan_var(model, inst, v, cp_lb, horizon)
    add_resources(
        model, inst, v, horizon, mk if "makespan" in objectives and MAKESPAN_IN_CUMULATIVE else None
    )
    add_budgets(model, inst, v)
    exprs = {
        "makespan": mk,
        "weighted_completion": weighted_completion_expr(inst, v),
    }
    if "tardiness" in objectives:
        exprs["tardiness"] = tardiness_expr(model, inst, v)
    if hint is not None:
        for i, s in enumerate(v.starts):
            model.add_hint(s, hint[inst.ids[i]])
        # a complete hint: the makespan too (clamped to its domain)
        model.add_hint(mk, max(cp_lb, min(horizon, int(objective_value(inst, hint, "makespan")))))
    first_obj = first_bound = None
    statuses = []
    first_seen: float | None = None
    best: dict[str, int] | None = None
    build_s = time.perf_counter() - t0
    log.info("CP-SAT model built: %d activities, %.2fs", inst.n, build_s)
    for k, name in enumerate(objectives):
        if opts.deterministic:  # work-based: independent of the wall clock
            stage_limit = limit / len(objectives)
        else:
            remaining = max(0.05, limit - (time.perf_counter() - t0))
            stage_limit = remaining / (len(objectives) - k)
        expr = exprs[name]
        model.minimize(expr)
        solver = cp_model.CpSolver()
        _params(solver, opts, stage_limit, safe=safe)
        cb = _Callback(t0, _scale(name), progress if k == 0 else None, 0.0)
        st = solver.solve(model, cb)
        if first_seen is None:
            first_seen = cb.first
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = {inst.ids[i]: int(solver.value(s)) for i, s in enumerate(v.starts)}
            val = round(solver.objective_value)
            if k == 0:
                first_obj = solver.objective_value / _scale(name)
                first_bound = solver.best_objective_bound / _scale(name)
            statuses.append("optimal" if st == cp_model.OPTIMAL else "feasible")
            if k + 1 < len(objectives):
                model.add(expr <= val)
                model.clear_hints()
                for i, s in enumerate(v.starts):
                    model.add_hint(s, best[inst.ids[i]])
            log.info(
                "objective %s: %s (%s)", name, solver.objective_value / _scale(name), statuses[-1]
            )
        elif st == cp_model.INFEASIBLE and k == 0:
            return SolveResult("infeasible")
        else:
            if best is None:
                return SolveResult("unknown")
            statuses.append("feasible")
            break
    assert best is not None
    status = (
        "optimal"
        if all(s == "optimal" for s in statuses) and len(statuses) == len(objectives)
        else "feasible"
    )
    gap = None
    if first_obj is not None and first_bound is not None:
        gap = (
            0.0
            if first_obj == first_bound
            else abs(first_obj - first_bound) / max(abs(first_obj), 1e-9)
        )
    if status == "optimal" and first_obj is not None and len(objectives) == 1:
        first_bound, gap = first_obj, 0.0
    return SolveResult(
        status, best, first_obj, first_bound, gap, 0.0, [], None, first_seen, "cp-sat"
    )


def _infeasible(
    plan: Plan, inst: Instance, opts: SolveOptions, soft_due: bool, t0: float
) -> SolveResult:
    from scheduler.solver.conflicts import explain

    conflicts, min_h = explain(plan, inst, opts, soft_due=soft_due)
    return SolveResult(
        "infeasible",
        {},
        None,
        None,
        None,
        time.perf_counter() - t0,
        conflicts,
        min_h,
        None,
        "cp-sat",
    )
