"""Compiled kernels of the full-model search: a serial SGS decoder with every constraint of
a plan, its double justification, and one generation of the activity-list genetic algorithm.

The decoder is the risk module's leveled serial SGS (:func:`scheduler.leveled_sgs.leveled_sgs`:
dependencies of all four types with lags, time-varying resource capacity, fiscal-year
budget caps with the integer spend rule :func:`scheduler.model.period_spend`, blackouts,
release), wrapped with what a solve needs on top of a simulation:

* a priority list turned into a precedence-feasible activity list (a binary heap over the
  dependency graph: the eligible activity of smallest priority next, ties by position);
* max lags repaired the way :mod:`scheduler.solver.sgs` repairs them: when a successor
  starts more than the max lag after its predecessor, the predecessor's earliest start
  is raised to ``S(succ) - max_lag`` and the list decoded again (at most ``repairs``
  times; then the decode fails);
* fixed starts and due dates checked (a decode that moves a fixed start or ends an
  activity after its due date fails; due dates only when ``due`` holds them).

Double justification (Valls, Ballestín & Quintanilla 2005) runs the same decoder on the
*mirrored* plan: time reversed around the forward makespan ``H`` (a slot ``t`` becomes
``H - 1 - t``, each dependency reversed with start distance ``lo + d_s - d_p``, budget
periods and blackouts mirrored, capacity read backwards), latest finish first; its
right-justified schedule gives the order of the next forward pass. The backward pass only
proposes an order: the forward pass that follows enforces every constraint.

Arrays are ``int64`` unless noted. ``fw``/``bw`` are plan tuples in the order of
:meth:`scheduler.risk.arrays.PlanArrays.kernel_tuple`, whose first array (the activity
list), ``snet`` (position 6), budget periods (10, 11) and blackout windows (15, 16) of
``bw`` are work arrays this module writes. A *work* tuple holds one thread's scratch
arrays (see :func:`scheduler.solver.improve._Full.work`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from scheduler.leveled_sgs import leveled_sgs as _one
from scheduler.solver.ga import breed

__all__ = ["children_full", "decode_full", "warm_up_full"]


@njit(cache=True, nogil=True)
def _less(ka, va, kb, vb):  # type: ignore[no-untyped-def]
    return ka < kb or (ka == kb and va < vb)


@njit(cache=True, nogil=True)
def _topo(key, optr, oidx, indeg, order, missing, hk, hv):  # type: ignore[no-untyped-def]
    """Precedence-feasible list into ``order``: the eligible activity of smallest ``key``
    (float64) next, ties by position. Returns how many were listed (< n on a cycle)."""
    n = key.shape[0]
    size = 0
    for i in range(n):
        missing[i] = indeg[i]
        if missing[i] == 0:
            # push
            c = size
            size += 1
            while c > 0:
                par = (c - 1) // 2
                if _less(key[i], i, hk[par], hv[par]):
                    hk[c], hv[c] = hk[par], hv[par]
                    c = par
                else:
                    break
            hk[c], hv[c] = key[i], i
    pos = 0
    while size > 0:
        j = hv[0]
        size -= 1
        lk, lv = hk[size], hv[size]
        c = 0
        while True:  # sift the last element down from the root
            a = 2 * c + 1
            if a >= size:
                break
            if a + 1 < size and _less(hk[a + 1], hv[a + 1], hk[a], hv[a]):
                a += 1
            if _less(hk[a], hv[a], lk, lv):
                hk[c], hv[c] = hk[a], hv[a]
                c = a
            else:
                break
        if size > 0:
            hk[c], hv[c] = lk, lv
        order[pos] = j
        pos += 1
        for q in range(optr[j], optr[j + 1]):
            s = oidx[q]
            missing[s] -= 1
            if missing[s] == 0:
                c = size
                size += 1
                while c > 0:
                    par = (c - 1) // 2
                    if _less(key[s], s, hk[par], hv[par]):
                        hk[c], hv[c] = hk[par], hv[par]
                        c = par
                    else:
                        break
                hk[c], hv[c] = key[s], s
    return pos


@njit(cache=True, nogil=True)
def _forward(key, g, w, start):  # type: ignore[no-untyped-def]
    """One forward decode of priorities ``key`` into ``start``; the makespan or -1."""
    dur, cap, planned, snet0, fout_ptr, fout_idx, findeg = g[0], g[1], g[2], g[3], g[4], g[5], g[6]
    ml_pred, ml_succ, ml_hi, fixed, due, repairs = g[10], g[11], g[12], g[13], g[14], g[19]
    fw, use, ender, b_left, reserved, driver, crit = w[0], w[3], w[4], w[5], w[6], w[7], w[8]
    missing, hk, hv = w[9], w[10], w[11]
    n = dur.shape[0]
    if _topo(key, fout_ptr, fout_idx, findeg, fw[0], missing, hk, hv) < n:
        return -1
    snet = fw[6]
    for j in range(n):
        snet[j] = snet0[j]
    for _ in range(repairs + 1):
        for j in range(n):
            start[j] = -1
        mk = _one(dur, fw, cap, planned, use, ender, b_left, reserved, True, start, driver, crit)
        if mk < 0:
            return -1
        moved = False
        for e in range(ml_pred.shape[0]):
            p, s = ml_pred[e], ml_succ[e]
            need = start[s] - ml_hi[e]
            if start[p] < need:
                if need > snet[p]:
                    snet[p] = need
                moved = True
        if not moved:
            for j in range(n):
                if fixed[j] >= 0 and start[j] != fixed[j]:
                    return -1
                if start[j] + dur[j] > due[j]:
                    return -1
            return mk
    return -1


@njit(cache=True, nogil=True)
def _backward(horizon, fstart, g, w, back):  # type: ignore[no-untyped-def]
    """Right-justify ``fstart`` on the plan mirrored around ``horizon``; writes the
    mirrored starts to ``back``; returns the mirrored makespan or -1."""
    dur, cap, planned, bout_ptr, bout_idx, bindeg = g[0], g[1], g[2], g[7], g[8], g[9]
    b_start0, b_end0, bl_start0, bl_end0 = g[15], g[16], g[17], g[18]
    bw, bcap, use, ender, b_left, reserved, driver = w[1], w[2], w[3], w[4], w[5], w[6], w[7]
    crit, missing, hk, hv = w[8], w[9], w[10], w[11]
    n = dur.shape[0]
    for k in range(b_start0.shape[0]):
        bw[10][k] = horizon - b_end0[k]
        bw[11][k] = horizon - b_start0[k]
    for q in range(bl_start0.shape[0]):
        bw[15][q] = horizon - bl_end0[q]
        bw[16][q] = horizon - bl_start0[q]
    width = cap.shape[1]
    for r in range(cap.shape[0]):
        for t in range(width):
            u = horizon - 1 - t
            bcap[r, t] = cap[r, u] if 0 <= u < width else cap[r, 0]
    key = np.empty(n, np.float64)
    for j in range(n):
        key[j] = -(fstart[j] + dur[j])
    if _topo(key, bout_ptr, bout_idx, bindeg, bw[0], missing, hk, hv) < n:
        return -1
    for j in range(n):
        back[j] = -1
    return _one(dur, bw, bcap, planned, use, ender, b_left, reserved, True, back, driver, crit)


@njit(cache=True, nogil=True)
def decode_full(prio, g, w, start, rounds):  # type: ignore[no-untyped-def]
    """Forward decode of ``prio`` (float64 ``(n,)``) then up to ``rounds`` double
    justifications while the makespan falls. Writes the best schedule to ``start``;
    returns its makespan (-1 when no decode was feasible)."""
    dur = g[0]
    n = dur.shape[0]
    mk = _forward(prio, g, w, start)
    if mk < 0:
        return -1
    best = start.copy()
    best_mk = mk
    back = np.empty(n, np.int64)
    key = np.empty(n, np.float64)
    for _ in range(rounds):
        mk_b = _backward(best_mk, start, g, w, back)
        if mk_b < 0:
            break
        for i in range(n):
            key[i] = best_mk - back[i] - dur[i]
        mk = _forward(key, g, w, start)
        if mk < 0 or mk >= best_mk:
            break
        best_mk = mk
        best[:] = start
    start[:] = best
    return best_mk


@njit(cache=True, nogil=True)
def children_full(pop, pop_mk, n_child, p_mut, rounds, g, w, out, out_mk, seed):  # type: ignore[no-untyped-def]
    """One generation, as :func:`scheduler.solver.ga.children` with the full decoder:
    ``n_child`` children of ``pop`` (``(P, n)`` lists, makespans ``pop_mk``) by binary
    tournament, two-point crossover and adjacent-swap mutation, each decoded by
    :func:`decode_full`; a child's list becomes the start order of its schedule.
    Writes ``out`` ``(n_child, n)`` and ``out_mk`` (-1 for a failed decode)."""
    np.random.seed(seed)
    n = pop.shape[1]
    child = np.empty(n, np.int64)
    used = np.zeros(n, np.bool_)
    prio = np.empty(n, np.float64)
    start = np.empty(n, np.int64)
    for c in range(n_child):
        breed(pop, pop_mk, p_mut, child, used, prio)
        mk = decode_full(prio, g, w, start, rounds)
        out_mk[c] = mk
        if mk < 0:
            out[c, :] = child
            continue
        for i in range(n):
            prio[i] = start[i] * (n + 1.0) + prio[i]
        out[c, :] = np.argsort(prio)


def warm_up_full(g, w) -> None:  # type: ignore[no-untyped-def]
    """Compile (first run after installing) or load the kernels for the arrays ``g`` and
    ``w`` of a plan (no child is decoded), outside any time budget."""
    n = g[0].shape[0]
    pop = np.zeros((1, n), np.int64)
    pop[0, :] = np.arange(n)
    out = np.empty((1, n), np.int64)
    out_mk = np.empty(1, np.int64)
    children_full(pop, np.zeros(1, np.int64), 0, 0.05, 1, g, w, out, out_mk, 0)
    decode_full(np.zeros(n, np.float64), g, w, np.zeros(n, np.int64), 0)
