"""The FastAPI app: settings, database, job manager, routers, error handling.

``create_app(settings)`` builds an app; at start-up (lifespan) it applies the
Alembic migrations, marks schedules left ``running`` by a dead server ``failed``
(reason ``interrupted``) and starts the job dispatcher; at shut-down it stops the
workers. Every error answer is JSON ``{"detail": ...}``: FastAPI's own 404/405/422,
the routes' ``HTTPException``s, the domain errors of :mod:`scheduler.errors`,
which one handler maps to 4xx, and the storage faults of :mod:`api.storage`: a
database locked past its busy timeout or unreachable → 503 with ``Retry-After``, a
full database or disk → 507.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.config import Settings, get_settings
from api.db import Database
from api.jobs import JobManager
from api.responses import BodyCache
from api.risk_jobs import RISK_KIND
from api.routes import checks, health, keys, pages, plans, risk, schedules, workspace
from api.storage import RETRY_AFTER_S, classify
from scheduler.errors import (
    InfraplanError,
    InvalidPlanError,
    UnreadableFileError,
    clip,
    summarise,
)

__all__ = ["BodyLimitMiddleware", "app", "create_app", "json_safe"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
#: Room for multipart boundaries and headers on top of the upload limit, in bytes.
MULTIPART_SLACK = 64 * 1024

DESCRIPTION = """\
The national infrastructure plan scheduler over HTTP.

1. `POST /plans` a planner's workbook (multipart field `file`) or the same tables as JSON.
2. `POST /plans/{id}/schedules` queues a solve; poll `GET /schedules/{id}` until its
   `status` is `optimal`, `feasible`, `infeasible`, `failed` or `cancelled`.
3. Read the Gantt, critical path, resources, budget, network and the Excel report.

Every request carries `X-API-Key`. Roles: `ministry` reads, `planner` also uploads and
solves, `admin` also manages keys. The first admin key: `infraplan keys create --role admin`.

A write that waited longer than the server's busy timeout for a database lock answers
`503` with `Retry-After` (nothing was changed: send it again); a full database or disk
answers `507` (nothing was stored). `GET /health` reports both the database and whether
the server can write its files (`storage`).
"""


class BodyLimitMiddleware:
    """Refuse request bodies above ``limit`` bytes with 413, while they stream in.

    A declared ``Content-Length`` above the limit is refused before any byte is read;
    a body without one (chunked) is counted as it arrives and refused when it passes
    the limit, so no request can make the server hold more than ``limit`` bytes.

    Parameters
    ----------
    app
        The wrapped ASGI app.
    limit
        Largest body let through, in bytes (the upload limit plus multipart slack).
    stated_limit
        The limit the 413 message names, in bytes: the configured upload limit
        (``INFRAPLAN_MAX_UPLOAD_BYTES``), not the slack a multipart body needs on top.
        Default: ``limit``.
    """

    def __init__(self, app: ASGIApp, limit: int, stated_limit: int | None = None) -> None:
        self.app = app
        self.limit = limit
        self.stated_limit = limit if stated_limit is None else stated_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0:
                    await _send_json(send, 400, {"detail": "bad Content-Length header"})
                    return
                if declared > self.limit:
                    await _send_json(
                        send,
                        413,
                        {
                            "detail": f"the body ({declared} bytes) is larger "
                            f"than the upload limit of {self.stated_limit} bytes"
                        },
                    )
                    return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(
                        413,
                        f"the body is larger than the upload limit of {self.stated_limit} bytes",
                    )
            return message

        await self.app(scope, limited, send)


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    import json

    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def domain_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Map :class:`~scheduler.errors.InfraplanError` to JSON 4xx (the one domain handler).

    ``InvalidPlanError`` → 422 with every issue; ``UnreadableFileError`` → 413 when
    about size, else 400; any other infraplan error → 400.
    """
    if isinstance(exc, InvalidPlanError):
        summary = summarise(exc.issues)
        return JSONResponse(
            {
                "detail": str(exc),
                "issues": [i.to_dict() for i in summary.shown],
                "issue_count": summary.total,
                "omitted": summary.omitted,
            },
            status_code=422,
        )
    if isinstance(exc, UnreadableFileError):
        return JSONResponse({"detail": exc.reason}, status_code=413 if exc.too_large else 400)
    return JSONResponse({"detail": str(exc)}, status_code=400)


def json_safe(value: Any) -> Any:
    """``value`` with every part JSON can carry kept and the rest made text.

    Non-finite floats (``1e309`` parses as infinity, ``NaN``) become ``"inf"``,
    ``"-inf"``, ``"nan"``; bytes are decoded (invalid UTF-8 replaced); anything else
    that is not a JSON type becomes its ``str``.
    """
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


#: Longest echo of a refused value in a 422 (a 1 MB key name must not come back whole).
MAX_ECHO = 200


def _echo(value: Any) -> Any:
    """``value`` made JSON-safe, and cut to :data:`MAX_ECHO` characters when long."""
    import json

    value = json_safe(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) <= MAX_ECHO:
        return value
    return text[:MAX_ECHO] + f"… ({len(text)} characters)"


def _field(loc: Any) -> str:
    """``("body", "time_limit_s")`` → ``"time_limit_s"``; ``("query", "limit")`` → ``"limit"``."""
    parts = [str(p) for p in (loc or ()) if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 for a request that does not match its schema (the one validation handler).

    The documented error shape: ``detail`` is a sentence naming each field and what is
    wrong with it, ``issues`` lists them as ``{sheet: "", row: null, column: FIELD,
    message}`` (like an invalid plan's), and ``errors`` keeps FastAPI's list for programs,
    with each ``input`` and ``ctx`` made JSON-compliant (:func:`json_safe`: a body such as
    ``{"time_limit_s": 1e309}`` carries an infinite float that JSON cannot write) and cut
    to :data:`MAX_ECHO` characters.
    """
    assert isinstance(exc, RequestValidationError)
    errors: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []
    messages: list[str] = []
    for err in exc.errors():
        err = dict(err)
        for field in ("input", "ctx"):
            if field in err:
                err[field] = _echo(err[field])
        err.pop("url", None)
        err["loc"] = [clip(x, MAX_ECHO) if isinstance(x, str) else x for x in err.get("loc", ())]
        errors.append(err)
        name = clip(_field(err.get("loc")), MAX_ECHO)
        messages.append(f"{name}: {err.get('msg', 'not valid')}")
        issues.append(
            {
                "sheet": "",
                "row": None,
                "column": name,
                "message": messages[-1],
                "severity": "error",
            }
        )
    shown = "; ".join(messages[:3])
    more = f" (and {len(issues) - 3} more)" if len(issues) > 3 else ""
    return JSONResponse(
        {
            "detail": f"the request is not valid: {shown}{more}",
            "issues": issues,
            "errors": json_safe(jsonable_encoder(errors)),
        },
        status_code=422,
    )


async def storage_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """503 + ``Retry-After`` for a locked or unreachable database, 507 for a full one.

    The request's transaction was rolled back, so nothing of it was stored and the
    same request may be sent again. An ``OperationalError`` or ``OSError`` that is no
    storage fault (:func:`api.storage.classify` gives None) is a 500 like any bug.
    """
    fault = classify(exc)
    where = f"{request.method} {request.url.path}"
    if fault == "full":
        log.error("storage full on %s: %s", where, exc)
        return JSONResponse(
            {
                "detail": "the server's storage is full, so nothing was stored; "
                "try again once its operator has freed space"
            },
            status_code=507,
        )
    if fault is not None:
        log.warning("database %s on %s: %s", fault, where, exc)
        if fault == "busy":
            timeout = request.app.state.settings.database_busy_timeout_s
            detail = (
                f"the database is busy: another writer held its lock for more than "
                f"{timeout:g} s, so nothing was changed; try again in {RETRY_AFTER_S} s"
            )
        else:
            detail = (
                "the database cannot be reached just now, so nothing was changed; "
                f"try again in {RETRY_AFTER_S} s"
            )
        return JSONResponse(
            {"detail": detail}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)}
        )
    return await internal_error_handler(request, exc)


async def internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Any unexpected error: logged with its traceback, answered as JSON 500."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "internal server error"}, status_code=500)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app.

    Parameters
    ----------
    settings
        Settings to use; default :func:`api.config.get_settings` (the environment).
    """
    settings = settings or get_settings()
    db = Database(settings.database_url, busy_timeout_s=settings.database_busy_timeout_s)
    jobs = JobManager(
        db,
        max_jobs=settings.max_jobs,
        progress_interval_s=settings.progress_interval_s,
        poll_interval_s=settings.poll_interval_s,
        kinds=[RISK_KIND],
        ray_address=settings.ray_address,
        ray_solves=settings.ray_solves,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db.migrate()
        jobs.recover()
        jobs.start()
        try:
            yield
        finally:
            jobs.stop()
            db.dispose()

    app = FastAPI(
        title="infraplan",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below from /static, not from a CDN
        redoc_url=None,  # one offline reference is enough: /docs
    )
    app.state.settings = settings
    app.state.db = db
    app.state.jobs = jobs
    app.state.bodies = BodyCache()
    app.add_middleware(pages.NoSniffMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.max_upload_bytes + MULTIPART_SLACK,
        stated_limit=settings.max_upload_bytes,
    )
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(InfraplanError, domain_error_handler)
    app.add_exception_handler(OperationalError, storage_error_handler)
    app.add_exception_handler(OSError, storage_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
    app.include_router(health.router)
    app.include_router(plans.router)
    app.include_router(checks.router)
    app.include_router(schedules.router)
    app.include_router(keys.router)
    app.include_router(pages.router)
    app.include_router(workspace.router)
    app.include_router(risk.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_docs(app)
    _document_plan_create(app)
    return app


def _add_docs(app: FastAPI) -> None:
    """``GET /docs``: Swagger UI with every asset served by the app (works offline).

    The assets are swagger-ui-dist 5.35.0 (Apache-2.0; ``static/swagger-ui.LICENSE``),
    copied unchanged into ``api/static``.
    """

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API reference",
            swagger_js_url="/static/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui-favicon.png",
        )


def _set_time_limit_maximum(schemas: dict[str, Any], maximum_s: float) -> None:
    """Write the server's largest time limit into ScheduleCreate.time_limit_s (``maximum``)."""
    prop = schemas.get("ScheduleCreate", {}).get("properties", {}).get("time_limit_s", {})
    for branch in prop.get("anyOf", [prop]):
        if branch.get("type") == "number":
            branch["maximum"] = maximum_s


def _document_plan_create(app: FastAPI) -> None:
    """Add PlanCreate (read by hand in POST /plans) to the OpenAPI components."""
    from fastapi.openapi.utils import get_openapi

    from api.schemas import PlanCreate

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["PlanCreate"] = PlanCreate.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            _set_time_limit_maximum(schemas, app.state.settings.max_time_limit_s)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


app = create_app()
