"""Three-point duration estimates in P6 XER and MS Project XML files.

Both tools keep a schedule-risk tool's three-point estimates in user fields; this
module reads them into the same :class:`~scheduler.uncertainty.Estimate` as the
workbook's ``optimistic`` / ``most_likely`` / ``pessimistic`` columns (triangular,
slots of the plan's grid, not rounded: the simulation rounds each sample).

**Which field holds which value** (:func:`role_of`, one rule for both formats): a
field's title (P6 ``UDFTYPE.udf_type_label``, MS Project ``Alias``) names the
optimistic value when its words include ``optimistic``, ``opt``, ``min``,
``minimum``, ``best``, ``low``, ``lowest``, ``shortest`` (or contain ``낙관``,
``최소``, ``최단``); the most likely value with ``likely``, ``ml``, ``expected``,
``exp``, ``mode``, ``modal``, ``probable`` (``최빈``, ``보통``, ``최가능``, ``예상``);
the pessimistic value with ``pessimistic``, ``pess``, ``pes``, ``max``,
``maximum``, ``worst``, ``high``, ``highest``, ``longest`` (``비관``, ``최대``,
``최장``). A title naming two roles, or naming a cost, price, budget, units,
quantity, rate, percent, work, date, start or finish, holds none. MS Project's
PERT Analysis names its *expected* duration what a three-point estimate calls the
most likely (its weights 1-4-1 are Beta-PERT's); it is read as ``most_likely``.

**P6 XER** (``UDFTYPE`` / ``UDFVALUE``): activity fields (``table_name`` ``TASK``)
of a number type (``FT_INT``, ``FT_FLOAT_2_DECIMALS``) whose title names a role;
the value is ``UDFVALUE.udf_number`` of the activity ``fk_id``. A title with the
word ``h``, ``hr``, ``hrs``, ``hour``, ``hours`` (or ``시간``) counts hours of the
activity's own calendar, else working days of it; either is converted to days of
the project's default calendar as the activity's own duration is (hours per day,
then the ratio of working days per week when the calendars differ).

**MS Project XML** (``ExtendedAttribute``): the task duration fields ``Duration1``
… ``Duration10`` whose ``Alias`` names a role (declared fields); when no duration
field is declared that way, the PERT Analysis fields ``Duration1`` (optimistic),
``Duration2`` (expected) and ``Duration3`` (pessimistic). Values are ``PT#H#M#S``
work time: minutes / ``MinutesPerDay``.

**Problems.** A declared field (an XER title or an MSPDI alias) is the planner's
own risk input: a value that is no number or duration, three values out of order
or negative, or an activity that has some of the three but not all, is an error at
the value's table or element and line. The PERT fields are only a convention
(``Duration1``-``3`` may hold anything), so there the same problems are warnings
and the activity stays certain. Activities with no duration (milestones, finished
work) and activities in progress (the estimates describe the whole duration, the
plan only the remaining part) stay certain, with a warning when values were given.
A task whose three values are all zero has no estimate (an unset field).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element

from scheduler.errors import InvalidPlanError
from scheduler.importers._common import IssueLog
from scheduler.importers._limits import MAX_PLAN_DAYS, number, shown
from scheduler.importers._mspdi_fields import Fields, child_text, minutes
from scheduler.model import Plan
from scheduler.uncertainty import Estimate, Uncertainty

if TYPE_CHECKING:
    from scheduler.importers._xer_tables import XerCalendar, XerRow

__all__ = ["ROLES", "mspdi_three_point", "role_of", "xer_three_point"]

#: The three values of an estimate, in order.
ROLES = ("optimistic", "most_likely", "pessimistic")
_SHOWN = {"optimistic": "optimistic", "most_likely": "most likely", "pessimistic": "pessimistic"}

_WORDS = {
    "optimistic": {"optimistic", "opt", "min", "minimum", "best", "low", "lowest", "shortest"},
    "most_likely": {"likely", "ml", "expected", "exp", "mode", "modal", "probable"},
    "pessimistic": {
        "pessimistic",
        "pess",
        "pes",
        "max",
        "maximum",
        "worst",
        "high",
        "highest",
        "longest",
    },
}
_STEMS = {
    "optimistic": ("낙관", "최소", "최단"),
    "most_likely": ("최빈", "보통", "최가능", "예상"),
    "pessimistic": ("비관", "최대", "최장"),
}
_NOT_DURATION = {
    "cost",
    "costs",
    "price",
    "budget",
    "units",
    "unit",
    "qty",
    "quantity",
    "rate",
    "percent",
    "pct",
    "work",
    "date",
    "start",
    "finish",
    "비용",
    "예산",
    "수량",
}
_HOURS = {"h", "hr", "hrs", "hour", "hours", "시간"}

#: MS Project task duration custom fields: FieldID -> name.
DURATION_FIELDS = {
    "188743783": "Duration1",
    "188743784": "Duration2",
    "188743785": "Duration3",
    **{str(188743955 + k): f"Duration{4 + k}" for k in range(7)},
}
#: MS Project PERT Analysis: Duration1 optimistic, Duration2 expected, Duration3 pessimistic.
PERT_FIELDS = {"188743783": "optimistic", "188743784": "most_likely", "188743785": "pessimistic"}


def _words(label: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z\uac00-\ud7a3]+", label.lower()) if w]


def role_of(label: str) -> str | None:
    """Which value of a three-point estimate a field titled ``label`` holds.

    ``"Min Duration"`` → ``"optimistic"``, ``"PERT Expected"`` → ``"most_likely"``,
    ``"비관 기간"`` → ``"pessimistic"``, ``"Max Units"`` → None (rule: module docstring).
    """
    words = _words(label)
    if not words or any(w in _NOT_DURATION for w in words):
        return None
    found = {
        role
        for role in ROLES
        if any(w in _WORDS[role] for w in words)
        or any(stem in w for w in words for stem in _STEMS[role])
    }
    return found.pop() if len(found) == 1 else None


def _in_hours(label: str) -> bool:
    return any(w in _HOURS for w in _words(label))


@dataclass(slots=True)
class _Collector:
    """Values of one file: activity id -> role -> (days, sheet, line, column, shown)."""

    issues: IssueLog
    declared: bool
    values: dict[str, dict[str, tuple[float, str, int | None, str, str]]] = field(
        default_factory=dict
    )
    bad: set[str] = field(default_factory=set)  # activities with a value already reported
    who: str = "{}"  # how messages name an activity

    def problem(self, aid: str, sheet: str, line: int | None, column: str, message: str) -> None:
        """An error for a declared field, a warning for a convention (module docstring)."""
        self.bad.add(aid)
        if self.declared:
            self.issues.error(sheet, line, column, message)
        else:
            self.issues.warn(sheet, line, column, f"{message}; the activity stays certain")

    def estimates(self, plan: Plan, busy: dict[str, str]) -> dict[str, Estimate]:
        """The estimates, once every value of the file is known (``busy``: id -> why skipped)."""
        durations = {a.id: a.duration for a in plan.activities}
        out: dict[str, Estimate] = {}
        for aid, got in self.values.items():
            if aid in self.bad:
                continue
            name = self.who.format(aid)
            first = next(iter(got.values()))
            if all(v[0] == 0 for v in got.values()):
                continue  # unset fields
            why = busy.get(aid) or ("it has no duration" if durations.get(aid) == 0 else "")
            if why:
                self.issues.warn(
                    first[1], first[2], first[3], f"{name}: {why}; its three-point estimate ignored"
                )
                continue
            missing = [_SHOWN[r] for r in ROLES if r not in got]
            if missing:
                self.problem(
                    aid,
                    first[1],
                    first[2],
                    first[3],
                    f"{name}: a three-point estimate needs all three values; "
                    f"no {' or '.join(missing)} value",
                )
                continue
            low, mode, high = (got[r][0] for r in ROLES)
            try:
                out[aid] = Estimate(low, mode, high)
            except ValueError:
                seen = ", ".join(f"{_SHOWN[r]} {got[r][4]}" for r in ROLES)
                self.problem(
                    aid,
                    first[1],
                    first[2],
                    first[3],
                    f"{name}: three-point values must satisfy 0 <= optimistic <= most likely "
                    f"<= pessimistic (got {seen})",
                )
        return out


def _finish(plan: Plan, issues: IssueLog, before: int, estimates: dict[str, Estimate]) -> Plan:
    """Attach the estimates; raise on errors; carry the new warnings into the plan."""
    new = issues.issues[before:]
    if any(i.severity == "error" for i in new):
        raise InvalidPlanError(issues.issues)
    plan.warnings.extend(i for i in new if i.severity == "warning")
    if estimates:
        if plan.uncertainty is None:
            plan.uncertainty = Uncertainty(estimates=estimates)
        else:
            plan.uncertainty.estimates.update(estimates)
    return plan


def _pick(
    fields: Iterable[tuple[str, str, str, int | None]], issues: IssueLog, sheet: str
) -> dict[str, str]:
    """Field key -> role from ``(key, role, title, line)``; a repeated role keeps the first."""
    chosen: dict[str, str] = {}
    for key, role, title, line in fields:
        if role in chosen.values():
            issues.warn(
                sheet,
                line,
                "",
                f"field {shown(title)} is a second {_SHOWN[role]} field; ignored",
            )
            continue
        chosen[key] = role
    return chosen


def xer_three_point(
    plan: Plan,
    tables: dict[str, list[XerRow]],
    tasks: dict[str, Any],
    default: XerCalendar,
    issues: IssueLog,
) -> Plan:
    """Read the three-point user fields of a P6 XER export into ``plan.uncertainty``.

    Parameters
    ----------
    plan
        The plan read from the file (its activity ids are the ``task_code`` values).
    tables
        The file's tables (:func:`scheduler.importers._xer_tables.parse_xer_tables`).
    tasks
        ``task_id`` → the reader's activity record (``code``, ``cal``, ``status``).
    default
        The project's default calendar (the plan's grid).
    issues
        The file's issue log.

    Returns
    -------
    Plan
        ``plan``, with its estimates and the new warnings.

    Raises
    ------
    InvalidPlanError
        With every issue, when a declared field's value is wrong (module docstring).
    """
    before = len(issues.issues)
    found = []
    hours: dict[str, bool] = {}
    for t in tables.get("UDFTYPE", []):
        if t.get("table_name") != "TASK":
            continue
        title = t.get("udf_type_label") or t.get("udf_type_name")
        role = role_of(title)
        if role is None:
            continue
        if t.get("logical_data_type") not in ("FT_INT", "FT_FLOAT_2_DECIMALS"):
            issues.warn(
                "UDFTYPE",
                t.line,
                "logical_data_type",
                f"user field {shown(title)} is not a number field "
                f"({t.get('logical_data_type') or 'no type'}); not read as a duration",
            )
            continue
        found.append((t.get("udf_type_id"), role, title, t.line))
        hours[t.get("udf_type_id")] = _in_hours(title)
    chosen = _pick(found, issues, "UDFTYPE")
    if not chosen:
        return plan
    col = _Collector(issues, declared=True)
    if len(set(chosen.values())) < 3:
        missing = [_SHOWN[r] for r in ROLES if r not in chosen.values()]
        issues.warn(
            "UDFTYPE",
            found[0][3],
            "udf_type_label",
            f"three-point user fields without a {' or '.join(missing)} field; not read",
        )
        return _finish(plan, issues, before, {})
    busy: dict[str, str] = {}
    for r in tables.get("UDFVALUE", []):
        role = chosen.get(r.get("udf_type_id"))
        task = tasks.get(r.get("fk_id"))
        if role is None or task is None:
            continue
        raw = r.get("udf_number")
        value = number(raw)
        what = f"{task.code}: {_SHOWN[role]} {shown(raw)}"
        if value is None:
            col.problem(task.code, "UDFVALUE", r.line, "udf_number", f"{what} is not a number")
            continue
        days = value / task.cal.hours_per_day if hours[r.get("udf_type_id")] else value
        if task.cal.workweek and task.cal.workweek != default.workweek:
            days = days * len(default.workweek) / len(task.cal.workweek)
        if abs(days) > MAX_PLAN_DAYS:
            col.problem(
                task.code, "UDFVALUE", r.line, "udf_number", f"{what} is longer than any plan"
            )
            continue
        col.values.setdefault(task.code, {})[role] = (days, "UDFVALUE", r.line, "udf_number", raw)
        if task.status == "TK_Active":
            busy[task.code] = "it is in progress (the estimate is of its whole duration)"
    return _finish(plan, issues, before, col.estimates(plan, busy))


def mspdi_three_point(
    plan: Plan, root: Element, uid_to_id: dict[str, str], mpd: float, f: Fields
) -> Plan:
    """Read the three-point duration fields of an MS Project XML file into ``plan``.

    Parameters
    ----------
    plan
        The plan read from the file.
    root
        The ``Project`` element (namespace stripped).
    uid_to_id
        Task ``UID`` → activity id of the plan.
    mpd
        ``MinutesPerDay``.
    f
        The file's field reader (lines and issue log).

    Returns
    -------
    Plan
        ``plan``, with its estimates and the new warnings.

    Raises
    ------
    InvalidPlanError
        With every issue, when a declared field's value is wrong (module docstring).
    """
    issues = f.issues
    before = len(issues.issues)
    found = []
    for ea in root.findall("ExtendedAttributes/ExtendedAttribute"):
        fid = child_text(ea, "FieldID")
        role = role_of(child_text(ea, "Alias"))
        if fid in DURATION_FIELDS and role is not None:
            found.append((fid, role, child_text(ea, "Alias"), f.line(ea)))
    declared = bool(found)
    chosen = _pick(found, issues, "ExtendedAttribute") if declared else dict(PERT_FIELDS)
    if declared and len(set(chosen.values())) < 3:
        missing = [_SHOWN[r] for r in ROLES if r not in chosen.values()]
        issues.warn(
            "ExtendedAttribute",
            found[0][3],
            "Alias",
            f"three-point duration fields without a {' or '.join(missing)} field; not read",
        )
        return _finish(plan, issues, before, {})
    col = _Collector(issues, declared=declared, who="task {}")
    busy: dict[str, str] = {}
    for t in root.findall("Tasks/Task"):
        aid = uid_to_id.get(child_text(t, "UID"))
        if aid is None:
            continue
        for ea in t.findall("ExtendedAttribute"):
            fid = child_text(ea, "FieldID")
            role = chosen.get(fid)
            if role is None:
                continue
            name = DURATION_FIELDS[fid]
            raw = child_text(ea, "Value")
            mins = minutes(raw)
            what = f"task {aid}: {name} ({_SHOWN[role]}) {shown(raw)}"
            if mins is None:
                col.problem(aid, "Task", f.line(ea), name, f"{what} is not a duration PT#H#M#S")
                continue
            days = mins / mpd
            if abs(days) > MAX_PLAN_DAYS:
                col.problem(aid, "Task", f.line(ea), name, f"{what} is longer than any plan")
                continue
            col.values.setdefault(aid, {})[role] = (days, "Task", f.line(ea), name, raw)
        pct = number(child_text(t, "PercentComplete")) or 0.0
        if 0 < pct < 100:
            busy[aid] = "it is in progress (the estimate is of its whole duration)"
    return _finish(plan, issues, before, col.estimates(plan, busy))
