"""Better constructive schedules for plain RCPSP plans: a genetic algorithm over activity
lists, each decoded by the serial SGS with double justification.

Used by :func:`scheduler.solver.solve` as the CP-SAT hint and the horizon cut when
the plan is a plain RCPSP (see :func:`applicable`): a tighter first makespan makes
the CP-SAT domains smaller and gives its search a better starting point.

Methods: serial schedule-generation scheme with priority rules (Kolisch 1996,
"Serial and parallel resource-constrained project scheduling methods revisited",
EJOR 90); regret-based biased random sampling (Kolisch & Drexl 1996); double
justification, a.k.a. forward-backward improvement (Li & Willis 1992; Valls, Ballestín &
Quintanilla 2005, "Justification and RCPSP: a technique that pays", EJOR 165); an
activity-list genetic algorithm (Hartmann 1998, NRL 45). The kernels are compiled
(:mod:`scheduler.solver.ga`).
"""

from __future__ import annotations

import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from scheduler.solver.data import Instance

__all__ = [
    "POPULATION",
    "STALL_GENERATIONS",
    "Improvement",
    "applicable",
    "applicable_full",
    "improve_schedule",
]

#: Activity lists kept from one generation to the next (and children per generation):
#: POPULATION, or POPULATION_PER_ACTIVITY per activity if that is fewer (small plans
#: converge in a few generations; the stall rule then waits less before CP-SAT's proof).
POPULATION = 400
POPULATION_PER_ACTIVITY = 4
#: Restart (keep the :data:`ELITE` best lists, sample the rest afresh) after this many
#: generations without a shorter makespan; stop after STALL_GENERATIONS.
RESTART_GENERATIONS = 30
ELITE = 4
STALL_GENERATIONS = 100
#: Parts of each generation bred with separate random streams (on up to ``workers``
#: threads).
PARTS = 4
#: Probability of swapping each pair of neighbours in a child's list.
MUTATION = 0.05
#: Largest plan the GA takes on: its decoder picks each next activity by a linear scan
#: (quadratic in n) and a generation is not interrupted, so on larger plans one generation
#: could overrun the limit. Measured on generated plain plans (4 resources, one thread):
#: 0.16 ms per decoded list at 120 activities, 1.7 ms at 500, 12.8 ms at 2,000.
MAX_ACTIVITIES = 1000
#: Largest plan the full-model search takes on (its decoder finds each next activity with
#: a heap, so a decode costs about n log n plus the slots it scans).
MAX_FULL_ACTIVITIES = 3000
#: Max-lag repairs per decode of the full-model search (then the decode fails).
MAX_REPAIRS = 20
#: Double justifications per decoded list, at most (they stop when the makespan stalls).
ROUNDS = 4

log = logging.getLogger(__name__)


@dataclass(slots=True, frozen=True)
class Improvement:
    """What :func:`improve_schedule` found.

    Attributes
    ----------
    starts
        Activity id → start slot.
    backstop_hit
        True when a run with a schedule budget (``max_evals``) was stopped by the wall
        clock first (its result then depends on the machine's speed: not repeatable).
    evals
        Schedules decoded.
    """

    starts: dict[str, int]
    backstop_hit: bool = False
    evals: int = 0


def applicable(inst: Instance) -> bool:
    """True when the plan is a plain RCPSP: minimum distances only, constant capacities,
    no budgets, blackouts, release, due dates or fixed starts (then a serial SGS on
    resources and dependencies alone builds feasible schedules), of at most
    :data:`MAX_ACTIVITIES` activities."""
    plan = inst.plan
    if inst.n > MAX_ACTIVITIES:
        return False
    if plan.budgets or any(inst.forbidden):
        return False
    if any(e.hi is not None for e in inst.edges):
        return False
    if any(r.capacity_changes for r in plan.resources):
        return False
    return not any(
        a.release is not None or a.due is not None or a.fixed_start is not None
        for a in plan.activities
    )


def applicable_full(inst: Instance) -> bool:
    """True when the full-model search (``improve_schedule(full=True)``) takes the plan
    on: at most :data:`MAX_FULL_ACTIVITIES` activities."""
    return 0 < inst.n <= MAX_FULL_ACTIVITIES


def _csr(n: int, arcs: list[tuple[int, int, int]]) -> tuple[np.ndarray, ...]:
    """``(pptr, pidx, plag, sptr, sidx)`` of arcs ``(pred, succ, lag)``."""
    by_succ = sorted(arcs, key=lambda a: a[1])
    pptr = np.zeros(n + 1, np.int64)
    for _, s, _ in by_succ:
        pptr[s + 1] += 1
    by_pred = sorted(arcs, key=lambda a: a[0])
    sptr = np.zeros(n + 1, np.int64)
    for p, _, _ in by_pred:
        sptr[p + 1] += 1
    return (
        np.cumsum(pptr),
        np.array([a[0] for a in by_succ], np.int64),
        np.array([a[2] for a in by_succ], np.int64),
        np.cumsum(sptr),
        np.array([a[1] for a in by_pred], np.int64),
    )


class _Rcpsp:
    """Arrays of a plain RCPSP for the compiled kernels (see :mod:`scheduler.solver.ga`);
    decoded schedules longer than ``longest`` slots fail."""

    def __init__(self, inst: Instance, longest: int) -> None:
        n = inst.n
        self.n = n
        self.dur = np.array(inst.dur, np.int64)
        self.cap = np.array([r.capacity for r in inst.plan.resources], np.int64)
        dem = np.zeros((n, len(self.cap)), np.int64)
        for r, lst in enumerate(inst.res_demands):
            for i, amt in lst:
                dem[i, r] += amt
        self.dem = dem
        d = inst.dur
        fw = [(e.pred, e.succ, e.lo) for e in inst.edges]
        # reversed time: S'(p) >= S'(s) + lo + d_s - d_p
        bw = [(e.succ, e.pred, e.lo + d[e.succ] - d[e.pred]) for e in inst.edges]
        self.fw, self.bw = _csr(n, fw), _csr(n, bw)
        # schedules longer than ``longest`` are of no use: they fail (-1) instead
        width = min(sum(d) + sum(abs(a[2]) for a in fw + bw), longest) + 1
        self.free = np.zeros((len(self.cap), width), np.int64)
        from scheduler.solver import ga  # Numba: imported (and compiled) only when used

        self.ga = ga

    def decode(self, prio: np.ndarray) -> tuple[int, np.ndarray]:
        """Serial SGS on ``prio`` with double justification: (makespan, starts)."""
        start = np.zeros(self.n, np.int64)
        mk = self.ga.double_justify(
            prio.astype(np.float64),
            self.dur,
            self.dem,
            self.cap,
            self.fw,
            self.bw,
            self.free,
            start,
            ROUNDS,
        )
        return int(mk), start

    def order(self, start: np.ndarray, prio: np.ndarray) -> np.ndarray:
        """Activity list: start order of ``start``, ties by ``prio``."""
        return np.lexsort((prio, start)).astype(np.int64)

    def warm_up(self) -> None:
        self.ga.warm_up()

    def work(self) -> Any:
        """Scratch arrays of one thread."""
        return self.free.copy()

    def children_args(
        self, pop: np.ndarray, pop_mk: np.ndarray, k: int, out: np.ndarray,
        out_mk: np.ndarray, seed: int, work: Any,
    ) -> tuple[Any, ...]:  # fmt: skip
        """Arguments of :func:`scheduler.solver.ga.children` for ``k`` children."""
        return (
            pop, pop_mk, k, MUTATION, ROUNDS, self.dur, self.dem, self.cap, self.fw, self.bw,
            work, out, out_mk, seed,
        )  # fmt: skip

    def children(self, *args: Any) -> None:
        self.ga.children(*args)


class _Full:
    """Arrays of a plan with every constraint for the full-model kernels
    (:mod:`scheduler.solver.ga_full`); decoded schedules ending after ``longest``
    slots fail. Due dates are hard unless ``soft_due``."""

    def __init__(self, inst: Instance, longest: int, *, soft_due: bool = False) -> None:
        from scheduler.risk.arrays import PlanArrays
        from scheduler.solver import ga_full

        self.ga = ga_full
        plan = inst.plan
        n = inst.n
        self.n = n
        pa = PlanArrays.from_plan(plan)
        dur = np.array(inst.dur, np.int64)
        self.dur = dur
        width = max(int(longest), int(pa.last_event)) + int(dur.max(initial=0)) + 2
        cap = pa.capacity(width)
        n_b = len(plan.budgets)
        planned = np.zeros((n, n_b), np.int64)
        index = plan.activity_index()
        succ: list[list[int]] = [[] for _ in range(n)]
        preds: list[list[int]] = [[] for _ in range(n)]
        rev: list[list[tuple[int, int, int, int]]] = [[] for _ in range(n)]
        for dep in plan.dependencies:
            p, q = index[dep.predecessor], index[dep.successor]
            succ[p].append(q)
            preds[q].append(p)
            zero = dep.start_distance(0, 0)
            a_p = dep.start_distance(1, 0) - zero
            a_s = dep.start_distance(0, 1) - zero
            # reversed time: S'(p) - S'(q) >= lo + d_q - d_p, q the new predecessor
            rev[p].append((q, a_s + 1, a_p - 1, zero))

        def csr(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
            ptr = np.zeros(n + 1, np.int64)
            ptr[1:] = np.cumsum([len(r) for r in rows])
            return ptr, np.array([x for r in rows for x in r], np.int64)

        fout_ptr, fout_idx = csr(succ)
        bout_ptr, bout_idx = csr(preds)
        findeg = np.array([len(r) for r in preds], np.int64)
        bindeg = np.array([len(r) for r in succ], np.int64)
        r_ptr = np.zeros(n + 1, np.int64)
        r_ptr[1:] = np.cumsum([len(r) for r in rev])
        flat = [x for r in rev for x in r]
        r_cols = [np.array([f[c] for f in flat], np.int64) for c in range(4)]
        ml = [(e.pred, e.succ, e.hi) for e in inst.edges if e.hi is not None]
        fixed = np.array(
            [-1 if a.fixed_start is None else a.fixed_start for a in plan.activities], np.int64
        )
        big = np.iinfo(np.int64).max // 4
        due = np.array(
            [big if a.due is None or soft_due else a.due for a in plan.activities], np.int64
        )
        self.g = (
            dur, cap, planned, pa.snet.copy(), fout_ptr, fout_idx, findeg, bout_ptr, bout_idx,
            bindeg, np.array([m[0] for m in ml], np.int64), np.array([m[1] for m in ml], np.int64),
            np.array([m[2] for m in ml], np.int64), fixed, due, pa.b_start.copy(),
            pa.b_end.copy(), pa.bl_start.copy(), pa.bl_end.copy(), MAX_REPAIRS,
        )  # fmt: skip
        self._pa = pa
        self._rev = (r_ptr, *r_cols)

    def work(self) -> Any:
        """Scratch arrays of one thread (the plan tuples' work arrays included)."""
        pa = self._pa
        n = self.n
        fw = pa.kernel_tuple(np.zeros(n, np.int64))
        fw = (*fw[:6], pa.snet.copy(), *fw[7:])
        r_ptr, r_pred, r_ap, r_as, r_lag = self._rev
        bw = (
            np.zeros(n, np.int64), r_ptr, r_pred, r_ap, r_as, r_lag, np.zeros(n, np.int64),
            pa.dem_ptr, pa.dem_res, pa.dem_amt, pa.b_start.copy(), pa.b_end.copy(), pa.b_cap,
            pa.cost, pa.bl_ptr, pa.bl_start.copy(), pa.bl_end.copy(),
        )  # fmt: skip
        cap = self.g[1]
        n_b = self.g[2].shape[1]
        return (
            fw, bw, np.empty_like(cap), np.zeros_like(cap),
            np.full((cap.shape[0], cap.shape[1] + 1), -1, np.int64), np.zeros(n_b, np.int64),
            np.zeros(n_b, np.int64), np.full(n, -1, np.int64), np.zeros(n, np.bool_),
            np.zeros(n, np.int64), np.zeros(n, np.float64), np.zeros(n, np.int64),
        )  # fmt: skip

    def warm_up(self) -> None:
        self._w = self.work()
        self.ga.warm_up_full(self.g, self._w)

    def decode(self, prio: np.ndarray) -> tuple[int, np.ndarray]:
        """Full decode of ``prio`` with double justification: (makespan, starts)."""
        start = np.zeros(self.n, np.int64)
        mk = self.ga.decode_full(prio.astype(np.float64), self.g, self._w, start, ROUNDS)
        return int(mk), start

    def order(self, start: np.ndarray, prio: np.ndarray) -> np.ndarray:
        return np.lexsort((prio, start)).astype(np.int64)

    def children_args(
        self, pop: np.ndarray, pop_mk: np.ndarray, k: int, out: np.ndarray,
        out_mk: np.ndarray, seed: int, work: Any,
    ) -> tuple[Any, ...]:  # fmt: skip
        """Arguments of :func:`scheduler.solver.ga_full.children_full` for ``k`` children."""
        return (pop, pop_mk, k, MUTATION, ROUNDS, self.g, work, out, out_mk, seed)

    def children(self, *args: Any) -> None:
        self.ga.children_full(*args)


def improve_schedule(
    inst: Instance,
    starts: dict[str, int],
    es: list[int],
    ls: list[int],
    seconds: float,
    seed: int = 0,
    max_evals: int | None = None,
    workers: int = 1,
    backstop_s: float | None = None,
    full: bool = False,
    soft_due: bool = False,
) -> Improvement:
    """A schedule with makespan at most that of ``starts`` (plain RCPSP only).

    First population: ``starts`` itself and the serial SGS with the rules LST (latest
    start), LFT (latest finish), MTS (most total successors) and GRPW (greatest rank
    positional weight), then regret-biased random sampling around LFT, up to
    ``size = min(POPULATION, POPULATION_PER_ACTIVITY * n)`` lists. Then generations of
    the genetic algorithm (binary tournament, two-point crossover, adjacent-swap
    mutation), every schedule double-
    justified, the best ``size`` distinct lists surviving, until ``seconds``
    of wall time are used, the critical-path bound is met, :data:`STALL_GENERATIONS`
    generations found nothing shorter, or ``max_evals`` schedules were decoded.

    Parameters
    ----------
    inst
        The indexed plan; :func:`applicable` must hold.
    starts
        A feasible schedule (activity id → start slot) to beat.
    es, ls
        Earliest / latest start slots (CPM), shape ``(n,)``.
    seconds
        Wall-time budget (s), counted from the call: loading (or, on a checkout's first
        run, compiling) the kernels spends it too, so a cold cache shortens the search
        rather than the command overrunning its limit.
    seed
        Random seed of the sampling and of the genetic algorithm.
    max_evals
        Stop after this many decoded lists as well (repeatable runs: with a budget
        below what ``seconds`` allows, the result does not depend on the clock).
    workers
        Threads that decode children in parallel (the same result for any number, given
        the seed and the budget: each share of a generation has its own random stream).
    backstop_s
        With ``max_evals``: wall seconds after which the search stops anyway (default
        ``4 × seconds``); ``backstop_hit`` then says so.
    full
        Decode with every constraint of the plan (:mod:`scheduler.solver.ga_full`:
        budgets, blackouts, time-varying capacity, release, fixed starts, due dates,
        max lags) instead of the plain-RCPSP kernels; any plan of at most
        :data:`MAX_FULL_ACTIVITIES` activities.
    soft_due
        With ``full``: due dates are not enforced (the tardiness objective).

    Returns
    -------
    Improvement
        Starts (``starts`` itself when nothing better was found) and whether the
        wall-clock backstop stopped a budgeted run.
    """
    called = time.perf_counter()  # the wall clock counts from here, kernel load included
    n, dur = inst.n, inst.dur
    base = np.array([starts[i] for i in inst.ids], np.int64)
    base_mk = int(max(base + np.array(dur, np.int64), default=0))
    longest = 2 * base_mk + max(dur, default=0)
    rc: _Rcpsp | _Full = _Full(inst, longest, soft_due=soft_due) if full else _Rcpsp(inst, longest)
    # Compiles the kernels on the first run of a checkout (Numba's cache sits beside the
    # source), else loads them: inside the wall-clock budget (the command's limit is the
    # whole command's), outside the work budget of a repeatable run.
    rc.warm_up()
    t0 = time.perf_counter()
    best, best_mk = base, base_mk
    lb = max((es[i] + dur[i] for i in range(n)), default=0)
    if n == 0 or best_mk <= lb:
        return Improvement(dict(starts), False, 0)
    size = max(2, min(POPULATION, POPULATION_PER_ACTIVITY * n))
    if max_evals is None:
        deadline = called + seconds
    else:  # the clock as backstop
        deadline = called + (4 * seconds if backstop_s is None else backstop_s)
    rng = random.Random(seed)
    evals = 0
    hit = False

    succ_sets: list[set[int]] = [set() for _ in range(n)]
    fw_succ: list[list[int]] = [[] for _ in range(n)]
    for e in inst.edges:
        fw_succ[e.pred].append(e.succ)
    for i in reversed(inst.topo):
        for s in fw_succ[i]:
            succ_sets[i].add(s)
            succ_sets[i] |= succ_sets[s]
    lft = np.array([ls[i] + dur[i] for i in range(n)], np.float64)
    rules = [
        np.array(ls, np.float64),
        lft,
        np.array([-len(succ_sets[i]) for i in range(n)], np.float64),
        np.array([-(dur[i] + sum(dur[s] for s in fw_succ[i])) for i in range(n)], np.float64),
    ]
    spread = max(1.0, float(lft.max() - lft.min()))

    def budget_left() -> bool:
        nonlocal hit
        if max_evals is not None and evals >= max_evals:
            return False
        if time.perf_counter() >= deadline:
            if max_evals is not None and not hit:
                hit = True
                log.warning(
                    "the genetic algorithm hit its wall-clock backstop (%.1fs) after %d of "
                    "%d schedules: this run is not repeatable",
                    deadline - called,
                    evals,
                    max_evals,
                )
            return False
        return best_mk > lb

    def sample(k: int) -> np.ndarray:
        """Priority values of the ``k``-th list of a (re)started population."""
        if k < len(rules):
            return rules[k]
        w = spread * rng.choice((0.05, 0.1, 0.2, 0.4))  # regret-biased noise on LFT
        return lft + np.array([rng.random() for _ in range(n)]) * w

    def fill(lists: list[np.ndarray], mks: list[int], first: int) -> None:
        nonlocal best, best_mk, evals
        k = first
        while len(lists) < size and budget_left():
            prio = sample(k)
            k += 1
            mk, s = rc.decode(prio)
            evals += 1
            if mk < 0:
                continue
            lists.append(rc.order(s, prio))
            mks.append(mk)
            if mk < best_mk:
                best, best_mk = s, mk

    lists, mks = [rc.order(base, np.arange(n))], [base_mk]
    fill(lists, mks, 0)
    pop, pop_mk = np.array(lists, np.int64), np.array(mks, np.int64)

    gens = last_gain = 0
    n_thr = max(1, workers)
    out = np.empty((size, n), np.int64)
    out_mk = np.empty(size, np.int64)
    frees = [rc.work() for _ in range(PARTS)]
    pool = ThreadPoolExecutor(n_thr) if n_thr > 1 else None

    def breed(k: int) -> None:
        """``k`` children into ``out`` in :data:`PARTS` parts, each with its own random
        stream, run on the threads side by side (the kernel releases the GIL): the
        result depends neither on timing nor on the number of threads."""
        cuts = [k * w // PARTS for w in range(PARTS + 1)]
        parts: list[tuple[Any, ...]] = [
            rc.children_args(
                pop,
                pop_mk,
                cuts[w + 1] - cuts[w],
                out[cuts[w] : cuts[w + 1]],
                out_mk[cuts[w] : cuts[w + 1]],
                (seed * 7919 + gens * 131 + w) % 2**31,
                frees[w],
            )
            for w in range(PARTS)
            if cuts[w + 1] > cuts[w]
        ]
        if pool is None:
            for args in parts:
                rc.children(*args)
        else:
            for f in [pool.submit(rc.children, *args) for args in parts]:
                f.result()

    while budget_left() and gens - last_gain < STALL_GENERATIONS:
        if gens > last_gain and (gens - last_gain) % RESTART_GENERATIONS == 0:
            # restart: the best few lists survive, the rest are sampled afresh
            lists, mks = list(pop[:ELITE]), [int(m) for m in pop_mk[:ELITE]]
            fill(lists, mks, len(rules))
            pop, pop_mk = np.array(lists, np.int64), np.array(mks, np.int64)
        if max_evals is None:
            # a generation is not interrupted: breed no more children than the time left
            # allows at the decode rate seen so far
            rate = evals / max(time.perf_counter() - t0, 1e-6)
            k = min(size, int((deadline - time.perf_counter()) * rate))
            if k < PARTS:
                break
        else:
            k = min(size, max_evals - evals)
        breed(k)
        evals += k
        gens += 1
        ok = out_mk[:k] >= 0
        cand = np.concatenate([pop, out[:k][ok]])
        cand_mk = np.concatenate([pop_mk, out_mk[:k][ok]])
        _, first = np.unique(cand, axis=0, return_index=True)  # distinct lists only
        keep = first[np.argsort(cand_mk[first], kind="stable")][:size]
        pop, pop_mk = cand[keep], cand_mk[keep]
        if pop_mk[0] < best_mk:
            mk, sched = rc.decode(np.argsort(pop[0]).astype(np.float64))
            if 0 <= mk < best_mk:
                best, best_mk, last_gain = sched, mk, gens
    if pool is not None:
        pool.shutdown()
    log.info(
        "improvement: makespan %d -> %d, %d schedules in %d generations, %.2fs",
        base_mk,
        best_mk,
        evals,
        gens,
        time.perf_counter() - t0,
    )
    return Improvement({inst.ids[i]: int(best[i]) for i in range(n)}, hit, evals)
