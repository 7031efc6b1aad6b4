"""The pages a person opens in a browser: the workspace at ``/`` and the Gantt page.

Both are plain HTML with their scripts and styles under ``/static`` (nothing fetched
from elsewhere, so they work offline). Every page answer carries a
``Content-Security-Policy`` that allows scripts, styles and requests from this server
only and no inline script (the Gantt page's embedded data is a JSON data block, which
is never run), plus ``X-Content-Type-Options: nosniff`` (which the app also sets on
every answer, see :class:`NoSniffMiddleware`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import ScheduleId, SessionDep, get_db, lookup_key
from api.routes.schedules import _VIEW, _ended
from api.routes.views import gantt_view, script_json

__all__ = ["CSP", "PAGE_HEADERS", "NoSniffMiddleware", "router"]

STATIC = Path(__file__).resolve().parents[1] / "static"

#: The pages' policy: everything from this server, no inline script, no plug-ins, no framing.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
#: Headers of every page answer.
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

router = APIRouter(tags=["pages"])


def _page(name: str, **values: str) -> HTMLResponse:
    html = (STATIC / name).read_text(encoding="utf-8")
    for key, value in values.items():
        html = html.replace("{{" + key + "}}", value)
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get(
    "/",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "The workspace page."}},
)
def workspace_page() -> HTMLResponse:
    """The planner's workspace: plans, upload, validation, solve, versions, downloads.

    The page asks for the API key once and keeps it in the browser session
    (``sessionStorage``); a link may hand it over as ``/#key=...`` (read, then removed
    from the address bar). Every call it makes is one of the JSON endpoints with an
    ``X-API-Key`` header.
    """
    return _page("workspace.html")


@router.get(
    "/schedules/{schedule_id}/gantt.html",
    response_class=HTMLResponse,
    tags=["schedules"],
    responses={
        **_VIEW,
        200: {
            "content": {"text/html": {}},
            "description": "The Gantt page (assets under /static).",
        },
    },
)
def get_gantt_page(schedule_id: ScheduleId, request: Request, session: SessionDep) -> HTMLResponse:
    """The Gantt page: critical and driving paths first, finish/horizon/today lines, zoom.

    With an ``X-API-Key`` header the data is embedded in the page (escaped for an HTML
    data block, :func:`api.routes.views.script_json`). A browser opens the page without
    a header: the page then asks for the key (or reads it from the URL fragment
    ``#key=...``, which is never sent to the server, or from the browser session) and
    fetches ``/schedules/{id}/gantt`` itself.
    """
    data: dict[str, Any] | None = None
    key = request.headers.get("x-api-key")
    if key:
        if lookup_key(get_db(request), key) is None:
            raise HTTPException(401, "unknown or revoked API key")
        data = gantt_view(_ended(session, schedule_id, dates=True))
    return _page("gantt.html", SCHEDULE_ID=str(int(schedule_id)), DATA=script_json(data))


class NoSniffMiddleware:
    """Add ``X-Content-Type-Options: nosniff`` to every HTTP answer that lacks it.

    Browsers then never run a JSON answer or an uploaded file as a script or style.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-content-type-options" for k, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)
