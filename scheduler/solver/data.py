"""The plan as integer arrays for the solver, and CPM-like start bounds.

:class:`Instance` indexes a :class:`~scheduler.model.Plan` once (activities by
position) and turns every dependency into a *start-to-start distance*, so that
the forward/backward passes, the constructive schedule, the checker and the
CP-SAT model all read the same numbers.

With ``S``/``E = S + d`` the start and exclusive end slot, each dependency type
is one inequality on the two starts (``d_p``, ``d_s`` the durations)::

    FS: S(s) >= E(p) + lag   <=>  S(s) - S(p) >= d_p + lag
    SS: S(s) >= S(p) + lag   <=>  S(s) - S(p) >= lag
    FF: E(s) >= E(p) + lag   <=>  S(s) - S(p) >= d_p - d_s + lag
    SF: E(s) >= S(p) + lag   <=>  S(s) - S(p) >= -d_s + lag

``max_lag`` bounds the same difference from above: ``S(s) - S(p) <= delta + (max_lag - lag)``.
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass, field

from scheduler.model import Dependency, Plan

__all__ = ["Edge", "Instance"]


@dataclass(slots=True)
class Edge:
    """One dependency as start distances: ``lo <= S(succ) - S(pred) <= hi`` (hi None = open)."""

    pred: int
    succ: int
    lo: int
    hi: int | None
    dep: Dependency
    index: int


@dataclass(slots=True)
class Instance:
    """Integer view of a plan, indexed by activity position.

    Attributes
    ----------
    ids, dur
        Activity ids and durations (slots), shape ``(n,)``.
    edges, out_edges, in_edges
        Dependencies as :class:`Edge` and their adjacency (edge positions).
    topo
        Activity positions in a topological order of the dependency graph.
    forbidden
        Per activity, sorted merged closed ranges ``[lo, hi]`` of forbidden start
        slots from blackouts: an activity of duration ``d > 0`` may not start in
        ``(a - d, b)`` for a blackout ``[a, b)``.
    res_demands
        Per resource position, ``[(activity, amount), ...]`` with amount > 0.
    costs
        Money of each activity spread over its slots (0 for milestones); a budget
        period counts :func:`scheduler.model.period_spend` of it.
    """

    plan: Plan
    ids: list[str]
    dur: list[int]
    edges: list[Edge]
    out_edges: list[list[int]]
    in_edges: list[list[int]]
    topo: list[int]
    forbidden: list[list[tuple[int, int]]]
    blackout_hits: list[list[int]]
    res_demands: list[list[tuple[int, int]]]
    costs: list[int]
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: Plan) -> Instance:
        """Index ``plan``.

        Raises
        ------
        ValueError
            If the dependencies form a cycle (validation reports it earlier, with names).
        """
        acts = plan.activities
        n = len(acts)
        index = {a.id: i for i, a in enumerate(acts)}
        dur = [a.duration for a in acts]
        edges: list[Edge] = []
        out_e: list[list[int]] = [[] for _ in range(n)]
        in_e: list[list[int]] = [[] for _ in range(n)]
        for k, dep in enumerate(plan.dependencies):
            p, s = index[dep.predecessor], index[dep.successor]
            lo = dep.start_distance(dur[p], dur[s])
            hi = None if dep.max_lag is None else lo + (dep.max_lag - dep.lag)
            edges.append(Edge(p, s, lo, hi, dep, k))
            out_e[p].append(len(edges) - 1)
            in_e[s].append(len(edges) - 1)
        # Kahn's algorithm
        indeg = [len(in_e[i]) for i in range(n)]
        queue = deque(i for i in range(n) if indeg[i] == 0)
        topo: list[int] = []
        while queue:
            i = queue.popleft()
            topo.append(i)
            for e in out_e[i]:
                s = edges[e].succ
                indeg[s] -= 1
                if indeg[s] == 0:
                    queue.append(s)
        if len(topo) < n:
            raise ValueError("the dependencies contain a cycle")
        forbidden: list[list[tuple[int, int]]] = []
        hits: list[list[int]] = []
        by_scope: dict[str, list[int]] = {}
        for b, bo in enumerate(plan.blackouts):
            by_scope.setdefault(bo.scope, []).append(b)
        for a in acts:
            keys = {a.sector, a.id, *a.regions} - {""}
            bl = sorted({b for key in keys for b in by_scope.get(key, [])})
            hits.append(bl)
            ranges = []
            if a.duration > 0:
                for b in bl:
                    bo = plan.blackouts[b]
                    if bo.end > bo.start:
                        ranges.append((bo.start - a.duration + 1, bo.end - 1))
            forbidden.append(_merge(ranges))
        res_pos = {r.id: k for k, r in enumerate(plan.resources)}
        res_demands: list[list[tuple[int, int]]] = [[] for _ in plan.resources]
        for d in plan.demands:
            if d.amount > 0 and dur[index[d.activity]] > 0:
                res_demands[res_pos[d.resource]].append((index[d.activity], d.amount))
        costs = [a.cost if a.duration > 0 else 0 for a in acts]
        return cls(
            plan,
            [a.id for a in acts],
            dur,
            edges,
            out_e,
            in_e,
            topo,
            forbidden,
            hits,
            res_demands,
            costs,
            index,
        )

    @property
    def n(self) -> int:
        """Number of activities."""
        return len(self.ids)

    # -- blackouts --------------------------------------------------------------------------
    def next_allowed(self, i: int, t: int) -> int:
        """Smallest start slot ``>= t`` of activity ``i`` outside its blackouts."""
        rng = self.forbidden[i]
        if not rng:
            return t
        k = bisect.bisect_right(rng, (t, 1 << 62)) - 1
        if k >= 0 and rng[k][0] <= t <= rng[k][1]:
            return rng[k][1] + 1
        return t

    def prev_allowed(self, i: int, t: int) -> int:
        """Largest start slot ``<= t`` of activity ``i`` outside its blackouts."""
        rng = self.forbidden[i]
        if not rng:
            return t
        k = bisect.bisect_right(rng, (t, 1 << 62)) - 1
        if k >= 0 and rng[k][0] <= t <= rng[k][1]:
            return rng[k][0] - 1
        return t

    # -- CPM-like bounds -------------------------------------------------------------------
    def start_bounds(
        self,
        horizon: int,
        *,
        due: bool = True,
        release: bool = True,
        fixed: bool = True,
        blackouts: bool = True,
        max_lag: bool = True,
    ) -> tuple[list[int], list[int]] | None:
        """Earliest and latest start slots (forward and backward pass).

        A longest-path computation on the start distances of :class:`Edge`
        (CPM, Kelley & Walker 1959, generalised to RCPSP/max with a label-correcting
        pass when max lags make cycles), also honouring release, fixed starts,
        blackout windows, due dates and the horizon when asked.

        Parameters
        ----------
        horizon
            Every activity must end at or before this slot.
        due, release, fixed, blackouts, max_lag
            Which optional constraints to take into account.

        Returns
        -------
        (es, ls) or None
            Two lists of shape ``(n,)`` (slots), or None when the bounds cross, i.e.
            the constraints taken into account cannot all hold (resources ignored).
        """
        plan = self.plan
        n, dur = self.n, self.dur
        es = [0] * n
        ls = [horizon - dur[i] for i in range(n)]
        for i, a in enumerate(plan.activities):
            if release and a.release is not None:
                es[i] = max(es[i], a.release)
            if fixed and a.fixed_start is not None:
                es[i] = max(es[i], a.fixed_start)
                ls[i] = min(ls[i], a.fixed_start)
            if due and a.due is not None:
                ls[i] = min(ls[i], a.due - dur[i])
        use_bl = blackouts and any(self.forbidden)
        adjust_up = self.next_allowed if use_bl else (lambda i, t: t)
        adjust_down = self.prev_allowed if use_bl else (lambda i, t: t)
        for i in range(n):
            es[i] = adjust_up(i, es[i])
            ls[i] = adjust_down(i, ls[i])
        edges = self.edges
        # exact pass on the DAG of minimum distances
        for i in self.topo:
            for k in self.out_edges[i]:
                e = edges[k]
                v = es[i] + e.lo
                if v > es[e.succ]:
                    es[e.succ] = adjust_up(e.succ, v)
        for i in reversed(self.topo):
            for k in self.in_edges[i]:
                e = edges[k]
                v = ls[i] - e.lo
                if v < ls[e.pred]:
                    ls[e.pred] = adjust_down(e.pred, v)
        has_max = max_lag and any(e.hi is not None for e in edges)
        if has_max and not self._fixpoint(es, ls, adjust_up, adjust_down, max_lag):
            return None
        if any(es[i] > ls[i] for i in range(n)):
            return None
        return es, ls

    def _fixpoint(self, es, ls, adjust_up, adjust_down, max_lag) -> bool:  # type: ignore[no-untyped-def]
        """Label-correcting passes (both directions) until no bound moves.

        Returns False when a bound crosses (a positive cycle or an over-tight window).
        """
        n, edges = self.n, self.edges
        # forward: raise es
        queue = deque(range(n))
        inq = [True] * n
        count = [0] * n
        while queue:
            i = queue.popleft()
            inq[i] = False
            if es[i] > ls[i]:
                return False
            count[i] += 1
            if count[i] > n + 2:
                return False
            for k in self.out_edges[i]:
                e = edges[k]
                v = adjust_up(e.succ, es[i] + e.lo)
                if v > es[e.succ]:
                    es[e.succ] = v
                    if not inq[e.succ]:
                        inq[e.succ] = True
                        queue.append(e.succ)
            if max_lag:
                for k in self.in_edges[i]:
                    e = edges[k]
                    if e.hi is not None:  # S(p) >= S(s) - hi
                        v = adjust_up(e.pred, es[i] - e.hi)
                        if v > es[e.pred]:
                            es[e.pred] = v
                            if not inq[e.pred]:
                                inq[e.pred] = True
                                queue.append(e.pred)
        queue = deque(range(n))
        inq = [True] * n
        count = [0] * n
        while queue:
            i = queue.popleft()
            inq[i] = False
            if es[i] > ls[i]:
                return False
            count[i] += 1
            if count[i] > n + 2:
                return False
            for k in self.in_edges[i]:
                e = edges[k]
                v = adjust_down(e.pred, ls[i] - e.lo)
                if v < ls[e.pred]:
                    ls[e.pred] = v
                    if not inq[e.pred]:
                        inq[e.pred] = True
                        queue.append(e.pred)
            if max_lag:
                for k in self.out_edges[i]:
                    e = edges[k]
                    if e.hi is not None:  # S(s) <= S(p) + hi
                        v = adjust_down(e.succ, ls[i] + e.hi)
                        if v < ls[e.succ]:
                            ls[e.succ] = v
                            if not inq[e.succ]:
                                inq[e.succ] = True
                                queue.append(e.succ)
        return True

    def relaxed_horizon(self) -> int:
        """A horizon long enough for any plan with the horizon and due dates lifted (slots).

        The latest date any input names (release, fixed start, blackout, budget period,
        the plan horizon) plus every duration and every positive lag: past that slot no
        time-dependent constraint remains, so activities can run one after another.
        """
        plan = self.plan
        points = [plan.horizon]
        for a in plan.activities:
            points += [a.release or 0, (a.fixed_start or 0) + a.duration]
        points += [b.end for b in plan.blackouts] + [b.end for b in plan.budgets]
        for r in plan.resources:
            points += [s for s, _ in r.capacity_changes]
        lags = sum(max(0, e.dep.lag) + max(0, e.dep.max_lag or 0) for e in self.edges)
        return max(points) + sum(self.dur) + lags + 1


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge closed integer ranges into sorted disjoint ones."""
    if not ranges:
        return []
    ranges.sort()
    out = [ranges[0]]
    for lo, hi in ranges[1:]:
        plo, phi = out[-1]
        if lo <= phi + 1:
            out[-1] = (plo, max(phi, hi))
        else:
            out.append((lo, hi))
    return out
