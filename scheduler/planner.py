"""The main job in one place: load a plan, solve it, add CPM and the driving path.

``load_plan`` detects the input format; ``plan_schedule`` returns the
:class:`~scheduler.solution.Schedule` that the CLI prints, the report writes and
the API serves. Nothing else chains solver, CPM and driving path together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.errors import InvalidPlanError, UnreadableFileError
from scheduler.model import Plan
from scheduler.solution import Schedule

if TYPE_CHECKING:  # the solver imports OR-Tools; load it only when solving
    from scheduler.solver import Progress, SolveOptions

__all__ = ["detect_format", "load_plan", "plan_schedule"]

log = logging.getLogger(__name__)


def detect_format(data: bytes, filename: str = "") -> str:
    """Name the input format of a file from its name and first bytes.

    Returns
    -------
    str
        ``"psplib"`` (``.sm``), ``"xer"`` (Primavera P6), ``"mspdi"`` (MS Project
        XML), ``"mpp"`` (MS Project binary), ``"xlsx"`` (our workbook or a DSLIB
        workbook; told apart by the reader).

    Raises
    ------
    UnreadableFileError
        If the format is none of those.
    """
    if not data:
        raise UnreadableFileError(f"{filename or 'the file'} is empty")
    name = filename.lower()
    head = data[:512]
    if name.endswith(".sm"):
        return "psplib"
    if head.startswith(b"ERMHDR") or name.endswith(".xer"):
        return "xer"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.endswith(".xls"):
        raise UnreadableFileError(
            f"{filename} is an old .xls workbook; save it as .xlsx in Excel and try again"
        )
    if name.endswith((".xlsx", ".xlsm")):
        raise UnreadableFileError(
            f"{filename} is not an .xlsx workbook (an .xlsx file is a zip archive; "
            "save it from Excel as 'Excel Workbook (*.xlsx)')"
        )
    if name.endswith(".mpp") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "mpp"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<Project") or name.endswith(".xml"):
        return "mspdi"
    if b"PROJECT INFORMATION" in data[:4096] or b"jobs (incl. supersource" in data[:4096]:
        return "psplib"
    raise UnreadableFileError(
        f"{filename or 'the file'} is not a format infraplan reads "
        "(.xlsx workbook, PSPLIB .sm, Primavera .xer, MS Project .xml/.mpp)"
    )


def load_plan(source: str | Path | bytes, filename: str = "") -> Plan:
    """Read a plan from any supported file.

    Parameters
    ----------
    source
        A path, or the file's bytes (then ``filename`` helps detection).
    filename
        The file's name as uploaded (used for format detection and messages).

    Returns
    -------
    Plan
        Validated plan; warnings in ``plan.warnings``.

    Raises
    ------
    InvalidPlanError
        With every problem found (sheet, row, column, message).
    UnreadableFileError
        If the file is not a supported format, is hostile, or too large.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadableFileError(f"cannot read {path}: {exc.strerror}") from exc
        if not data:
            raise UnreadableFileError(f"{path} is empty")
    else:
        data = source
    fmt = detect_format(data, filename)
    if fmt == "psplib":
        import tempfile

        from scheduler.psplib_io import read_psplib

        if isinstance(source, (str, Path)):
            return read_psplib(Path(source))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / (Path(filename).name or "upload.sm")
            path.write_bytes(data)
            return read_psplib(path)
    if fmt == "xlsx":
        from scheduler import workbook
        from scheduler.importers import dslib

        if dslib.is_dslib(data):  # a DSLIB/ProTrack project workbook, not our template
            return dslib.read_dslib(data, filename)
        return workbook.read_workbook(data)
    from scheduler import importers

    return importers.read_foreign(data, fmt, filename)


def plan_schedule(
    plan: Plan,
    options: SolveOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Schedule:
    """Solve a plan and return the full schedule document.

    Parameters
    ----------
    plan
        A validated plan.
    options
        :class:`scheduler.solver.SolveOptions` (time limit in seconds, seed, workers,
        objectives); None for the plan's defaults.
    progress
        Called with :class:`scheduler.solver.Progress` (best objective, bound,
        elapsed seconds) while solving.

    Returns
    -------
    Schedule
        Status ``optimal``/``feasible`` with starts, logic CPM and the driving path;
        ``infeasible`` with conflicts, ``min_horizon_days`` and, when lifting the
        horizon and due dates makes it fit, that schedule and ``overrun_days``; or
        ``unknown`` (nothing found in the limit) with notes. CPM is always given.
    """
    from scheduler.cpm import compute_cpm, driving_path
    from scheduler.solver import SolveOptions, solve

    opts = options or SolveOptions()
    result = solve(plan, opts, progress=progress)
    try:
        cpm = compute_cpm(plan)
    except ValueError as exc:  # a positive cycle through max_lag: no logic dates exist
        log.warning("CPM failed: %s", exc)
        cpm = None
    schedule = Schedule(
        plan=plan,
        status=result.status,
        starts=dict(result.starts),
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        solve_seconds=result.solve_seconds,
        cpm=cpm,
        conflicts=list(result.conflicts),
        min_horizon_days=result.min_horizon_days,
        overrun_days=result.overrun_days,
        issues=list(plan.warnings),
        objectives=list(opts.objectives or plan.objectives),
        repeatable=result.repeatable,
        notes=list(result.notes),
    )
    if schedule.has_plan:
        schedule.driving, schedule.driving_links = driving_path(plan, schedule.starts)
    return schedule


def invalid_schedule(error: InvalidPlanError) -> Schedule:
    """The schedule document of an input that failed validation (status ``invalid``)."""
    return Schedule(plan=None, status="invalid", issues=list(error.issues))
