"""Compiled serial schedule-generation scheme for Monte Carlo iterations.

The scheme itself is :func:`scheduler.leveled_sgs.leveled_sgs` (shared with the solver's
full-model search, :mod:`scheduler.solver.ga_full`); this module runs it in parallel
batches.

Each iteration places the activities one at a time in a fixed *activity list*
(the solved plan's start order, made precedence-feasible once), each at the
earliest slot that its dependencies, resources (time-varying capacity), budget
caps, blackouts and release allow: the serial SGS of Kelley (1963), as surveyed by
Kolisch (1996), with the horizon lifted so an iteration may finish late. The
dependency distances are linear in the two durations,
``S(succ) - S(pred) >= a_p * d_pred + a_s * d_succ + lag``, with the coefficients
taken from :meth:`scheduler.model.Dependency.start_distance` (the one place that
states each type's inequality). Max lags are not enforced in simulation: a
successor pushed late simply finishes late, which is what is measured.

The budget rule is the solver's: an activity of cost ``c`` and duration ``d``
spends ``ceil(c * overlap / d)`` in a period it overlaps by ``overlap`` slots. Each
fiscal year holds back what the solved plan spends in it on activities not yet
placed (their allocation), so an activity that may start early does not take the
money a later one was planned to use; with the plan's own durations an iteration
therefore reproduces the solved plan or finishes earlier (the usual argument for a
serial SGS on a list sorted by a feasible schedule's starts: renewable resources,
and budget allocations by the same induction).

Alongside each start the kernel records the activity whose finish freed the
resource it waited for, if any; a backward sweep then marks every activity on a
driving chain to the finish of the iteration: those that end at the finish, and
recursively each one's binding predecessors (zero free float on the link) and its
resource driver. Criticality in leveled mode thus runs through resource links, not
logic alone; ties count every tied chain, as zero total float does in CPM.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from scheduler.leveled_sgs import leveled_sgs as _one

__all__ = ["simulate_batch"]


@njit(cache=True, nogil=True, parallel=True)
def simulate_batch(
    durations, plan, cap, planned, leveled, use_work, ender_work, starts_out, crit_out, makespan_out
):  # fmt: skip
    """Run one batch of iterations in parallel chunks, one chunk per work-array slot.

    Parameters
    ----------
    durations
        Sampled durations, int64 array of shape ``(iterations, n)`` (slots).
    plan
        The plan as a tuple of int64 arrays, in the order of
        :meth:`scheduler.risk.arrays.PlanArrays.kernel_tuple`: the activity list
        (``order``, a precedence-feasible order of the ``n`` positions); incoming
        dependencies in CSR form (``in_ptr``, ``in_pred``, ``in_ap``, ``in_as``,
        ``in_lag``: for activity ``j``, edges ``in_ptr[j]:in_ptr[j+1]`` with
        predecessor, duration coefficients and lag); ``snet``, the earliest start of
        each activity; resource demands in CSR form (``dem_ptr``, ``dem_res``,
        ``dem_amt``); budget periods ``[b_start, b_end)`` with caps ``b_cap``
        (integer money); ``cost`` of each activity; blackout windows in CSR form
        (``bl_ptr``, ``bl_start``, ``bl_end``).
    cap
        Capacity of each resource at each slot, shape ``(resources, T)``; ``T``
        bounds how late any iteration may end.
    planned
        What each activity spends in each period in the solved plan, shape
        ``(n, periods)``: held for it until it is placed (see the module docstring).
    leveled
        False for logic only (CPM forward pass, no resources, budgets or blackouts).
    use_work, ender_work
        Work arrays of the parallel chunks, shapes ``(chunks, resources, T)`` (zeros)
        and ``(chunks, resources, T + 1)`` (-1): the slots used and the activity
        ending at each slot. Every iteration gives them back as it found them, so a
        caller allocates them once and passes them to every batch (the number of
        chunks does not change the results).
    starts_out, crit_out, makespan_out
        Outputs: starts ``(iterations, n)``, criticality flags ``(iterations, n)``,
        makespans ``(iterations,)`` (-1 where ``T`` was too short).
    """
    iters = durations.shape[0]
    n = durations.shape[1]
    chunks = use_work.shape[0]
    per = (iters + chunks - 1) // chunks
    for c in prange(chunks):
        use = use_work[c]
        ender = ender_work[c]
        b_left = np.zeros(planned.shape[1], dtype=np.int64)
        reserved = np.zeros(planned.shape[1], dtype=np.int64)
        driver = np.full(n, -1, dtype=np.int64)
        start = np.zeros(n, dtype=np.int64)
        crit = np.zeros(n, dtype=np.bool_)
        for it in range(c * per, min(iters, (c + 1) * per)):
            for j in range(n):
                start[j] = -1
            makespan_out[it] = _one(
                durations[it], plan, cap, planned, use, ender, b_left, reserved, leveled,
                start, driver, crit,
            )  # fmt: skip
            for j in range(n):
                starts_out[it, j] = start[j]
                crit_out[it, j] = crit[j]
