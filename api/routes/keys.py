"""API keys (admin only): create, list, revoke. Only a key's SHA-256 is stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy import select

from api.db import ApiKey, utcnow
from api.deps import AdminKey, KeyId, SessionDep, issue_key
from api.schemas import ErrorPublic, KeyCreate, KeyCreated, KeyPublic

__all__ = ["router"]

router = APIRouter(prefix="/keys", tags=["keys"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "Missing or unknown API key."},
    403: {"model": ErrorPublic, "description": "Not an admin key."},
}


def key_public(row: ApiKey) -> KeyPublic:
    """The public form of a key row (never the key)."""
    return KeyPublic(
        id=row.id,
        name=row.name,
        role=row.role,  # type: ignore[arg-type]
        prefix=row.prefix,
        created_at=row.created_at,
        revoked=row.revoked_at is not None,
    )


@router.post("", status_code=201, response_model=KeyCreated, responses=_ERRORS)
def create_key(body: KeyCreate, admin: AdminKey, session: SessionDep) -> KeyCreated:
    """Create a key; the key itself is in this answer only, never again."""
    row, key = issue_key(session, body.role, body.name)
    session.commit()
    return KeyCreated(**key_public(row).model_dump(), key=key)


@router.get("", response_model=list[KeyPublic], responses=_ERRORS)
def list_keys(admin: AdminKey, session: SessionDep) -> list[KeyPublic]:
    """List keys (id, name, role, prefix, revoked)."""
    return [key_public(r) for r in session.scalars(select(ApiKey).order_by(ApiKey.id))]


@router.delete(
    "/{key_id}",
    status_code=204,
    response_class=Response,
    responses={**_ERRORS, 404: {"model": ErrorPublic, "description": "No such key."}},
)
def revoke_key(key_id: KeyId, admin: AdminKey, session: SessionDep) -> Response:
    """Revoke a key: it opens nothing from now on."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise HTTPException(404, f"key {key_id} does not exist")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
    return Response(status_code=204)
