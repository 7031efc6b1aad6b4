"""The plan as integer arrays for the solver, and CPM-like start bounds.

:class:`Instance` indexes a :class:`~scheduler.model.Plan` once (activities by
position) and turns every dependency into a *start-to-start distance*, so that
the forward/backward passes, the constructive schedule, the checker and the
CP-SAT model all read the same numbers.

Each dependency is one :class:`~scheduler.graph.Edge`, ``lo <= S(succ) - S(pred) <= hi``
(each type's inequality is stated in :meth:`scheduler.model.Dependency.start_distance`),
and the forward/backward passes are those of :class:`~scheduler.graph.DependencyGraph`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from scheduler.graph import CycleError, DependencyGraph, Edge, WindowError
from scheduler.model import Plan

__all__ = ["Edge", "Instance"]


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
    graph
        The :class:`~scheduler.graph.DependencyGraph` these four come from.
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
    graph: DependencyGraph
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: Plan) -> Instance:
        """Index ``plan``.

        Raises
        ------
        CycleError
            If the dependencies form a cycle, named in order (validation reports it
            earlier, at its rows).
        """
        acts = plan.activities
        index = {a.id: i for i, a in enumerate(acts)}
        dur = [a.duration for a in acts]
        graph = DependencyGraph.from_plan(plan)
        graph.require_acyclic()
        hits = plan.blackout_hits()
        forbidden: list[list[tuple[int, int]]] = []
        for a, bl in zip(acts, hits, strict=True):
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
            plan=plan,
            ids=[a.id for a in acts],
            dur=dur,
            edges=graph.edges,
            out_edges=graph.out_edges,
            in_edges=graph.in_edges,
            topo=graph.topo,
            forbidden=forbidden,
            blackout_hits=hits,
            res_demands=res_demands,
            costs=costs,
            graph=graph,
            index=index,
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
        try:
            es = self.graph.earliest(
                es, adjust=self.next_allowed if use_bl else None, upper=ls, max_lag=max_lag
            )
            ls = self.graph.latest(
                ls, adjust=self.prev_allowed if use_bl else None, lower=es, max_lag=max_lag
            )
        except (CycleError, WindowError):
            return None
        if any(es[i] > ls[i] for i in range(n)):
            return None
        return es, ls

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
