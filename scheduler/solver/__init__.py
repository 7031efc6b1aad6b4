"""The scheduling engine (SPEC §5): the only package that imports OR-Tools.

Entry point :func:`solve` (:mod:`scheduler.solver.loop`: constructive plan, genetic
algorithm, CP-SAT model of :mod:`scheduler.solver.cp_model`, explanations of
:mod:`scheduler.solver.conflicts`), asked with :class:`SolveOptions` and answering
:class:`SolveResult` with a :class:`SolveStatus`; also :func:`constructive_schedule`
(serial SGS) and :func:`check_schedule`.
"""

from __future__ import annotations

from scheduler.solver.check import check_schedule
from scheduler.solver.loop import solve
from scheduler.solver.options import (
    Progress,
    SolveOptions,
    SolveResult,
    SolveStatus,
    default_workers,
)
from scheduler.solver.sgs import constructive_schedule

__all__ = [
    "Progress",
    "SolveOptions",
    "SolveResult",
    "SolveStatus",
    "check_schedule",
    "constructive_schedule",
    "default_workers",
    "solve",
]
