"""Storage: SQLAlchemy 2 models, engine and sessions, migrations at start-up.

Tables
------
``plans``
    One uploaded plan: the bytes exactly as uploaded, the parsed tables, the
    validation result (warnings), name and activity count.
``schedules``
    One solve of a plan: a version number per plan (1, 2, ...), status, progress,
    the full schedule document, the Gantt dependencies, the network view and the
    Excel report.
``risk_jobs``
    One Monte Carlo risk analysis of a solved schedule: options, status, progress
    (iterations of the most, running P80), the risk document and the report with
    its Risk sheet.
``api_keys``
    API keys: only the SHA-256 of the key is stored, with a role and a name.

SQLite (default) runs in WAL mode with a busy timeout and foreign keys on, so
stored rows survive a kill at any moment and readers never block the writer.
PostgreSQL is used when the URL says so (``postgresql+psycopg://...``). The schema
is created and upgraded by Alembic (:func:`migrate`), never by ``create_all``.

A write waits at most the busy timeout (default :data:`BUSY_TIMEOUT_S`) for a lock
held by another writer: SQLite's ``busy_timeout``, PostgreSQL's ``lock_timeout``.
Then it fails with an ``OperationalError`` that the app answers with 503 and
``Retry-After`` (:mod:`api.storage`), instead of waiting without end.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import NullPool

__all__ = [
    "ACTIVE_STATUSES",
    "BUSY_TIMEOUT_S",
    "FINAL_STATUSES",
    "ApiKey",
    "Base",
    "Database",
    "PlanRow",
    "RiskRow",
    "ScheduleRow",
    "migrate",
    "utcnow",
]

log = logging.getLogger(__name__)

#: Statuses of a schedule whose solve has not ended.
ACTIVE_STATUSES: tuple[str, ...] = ("queued", "running")
#: Statuses of a schedule whose solve has ended (never change again).
FINAL_STATUSES: tuple[str, ...] = (
    "optimal",
    "feasible",
    "infeasible",
    "unknown",
    "failed",
    "cancelled",
)
#: Statuses that carry a schedule with dates.
SOLVED_STATUSES: tuple[str, ...] = ("optimal", "feasible")

API_DIR = Path(__file__).resolve().parent
#: Default seconds a write waits for another writer's lock before it fails.
BUSY_TIMEOUT_S = 30.0


def utcnow() -> datetime:
    """Now, in UTC (timezone-aware)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base of every table."""


class PlanRow(Base):
    """An uploaded plan (table ``plans``)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    filename: Mapped[str] = mapped_column(String(500), default="")
    source_format: Mapped[str] = mapped_column(String(20))  # "xlsx", "json", ...
    upload: Mapped[bytes] = mapped_column(LargeBinary)
    upload_sha256: Mapped[str] = mapped_column(String(64))
    tables: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    issues: Mapped[list[Any]] = mapped_column(JSON, default=list)
    activity_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ScheduleRow(Base):
    """One solve of a plan (table ``schedules``); ``version`` counts per plan from 1."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_schedule_plan_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True, default="queued")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress_objective: Mapped[float | None] = mapped_column(Float, nullable=True)
    progress_bound: Mapped[float | None] = mapped_column(Float, nullable=True)
    progress_elapsed_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    dependencies: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    network: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    report: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    worker_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RiskRow(Base):
    """One risk analysis of a solved schedule (table ``risk_jobs``).

    Status ``queued`` → ``running`` → ``done`` | ``failed``; ``progress_p80_days`` is
    the running P80 makespan in days (slots of the plan's grid).
    """

    __tablename__ = "risk_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), index=True, default="queued")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress_iterations: Mapped[int | None] = mapped_column(Integer, nullable=True)
    progress_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    progress_p80_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    progress_elapsed_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    report: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    worker_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ApiKey(Base):
    """An API key (table ``api_keys``): SHA-256 of the key, role, name; never the key."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    """A connect listener: WAL journal, the busy timeout, foreign keys, synchronous=NORMAL."""

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe in WAL mode
        cur.close()

    return on_connect


def make_engine(url: str, *, pooled: bool = True, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys.

    Parameters
    ----------
    url
        SQLAlchemy URL (``sqlite:///path.db`` or ``postgresql+psycopg://...``).
    pooled
        False in short-lived worker processes (no connection pool).
    busy_timeout_s
        Seconds a statement waits for another writer's lock before it fails with
        ``OperationalError`` (SQLite ``busy_timeout``, PostgreSQL ``lock_timeout``).
    """
    kwargs: dict[str, Any] = {}
    timeout_ms = max(1, round(busy_timeout_s * 1000))
    if not pooled:
        kwargs["poolclass"] = NullPool
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout_s}
    else:
        kwargs["pool_pre_ping"] = True
        if url.startswith("postgresql") and "options" not in make_url(url).query:
            kwargs["connect_args"] = {"options": f"-c lock_timeout={timeout_ms}"}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas(timeout_ms))
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (``api/migrations``)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(API_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(API_DIR / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.info("database schema at head (%s)", engine.url.render_as_string(hide_password=True))


class Database:
    """An engine and its session factory.

    Parameters
    ----------
    url
        SQLAlchemy URL.
    pooled
        Use a connection pool (server) or not (worker processes).
    busy_timeout_s
        Seconds a write waits for another writer's lock (:func:`make_engine`).
    """

    def __init__(
        self, url: str, *, pooled: bool = True, busy_timeout_s: float = BUSY_TIMEOUT_S
    ) -> None:
        self.url = url
        self.busy_timeout_s = busy_timeout_s
        self.engine = make_engine(url, pooled=pooled, busy_timeout_s=busy_timeout_s)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Apply Alembic migrations up to head."""
        migrate(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
