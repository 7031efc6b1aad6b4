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
from collections.abc import Mapping
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


#: Resources named in the grouped warning of :func:`lift_unleveled_limits`.
LIFTED_EXAMPLES = 8


def lift_unleveled_limits(plan: Plan) -> Issue | None:
    """Lift the resource limits the file's own schedule did not keep (one rule, all tools).

    A scheduling tool that levelled its plan keeps every resource within its limit at
    the dates it wrote; P6 and MS Project do not level unless asked, and then the
    "max units" in the file are a planner's note, not a limit the plan was made to
    meet (bhatticoder's P6 export: 3,575 assignments, never levelled, 92 resources).
    Turning such a limit into a hard capacity makes a plan the tool scheduled
    without complaint stretch by months or become infeasible. So: when the remaining
    work at the **tool's own early dates** (``Activity.extra["tool_slots"]``) uses
    more of a resource at once than its capacity, the tool did not level against it,
    and its capacity is raised to the most that either those dates or our logic
    CPM's early dates (of the remaining plan) use at once — so neither schedule is
    delayed by it, while a resource the tool did keep within its limit stays a real
    limit. One warning lists what was raised (``id old→new``, the largest first).

    Returns
    -------
    Issue or None
        The warning (also appended to ``plan.warnings``), or None when nothing changed
        (no resources, no tool dates, or every limit held at the tool's dates).
    """
    if not plan.resources or not plan.demands:
        return None
    from scheduler.cpm import compute_cpm
    from scheduler.progress import remaining_plan

    remaining, progress = remaining_plan(plan)
    acts = {a.id: a for a in plan.activities}
    ours = compute_cpm(remaining).times
    tool_peak: dict[str, int] = {}
    our_peak: dict[str, int] = {}
    for peaks, windows in (
        (tool_peak, _tool_windows(plan, progress.status)),
        (our_peak, {k: (t.es, t.ef) for k, t in ours.items() if progress.remaining[k] > 0}),
    ):
        use: dict[str, dict[int, int]] = {}
        for d in plan.demands:
            win = windows.get(d.activity)
            if win is None or d.amount <= 0 or acts[d.activity].duration == 0:
                continue
            steps = use.setdefault(d.resource, {})
            steps[win[0]] = steps.get(win[0], 0) + d.amount
            steps[win[1]] = steps.get(win[1], 0) - d.amount
        for rid, steps in use.items():
            level = peak = 0
            for slot in sorted(steps):
                level += steps[slot]
                peak = max(peak, level)
            peaks[rid] = peak
    raised: list[tuple[int, str, int, int]] = []
    for r in plan.resources:
        if tool_peak.get(r.id, 0) > r.max_capacity:
            new = max(tool_peak[r.id], our_peak.get(r.id, 0))
            raised.append((new - r.capacity, r.id, r.capacity, new))
            r.capacity = new
            r.capacity_changes = []
    if not raised:
        return None
    raised.sort(key=lambda x: (-x[0], x[1]))
    named = ", ".join(f"{rid} {old}→{new}" for _, rid, old, new in raised[:LIFTED_EXAMPLES])
    more = f" and {len(raised) - LIFTED_EXAMPLES} more" if len(raised) > LIFTED_EXAMPLES else ""
    issue = Issue(
        "",
        None,
        "capacity",
        f"{len(raised)} of {len(plan.resources)} resources are used above their limit at the "
        "file's own early dates (the tool did not level them), so those limits are not kept as "
        "hard capacities: each is raised to the most the file's or the logic's early dates use "
        f"at once: {named}{more}",
        "warning",
    )
    plan.warnings.append(issue)
    return issue


def _tool_windows(plan: Plan, status: Mapping[str, str]) -> dict[str, tuple[int, int]]:
    """Activity id → the tool's early (start, end) slots of its remaining work."""
    out: dict[str, tuple[int, int]] = {}
    for a in plan.activities:
        slots = a.extra.get("tool_slots")
        if status.get(a.id) == "complete" or not isinstance(slots, list):
            continue
        es, ef = slots[0], slots[1]
        if isinstance(es, int) and isinstance(ef, int) and ef > es:
            out[a.id] = (es, ef)
    return out
