"""Exceptions and validation issues of infraplan.

Hierarchy::

    InfraplanError
    ├── InvalidPlanError      the input has problems; carries every Issue at once
    └── UnreadableFileError   the file is not a workbook we can open (not xlsx, hostile, too big)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = [
    "InfraplanError",
    "InvalidPlanError",
    "Issue",
    "PlanWarning",
    "UnreadableFileError",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the input, at a place a planner can find.

    Parameters
    ----------
    sheet
        Sheet name as the planner sees it (e.g. ``"Dependencies"``), or ``""``
        when the problem concerns the whole file.
    row
        Row number as Excel shows it (1-based, header row included), or ``None``.
    column
        Column header as written in the workbook (e.g. ``"successor"``), or ``""``.
    message
        A sentence in the planner's words, e.g.
        ``"Dependencies row 14: successor 'RL-07' is not an activity id"``.
    severity
        ``"error"`` blocks solving; ``"warning"`` is reported and solving goes on.
    """

    sheet: str
    row: int | None
    column: str
    message: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form ``{sheet, row, column, message, severity}``."""
        return asdict(self)

    def __str__(self) -> str:
        return self.message


class PlanWarning(UserWarning):
    """A value was changed on reading (e.g. rounded); the plan is still solvable."""


class InfraplanError(Exception):
    """Base class of every error infraplan raises on purpose."""


class InvalidPlanError(InfraplanError):
    """The plan cannot be solved as given.

    Attributes
    ----------
    issues
        Every problem found (errors and warnings), in sheet and row order.
    """

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        head = "; ".join(i.message for i in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"{len(errors)} problem(s) in the plan: {head}{more}")


class UnreadableFileError(InfraplanError):
    """The file cannot be read at all: not an xlsx, a hostile archive, or too large.

    Attributes
    ----------
    reason
        A sentence saying why, e.g. ``"the file is not an .xlsx workbook (zip)"``.
    too_large
        True when the refusal is about size (the API answers 413 instead of 400).
    """

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        self.reason = reason
        self.too_large = too_large
        super().__init__(reason)
