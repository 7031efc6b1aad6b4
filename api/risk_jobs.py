"""Risk jobs: Monte Carlo analyses of solved schedules, run like solves.

A ``risk_jobs`` row (:class:`api.db.RiskRow`) is queued by ``POST
/schedules/{id}/risk`` and dispatched by the server's :class:`api.jobs.JobManager`
(kind :data:`RISK_KIND`) into a worker process of its own, sharing the
``max_jobs`` slots with solves. Life of a row::

    queued ──claim──> running ──> done | failed
       └───────────── cancelled <──┘      (DELETE /risk/{id}: the process is terminated)

The worker (:func:`run_risk_job`) rebuilds the plan from the stored upload (its
three-point estimates and Risks sheet included), the solved schedule from the
schedule document's dates, runs :func:`scheduler.risk.analyse` (on the Ray cluster
of the server setting ``INFRAPLAN_RAY_ADDRESS`` when set), and stores the risk
document and the Excel report with its ``Risk`` sheet. Progress (iterations of the
most, running P80, seconds) is written at most every ``progress_interval_s`` and a
failed progress write never ends the job; the outcome is stored with the retries of
:func:`api.results.store_row`.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from api.db import Database, PlanRow, RiskRow, ScheduleRow, utcnow
from api.jobs import JobKind, JobSpec, rebuild_plan, worker_database
from api.results import PROGRESS_WAIT_S, StoreError, row_progress_writer, store_row

__all__ = ["RISK_KIND", "RISK_STATUSES", "run_risk_job", "stored_schedule"]

log = logging.getLogger(__name__)

#: Every status of a risk job.
RISK_STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed", "cancelled")


def run_risk_job(spec: JobSpec) -> None:
    """Simulate one risk row (runs in a worker process); nothing escapes.

    Every error ends as status ``failed`` with a reason.

    Raises
    ------
    SystemExit
        With :data:`api.jobs.STORE_FAILED_EXIT` when the outcome could not be stored
        within ``spec.store_retry_s`` (the database stayed locked, full or unreachable).
    """
    with worker_database(spec, f"risk job {spec.schedule_id}") as db:
        try:
            _simulate_row(db, spec)
        except StoreError:
            raise
        except ValueError as exc:  # the simulation's own sentence (e.g. Ray unreachable)
            log.warning("risk job %d failed: %s", spec.schedule_id, exc)
            _store(db, spec, status="failed", reason=str(exc)[:2000])
        except Exception as exc:
            log.exception("risk job %d failed", spec.schedule_id)
            _store(db, spec, status="failed", reason=f"{type(exc).__name__}: {exc}"[:2000])


#: The job kind the server's JobManager dispatches for ``risk_jobs`` rows.
RISK_KIND = JobKind("risk", RiskRow, run_risk_job)


def _store(db: Database, spec: JobSpec, *, status: str, reason: str | None, **values: Any) -> None:
    store_row(
        db,
        RiskRow,
        spec.schedule_id,
        {
            "status": status,
            "reason": reason,
            "finished_at": utcnow(),
            "worker_pid": None,
            **values,
        },
        retry_s=spec.store_retry_s,
        what=f"the {status} risk outcome",
        label=f"risk job {spec.schedule_id}",
    )


def stored_schedule(plan: Any, row: ScheduleRow) -> Any:
    """The :class:`scheduler.solution.Schedule` of a stored solve, rebuilt from its dates.

    Starts come from the document's solved dates
    (:func:`api.routes.workspace.solved_starts`); objective, bound, gap, solve time,
    driving path and logic CPM are restored so that the report reads as the solve's.

    Raises
    ------
    ValueError
        If an activity of the plan has no solved date in the document (the stored
        upload no longer reads as the plan that was solved).
    """
    from api.routes.workspace import solved_starts
    from scheduler.cpm import compute_cpm
    from scheduler.planner import add_driving
    from scheduler.solution import Schedule

    doc = row.document or {}
    starts = solved_starts(plan, doc.get("activities", []))
    try:
        cpm = compute_cpm(plan)
    except ValueError:  # a positive cycle through max_lag: no logic dates (as in the solve)
        cpm = None
    schedule = Schedule(
        plan=plan,
        status=row.status,  # type: ignore[arg-type]
        starts=starts,
        objective=doc.get("objective"),
        bound=doc.get("bound"),
        gap=doc.get("gap"),
        solve_seconds=float(doc.get("solve_seconds") or 0.0),
        cpm=cpm,
    )
    add_driving(schedule)
    return schedule


def _simulate_row(db: Database, spec: JobSpec) -> None:
    from scheduler.risk import RiskOptions, analyse

    started = time.monotonic()
    with db.session() as s:
        row = s.get(RiskRow, spec.schedule_id)
        if row is None or row.status != "running":
            return
        options = dict(row.options or {})
        schedule_row = s.get(ScheduleRow, row.schedule_id)
        assert schedule_row is not None  # the foreign key cascades
        plan_row = s.get(PlanRow, schedule_row.plan_id)
        assert plan_row is not None
        upload, fmt, filename = plan_row.upload, plan_row.source_format, plan_row.filename
        tables = plan_row.tables
    plan = rebuild_plan(upload, fmt, filename, tables)
    schedule = stored_schedule(plan, schedule_row)
    unc = plan.uncertainty
    total = int(options.get("iterations") or (unc.iterations if unc else 1000))
    limit = options.get("time_limit_s")
    risk_options = RiskOptions(
        iterations=total,
        seed=int(options.get("seed") or 0),
        workers=options.get("workers"),
        mode=str(options.get("mode") or "leveled"),
        converge=not options.get("all_iterations"),
        time_limit_s=None
        if limit is None
        else max(0.1, float(limit) - (time.monotonic() - started)),
        ray_address=spec.ray_address,
    )
    progress_db = Database(
        spec.database_url, pooled=False, busy_timeout_s=min(PROGRESS_WAIT_S, spec.busy_timeout_s)
    )
    try:
        result = analyse(
            schedule,
            risk_options,
            progress=row_progress_writer(
                progress_db,
                RiskRow,
                spec.schedule_id,
                spec.progress_interval_s,
                lambda p: {
                    "progress_iterations": int(p.iterations),
                    "progress_total": int(p.total),
                    "progress_p80_days": int(p.p80),
                    "progress_elapsed_s": float(p.elapsed_s),
                },
                label=f"risk job {spec.schedule_id}",
            ),
        )
    finally:
        progress_db.dispose()
    document = result.to_json()
    notes: list[str] = []
    if unc is None or unc.empty:
        notes.append(
            "the plan has no three-point estimates or risks: every iteration is the "
            "deterministic plan"
        )
    report: bytes | None = None
    try:
        from scheduler.report import write_report

        with tempfile.TemporaryDirectory() as tmp:
            report = Path(write_report(schedule, Path(tmp) / "risk.xlsx", risk=result)).read_bytes()
    except Exception as exc:
        log.exception("report of risk job %d failed", spec.schedule_id)
        notes.append(f"report failed: {exc}")
    _store(
        db,
        spec,
        status="done",
        reason="; ".join(notes) or None,
        document=document,
        report=report,
        progress_iterations=int(document["iterations"]),
        progress_total=total,
        progress_p80_days=int(document["makespan_days"]["p80"]),
        progress_elapsed_s=round(time.monotonic() - started, 3),
    )
