"""Left-justification of a feasible schedule (every activity as early as it can go).

A CP-SAT answer for the makespan objective is free to leave non-critical work
later than needed, and a plan with idle gaps before activities reads badly and has
no driving path a planner can follow. :func:`left_justify` moves each activity to
the earliest start that its dependencies, resources, budget caps, release and
blackouts allow *with every other activity where it is*, in order of start, until
nothing moves ("global left shift", Sprecher, Kolisch & Drexl 1995, "Semi-active,
active, and non-delay schedules for the RCPSP"). The schedule stays feasible at
every step; no end moves later, so makespan, weighted completion and tardiness
never get worse.

Limitation: activities are moved one at a time, so a pair held together by a
max lag (e.g. fibre laid within 42 days of the road trench it shares) moves only
as far as each can go with the other in place.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping

from scheduler.solver.data import Instance
from scheduler.solver.sgs import Profiles, earliest_start

__all__ = ["left_justify"]

log = logging.getLogger(__name__)

#: Passes over all activities before stopping (each pass moves work only earlier).
MAX_PASSES = 5


def left_justify(
    inst: Instance,
    starts: dict[str, int],
    deadline: float | None = None,
    keep: Collection[str] = (),
    floor: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Return ``starts`` with every activity shifted as early as the others allow.

    Parameters
    ----------
    inst
        The indexed plan.
    starts
        A feasible schedule: activity id → start slot.
    deadline
        :func:`time.monotonic` instant after which no further activity is moved (looked
        at every 256 activities, so small plans always finish their passes; the
        schedule is feasible after every move, so stopping early is safe); None: no
        limit but :data:`MAX_PASSES`.
    keep
        Ids that never move, as fixed starts (the activities a stability objective
        kept on their baseline starts).
    floor
        Id → least slot it may be moved to (a stability objective's baseline start or
        resume): an activity later than its floor is pulled back toward it, never past
        it, so its shift from the baseline only shrinks (the final pull-back of a
        re-plan); one on or before its floor stays.

    Returns
    -------
    dict
        Activity id → start slot; each start is ``<=`` the given one. Fixed starts
        and ``keep`` never move.
    """
    floor = floor or {}
    low = [floor.get(a.id, 0) for a in inst.plan.activities]
    n, dur, edges = inst.n, inst.dur, inst.edges
    fixed = [a.fixed_start is not None or a.id in keep for a in inst.plan.activities]
    release = [a.release or 0 for a in inst.plan.activities]
    start = [starts[inst.ids[i]] for i in range(n)]
    act_dem: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for r, dem in enumerate(inst.res_demands):
        for i, amt in dem:
            act_dem[i].append((r, amt))
    prof = Profiles(inst, max((start[i] + dur[i] for i in range(n)), default=0) + 1)
    for i in range(n):
        prof.add(i, start[i], act_dem[i], sign=-1)

    moved_total = 0
    late = False
    for _ in range(MAX_PASSES):
        moved = 0
        for step, j in enumerate(sorted(range(n), key=lambda i: (start[i], i))):
            if deadline is not None and step % 256 == 255 and time.monotonic() >= deadline:
                late = True
                break
            if fixed[j] or start[j] == 0:
                continue
            est = max(release[j], low[j])
            for k in inst.in_edges[j]:  # S(j) - S(p) >= lo
                est = max(est, start[edges[k].pred] + edges[k].lo)
            for k in inst.out_edges[j]:  # S(s) - S(j) <= hi  =>  S(j) >= S(s) - hi
                hi = edges[k].hi
                if hi is not None:
                    est = max(est, start[edges[k].succ] - hi)
            if est >= start[j]:
                continue
            prof.add(j, start[j], act_dem[j], sign=+1)
            t = earliest_start(inst, prof, j, est, act_dem[j], start[j] + 1)
            new = start[j] if t is None or t > start[j] else t
            prof.add(j, new, act_dem[j], sign=-1)
            if new < start[j]:
                start[j] = new
                moved += 1
        moved_total += moved
        if moved == 0 or late:
            break
    log.info(
        "left justification moved %d activity starts%s",
        moved_total,
        " (stopped at the deadline)" if late else "",
    )
    return {inst.ids[i]: start[i] for i in range(n)}
