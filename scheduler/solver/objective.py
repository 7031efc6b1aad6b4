"""Objective expressions: makespan, weighted completion, tardiness, stability (integer units)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.model import WEIGHT_SCALE
from scheduler.solver.data import Instance
from scheduler.solver.variables import Vars

__all__ = [
    "IN_PROGRESS_WEIGHT",
    "makespan_var",
    "objective_value",
    "stability_expr",
    "stability_terms",
    "tardiness_expr",
    "terminal_activities",
    "weighted_completion_expr",
]

#: Stability weight factor of an in-progress activity's shift from its baseline resume
#: (:attr:`scheduler.model.Baseline.resume`): pausing started work costs twice as much
#: as moving unstarted work (P6's leveler keeps work in progress going).
IN_PROGRESS_WEIGHT = 2


def objective_value(inst: Instance, starts: dict[str, int], name: str) -> float:
    """Value of objective ``name`` for ``starts``.

    Returns
    -------
    float
        Slots for ``makespan``; days × weight (weights in 1/WEIGHT_SCALE units divided
        back) for ``weighted_completion``, ``tardiness`` and ``stability``.
    """
    acts = inst.plan.activities
    if name == "makespan":
        return float(max((starts[a.id] + a.duration for a in acts), default=0))
    if name == "weighted_completion":
        return sum(a.weight * (starts[a.id] + a.duration) for a in acts) / WEIGHT_SCALE
    if name == "stability":
        return (
            sum(w * abs(starts[inst.ids[i]] - b) for i, b, w in stability_terms(inst))
            / WEIGHT_SCALE
        )
    return (
        sum(a.weight * max(0, starts[a.id] + a.duration - a.due) for a in acts if a.due is not None)
        / WEIGHT_SCALE
    )


def terminal_activities(inst: Instance) -> list[int]:
    """Activities whose end is not implied to precede another activity's end.

    An edge ``p → s`` with ``S(s) - S(p) >= lo`` implies ``E(s) >= E(p)`` when
    ``lo + d_s - d_p >= 0``; only activities without such an edge can end last.
    """
    out = []
    for i in range(inst.n):
        implied = any(
            inst.edges[k].lo + inst.dur[inst.edges[k].succ] - inst.dur[i] >= 0
            for k in inst.out_edges[i]
        )
        if not implied:
            out.append(i)
    return out


def makespan_var(
    model: cp_model.CpModel, inst: Instance, v: Vars, lb: int, ub: int
) -> cp_model.IntVar:
    """Makespan (slots): ``M >= E_i`` for every terminal activity, ``lb <= M <= ub``.

    ``lb`` is the critical-path lower bound ``max(ES_i + d_i)``.
    """
    m = model.new_int_var(lb, max(lb, ub), "makespan")
    for i in terminal_activities(inst):
        if v.hi[i] + inst.dur[i] > lb:
            model.add(m >= v.end(i))
    return m


def weighted_completion_expr(inst: Instance, v: Vars) -> cp_model.LinearExprT:
    """``sum(weight_i * E_i)`` in 1/WEIGHT_SCALE day units."""
    ws = [a.weight for a in inst.plan.activities]
    return cp_model.LinearExpr.weighted_sum([v.starts[i] for i in range(inst.n)], ws) + sum(
        w * d for w, d in zip(ws, inst.dur, strict=True)
    )


def tardiness_expr(model: cp_model.CpModel, inst: Instance, v: Vars) -> cp_model.LinearExprT:
    """``sum(weight_i * max(0, E_i - due_i))`` over activities with a due date.

    In 1/WEIGHT_SCALE day units; ``T_i >= E_i - due_i``, ``T_i >= 0``.
    """
    terms = []
    for i, a in enumerate(inst.plan.activities):
        if a.due is None or a.weight == 0:
            continue
        late_max = v.hi[i] + a.duration - a.due
        if late_max <= 0:
            continue
        t = model.new_int_var(0, late_max, f"T_{a.id}")
        model.add(t >= v.end(i) - a.due)
        terms.append((a.weight, t))
    if not terms:
        return 0
    return cp_model.LinearExpr.weighted_sum([t for _, t in terms], [w for w, _ in terms])


def stability_terms(inst: Instance) -> list[tuple[int, int, int]]:
    """``(activity, baseline start, weight)`` of each term of the stability objective.

    The activities with a baseline start (:attr:`scheduler.model.Plan.baseline`) that
    have not started (progress ``not_started``: work done is history) and a weight
    above 0; on a remaining plan also the work in progress, at its baseline resume
    (:attr:`scheduler.model.Baseline.resume`) with ``IN_PROGRESS_WEIGHT`` × its weight.
    Empty without a baseline.
    """
    b = inst.plan.baseline
    if b is None:
        return []
    out = []
    for i, a in enumerate(inst.plan.activities):
        start = b.starts.get(a.id)
        if start is not None and a.weight > 0 and a.progress_status == "not_started":
            out.append((i, start, a.weight))
        elif a.id in b.resume and a.weight > 0:
            out.append((i, b.resume[a.id], IN_PROGRESS_WEIGHT * a.weight))
    return out


def stability_expr(model: cp_model.CpModel, inst: Instance, v: Vars) -> cp_model.LinearExprT:
    """``sum(weight_i * |S_i - B_i|)``: the weighted shift from the baseline starts.

    ``B_i`` is the baseline start slot of a not-yet-started activity
    (:func:`stability_terms`); in 1/WEIGHT_SCALE day units. Each shift is
    ``D_i >= S_i - B_i``, ``D_i >= B_i - S_i`` (minimised, so ``D_i = |S_i - B_i|``).
    """
    terms = []
    for i, b, w in stability_terms(inst):
        lo, hi = v.lo[i], v.hi[i]
        if lo == hi == b:
            continue
        d = model.new_int_var(0, max(abs(hi - b), abs(b - lo)), f"D_{inst.ids[i]}")
        model.add(d >= v.starts[i] - b)
        model.add(d >= b - v.starts[i])
        terms.append((w, d))
    if not terms:
        return 0
    return cp_model.LinearExpr.weighted_sum([d for _, d in terms], [w for w, _ in terms])
