"""What the workspace page reads beyond the plain endpoints: versions side by side, MSPDI.

``GET /plans/{id}/versions``: every schedule version of a plan with the figures a
planner compares (finish, makespan, objective, gap, solve time, who asked, when).
``GET /schedules/{id}/mspdi.xml``: a solved version as MS Project XML, written from the
stored upload and the solved dates (the same writer as ``infraplan export``).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from api.db import ApiKey, PlanRow, ScheduleRow
from api.deps import PlanId, ReaderKey, ScheduleId, SessionDep
from api.responses import BodyCache, content_disposition
from api.routes.schedules import _ERRORS, _VIEW, _ended
from api.schemas import VersionPublic

__all__ = ["router", "solved_starts", "version_public"]

router = APIRouter(tags=["workspace"])

MSPDI_TYPE = "application/xml"


def version_public(row: ScheduleRow, who: ApiKey | None) -> VersionPublic:
    """The comparison row of one schedule version (figures from its document)."""
    doc = row.document or {}
    objectives = doc.get("objectives") or []
    return VersionPublic(
        id=row.id,
        plan_id=row.plan_id,
        version=row.version,
        status=row.status,  # type: ignore[arg-type]
        reason=row.reason,
        finish=doc.get("finish"),
        makespan_days=doc.get("makespan_days"),
        objective=doc.get("objective"),
        objective_kind=(row.options or {}).get("objective")
        or (objectives[0] if objectives else None),
        bound=doc.get("bound"),
        gap=doc.get("gap"),
        solve_seconds=doc.get("solve_seconds"),
        options=row.options or {},
        has_report=row.report is not None,
        created_by=None
        if who is None
        else {"name": who.name, "role": who.role, "prefix": who.prefix},
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


@router.get(
    "/plans/{plan_id}/versions",
    response_model=list[VersionPublic],
    tags=["plans"],
    responses={**_ERRORS, 404: {"description": "No such plan."}},
)
def list_versions(plan_id: PlanId, key: ReaderKey, session: SessionDep) -> list[VersionPublic]:
    """Every schedule version of the plan, oldest first, with the figures to compare."""
    if session.get(PlanRow, plan_id) is None:
        raise HTTPException(404, f"plan {plan_id} does not exist")
    rows = list(
        session.scalars(
            select(ScheduleRow).where(ScheduleRow.plan_id == plan_id).order_by(ScheduleRow.version)
        )
    )
    ids = {r.created_by for r in rows if r.created_by is not None}
    keys = (
        {k.id: k for k in session.scalars(select(ApiKey).where(ApiKey.id.in_(ids)))} if ids else {}
    )
    return [version_public(r, keys.get(r.created_by or -1)) for r in rows]


def solved_starts(plan: Any, activities: list[dict[str, Any]]) -> dict[str, int]:
    """Grid slots of the solved starts, from the document's dates.

    A worked activity starts on the slot of its ``start`` date; a milestone at slot
    ``s > 0`` is shown on the date of slot ``s - 1`` (the day the work it marks ends),
    so its slot is the one after its date (slot 0 when that does not give the date back).
    With progress the slots are the remaining plan's (:attr:`Schedule.starts
    <scheduler.solution.Schedule.starts>`): a complete activity's actual finish, and an
    in-progress one's end (the slot after its ``finish``) less its ``remaining_days``; an
    out-of-sequence complete one's finish event where its relations put it
    (:meth:`ProgressMap.settle <scheduler.progress.ProgressMap.settle>`).

    Raises
    ------
    ValueError
        If an activity of the plan has no solved date in the document.
    """
    from scheduler.progress import remaining_plan

    grid = plan.grid
    done = remaining_plan(plan)[1]
    by_id = {a["id"]: a for a in activities}
    starts: dict[str, int] = {}
    for act in plan.activities:
        row = by_id.get(act.id)
        if row is None or not row.get("start"):
            raise ValueError(f"activity {act.id} has no solved start")
        status = done.status[act.id]
        if status == "complete":
            starts[act.id] = done.actual_finish[act.id]
        elif status == "in_progress":
            end = grid.slot_after(date.fromisoformat(row["finish"]))
            starts[act.id] = end - done.remaining[act.id]
        elif act.duration > 0:
            starts[act.id] = grid.slot_on_or_after(date.fromisoformat(row["start"]))
        else:
            day = date.fromisoformat(row["finish"] or row["start"])
            slot = grid.slot_after(day)
            starts[act.id] = slot if grid.finish_date(slot, slot) == day else 0
    return done.settle(starts)


@router.get(
    "/schedules/{schedule_id}/mspdi.xml",
    response_class=Response,
    tags=["schedules"],
    responses={
        **_VIEW,
        200: {"content": {MSPDI_TYPE: {}}, "description": "MS Project XML (MSPDI)."},
    },
)
def get_mspdi(
    schedule_id: ScheduleId, key: ReaderKey, session: SessionDep, request: Request
) -> Response:
    """The solved version as MS Project XML (MSPDI): tasks with their solved dates, links,
    resources and the plan's calendar, for MS Project or Primavera P6."""
    row = _ended(session, schedule_id, dates=True)
    cache: BodyCache = request.app.state.bodies
    name = (row.document or {}).get("plan_name") or f"plan-{row.plan_id}"
    headers = {
        "Content-Disposition": content_disposition(
            f"{name}-v{row.version}.xml", f"schedule-{row.id}-v{row.version}.xml"
        )
    }
    body = cache.get(("mspdi", row.id))
    if body is None:
        body = _write_mspdi(session, row)
        cache.put(("mspdi", row.id), body)
    return Response(body, media_type=MSPDI_TYPE, headers=headers)


def _write_mspdi(session: SessionDep, row: ScheduleRow) -> bytes:
    from api.jobs import rebuild_plan
    from scheduler.cpm import compute_cpm
    from scheduler.exporters.mspdi import write_mspdi
    from scheduler.planner import add_driving
    from scheduler.solution import Schedule

    plan_row = session.get(PlanRow, row.plan_id)
    if plan_row is None:  # pragma: no cover - the foreign key cascades
        raise HTTPException(404, f"plan {row.plan_id} does not exist")
    doc = row.document or {}
    try:
        plan = rebuild_plan(
            plan_row.upload, plan_row.source_format, plan_row.filename, plan_row.tables
        )
        starts = solved_starts(plan, doc.get("activities", []))
    except Exception as exc:  # the stored plan no longer reads as it did when solved
        raise HTTPException(
            409, f"schedule {row.id} cannot be written as MS Project XML: {exc}"
        ) from exc
    try:
        cpm = compute_cpm(plan)
    except ValueError:  # a positive cycle through max_lag: no logic dates (as in the solve)
        cpm = None
    schedule = Schedule(plan=plan, status=row.status, starts=starts, cpm=cpm)  # type: ignore[arg-type]
    add_driving(schedule)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_mspdi(schedule, Path(tmp) / "schedule.xml")
        return Path(path).read_bytes()
