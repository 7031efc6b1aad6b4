"""JSON answers with an ETag, and the 304 for a matching ``If-None-Match``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request, Response

__all__ = ["etag_json", "etag_of"]


def etag_of(body: bytes) -> str:
    """Strong ETag of a response body (quoted SHA-256 prefix)."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def etag_json(request: Request, payload: Any) -> Response:
    """Serialise ``payload`` (JSON types only) with an ETag; 304 when the client has it.

    The ETag is the hash of the exact body, so it changes whenever status, progress
    or the document change, and never otherwise.
    """
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
