"""The status of a solve, shared by the solver, the schedule document and the API.

Kept apart from :mod:`scheduler.solver` so that reading a schedule never loads OR-Tools.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SolveStatus"]


class SolveStatus(StrEnum):
    """Outcome of a solve; the value is the string written to JSON (``"optimal"``, ...).

    ``OPTIMAL``: a plan, proven best for every objective. ``FEASIBLE``: a plan, not
    proven best. ``INFEASIBLE``: proven that no plan meets every constraint (with a
    non-empty conflicting set). ``UNKNOWN``: no plan was found within the time limit and
    infeasibility was not proven either.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"

    @property
    def has_plan(self) -> bool:
        """True for ``optimal`` and ``feasible``."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
