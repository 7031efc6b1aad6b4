"""The leveled serial schedule-generation scheme, compiled: one schedule of an activity list.

Shared by the risk simulation (:mod:`scheduler.risk.kernel`, which describes the method,
the budget rule and the driving-chain sweep) and the solver's full-model search
(:mod:`scheduler.solver.ga_full`). It lives outside both packages so that either can
load it without importing the other (the risk package imports SciPy; the solver OR-Tools).
"""

from __future__ import annotations

from numba import njit

__all__ = ["leveled_sgs"]


@njit(cache=True, nogil=True)
def leveled_sgs(
    dur, plan, cap, planned, use, ender, b_left, reserved, leveled, start, driver, crit
):
    """One schedule of the activity list ``plan[0]`` with durations ``dur``; returns the
    makespan, or -1 when the capacity window ``T`` (``cap.shape[1]``) is too short.

    Arguments as :func:`scheduler.risk.kernel.simulate_batch` describes them; ``use``
    ``(R, T)`` and ``ender`` ``(R, T + 1)`` are work arrays given back clean; ``b_left``,
    ``reserved`` ``(B,)`` budget scratch; ``start``, ``driver`` ``(n,)`` and ``crit``
    (bool) outputs; ``start`` must hold -1 everywhere on entry. ``leveled`` False: logic
    only.
    """
    (
        order,
        in_ptr,
        in_pred,
        in_ap,
        in_as,
        in_lag,
        snet,
        dem_ptr,
        dem_res,
        dem_amt,
        b_start,
        b_end,
        b_cap,
        cost,
        bl_ptr,
        bl_start,
        bl_end,
    ) = plan
    n = dur.shape[0]
    horizon = cap.shape[1]
    for k in range(b_left.shape[0]):
        b_left[k] = b_cap[k]
        reserved[k] = 0
        for j in range(n):
            reserved[k] += planned[j, k]
    makespan = 0
    ok = True
    for pos in range(n):
        j = order[pos]
        d = dur[j]
        est = snet[j]
        drv = -1
        for e in range(in_ptr[j], in_ptr[j + 1]):
            p = in_pred[e]
            v = start[p] + in_ap[e] * dur[p] + in_as[e] * d + in_lag[e]
            if v > est:
                est = v
        if est < 0:
            est = 0
        t = est
        if leveled and d > 0:
            while True:
                if t + d >= horizon:
                    ok = False
                    break
                moved = False
                for w in range(bl_ptr[j], bl_ptr[j + 1]):
                    if bl_start[w] - d < t < bl_end[w]:
                        t = bl_end[w]
                        moved = True
                        drv = -1
                if moved:
                    continue
                for q in range(dem_ptr[j], dem_ptr[j + 1]):
                    r = dem_res[q]
                    amt = dem_amt[q]
                    for tau in range(t + d - 1, t - 1, -1):
                        if cap[r, tau] - use[r, tau] < amt:
                            t = tau + 1
                            moved = True
                            drv = ender[r, t]
                            break
                    if moved:
                        break
                if moved:
                    continue
                c = cost[j]
                if c > 0:
                    for k in range(b_left.shape[0]):
                        lo = max(t, b_start[k])
                        hi = min(t + d, b_end[k])
                        if hi <= lo:
                            continue
                        ov = hi - lo
                        avail = b_left[k] - (reserved[k] - planned[j, k])
                        if (c * ov + d - 1) // d > avail:
                            ovmax = max(avail, 0) * d // c
                            t = max(t + 1, b_end[k] - ovmax)
                            moved = True
                            drv = -1
                            break
                if not moved:
                    break
            if not ok:
                break
            for q in range(dem_ptr[j], dem_ptr[j + 1]):
                r = dem_res[q]
                for tau in range(t, t + d):
                    use[r, tau] += dem_amt[q]
                ender[r, t + d] = j
        if leveled:
            for k in range(b_left.shape[0]):
                reserved[k] -= planned[j, k]
                if cost[j] > 0 and d > 0:
                    lo = max(t, b_start[k])
                    hi = min(t + d, b_end[k])
                    if hi > lo:
                        b_left[k] -= (cost[j] * (hi - lo) + d - 1) // d
        start[j] = t
        driver[j] = drv
        if t + d > makespan:
            makespan = t + d
    # give the shared work arrays back clean
    for pos in range(n):
        j = order[pos]
        if not leveled or dur[j] <= 0 or start[j] < 0:
            continue
        t = start[j]
        d = dur[j]
        if t + d >= horizon:
            continue
        for q in range(dem_ptr[j], dem_ptr[j + 1]):
            r = dem_res[q]
            for tau in range(t, t + d):
                use[r, tau] -= dem_amt[q]
            ender[r, t + d] = -1
    if not ok:
        return -1
    for j in range(n):
        crit[j] = start[j] + dur[j] == makespan
    for pos in range(n - 1, -1, -1):  # predecessors come earlier in the list
        j = order[pos]
        if not crit[j]:
            continue
        for e in range(in_ptr[j], in_ptr[j + 1]):
            p = in_pred[e]
            if start[p] + in_ap[e] * dur[p] + in_as[e] * dur[j] + in_lag[e] == start[j]:
                crit[p] = True
        if driver[j] >= 0:
            crit[driver[j]] = True
    return makespan
