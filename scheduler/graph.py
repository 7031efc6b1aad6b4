"""The dependency network as a graph: edges, order, named cycles and the start-time passes.

One engine for CPM (:mod:`scheduler.cpm`), the solver's start windows
(:meth:`scheduler.solver.data.Instance.start_bounds`) and the cycle checks of
:mod:`scheduler.validate`.

Edges
-----
Each :class:`~scheduler.model.Dependency` becomes one :class:`Edge`, a window on the
difference of the two start slots::

    lo <= S(succ) - S(pred) <= hi        (hi open when there is no max_lag)

``lo`` is :meth:`Dependency.start_distance`, where each type's inequality is stated
(FS: ``S(succ) >= E(pred) + lag``, SS, FF, SF), and ``hi = lo + (max_lag - lag)``.
Activities are their positions in ``plan.activities``; times are grid slots.

Passes
------
:meth:`DependencyGraph.earliest` raises start slots to the least values that satisfy
every window (a longest path, CPM's forward pass; Kelley & Walker 1959), and
:meth:`DependencyGraph.latest` lowers them to the greatest (the backward pass). The
lower bounds ``lo`` are applied in one sweep of the topological order; a ``max_lag``
(the reverse bound ``S(pred) >= S(succ) - hi``, RCPSP/max; Bartusch, Möhring &
Radermacher 1988) or a cycle of the dependencies adds label-correcting rounds
(FIFO Bellman–Ford) until no start moves. A cycle of positive length (max lags that
contradict the lags) has no solution and is named; a start that passes a given
bound (a window that closed) is reported too.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import networkx as nx

from scheduler.model import Dependency, Plan

__all__ = [
    "Adjust",
    "CycleError",
    "DependencyGraph",
    "Edge",
    "WindowError",
    "find_cycles",
    "named",
    "topological_order",
]

#: ``adjust(i, t)``: the nearest allowed start of activity ``i`` from slot ``t`` on, in
#: the pass's direction (later for :meth:`DependencyGraph.earliest`, earlier for
#: :meth:`DependencyGraph.latest`); monotone in ``t``. Used for blackouts.
Adjust = Callable[[int, int], int]
N = TypeVar("N", bound=Hashable)
_Adjacency = list[list[tuple[int, int]]]


@dataclass(slots=True)
class Edge:
    """One dependency as start distances: ``lo <= S(succ) - S(pred) <= hi``.

    Attributes
    ----------
    pred, succ
        Activity positions.
    lo, hi
        Least and greatest ``S(succ) - S(pred)`` in slots; ``hi`` is None without a
        ``max_lag``.
    dep
        The dependency.
    index
        Its position in ``plan.dependencies``.
    """

    pred: int
    succ: int
    lo: int
    hi: int | None
    dep: Dependency
    index: int

    @classmethod
    def of(
        cls, dep: Dependency, index: int, pred: int, succ: int, d_pred: int, d_succ: int
    ) -> Edge:
        """The edge of ``dep`` between positions ``pred`` and ``succ`` (durations in slots)."""
        lo = dep.start_distance(d_pred, d_succ)
        hi = None if dep.max_lag is None else lo + (dep.max_lag - dep.lag)
        return cls(pred, succ, lo, hi, dep, index)

    def slack(self, s_pred: int, s_succ: int) -> int:
        """Slots by which the lower bound holds at these starts (0: it drives; < 0: violated)."""
        return s_succ - s_pred - self.lo


class CycleError(ValueError):
    """Dependencies that cannot all hold, because of a cycle.

    Attributes
    ----------
    cycle
        Activity ids of the cycle in order (the first is not repeated at the end).
    """

    def __init__(self, message: str, cycle: Sequence[str]) -> None:
        self.cycle = list(cycle)
        super().__init__(message)


class WindowError(ValueError):
    """An activity's earliest start passed its latest: the start window closed.

    Attributes
    ----------
    activity
        The activity's id.
    """

    def __init__(self, message: str, activity: str) -> None:
        self.activity = activity
        super().__init__(message)


def named(cycle: Sequence[str]) -> str:
    """``"A → B → C → A"``: a cycle's ids in order, back to the first."""
    return " → ".join([*cycle, cycle[0]]) if cycle else ""


def topological_order(n: int, pairs: Iterable[tuple[int, int]]) -> tuple[list[int], bool]:
    """Kahn's order of nodes ``0 .. n-1`` under ``(before, after)`` pairs.

    Nodes without predecessors are taken in index order, then first in, first out.

    Returns
    -------
    order, acyclic
        Every node once; when the pairs contain a cycle (``acyclic`` False), the nodes
        Kahn's algorithm could not place follow in index order.
    """
    indeg = [0] * n
    succ: list[list[int]] = [[] for _ in range(n)]
    for u, v in pairs:
        indeg[v] += 1
        succ[u].append(v)
    order = [i for i in range(n) if indeg[i] == 0]
    head = 0
    while head < len(order):
        u = order[head]
        head += 1
        for v in succ[u]:
            indeg[v] -= 1
            if indeg[v] == 0:
                order.append(v)
    if len(order) == n:
        return order, True
    placed = set(order)
    order.extend(i for i in range(n) if i not in placed)
    return order, False


def find_cycles(edges: Iterable[tuple[N, N, int]]) -> list[list[tuple[N, N, int]]]:
    """One cycle per strongly connected component of a directed graph, in order.

    Parameters
    ----------
    edges
        ``(before, after, key)`` triples, e.g. a dependency and its row; of repeated
        pairs the lowest key is kept. Self-loops are left out.

    Returns
    -------
    list of cycles
        For each strongly connected component with more than one node (networkx,
        Tarjan's algorithm), one of its cycles as ``(before, after, key)`` edges that
        follow each other, starting at the edge with the lowest key; cycles sorted by
        that key. Empty when the graph is acyclic.
    """
    graph: nx.DiGraph = nx.DiGraph()
    for u, v, key in edges:
        if u == v:
            continue
        if graph.has_edge(u, v):
            graph[u][v]["key"] = min(graph[u][v]["key"], key)
        else:
            graph.add_edge(u, v, key=key)
    found: list[list[tuple[N, N, int]]] = []
    for comp in nx.strongly_connected_components(graph):
        if len(comp) < 2:
            continue
        sub = graph.subgraph(comp)
        first = min(sub.edges(data="key"), key=lambda e: e[2])
        cycle = [(u, v, graph[u][v]["key"]) for u, v, *_ in nx.find_cycle(sub, source=first[0])]
        k = min(range(len(cycle)), key=lambda i: cycle[i][2])
        found.append(cycle[k:] + cycle[:k])
    found.sort(key=lambda c: c[0][2])
    return found


class DependencyGraph:
    """The dependencies of a plan as :class:`Edge` between activity positions.

    Parameters
    ----------
    ids
        Activity ids, shape ``(n,)``.
    durations
        Activity durations (slots), shape ``(n,)``.
    dependencies
        The dependencies; every id they name must be in ``ids``.

    Attributes
    ----------
    ids, dur, edges
        As given, and one :class:`Edge` per dependency (same order).
    out_edges, in_edges
        Per activity, positions in ``edges`` of the edges out of and into it.
    topo, acyclic
        :func:`topological_order` of the dependencies, and whether it is complete.
    has_max_lag
        Whether any dependency has a ``max_lag``.

    Raises
    ------
    KeyError
        If a dependency names an id not in ``ids``.
    """

    def __init__(
        self, ids: Sequence[str], durations: Sequence[int], dependencies: Sequence[Dependency]
    ) -> None:
        self.ids = list(ids)
        self.dur = list(durations)
        n = len(self.ids)
        index = {a: i for i, a in enumerate(self.ids)}
        self.edges: list[Edge] = []
        self.out_edges: list[list[int]] = [[] for _ in range(n)]
        self.in_edges: list[list[int]] = [[] for _ in range(n)]
        for k, dep in enumerate(dependencies):
            p, s = index[dep.predecessor], index[dep.successor]
            self.edges.append(Edge.of(dep, k, p, s, self.dur[p], self.dur[s]))
            self.out_edges[p].append(k)
            self.in_edges[s].append(k)
        self.topo, self.acyclic = topological_order(n, ((e.pred, e.succ) for e in self.edges))
        self.has_max_lag = any(e.hi is not None for e in self.edges)
        self._adjacency: dict[tuple[bool, bool], _Adjacency] = {}

    @classmethod
    def from_plan(cls, plan: Plan) -> DependencyGraph:
        """The graph of ``plan.dependencies`` over ``plan.activities``."""
        acts = plan.activities
        return cls([a.id for a in acts], [a.duration for a in acts], plan.dependencies)

    @property
    def n(self) -> int:
        """Number of activities."""
        return len(self.ids)

    # -- cycles ------------------------------------------------------------------------------
    def cycle(self) -> list[str]:
        """A cycle of the dependencies, ids in order from its first-listed dependency.

        Returns
        -------
        list[str]
            Empty when the dependencies are acyclic.
        """
        if self.acyclic:
            return []
        triples = ((e.pred, e.succ, e.index) for e in self.edges)
        first = find_cycles(triples)[0]
        return [self.ids[u] for u, _, _ in first]

    def require_acyclic(self) -> None:
        """Raise unless the dependencies are acyclic.

        Raises
        ------
        CycleError
            ``"the dependencies contain a cycle: A → B → A"``.
        """
        cycle = self.cycle()
        if cycle:
            raise CycleError(f"the dependencies contain a cycle: {named(cycle)}", cycle)

    # -- passes ------------------------------------------------------------------------------
    def earliest(
        self,
        init: Sequence[int],
        *,
        adjust: Adjust | None = None,
        pinned: Sequence[bool] | None = None,
        upper: Sequence[int] | None = None,
        max_lag: bool = True,
    ) -> list[int]:
        """Forward pass: the least starts ``>= init`` that satisfy every edge.

        Parameters
        ----------
        init
            Lower bound of each start before the dependencies (slots), shape ``(n,)``.
        adjust
            Moves a start later to an allowed slot (blackouts); applied to ``init`` too.
        pinned
            Activities whose start stays at ``init`` (edges into them are not applied).
        upper
            Latest allowed start of each activity; passing it raises :class:`WindowError`.
        max_lag
            Apply the upper bounds ``hi`` (as ``S(pred) >= S(succ) - hi``).

        Returns
        -------
        list[int]
            Earliest start slots, shape ``(n,)``.

        Raises
        ------
        CycleError
            On a cycle of positive length (max lags that contradict the lags), named.
        WindowError
            When a start passes ``upper`` (checked in the label-correcting rounds).
        """
        values = list(init)
        if adjust is not None:
            values = [v if pinned and pinned[i] else adjust(i, v) for i, v in enumerate(values)]
        self._raise(values, False, max_lag, adjust, pinned, upper)
        return values

    def latest(
        self,
        init: Sequence[int],
        *,
        adjust: Adjust | None = None,
        pinned: Sequence[bool] | None = None,
        lower: Sequence[int] | None = None,
        max_lag: bool = True,
    ) -> list[int]:
        """Backward pass: the greatest starts ``<= init`` that satisfy every edge.

        Parameters
        ----------
        init
            Upper bound of each start before the dependencies (slots), shape ``(n,)``.
        adjust
            Moves a start earlier to an allowed slot (blackouts); applied to ``init`` too.
        pinned
            Activities whose start stays at ``init``.
        lower
            Earliest allowed start of each activity; passing it raises :class:`WindowError`.
        max_lag
            Apply the upper bounds ``hi`` (as ``S(succ) <= S(pred) + hi``).

        Returns
        -------
        list[int]
            Latest start slots, shape ``(n,)``.

        Raises
        ------
        CycleError, WindowError
            As :meth:`earliest`.
        """
        # the backward pass is the forward pass of -S on the reversed edges
        values = [-v for v in init]
        neg: Adjust | None = None
        if adjust is not None:
            down = adjust

            def neg(i: int, t: int) -> int:
                return -down(i, -t)

            values = [v if pinned and pinned[i] else neg(i, v) for i, v in enumerate(values)]
        bound = None if lower is None else [-v for v in lower]
        self._raise(values, True, max_lag, neg, pinned, bound)
        return [-v for v in values]

    def _adj(self, backward: bool, full: bool) -> _Adjacency:
        """Out-lists ``(target, weight)`` for a pass: ``value[target] >= value[u] + weight``.

        Forward: ``lo`` from pred to succ, then (``full``) ``-hi`` from succ to pred.
        Backward (values negated): ``lo`` from succ to pred, then ``-hi`` pred to succ.
        """
        key = (backward, full)
        if key not in self._adjacency:
            edges = self.edges
            first, second = (
                (self.in_edges, self.out_edges) if backward else (self.out_edges, self.in_edges)
            )
            adj: _Adjacency = []
            for u in range(self.n):
                row = [
                    (edges[k].pred if backward else edges[k].succ, edges[k].lo) for k in first[u]
                ]
                if full:
                    for k in second[u]:
                        e = edges[k]
                        if e.hi is not None:
                            row.append((e.succ if backward else e.pred, -e.hi))
                adj.append(row)
            self._adjacency[key] = adj
        return self._adjacency[key]

    def _raise(
        self,
        values: list[int],
        backward: bool,
        max_lag: bool,
        adjust: Adjust | None,
        pinned: Sequence[bool] | None,
        upper: Sequence[int] | None,
    ) -> None:
        """Raise ``values`` in place to the least fixpoint of ``v[t] >= adjust(v[u] + w)``."""
        n = self.n
        rounds = not self.acyclic or (max_lag and self.has_max_lag)
        dag = self._adj(backward, False)
        full = self._adj(backward, max_lag and self.has_max_lag)
        if pinned is not None and any(pinned):
            dag = [[(v, w) for v, w in row if not pinned[v]] for row in dag]
            full = [[(v, w) for v, w in row if not pinned[v]] for row in full]
        parent = [-1] * n
        order = reversed(self.topo) if backward else self.topo
        for u in order:
            vu = values[u]
            for v, w in dag[u]:
                c = vu + w
                if c > values[v]:
                    values[v] = adjust(v, c) if adjust is not None else c
                    parent[v] = u
        if not rounds:
            return
        queue = deque(range(n))
        waiting = [True] * n
        count = [0] * n
        while queue:
            u = queue.popleft()
            waiting[u] = False
            if upper is not None and values[u] > upper[u]:
                es, ls = (-upper[u], -values[u]) if backward else (values[u], upper[u])
                raise WindowError(
                    f"the start window of {self.ids[u]} is empty: earliest start {es} is "
                    f"after latest start {ls}",
                    self.ids[u],
                )
            count[u] += 1
            if count[u] > n + 2:
                cycle = _parent_cycle(parent) or [u]
                if backward:
                    cycle.reverse()
                ids = [self.ids[i] for i in cycle]
                raise CycleError(
                    "dependencies form a cycle with positive length (max_lag contradicts "
                    f"lags): {named(ids)}",
                    ids,
                )
            vu = values[u]
            for v, w in full[u]:
                c = vu + w
                if adjust is not None:
                    c = adjust(v, c)
                if c > values[v]:
                    values[v] = c
                    parent[v] = u
                    if not waiting[v]:
                        waiting[v] = True
                        queue.append(v)


def _parent_cycle(parent: Sequence[int]) -> list[int]:
    """A cycle of the ``parent`` links (a functional graph) in edge order, or ``[]``.

    In label-correcting longest-path rounds a cycle of parent links appears only when
    the network has a positive cycle (Tarjan's subtree-disassembly argument).
    """
    n = len(parent)
    state = [0] * n  # 0 new, 1 on the current walk, 2 done
    for v0 in range(n):
        if state[v0]:
            continue
        walk = []
        v = v0
        while v >= 0 and state[v] == 0:
            state[v] = 1
            walk.append(v)
            v = parent[v]
        if v >= 0 and state[v] == 1:
            cycle = walk[walk.index(v) :]
            cycle.reverse()
            return cycle
        for u in walk:
            state[u] = 2
    return []
