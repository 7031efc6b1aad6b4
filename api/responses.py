"""JSON answers with an ETag, and the 304 for a matching ``If-None-Match``."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response

__all__ = [
    "BodyCache",
    "ascii_name",
    "content_disposition",
    "dumps",
    "etag_body",
    "etag_json",
    "etag_of",
]


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
    return etag_body(request, dumps(payload))


class BodyCache:
    """A small LRU of serialised bodies of schedules that ended (they never change again).

    Parameters
    ----------
    size
        Most bodies kept (each is one schedule document, ~100 kB for 200 activities).
    """

    def __init__(self, size: int = 32) -> None:
        from collections import OrderedDict
        from threading import Lock

        self.size = size
        self._items: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[str, int]) -> bytes | None:
        """The cached body, or None."""
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: tuple[str, int], body: bytes) -> None:
        """Keep ``body``; drop the least recently used beyond ``size``."""
        with self._lock:
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def etag_body(request: Request, body: bytes) -> Response:
    """An already serialised JSON body with its ETag; 304 when the client has it."""
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON, the one serialisation of every ETagged answer."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ascii_name(filename: str, fallback: str) -> str:
    """A readable ASCII form of ``filename`` for the plain ``filename`` parameter.

    Words in other scripts are left out whole (with the digits and Latin letters glued to
    them: "2개년" goes, not just its Hangul), dashes and accents are folded to ASCII, empty
    brackets and doubled separators are dropped, and what is left keeps ``[A-Za-z0-9._-]``
    (spaces become ``_``). ``fallback`` when nothing readable is left.

    Examples
    --------
    ``"National Plan 2027–2028 (국가 인프라 2개년 계획)-v1.xlsx"`` gives
    ``"National_Plan_2027-2028-v1.xlsx"``; ``"국가-v1.xlsx"`` gives ``fallback``.
    """
    text = unicodedata.normalize("NFKD", filename).translate(_ASCII_PUNCT)
    text = "".join(c for c in text if not unicodedata.combining(c))  # é → e
    text = re.sub(r"[A-Za-z0-9]*[^\x00-\x7f]+[A-Za-z0-9]*", " ", text)  # other scripts
    for _ in range(3):  # brackets emptied by the step above, then the spaces they leave
        text = re.sub(r"[(\[{]\s*[)\]}]", " ", text)
    text = re.sub(r"\s*([-._])\s*", r"\1", text).strip()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if not stem.strip("_.-") or name.startswith(("-", ".")) or stem.lower() in ("xlsx", "json"):
        return fallback
    return name


#: Punctuation with an obvious ASCII form (dashes, quotes, the ideographic space).
_ASCII_PUNCT = {
    0x2010: "-",
    0x2011: "-",
    0x2012: "-",
    0x2013: "-",
    0x2014: "-",
    0x2212: "-",
    0x2018: "'",
    0x2019: "'",
    0x201C: "'",
    0x201D: "'",
    0x3000: " ",
    0x00A0: " ",
}


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*`` (RFC 6266/5987).

    For ``"국가-v1.xlsx"`` it gives ``attachment; filename="schedule-1-v1.xlsx";
    filename*=UTF-8''%EA%B5%AD%EA%B0%80-v1.xlsx``; a name mixing scripts keeps its
    readable ASCII words in ``filename`` (:func:`ascii_name`), which ``curl -OJ`` saves.
    """
    clean = re.sub(r'[\x00-\x1f\x7f/\\"]+', "_", filename).strip() or fallback
    return (
        f'attachment; filename="{ascii_name(clean, fallback)}"; '
        f"filename*=UTF-8''{quote(clean, safe='')}"
    )
