"""Health: is the service up, does its database answer, can it write (no key needed).

``storage`` comes from a real write: a small file is written and removed in every
folder the server writes to (:func:`api.storage.storage_problems`), so a full disk
shows here even while the database still answers reads.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request
from sqlalchemy import func, select, text

from api.db import ScheduleRow
from api.deps import JobsDep, SessionDep
from api.schemas import HealthPublic
from api.storage import storage_problems

__all__ = ["router"]

router = APIRouter(tags=["health"])


def _version() -> str:
    try:
        return version("infraplan")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


@router.get("/health", response_model=HealthPublic)
def get_health(request: Request, session: SessionDep, jobs: JobsDep) -> HealthPublic:
    """Service health: database reachable, storage writable, solves queued and running."""
    try:
        session.execute(text("SELECT 1"))
        counts = dict(
            session.execute(
                select(ScheduleRow.status, func.count())
                .where(ScheduleRow.status.in_(("queued", "running")))
                .group_by(ScheduleRow.status)
            ).all()
        )
        database = "ok"
    except Exception as exc:  # report, don't fail: health must answer
        counts, database = {}, f"error: {type(exc).__name__}"
    problems = storage_problems(request.app.state.settings.database_url)
    storage = "; ".join(problems) if problems else "ok"
    return HealthPublic(
        status="ok" if database == storage == "ok" else "degraded",
        database=database,
        storage=storage,
        version=_version(),
        queued=int(counts.get("queued", 0)),
        running=int(counts.get("running", 0)),
        max_jobs=jobs.max_jobs,
    )
