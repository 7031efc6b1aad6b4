"""Solve jobs: each solve runs in its own worker process, outside any request.

Life of a schedule row::

    queued ──claim──> running ──> optimal | feasible | infeasible | failed
       └───────────── cancelled <──┘        (DELETE: the process is terminated)

:class:`JobManager` lives in the server process. A dispatcher thread claims queued
rows (an atomic ``UPDATE ... WHERE status = 'queued'``) while fewer than
``max_jobs`` processes run, starts one :func:`run_job` process per row, and watches
the processes: one that dies without writing its result is marked ``failed``.
Processes come from a ``forkserver`` that pre-imports the solver, so a job starts
in milliseconds without inheriting the server's threads.

The worker process (:func:`run_job`) opens its own database connection, rebuilds
the plan from the stored upload, solves it with :func:`scheduler.planner.plan_schedule`,
writes progress (best objective, bound, elapsed seconds) at most every
``progress_interval_s`` seconds, and finally writes the schedule document, the
Gantt dependencies, the network view and the Excel report in one transaction,
only if the row is still ``running`` (a cancelled row is never overwritten).

At start-up :meth:`JobManager.recover` marks rows left ``running`` by a dead server
``failed`` with reason ``interrupted``; ``queued`` rows simply run again.

A locked or full database does not lose a solve (:mod:`api.results`). A progress
write waits at most ``PROGRESS_WAIT_S`` for a lock and, when it fails, is logged
and skipped: the solve goes on. The outcome is written again and again, with
growing pauses, for up to ``store_retry_s`` while the database is locked, full or
unreachable, and is stored as soon as the lock clears. Only when that time runs out
does the worker exit with :data:`STORE_FAILED_EXIT`, and the row is marked ``failed``
with a reason that says so. The dispatcher likewise keeps a dead worker's row until
it could mark it.

Workers die with the server. A worker's parent is the fork server, not the server,
and the fork server lives as long as any worker holds its "alive" pipe, so a
``kill -9`` of the server would leave both running (the solve going on to its time
limit). Each worker therefore runs :func:`watch_server`: a daemon thread that checks
the server's pid (and its start time, so a reused pid does not count) every
``WATCH_INTERVAL_S`` seconds and ends the worker with ``os._exit`` once the server is
gone or a zombie. This is portable (psutil) and covers every way the server can die.
On Linux the worker also asks for ``SIGKILL`` when its parent (the fork server) dies
(``prctl(PR_SET_PDEATHSIG)``). When the last worker ends, the fork server sees EOF
on its alive pipe and exits, and so does multiprocessing's resource tracker.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from api.db import BUSY_TIMEOUT_S, Database, PlanRow, ScheduleRow, utcnow
from api.results import PROGRESS_WAIT_S, STORE_RETRY_S, StoreError, progress_writer, store_outcome
from api.storage import classify
from api.watchdog import watch_server

__all__ = [
    "INTERRUPTED",
    "JobKind",
    "JobManager",
    "JobSpec",
    "recover_interrupted",
    "run_job",
    "watch_server",
]

log = logging.getLogger(__name__)

#: Reason given to a schedule whose solve was running when the server died.
INTERRUPTED = "interrupted"
#: Exit code of a worker that could not store its outcome within ``store_retry_s``.
STORE_FAILED_EXIT = 75
#: Modules the fork server imports once, so that each job starts warm.
_PRELOAD = [
    "api.jobs",
    "scheduler.planner",
    "scheduler.solver",
    "scheduler.workbook",
    "scheduler.report",
    "scheduler.network",
    "ortools.sat.python.cp_model",
]


@dataclass(frozen=True, slots=True)
class JobSpec:
    """What a worker process needs: the schedule row and how to reach the database.

    Parameters
    ----------
    schedule_id
        Row id in ``schedules``.
    database_url
        SQLAlchemy URL of the service database.
    progress_interval_s
        Least seconds between two progress writes.
    server_pid
        Pid of the server process; the worker ends itself once it is gone
        (:func:`watch_server`). None: no watchdog.
    busy_timeout_s
        Seconds one write waits for another writer's lock.
    store_retry_s
        Seconds the worker keeps trying to store its outcome while the database is
        locked, full or unreachable.
    ray_address
        The Ray cluster a job sends its work to (server setting
        ``INFRAPLAN_RAY_ADDRESS``; for a solve only with ``INFRAPLAN_RAY_SOLVES``), or
        None for this machine.

    For a job of another :class:`JobKind`, ``schedule_id`` is the id of its row in
    that kind's table.
    """

    schedule_id: int
    database_url: str
    progress_interval_s: float = 0.5
    server_pid: int | None = None
    busy_timeout_s: float = BUSY_TIMEOUT_S
    store_retry_s: float = STORE_RETRY_S
    ray_address: str | None = None


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job run beside solves, sharing their ``max_jobs`` worker processes.

    Parameters
    ----------
    name
        Short name (``risk``), used in process names and logs.
    table
        Row class with ``id``, ``status``, ``reason``, ``started_at``,
        ``finished_at`` and ``worker_pid`` (queued → running → an end status).
    target
        Module-level function run in the worker process with the :class:`JobSpec`.
    """

    name: str
    table: Any
    target: Callable[[JobSpec], None]


def recover_interrupted(db: Database, table: Any = ScheduleRow) -> int:
    """Mark rows left ``running`` by a dead server as ``failed`` (reason ``interrupted``).

    Parameters
    ----------
    table
        The job table: schedules (default) or a :class:`JobKind`'s.

    Returns
    -------
    int
        How many rows were marked. ``queued`` rows are left queued: they run again.
    """
    with db.session() as s:
        result = s.execute(
            update(table)
            .where(table.status == "running")
            .values(status="failed", reason=INTERRUPTED, finished_at=utcnow(), worker_pid=None)
        )
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        log.warning(
            "%d %s row(s) were running when the server stopped: marked failed",
            count,
            table.__tablename__,
        )
    return count


class JobManager:
    """Runs queued schedules in worker processes; cancels by terminating the process.

    Parameters
    ----------
    db
        The server's database.
    max_jobs
        Worker processes running at once (default 1: the machine has 2 cores).
    progress_interval_s
        Least seconds between progress writes of a worker.
    poll_interval_s
        How often the dispatcher looks for queued rows when not woken up.
    kinds
        Other kinds of job (risk analyses), dispatched after queued solves.
    ray_address
        Handed to every job of another kind (:attr:`JobSpec.ray_address`), and to
        solves when ``ray_solves``.
    ray_solves
        Solves run on the cluster of ``ray_address`` too (:mod:`api.ray_solves`).

    ``_procs`` is keyed by the schedule id for a solve and ``(kind name, row id)``
    for a job of another kind.
    """

    def __init__(
        self,
        db: Database,
        *,
        max_jobs: int = 1,
        progress_interval_s: float = 0.5,
        poll_interval_s: float = 0.2,
        kinds: Sequence[JobKind] = (),
        ray_address: str | None = None,
        ray_solves: bool = False,
    ) -> None:
        self.db = db
        self.ray_solves = ray_solves
        self.max_jobs = max_jobs
        self.progress_interval_s = progress_interval_s
        self.poll_interval_s = poll_interval_s
        self.kinds = {k.name: k for k in kinds}
        self.ray_address = ray_address
        self._procs: dict[Any, BaseProcess] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(_PRELOAD)

    # -- life cycle ------------------------------------------------------------------------
    def recover(self) -> int:
        """Mark rows left running by a dead server failed (see :func:`recover_interrupted`)."""
        return recover_interrupted(self.db) + sum(
            recover_interrupted(self.db, k.table) for k in self.kinds.values()
        )

    def start(self) -> None:
        """Start the dispatcher thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="infraplan-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop dispatching; terminate running solves and mark them ``failed`` (interrupted)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            for sid, proc in list(self._procs.items()):
                self._terminate(proc)
                try:
                    self._mark_dead(sid, INTERRUPTED)
                except OperationalError as exc:  # recover() marks it at the next start
                    log.warning("job %s not marked interrupted: %s", sid, exc)
            self._procs.clear()

    def notify(self) -> None:
        """Wake the dispatcher (a schedule was queued)."""
        self._wake.set()

    @property
    def running(self) -> list[int]:
        """Ids of schedules whose worker process is alive."""
        with self._lock:
            return [sid for sid, p in self._procs.items() if isinstance(sid, int) and p.is_alive()]

    # -- cancel ----------------------------------------------------------------------------
    def cancel(self, schedule_id: int, kind: str | None = None) -> bool:
        """Cancel a queued or running solve, or a job of another ``kind`` (``"risk"``).

        The row becomes ``cancelled`` first, so that the worker, which stores its
        outcome only while the row is ``running``, can never overwrite it; then the
        worker process is terminated.

        Returns
        -------
        bool
            True when the row was queued or running and is now ``cancelled``; False
            when it had already ended (its status is left as it was).
        """
        table: Any = ScheduleRow if kind is None else self.kinds[kind].table
        key: Any = schedule_id if kind is None else (kind, schedule_id)
        with self._lock:
            with self.db.session() as s:
                result = s.execute(
                    update(table)
                    .where(table.id == schedule_id, table.status.in_(("queued", "running")))
                    .values(
                        status="cancelled",
                        reason="cancelled by request",
                        finished_at=utcnow(),
                        worker_pid=None,
                    )
                )
                changed = bool(result.rowcount)  # type: ignore[attr-defined]
            proc = self._procs.pop(key, None)
            if proc is not None:
                self._terminate(proc)
        if changed:
            log.info("%s %d cancelled", table.__tablename__, schedule_id)
        return changed

    # -- dispatcher ------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._reap()
                self._dispatch()
            except OperationalError as exc:  # a locked or full database: try next round
                fault = classify(exc)
                if fault is None:
                    log.exception("job dispatcher round failed")
                else:
                    log.warning(
                        "job dispatcher round skipped: the database is %s (%s)", fault, exc.orig
                    )
            except Exception:  # keep dispatching whatever one round did
                log.exception("job dispatcher round failed")
            self._wake.wait(self.poll_interval_s)
            self._wake.clear()

    def _reap(self) -> None:
        """Forget ended processes; mark rows of processes that died mid-solve failed."""
        with self._lock:
            for sid, proc in list(self._procs.items()):
                if proc.is_alive():
                    continue
                proc.join()
                if proc.exitcode == STORE_FAILED_EXIT:
                    reason = (
                        "the result could not be stored: the database stayed locked, "
                        "full or unreachable"
                    )
                elif proc.exitcode != 0:
                    reason = f"worker process exited with code {proc.exitcode}"
                else:
                    reason = "worker process ended without a result"
                try:
                    self._mark_dead(sid, reason)
                except OperationalError as exc:  # keep it: marked at a later round
                    log.warning("job %s not marked failed yet: %s", sid, exc)
                    continue
                del self._procs[sid]

    def _dispatch(self) -> None:
        with self._lock:
            while len(self._procs) < self.max_jobs and not self._stop.is_set():
                target: Callable[[JobSpec], None] = run_job
                key, table, name = "", ScheduleRow, "solve"
                sid = self._claim_next(ScheduleRow)
                for kind in self.kinds.values():
                    if sid is not None:
                        break
                    sid = self._claim_next(kind.table)
                    key, table, name, target = kind.name, kind.table, kind.name, kind.target
                if sid is None:
                    return
                spec = JobSpec(
                    sid,
                    self.db.url,
                    self.progress_interval_s,
                    os.getpid(),
                    busy_timeout_s=self.db.busy_timeout_s,
                )
                if self.ray_address and (key or self.ray_solves):
                    spec = replace(spec, ray_address=self.ray_address)
                proc = self._ctx.Process(
                    target=target, args=(spec,), name=f"infraplan-{name}-{sid}", daemon=True
                )
                proc.start()
                self._procs[(key, sid) if key else sid] = proc
                with self.db.session() as s:
                    s.execute(
                        update(table)
                        .where(table.id == sid, table.status == "running")
                        .values(worker_pid=proc.pid)
                    )
                log.info("%s %d running in process %s", table.__tablename__, sid, proc.pid)

    def _claim_next(self, table: Any = ScheduleRow) -> int | None:
        """Atomically move the oldest queued row of ``table`` to ``running``; return its id."""
        while True:
            with self.db.session() as s:
                sid = s.scalar(
                    select(table.id).where(table.status == "queued").order_by(table.id).limit(1)
                )
                if sid is None:
                    return None
                result = s.execute(
                    update(table)
                    .where(table.id == sid, table.status == "queued")
                    .values(status="running", started_at=utcnow())
                )
                if result.rowcount:  # type: ignore[attr-defined]
                    return int(sid)
            # another dispatcher took it (or it was cancelled): look again

    def _mark_dead(self, key: Any, reason: str) -> None:
        """Mark the running row of ``key`` (schedule id, or ``(kind, id)``) failed."""
        table, row_id = ScheduleRow, key
        if isinstance(key, tuple):
            table, row_id = self.kinds[key[0]].table, key[1]
        with self.db.session() as s:
            s.execute(
                update(table)
                .where(table.id == row_id, table.status == "running")
                .values(status="failed", reason=reason, finished_at=utcnow(), worker_pid=None)
            )

    @staticmethod
    def _terminate(proc: BaseProcess) -> None:
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)


# -- worker process ------------------------------------------------------------------------
def run_job(spec: JobSpec) -> None:
    """Solve one schedule row (runs in a worker process).

    Reads the plan row, rebuilds the :class:`~scheduler.model.Plan` from the stored
    upload (file bytes or JSON tables, read once by
    :func:`scheduler.importers.read_plan`), solves it, and writes the
    outcome. Every error ends as status ``failed`` with a reason; nothing escapes.

    Raises
    ------
    SystemExit
        With :data:`STORE_FAILED_EXIT` when the outcome could not be stored within
        ``spec.store_retry_s`` (the database stayed locked, full or unreachable).
    """
    with worker_database(spec, f"schedule {spec.schedule_id}") as db:
        try:
            _solve_row(db, spec)
        except StoreError:
            raise
        except Exception as exc:
            from scheduler.ray_cluster import ClusterError

            if isinstance(exc, ClusterError):  # its own sentence: Ray missing or unreachable
                log.warning("schedule %d failed: %s", spec.schedule_id, exc)
                reason = str(exc)
            else:
                log.exception("schedule %d failed", spec.schedule_id)
                reason = f"{type(exc).__name__}: {exc}"
            store_outcome(
                db,
                spec.schedule_id,
                status="failed",
                reason=reason[:2000],
                retry_s=spec.store_retry_s,
            )


@contextlib.contextmanager
def worker_database(spec: JobSpec, what: str) -> Iterator[Database]:
    """The start and end of every worker process: watchdog, logging, its own database.

    Yields the worker's unpooled :class:`~api.db.Database`, disposed at the end. A
    :class:`~api.results.StoreError` out of the block (the outcome could not be stored)
    is logged for ``what`` (e.g. ``"schedule 7"``) and ends the process.

    Raises
    ------
    SystemExit
        With :data:`STORE_FAILED_EXIT` after a ``StoreError``.
    """
    if spec.server_pid is not None:
        watch_server(spec.server_pid)
    logging.basicConfig(level=logging.INFO)
    db = Database(spec.database_url, pooled=False, busy_timeout_s=spec.busy_timeout_s)
    try:
        yield db
    except StoreError as exc:
        log.error("%s: %s", what, exc)
        raise SystemExit(STORE_FAILED_EXIT) from exc
    finally:
        db.dispose()


def _solve_row(db: Database, spec: JobSpec) -> None:
    from scheduler.errors import InvalidPlanError
    from scheduler.planner import invalid_schedule, plan_schedule

    started = time.monotonic()  # the time limit counts from here: reading, solve, report
    with db.session() as s:
        row = s.get(ScheduleRow, spec.schedule_id)
        if row is None or row.status != "running":
            return
        plan_row = s.get(PlanRow, row.plan_id)
        assert plan_row is not None
        options = dict(row.options or {})
        upload, fmt, filename = plan_row.upload, plan_row.source_format, plan_row.filename
        tables = plan_row.tables
        baseline_id = options.get("baseline_schedule_id")
        baseline_doc = None
        if baseline_id is not None:
            baseline_row = s.get(ScheduleRow, int(baseline_id))
            baseline_doc = baseline_row.document if baseline_row is not None else None

    reason = "the plan is invalid"
    try:
        plan = rebuild_plan(upload, fmt, filename, tables)
        if baseline_id is not None:  # checked when the solve was asked for; read again here
            from api.baselines import baseline_name
            from scheduler.baseline import attach_baseline, baseline_from_document

            reason = f"the baseline ({baseline_name(int(baseline_id))}) does not fit the plan"
            attach_baseline(
                plan, baseline_from_document(baseline_doc, plan, baseline_name(int(baseline_id)))
            )
    except InvalidPlanError as err:
        doc = invalid_schedule(err).to_json()
        store_outcome(
            db,
            spec.schedule_id,
            status="failed",
            reason=reason,
            document=doc,
            retry_s=spec.store_retry_s,
        )
        return

    progress_db = Database(
        spec.database_url, pooled=False, busy_timeout_s=min(PROGRESS_WAIT_S, spec.busy_timeout_s)
    )
    try:
        on_progress = progress_writer(progress_db, spec.schedule_id, spec.progress_interval_s)
        if spec.ray_address:
            from api.ray_solves import solve_on_ray

            schedule = solve_on_ray(
                spec.ray_address, plan, solve_options(options, plan, started), on_progress
            )
        else:
            schedule = plan_schedule(plan, solve_options(options, plan, started), on_progress)
    finally:
        progress_db.dispose()
    document = schedule.to_json()
    dependencies = [
        {
            "predecessor": d.predecessor,
            "successor": d.successor,
            "type": d.type,
            "lag_days": d.lag,
            "max_lag_days": d.max_lag,
        }
        for d in plan.dependencies
    ]
    network: list[Any] | None = None
    report: bytes | None = None
    notes: list[str] = []
    try:
        from scheduler.network import connection_months

        network = list(connection_months(schedule))
    except Exception as exc:
        log.exception("network view of schedule %d failed", spec.schedule_id)
        notes.append(f"network view failed: {exc}")
    try:
        from scheduler.report import write_report

        with tempfile.TemporaryDirectory() as tmp:
            path = write_report(schedule, Path(tmp) / "report.xlsx")
            report = Path(path).read_bytes()
    except Exception as exc:
        log.exception("report of schedule %d failed", spec.schedule_id)
        notes.append(f"report failed: {exc}")
    status = str(schedule.status)
    if status not in ("optimal", "feasible", "infeasible", "unknown"):
        status = "failed"
    store_outcome(
        db,
        spec.schedule_id,
        status=status,
        reason="; ".join(notes) or None,
        document=document,
        dependencies=dependencies,
        network=network,
        report=report,
        progress=(schedule.objective, schedule.bound, schedule.solve_seconds),
        retry_s=spec.store_retry_s,
    )


def rebuild_plan(upload: bytes, fmt: str, filename: str, tables: dict[str, Any] | None) -> Any:
    """Rebuild the plan of a stored upload: one read, through the one entrance.

    A JSON upload is its stored tables; a file is its stored bytes, read once by
    :func:`scheduler.importers.read_plan` (raises the reader's errors).
    """
    from scheduler.importers import read_plan

    if fmt == "json":
        return read_plan(dict(tables or {}))
    return read_plan(upload, filename)


def solve_options(options: dict[str, Any], plan: Any = None, started: float | None = None) -> Any:
    """Build :class:`scheduler.solver.SolveOptions` from the stored request options.

    Unset options take the defaults the command line has: workers the machine's cores,
    ``repeatable`` the plan's Settings (``plan.repeatable``), seed 0. As on the command
    line, the time limit is the whole job's from ``started`` (:func:`time.monotonic`,
    before the plan was read; see :func:`scheduler.solver.options.command_budget`).
    Rows stored before the option was renamed say ``deterministic``: it means
    ``repeatable``.
    """
    from scheduler.solver import SolveOptions
    from scheduler.solver.options import command_budget

    kwargs: dict[str, Any] = {
        k: options[k] for k in ("seed", "workers") if options.get(k) is not None
    }
    repeatable = options.get("repeatable", options.get("deterministic"))
    if repeatable is None:
        repeatable = bool(getattr(plan, "repeatable", False))
    kwargs["repeatable"] = bool(repeatable)
    limit = options.get("time_limit_s")
    if limit is not None and plan is not None and started is not None:
        limit, kwargs["deadline"] = command_budget(
            float(limit), len(plan.activities), started, repeatable=bool(repeatable)
        )
    if limit is not None:
        kwargs["time_limit_s"] = limit
    if options.get("objective"):
        kwargs["objectives"] = [options["objective"]]
    return SolveOptions(**kwargs)
