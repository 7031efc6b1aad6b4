"""Shared rules of the foreign-file importers: decoding, rounding, issues, grid.

Rules stated once and used by every importer (see ``docs/IMPORTS.md``):

* **Text decoding** (:func:`decode_text`): UTF-16 or UTF-32 when the bytes start
  with their byte order mark, UTF-16 without one when nearly every other byte of the start
  is NUL (a P6 export saved as "Unicode"); UTF-8 (with or without BOM) when the
  bytes are valid UTF-8; else cp949 when they decode as cp949 *and* contain Hangul
  syllables (Korean P6 installs); else cp1252 (the usual P6 export encoding). Bytes
  that none of these decode are refused with :class:`UnreadableFileError`.
* **Rounding** (:func:`days_up`): hours and fractional days become whole grid slots
  by rounding **up** (``ceil``), so no activity, lag or demand is ever shorter or
  smaller than in the tool; a tolerance of 1e-6 slot absorbs float noise. Every
  value the rule changes is reported as a warning :class:`~scheduler.errors.Issue`.
* **Problems** are collected in an :class:`IssueLog` with their place (table or
  sheet, line or row, field) and raised together as
  :class:`~scheduler.errors.InvalidPlanError`; no partial plan is returned.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date

from scheduler.errors import InvalidPlanError, Issue, Place, Severity, UnreadableFileError
from scheduler.model import Activity, Demand, Dependency, Plan, Resource
from scheduler.timegrid import TimeGrid, add_months

__all__ = ["IssueLog", "days_up", "decode_text", "horizon_months_for"]

log = logging.getLogger(__name__)

_HANGUL = re.compile("[\uac00-\ud7a3]")
#: Tolerance (slots) below which a fraction is float noise, not a real fraction.
EPS = 1e-6


def decode_text(data: bytes, what: str = "the file") -> tuple[str, str]:
    """Decode a text export by the importers' one rule (module docstring).

    Returns
    -------
    tuple[str, str]
        The text and the encoding used (``"utf-16"``, ``"utf-32"``, ``"utf-8"``,
        ``"cp949"`` or ``"cp1252"``; ``"cp1252 (some bytes replaced)"`` when a few
        bytes no code page defines were replaced by U+FFFD).

    Raises
    ------
    UnreadableFileError
        If the bytes are neither UTF-16/32, UTF-8, Korean cp949 nor cp1252 (beyond a
        few stray bytes), or announce UTF-16/32 and are not (the message names the
        encoding).
    """
    wide = _wide_encoding(data)
    if wide is not None:
        try:
            return data.decode(wide).lstrip("\ufeff"), wide[:6]
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(
                f"{what} looks like {wide[:6].upper()} text but is not "
                f"(undecodable bytes at offset {exc.start}); save it as UTF-8"
            ) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp949")
        if _HANGUL.search(text):
            return text, "cp949"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        bad = sum(data.count(bytes([b])) for b in _CP1252_UNDEFINED)
        if bad > max(16, len(data) // 1000):  # not a text export with a few stray bytes
            raise UnreadableFileError(
                f"{what} is neither UTF-8, Korean cp949 nor cp1252 text "
                f"(undecodable byte at offset {exc.start})"
            ) from exc
    # a few bytes no Windows code page defines (P6 exports that mix a table in another
    # code page): read the rest, and let the reader warn where the text was replaced
    return data.decode("cp1252", errors="replace"), "cp1252 (some bytes replaced)"


#: Bytes cp1252 leaves undefined.
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def _wide_encoding(data: bytes) -> str | None:
    """``"utf-32"``/``"utf-16"`` (by BOM), ``"utf-16-le"``/``"-be"`` (NUL pattern), or None."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:256]
    if len(head) >= 8:
        even, odd = head[0::2], head[1::2]
        # mostly ASCII text: the high byte of nearly every character is NUL
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
            return "utf-16-be"
    return None


@dataclass
class IssueLog:
    """Problems found while reading one file, each with its place.

    ``sheet`` is the table or sheet name (``"TASKPRED"``, ``"Task"``,
    ``"Baseline Schedule"``), ``row`` the line or row number the planner can find.
    """

    filename: str
    issues: list[Issue] = field(default_factory=list)
    #: Word before the row number in messages: ``"line"`` (XER text lines) or
    #: ``"row"`` (DSLIB sheet rows, as Excel numbers them).
    unit: str = "line"

    def place(
        self,
        sheet: str,
        row: int | None = None,
        *,
        label: str = "",
        columns: tuple[tuple[str, str], ...] = (),
    ) -> Place:
        """The :class:`~scheduler.errors.Place` of (sheet, row) in this file.

        Give it to the model objects read there, so the plan's checks
        (:func:`scheduler.checks.validate_plan`) name the same place; ``columns``
        maps model fields to the file's columns (``("lag", "lag_hr_cnt")``).
        """
        return Place(sheet, row, self.filename, self.unit, label, columns)

    def error(self, sheet: str, row: int | None, column: str, message: str) -> None:
        """Record a blocking problem; ``message`` is prefixed with its place."""
        self.issues.append(self._issue(sheet, row, column, message, "error"))

    def warn(self, sheet: str, row: int | None, column: str, message: str) -> None:
        """Record a non-blocking change (rounding, ignored constraint...)."""
        self.issues.append(self._issue(sheet, row, column, message, "warning"))

    def _issue(
        self, sheet: str, row: int | None, column: str, message: str, severity: Severity
    ) -> Issue:
        # the one issue builder (Place.issue); the sheet-less form names the file only
        built = self.place(sheet, row if sheet else None).issue(
            column, message, warning=severity == "warning"
        )
        return Issue(sheet, row, column, built.message, severity)

    @property
    def warnings(self) -> list[Issue]:
        """Warning issues only."""
        return [i for i in self.issues if i.severity == "warning"]

    def raise_if_errors(self) -> None:
        """Raise :class:`InvalidPlanError` with every issue if any is an error."""
        if any(i.severity == "error" for i in self.issues):
            raise InvalidPlanError(self.issues)

    def round_up(
        self,
        value: float,
        sheet: str,
        row: int | None,
        column: str,
        what: str,
        *,
        at_least: int | None = None,
    ) -> int:
        """``value`` rounded up to whole slots by :func:`days_up` (the module's rule).

        ``at_least`` raises the result to that floor (capacities, units). When the
        result differs from ``value`` by more than :data:`EPS`, a warning
        ``"<what> rounded up to <result>"`` is recorded at (sheet, row, column).
        """
        out = days_up(value)
        if at_least is not None:
            out = max(at_least, out)
        if abs(out - value) > EPS:
            self.warn(sheet, row, column, f"{what} rounded up to {out}")
        return out

    def plan(
        self,
        name: str,
        grid: TimeGrid,
        activities: list[Activity],
        dependencies: list[Dependency],
        resources: list[Resource],
        demands: list[Demand],
    ) -> Plan:
        """The imported plan, once every problem is known.

        Raises :class:`InvalidPlanError` with every issue if any is an error; else
        builds the :class:`~scheduler.model.Plan` (carrying the warnings) and runs
        the plan's checks (:func:`scheduler.checks.checked_plan`: unknown ids,
        lags, cycles named in order, capacities, dates), which raise
        :class:`InvalidPlanError` with every placed issue.
        """
        from scheduler.checks import checked_plan

        self.raise_if_errors()
        plan = Plan(
            name=name,
            grid=grid,
            activities=activities,
            dependencies=dependencies,
            resources=resources,
            demands=demands,
            warnings=list(self.warnings),
        )
        return checked_plan(plan, self.issues)


def days_up(value: float) -> int:
    """Round a (possibly fractional, possibly negative) number of slots up to an int.

    ``days_up(2.25) == 3``, ``days_up(-1.5) == -1``, ``days_up(3.0000000001) == 3``.
    """
    near = round(value)
    if abs(value - near) < EPS:
        return int(near)
    return math.ceil(value)


def horizon_months_for(plan_start: date, last_day: date | None, margin_months: int = 12) -> int:
    """Horizon (months) that holds a foreign plan: 24, or more when its dates run later.

    ``last_day`` is the latest date the file mentions; ``margin_months`` leaves room
    for our rounding and calendar rules to run a little longer than the tool did.
    """
    months = 24
    if last_day is None:
        return months
    while add_months(plan_start, months - margin_months) <= last_day:
        months += 6
    return months
