"""Risk jobs: queue a Monte Carlo analysis of a solved schedule, poll it, fetch its report.

``POST /schedules/{id}/risk`` (planner) queues a risk job on a schedule that has a
plan (``optimal`` or ``feasible``) and answers 202 with its id; ``GET /risk/{id}``
(any reader) gives status, progress and, once done, the risk document (the same as
``infraplan risk --json``); ``GET /risk/{id}/report`` the Excel report with its
``Risk`` sheet; ``DELETE /risk/{id}`` (planner) cancels a queued or running job (its
worker process is terminated, as ``DELETE /schedules/{id}`` does for a solve);
``GET /schedules/{id}/risk`` the schedule's risk jobs, newest first.
``GET /schedules/{id}/risk.html`` is the page that shows the newest result (probability
within the horizon, P50/P80/P90, histogram with its cumulative curve and the tornado as
inline SVG) and runs a job with its progress (``static/risk.js``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Response, status
from fastapi import Path as FastAPIPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.db import ACTIVE_STATUSES, SOLVED_STATUSES, RiskRow, ScheduleRow
from api.deps import MAX_ID, JobsDep, PlannerKey, ReaderKey, ScheduleId, SessionDep, SettingsDep
from api.responses import content_disposition
from api.routes.pages import PAGE_HEADERS, STATIC
from api.schemas import ErrorPublic

__all__ = ["MAX_ITERATIONS", "RiskCreate", "RiskCreated", "RiskPublic", "router"]

router = APIRouter(tags=["risk"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Most iterations one risk job may ask for.
MAX_ITERATIONS = 1_000_000

RiskId = Annotated[int, FastAPIPath(ge=1, le=MAX_ID, description="Risk job id.")]
RiskStatus = Literal["queued", "running", "done", "failed", "cancelled"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "Missing or unknown API key."},
    403: {"model": ErrorPublic, "description": "The key's role may not do this."},
}


class RiskCreate(BaseModel):
    """Options of one risk analysis; every field optional."""

    model_config = ConfigDict(extra="forbid")

    iterations: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ITERATIONS,
        description="Most iterations (it may stop earlier once P80 has settled); "
        "default: the plan's Settings risk_iterations, else 1000.",
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        le=2**31 - 1,
        description="Seed of every random stream (default 0): the same seed gives the "
        "same numbers on any number of workers or machines.",
    )
    mode: Literal["leveled", "logic"] = Field(
        default="leveled",
        description="leveled: every iteration re-leveled under the plan's resources, "
        "budgets and blackouts; logic: CPM only, as classic risk tools do.",
    )
    all_iterations: bool = Field(
        default=False,
        description="Run every iteration (default false: stop early once P80 has settled, "
        "and say so), as `infraplan risk --all-iterations`.",
    )
    time_limit_s: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Wall seconds the job may simulate (default: no limit, the iterations "
        "and convergence bound it; at most the server's INFRAPLAN_MAX_TIME_LIMIT_S); it stops "
        "after the batch that crosses it and says so.",
    )


class RiskCreated(BaseModel):
    """A risk job was queued."""

    id: int = Field(description="Risk job id: poll GET /risk/{id}.")
    schedule_id: int = Field(description="The schedule simulated.")
    status: RiskStatus = Field(description="Always 'queued' here.")


class RiskProgressPublic(BaseModel):
    """How far a risk job got."""

    iterations: int | None = Field(default=None, description="Iterations done.")
    total: int | None = Field(default=None, description="Most iterations of the job.")
    p80: int | None = Field(default=None, description="Running P80 makespan, days (slots).")
    elapsed_s: float | None = Field(default=None, description="Seconds simulated so far.")


class RiskPublic(BaseModel):
    """A risk job: status, progress and, once done, the risk document."""

    id: int
    schedule_id: int
    status: RiskStatus = Field(description="queued | running | done | failed | cancelled.")
    reason: str | None = Field(default=None, description="Why it failed, or notes when done.")
    options: dict[str, Any] = Field(default_factory=dict)
    progress: RiskProgressPublic
    has_report: bool = Field(description="GET /risk/{id}/report gives the Excel report.")
    risk: dict[str, Any] | None = Field(
        default=None,
        description="When done: the risk document (makespan_days and finish percentiles, "
        "probability_within_horizon, histogram, activities, risks), as `infraplan risk --json`.",
    )
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


def risk_public(row: RiskRow, *, document: bool = True) -> RiskPublic:
    """The answer of ``GET /risk/{id}`` for a row (without the document when asked)."""
    return RiskPublic(
        id=row.id,
        schedule_id=row.schedule_id,
        status=row.status,  # type: ignore[arg-type]
        reason=row.reason,
        options=row.options or {},
        progress=RiskProgressPublic(
            iterations=row.progress_iterations,
            total=row.progress_total,
            p80=row.progress_p80_days,
            elapsed_s=row.progress_elapsed_s,
        ),
        has_report=row.report is not None,
        risk=row.document if document else None,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


@router.post(
    "/schedules/{schedule_id}/risk",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RiskCreated,
    tags=["schedules"],
    responses={
        **_ERRORS,
        404: {"model": ErrorPublic, "description": "No such schedule."},
        409: {
            "model": ErrorPublic,
            "description": "The schedule has no plan to simulate (queued, running, "
            "infeasible, unknown, failed or cancelled); `status` says which.",
        },
        422: {"description": "An option out of range (FastAPI's validation errors)."},
    },
)
def create_risk(
    schedule_id: ScheduleId,
    key: PlannerKey,
    session: SessionDep,
    settings: SettingsDep,
    jobs: JobsDep,
    body: RiskCreate | None = None,
) -> RiskCreated:
    """Queue a Monte Carlo risk analysis of a solved schedule; poll GET /risk/{id}."""
    row = session.get(ScheduleRow, schedule_id)
    if row is None:
        raise HTTPException(404, f"schedule {schedule_id} does not exist")
    if row.status not in SOLVED_STATUSES or row.document is None:
        if row.status in ACTIVE_STATUSES:
            why = f"its solve is still {row.status}; poll GET /schedules/{row.id} and try again"
        else:
            why = f"it is {row.status}, so there is no plan to simulate"
        raise HTTPException(
            409,
            f"schedule {row.id} cannot be simulated: {why}",
            headers={"X-Schedule-Status": row.status},
        )
    body = body or RiskCreate()
    if body.time_limit_s is not None and body.time_limit_s > settings.max_time_limit_s:
        raise RequestValidationError(
            [
                {
                    "type": "less_than_equal",
                    "loc": ("body", "time_limit_s"),
                    "msg": f"Input should be less than or equal to {settings.max_time_limit_s:g}",
                    "input": body.time_limit_s,
                    "ctx": {"le": settings.max_time_limit_s},
                }
            ]
        )
    options = {
        "iterations": body.iterations,  # null: the plan's Settings
        "seed": body.seed or 0,
        "mode": body.mode,
        "all_iterations": body.all_iterations,
        "time_limit_s": body.time_limit_s,  # null: no limit
        "workers": settings.solve_workers,  # null: the machine's cores
    }
    risk = RiskRow(schedule_id=row.id, status="queued", options=options, created_by=key.id)
    session.add(risk)
    session.commit()
    jobs.notify()
    return RiskCreated(id=risk.id, schedule_id=row.id, status="queued")


@router.get(
    "/schedules/{schedule_id}/risk",
    response_model=list[RiskPublic],
    tags=["schedules"],
    responses={**_ERRORS, 404: {"model": ErrorPublic, "description": "No such schedule."}},
)
def list_risk(schedule_id: ScheduleId, key: ReaderKey, session: SessionDep) -> list[RiskPublic]:
    """The schedule's risk jobs, newest first; the newest ``done`` one carries its document."""
    if session.get(ScheduleRow, schedule_id) is None:
        raise HTTPException(404, f"schedule {schedule_id} does not exist")
    rows = session.scalars(
        select(RiskRow).where(RiskRow.schedule_id == schedule_id).order_by(RiskRow.id.desc())
    )
    out: list[RiskPublic] = []
    shown = False
    for r in rows:
        out.append(risk_public(r, document=not shown and r.status == "done"))
        shown = shown or r.status == "done"
    return out


def _get(session: SessionDep, risk_id: int) -> RiskRow:
    row = session.get(RiskRow, risk_id)
    if row is None:
        raise HTTPException(404, f"risk job {risk_id} does not exist")
    return row


@router.get(
    "/risk/{risk_id}",
    response_model=RiskPublic,
    responses={**_ERRORS, 404: {"model": ErrorPublic, "description": "No such risk job."}},
)
def get_risk(risk_id: RiskId, key: ReaderKey, session: SessionDep) -> RiskPublic:
    """A risk job: status, progress {iterations, total, p80, elapsed_s}, the document when done."""
    return risk_public(_get(session, risk_id))


@router.delete(
    "/risk/{risk_id}",
    response_model=RiskPublic,
    responses={
        **_ERRORS,
        404: {"model": ErrorPublic, "description": "No such risk job."},
        409: {"model": ErrorPublic, "description": "The job has already ended."},
    },
)
def cancel_risk(risk_id: RiskId, key: PlannerKey, session: SessionDep, jobs: JobsDep) -> RiskPublic:
    """Cancel a queued or running risk job (the worker process is terminated)."""
    row = _get(session, risk_id)
    if not jobs.cancel(risk_id, kind="risk"):
        session.refresh(row)
        raise HTTPException(409, f"risk job {risk_id} has already ended ({row.status})")
    session.refresh(row)
    return risk_public(row)


@router.get(
    "/risk/{risk_id}/report",
    response_class=Response,
    responses={
        **_ERRORS,
        200: {"content": {XLSX_TYPE: {}}, "description": "Excel report with its Risk sheet."},
        404: {"model": ErrorPublic, "description": "No such risk job."},
        409: {"model": ErrorPublic, "description": "The job is not done or has no report."},
    },
)
def get_risk_report(risk_id: RiskId, key: ReaderKey, session: SessionDep) -> Response:
    """The Excel report of the simulated schedule with its ``Risk`` sheet."""
    row = _get(session, risk_id)
    if row.status != "done" or row.report is None:
        why = f"is {row.status}" if row.status != "done" else "has no report"
        raise HTTPException(
            409,
            f"risk job {row.id} {why}" + (f": {row.reason}" if row.reason else ""),
        )
    name = (row.document or {}).get("plan_name") or f"schedule-{row.schedule_id}"
    return Response(
        row.report,
        media_type=XLSX_TYPE,
        headers={
            "Content-Disposition": content_disposition(
                f"{name}-risk-{row.id}.xlsx", f"schedule-{row.schedule_id}-risk-{row.id}.xlsx"
            )
        },
    )


@router.get(
    "/schedules/{schedule_id}/risk.html",
    response_class=HTMLResponse,
    tags=["pages"],
    responses={200: {"content": {"text/html": {}}, "description": "The risk page."}},
)
def get_risk_page(schedule_id: ScheduleId) -> HTMLResponse:
    """The risk page of a schedule (assets under /static; the key as on the Gantt page)."""
    html = (STATIC / "risk.html").read_text(encoding="utf-8")
    return HTMLResponse(
        html.replace("{{SCHEDULE_ID}}", str(int(schedule_id))), headers=PAGE_HEADERS
    )
