"""Request dependencies: database session, settings, API key and role checks.

Roles: ``ministry`` reads; ``planner`` reads, uploads and solves; ``admin`` does
everything and manages keys. A missing or unknown key answers 401, a key whose
role may not do the thing answers 403.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi import Path as FastAPIPath
from fastapi.security import APIKeyHeader
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.config import Settings
from api.db import ApiKey, Database
from api.jobs import JobManager

__all__ = [
    "AdminKey",
    "CurrentKey",
    "JobsDep",
    "KeyId",
    "PlanId",
    "PlannerKey",
    "ReaderKey",
    "ScheduleId",
    "SessionDep",
    "SettingsDep",
    "hash_key",
    "issue_key",
    "new_key",
]

#: What each role may do.
ROLE_RIGHTS: dict[str, frozenset[str]] = {
    "ministry": frozenset({"read"}),
    "planner": frozenset({"read", "write"}),
    "admin": frozenset({"read", "write", "admin"}),
}

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="API key made by `infraplan keys create --role ROLE` or POST /keys.",
)


def hash_key(key: str) -> str:
    """SHA-256 (hex) of an API key: the only form in which keys are stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh random API key (``ip_`` + 43 URL-safe characters, 256 bits)."""
    return "ip_" + secrets.token_urlsafe(32)


def get_db(request: Request) -> Database:
    """The app's database."""
    return request.app.state.db  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request; committed by the route, rolled back on error."""
    db: Database = request.app.state.db
    with db.sessions() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings  # type: ignore[no-any-return]


def get_jobs(request: Request) -> JobManager:
    """The app's job manager."""
    return request.app.state.jobs  # type: ignore[no-any-return]


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]


def lookup_key(db: Database, key: str | None) -> ApiKey | None:
    """The unrevoked key row matching ``key``, or None."""
    if not key:
        return None
    with db.sessions() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
        if row is None or row.revoked_at is not None:
            return None
        s.expunge(row)
        return row


def get_current_key(
    request: Request, key: Annotated[str | None, Security(api_key_header)]
) -> ApiKey:
    """The caller's key; 401 when missing or unknown."""
    if not key:
        raise HTTPException(
            401, "missing X-API-Key header", headers={"WWW-Authenticate": "X-API-Key"}
        )
    row = lookup_key(get_db(request), key)
    if row is None:
        raise HTTPException(
            401, "unknown or revoked API key", headers={"WWW-Authenticate": "X-API-Key"}
        )
    return row


CurrentKey = Annotated[ApiKey, Depends(get_current_key)]


def require(right: str):  # type: ignore[no-untyped-def]
    """Dependency factory: the caller's key must grant ``right`` (read, write, admin)."""

    def check(key: CurrentKey) -> ApiKey:
        if right not in ROLE_RIGHTS.get(key.role, frozenset()):
            raise HTTPException(403, f"a {key.role} key may not {_VERBS[right]}")
        return key

    return check


_VERBS = {
    "read": "read",
    "write": "upload plans or start and cancel solves",
    "admin": "manage API keys",
}

ReaderKey = Annotated[ApiKey, Depends(require("read"))]
PlannerKey = Annotated[ApiKey, Depends(require("write"))]
AdminKey = Annotated[ApiKey, Depends(require("admin"))]


def issue_key(session: Session, role: str, name: str = "") -> tuple[ApiKey, str]:
    """Store a new key of ``role`` (its hash only) and return the row and the key.

    Raises
    ------
    ValueError
        If ``role`` is not planner, ministry or admin.
    """
    if role not in ROLE_RIGHTS:
        raise ValueError(f"unknown role {role!r}; use planner, ministry or admin")
    key = new_key()
    row = ApiKey(name=name, role=role, key_hash=hash_key(key), prefix=key[:10])
    session.add(row)
    session.flush()
    return row, key


#: Row ids in paths: positive 32-bit integers (the column type on every backend).
MAX_ID = 2**31 - 1
PlanId = Annotated[int, FastAPIPath(ge=1, le=MAX_ID, description="Plan id.")]
ScheduleId = Annotated[int, FastAPIPath(ge=1, le=MAX_ID, description="Schedule id.")]
KeyId = Annotated[int, FastAPIPath(ge=1, le=MAX_ID, description="API key id.")]
