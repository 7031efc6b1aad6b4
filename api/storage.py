"""Storage faults: a locked or full database, a full disk; the write probe of ``/health``.

A request that meets one of these is not the client's mistake and not a bug, so it
answers with a sentence instead of a 500:

* the database is locked by another writer for longer than the busy timeout
  (``INFRAPLAN_DATABASE_BUSY_TIMEOUT_S``), or cannot be reached → **503** with
  ``Retry-After``: nothing was changed, the same request may be sent again;
* the database or the disk under it is full (SQLite ``SQLITE_FULL``, PostgreSQL
  ``disk_full``, ``ENOSPC``/``EDQUOT`` from any file the server writes, such as an
  upload spooled to disk) → **507**: nothing was stored.

:func:`classify` names the fault of an exception; :func:`storage_problems` writes a
small file in every folder the server writes to (a real write, not a look at free
space) and says which cannot be written.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

__all__ = [
    "RETRY_AFTER_S",
    "Fault",
    "classify",
    "disk_full",
    "storage_folders",
    "storage_problems",
]

#: Seconds a client is told to wait (``Retry-After``) before sending a refused write again.
RETRY_AFTER_S = 5
#: Bytes written by the probe in each folder.
PROBE_BYTES = 4096

#: ``busy``: locked by another writer; ``full``: no space; ``unavailable``: cannot be reached.
Fault = Literal["busy", "full", "unavailable"]

_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
# SQLite result codes (https://sqlite.org/rescode.html), primary code in the low byte
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_FULL = 5, 6, 13
_SQLITE_UNAVAILABLE = frozenset({8, 10, 14, 26})  # READONLY, IOERR, CANTOPEN, NOTADB
# PostgreSQL SQLSTATEs: lock_not_available, deadlock_detected, query_canceled (timeouts)
_PG_BUSY = frozenset({"55P03", "40P01", "57014"})
_PG_FULL = frozenset({"53100"})  # disk_full


def disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or an error it was raised from) is ``ENOSPC`` or ``EDQUOT``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False


def classify(exc: BaseException) -> Fault | None:
    """Name the storage fault behind ``exc``, or None when it is not one.

    Parameters
    ----------
    exc
        An exception met while serving a request or storing a result: SQLAlchemy's
        ``OperationalError`` (its ``orig`` is the driver's error) or an ``OSError``.

    Returns
    -------
    {"busy", "full", "unavailable"} or None
        ``busy``: a lock wait ran out (SQLite ``SQLITE_BUSY``/``SQLITE_LOCKED``,
        PostgreSQL ``lock_not_available``, a deadlock or a cancelled statement);
        ``full``: ``SQLITE_FULL``, PostgreSQL ``disk_full``, ``ENOSPC``/``EDQUOT``;
        ``unavailable``: the database cannot be opened or reached (an I/O error, a
        lost connection). None for anything else (a bug: answered 500 and logged).
    """
    if disk_full(exc):
        return "full"
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return "busy"
        if primary == _SQLITE_FULL:
            return "full"
        return "unavailable" if primary in _SQLITE_UNAVAILABLE else None
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_FULL:
        return "full"
    if sqlstate in _PG_BUSY:
        return "busy"
    if not isinstance(exc, OperationalError):
        return None
    if exc.connection_invalidated or sqlstate is None or str(sqlstate).startswith(("08", "57P")):
        return "unavailable"  # no SQLSTATE: the server never answered (refused, reset)
    return None


def storage_folders(database_url: str) -> list[Path]:
    """The folders the server writes files to: the SQLite file's, and the temporary folder.

    Uploads above 1 MB spool to the temporary folder while they are read, and the
    solve workers build their Excel reports there. A PostgreSQL database has no
    folder here (its disk is the database server's).
    """
    folders: list[Path] = []
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folders.append(Path(url.database).resolve().parent)  # type: ignore[arg-type]
    temp = Path(tempfile.gettempdir()).resolve()
    if temp not in folders:
        folders.append(temp)
    return folders


def _probe(folder: Path) -> None:
    """Create, write (:data:`PROBE_BYTES`) and remove a small file in ``folder``."""
    fd, name = tempfile.mkstemp(prefix=".infraplan-probe-", dir=folder)
    try:
        os.write(fd, b"\0" * PROBE_BYTES)
    finally:
        os.close(fd)
        os.unlink(name)


def storage_problems(database_url: str) -> list[str]:
    """Write a small file in every folder of :func:`storage_folders`; say which fail.

    Returns
    -------
    list of str
        One sentence per folder that cannot be written, e.g. ``"cannot write to
        /var/lib/infraplan: No space left on device"``; empty when all can.
    """
    problems = []
    for folder in storage_folders(database_url):
        try:
            _probe(folder)
        except OSError as exc:
            problems.append(f"cannot write to {folder}: {exc.strerror or type(exc).__name__}")
    return problems
