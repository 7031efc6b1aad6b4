"""The corridor network (SPEC §4): regions linked by works, and when pairs get connected.

A **link** is a ``(sector, region_a, region_b)`` triple, ``region_a < region_b``: the
unordered pair of regions that one or more activities of that sector join
(``region_from`` → ``region_to``). Point works (no ``region_to``) and works inside one
region (``region_from == region_to``) make no link.

Connection rule (stated once, used by :func:`connection_slots` and
:func:`connection_months`):

* A link is **completed** on the finish slot (last day worked, inclusive) of the
  *last* of its activities to finish: the slot of the finish date the Schedule sheet
  shows (:meth:`~scheduler.timegrid.TimeGrid.finish_date`). A milestone at slot ``s``
  is shown on the last day of slot ``s - 1`` (the day the work it marks ends), so it
  completes its link on slot ``s - 1`` too, not one day after that work.
* Two regions are **connected** in a sector from the first slot on which a path of
  completed links of that sector joins them, directly or through intermediate
  regions. Links are added to a union-find structure (networkx) in order of their
  completion slot; when two components merge, every pair across them becomes
  connected on that slot.
* :func:`connection_months` reports the calendar month (``YYYY-MM``) of that slot, or
  ``None`` when the pair is never connected in that sector within the plan.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from itertools import combinations
from typing import Any

import networkx as nx
from networkx.utils import UnionFind

from scheduler.model import Plan
from scheduler.solution import Schedule

__all__ = [
    "connection_months",
    "connection_slots",
    "corridor_graph",
    "link_activities",
    "link_finish_slots",
]

log = logging.getLogger(__name__)

LinkKey = tuple[str, str, str]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def link_activities(plan: Plan, sector: str | None = None) -> dict[LinkKey, list[str]]:
    """Activities of each corridor link.

    Parameters
    ----------
    plan
        The plan.
    sector
        Only activities of this sector (all sectors when ``None``).

    Returns
    -------
    dict
        ``(sector, region_a, region_b)`` with ``region_a < region_b`` → activity ids in
        plan order. Point works and works inside one region are left out.
    """
    links: dict[LinkKey, list[str]] = {}
    for a in plan.activities:
        if not a.region_from or not a.region_to or a.region_from == a.region_to:
            continue
        if sector is not None and a.sector != sector:
            continue
        ra, rb = _pair(a.region_from, a.region_to)
        links.setdefault((a.sector, ra, rb), []).append(a.id)
    return links


def _region_ids(plan: Plan) -> list[str]:
    """Region ids of the Regions table, then any id only named by an activity, sorted."""
    ids = {r.id for r in plan.regions}
    for a in plan.activities:
        ids.update(a.regions)
    return sorted(ids)


def corridor_graph(plan: Plan, sector: str | None = None) -> nx.Graph:
    """The corridor network as an undirected networkx graph.

    Parameters
    ----------
    plan
        The plan.
    sector
        Keep only links of this sector (every sector when ``None``). All regions stay
        as nodes either way.

    Returns
    -------
    networkx.Graph
        Nodes: region ids with attributes ``name``, ``lat``, ``lon``, ``industry``
        (regions named by activities but absent from the Regions table get
        ``name = id`` and ``None`` coordinates). Edges: one per region pair joined by
        at least one activity, with ``activities`` (ids, plan order) and ``sectors``
        (sorted sector names).
    """
    g: nx.Graph = nx.Graph()
    known = {r.id: r for r in plan.regions}
    for rid in _region_ids(plan):
        r = known.get(rid)
        g.add_node(
            rid,
            name=r.name if r else rid,
            lat=r.lat if r else None,
            lon=r.lon if r else None,
            industry=r.industry if r else "",
        )
    for (sec, ra, rb), ids in link_activities(plan, sector).items():
        if g.has_edge(ra, rb):
            data = g.edges[ra, rb]
            data["activities"].extend(ids)
            data["sectors"] = sorted({*data["sectors"], sec})
        else:
            g.add_edge(ra, rb, activities=list(ids), sectors=[sec])
    return g


def link_finish_slots(plan: Plan, ends: Mapping[str, int]) -> dict[LinkKey, int]:
    """Slot on which each link is completed: the last day worked of its last activity.

    Parameters
    ----------
    plan
        The plan.
    ends
        Activity id → exclusive end slot of the solved plan (``Schedule.ends()``).

    Returns
    -------
    dict
        ``(sector, region_a, region_b)`` → finish slot (inclusive: ``end - 1`` for works
        and milestones alike, as :meth:`~scheduler.timegrid.TimeGrid.finish_date`; 0
        for a milestone at the plan start).
    """
    out: dict[LinkKey, int] = {}
    for key, ids in link_activities(plan).items():
        out[key] = max(max(ends[i] - 1, 0) for i in ids)
    return out


def connection_slots(plan: Plan, ends: Mapping[str, int]) -> dict[LinkKey, int | None]:
    """First slot from which each pair of regions is connected, per sector.

    Independent of :class:`~scheduler.solution.Schedule`: works from any end slots
    (e.g. a what-if). See the module docstring for the rule.

    Parameters
    ----------
    plan
        The plan.
    ends
        Activity id → exclusive end slot.

    Returns
    -------
    dict
        ``(sector, region_a, region_b)`` → slot, or ``None`` when never connected, for
        every sector that has at least one link and every pair of the plan's regions
        (``region_a < region_b``).
    """
    finish = link_finish_slots(plan, ends)
    regions = _region_ids(plan)
    sectors = sorted({sec for sec, _, _ in finish})
    out: dict[LinkKey, int | None] = {}
    for sec in sectors:
        uf = UnionFind(regions)
        connected: dict[tuple[str, str], int] = {}
        links = sorted((t, ra, rb) for (s, ra, rb), t in finish.items() if s == sec)
        for t, ra, rb in links:
            root_a, root_b = uf[ra], uf[rb]
            if root_a == root_b:
                continue
            comp_a = [r for r in regions if uf[r] == root_a]
            comp_b = [r for r in regions if uf[r] == root_b]
            for x in comp_a:
                for y in comp_b:
                    connected[_pair(x, y)] = t
            uf.union(ra, rb)
        for ra, rb in combinations(regions, 2):
            out[(sec, ra, rb)] = connected.get((ra, rb))
    return out


def connection_months(schedule: Schedule) -> list[dict[str, Any]]:
    """Month from which each pair of regions is connected by completed links, per sector.

    Parameters
    ----------
    schedule
        A solved schedule; without a plan (infeasible, invalid) the result is empty.

    Returns
    -------
    list of dict
        Rows ``{"sector", "region_a", "region_b", "connected_from"}`` sorted by sector,
        then region ids; ``connected_from`` is ``"YYYY-MM"`` or ``None``. See the
        module docstring for the rule.
    """
    plan = schedule.plan
    if plan is None or not schedule.has_plan:
        return []
    slots = connection_slots(plan, schedule.ends())
    grid = plan.grid
    return [
        {
            "sector": sec,
            "region_a": ra,
            "region_b": rb,
            "connected_from": grid.month_of(t) if t is not None else None,
        }
        for (sec, ra, rb), t in sorted(slots.items())
    ]
