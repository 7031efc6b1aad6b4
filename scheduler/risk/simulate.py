"""Monte Carlo schedule risk analysis of a solved plan.

Each iteration samples every uncertain duration and risk event
(:mod:`scheduler.risk.sampling`) and re-schedules the plan with the compiled
serial schedule-generation scheme (:mod:`scheduler.risk.kernel`): in ``leveled``
mode under the plan's resources, budget caps and blackouts with the solved plan's
order as priority, in ``logic`` mode by the dependencies alone (CPM forward pass, as
classic schedule-risk tools do). The horizon does not bind: how late an iteration
finishes is what is measured.

Convergence (Acumen Risk's rule of thumb): after each batch the P80 makespan is
compared with its value ``window`` iterations earlier; when it moved by at most
``tolerance`` (a share of P80) the run stops and says so.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from scheduler.model import Plan
from scheduler.risk.arrays import PlanArrays, activity_list
from scheduler.risk.kernel import simulate_batch
from scheduler.risk.sampling import Draw, Sampler
from scheduler.uncertainty import Uncertainty

__all__ = [
    "MODES",
    "LocalExecutor",
    "RiskOptions",
    "RiskProgress",
    "Simulation",
    "percentile",
    "run",
]

log = logging.getLogger(__name__)

#: Simulation modes: re-leveled under resources, budgets and blackouts, or logic only.
MODES = ("leveled", "logic")


def percentile(values: np.ndarray, p: float) -> int:
    """The smallest value that at least ``p`` % of ``values`` reach (do not exceed).

    The inverse of the empirical distribution function (Hyndman & Fan 1996,
    definition 1), as schedule-risk tools report P-values.

    Raises
    ------
    ValueError
        If ``values`` is empty.
    """
    if values.size == 0:
        raise ValueError("no iterations")
    return int(np.percentile(values, p, method="inverted_cdf"))


@dataclass(frozen=True, kw_only=True, slots=True)
class RiskOptions:
    """How to simulate.

    Parameters
    ----------
    iterations
        Most iterations to run (None: the plan's ``risk_iterations``).
    seed
        Seed of every random stream; the same seed gives the same numbers on any
        number of workers.
    workers
        Threads that simulate (None: the machine's cores).
    mode
        ``leveled`` (default) or ``logic``.
    converge
        Stop early once P80 has settled (see the module docstring).
    tolerance
        Largest move of P80 over ``window`` iterations that counts as settled (share).
    window
        Iterations over which P80 must settle.
    batch
        Iterations per batch (the unit of progress reports and convergence checks).
    time_limit_s
        Wall seconds the simulation may take (None: no limit); it stops after the
        batch that crosses it and says so.
    ray_address
        A Ray cluster to run the batches on (``ray://host:10001`` or ``auto``), or None
        for this machine; the numbers are the same either way.
    """

    iterations: int | None = None
    seed: int = 0
    workers: int | None = None
    mode: str = "leveled"
    converge: bool = True
    tolerance: float = 0.002
    window: int = 2000
    batch: int = 500
    time_limit_s: float | None = None
    ray_address: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")
        if self.iterations is not None and self.iterations < 1:
            raise ValueError(f"iterations {self.iterations} must be at least 1")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers {self.workers} must be at least 1")
        if self.batch < 1 or self.window < 1 or self.tolerance < 0:
            raise ValueError("batch and window must be positive and tolerance not negative")


@dataclass(frozen=True, slots=True)
class RiskProgress:
    """A progress report: iterations done of the most, and the running P80 (slots)."""

    iterations: int
    total: int
    p80: int
    elapsed_s: float


@dataclass(slots=True)
class Simulation:
    """The raw outcome of a run.

    Attributes
    ----------
    durations, starts
        Sampled durations and simulated starts (slots), shape ``(iterations, n)``.
    critical
        Whether each activity was on the driving chain to the finish, same shape.
    makespans
        Shape ``(iterations,)`` (slots).
    occurred
        Which risk events occurred, shape ``(iterations, events)``.
    stop_reason
        ``"iterations"``, ``"converged"`` or ``"time limit"``.
    seconds
        Wall time of the simulation.
    without
        Risk event index → makespans of the same iterations without that event,
        shape ``(iterations,)``: the tornado.
    """

    durations: np.ndarray
    starts: np.ndarray
    critical: np.ndarray
    makespans: np.ndarray
    occurred: np.ndarray
    stop_reason: str
    seconds: float
    without: dict[int, np.ndarray] = field(default_factory=dict)


class _Runner:
    """Runs batches of one plan through the kernel."""

    def __init__(self, plan: Plan, starts: dict[str, int], options: RiskOptions) -> None:
        self.plan = plan
        self.arrays = PlanArrays.from_plan(plan)
        self.order = activity_list(plan, starts)
        self.planned = self.arrays.planned_spend(starts)
        self.kernel_plan = self.arrays.kernel_tuple(self.order)
        self.leveled = options.mode == "leveled"
        self.workers = options.workers or os.cpu_count() or 1
        self.chunks = self.workers * 4  # a few per thread, so a slow thread holds no one up
        self._cap = np.zeros((len(plan.resources), 0), dtype=np.int64)
        self._use = np.zeros((self.chunks, len(plan.resources), 0), dtype=np.int64)
        self._ender = np.full((self.chunks, len(plan.resources), 1), -1, dtype=np.int64)

    def run(self, durations: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Starts, critical flags and makespans of a batch of sampled durations."""
        import numba

        a = self.arrays
        iters, n = durations.shape
        length = a.window(durations)
        if self._cap.shape[1] < length:
            # wider capacity and work arrays, allocated once and reused by every batch
            # (the kernel leaves them clean): allocating them per batch cost more than
            # the iterations themselves on a long window
            self._cap = a.capacity(max(length, 2 * self._cap.shape[1]))
            shape = (self.chunks, *self._cap.shape)
            self._use = np.zeros(shape, dtype=np.int64)
            self._ender = np.full((*shape[:2], shape[2] + 1), -1, dtype=np.int64)
        starts = np.empty((iters, n), dtype=np.int64)
        crit = np.empty((iters, n), dtype=np.bool_)
        makespans = np.empty(iters, dtype=np.int64)
        numba.set_num_threads(min(self.workers, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
        simulate_batch(
            durations,
            self.kernel_plan,
            self._cap,
            self.planned,
            self.leveled,
            self._use,
            self._ender,
            starts,
            crit,
            makespans,
        )
        if (makespans < 0).any():
            raise ValueError(self._unplaceable(durations, starts, makespans))
        return starts, crit, makespans

    def _unplaceable(self, durations: np.ndarray, starts: np.ndarray, ms: np.ndarray) -> str:
        """The sentence for an iteration in which an activity could not be placed at all."""
        it = int(np.flatnonzero(ms < 0)[0])
        stuck = next(int(j) for j in self.order if starts[it, j] < 0)
        act = self.plan.activities[stuck]
        return (
            f"activity {act.id} ({durations[it, stuck]} days in a sampled iteration) cannot be "
            "placed at any date: its resource demand exceeds the capacity left after the "
            "last capacity change; raise that capacity or shorten its pessimistic estimate"
        )


#: One batch to simulate: ``(batch number, iterations, risk event left out or None)``.
#: With an event left out only the iterations in which it occurred are simulated:
#: the others have the very same durations as with every event (common random
#: numbers), so their makespans are already known.
Job = tuple[int, int, int | None]
#: Its outcome: durations, risk occurrences (of the whole batch), starts, critical
#: flags, makespans; for a job with an event left out, of the iterations it occurred in.
BatchResult = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class _Executor(Protocol):
    """Where batches run: this machine's cores, or a Ray cluster."""

    width: int  # batches worth submitting at once

    def run(self, jobs: list[Job]) -> list[BatchResult]: ...


class LocalExecutor:
    """Batches one after another, each on this machine's cores (numba threads)."""

    width = 1

    def __init__(
        self, plan: Plan, starts: dict[str, int], uncertainty: Uncertainty, options: RiskOptions
    ) -> None:
        self.sampler = Sampler(plan, uncertainty, options.seed)
        self.runner = _Runner(plan, starts, options)
        self._draws: dict[tuple[int, int], Draw] = {}  # kept for the tornado's jobs
        self._keep = bool(uncertainty.events)

    def run(self, jobs: list[Job]) -> list[BatchResult]:
        """Sample and simulate each job (a tornado job reuses its batch's draw)."""
        out = []
        for batch, size, disabled in jobs:
            draw = self._draws.get((batch, size)) or self.sampler.draw(batch, size)
            if disabled is None and self._keep:
                self._draws[(batch, size)] = draw
            rows = None if disabled is None else np.flatnonzero(draw.hits[:, disabled])
            durations, occurred = self.sampler.compose(draw, disabled, rows)
            out.append((durations, occurred, *self.runner.run(durations)))
        return out


def run(
    plan: Plan,
    starts: dict[str, int],
    uncertainty: Uncertainty,
    options: RiskOptions,
    progress: Callable[[RiskProgress], None] | None = None,
) -> Simulation:
    """Simulate ``plan`` from its solved ``starts``.

    Parameters
    ----------
    plan
        A validated plan.
    starts
        The solved start slot of each activity (its order is the priority).
    uncertainty
        Estimates and risk events.
    options
        See :class:`RiskOptions`.
    progress
        Called after each batch with a :class:`RiskProgress`.

    Returns
    -------
    Simulation

    Raises
    ------
    ValueError
        If the dependencies contain a cycle, or an iteration cannot place an activity
        at any date (its demand exceeds what a capacity change leaves), with a sentence.
    """
    t0 = time.perf_counter()
    total = options.iterations or uncertainty.iterations
    executor: _Executor
    if options.ray_address:
        from scheduler.risk.cluster import RayExecutor

        executor = RayExecutor(options.ray_address, plan, starts, uncertainty, options)
    else:
        executor = LocalExecutor(plan, starts, uncertainty, options)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("dur", "occ", "start", "crit", "ms")}
    sizes: list[int] = []
    done, reason = 0, "iterations"
    history: list[tuple[int, int]] = []
    while done < total and reason == "iterations":
        jobs: list[Job] = []
        planned = done
        for _ in range(executor.width):
            if planned < total:
                jobs.append((len(sizes) + len(jobs), min(options.batch, total - planned), None))
                planned += jobs[-1][1]
        for (_, size, _), result in zip(jobs, executor.run(jobs), strict=True):
            for key, value in zip(parts, result, strict=True):
                parts[key].append(value)
            sizes.append(size)
            done += size
            p80 = percentile(np.concatenate(parts["ms"]), 80)
            history.append((done, p80))
            if progress is not None:
                progress(RiskProgress(done, total, p80, time.perf_counter() - t0))
            if done < total and options.converge and _settled(history, options):
                reason = "converged"
            elif (
                done < total
                and options.time_limit_s is not None
                and time.perf_counter() - t0 > options.time_limit_s
            ):
                reason = "time limit"
            if reason != "iterations":
                break  # later batches of the wave are dropped: the same stop on any executor
    sim = Simulation(
        durations=np.concatenate(parts["dur"]),
        starts=np.concatenate(parts["start"]),
        critical=np.concatenate(parts["crit"]),
        makespans=np.concatenate(parts["ms"]),
        occurred=np.concatenate(parts["occ"]),
        stop_reason=reason,
        seconds=0.0,
    )
    # the tornado: the same iterations without risk e (common random numbers); only
    # those in which e occurred change, so only those are simulated again
    first = np.cumsum([0, *sizes])
    tornado: list[Job] = [
        (b, size, e)
        for e in range(len(uncertainty.events))
        for b, size in enumerate(sizes)
        if sim.occurred[first[b] : first[b] + size, e].any()
    ]
    for e in range(len(uncertainty.events)):
        sim.without[e] = sim.makespans.copy()
    for (b, _, off), result in zip(tornado, executor.run(tornado), strict=True):
        assert off is not None
        sim.without[off][first[b] + np.flatnonzero(result[1][:, off])] = result[4]
    sim.seconds = time.perf_counter() - t0
    log.info("risk: %d iterations in %.2f s (%s)", done, sim.seconds, reason)
    return sim


def _settled(history: list[tuple[int, int]], options: RiskOptions) -> bool:
    """True when P80 moved by at most ``tolerance`` over the last ``window`` iterations."""
    done, p80 = history[-1]
    if done < 2 * options.window:
        return False
    earlier = [p for n, p in history if n <= done - options.window]
    if not earlier:
        return False
    return abs(p80 - earlier[-1]) <= options.tolerance * max(p80, 1)
