"""Feasibility check of a schedule against every constraint of a plan (in words)."""

from __future__ import annotations

from collections.abc import Mapping

from scheduler.model import Plan, period_spend
from scheduler.progress import remaining_plan
from scheduler.solver.data import Instance

__all__ = ["check_schedule"]


def check_schedule(
    plan: Plan,
    starts: Mapping[str, int],
    *,
    soft_due: bool = False,
    horizon: int | None = None,
    instance: Instance | None = None,
) -> list[str]:
    """List every constraint that the start slots ``starts`` violate.

    Checks starts >= 0, the horizon, release, due (unless ``soft_due``), fixed
    starts, all four dependency types with lag and max_lag, resource capacity per
    slot (time-varying), budget caps with the solver's rounded-up spend rate
    (:func:`scheduler.model.period_spend`, so passing here implies the real spend is
    within each cap), and blackouts.

    A progressed plan is checked as its remaining plan
    (:func:`scheduler.progress.remaining_plan`), at that plan's starts.

    Parameters
    ----------
    plan
        The plan (grid slots, integer money).
    starts
        Activity id → start slot (of the remaining plan's activities).
    soft_due
        Do not report due dates (the ``tardiness`` objective treats them as soft).
    horizon
        Horizon to check against (slots); default ``plan.horizon``.
    instance
        A prebuilt :class:`Instance` of ``plan`` (saves indexing time).

    Returns
    -------
    list of str
        One sentence per violated constraint; ``[]`` means feasible.
    """
    if instance is None:
        plan, _ = remaining_plan(plan)
    inst = instance or Instance.from_plan(plan)
    grid = plan.grid
    hz = plan.horizon if horizon is None else horizon
    out: list[str] = []
    missing = [i for i in inst.ids if i not in starts]
    if missing:
        return [f"activity {m} has no start" for m in missing]
    S = [int(starts[i]) for i in inst.ids]
    dur = inst.dur
    for i, a in enumerate(plan.activities):
        s, end_i = S[i], S[i] + dur[i]
        if s < 0:
            out.append(f"{a.id} starts at slot {s}, before the plan start")
        if end_i > hz:
            out.append(
                f"{a.id} ends after the horizon "
                f"({grid.finish_date(s, end_i)} > {grid.date_of(hz - 1)})"
            )
        if a.release is not None and s < a.release:
            out.append(
                f"{a.id} starts {grid.date_of(s)}, before its release {grid.date_of(a.release)}"
            )
        if not soft_due and a.due is not None and end_i > a.due:
            out.append(
                f"{a.id} finishes {grid.finish_date(s, end_i)}, after its due date "
                f"{grid.date_of(a.due - 1)}"
            )
        if a.fixed_start is not None and s != a.fixed_start:
            out.append(
                f"{a.id} starts {grid.date_of(s)}, not on its fixed start "
                f"{grid.date_of(a.fixed_start)}"
            )
        for lo, hi in inst.forbidden[i]:
            if lo <= s <= hi:
                out.append(f"{a.id} runs in a blackout window (start {grid.date_of(s)})")
    for edge in inst.edges:
        e = edge
        diff = S[e.succ] - S[e.pred]
        dep = e.dep
        if diff < e.lo:
            out.append(
                f"{dep.type} {dep.predecessor} → {dep.successor} lag {dep.lag} "
                f"violated by {e.lo - diff} slot(s)"
            )
        if e.hi is not None and diff > e.hi:
            out.append(
                f"{dep.type} {dep.predecessor} → {dep.successor} max lag {dep.max_lag} "
                f"exceeded by {diff - e.hi} slot(s)"
            )
    end = max([S[i] + dur[i] for i in range(inst.n)] + [0])
    for r_pos, res in enumerate(plan.resources):
        dem = inst.res_demands[r_pos]
        if not dem:
            continue
        lo = min(0, *(S[i] for i, _ in dem))
        use = [0] * (end - lo + 1)
        for i, amt in dem:
            use[S[i] - lo] += amt
            use[S[i] + dur[i] - lo] -= amt
        level = 0
        bad = 0
        first = None
        for t in range(len(use) - 1):
            level += use[t]
            if level > res.capacity_at(t + lo):
                bad += 1
                first = t + lo if first is None else first
        if bad:
            assert first is not None
            out.append(
                f"resource {res.id} over capacity on {bad} slot(s) from "
                f"{grid.date_of(max(first, 0))}"
            )
    for b in plan.budgets:
        spend = 0
        for i in range(inst.n):
            if inst.costs[i]:
                ov = max(0, min(S[i] + dur[i], b.end) - max(S[i], b.start))
                spend += period_spend(inst.costs[i], dur[i], ov)
        if spend > b.cap:
            out.append(f"budget {b.label}: spend {spend} above cap {b.cap} (1M KRW units)")
    return out
