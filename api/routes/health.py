"""Health: is the service up and does its database answer (no key needed)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request
from sqlalchemy import func, select, text

from api.db import ScheduleRow
from api.deps import JobsDep, SessionDep
from api.schemas import HealthPublic

__all__ = ["router"]

router = APIRouter(tags=["health"])


def _version() -> str:
    try:
        return version("infraplan")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


@router.get("/health", response_model=HealthPublic)
def get_health(request: Request, session: SessionDep, jobs: JobsDep) -> HealthPublic:
    """Service health: database reachable, solves queued and running."""
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
    return HealthPublic(
        status="ok" if database == "ok" else "degraded",
        database=database,
        version=_version(),
        queued=int(counts.get("queued", 0)),
        running=int(counts.get("running", 0)),
        max_jobs=jobs.max_jobs,
    )
