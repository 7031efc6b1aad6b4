"""Plans: upload (workbook or JSON tables), list, fetch; queue and list their schedules."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile

from api.db import SOLVED_STATUSES, PlanRow, ScheduleRow
from api.deps import JobsDep, PlanId, PlannerKey, ReaderKey, SessionDep, SettingsDep
from api.responses import content_disposition, etag_json
from api.routes.views import schedule_public, schedule_summary
from api.schemas import (
    ErrorPublic,
    PlanCreate,
    PlanPublic,
    ScheduleCreate,
    ScheduleCreated,
    SchedulePublic,
    ScheduleSummary,
)
from api.storage import disk_full
from scheduler.errors import clip_issue, grouped_issues

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/plans", tags=["plans"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "Missing or unknown API key."},
    403: {"model": ErrorPublic, "description": "The key's role may not do this."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic, "description": "No such plan."}
}

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(slots=True)
class Upload:
    """A received upload: a file's exact bytes, or JSON tables (with the exact body)."""

    kind: str  # "file" or "json"
    data: bytes
    filename: str = ""
    tables: dict[str, list[dict[str, Any]]] | None = None
    name: str | None = None


async def read_upload(request: Request, settings: SettingsDep) -> Upload:
    """Read the body of ``POST /plans`` within the size limit.

    The body itself is capped by the app's size-limit middleware while it streams
    in (413 before it is all read); a multipart file part spools to disk past 1 MB.
    """
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = settings.max_upload_bytes
    if ctype == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except HTTPException:
            raise
        except Exception as exc:
            if disk_full(exc):  # the server's disk, not the body: 507 (api.storage)
                raise
            raise HTTPException(400, f"the multipart body cannot be read: {exc}") from exc
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise HTTPException(400, "send the workbook as the multipart field 'file'")
        data = await file.read(limit + 1)
        await file.close()
        if len(data) > limit:
            raise HTTPException(413, f"the file is larger than the upload limit of {limit} bytes")
        name = form.get("name")
        return Upload(
            "file",
            data,
            filename=file.filename or "upload.xlsx",
            name=name if isinstance(name, str) and name else None,
        )
    if ctype in ("application/json", ""):
        body = await request.body()
        if len(body) > limit:
            raise HTTPException(413, f"the body is larger than the upload limit of {limit} bytes")
        try:
            create = PlanCreate.model_validate_json(body)
        except ValidationError as exc:
            # without the input: it may be bytes that are not UTF-8 and cannot go into JSON
            errors = exc.errors(include_url=False, include_input=False, include_context=False)
            raise RequestValidationError(errors) from exc
        return Upload("json", body, tables=create.tables, name=create.name)
    raise HTTPException(
        415, f"send multipart/form-data with a 'file' field, or application/json; got {ctype!r}"
    )


UploadDep = Annotated[Upload, Depends(read_upload)]

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "A workbook as multipart field `file` (optional field `name`), "
        "or the same tables as JSON.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The planner's .xlsx workbook.",
                        },
                        "name": {"type": "string", "description": "Plan name override."},
                    },
                }
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/PlanCreate"}},
        },
    }
}


def plan_public(row: PlanRow) -> PlanPublic:
    """The public form of a plan row."""
    return PlanPublic(
        id=row.id,
        name=row.name,
        filename=row.filename,
        source_format=row.source_format,
        size_bytes=len(row.upload),
        sha256=row.upload_sha256,
        activity_count=row.activity_count,
        issues=row.issues or [],
        created_at=row.created_at,
    )


def _get_plan(session: SessionDep, plan_id: int) -> PlanRow:
    row = session.get(PlanRow, plan_id)
    if row is None:
        raise HTTPException(404, f"plan {plan_id} does not exist")
    return row


@router.post(
    "",
    status_code=201,
    response_model=PlanPublic,
    openapi_extra=_UPLOAD_BODY,
    responses={
        **_ERRORS,
        400: {"model": ErrorPublic, "description": "Not a workbook, or a hostile file."},
        413: {"model": ErrorPublic, "description": "Larger than the upload limit."},
        415: {"model": ErrorPublic, "description": "Neither multipart nor JSON."},
        422: {"model": ErrorPublic, "description": "Invalid plan: every issue listed."},
    },
)
def create_plan(key: PlannerKey, upload: UploadDep, session: SessionDep) -> PlanPublic:
    """Upload a plan (workbook or JSON tables); validate it and store it as uploaded."""
    from scheduler.importers import read_source

    # read once: the plan, its format and (our workbook) its tables come from one parse;
    # the reader's refusals are mapped to 400/413/422 by the app's one handler
    tables: dict[str, Any] | None
    if upload.kind == "json":
        source = read_source(dict(upload.tables or {}))
        tables = dict(upload.tables or {})
    else:
        source = read_source(upload.data, upload.filename)
        tables = _jsonable(source.tables) if source.tables is not None else None
    plan, fmt = source.plan, source.format

    issues = [clip_issue(w).to_dict() for w in grouped_issues(plan.warnings)]  # one per kind
    row = PlanRow(
        name=(upload.name or plan.name or upload.filename or "plan")[:500],
        filename=upload.filename[:500],
        source_format=fmt,
        upload=upload.data,
        upload_sha256=hashlib.sha256(upload.data).hexdigest(),
        tables=tables,
        issues=issues,
        activity_count=len(plan.activities),
        created_by=key.id,
    )
    session.add(row)
    session.commit()
    log.info("plan %d stored: %r, %d activities", row.id, row.name, row.activity_count)
    return plan_public(row)


@router.get("", response_model=list[PlanPublic], responses=_ERRORS)
def list_plans(
    key: ReaderKey,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most plans returned.")] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9, description="Plans skipped.")] = 0,
) -> list[PlanPublic]:
    """List plans, newest first."""
    rows = session.scalars(select(PlanRow).order_by(PlanRow.id.desc()).limit(limit).offset(offset))
    return [plan_public(r) for r in rows]


@router.get("/{plan_id}", response_model=PlanPublic, responses={**_ERRORS, **_NOT_FOUND})
def get_plan(plan_id: PlanId, key: ReaderKey, session: SessionDep) -> PlanPublic:
    """Fetch one plan (name, activity count, validation warnings)."""
    return plan_public(_get_plan(session, plan_id))


@router.get(
    "/{plan_id}/upload",
    response_class=Response,
    responses={
        **_ERRORS,
        **_NOT_FOUND,
        200: {
            "description": "The upload exactly as received.",
            "content": {XLSX_TYPE: {}, "application/json": {}},
        },
    },
)
def get_plan_upload(plan_id: PlanId, key: ReaderKey, session: SessionDep) -> Response:
    """Download the plan's upload exactly as it was received.

    ``Content-Disposition`` carries the uploaded file name (UTF-8 as RFC 5987
    ``filename*``, an ASCII ``filename`` beside it); a JSON upload is named after
    the plan.
    """
    row = _get_plan(session, plan_id)
    media = (
        "application/json"
        if row.source_format == "json"
        else (XLSX_TYPE if row.source_format == "xlsx" else "application/octet-stream")
    )
    ext = "json" if row.source_format == "json" else (row.source_format or "bin")
    name = row.filename or f"{row.name or f'plan-{row.id}'}.{ext}"
    return Response(
        row.upload,
        media_type=media,
        headers={"Content-Disposition": content_disposition(name, f"plan-{row.id}.{ext}")},
    )


@router.post(
    "/{plan_id}/schedules",
    status_code=202,
    response_model=ScheduleCreated,
    responses={
        **_ERRORS,
        404: {"model": ErrorPublic, "description": "No such plan, or no such baseline schedule."},
        422: {
            "model": ErrorPublic,
            "description": "Bad solve options; a baseline schedule without a plan or that "
            "does not fit this plan (every issue placed in `schedule N`); the stability "
            "objective without a baseline.",
        },
    },
)
def create_schedule(
    plan_id: PlanId,
    key: PlannerKey,
    session: SessionDep,
    settings: SettingsDep,
    jobs: JobsDep,
    body: ScheduleCreate | None = None,
) -> ScheduleCreated:
    """Queue a solve of the plan as a new schedule version; poll GET /schedules/{id}."""
    plan_row = _get_plan(session, plan_id)
    body = body or ScheduleCreate()
    check_time_limit(body.time_limit_s, settings.max_time_limit_s)
    check_baseline(session, plan_row, body)
    limit = body.time_limit_s or min(settings.solve_time_limit_s, settings.max_time_limit_s)
    options = {
        "objective": body.objective,
        "time_limit_s": limit,
        "seed": body.seed,  # null when none was sent: the solver's default
        "workers": settings.solve_workers,  # null: the machine's cores
        "repeatable": body.repeatable,  # null: the plan's Settings
    }
    if body.baseline_schedule_id is not None:
        options["baseline_schedule_id"] = body.baseline_schedule_id
    for _attempt in range(10):  # two requests may race for the same version number
        version = (
            session.scalar(
                select(func.max(ScheduleRow.version)).where(ScheduleRow.plan_id == plan_id)
            )
            or 0
        ) + 1
        row = ScheduleRow(
            plan_id=plan_id, version=version, status="queued", options=options, created_by=key.id
        )
        session.add(row)
        try:
            session.commit()
            break
        except IntegrityError:
            session.rollback()
    else:  # pragma: no cover - ten lost races in a row
        raise HTTPException(503, "too many concurrent solves of this plan; try again")
    jobs.notify()
    log.info("schedule %d (plan %d v%d) queued", row.id, plan_id, row.version)
    return ScheduleCreated(id=row.id, plan_id=plan_id, version=row.version, status="queued")


@router.get(
    "/{plan_id}/schedules",
    response_model=list[ScheduleSummary],
    responses={**_ERRORS, **_NOT_FOUND},
)
def list_schedules(plan_id: PlanId, key: ReaderKey, session: SessionDep) -> list[ScheduleSummary]:
    """List every schedule version of the plan, oldest first (without documents)."""
    _get_plan(session, plan_id)
    rows = session.scalars(
        select(ScheduleRow).where(ScheduleRow.plan_id == plan_id).order_by(ScheduleRow.version)
    )
    return [schedule_summary(r) for r in rows]


@router.get(
    "/{plan_id}/schedules/latest",
    response_model=SchedulePublic,
    responses={
        **_ERRORS,
        404: {"model": ErrorPublic, "description": "No such plan or no schedule yet."},
        304: {"description": "Not modified (If-None-Match matched the ETag)."},
    },
)
def get_latest_schedule(
    plan_id: PlanId,
    key: ReaderKey,
    session: SessionDep,
    request: Request,
    solved: Annotated[
        bool,
        Query(
            description="Only versions with a plan (optimal or feasible): what ministries fetch."
        ),
    ] = False,
) -> Response:
    """Fetch the newest schedule version of the plan (optionally the newest solved one)."""
    _get_plan(session, plan_id)
    q = select(ScheduleRow).where(ScheduleRow.plan_id == plan_id)
    if solved:
        q = q.where(ScheduleRow.status.in_(SOLVED_STATUSES))
    row = session.scalars(q.order_by(ScheduleRow.version.desc()).limit(1)).first()
    if row is None:
        raise HTTPException(404, f"plan {plan_id} has no {'solved ' if solved else ''}schedule")
    return etag_json(request, schedule_public(row).model_dump(mode="json"))


def check_baseline(session: SessionDep, plan_row: PlanRow, body: ScheduleCreate) -> None:
    """Refuse a solve whose baseline is missing (404) or cannot be kept to (422).

    The baseline schedule must exist, have ended with a plan (optimal or feasible) and
    fit this plan (an activity id in common, its dates on this plan's grid): checked here,
    so that a bad one is a 422 now rather than a failed job later. ``stability`` without
    a baseline is a 422 at ``("body", "objective")``.

    Raises
    ------
    HTTPException
        404 (no such schedule), or 422 (it has not ended with a plan: queued,
        running, failed, cancelled, infeasible, unknown).
    InvalidPlanError
        422 with every issue placed in ``schedule N`` (the app's handler).
    RequestValidationError
        422 for ``stability`` without ``baseline_schedule_id``.
    """
    from api.baselines import load_baseline, plan_of

    sid = body.baseline_schedule_id
    if sid is None:
        if body.objective == "stability":
            raise RequestValidationError(
                [
                    {
                        "type": "value_error",
                        "loc": ("body", "objective"),
                        "msg": "the stability objective needs a baseline: give "
                        "baseline_schedule_id, a solved schedule to keep to",
                        "input": body.objective,
                    }
                ]
            )
        return
    other = session.get(ScheduleRow, sid)
    if other is None:
        raise HTTPException(404, f"baseline schedule {sid} does not exist")
    if other.status not in SOLVED_STATUSES or other.document is None:
        raise HTTPException(
            422,
            f"baseline schedule {sid} is {other.status}: only an optimal or feasible "
            "schedule has a plan to keep to",
        )
    load_baseline(plan_of(plan_row), other)  # raises InvalidPlanError: 422, placed


def check_time_limit(time_limit_s: float | None, maximum_s: float) -> None:
    """Refuse a solver time limit above the server's maximum (the one upper limit).

    The schema only asks for a positive number; the maximum is the setting
    ``INFRAPLAN_MAX_TIME_LIMIT_S`` (also written into the OpenAPI schema as
    ``maximum``). The error has the shape of every other validation error.

    Raises
    ------
    RequestValidationError
        422 ``less_than_equal`` at ``("body", "time_limit_s")``.
    """
    if time_limit_s is not None and time_limit_s > maximum_s:
        raise RequestValidationError(
            [
                {
                    "type": "less_than_equal",
                    "loc": ("body", "time_limit_s"),
                    "msg": f"Input should be less than or equal to {maximum_s:g} "
                    "(this server's largest solver time limit, seconds)",
                    "input": time_limit_s,
                    "ctx": {"le": maximum_s},
                }
            ]
        )


def _jsonable(value: Any) -> Any:
    """Tables as JSON values (dates and times as ISO text, other objects as text)."""
    import datetime as _dt
    import math

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
