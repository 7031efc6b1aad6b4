"""CP-SAT constraints: dependencies, resources, budgets, and the explainable plan limits.

Each builder takes an optional map of *enforcement literals* (one per constraint
group that a planner could relax); :mod:`scheduler.solver.conflicts` solves with
them as assumptions to find a minimal conflicting set.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.model import period_spend
from scheduler.solver.data import Instance
from scheduler.solver.variables import Vars

__all__ = [
    "add_budgets",
    "add_dependencies",
    "add_plan_limits",
    "add_resources",
    "capacity_segments",
]


def add_dependencies(
    model: cp_model.CpModel,
    inst: Instance,
    v: Vars,
    max_lag_lits: dict[int, cp_model.IntVar] | None = None,
) -> None:
    """Add every dependency with its lag and optional max lag.

    With ``S``/``E`` start and exclusive end:
    ``FS: S(s) >= E(p) + lag``; ``SS: S(s) >= S(p) + lag``; ``FF: E(s) >= E(p) + lag``;
    ``SF: E(s) >= S(p) + lag`` (negative lag = lead). ``max_lag`` bounds the same
    difference from above, e.g. ``FS: S(s) <= E(p) + max_lag``. All four reduce to
    ``lo <= S(s) - S(p) <= hi`` (:meth:`scheduler.model.Dependency.start_distance`).

    Parameters
    ----------
    max_lag_lits
        Edge position → enforcement literal of its max lag (explanation model only).
    """
    for k, e in enumerate(inst.edges):
        sp, ss = v.starts[e.pred], v.starts[e.succ]
        if v.lo[e.succ] - v.hi[e.pred] < e.lo:  # not implied by the domains
            model.add(ss - sp >= e.lo)
        if e.hi is not None:
            c = model.add(ss - sp <= e.hi)
            if max_lag_lits is not None and k in max_lag_lits:
                c.only_enforce_if(max_lag_lits[k])


def capacity_segments(
    res_capacity: int, changes: list[tuple[int, int]], end: int, capacity_at
) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    """Spans ``(from, to, capacity)`` of a step capacity profile over ``[0, end)``."""
    points = sorted({0, *(max(0, s) for s, _ in changes if s < end)})
    out = []
    for k, p in enumerate(points):
        q = points[k + 1] if k + 1 < len(points) else end
        if q > p:
            out.append((p, q, capacity_at(p)))
    return out


def add_resources(
    model: cp_model.CpModel,
    inst: Instance,
    v: Vars,
    horizon: int,
    makespan: cp_model.IntVar | None = None,
) -> None:
    """One ``add_cumulative`` per resource.

    Time-varying capacity: the cumulative's capacity is the largest capacity, and
    fixed *capacity reducer* intervals occupy ``max_capacity - capacity_at(t)`` on
    every span where less is available. With ``makespan`` given, the interval
    ``[makespan, horizon)`` occupying the full capacity is added too (redundant: it
    tells the cumulative propagator that nothing runs after the makespan).
    """
    plan = inst.plan
    for r, res in enumerate(plan.resources):
        dem = inst.res_demands[r]
        if not dem:
            continue
        cmax = res.max_capacity
        ivs = [v.intervals[i] for i, _ in dem]
        amts = [amt for _, amt in dem]
        if res.capacity_changes:
            for a, b, cap in capacity_segments(
                res.capacity, res.capacity_changes, horizon, res.capacity_at
            ):
                if cap < cmax:
                    ivs.append(model.new_fixed_size_interval_var(a, b - a, f"cap_{res.id}_{a}"))
                    amts.append(cmax - cap)
        if makespan is not None and cmax > 0:
            ivs.append(
                model.new_interval_var(makespan, horizon - makespan, horizon, f"after_{res.id}")
            )
            amts.append(cmax)
        if sum(amts) <= cmax:
            continue  # can never overload
        model.add_cumulative(ivs, amts, cmax)


def add_budgets(
    model: cp_model.CpModel,
    inst: Instance,
    v: Vars,
    lits: dict[int, cp_model.IntVar] | None = None,
    hint: list[int] | None = None,
) -> None:
    """Budget caps: for each period ``[a, b)``, ``sum(spend_i) <= cap`` with
    ``spend_i * d_i >= cost_i * overlap_i`` (i.e. ``spend_i >= ceil(cost_i * overlap_i / d_i)``,
    :func:`scheduler.model.period_spend`).

    ``overlap_i = max(0, min(E_i, b) - max(S_i, a))`` (slots). The counted spend is
    never below the real one, so the real spend never exceeds the cap, and it is
    exact when the real spend is whole. Activities whose domain cannot meet the
    period are skipped; a forced full overlap is the constant ``cost_i``.

    Parameters
    ----------
    lits
        Budget position → enforcement literal (explanation model only).
    hint
        Start slot of each activity (shape ``(n,)``) of a schedule the model is hinted
        with: the overlap and spend variables get their values in it too, so that the
        hint is complete (CP-SAT then takes it as a first solution at once; with only
        the starts hinted it may find no solution at all in a short limit).
    """
    plan = inst.plan
    for k, b in enumerate(plan.budgets):
        const = 0
        terms: list[cp_model.IntVar] = []
        for i in range(inst.n):
            cost, d = inst.costs[i], inst.dur[i]
            lo, hi = v.lo[i], v.hi[i]
            if not cost or hi + d <= b.start or lo >= b.end:
                continue
            s = v.starts[i]
            parts: list[cp_model.LinearExprT] = []
            if lo < b.start:  # may start before the period
                parts.append(s + d - b.start)
            if hi + d > b.end:  # may end after the period
                parts.append(b.end - s)
            if not parts:
                const += cost
                continue
            parts += [d, b.end - b.start]
            low = min(lo + d - b.start, b.end - hi - d, 0)
            m = model.new_int_var(low - d, min(d, b.end - b.start), "")
            model.add_min_equality(m, parts)
            ov = model.new_int_var(0, min(d, b.end - b.start), f"ov_{b.label}_{inst.ids[i]}")
            model.add(ov >= m)
            spend = model.new_int_var(0, cost, f"spend_{b.label}_{inst.ids[i]}")
            model.add(d * spend >= cost * ov)
            terms.append(spend)
            if hint is not None:
                t = hint[i]
                vals = [t + d - b.start] if lo < b.start else []
                vals += [b.end - t] if hi + d > b.end else []
                mv = min([*vals, d, b.end - b.start])
                model.add_hint(m, mv)
                model.add_hint(ov, max(0, mv))
                model.add_hint(spend, period_spend(cost, d, max(0, mv)))
        if not terms:
            if const > b.cap:
                c = model.add_bool_or([])
                if lits is not None:
                    c.only_enforce_if(lits[k])
            continue
        c = model.add(sum(terms) + const <= b.cap)
        if lits is not None:
            c.only_enforce_if(lits[k])


def add_plan_limits(
    model: cp_model.CpModel,
    inst: Instance,
    v: Vars,
    makespan: cp_model.IntVar,
    horizon: int,
    groups: dict[tuple[str, int], cp_model.IntVar],
) -> None:
    """Explanation model only: release, due, fixed start, horizon and blackouts, each
    enforced by its literal in ``groups`` (keys ``("due", i)``, ``("release", i)``,
    ``("fixed_start", i)``, ``("horizon", 0)``, ``("blackout", b)``).

    ``release: S >= release``; ``due: E <= due``; ``fixed_start: S == fixed_start``;
    ``horizon: makespan <= horizon``; blackout ``[a, b)``: ``E <= a or S >= b``.
    """
    plan = inst.plan
    for i, a in enumerate(plan.activities):
        s = v.starts[i]
        if a.release is not None and ("release", i) in groups:
            model.add(s >= a.release).only_enforce_if(groups["release", i])
        if a.due is not None and ("due", i) in groups:
            model.add(s + a.duration <= a.due).only_enforce_if(groups["due", i])
        if a.fixed_start is not None and ("fixed_start", i) in groups:
            model.add(s == a.fixed_start).only_enforce_if(groups["fixed_start", i])
        for bidx in inst.blackout_hits[i]:
            bo = plan.blackouts[bidx]
            if a.duration == 0 or bo.end <= bo.start or ("blackout", bidx) not in groups:
                continue
            lit = groups["blackout", bidx]
            before = model.new_bool_var("")
            model.add(s + a.duration <= bo.start).only_enforce_if([lit, before])
            model.add(s >= bo.end).only_enforce_if([lit, before.negated()])
    model.add(makespan <= horizon).only_enforce_if(groups["horizon", 0])
