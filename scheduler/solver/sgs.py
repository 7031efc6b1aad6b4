"""Constructive schedule: serial schedule-generation scheme with a priority rule.

Serial SGS (Kelley 1963; Kolisch 1996, "Serial and parallel resource-constrained
project scheduling methods revisited"): activities are taken one at a time, among
those whose predecessors are all scheduled, by the priority rule *minimum latest
start* (LST, from the backward pass of :meth:`Instance.start_bounds`), and each is
put at the earliest slot where its dependencies, resources (time-varying capacity),
budget caps (the solver's rounded-up spend rate), release and blackouts allow.
Fixed starts are placed first. A max lag that cannot be kept is repaired by
delaying the predecessor and starting over (a bounded number of times).
"""

from __future__ import annotations

import heapq
import logging

import numpy as np

from scheduler.model import Plan, period_spend
from scheduler.solver.data import Instance

__all__ = ["constructive_schedule", "sgs"]

log = logging.getLogger(__name__)

#: Restarts allowed to repair max lags before giving up.
MAX_REPAIRS = 40


def constructive_schedule(plan: Plan) -> dict[str, int] | None:
    """A fast feasible-where-possible schedule of ``plan`` (serial SGS, LST rule).

    Respects every dependency type with lag and max lag, resource capacity
    (time-varying), budget caps (rounded-up daily rate, as the CP-SAT model),
    release, fixed starts and blackouts. Due dates are soft here: a late
    activity is not delayed further, and :func:`check_schedule` reports it. The
    schedule may run past the horizon, in which case it is not feasible.

    Parameters
    ----------
    plan
        The plan (grid slots, integer money).

    Returns
    -------
    dict or None
        Activity id → start slot, or None when max lags could not be repaired
        (or the dependencies are cyclic).
    """
    try:
        inst = Instance.from_plan(plan)
    except ValueError:
        return None
    return sgs(inst)


def sgs(inst: Instance, horizon: int | None = None) -> dict[str, int] | None:
    """Serial SGS on an indexed plan; see :func:`constructive_schedule`.

    Parameters
    ----------
    inst
        The indexed plan.
    horizon
        Horizon for the latest-start priorities (slots); default the plan's.
    """
    plan = inst.plan
    hz = plan.horizon if horizon is None else horizon
    bounds = inst.start_bounds(hz, due=True)
    if bounds is None:
        bounds = inst.start_bounds(inst.relaxed_horizon(), due=False, fixed=False)
    if bounds is None:
        bounds = inst.start_bounds(inst.relaxed_horizon(), due=False, fixed=False, max_lag=False)
    if bounds is None:
        return None
    es, ls = bounds
    extra = [0] * inst.n
    for _ in range(MAX_REPAIRS):
        result = _one_pass(inst, es, ls, extra)
        if result is None:
            return None
        if isinstance(result, dict):
            return result
        pred, need = result
        extra[pred] = max(extra[pred], need)
    log.info("constructive schedule: max lags could not be repaired in %d passes", MAX_REPAIRS)
    return None


class Profiles:
    """Free capacity per resource and remaining budget, growable in time."""

    def __init__(self, inst: Instance, length: int) -> None:
        self.inst = inst
        self.length = 0
        self.free: list[np.ndarray] = [np.zeros(0, dtype=np.int64) for _ in inst.plan.resources]
        self.grow(length)
        self.budget_left = [b.cap for b in inst.plan.budgets]

    def grow(self, length: int) -> None:
        if length <= self.length:
            return
        new_len = max(length, 2 * self.length)
        for k, res in enumerate(self.inst.plan.resources):
            cap = np.full(new_len - self.length, res.capacity, dtype=np.int64)
            for s, v in res.capacity_changes:
                lo = max(s - self.length, 0)
                if lo < len(cap):
                    cap[lo:] = v
            self.free[k] = np.concatenate([self.free[k], cap])
        self.length = new_len

    def add(self, i: int, t: int, demands: list[tuple[int, int]], sign: int) -> None:
        """Give back (``sign=+1``) or take (``sign=-1``) activity ``i``'s use at start ``t``."""
        d = self.inst.dur[i]
        if d <= 0:
            return
        self.grow(t + d + 1)
        for r, amt in demands:
            self.free[r][t : t + d] += sign * amt
        cost = self.inst.costs[i]
        if cost:
            for k, b in enumerate(self.inst.plan.budgets):
                ov = max(0, min(t + d, b.end) - max(t, b.start))
                self.budget_left[k] += sign * period_spend(cost, d, ov)


def _one_pass(
    inst: Instance, es: list[int], ls: list[int], extra: list[int]
) -> dict[str, int] | tuple[int, int] | None:
    """One serial SGS pass; returns the starts, or ``(pred, slot)`` to repair a max lag."""
    plan = inst.plan
    n, dur, edges = inst.n, inst.dur, inst.edges
    act_dem: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for r, dem in enumerate(inst.res_demands):
        for i, amt in dem:
            act_dem[i].append((r, amt))
    limit = inst.relaxed_horizon() * 2 + 1000
    prof = Profiles(inst, plan.horizon + max(dur, default=0) + 1)
    start: list[int | None] = [None] * n

    def place(i: int, t: int) -> None:
        prof.add(i, t, act_dem[i], sign=-1)
        start[i] = t

    fixed = [a.fixed_start for a in plan.activities]
    for i in range(n):
        if fixed[i] is not None:
            place(i, fixed[i])  # type: ignore[arg-type]

    missing = [len(inst.in_edges[i]) for i in range(n)]
    heap = [(ls[i], es[i], i) for i in range(n) if missing[i] == 0]
    heapq.heapify(heap)
    while heap:
        _, _, j = heapq.heappop(heap)
        est = max(es[j], extra[j])
        ub: int | None = None
        bind = -1
        for k in inst.in_edges[j]:
            e = edges[k]
            sp = start[e.pred]
            assert sp is not None
            est = max(est, sp + e.lo)
            if e.hi is not None and (ub is None or sp + e.hi < ub):
                ub, bind = sp + e.hi, e.pred
        if fixed[j] is None:
            t = earliest_start(inst, prof, j, est, act_dem[j], limit)
            if t is None:
                return None
            if ub is not None and t > ub:
                e_hi = t - ub  # predecessor must move this much later
                sp = start[bind]
                assert sp is not None
                return (bind, sp + e_hi)
            place(j, t)
        for k in inst.out_edges[j]:
            s = edges[k].succ
            missing[s] -= 1
            if missing[s] == 0:
                heapq.heappush(heap, (ls[s], es[s], s))
    return {inst.ids[i]: int(start[i]) for i in range(n)}  # type: ignore[arg-type]


def earliest_start(
    inst: Instance,
    prof: Profiles,
    j: int,
    est: int,
    demands: list[tuple[int, int]],
    limit: int,
) -> int | None:
    """Earliest start in ``[est, limit)`` of activity ``j`` that resources, budgets and
    blackouts allow (``prof`` must not hold ``j`` itself), or None."""
    d = inst.dur[j]
    est = max(est, 0)
    if d == 0:
        return est
    cost = inst.costs[j]
    budgets = inst.plan.budgets
    forb = inst.forbidden[j]
    lo = inst.next_allowed(j, est)
    width = max(64, 4 * d)
    while lo < limit:
        hi = lo + width
        prof.grow(hi + d + 1)
        ok = np.ones(width, dtype=bool)
        for r, amt in demands:
            bad = (prof.free[r][lo : hi + d] < amt).astype(np.int32)
            cum = np.concatenate(([0], np.cumsum(bad)))
            ok &= (cum[d : d + width] - cum[:width]) == 0
        for flo, fhi in forb:
            if fhi >= lo and flo < hi:
                ok[max(flo - lo, 0) : min(fhi - lo + 1, width)] = False
        if cost:
            ts = np.arange(lo, hi, dtype=np.int64)
            for k, b in enumerate(budgets):
                if b.end <= lo or b.start >= hi + d:
                    continue
                ov = np.clip(np.minimum(ts + d, b.end) - np.maximum(ts, b.start), 0, None)
                ok &= -(-cost * ov // d) <= prof.budget_left[k]  # period_spend, vectorised
        idx = np.flatnonzero(ok)
        if idx.size:
            return lo + int(idx[0])
        lo = hi
        width *= 2
    return None
