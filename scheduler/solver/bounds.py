"""Lower bounds of the makespan beyond the critical path: resource energy and budgets.

The critical-path bound (:meth:`scheduler.solver.data.Instance.start_bounds`, which
already pushes every chain past the blackouts of its activities) ignores resources and
money. On national plans the makespan is set by crews and fiscal-year caps, so the gap
to the critical path says little. Two more bounds, each valid for every feasible
schedule (so the largest of them is one too):

* **energy** (per resource, regional crews and national machines alike): the work
  ``E = sum(amount × duration)`` of the activities that use it cannot start before
  the earliest of their earliest starts ``h`` nor end later than the makespan less
  the shortest of their logic tails ``q``; in between at most ``c(t)`` units a slot
  are available, where ``c(t)`` is the capacity at ``t`` capped by what the
  activities not blacked out at ``t`` could use. The makespan is at least the first
  ``T`` with ``sum(c(t), h <= t < T - q) >= E`` (Baptiste, Le Pape & Nuijten 2001,
  energetic reasoning, in its simplest, whole-horizon form).
* **budget**: the money of the activities is paid as they run (evenly over their
  duration). If the makespan ``T`` falls in budget period ``k`` starting at ``a``
  and every slot before ``a`` lies in a budget period, then at most the caps of
  those periods were spent before ``a``; the rest, a share ``x_i`` of each activity,
  runs after ``a`` and within period ``k``'s cap, each activity for at most
  ``T - a`` slots and each resource within its capacity over ``T - a`` slots. The
  least such ``T - a`` is a small linear programme (solved with GLOP); the first
  period whose programme is feasible with ``T`` inside the period gives the bound.
  A slot before the makespan in no budget period is unlimited: the bound is then at
  most that slot.
"""

from __future__ import annotations

import math

import numpy as np

from scheduler.solver.data import Instance

__all__ = ["budget_bound", "energy_bound", "makespan_bounds"]

#: Budget bound: plans above this many activities skip the linear programme.
MAX_BUDGET_LP = 5000


def _tails(inst: Instance) -> list[int]:
    """Logic tail of each activity: least slots between its end and the makespan
    (dependencies with their lags only, so valid whatever dates and blackouts do)."""
    big = inst.relaxed_horizon()
    b = inst.start_bounds(
        big, due=False, release=False, fixed=False, blackouts=False, max_lag=False
    )
    if b is None:
        return [0] * inst.n
    return [max(0, big - b[1][i] - inst.dur[i]) for i in range(inst.n)]


def energy_bound(inst: Instance, es: list[int], tails: list[int] | None = None) -> int:
    """Largest per-resource energy bound of the makespan (slots; 0 without resources).

    Parameters
    ----------
    inst
        The indexed plan.
    es
        Earliest start of each activity (slots), shape ``(n,)``.
    tails
        Logic tail of each activity (default: computed).
    """
    plan = inst.plan
    tails = _tails(inst) if tails is None else tails
    length = inst.relaxed_horizon() + 1
    best = 0
    for r, res in enumerate(plan.resources):
        dem = [(i, a) for i, a in inst.res_demands[r] if inst.dur[i] > 0]
        if not dem:
            continue
        energy = sum(a * inst.dur[i] for i, a in dem)
        h = min(es[i] for i, _ in dem)
        q = min(tails[i] for i, _ in dem)
        cap = np.full(length, res.capacity, np.int64)
        for s, v in sorted(res.capacity_changes):
            if s < length:
                cap[max(s, 0) :] = v
        usable = np.full(length + 1, sum(a for _, a in dem), np.int64)
        diff = np.zeros(length + 1, np.int64)
        for i, a in dem:
            for b in inst.blackout_hits[i]:
                bo = plan.blackouts[b]
                lo, hi = max(0, bo.start), min(length, bo.end)
                if hi > lo:
                    diff[lo] += a
                    diff[hi] -= a
        usable -= np.cumsum(diff)
        avail = np.minimum(cap, usable[:length])
        avail[:h] = 0
        cum = np.cumsum(avail)
        k = int(np.searchsorted(cum, energy))  # first slot where the work is done
        if k >= length:
            continue  # cannot happen: the window is long enough for any plan
        best = max(best, k + 1 + q)
    return best


def budget_bound(inst: Instance, es: list[int]) -> int:
    """Budget bound of the makespan (slots; 0 without budgets or costs).

    Parameters
    ----------
    inst
        The indexed plan.
    es
        Earliest start of each activity (slots), shape ``(n,)``.
    """
    plan = inst.plan
    costs = inst.costs
    total = sum(costs)
    if not plan.budgets or total == 0 or inst.n > MAX_BUDGET_LP:
        return 0
    from ortools.linear_solver import pywraplp

    periods = sorted(plan.budgets, key=lambda b: (b.start, b.end))
    covered, spent_before = 0, 0
    for b in periods:
        if b.start > covered:
            return covered  # a slot in no period: money there is unlimited
        a = b.start
        if b.start < covered:  # overlapping periods: stop at what is safe
            return covered
        if total - spent_before > b.cap:  # the money left cannot fit this period's cap
            spent_before += b.cap
            covered = b.end
            continue
        lp = pywraplp.Solver.CreateSolver("GLOP")
        if lp is None:  # pragma: no cover - GLOP ships with OR-Tools
            return 0
        length = lp.NumVar(0.0, lp.infinity(), "L")
        xs = []
        for i in range(inst.n):
            d = inst.dur[i]
            lo = 1.0 if es[i] >= a else 0.0
            x = lp.NumVar(lo, 1.0, "")
            xs.append(x)
            if d > 0:
                lp.Add(d * x <= length)
        lp.Add(sum(costs[i] * (1 - xs[i]) for i in range(inst.n) if costs[i]) <= spent_before)
        lp.Add(sum(costs[i] * xs[i] for i in range(inst.n) if costs[i]) <= b.cap)
        for r, res in enumerate(plan.resources):
            dem = [(i, amt) for i, amt in inst.res_demands[r] if inst.dur[i] > 0]
            if not dem:
                continue
            cmax = max([res.capacity] + [v for s, v in res.capacity_changes])
            lp.Add(sum(amt * inst.dur[i] * xs[i] for i, amt in dem) <= cmax * length)
        lp.Minimize(length)
        if lp.Solve() == pywraplp.Solver.OPTIMAL:
            t = a + max(1, math.ceil(length.solution_value() - 1e-6))
            if t <= b.end:
                return t
        spent_before += b.cap
        covered = b.end
    return covered


def makespan_bounds(inst: Instance, es: list[int]) -> dict[str, int]:
    """The lower bounds of the makespan by name (slots): ``critical_path`` (with
    blackouts, release and fixed starts in ``es``), ``energy`` and ``budget``."""
    cp = max((es[i] + inst.dur[i] for i in range(inst.n)), default=0)
    return {
        "critical_path": cp,
        "energy": energy_bound(inst, es),
        "budget": budget_bound(inst, es),
    }
