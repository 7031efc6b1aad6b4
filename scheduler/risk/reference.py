"""A straightforward pure-Python serial SGS with the kernel's rules, as its peer.

The same schedule-generation rules as :mod:`scheduler.risk.kernel` (dependencies as
start distances, resources with time-varying capacity, budget caps with the solved
plan's allocations held back, blackouts, release), written plainly over Python
lists. It is the oracle the compiled kernel is tested against and the peer it is
timed against (``infraplan bench risk``); it is not used to simulate.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.risk.arrays import PlanArrays

__all__ = ["python_sgs"]


def python_sgs(
    arrays: PlanArrays,
    order: Sequence[int],
    durations: Sequence[int],
    planned: Sequence[Sequence[int]],
    capacity: Sequence[Sequence[int]],
) -> tuple[list[int], int]:
    """Leveled serial SGS of one iteration.

    Parameters
    ----------
    arrays
        The flattened plan.
    order
        The activity list (positions).
    durations
        Sampled duration of each activity (slots).
    planned
        The solved plan's spend of each activity in each budget period, ``[n][B]``.
    capacity
        Capacity of each resource at each slot, ``[R][T]``.

    Returns
    -------
    (starts, makespan)
        Start slot of each activity and the iteration's makespan (slots).

    Raises
    ------
    RuntimeError
        If an activity cannot be placed within the capacity window.
    """
    a = arrays
    n = len(durations)
    in_ptr, in_pred = a.in_ptr.tolist(), a.in_pred.tolist()
    in_ap, in_as, in_lag = a.in_ap.tolist(), a.in_as.tolist(), a.in_lag.tolist()
    dem_ptr, dem_res, dem_amt = a.dem_ptr.tolist(), a.dem_res.tolist(), a.dem_amt.tolist()
    bl_ptr, bl_start, bl_end = a.bl_ptr.tolist(), a.bl_start.tolist(), a.bl_end.tolist()
    periods = list(zip(a.b_start.tolist(), a.b_end.tolist(), strict=True))
    left = a.b_cap.tolist()
    cost = a.cost.tolist()
    reserved = [sum(planned[j][k] for j in range(n)) for k in range(len(periods))]
    window = len(capacity[0]) if capacity else 1 << 40
    used = [[0] * len(row) for row in capacity]
    start = [0] * n
    for j in order:
        d = durations[j]
        t = max(
            [int(a.snet[j])]
            + [
                start[in_pred[e]] + in_ap[e] * durations[in_pred[e]] + in_as[e] * d + in_lag[e]
                for e in range(in_ptr[j], in_ptr[j + 1])
            ]
        )
        t = max(t, 0)
        while d > 0:
            if t + d >= window:
                raise RuntimeError(f"activity {j} does not fit the capacity window")
            hit = [
                bl_end[w]
                for w in range(bl_ptr[j], bl_ptr[j + 1])
                if bl_start[w] - d < t < bl_end[w]
            ]
            if hit:
                t = max(hit)
                continue
            late = -1
            for q in range(dem_ptr[j], dem_ptr[j + 1]):
                r = dem_res[q]
                for tau in range(t, t + d):
                    if capacity[r][tau] - used[r][tau] < dem_amt[q]:
                        late = max(late, tau)
            if late >= 0:
                t = late + 1
                continue
            moved = False
            for k, (b0, b1) in enumerate(periods):
                overlap = min(t + d, b1) - max(t, b0)
                if cost[j] > 0 and overlap > 0:
                    avail = left[k] - (reserved[k] - planned[j][k])
                    if -(-cost[j] * overlap // d) > avail:
                        t = max(t + 1, b1 - max(avail, 0) * d // cost[j])
                        moved = True
                        break
            if not moved:
                break
        for q in range(dem_ptr[j], dem_ptr[j + 1]):
            for tau in range(t, t + d):
                used[dem_res[q]][tau] += dem_amt[q]
        for k, (b0, b1) in enumerate(periods):
            reserved[k] -= planned[j][k]
            overlap = min(t + d, b1) - max(t, b0)
            if cost[j] > 0 and d > 0 and overlap > 0:
                left[k] -= -(-cost[j] * overlap // d)
        start[j] = t
    makespan = max((start[j] + durations[j] for j in range(n)), default=0)
    return start, makespan
