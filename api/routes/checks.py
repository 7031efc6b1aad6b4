"""The schedule health check of a plan: ``GET /plans/{plan_id}/check``.

The DCMA 14-point assessment (DCMA-EA PAM 200.1, :mod:`scheduler.dcma`) of the stored
upload, the same document as ``infraplan check --json``: the plan is rebuilt from its
upload through the one entrance (:func:`api.jobs.rebuild_plan`), nothing is solved.
``?baseline_schedule_id=N`` measures it against a stored solved schedule (missed tasks,
CPLI, BEI), as ``--baseline``. Any reader may ask; an unknown plan or baseline schedule
is 404, a baseline schedule without a plan (not optimal or feasible) 422 (as a solve's
``baseline_schedule_id``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from api.db import SOLVED_STATUSES, PlanRow, ScheduleRow
from api.deps import MAX_ID, PlanId, ReaderKey, SessionDep
from api.responses import etag_json
from api.schemas import ErrorPublic

__all__ = ["CheckPublic", "PlanCheckPublic", "router"]

router = APIRouter(prefix="/plans", tags=["plans"])


class RelationshipPublic(BaseModel):
    """A relationship a check flags (checks 2–4), with its lag as the file had it."""

    predecessor: str = Field(description="Predecessor activity id.")
    successor: str = Field(description="Successor activity id (incomplete).")
    type: str = Field(description="FS, SS, FF or SF.")
    lag_days: float = Field(description="Lag in working days, negative = lead (unrounded).")


class CheckPublic(BaseModel):
    """One of the 14 DCMA checks."""

    id: int = Field(ge=1, le=14, description="1–14, in DCMA's order.")
    name: str = Field(description="DCMA's name: Logic, Leads, … BEI.")
    count: int | None = Field(description="What is counted (None when it cannot apply).")
    total: int | None = Field(description="Out of how many (None when it cannot apply).")
    percent: float | None = Field(description="100 × count / total, 2 decimals.")
    threshold: str = Field(description="The published threshold, e.g. '<= 5%', '0', '>= 0.95'.")
    passed: bool | None = Field(
        description="The verdict; null where the check cannot apply (BEI and missed tasks "
        "without a baseline, CPLI without a deadline)."
    )
    value: float | None = Field(description="The index of CPLI and BEI (3 decimals).")
    activities: list[str] = Field(description="Ids it flags, at most 50.")
    activities_count: int = Field(description="How many ids it flags in all.")
    note: str = Field(description="What was counted, or why the check cannot apply.")
    relationships: list[RelationshipPublic] | None = Field(
        default=None, description="Checks 2–4: the relationships it flags, at most 50."
    )


class PlanCheckPublic(BaseModel):
    """The DCMA 14-point assessment of a plan."""

    plan_id: int = Field(description="The plan.")
    plan_name: str = Field(description="Its name.")
    data_date: str = Field(description="The date the checks measure against (ISO).")
    baseline: str | None = Field(description="The baseline's name, or null.")
    passed: int = Field(description="Checks that passed.")
    failed: int = Field(description="Checks that failed.")
    not_applicable: int = Field(description="Checks that cannot apply.")
    checks: list[CheckPublic] = Field(description="The 14 checks, in order.")


@router.get(
    "/{plan_id}/check",
    response_model=PlanCheckPublic,
    responses={
        401: {"model": ErrorPublic, "description": "Missing or unknown API key."},
        404: {"model": ErrorPublic, "description": "No such plan or baseline schedule."},
        422: {
            "model": ErrorPublic,
            "description": "The baseline schedule has no plan (not optimal or feasible).",
        },
    },
)
def get_plan_check(
    plan_id: PlanId,
    key: ReaderKey,
    session: SessionDep,
    request: Request,
    baseline_schedule_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="A solved schedule to measure against (any plan's)."),
    ] = None,
) -> Response:
    """The plan's schedule health check: the DCMA 14-point assessment (as ``infraplan check``)."""
    from api.jobs import rebuild_plan
    from scheduler.baseline import baseline_from_document
    from scheduler.dcma import assess, baseline_with_history

    row = session.get(PlanRow, plan_id)
    if row is None:
        raise HTTPException(404, f"plan {plan_id} does not exist")
    base_doc: Any = None
    if baseline_schedule_id is not None:
        base = session.get(ScheduleRow, baseline_schedule_id)
        if base is None:
            raise HTTPException(404, f"schedule {baseline_schedule_id} does not exist")
        if base.status not in SOLVED_STATUSES or base.document is None:
            raise HTTPException(
                422,
                f"schedule {baseline_schedule_id} is {base.status}: a baseline is an optimal "
                "or feasible schedule",
            )
        base_doc = base.document
    plan = rebuild_plan(row.upload, row.source_format, row.filename, row.tables)
    baseline = None
    if base_doc is not None:
        name = f"schedule {baseline_schedule_id}"
        baseline = baseline_with_history(
            lambda p: baseline_from_document(base_doc, p, name), plan, _start_of(base_doc)
        )
    doc: dict[str, Any] = {"plan_id": row.id, **assess(plan, baseline).to_json()}
    return etag_json(request, doc)


def _start_of(doc: Any) -> date | None:
    """The ``plan_start`` of a schedule document, or None (its reader says what is wrong)."""
    try:
        return date.fromisoformat(doc["plan_start"])
    except (KeyError, TypeError, ValueError):
        return None
