"""The scheduling engine (SPEC §5): the only package that imports OR-Tools.

Entry point :func:`solve` (CP-SAT with a constructive first plan); also
:func:`constructive_schedule` (serial SGS) and :func:`check_schedule`.
"""

from __future__ import annotations

from scheduler.solver.check import check_schedule
from scheduler.solver.cp_model import Progress, SolveOptions, SolveResult, solve
from scheduler.solver.sgs import constructive_schedule

__all__ = [
    "Progress",
    "SolveOptions",
    "SolveResult",
    "check_schedule",
    "constructive_schedule",
    "solve",
]
