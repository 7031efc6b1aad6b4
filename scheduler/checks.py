"""The one validation path run on a :class:`~scheduler.model.Plan`, whatever its format.

Every reader ends here: the P6, MS Project and DSLIB importers (through
:meth:`scheduler.importers._common.IssueLog.plan`) and PSPLIB call
:func:`checked_plan` on the plan they built; our workbook runs the same checks of
:mod:`scheduler.validate` on its parsed rows (it must also report rows that did
not become model objects). Each model object carries its
:class:`~scheduler.errors.Place`, so the sentences are the workbook's and the
place is the file's: ``"Dependencies: cyclic dependencies A-1 → A-2 → A-1 (rows
2, 3)"``, ``"plan.xer: TASKPRED: cyclic dependencies ... (lines 41, 40)"``,
``"j301_1.sm: job 3: successor '33' is not an activity id"``.

Checks: duplicate activity and resource ids, dependencies and demands naming
unknown activities or resources, self-dependencies, ``max_lag < lag``, lags longer
than the plan, cycles (named in order with their activities), duplicate demands,
demands above capacity or by milestones, release / due / fixed start against the
horizon and each other, durations longer than the plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from scheduler import validate
from scheduler.errors import InvalidPlanError, Issue, Place
from scheduler.model import Plan
from scheduler.timegrid import TimeGrid

__all__ = ["checked_plan", "validate_plan"]


def _row(obj: Any, sheet: str, **values: Any) -> dict[str, Any]:
    place = obj.place if isinstance(obj.place, Place) else Place(sheet, obj.source_row)
    return {**values, "_row": place.row, "_place": place}


def _day(grid: TimeGrid, slot: int) -> date:
    """The date of a slot, also outside the horizon (a day per slot there)."""
    if 0 <= slot < grid.horizon:
        return grid.date_of(slot)
    try:
        if slot >= grid.horizon:
            return grid.horizon_end_date + timedelta(days=slot - grid.horizon)
        return grid.plan_start + timedelta(days=slot)
    except OverflowError:
        return date.max if slot > 0 else date.min


def validate_plan(plan: Plan) -> list[Issue]:
    """Every problem of a plan, each a placed :class:`Issue` (errors and warnings).

    Parameters
    ----------
    plan
        A plan as a reader built it; its objects' :attr:`place` (or, when None,
        the workbook's sheet and ``source_row``) names where each came from.

    Returns
    -------
    list[Issue]
        In check order (ids, references, lags, cycles, demands, dates); empty when
        the plan can be solved as given. Never raises.
    """
    grid = plan.grid
    unit = "days" if grid.kind == "calendar" else "working days"
    acts = [
        _row(
            a,
            "Activities",
            id=a.id,
            duration=a.duration,
            release=None if a.release is None else _day(grid, a.release),
            due=None if a.due is None else _day(grid, a.due - 1),
            fixed_start=None if a.fixed_start is None else _day(grid, a.fixed_start),
        )
        for a in plan.activities
    ]
    deps = [
        _row(
            d,
            "Dependencies",
            predecessor=d.predecessor,
            successor=d.successor,
            type=d.type,
            lag=d.lag,
            max_lag=d.max_lag,
        )
        for d in plan.dependencies
    ]
    resources = [_row(r, "Resources", id=r.id, capacity=r.max_capacity) for r in plan.resources]
    demands = [
        _row(d, "Demands", activity=d.activity, resource=d.resource, amount=d.amount)
        for d in plan.demands
    ]
    activity_ids = {a.id for a in plan.activities}
    resource_ids = {r.id for r in plan.resources}
    issues: list[Issue] = []
    issues += validate.duplicate_ids("Activities", acts, "activity")
    issues += validate.duplicate_ids("Resources", resources, "resource")
    for col in ("predecessor", "successor"):
        issues += validate.unknown_ids("Dependencies", deps, col, activity_ids, "an activity id")
    issues += validate.unknown_ids("Demands", demands, "activity", activity_ids, "an activity id")
    issues += validate.unknown_ids("Demands", demands, "resource", resource_ids, "a resource id")
    issues += validate.dependency_lags(deps)
    issues += validate.lags_fit(deps, grid.horizon, unit)
    issues += validate.dependency_cycles(deps)
    issues += validate.duplicate_demands(demands)
    issues += validate.demand_capacity(
        demands,
        {r.id: r.max_capacity for r in plan.resources},
        {a.id: a.duration for a in plan.activities},
    )
    end = grid.horizon_end_date
    issues += validate.activity_dates(acts, plan.plan_start, end)
    dated_ok = [
        a
        for a in acts
        if all(
            a[c] is None or plan.plan_start <= a[c] < end for c in ("release", "due", "fixed_start")
        )
    ]
    issues += validate.fixed_starts_fit(dated_ok, grid)
    issues += validate.durations_fit(acts, grid)
    return issues


def checked_plan(plan: Plan, earlier: Iterable[Issue] = ()) -> Plan:
    """``plan`` once :func:`validate_plan` finds no error; its warnings added to the plan's.

    Parameters
    ----------
    plan
        The plan a reader built.
    earlier
        Issues the reader found before (its warnings), reported first.

    Raises
    ------
    InvalidPlanError
        With the earlier issues and every issue found, when any is an error.
    """
    found = validate_plan(plan)
    if any(i.severity == "error" for i in found):
        raise InvalidPlanError([*earlier, *found])
    plan.warnings.extend(i for i in found if i not in plan.warnings)
    return plan
