"""Schedules: status and document, cancel, Gantt data, paths, figures, report.

The Gantt page (``/schedules/{id}/gantt.html``) is in :mod:`api.routes.pages`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from api.db import ACTIVE_STATUSES, FINAL_STATUSES, SOLVED_STATUSES, PlanRow, ScheduleRow
from api.deps import (
    JobsDep,
    PlannerKey,
    ReaderKey,
    ScheduleId,
    SessionDep,
)
from api.responses import BodyCache, content_disposition, dumps, etag_body, etag_json
from api.routes.views import critical_path_view, gantt_view, schedule_public
from api.schemas import (
    BudgetPublic,
    ComparisonPublic,
    CriticalPathPublic,
    ErrorPublic,
    GanttPublic,
    NetworkPublic,
    ResourcesPublic,
    SchedulePublic,
)

__all__ = ["content_disposition", "router"]

router = APIRouter(prefix="/schedules", tags=["schedules"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "Missing or unknown API key."},
    403: {"model": ErrorPublic, "description": "The key's role may not do this."},
    404: {"model": ErrorPublic, "description": "No such schedule."},
}
_VIEW = {
    **_ERRORS,
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
    409: {
        "model": ErrorPublic,
        "description": "The schedule has no plan (yet): still "
        "queued or running, failed, cancelled or infeasible; `status` says which.",
    },
}


def _get(session: SessionDep, schedule_id: int) -> ScheduleRow:
    row = session.get(ScheduleRow, schedule_id)
    if row is None:
        raise HTTPException(404, f"schedule {schedule_id} does not exist")
    return row


def _ended(session: SessionDep, schedule_id: int, *, dates: bool) -> ScheduleRow:
    """The ended schedule: 404 if none; 409 unless its solve ended with a document.

    With ``dates``, also 409 unless the plan was solved (it has dates to draw).
    """
    row = _get(session, schedule_id)
    if row.status in ACTIVE_STATUSES:
        raise HTTPException(
            409,
            f"schedule {row.id} is still {row.status}; poll GET /schedules/{row.id}",
            headers={"X-Schedule-Status": row.status},
        )
    if row.document is None or row.status in ("failed", "cancelled"):
        raise HTTPException(
            409,
            f"schedule {row.id} is {row.status}" + (f": {row.reason}" if row.reason else ""),
            headers={"X-Schedule-Status": row.status},
        )
    if dates and row.status not in SOLVED_STATUSES:
        raise HTTPException(
            409,
            f"schedule {row.id} is {row.status}: no dates to draw; "
            f"see the conflicts in GET /schedules/{row.id}",
            headers={"X-Schedule-Status": row.status},
        )
    return row


@router.get("/{schedule_id}", response_model=SchedulePublic, responses=_VIEW)
def get_schedule(
    schedule_id: ScheduleId, key: ReaderKey, session: SessionDep, request: Request
) -> Response:
    """Fetch a schedule: status, progress and, once ended, the whole schedule document."""
    status = session.scalar(select(ScheduleRow.status).where(ScheduleRow.id == schedule_id))
    if status is None:
        raise HTTPException(404, f"schedule {schedule_id} does not exist")
    cache: BodyCache = request.app.state.bodies
    if status in FINAL_STATUSES and (body := cache.get(("schedule", schedule_id))):
        return etag_body(request, body)
    row = _get(session, schedule_id)
    body = dumps(schedule_public(row).model_dump(mode="json"))
    if row.status in FINAL_STATUSES:  # an ended schedule never changes again
        cache.put(("schedule", schedule_id), body)
    return etag_body(request, body)


@router.delete(
    "/{schedule_id}",
    response_model=SchedulePublic,
    responses={
        **_ERRORS,
        409: {"model": ErrorPublic, "description": "The solve has already ended."},
    },
)
def cancel_schedule(
    schedule_id: ScheduleId, key: PlannerKey, session: SessionDep, jobs: JobsDep
) -> SchedulePublic:
    """Cancel a queued or running solve (the worker process is terminated)."""
    row = _get(session, schedule_id)
    if not jobs.cancel(schedule_id):
        session.refresh(row)
        raise HTTPException(409, f"schedule {schedule_id} has already ended ({row.status})")
    session.refresh(row)
    return schedule_public(row)


@router.get("/{schedule_id}/gantt", response_model=GanttPublic, responses=_VIEW)
def get_gantt(
    schedule_id: ScheduleId, key: ReaderKey, session: SessionDep, request: Request
) -> Response:
    """Gantt tasks (frappe-gantt fields plus project, sector, critical, links with lag)."""
    row = _ended(session, schedule_id, dates=True)
    return etag_json(request, gantt_view(row))


@router.get(
    "/{schedule_id}/compare/{other_id}",
    response_model=ComparisonPublic,
    responses={
        **_VIEW,
        422: {
            "model": ErrorPublic,
            "description": "The other schedule does not fit this one's plan (no activity id "
            "in common, dates off its grid): every issue placed in `schedule N`.",
        },
    },
)
def get_comparison(
    schedule_id: ScheduleId,
    other_id: ScheduleId,
    key: ReaderKey,
    session: SessionDep,
    request: Request,
) -> Response:
    """The schedule against another as its baseline: variances, finish variance, what slipped.

    Variances are grid slots (``variance_unit``), positive = later than the other
    schedule; each slipped activity names what drove its slip (``driven_by``).
    """
    from api.baselines import comparison_view, plan_of

    row = _ended(session, schedule_id, dates=True)
    other = _ended(session, other_id, dates=True)
    plan_row = session.get(PlanRow, row.plan_id)
    assert plan_row is not None  # a schedule's plan is never deleted
    return etag_json(request, comparison_view(plan_of(plan_row), row, other))


@router.get("/{schedule_id}/critical-path", response_model=CriticalPathPublic, responses=_VIEW)
def get_critical_path(
    schedule_id: ScheduleId, key: ReaderKey, session: SessionDep, request: Request
) -> Response:
    """Critical chains (logic longest path), the driving path and their activities."""
    row = _ended(session, schedule_id, dates=False)
    return etag_json(request, critical_path_view(row))


@router.get("/{schedule_id}/resources", response_model=ResourcesPublic, responses=_VIEW)
def get_resources(
    schedule_id: ScheduleId, key: ReaderKey, session: SessionDep, request: Request
) -> Response:
    """Resource use (peak and average per day) against capacity, per month."""
    row = _ended(session, schedule_id, dates=False)
    return etag_json(
        request, {"schedule_id": row.id, "resources": (row.document or {}).get("resources", [])}
    )


@router.get("/{schedule_id}/budget", response_model=BudgetPublic, responses=_VIEW)
def get_budget(
    schedule_id: ScheduleId, key: ReaderKey, session: SessionDep, request: Request
) -> Response:
    """Spend against the cap per budget period (fiscal year), and spend per month."""
    row = _ended(session, schedule_id, dates=False)
    doc = row.document or {}
    return etag_json(
        request,
        {
            "schedule_id": row.id,
            "periods": doc.get("budget", []),
            "months": doc.get("spend_by_month", []),
        },
    )


@router.get("/{schedule_id}/network", response_model=NetworkPublic, responses=_VIEW)
def get_network(
    schedule_id: ScheduleId, key: ReaderKey, session: SessionDep, request: Request
) -> Response:
    """For each sector, the month from which each pair of regions is connected."""
    row = _ended(session, schedule_id, dates=False)
    return etag_json(request, {"schedule_id": row.id, "connections": row.network or []})


@router.get(
    "/{schedule_id}/report.xlsx",
    response_class=Response,
    responses={**_VIEW, 200: {"content": {XLSX_TYPE: {}}, "description": "Excel report."}},
)
def get_report(schedule_id: ScheduleId, key: ReaderKey, session: SessionDep) -> Response:
    """The Excel report of the schedule (file name in UTF-8: plan names may be Korean)."""
    row = _ended(session, schedule_id, dates=False)
    if row.report is None:
        raise HTTPException(
            409, f"schedule {row.id} has no report" + (f": {row.reason}" if row.reason else "")
        )
    name = (row.document or {}).get("plan_name") or f"plan-{row.plan_id}"
    return Response(
        row.report,
        media_type=XLSX_TYPE,
        headers={
            "Content-Disposition": content_disposition(
                f"{name}-v{row.version}.xlsx", f"schedule-{row.id}-v{row.version}.xlsx"
            )
        },
    )
