"""What a solve is asked (:class:`SolveOptions`) and what it answers (:class:`SolveResult`).

Every knob of the search is a field of :class:`SolveOptions` (benchmarks set them per
run instead of overwriting module attributes); both classes are built by keyword only.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from scheduler.solution import Conflict
from scheduler.status import SolveStatus

__all__ = [
    "Progress",
    "SolveOptions",
    "SolveResult",
    "SolveStatus",
    "command_budget",
    "default_workers",
]

#: Estimated seconds of the work after a solve (CPM, driving path, JSON, report) per
#: activity, and fixed; and of reading a plan (see :func:`command_budget`). Measured on
#: the reference machine with margin (BENCHMARKS.md, "whole-command time limit").
AFTER_S_PER_ACTIVITY = 0.004
AFTER_S_FIXED = 1.0
READ_S_PER_ACTIVITY = 0.002
READ_S_FIXED = 0.3


def default_workers() -> int:
    """Solver threads by default: the cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def command_budget(
    limit: float, activities: int, started: float, *, repeatable: bool, reserve_s: float = 0.0
) -> tuple[float, float]:
    """Time limit and deadline of the solve inside a command limited to ``limit`` seconds.

    The command (read, solve, CPM, outputs) started at ``started`` (:func:`time.monotonic`).
    The solve ends ``after`` seconds before the command's end, ``after`` a linear estimate
    of the work that follows it plus ``reserve_s`` (an estimate of further work the
    command does after the solve, e.g. ``infraplan risk``'s simulation), at most half the
    limit. A wall-clock run gets what is
    left until then; a repeatable run gets a work budget that does not depend on how long
    reading took: the limit less ``after`` and an estimate of the reading time.

    Returns
    -------
    (time_limit_s, deadline)
        Seconds for the solve (at least 0.01) and the :func:`time.monotonic` instant it
        should end by (for :attr:`SolveOptions.deadline`).
    """
    after = min(0.5 * limit, AFTER_S_FIXED + AFTER_S_PER_ACTIVITY * activities + reserve_s)
    deadline = started + limit - after
    if repeatable:
        budget = limit - after - min(0.25 * limit, READ_S_FIXED + READ_S_PER_ACTIVITY * activities)
    else:
        budget = deadline - time.monotonic()
    return max(0.01, min(budget, limit)), deadline


@dataclass(slots=True, kw_only=True)
class SolveOptions:
    """How to solve (keyword arguments only).

    Attributes
    ----------
    time_limit_s
        Seconds for the whole solve (None: ``plan.time_limit_s``). With ``repeatable``
        it is turned into a work budget (see ``dtime_per_second``).
    deadline
        :func:`time.monotonic` instant by which the solve must return (None: the time
        limit from the call). A caller that spent time before solving (reading the file)
        and needs time after it (CPM, report) passes its own deadline; the solve then
        splits what is left between its steps. Repeatable runs use it only as the
        wall-clock backstop.
    seed
        Random seed of the genetic algorithm and of CP-SAT. It changes nothing else.
    workers
        Solver threads (default: the cores of the machine, :func:`default_workers`).
    objectives
        Names from :data:`scheduler.model.OBJECTIVES`, lexicographic (None: ``plan.objectives``).
    repeatable
        The same plan, seed and workers give the same schedule: the time limit becomes a
        work budget (CP-SAT deterministic time with interleaved search, a count of
        decoded schedules for the genetic algorithm) calibrated so that the wall time on
        an idle machine is close to the limit; a wall-clock backstop of
        ``wall_backstop × limit`` still stops it (then the run is reported as not
        repeatable). Off by default: a wall-clock limit finds better plans.
    log
        Let CP-SAT log its search (to the ``logging`` logger of :mod:`scheduler.solver`).
    dtime_per_second
        Repeatable runs: CP-SAT deterministic time units per second of limit. Calibrated
        from CPU time on the reference machine (2 cores, interleaved search on 2
        workers, which keeps about one core busy): one unit cost 21 CPU seconds on the
        bundled national sample at a 20 s limit (11-22 at 5-10 s) and 14 on PSPLIB
        j1206_6, so 0.05 units per second keeps an idle machine's wall time near the
        limit (BENCHMARKS.md, "repeatable runs").
    makespan_in_cumulative
        Add the interval ``[makespan, horizon)`` at full capacity to every cumulative
        (redundant reasoning for RCPSP; see BENCHMARKS.md for its measured effect).
    improve_share
        Share of the limit spent on the genetic algorithm before CP-SAT, plain RCPSP
        plans only (0 turns it off; it stops earlier when it stalls).
    full_share
        Share of the limit spent on the full-model genetic algorithm
        (:mod:`scheduler.solver.ga_full`) before CP-SAT on plans that are not plain RCPSP
        (budgets, blackouts, dates, max lags, time-varying capacity); 0 turns it off.
    improve_evals_per_s
        Repeatable runs: decoded schedules per second of limit for the genetic
        algorithm (plans of up to 128 activities; scaled by ``(128 / n)²`` above, as a
        decode costs about n²). Measured: 6,300 decodes per CPU second at 122
        activities.
    lns_from
        Plans of at least this many activities that the full-model genetic algorithm
        searched (not plain RCPSP, at most
        :data:`~scheduler.solver.improve.MAX_FULL_ACTIVITIES`) get a CP-SAT makespan
        stage with large-neighbourhood workers only (:data:`~scheduler.solver.cp_model.LNS_PARAMS`:
        no full-problem subsolver, no first-solution subsolvers, only the scheduling
        neighbourhoods), seeded with the GA's complete hint; wall-clock runs only
        (BENCHMARKS.md, "National plans", what was tried). None turns it off.
    search_params
        Extra CP-SAT parameters (name → value) for every solve except the safe re-run
        (they override :data:`~scheduler.solver.cp_model.LNS_PARAMS`).
    wall_backstop
        Repeatable runs: the wall-clock backstop as a multiple of the limit.
    """

    time_limit_s: float | None = None
    deadline: float | None = None
    seed: int = 0
    workers: int = field(default_factory=default_workers)
    objectives: list[str] | None = None
    repeatable: bool = False
    log: bool = False
    dtime_per_second: float = 0.05
    makespan_in_cumulative: bool = True
    improve_share: float = 0.85
    full_share: float = 0.3
    improve_evals_per_s: int = 6000
    lns_from: int | None = 400
    search_params: dict[str, object] = field(default_factory=dict)
    wall_backstop: float = 1.3


@dataclass(slots=True)
class Progress:
    """A progress report: best objective and bound (first objective's units), seconds."""

    objective: float | None
    bound: float | None
    elapsed_s: float


@dataclass(slots=True, kw_only=True)
class SolveResult:
    """Outcome of :func:`scheduler.solver.solve` (keyword arguments only).

    Attributes
    ----------
    status
        A :class:`SolveStatus`.
    starts
        Activity id → start slot (empty without a plan; see ``overrun_days``).
    objective, bound, gap
        First objective's value and proven bound (slots for makespan; days × weight
        for weighted completion and tardiness), relative gap ``(obj - bound) / obj``.
    solve_seconds
        Wall seconds of the whole call.
    conflicts
        Minimal conflicting set when infeasible (never empty then).
    min_horizon_days
        Makespan (slots) with the horizon and due dates lifted, when infeasible.
    overrun_days
        When infeasible only because of the horizon or due dates: slots past the
        horizon of the best schedule with them lifted, which ``starts`` then holds.
    first_feasible_seconds
        Seconds until the first feasible plan (constructive or CP-SAT).
    source
        ``"cp-sat"`` or ``"constructive"``: who produced ``starts``.
    repeatable
        True when the run was repeatable (asked for, and no wall-clock backstop cut it).
    notes
        Sentences for the planner about how the solve went (e.g. what was tried when
        the status is ``unknown`` and how much time would likely help).
    """

    status: SolveStatus
    starts: dict[str, int] = field(default_factory=dict)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    conflicts: list[Conflict] = field(default_factory=list)
    min_horizon_days: int | None = None
    overrun_days: int | None = None
    first_feasible_seconds: float | None = None
    source: str = "cp-sat"
    repeatable: bool = False
    notes: list[str] = field(default_factory=list)
