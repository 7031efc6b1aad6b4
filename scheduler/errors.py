"""Exceptions and validation issues of infraplan.

Hierarchy::

    InfraplanError
    ├── InvalidPlanError      the input has problems; carries every Issue at once
    └── UnreadableFileError   the file is not a workbook we can open (not xlsx, hostile, too big)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "ISSUES_PER_KIND",
    "MESSAGE_LIMIT",
    "InfraplanError",
    "InvalidPlanError",
    "Issue",
    "IssueSummary",
    "Place",
    "PlanWarning",
    "Severity",
    "UnreadableFileError",
    "clip",
    "clip_issue",
    "group_issues",
    "grouped_issues",
    "summarise",
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


#: Issues of one kind (severity, sheet, column) shown before the rest are only counted,
#: in the CLI's output and the API's 422 answers.
ISSUES_PER_KIND = 20
#: Longest text of an issue shown (characters); a longer one is cut, its length said.
MESSAGE_LIMIT = 500


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, ``"… (1,048,576 characters)"`` said when cut.

    So a refusal never echoes a whole hostile input (a 1 MB column name, an id of a
    million characters) back to the user.
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def clip_issue(issue: Issue) -> Issue:
    """``issue`` with its message cut to :data:`MESSAGE_LIMIT` characters (sheet, column 100)."""
    if max(len(issue.message), len(issue.sheet), len(issue.column)) <= MESSAGE_LIMIT:
        return issue
    return replace(
        issue,
        sheet=clip(issue.sheet, 100),
        column=clip(issue.column, 100),
        message=clip(issue.message),
    )


@dataclass(slots=True)
class IssueSummary:
    """A bounded view of a list of issues: the first of each kind, the rest counted.

    Attributes
    ----------
    shown
        The first :data:`ISSUES_PER_KIND` issues of each kind (severity, sheet,
        column), in their order, texts cut to :data:`MESSAGE_LIMIT` characters.
    omitted
        One ``{"severity", "sheet", "column", "count"}`` per kind with issues left
        out, in the order the kinds first appear.
    total, errors
        How many issues there were, and how many of them errors.
    """

    shown: list[Issue] = field(default_factory=list)
    omitted: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    errors: int = 0

    def omitted_lines(self) -> list[str]:
        """The omitted kinds as sentences: ``"… and 40 more errors in Activities, duration"``."""
        out = []
        for o in self.omitted:
            where = ", ".join(p for p in (o["sheet"], o["column"]) if p) or "the file"
            noun = o["severity"] + ("s" if o["count"] != 1 else "")
            out.append(f"… and {o['count']:,} more {noun} in {where}")
        return out


def summarise(issues: Iterable[Issue], per_kind: int = ISSUES_PER_KIND) -> IssueSummary:
    """The first ``per_kind`` issues of each kind, and the count of the rest.

    Parameters
    ----------
    issues
        Issues in report order.
    per_kind
        How many of one kind (severity, sheet, column) to show.

    Returns
    -------
    IssueSummary
        Bounded whatever the input: at most ``per_kind`` issues per kind, each of at
        most :data:`MESSAGE_LIMIT` characters.
    """
    summary = IssueSummary()
    seen: dict[tuple[str, str, str], int] = {}
    left: dict[tuple[str, str, str], int] = {}
    for issue in issues:
        summary.total += 1
        summary.errors += issue.severity == "error"
        kind = (issue.severity, clip(issue.sheet, 100), clip(issue.column, 100))
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= per_kind:
            summary.shown.append(clip_issue(issue))
        else:
            left[kind] = left.get(kind, 0) + 1
    summary.omitted = [
        {"severity": s, "sheet": sh, "column": c, "count": n} for (s, sh, c), n in left.items()
    ]
    return summary


#: Parts of a message that differ between issues of one kind: quoted text and numbers.
_VARYING = re.compile(r"'[^']*'|\"[^\"]*\"|[-+]?\d+(?:[.,]\d+)*")
#: The subject of a placed message: the id (no spaces) right after ``row N:`` /
#: ``line N:`` and before its own colon (``TASKRSRC line 12: A14610/FR: ...``).
_SUBJECT = re.compile(r"((?:row|line|job) #: )[^\s:]+:")


def grouped_issues(
    issues: Iterable[Issue], examples: int = 3, *, errors_apart: bool = False
) -> list[Issue]:
    """One :class:`Issue` per kind of issue, its message carrying a count and a few places.

    Issues are of one kind when they share severity, sheet and column and their
    messages differ only in quoted text, numbers and the id they are about right after
    the place (``row 308: lag '265FS+6d 4h' = 6.50 days rounded up to 7`` and the same
    on row 309 are one kind; so are ``line 12: A14610/FR: 1.1 units rounded up to 2``
    and ``line 40: B7/GW: 6.7 units rounded up to 7``). Each kind keeps the place of
    its first issue.

    Parameters
    ----------
    issues
        Issues in report order.
    examples
        Places (rows or lines) to name for a kind besides the first message.
    errors_apart
        Keep every error as it is (only warnings are grouped): the schedule JSON, the
        report's Issues sheet and the API keep each error's own place.

    Returns
    -------
    list[Issue]
        In the order the kinds first appear; the message is ``"<first message>"`` for
        a kind seen once, else ``"<first message> (and N more like it: rows 309, 310,
        311, ...)"`` (``lines`` for a file's lines, as the first message names them), at
        most :data:`MESSAGE_LIMIT` characters plus the count. The CLI, the report's Issues
        sheet, the schedule JSON and the API all show these.
    """
    kinds: dict[tuple[str, str, str, str], list[Issue]] = {}
    for n, issue in enumerate(issues):
        shape = _SUBJECT.sub(r"\1@:", _VARYING.sub("#", issue.message))
        if errors_apart and issue.severity == "error":
            shape = f"{n}\0{issue.message}"
        key = (issue.severity, issue.sheet, issue.column, shape)
        kinds.setdefault(key, []).append(issue)
    out = []
    for group in kinds.values():
        first = group[0]
        text = clip(first.message)
        if len(group) > 1:
            places = [str(i.row) for i in group[1 : 1 + examples] if i.row is not None]
            # the unit the places are counted in: a sheet's rows, a file's lines or jobs
            unit = re.search(rf"\b(row|line|job) {first.row}:", first.message)
            noun = unit.group(1) if unit else "row"
            word = noun if len(places) == 1 and len(group) == 2 else f"{noun}s"
            more = f": {word} {', '.join(places)}{', ...' if len(group) > 1 + examples else ''}"
            text = f"{text} (and {len(group) - 1} more like it{more if places else ''})"
        out.append(Issue(first.sheet, first.row, first.column, text, first.severity))
    return out


def group_issues(issues: Iterable[Issue], examples: int = 3) -> list[str]:
    """The messages of :func:`grouped_issues`: one line per kind with a count and places."""
    return [i.message for i in grouped_issues(issues, examples)]


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
        head = "; ".join(clip(i.message, 200) for i in errors[:3])
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
