"""Independent feasibility checker for solved plans (SPEC §3 and §5).

Written from the specification and :mod:`scheduler.model` only; it imports nothing
from :mod:`scheduler.solver` so that a wrong solver model cannot pass its own check.
Every test that produces a schedule re-checks it with :func:`assert_feasible`.

Checks, with ``S``/``E`` the start and exclusive end slot (``E = S + duration``):

* every activity has a start; ``S >= 0``; ``E <= plan.horizon``;
* ``S >= release``; ``E <= due`` (unless ``ignore_due``); ``S == fixed_start``;
* dependencies (lag ``l``, optional ``max_lag`` ``m``):
  FS ``S(s) - E(p)``, SS ``S(s) - S(p)``, FF ``E(s) - E(p)``, SF ``E(s) - S(p)``;
  each difference ``d`` must satisfy ``l <= d`` and, with ``m``, ``d <= m``;
* resources: on every slot, the summed demand of running activities is at most
  ``Resource.capacity_at(slot)``;
* budgets: the exact real spend in ``[start, end)`` of each period,
  ``sum(cost * overlap / duration)`` as :class:`fractions.Fraction`, is at most ``cap``;
* blackouts: no activity of duration > 0 in a blackout's scope runs on a slot of it.

A progressed plan is checked as its remaining plan (:func:`scheduler.progress.remaining_plan`,
the one statement of P6's progress rules, which the solver shares), at that plan's starts;
on top, no complete activity's finish event may sit before its actual finish and no
remaining work may start before the data date, checked here from the progress records
themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from scheduler.model import Plan
from scheduler.progress import remaining_plan

__all__ = ["assert_feasible", "violations"]


def violations(plan: Plan, starts: Mapping[str, int], *, ignore_due: bool = False) -> list[str]:
    """List every constraint of ``plan`` that the start slots ``starts`` break.

    Parameters
    ----------
    plan
        The plan (grid slots, integer money units).
    starts
        Activity id → start slot.
    ignore_due
        Skip due dates (the ``tardiness`` objective treats them as soft).

    Returns
    -------
    list of str
        One sentence per violation; empty when the schedule is feasible.
    """
    out: list[str] = []
    if plan.data_date is not None:
        dd = plan.data_date
        for a in plan.activities:
            p, s0 = a.progress, starts.get(a.id)
            if s0 is None:
                continue
            if p is not None and p.actual_finish is not None and s0 < p.actual_finish:
                out.append(
                    f"{a.id}: complete, but placed at {s0} before its actual finish "
                    f"{p.actual_finish}"
                )
            elif (p is None or p.actual_finish is None) and a.duration and s0 < dd:
                out.append(f"{a.id}: remaining work starts {s0} before the data date {dd}")
        plan, _ = remaining_plan(plan)
    acts = {a.id: a for a in plan.activities}
    for aid in starts:
        if aid not in acts:
            out.append(f"start given for unknown activity {aid!r}")
    missing = [a.id for a in plan.activities if a.id not in starts]
    for aid in missing:
        out.append(f"activity {aid!r} has no start")
    if missing:
        return out

    S = {a.id: int(starts[a.id]) for a in plan.activities}
    E = {a.id: S[a.id] + a.duration for a in plan.activities}

    # -- time window ---------------------------------------------------------------------
    for a in plan.activities:
        s, e = S[a.id], E[a.id]
        if s < 0:
            out.append(f"{a.id}: start {s} < 0")
        if e > plan.horizon:
            out.append(f"{a.id}: end {e} > horizon {plan.horizon}")
        if a.release is not None and s < a.release:
            out.append(f"{a.id}: start {s} < release {a.release}")
        if not ignore_due and a.due is not None and e > a.due:
            out.append(f"{a.id}: end {e} > due {a.due}")
        if a.fixed_start is not None and s != a.fixed_start:
            out.append(f"{a.id}: start {s} != fixed_start {a.fixed_start}")

    # -- dependencies --------------------------------------------------------------------
    for d in plan.dependencies:
        p, q = d.predecessor, d.successor
        if p not in acts or q not in acts:
            out.append(f"dependency {p}->{q} names an unknown activity")
            continue
        left = E[q] if d.to_end else S[q]
        right = E[p] if d.from_end else S[p]
        diff = left - right
        if diff < d.lag:
            out.append(f"{d.type} {p}->{q}: difference {diff} < lag {d.lag}")
        if d.max_lag is not None and diff > d.max_lag:
            out.append(f"{d.type} {p}->{q}: difference {diff} > max_lag {d.max_lag}")

    # -- resources -----------------------------------------------------------------------
    res = {r.id: r for r in plan.resources}
    usage: dict[str, dict[int, int]] = {}
    for dm in plan.demands:
        if dm.resource not in res:
            out.append(f"demand of {dm.activity!r} names unknown resource {dm.resource!r}")
            continue
        if dm.activity not in acts or dm.amount == 0:
            continue
        line = usage.setdefault(dm.resource, {})
        for t in range(S[dm.activity], E[dm.activity]):
            line[t] = line.get(t, 0) + dm.amount
    for rid, line in usage.items():
        r = res[rid]
        for t in sorted(line):
            if line[t] > r.capacity_at(t):
                out.append(
                    f"resource {rid}: use {line[t]} > capacity {r.capacity_at(t)} at slot {t}"
                )

    # -- budgets (exact real spend) ------------------------------------------------------
    for b in plan.budgets:
        spend = Fraction(0)
        for a in plan.activities:
            if a.duration == 0 or a.cost == 0:
                continue
            overlap = max(0, min(E[a.id], b.end) - max(S[a.id], b.start))
            if overlap:
                spend += Fraction(a.cost * overlap, a.duration)
        if spend > b.cap:
            out.append(f"budget {b.label}: spend {float(spend):.4f} > cap {b.cap}")

    # -- blackouts -----------------------------------------------------------------------
    for a in plan.activities:
        if a.duration == 0:
            continue
        for bo in plan.blackouts_of(a):
            if max(S[a.id], bo.start) < min(E[a.id], bo.end):
                out.append(
                    f"{a.id}: runs [{S[a.id]}, {E[a.id]}) inside blackout "
                    f"{bo.scope} [{bo.start}, {bo.end}) {bo.reason}".rstrip()
                )
    return out


def assert_feasible(plan: Plan, starts: Mapping[str, int], *, ignore_due: bool = False) -> None:
    """Raise ``AssertionError`` listing every violation of ``starts`` (see :func:`violations`)."""
    found = violations(plan, starts, ignore_due=ignore_due)
    if found:
        raise AssertionError(f"{len(found)} violation(s):\n  " + "\n  ".join(found))
