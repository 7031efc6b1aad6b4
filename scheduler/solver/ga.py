"""Compiled kernels of the plain-RCPSP improvement: serial SGS, double justification and
one generation of an activity-list genetic algorithm.

The kernels are compiled with Numba (``cache=True``: compiled once per installation, then
loaded from ``__pycache__``); :mod:`scheduler.solver.improve` drives them. Arrays
(all ``int64`` unless noted):

* ``dur`` ``(n,)`` durations (slots); ``dem`` ``(n, R)`` demands; ``cap`` ``(R,)``
  constant capacities;
* a graph in CSR form: predecessors of ``j`` are ``pidx[pptr[j]:pptr[j+1]]`` with start
  distances ``plag`` (``S_j >= S_p + lag``), successors ``sidx[sptr[j]:sptr[j+1]]``;
  the forward graph for forward time, the reversed one (lag ``lo + d_s - d_p``) for
  right-justification in reversed time;
* ``free`` ``(R, H)`` a work array: its width ``H`` is the length beyond which a
  schedule counts as failed.

Methods: serial schedule-generation scheme (Kolisch 1996, EJOR 90); double
justification / forward-backward improvement (Valls, Ballestín & Quintanilla 2005,
"Justification and RCPSP: a technique that pays", EJOR 165); activity-list genetic
algorithm with two-point crossover and adjacent-swap mutation (Hartmann 1998, "A
competitive genetic algorithm for resource-constrained project scheduling", NRL 45),
Lamarckian: each child's list is rewritten to the start order of its justified schedule.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["children", "double_justify", "serial_sgs", "warm_up"]


@njit(cache=True, nogil=True)
def serial_sgs(prio, dur, dem, cap, pptr, pidx, plag, sptr, sidx, free, start):
    """Serial SGS: the eligible activity with the smallest ``prio`` (float64 ``(n,)``;
    ties by index) goes next, at its earliest precedence- and resource-feasible start.

    Writes ``start`` ``(n,)``; returns the makespan, or -1 when the schedule does not
    fit in the width of ``free`` (or the graph has a cycle).
    """
    n = dur.shape[0]
    n_res = cap.shape[0]
    width = free.shape[1]
    for r in range(n_res):
        for u in range(width):
            free[r, u] = cap[r]
    missing = np.empty(n, np.int64)
    elig = np.empty(n, np.int64)
    ne = 0
    for i in range(n):
        missing[i] = pptr[i + 1] - pptr[i]
        if missing[i] == 0:
            elig[ne] = i
            ne += 1
    mk = 0
    for _ in range(n):
        if ne == 0:
            return -1
        b = 0
        for q in range(1, ne):
            eq, eb = elig[q], elig[b]
            if prio[eq] < prio[eb] or (prio[eq] == prio[eb] and eq < eb):
                b = q
        j = elig[b]
        ne -= 1
        elig[b] = elig[ne]
        t = 0
        for q in range(pptr[j], pptr[j + 1]):
            v = start[pidx[q]] + plag[q]
            if v > t:
                t = v
        d = dur[j]
        if d > 0:
            ok = False
            while not ok:
                if t + d > width:
                    return -1
                ok = True
                for r in range(n_res):
                    a = dem[j, r]
                    if a == 0:
                        continue
                    for u in range(t + d - 1, t - 1, -1):  # backwards: jump past a conflict
                        if free[r, u] < a:
                            t = u + 1
                            ok = False
                            break
                    if not ok:
                        break
            for r in range(n_res):
                a = dem[j, r]
                if a != 0:
                    for u in range(t, t + d):
                        free[r, u] -= a
        start[j] = t
        if t + d > mk:
            mk = t + d
        for q in range(sptr[j], sptr[j + 1]):
            s = sidx[q]
            missing[s] -= 1
            if missing[s] == 0:
                elig[ne] = s
                ne += 1
    return mk


@njit(cache=True, nogil=True)
def double_justify(prio, dur, dem, cap, fw, bw, free, start, rounds):
    """Forward SGS with ``prio``, then up to ``rounds`` double justifications (right-
    justify latest finish first in reversed time, left-justify again) while the makespan
    falls. ``fw`` and ``bw`` are ``(pptr, pidx, plag, sptr, sidx)`` of the forward and
    reversed graphs. Writes the best schedule to ``start``; returns its makespan (-1 on
    failure)."""
    n = dur.shape[0]
    mk = serial_sgs(prio, dur, dem, cap, fw[0], fw[1], fw[2], fw[3], fw[4], free, start)
    if mk < 0:
        return -1
    best = start.copy()
    best_mk = mk
    back = np.empty(n, np.int64)
    key = np.empty(n, np.float64)
    for _ in range(rounds):
        for i in range(n):
            key[i] = -(start[i] + dur[i])
        mk_b = serial_sgs(key, dur, dem, cap, bw[0], bw[1], bw[2], bw[3], bw[4], free, back)
        if mk_b < 0:
            break
        for i in range(n):
            key[i] = mk_b - back[i] - dur[i]
        mk = serial_sgs(key, dur, dem, cap, fw[0], fw[1], fw[2], fw[3], fw[4], free, start)
        if mk < 0 or mk >= best_mk:
            break
        best_mk = mk
        best[:] = start
    start[:] = best
    return best_mk


@njit(cache=True, nogil=True)
def breed(pop, pop_mk, p_mut, child, used, prio):  # type: ignore[no-untyped-def]
    """One child of the population ``pop`` (``(P, n)`` activity lists, makespans
    ``pop_mk``): two binary-tournament parents, two-point crossover, adjacent-swap
    mutation with probability ``p_mut`` per position. Writes the list into ``child``
    (``n``) and its positions as priorities into ``prio``; ``used`` is scratch (``n``).
    Draws from Numba's generator, seeded by the caller (:func:`children`,
    :func:`scheduler.solver.ga_full.children_full`)."""
    n_pop, n = pop.shape
    a, b = np.random.randint(n_pop), np.random.randint(n_pop)
    mother = a if pop_mk[a] <= pop_mk[b] else b
    a, b = np.random.randint(n_pop), np.random.randint(n_pop)
    father = a if pop_mk[a] <= pop_mk[b] else b
    q1, q2 = np.random.randint(n + 1), np.random.randint(n + 1)
    if q1 > q2:
        q1, q2 = q2, q1
    used[:] = False
    k = 0
    for p in range(q1):
        x = pop[mother, p]
        child[k] = x
        used[x] = True
        k += 1
    for p in range(n):
        if k >= q2:
            break
        x = pop[father, p]
        if not used[x]:
            child[k] = x
            used[x] = True
            k += 1
    for p in range(n):
        x = pop[mother, p]
        if not used[x]:
            child[k] = x
            used[x] = True
            k += 1
    for p in range(n - 1):
        if np.random.random() < p_mut:
            child[p], child[p + 1] = child[p + 1], child[p]
    for p in range(n):
        prio[child[p]] = p


@njit(cache=True, nogil=True)
def children(pop, pop_mk, n_child, p_mut, rounds, dur, dem, cap, fw, bw, free, out, out_mk, seed):
    """One generation: ``n_child`` children of the population ``pop`` (``(P, n)``
    activity lists, makespans ``pop_mk``), each from two binary-tournament parents by
    two-point crossover, adjacent-swap mutation with probability ``p_mut`` per position,
    decoded by the serial SGS with up to ``rounds`` double justifications; each child's
    list becomes the start order of its schedule. Writes ``out`` ``(n_child, n)`` and
    ``out_mk``. ``seed`` seeds the draws (Numba's generator, one per thread, apart from
    NumPy's); the GIL is released, so threads can breed parts of a generation side by side."""
    np.random.seed(seed)
    n = pop.shape[1]
    child = np.empty(n, np.int64)
    used = np.zeros(n, np.bool_)
    prio = np.empty(n, np.float64)
    start = np.empty(n, np.int64)
    for c in range(n_child):
        breed(pop, pop_mk, p_mut, child, used, prio)
        mk = double_justify(prio, dur, dem, cap, fw, bw, free, start, rounds)
        out_mk[c] = mk
        if mk < 0:
            out[c, :] = child
            continue
        for i in range(n):
            prio[i] = start[i] * (n + 1.0) + prio[i]
        out[c, :] = np.argsort(prio)


def warm_up() -> None:
    """Run every kernel once on a two-activity plan, so that compiling (first run after
    installing) or loading the cached machine code happens here, not inside a budget."""
    dur = np.array([2, 1], np.int64)
    dem = np.ones((2, 1), np.int64)
    cap = np.ones(1, np.int64)
    fw = (
        np.array([0, 0, 1], np.int64),
        np.array([0], np.int64),
        np.array([2], np.int64),
        np.array([0, 1, 1], np.int64),
        np.array([1], np.int64),
    )
    bw = (
        np.array([0, 1, 1], np.int64),
        np.array([1], np.int64),
        np.array([1], np.int64),
        np.array([0, 0, 1], np.int64),
        np.array([0], np.int64),
    )
    free = np.zeros((1, 8), np.int64)
    pop = np.array([[0, 1], [0, 1]], np.int64)
    pop_mk = np.array([3, 3], np.int64)
    out = np.empty((2, 2), np.int64)
    out_mk = np.empty(2, np.int64)
    children(pop, pop_mk, 2, 0.05, 1, dur, dem, cap, fw, bw, free, out, out_mk, 0)
