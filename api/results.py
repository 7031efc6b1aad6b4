"""The writes of a solve worker: progress that never ends a solve, an outcome never lost.

* :func:`progress_writer` makes the solver's progress callback. A write that fails
  (locked past :data:`PROGRESS_WAIT_S`, a full or gone database) is logged and
  skipped; the solve goes on.
* :func:`store_outcome` writes the outcome in one transaction, only while the row is
  still ``running`` (a cancelled row is never overwritten), and tries again with
  growing pauses while the database is locked, full or unreachable: the result is
  stored as soon as the lock clears, or :class:`StoreError` after ``retry_s``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from api.db import Database, ScheduleRow, utcnow
from api.storage import classify

__all__ = [
    "PROGRESS_WAIT_S",
    "STORE_PAUSE_MAX_S",
    "STORE_RETRY_S",
    "StoreError",
    "progress_writer",
    "row_progress_writer",
    "store_outcome",
    "store_row",
]

log = logging.getLogger(__name__)

#: Most seconds a progress write waits for a lock before it is skipped.
PROGRESS_WAIT_S = 0.25
#: Seconds a worker keeps trying to store its outcome in a locked or full database.
STORE_RETRY_S = 600.0
#: Longest pause between two tries, seconds.
STORE_PAUSE_MAX_S = 5.0


class StoreError(RuntimeError):
    """A worker's outcome could not be stored: the database stayed locked, full or gone."""


def progress_writer(db: Database, schedule_id: int, interval_s: float) -> Callable[[Any], None]:
    """The solver's progress callback: at most one write per ``interval_s``, never fatal.

    A write that fails (the database locked past the busy timeout of ``db``, full,
    or gone) is logged and skipped; the next report tries again.

    Parameters
    ----------
    db
        The worker's progress database (a short busy timeout: :data:`PROGRESS_WAIT_S`).
    schedule_id
        Row written (only while it is ``running``).
    interval_s
        Least seconds between two writes.

    Returns
    -------
    callable
        ``progress(p)``, ``p`` having ``objective``, ``bound`` and ``elapsed_s``.
    """
    return row_progress_writer(
        db,
        ScheduleRow,
        schedule_id,
        interval_s,
        lambda p: {
            "progress_objective": _num(getattr(p, "objective", None)),
            "progress_bound": _num(getattr(p, "bound", None)),
            "progress_elapsed_s": _num(getattr(p, "elapsed_s", None)),
        },
        label=f"schedule {schedule_id}",
    )


def row_progress_writer(
    db: Database,
    table: Any,
    row_id: int,
    interval_s: float,
    values_of: Callable[[Any], dict[str, Any]],
    label: str = "",
) -> Callable[[Any], None]:
    """A progress callback writing ``values_of(p)`` to a job row of ``table``, never fatal.

    As :func:`progress_writer` for any job table with ``id`` and ``status`` columns
    (schedules, risk jobs): at most one write per ``interval_s`` seconds, only while
    the row is ``running``; a failed write is logged and skipped.
    """
    last = [0.0]
    failing = [False]
    label = label or f"{table.__tablename__} row {row_id}"

    def progress(p: Any) -> None:
        now = time.monotonic()
        if now - last[0] < interval_s:
            return
        last[0] = now
        try:
            with db.session() as s:
                s.execute(
                    update(table)
                    .where(table.id == row_id, table.status == "running")
                    .values(**values_of(p))
                )
        except Exception as exc:  # progress is a courtesy: the job goes on
            level = logging.DEBUG if failing[0] else logging.WARNING
            log.log(level, "progress of %s not written: %s", label, exc)
            failing[0] = True
        else:
            if failing[0]:
                log.info("progress of %s written again", label)
            failing[0] = False

    return progress


def _num(value: Any) -> float | None:
    """``value`` as a float, or None when it is none or not a number."""
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def store_outcome(
    db: Database,
    schedule_id: int,
    *,
    status: str,
    reason: str | None,
    document: dict[str, Any] | None = None,
    dependencies: list[Any] | None = None,
    network: list[Any] | None = None,
    report: bytes | None = None,
    progress: tuple[Any, Any, Any] | None = None,
    retry_s: float = 0.0,
) -> None:
    """Write the outcome in one transaction, only if the row is still ``running``.

    While the database is locked, full or unreachable the write is tried again,
    after pauses of 0.1 s doubling up to :data:`STORE_PAUSE_MAX_S`, for ``retry_s``
    seconds.

    Raises
    ------
    StoreError
        If the outcome is still not stored after ``retry_s`` seconds.
    OperationalError
        For a database error that is no storage fault (:func:`api.storage.classify`).
    """
    values: dict[str, Any] = {
        "status": status,
        "reason": reason,
        "finished_at": utcnow(),
        "worker_pid": None,
        "document": document,
        "dependencies": dependencies,
        "network": network,
        "report": report,
    }
    if progress is not None:
        values.update(
            progress_objective=_num(progress[0]),
            progress_bound=_num(progress[1]),
            progress_elapsed_s=_num(progress[2]),
        )
    store_row(
        db,
        ScheduleRow,
        schedule_id,
        values,
        retry_s=retry_s,
        what=f"the {status} outcome",
        label=f"schedule {schedule_id}",
    )


def store_row(
    db: Database,
    table: Any,
    row_id: int,
    values: dict[str, Any],
    *,
    retry_s: float = 0.0,
    what: str = "the outcome",
    label: str = "",
) -> None:
    """Write ``values`` to the job row of ``table`` in one transaction, only while ``running``.

    While the database is locked, full or unreachable the write is tried again,
    after pauses of 0.1 s doubling up to :data:`STORE_PAUSE_MAX_S`, for ``retry_s``
    seconds (schedules through :func:`store_outcome`, risk jobs directly).

    Raises
    ------
    StoreError
        If the row is still not written after ``retry_s`` seconds.
    OperationalError
        For a database error that is no storage fault (:func:`api.storage.classify`).
    """
    label = label or f"{table.__tablename__} row {row_id}"
    deadline = time.monotonic() + retry_s
    pause = 0.1
    while True:
        try:
            with db.session() as s:
                s.execute(
                    update(table)
                    .where(table.id == row_id, table.status == "running")
                    .values(**values)
                )
            return
        except OperationalError as exc:
            fault = classify(exc)
            if fault is None:
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreError(
                    f"{what} was not stored: the database stayed {fault} "
                    f"for {retry_s:g} s ({exc.orig})"
                ) from exc
            log.warning(
                "%s: outcome not stored yet (database %s: %s); trying again in %.1f s",
                label,
                fault,
                exc.orig,
                min(pause, left),
            )
            time.sleep(min(pause, left))
            pause = min(pause * 2, STORE_PAUSE_MAX_S)
