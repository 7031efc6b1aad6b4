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
    "Place",
    "PlanWarning",
    "Severity",
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


@dataclass(frozen=True, slots=True)
class Place:
    """Where something was read: file, sheet/table/element, row/line/job, columns.

    The one builder of placed issues (:meth:`issue`) for every reader and check, so
    a sentence reads the same whatever the format; only the place differs:
    ``"Dependencies row 14: ..."`` (our workbook), ``"plan.xer: TASKPRED line 40:
    ..."`` (Primavera P6), ``"plan.xml: Task 7: ..."`` (MS Project XML),
    ``"j301_1.sm: job 3: ..."`` (PSPLIB).

    Parameters
    ----------
    sheet
        Sheet, table or element name (``"Dependencies"``, ``"TASKPRED"``, ``"Task"``);
        ``""`` when the file has none (PSPLIB).
    row
        Row (as Excel numbers it), text line or job number; None for the whole sheet.
    file
        File name, ``""`` for our workbook (whose messages never named it).
    unit
        Word before ``row``: ``"row"``, ``"line"`` or ``"job"``.
    label
        Replaces ``"<sheet> <unit> <row>"`` when the element has no line
        (``"Task 7"``).
    columns
        ``(model field, column in the file)`` pairs, e.g. ``("predecessor",
        "pred_task_id")``; a field not listed is its own column name.
    """

    sheet: str = ""
    row: int | None = None
    file: str = ""
    unit: str = "row"
    label: str = ""
    columns: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> str:
        """The file's column holding model field ``name`` (``name`` itself by default)."""
        for key, value in self.columns:
            if key == name:
                return value
        return name

    @property
    def where(self) -> str:
        """The place without the file: ``"TASKPRED line 40"``, ``"Task 7"``, ``"job 3"``."""
        if self.label:
            return self.label
        if self.row is None:
            return self.sheet
        return f"{self.sheet} {self.unit} {self.row}" if self.sheet else f"{self.unit} {self.row}"

    @property
    def prefix(self) -> str:
        """The place as a message starts with it: ``"plan.xer: TASKPRED line 40"``."""
        return ": ".join(p for p in (self.file, self.where) if p)

    def sheet_only(self) -> Place:
        """The same file and sheet, without row or label (a place for many rows)."""
        return Place(self.sheet, None, self.file, self.unit, "", self.columns)

    def issue(self, column: str, text: str, *, warning: bool = False) -> Issue:
        """An :class:`Issue` at this place: ``"<prefix>: <text>"``.

        ``column`` is the model's field name (``"successor"``), mapped to the
        file's column by :attr:`columns`.
        """
        prefix = self.prefix
        return Issue(
            sheet=self.sheet or self.file,
            row=self.row,
            column=self.column(column),
            message=f"{prefix}: {text}" if prefix else text,
            severity="warning" if warning else "error",
        )


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
