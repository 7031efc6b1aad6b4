"""Plan float: how far each activity can slip in the *solved* plan without moving its finish.

The logic float of :mod:`scheduler.cpm` (P6's total float) looks at the dependencies
alone; in a leveled plan an activity with 120 days of logic float may still fix the
finish through a crew it hands on to the next activity. Plan float answers the
planner's question for the plan as solved: *if this activity slips, by how many days
can it slip before the plan's finish moves or the plan breaks a capacity, a budget cap,
a blackout, a due date or a fixed start?* (SPEC §4; issue 10, item 5.)

Method
------
The solved schedule is turned into a network of start-time windows, a *resource flow
network* (Artigues, Michelon & Reusser 2003, "Insertion techniques for static and
dynamic resource-constrained project scheduling", EJOR 149; the "resource-constrained
float" of Bowers 1995, JORS 46):

* **logic edges**: every dependency, ``lo <= S(succ) - S(pred) <= hi``
  (:class:`scheduler.graph.Edge`; ``max_lag`` gives ``hi``);
* **flow arcs**: for each resource, its units are handed from activities that end to
  activities that start (:func:`resource_flow`); an arc ``i → j`` carrying units is the
  inequality ``S(j) >= E(i)`` (an FS link with lag 0). Any schedule that keeps every
  logic edge and every flow arc keeps every capacity, because each running activity
  holds units no one else holds at that time (Artigues et al. 2003, §2). A capacity that
  varies over time is a pinned block holding the missing units over each step below the
  resource's largest capacity, so no activity is moved into a lower step;
* **upper bounds**: the solved finish (``E <= makespan``), ``due``, a soft ``deadline``
  (P6 / MS Project "finish on or before") that the solved plan meets, the next blackout of
  the activity (it may not be pushed into it: ``E <= blackout start``), and pins: a
  ``fixed_start`` or an actual start (progress) does not move.

The backward pass of that network (:meth:`scheduler.graph.DependencyGraph.latest`) gives
each activity's latest start ``LS`` in the plan; ``LS - S`` is its float in the network.
A slip of ``d`` days of activity ``i`` then moves every other activity only as far as
the network forces it (``max(0, d - r_ij)`` with ``r_ij`` the least summed slack of a
path ``i → j``; :meth:`PlanFloat.slip`), so every slip ``0 <= d <= LS - S`` keeps logic,
capacities, blackouts, dues, pins and the finish.

**Budgets** are periods with caps, not a network: for each activity whose slip carries
spending work across a budget period's boundary, every slip ``d = 1 .. LS - S`` is
checked against every cap with the solver's rounded spend
(:func:`scheduler.model.period_spend`, as :mod:`scheduler.solver.check`), and the float
is cut before the first slip that would overspend (numpy over the slips and the moved
activities).

Plan float is therefore the largest ``d`` such that every slip from 0 to ``d`` of the
activity alone (others pushed only as the network forces) keeps the plan feasible and
its finish unchanged; slipping one more day breaks one of them. It is a *safe* figure:
the flow is one of many (the units' hand-overs are chosen greedily, from the resource's
free units first, then from the activity that ended earliest, preferring the blocker the
driving path names); a re-solve that re-routes crews may find more room. Floats are not
additive: two activities that each have 10 days may not both slip by 10.

``driving`` (:attr:`PlanFloat.driving`): the activities whose slip moves the solved
finish, i.e. plan float 0 *because of the finish*: the same backward pass with the
finish as its only bound. An activity held at float 0 only by its own blackout, due
date or fixed start is not driving the finish (as P6 tells the longest path from zero
total float). The chain that :func:`scheduler.cpm.driving_path` traces is on it: its
logic steps are tight edges and its resource steps tight flow arcs (the flow takes the
blocker it names). A budget step is not an edge: the cap holds the next activity, and the
work before the step (the work that filled the cap) can slip out of the period without
moving the finish, so it keeps its plan float; :class:`scheduler.solution.Schedule`
flags as ``driving`` the finish-driving activities and the driving path's activities of
plan float 0.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from scheduler.graph import DependencyGraph
from scheduler.model import Dependency, Plan, period_spend
from scheduler.solution import DrivingLink

__all__ = ["FlowArc", "PlanFloat", "compute_plan_float", "resource_flow"]

log = logging.getLogger(__name__)

#: Prefix of the ids of the pinned blocks that stand for a capacity step (never an
#: activity id: ids are read from cells and a control character is not kept).
_STEP = "\x00step:"


@dataclass(frozen=True, slots=True)
class FlowArc:
    """``units`` of ``resource`` handed from ``predecessor`` (ends) to ``successor`` (starts).

    The arc is the inequality ``S(successor) >= E(predecessor)``. A predecessor that is a
    capacity step (:func:`resource_flow`) has an id starting with ``"\\x00step:"``.
    """

    predecessor: str
    successor: str
    resource: str
    units: int


@dataclass(slots=True)
class PlanFloat:
    """Plan float of every activity of a solved plan (:func:`compute_plan_float`).

    Attributes
    ----------
    floats
        Activity id → plan float (slots: days, or working days on a ``workdays-kr``
        plan), ``>= 0``.
    latest
        Activity id → latest start slot in the solved plan's network (before the
        budget check): ``starts[id] + network float``.
    budget_cut
        Ids whose float the budget caps cut below the network's.
    driving
        Ids whose slip by one day moves the solved finish through the network (float 0
        with the finish as the only bound: pins, dues, blackouts and budgets left out).
        Every such activity has plan float 0; an activity whose zero float comes from
        its own blackout, due date or fixed start alone is not driving the finish.
    arcs
        The resource flow arcs (:class:`FlowArc`).
    makespan
        The solved finish (exclusive end slot) the floats keep.
    """

    floats: dict[str, int]
    latest: dict[str, int]
    budget_cut: set[str] = field(default_factory=set)
    driving: set[str] = field(default_factory=set)
    arcs: list[FlowArc] = field(default_factory=list)
    makespan: int = 0
    _net: _Network | None = field(default=None, repr=False)

    def slip(self, activity: str, days: int) -> dict[str, int]:
        """Starts after ``activity`` slips by ``days``, the others pushed as the network forces.

        Every other activity moves only as far as a logic edge or a flow arc requires
        (the least starts that keep the network with the slipped activity
        ``days`` later); pinned activities are moved too if the network forces them (then
        the result breaks their fixed start, which is the point of a slip past the float).

        Parameters
        ----------
        activity
            Activity id.
        days
            Slots to slip (``>= 0``).

        Returns
        -------
        dict[str, int]
            Activity id → start slot (activities only, no capacity steps).

        Raises
        ------
        KeyError
            If ``activity`` is not an activity of the plan.
        ValueError
            If ``days`` is negative.
        """
        if days < 0:
            raise ValueError(f"a slip of {days} days is negative")
        net = self._net
        assert net is not None
        i = net.index[activity]
        init = list(net.starts)
        init[i] += days
        moved = net.graph.earliest(init)
        return {net.ids[k]: moved[k] for k in range(net.n_acts)}


@dataclass(slots=True)
class _Held:
    """Units of a resource still held by an activity that has ended (for the flow)."""

    end: int
    id: str
    units: int


@dataclass(slots=True)
class _Network:
    """The solved plan's network: activities, then capacity steps (pinned)."""

    ids: list[str]
    dur: list[int]
    starts: list[int]
    n_acts: int
    graph: DependencyGraph
    index: dict[str, int]


def resource_flow(
    plan: Plan,
    starts: Mapping[str, int],
    *,
    horizon: int | None = None,
    prefer: Sequence[DrivingLink] = (),
) -> tuple[list[FlowArc], list[tuple[str, str, int, int, int]]]:
    """A resource flow of the solved plan: who hands each resource's units to whom.

    Per resource of largest capacity ``C``, activities (and capacity steps) are taken in
    order of start; each takes the units it demands from the resource's units no one has
    used yet, then from activities that have ended (earliest end first; among those
    ending at its start, the predecessor its driving-path ``resource`` link names). An
    activity that takes units from another gets the arc ``S(j) >= E(i)``. The greedy
    allocation always succeeds on a schedule within capacity, because at the start of
    ``j`` the units not held by running activities are ``C - use >= demand``
    (Artigues, Michelon & Reusser 2003, the flow of a feasible schedule).

    A time-varying capacity (``Resource.capacity_changes``) is a block per step below
    ``C``, holding ``C - capacity`` units from the step's first slot to the next step
    (the last to ``horizon``).

    Parameters
    ----------
    plan
        The plan.
    starts
        Activity id → start slot, within every capacity.
    horizon
        End of the last capacity step (slots); default the plan's horizon or the
        schedule's last end, whichever is later.
    prefer
        Driving-path links (:func:`scheduler.cpm.driving_path`); a ``resource`` link
        ``p → j`` makes ``j`` take units from ``p`` first among those ending at its start.

    Returns
    -------
    arcs, steps
        The flow arcs, and the capacity steps as ``(id, resource, start, end, units)``.

    Raises
    ------
    ValueError
        If the schedule uses more of a resource than its capacity at some slot (the
        units cannot be found; names the resource, the activity and the slot).
    """
    dur = {a.id: a.duration for a in plan.activities}
    end_all = max([starts[a.id] + a.duration for a in plan.activities], default=0)
    hz = max(plan.horizon, end_all) if horizon is None else horizon
    preferred = {
        (lk.predecessor, lk.successor, lk.detail) for lk in prefer if lk.kind == "resource"
    }
    users: dict[str, list[tuple[str, int]]] = {}
    for dm in plan.demands:
        if dm.amount > 0 and dur.get(dm.activity, 0) > 0:
            users.setdefault(dm.resource, []).append((dm.activity, dm.amount))
    arcs: list[FlowArc] = []
    steps: list[tuple[str, str, int, int, int]] = []
    for r in plan.resources:
        cap = r.max_capacity
        # nodes: (start, end, id, units)
        nodes = [(starts[a], starts[a] + dur[a], a, q) for a, q in users.get(r.id, [])]
        changes = sorted(r.capacity_changes)
        bounds = [(0, r.capacity), *changes]
        for k, (t0, c) in enumerate(bounds):
            t1 = bounds[k + 1][0] if k + 1 < len(bounds) else hz
            if c < cap and t1 > t0:
                sid = f"{_STEP}{r.id}:{k}"
                steps.append((sid, r.id, t0, t1, cap - c))
                nodes.append((t0, t1, sid, cap - c))
        if not nodes:
            continue
        nodes.sort(key=lambda x: (x[0], x[1]))
        free_source = cap
        running: list[tuple[int, int, str, int]] = []  # heap of (end, seq, id, units)
        ended: list[_Held] = []  # activities that have ended and still hold units
        for seq, (s, e, j, q) in enumerate(nodes):
            while running and running[0][0] <= s:
                end_k, _, k_id, units = heapq.heappop(running)
                ended.append(_Held(end_k, k_id, units))
            need = q
            take = min(need, free_source)
            free_source -= take
            need -= take
            if need > 0:
                order = sorted(ended, key=lambda x: (x.end, (x.id, j, r.id) not in preferred))
                for x in order:
                    if need == 0:
                        break
                    got = min(need, x.units)
                    x.units -= got
                    need -= got
                    arcs.append(FlowArc(x.id, j, r.id, got))
                ended = [x for x in ended if x.units > 0]
            if need > 0:
                raise ValueError(
                    f"resource {r.id}: {j} needs {q} units at slot {s} but only "
                    f"{q - need} are free (the schedule passes the capacity)"
                )
            heapq.heappush(running, (e, seq, j, q))
    return arcs, steps


def compute_plan_float(
    plan: Plan,
    starts: Mapping[str, int],
    *,
    driving_links: Sequence[DrivingLink] = (),
) -> PlanFloat:
    """Plan float of every activity of a solved plan (module docstring: the method).

    Parameters
    ----------
    plan
        The plan (grid slots, integer money units).
    starts
        Activity id → solved start slot; the schedule must be feasible (every
        constraint of :func:`scheduler.solver.check.check_schedule` holds).
    driving_links
        The driving path's links, to let the flow follow its resource hand-overs
        (:func:`resource_flow`); optional.

    Returns
    -------
    PlanFloat
        Floats (slots, ``>= 0``), latest starts, the ids the budget cut, the flow arcs
        and the finish kept.

    Raises
    ------
    ValueError
        If the schedule passes a capacity (from :func:`resource_flow`).

    Notes
    -----
    Cost: the flow is O(n log n) per resource, the backward pass O(V + E) (label
    correcting rounds with ``max_lag``), the budget check a bounded Dijkstra and a numpy
    scan per activity whose slip reaches work that crosses a period boundary.
    """
    acts = plan.activities
    n = len(acts)
    if n == 0:
        return PlanFloat(floats={}, latest={})
    s0 = [int(starts[a.id]) for a in acts]
    makespan = max(s0[i] + acts[i].duration for i in range(n))
    arcs, steps = resource_flow(plan, starts, prefer=driving_links)

    ids = [a.id for a in acts] + [st[0] for st in steps]
    dur = [a.duration for a in acts] + [st[3] - st[2] for st in steps]
    s_all = s0 + [st[2] for st in steps]
    deps = list(plan.dependencies) + [
        Dependency(arc.predecessor, arc.successor, "FS", 0) for arc in _merged(arcs)
    ]
    graph = DependencyGraph(ids, dur, deps)
    index = {a: k for k, a in enumerate(ids)}

    # -- upper bounds on the starts: finish, due, next blackout, pins ---------------------
    upper = [makespan - d for d in dur]
    pinned = [False] * len(ids)
    hits = plan.blackout_hits()
    for i, a in enumerate(acts):
        if a.due is not None:
            upper[i] = min(upper[i], a.due - a.duration)
        if a.deadline is not None and s0[i] + a.duration <= a.deadline:
            # a soft deadline (P6 finish on or before) the solved plan meets: a slip past
            # it breaks it (a missed one does not hold the activity where it is)
            upper[i] = min(upper[i], a.deadline - a.duration)
        if a.duration > 0:
            e = s0[i] + a.duration
            for b in hits[i]:
                bo = plan.blackouts[b]
                if bo.end > bo.start and bo.start >= e:
                    upper[i] = min(upper[i], bo.start - a.duration)
        started = a.progress is not None and a.progress.actual_start is not None
        if a.fixed_start is not None or started:
            pinned[i] = True
    for k in range(n, len(ids)):
        pinned[k] = True
    init = [s_all[k] if pinned[k] else max(upper[k], s_all[k]) for k in range(len(ids))]
    # a bound the solved plan already passes (never on a solved plan) holds it where it is
    latest = graph.latest(init, pinned=pinned)
    net_float = [latest[i] - s0[i] for i in range(n)]

    # the same pass with the finish as the only bound: which zero floats drive the finish
    # (capacity steps left out: a step is a time, not the finish)
    real = [
        d
        for d in deps[len(plan.dependencies) :]
        if not (d.predecessor.startswith(_STEP) or d.successor.startswith(_STEP))
    ]
    finish_graph = DependencyGraph(ids[:n], dur[:n], [*plan.dependencies, *real])
    finish_latest = finish_graph.latest([makespan - d for d in dur[:n]])
    driving = {acts[i].id for i in range(n) if finish_latest[i] <= s0[i]}

    floats = list(net_float)
    cut: set[str] = set()
    if plan.budgets:
        floats = _budget_floats(plan, s0, latest[:n], net_float, graph, s_all, len(ids))
        cut = {acts[i].id for i in range(n) if floats[i] < net_float[i]}
    net = _Network(ids=ids, dur=dur, starts=s_all, n_acts=n, graph=graph, index=index)
    return PlanFloat(
        floats={acts[i].id: floats[i] for i in range(n)},
        latest={acts[i].id: latest[i] for i in range(n)},
        budget_cut=cut,
        driving=driving,
        arcs=arcs,
        makespan=makespan,
        _net=net,
    )


def _merged(arcs: Sequence[FlowArc]) -> list[FlowArc]:
    """One arc per (predecessor, successor) pair (the inequality is the same)."""
    seen: dict[tuple[str, str], FlowArc] = {}
    for arc in arcs:
        seen.setdefault((arc.predecessor, arc.successor), arc)
    return list(seen.values())


def _budget_floats(
    plan: Plan,
    s0: Sequence[int],
    latest: Sequence[int],
    net_float: Sequence[int],
    graph: DependencyGraph,
    s_all: Sequence[int],
    n_all: int,
) -> list[int]:
    """Cut each network float before the first slip that would pass a budget cap.

    A slip ``d`` of ``i`` moves ``j`` by ``max(0, d - r_ij)``; ``r_ij`` (the least summed
    slack of a network path ``i → j``) comes from a Dijkstra bounded by the float. Only
    *movers* can change a period's spend: activities with cost whose window
    ``[S, LS + duration)`` holds a period boundary strictly inside.
    """
    acts = plan.activities
    n = len(acts)
    budgets = plan.budgets
    bstart = np.array([b.start for b in budgets], dtype=np.int64)
    bend = np.array([b.end for b in budgets], dtype=np.int64)
    caps = np.array([b.cap for b in budgets], dtype=np.int64)
    base = np.zeros(len(budgets), dtype=np.int64)
    for i, a in enumerate(acts):
        for k, b in enumerate(budgets):
            ov = max(0, min(s0[i] + a.duration, b.end) - max(s0[i], b.start))
            base[k] += period_spend(a.cost, a.duration, ov)
    limit = np.maximum(caps, base)
    room = limit - base

    edges_out: list[list[tuple[int, int]]] = [[] for _ in range(n_all)]
    for e in graph.edges:
        slack = s_all[e.succ] - s_all[e.pred] - e.lo
        edges_out[e.pred].append((e.succ, slack))
        if e.hi is not None:
            edges_out[e.succ].append((e.pred, e.hi - (s_all[e.succ] - s_all[e.pred])))

    cuts = sorted({int(x) for b in budgets for x in (b.start, b.end)})
    mover = [False] * n
    for j, a in enumerate(acts):
        if a.cost <= 0 or a.duration <= 0 or latest[j] <= s0[j]:
            continue
        lo, hi = s0[j], latest[j] + a.duration
        mover[j] = any(lo < x < hi for x in cuts)
    if not any(mover):
        return list(net_float)
    # least slack from each node to any mover (one multi-source pass on the reversed
    # edges): a slip that stays below it moves no mover, so the caps cannot bind
    reverse: list[list[tuple[int, int]]] = [[] for _ in range(n_all)]
    for u, row in enumerate(edges_out):
        for v, w in row:
            reverse[v].append((u, w))
    near = _least_slack(reverse, [j for j in range(n) if mover[j]])

    out = list(net_float)
    for i in range(n):
        tf = net_float[i]
        if tf <= 0 or near[i] >= tf:
            continue
        reach = _bounded_dijkstra(edges_out, i, tf)
        members = [(j, r) for j, r in reach.items() if j < n and mover[j]]
        if not members:
            continue
        js = np.array([j for j, _ in members], dtype=np.int64)
        rs = np.array([r for _, r in members], dtype=np.int64)
        d_ = np.array([acts[j].duration for j in js], dtype=np.int64)
        c_ = np.array([acts[j].cost for j in js], dtype=np.int64)
        st = np.array([s0[j] for j in js], dtype=np.int64)
        slips = np.arange(0, tf + 1, dtype=np.int64)  # row 0 is the solved plan
        shift = np.maximum(0, slips[:, None] - rs[None, :])  # (T, M)
        new_s = st[None, :] + shift
        # overlap (T, M, K) of each moved activity with each period
        ov = np.maximum(
            0,
            np.minimum((new_s + d_[None, :])[:, :, None], bend[None, None, :])
            - np.maximum(new_s[:, :, None], bstart[None, None, :]),
        )
        spend = -((-c_[None, :, None] * ov) // d_[None, :, None])  # ceil, as period_spend
        delta = (spend - spend[0:1]).sum(axis=1)  # (T, K)
        bad = np.nonzero((delta > room[None, :]).any(axis=1))[0]
        if bad.size:
            out[i] = int(bad[0]) - 1
    return out


def _least_slack(adj: Sequence[Sequence[tuple[int, int]]], sources: Sequence[int]) -> list[int]:
    """Least summed weight from any of ``sources`` to each node (Dijkstra; weights >= 0)."""
    far = 1 << 60
    dist = [far] * len(adj)
    heap = [(0, v) for v in sources]
    for v in sources:
        dist[v] = 0
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in adj[u]:
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist


def _bounded_dijkstra(
    adj: Sequence[Sequence[tuple[int, int]]], src: int, bound: int
) -> dict[int, int]:
    """Least summed slack from ``src`` to each node, for the nodes closer than ``bound``."""
    dist = {src: 0}
    heap = [(0, src)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist.get(u, bound):
            continue
        for v, w in adj[u]:
            nd = d + w
            if nd < bound and nd < dist.get(v, bound):
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    return dist
