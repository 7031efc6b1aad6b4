"""The plan as the flat arrays the compiled simulation kernel reads."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from scheduler.model import Plan, period_spend

__all__ = ["PlanArrays", "activity_list"]


def activity_list(plan: Plan, starts: dict[str, int]) -> np.ndarray:
    """A precedence-feasible order of the activities, earliest solved start first.

    Among the activities whose predecessors are all listed, the one with the
    smallest solved start (then the smallest position) comes next, so the list is
    the plan's own order wherever the dependencies allow it.

    Parameters
    ----------
    plan
        The plan.
    starts
        Solved start slot of each activity id (activities absent count as slot 0).

    Returns
    -------
    numpy.ndarray
        Activity positions, shape ``(n,)``.

    Raises
    ------
    ValueError
        If the dependencies contain a cycle (validation refuses such plans first).
    """
    index = plan.activity_index()
    n = len(plan.activities)
    succs: list[list[int]] = [[] for _ in range(n)]
    missing = [0] * n
    for dep in plan.dependencies:
        p, s = index[dep.predecessor], index[dep.successor]
        succs[p].append(s)
        missing[s] += 1
    key = [starts.get(a.id, 0) for a in plan.activities]
    heap = [(key[i], i) for i in range(n) if missing[i] == 0]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(i)
        for s in succs[i]:
            missing[s] -= 1
            if missing[s] == 0:
                heapq.heappush(heap, (key[s], s))
    if len(order) < n:
        raise ValueError("the dependencies contain a cycle")
    return np.array(order, dtype=np.int64)


def _csr(rows: list[list[tuple[int, ...]]], width: int) -> tuple[np.ndarray, list[np.ndarray]]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    for i, r in enumerate(rows):
        ptr[i + 1] = ptr[i] + len(r)
    flat = [x for r in rows for x in r]
    cols = [np.array([f[c] for f in flat], dtype=np.int64) for c in range(width)]
    return ptr, cols


@dataclass(slots=True)
class PlanArrays:
    """Dependencies, resources, budgets and blackouts as CSR / dense int64 arrays.

    Built once per plan; the capacity window ``T`` (slots) can be widened with
    :meth:`capacity` when an iteration runs past it.
    """

    in_ptr: np.ndarray
    in_pred: np.ndarray
    in_ap: np.ndarray
    in_as: np.ndarray
    in_lag: np.ndarray
    snet: np.ndarray
    dem_ptr: np.ndarray
    dem_res: np.ndarray
    dem_amt: np.ndarray
    b_start: np.ndarray
    b_end: np.ndarray
    b_cap: np.ndarray
    cost: np.ndarray
    bl_ptr: np.ndarray
    bl_start: np.ndarray
    bl_end: np.ndarray
    plan: Plan
    last_event: int

    @classmethod
    def from_plan(cls, plan: Plan) -> PlanArrays:
        """Flatten ``plan``.

        Each dependency becomes ``S(succ) - S(pred) >= a_p d_pred + a_s d_succ + lag``
        with ``a_p``, ``a_s`` read off :meth:`scheduler.model.Dependency.start_distance`.
        A committed (fixed) start counts as a start-no-earlier-than in simulation.
        """
        index = plan.activity_index()
        n = len(plan.activities)
        incoming: list[list[tuple[int, ...]]] = [[] for _ in range(n)]
        for dep in plan.dependencies:
            zero = dep.start_distance(0, 0)
            a_p = dep.start_distance(1, 0) - zero
            a_s = dep.start_distance(0, 1) - zero
            incoming[index[dep.successor]].append((index[dep.predecessor], a_p, a_s, zero))
        in_ptr, (in_pred, in_ap, in_as, in_lag) = _csr(incoming, 4)
        snet = np.zeros(n, dtype=np.int64)
        for i, a in enumerate(plan.activities):
            snet[i] = max(a.release or 0, a.fixed_start or 0)
        res_pos = {r.id: k for k, r in enumerate(plan.resources)}
        demands: list[list[tuple[int, ...]]] = [[] for _ in range(n)]
        for d in plan.demands:
            if d.amount > 0:
                demands[index[d.activity]].append((res_pos[d.resource], d.amount))
        dem_ptr, (dem_res, dem_amt) = _csr(demands, 2)
        windows: list[list[tuple[int, ...]]] = []
        for a in plan.activities:
            windows.append([(b.start, b.end) for b in plan.blackouts_of(a) if b.end > b.start])
        bl_ptr, (bl_start, bl_end) = _csr(windows, 2)
        points = [plan.horizon]
        points += [int(snet.max(initial=0))]
        points += [b.end for b in plan.blackouts] + [b.end for b in plan.budgets]
        points += [s for r in plan.resources for s, _ in r.capacity_changes]
        return cls(
            in_ptr=in_ptr,
            in_pred=in_pred,
            in_ap=in_ap,
            in_as=in_as,
            in_lag=in_lag,
            snet=snet,
            dem_ptr=dem_ptr,
            dem_res=dem_res,
            dem_amt=dem_amt,
            b_start=np.array([b.start for b in plan.budgets], dtype=np.int64),
            b_end=np.array([b.end for b in plan.budgets], dtype=np.int64),
            b_cap=np.array([b.cap for b in plan.budgets], dtype=np.int64),
            cost=np.array([a.cost if a.duration > 0 else 0 for a in plan.activities], np.int64),
            bl_ptr=bl_ptr,
            bl_start=bl_start,
            bl_end=bl_end,
            plan=plan,
            last_event=max(points),
        )

    def kernel_tuple(self, order: np.ndarray) -> tuple[np.ndarray, ...]:
        """The arrays :func:`scheduler.risk.kernel.simulate_batch` reads, in its order."""
        return (
            order,
            self.in_ptr,
            self.in_pred,
            self.in_ap,
            self.in_as,
            self.in_lag,
            self.snet,
            self.dem_ptr,
            self.dem_res,
            self.dem_amt,
            self.b_start,
            self.b_end,
            self.b_cap,
            self.cost,
            self.bl_ptr,
            self.bl_start,
            self.bl_end,
        )

    def planned_spend(self, starts: dict[str, int]) -> np.ndarray:
        """What each activity spends in each budget period in a schedule, shape ``(n, B)``.

        :func:`scheduler.model.period_spend` of the activity's cost over its overlap
        with the period at its start in ``starts`` (integer money units).
        """
        plan = self.plan
        out = np.zeros((len(plan.activities), len(plan.budgets)), dtype=np.int64)
        for i, a in enumerate(plan.activities):
            if a.duration <= 0 or not a.cost or a.id not in starts:
                continue
            t = starts[a.id]
            for k, b in enumerate(plan.budgets):
                overlap = max(0, min(t + a.duration, b.end) - max(t, b.start))
                out[i, k] = period_spend(a.cost, a.duration, overlap)
        return out

    def window(self, durations: np.ndarray) -> int:
        """A capacity window (slots) no serial schedule of ``durations`` can run past.

        Past the last slot that any date, blackout, budget period or capacity change
        names, activities can follow one another, so that slot plus every duration
        and every positive lag bounds any iteration's end.
        """
        lags = int(np.clip(self.in_lag, 0, None).sum())
        longest = int(durations.max(axis=0).sum()) if durations.size else 0
        return self.last_event + longest + lags + 2

    def capacity(self, length: int) -> np.ndarray:
        """Capacity of each resource at each slot ``[0, length)``, shape ``(R, length)``."""
        res = self.plan.resources
        cap = np.zeros((len(res), length), dtype=np.int64)
        for k, r in enumerate(res):
            cap[k, :] = r.capacity
            for s, v in sorted(r.capacity_changes):
                if s < length:
                    cap[k, max(s, 0) :] = v
        return cap
