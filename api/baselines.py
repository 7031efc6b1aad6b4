"""Stored schedules as baselines: a solve's ``baseline_schedule_id`` and the comparison view.

No routes here (routes raise the HTTP errors): these functions read stored rows and
answer with :mod:`scheduler.baseline` objects, raising
:class:`~scheduler.errors.InvalidPlanError` (422, every issue placed in ``schedule N``)
when a stored document does not fit the plan.
"""

from __future__ import annotations

from typing import Any

from api.db import PlanRow, ScheduleRow
from scheduler.baseline import baseline_from_document, compare
from scheduler.model import Baseline, Plan

__all__ = ["baseline_name", "comparison_view", "load_baseline", "plan_of"]


def baseline_name(schedule_id: int) -> str:
    """How a stored baseline is named in messages and documents: ``"schedule 7"``."""
    return f"schedule {schedule_id}"


def plan_of(plan_row: PlanRow) -> Plan:
    """The plan of a stored upload, read once (:func:`api.jobs.rebuild_plan`)."""
    from api.jobs import rebuild_plan

    return rebuild_plan(  # type: ignore[no-any-return]
        plan_row.upload, plan_row.source_format, plan_row.filename, plan_row.tables
    )


def load_baseline(plan: Plan, row: ScheduleRow) -> Baseline:
    """The stored schedule ``row`` as a baseline of ``plan`` (its dates on ``plan``'s grid).

    Raises
    ------
    InvalidPlanError
        When its document is no plan to keep to (not optimal or feasible), has no id in
        common with ``plan``, or has a date off ``plan``'s grid; placed in ``schedule N``.
    """
    return baseline_from_document(row.document, plan, baseline_name(row.id))


def comparison_view(plan: Plan, row: ScheduleRow, other: ScheduleRow) -> dict[str, Any]:
    """Schedule ``row`` against schedule ``other`` as its baseline, on ``row``'s plan.

    The solved starts of ``row`` are read back from its own document (the same reader),
    so both sides pass through one date rule. Keys: ``schedule_id``,
    ``baseline_schedule_id`` and those of :meth:`scheduler.baseline.Comparison.to_json`.

    Raises
    ------
    InvalidPlanError
        As :func:`load_baseline`, for either document.
    """
    current = load_baseline(plan, row)
    missing = [a.id for a in plan.activities if a.id not in current.starts]
    if missing:  # a document of this plan has every activity: cannot happen
        raise ValueError(f"schedule {row.id} has no dates for {missing[:5]}")
    # the solver's starts, for what held each slip: an activity that started is on the
    # remaining plan from ``end - remaining_days`` (its remaining work)
    remaining = {a["id"]: a.get("remaining_days") for a in (row.document or {})["activities"]}
    solved = {
        a.id: (
            current.starts[a.id]
            if a.progress_status == "not_started" or remaining.get(a.id) is None
            else current.ends[a.id] - int(remaining[a.id])
        )
        for a in plan.activities
    }
    cmp = compare(
        plan, current.starts, load_baseline(plan, other), ends=current.ends, solved=solved
    )
    return {"schedule_id": row.id, "baseline_schedule_id": other.id, **cmp.to_json(plan.grid)}
