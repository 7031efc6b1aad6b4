"""Settings of the HTTP service, read from the environment (prefix ``INFRAPLAN_``).

Tests build their own :class:`Settings` and pass it to :func:`api.main.create_app`,
or set the environment and call ``get_settings.cache_clear()``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Service settings.

    Every field is read from ``INFRAPLAN_<FIELD NAME>`` (case-insensitive), e.g.
    ``INFRAPLAN_DATABASE_URL=postgresql+psycopg://user:pw@127.0.0.1/infraplan``.
    """

    model_config = SettingsConfigDict(env_prefix="INFRAPLAN_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///infraplan.db",
        description="SQLAlchemy URL. Default: the SQLite file infraplan.db in the working "
        "directory (WAL mode). PostgreSQL: postgresql+psycopg://user:password@host/db.",
    )
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024,
        gt=0,
        description="Largest accepted upload in bytes (default 20 MB).",
    )
    max_jobs: int = Field(
        default=1, ge=1, description="Solves running at once, each in its own worker process."
    )
    solve_time_limit_s: float = Field(
        default=60.0,
        gt=0,
        description="Default solver time limit in seconds when a request gives none.",
    )
    max_time_limit_s: float = Field(
        default=3600.0,
        gt=0,
        description="Largest solver time limit a request may ask for, in seconds.",
    )
    solve_workers: int | None = Field(
        default=None,
        ge=1,
        description="Solver threads per solve; default (unset): the machine's cores, as "
        "the command line. With INFRAPLAN_MAX_JOBS above 1, keep jobs × workers at most "
        "the number of cores.",
    )
    database_busy_timeout_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Seconds a database write waits for another writer's lock; then the "
        "request answers 503 with Retry-After (SQLite busy timeout, PostgreSQL lock_timeout).",
    )
    progress_interval_s: float = Field(
        default=0.5, gt=0, description="Least time between two progress writes of a running solve."
    )
    ray_address: str | None = Field(
        default=None,
        description="A Ray cluster (ray://host:10001, or auto) that risk jobs run their "
        "iterations on; unset: the server's own cores. Needs the ray extra.",
    )
    ray_solves: bool = Field(
        default=False,
        description="Send solve jobs to the Ray cluster of INFRAPLAN_RAY_ADDRESS too: each "
        "solve is one task of as many CPUs as its solver workers (at most the cluster's); "
        "false (default) or no address: solves run in the server's own worker processes.",
    )
    poll_interval_s: float = Field(
        default=0.2,
        gt=0,
        description="How often the job dispatcher looks for queued solves, seconds.",
    )


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings read from the environment (cached)."""
    return Settings()
