"""Baselines: an approved schedule JSON read onto the current plan's grid, and variances.

A re-plan is measured against a baseline (SPEC §10, issue 10 item 3): a schedule
document that infraplan wrote (:meth:`scheduler.solution.Schedule.to_json`, from
``infraplan plan --json`` or the API). :func:`read_baseline` (a file) and
:func:`baseline_from_document` (a stored document) turn it into a
:class:`~scheduler.model.Baseline`: per activity the baseline start and exclusive end
slot **on the current plan's grid** (its dates are converted, so a baseline solved on
another grid or from another plan start still lines up), and the baseline's finish.
:func:`compare` measures a solved plan against it: per-activity start and finish
variances, the finish variance, and the activities that slipped, each with what held it
(:func:`scheduler.cpm.holding_links`, the question the driving path asks).

Conventions: variances are grid slots, ``solved - baseline``, so positive = later than
the baseline: days on a ``calendar`` plan, working days on the others. A start or
finish date is read as the JSON shows it (finish = last day worked, a milestone on the
day its work ends, as :meth:`scheduler.timegrid.TimeGrid.finish_date`): a working
activity's start slot is its start date's, its end slot one past its finish date's; a
milestone shown on day ``d`` sits at the slot after ``d``'s, except on the baseline's
first day (its ``plan_start``, or the first slot of this grid after it), where it is
read as that day's slot (a start milestone: the JSON shows slots 0 and 1 alike).

Every problem with the file is an :class:`~scheduler.errors.Issue` placed in it (the
file name, ``activities[3]`` and the activity id, the key), all raised together as
:class:`~scheduler.errors.InvalidPlanError`: the command line exits 2, the API answers 422.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.errors import InvalidPlanError, Issue, Place, UnreadableFileError
from scheduler.model import Baseline, Plan
from scheduler.timegrid import TimeGrid

__all__ = [
    "MAX_BASELINE_BYTES",
    "ActivityVariance",
    "Comparison",
    "Slip",
    "attach_baseline",
    "baseline_from_bytes",
    "baseline_from_document",
    "compare",
    "compare_schedule",
    "read_baseline",
    "shown_dates",
]

log = logging.getLogger(__name__)

#: Largest baseline file read (bytes): the limit of every plan file.
MAX_BASELINE_BYTES = 50 * 2**20
#: Statuses of a schedule document that has dates to keep to.
_SOLVED = ("optimal", "feasible")
#: Ids named in one warning before the rest are counted.
_EXAMPLES = 5


def read_baseline(path: str | Path, plan: Plan) -> Baseline:
    """Read the schedule JSON at ``path`` as a baseline of ``plan``.

    Parameters
    ----------
    path
        A schedule document that infraplan wrote (``infraplan plan --json``).
    plan
        The plan being re-planned: its grid and activity ids.

    Returns
    -------
    Baseline
        Slots on ``plan``'s grid; ``warnings`` name the ids missing either way.

    Raises
    ------
    UnreadableFileError
        If the file is missing, not a regular file or above :data:`MAX_BASELINE_BYTES`.
    InvalidPlanError
        With every problem placed in the file: not JSON, not an infraplan schedule (or
        one without a plan), no activity id in common with ``plan``, a date that is not
        a slot of ``plan``'s grid, a bad or duplicate row.
    """
    from scheduler.outputs import check_input

    p = Path(path)
    check_input(p, MAX_BASELINE_BYTES)
    try:
        data = p.read_bytes()
    except OSError as exc:  # pragma: no cover - checked just before
        raise UnreadableFileError(f"cannot read {p}: {exc.strerror}") from exc
    return baseline_from_bytes(data, plan, p.name)


def baseline_from_bytes(data: bytes, plan: Plan, name: str) -> Baseline:
    """:func:`read_baseline` of bytes already read; ``name`` places the messages.

    Raises
    ------
    InvalidPlanError
        As :func:`read_baseline`; "not JSON" names the line and column of the fault (a
        document nested too deep for the JSON reader names the file).
    """
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        text = f"is not JSON: not UTF-8 text (byte {exc.start})"
        raise _invalid(Place(file=name), "", text) from None
    except json.JSONDecodeError as exc:
        where = Place(file=name, sheet="JSON", row=exc.lineno, unit="line")
        raise _invalid(where, "", f"is not JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:  # [[[[... thousands deep: Python's reader gives up
        text = (
            "is not an infraplan schedule: its JSON is nested thousands of levels deep "
            "(a schedule JSON that infraplan wrote is 4)"
        )
        raise _invalid(Place(file=name), "", text) from None
    return baseline_from_document(doc, plan, name)


def baseline_from_document(doc: Any, plan: Plan, name: str) -> Baseline:
    """A schedule document (parsed JSON) as a baseline of ``plan``.

    Parameters
    ----------
    doc
        What :meth:`scheduler.solution.Schedule.to_json` wrote: its ``format`` (when
        present, ``infraplan.schedule`` of a version up to
        :data:`scheduler.solution.SCHEDULE_FORMAT_VERSION`), ``status``
        (``optimal``/``feasible``), ``plan_start``, ``finish``, ``makespan_days`` and
        ``activities`` with ``id``, ``duration_days``, ``start`` and ``finish``.
    plan
        The plan being re-planned.
    name
        What the baseline is called in messages (a file name, ``"schedule 7"``).

    Raises
    ------
    InvalidPlanError
        See :func:`read_baseline`.
    """
    from scheduler.solution import SCHEDULE_FORMAT, SCHEDULE_FORMAT_VERSION

    top = Place(file=name)
    not_ours = "is not an infraplan schedule (a schedule JSON that infraplan wrote)"
    if not isinstance(doc, dict):
        raise _invalid(top, "", f"{not_ours}: it holds a {_json_type(doc)}, not an object")
    fmt = doc.get("format", SCHEDULE_FORMAT)
    if fmt != SCHEDULE_FORMAT:
        raise _invalid(
            top, "format", f"{not_ours}: its format is {_show(fmt)}, not {SCHEDULE_FORMAT!r}"
        )
    version = doc.get("format_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _invalid(top, "format_version", f"format_version {_show(version)} is not 1 or more")
    if version > SCHEDULE_FORMAT_VERSION:
        raise _invalid(
            top,
            "format_version",
            f"was written by a newer infraplan (format version {version}; this one reads "
            f"up to {SCHEDULE_FORMAT_VERSION})",
        )
    missing = [k for k in ("status", "plan_start", "activities") if k not in doc]
    if missing:
        raise _invalid(top, missing[0], f"{not_ours}: it has no {', '.join(missing)}")
    if not isinstance(doc["activities"], list):
        raise _invalid(top, "activities", f"{not_ours}: its activities are not a list")
    status = doc["status"]
    if status not in _SOLVED:
        raise _invalid(
            top,
            "status",
            f"is a schedule of status {_show(status)}: it has no plan to keep to "
            "(a baseline is an optimal or feasible schedule)",
        )
    grid = plan.grid
    issues: list[Issue] = []
    first = _first_slot(grid, doc.get("plan_start"), top, issues)
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    durations: dict[str, int] = {}
    seen: set[str] = set()
    plan_ids = {a.id for a in plan.activities}
    for k, row in enumerate(doc["activities"]):
        at = Place(file=name, label=f"activities[{k}]")
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not row["id"]:
            issues.append(at.issue("id", "is not an activity with an id"))
            continue
        aid = row["id"]
        at = Place(file=name, label=f"activities[{k}] ({aid!r})")
        if aid in seen:
            issues.append(at.issue("id", f"activity {aid!r} is listed twice"))
            continue
        seen.add(aid)
        dur = row.get("duration_days")
        if dur is None:
            issues.append(at.issue("duration_days", "has no duration_days (whole days, 0 or more)"))
            continue
        if not isinstance(dur, int) or isinstance(dur, bool) or dur < 0:
            issues.append(at.issue("duration_days", f"duration_days {_show(dur)} is not 0 or more"))
            continue
        durations[aid] = dur
        if aid not in plan_ids:  # named in the warning; its dates need not fit this grid
            continue
        start = _slot_of(grid, row.get("start"), at, "start", issues)
        last = _slot_of(grid, row.get("finish"), at, "finish", issues)
        if start is None or last is None:
            continue
        if dur == 0:  # shown on the day its work ends; at the baseline's first slot, on it
            s = last if last == first else last + 1
            starts[aid], ends[aid] = s, s
        elif last < start:
            issues.append(
                at.issue("finish", f"finish {row['finish']} is before start {row['start']}")
            )
        else:
            starts[aid], ends[aid] = start, last + 1
    finish = _finish_slot(grid, doc, top, issues)
    if issues:
        raise InvalidPlanError(issues)
    if not starts:
        raise _invalid(
            top,
            "activities",
            f"has no activity id in common with plan {plan.name!r} (it is a schedule of "
            f"{_show(doc.get('plan_name', ''))}): is it another plan's schedule?",
        )
    warnings = _missing_warnings(plan, seen, top)
    assert finish is not None
    log.info("baseline %s: %d activities, finish slot %d", name, len(starts), finish)
    return Baseline(
        starts=starts,
        ends=ends,
        finish=finish,
        durations=durations,
        name=name,
        plan_name=str(doc.get("plan_name", "")),
        warnings=warnings,
    )


def attach_baseline(plan: Plan, baseline: Baseline) -> None:
    """Set ``plan.baseline`` and add the baseline's reading warnings to the plan's."""
    plan.baseline = baseline
    plan.warnings.extend(baseline.warnings)


def _invalid(place: Place, column: str, text: str) -> InvalidPlanError:
    return InvalidPlanError([place.issue(column, text)])


def _json_type(value: Any) -> str:
    return {list: "list", str: "text", int: "number", float: "number", bool: "true/false"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:80] + "…"


def _slot_of(grid: TimeGrid, text: Any, at: Place, key: str, issues: list[Issue]) -> int | None:
    """Grid slot of an ISO date of the JSON (None, with an issue, when it is not one)."""
    if text is None:  # absent or null: say so, not "null is not a date"
        issues.append(at.issue(key, f"has no {key} date (YYYY-MM-DD)"))
        return None
    if not isinstance(text, str):
        issues.append(at.issue(key, f"{key} {_show(text)} is not a date (YYYY-MM-DD)"))
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        issues.append(at.issue(key, f"{key} {_show(text)} is not a date (YYYY-MM-DD)"))
        return None
    if day < grid.plan_start:
        issues.append(
            at.issue(
                key, f"{key} {day} is before this plan's start {grid.plan_start}: off its grid"
            )
        )
        return None
    slot = grid.slot_on_or_after(day)
    if grid.date_of(slot) != day:
        issues.append(
            at.issue(
                key,
                f"{key} {day} is not a working day of this plan's calendar ({grid.kind}): "
                "off its grid",
            )
        )
        return None
    return slot


def _first_slot(grid: TimeGrid, text: Any, top: Place, issues: list[Issue]) -> int | None:
    """This grid's slot of the baseline's first day (its ``plan_start``), or None."""
    try:
        day = date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        day = None
    if day is None:
        shown = f"plan_start {_show(text)} is not a date"
        issues.append(top.issue("plan_start", "has no plan_start date" if text is None else shown))
        return None
    return grid.slot_on_or_after(day)


def _finish_slot(
    grid: TimeGrid, doc: dict[str, Any], top: Place, issues: list[Issue]
) -> int | None:
    """The baseline's finish as an exclusive end slot (0 for a plan of milestones at 0)."""
    if doc.get("makespan_days") == 0:
        return 0
    last = _slot_of(grid, doc.get("finish"), top, "finish", issues)
    return None if last is None else last + 1


def _missing_warnings(plan: Plan, baseline_ids: set[str], top: Place) -> list[Issue]:
    """One warning each way: plan activities not in the baseline, and the reverse."""
    out = []
    new = [a.id for a in plan.activities if a.id not in baseline_ids]
    plan_ids = {a.id for a in plan.activities}
    gone = sorted(baseline_ids - plan_ids)
    for ids, text in (
        (new, "not in the baseline (new activities: no variance, no stability term)"),
        (gone, "in the baseline but no longer in the plan (left out of the comparison)"),
    ):
        if ids:
            names = ", ".join(repr(i) for i in ids[:_EXAMPLES])
            more = f" and {len(ids) - _EXAMPLES} more" if len(ids) > _EXAMPLES else ""
            out.append(
                top.issue(
                    "id",
                    f"{len(ids)} {'activity is' if len(ids) == 1 else 'activities are'} "
                    f"{text}: {names}{more}",
                    warning=True,
                )
            )
    return out


def shown_dates(grid: TimeGrid, start: int, end: int) -> tuple[date, date]:
    """Start and finish dates people see for ``[start, end)`` (a milestone: its finish twice)."""
    finish = grid.finish_date(start, end)
    return (finish if end == start else grid.date_of(start)), finish


# -- comparison ------------------------------------------------------------------------------
@dataclass(slots=True)
class ActivityVariance:
    """One activity of a solved plan against its baseline (grid slots, exclusive ends).

    ``baseline_start``/``baseline_end`` and the variances are None for an activity that
    is not in the baseline. Variances are ``solved - baseline`` (positive = later).
    """

    id: str
    name: str
    start: int
    end: int
    progress_status: str
    baseline_start: int | None = None
    baseline_end: int | None = None

    @property
    def start_variance(self) -> int | None:
        """``start - baseline_start`` (slots), None without a baseline start."""
        return None if self.baseline_start is None else self.start - self.baseline_start

    @property
    def finish_variance(self) -> int | None:
        """``end - baseline_end`` (slots), None without a baseline finish."""
        return None if self.baseline_end is None else self.end - self.baseline_end


@dataclass(slots=True)
class Slip:
    """An activity that starts or finishes later than in the baseline, and why.

    ``kind`` says what holds it: ``logic``, ``resource``, ``budget``, ``blackout`` or
    ``constraint`` (the link that keeps it from starting one slot earlier, as
    :func:`scheduler.cpm.driving_path` asks, ``predecessor`` the activity at its other
    end), ``progress`` (it started later than its baseline start: ``detail`` its actual
    start), ``duration`` (it starts no later than in the baseline but takes longer;
    ``detail`` says how much), or ``none`` (no link holds it: it could start a slot
    earlier; ``detail`` says so in words). ``duration`` (the field) is, for a slip of
    another kind whose duration differs from the baseline's, that change in words
    (``"takes 35 days, the baseline 5 (+30)"``), else ``""``.
    """

    id: str
    name: str
    start_variance: int
    finish_variance: int
    kind: str = ""
    predecessor: str = ""
    detail: str = ""
    duration: str = ""


@dataclass(slots=True)
class Comparison:
    """A solved plan against a baseline (:func:`compare`).

    Attributes
    ----------
    activities
        One :class:`ActivityVariance` per plan activity, in plan order.
    finish, baseline_finish
        Exclusive end slots of the plan and of the baseline.
    slipped
        Activities later than the baseline (finish or start), most slipped first:
        finish variance, then start variance, both descending, then id.
    not_in_baseline, not_in_plan
        Ids missing either way.
    baseline_name
        What the baseline is (a file name, ``"schedule 7"``).
    """

    activities: list[ActivityVariance]
    finish: int
    baseline_finish: int
    slipped: list[Slip] = field(default_factory=list)
    not_in_baseline: list[str] = field(default_factory=list)
    not_in_plan: list[str] = field(default_factory=list)
    baseline_name: str = ""

    @property
    def finish_variance(self) -> int:
        """``finish - baseline_finish`` (slots; positive = the plan ends later)."""
        return self.finish - self.baseline_finish

    @property
    def moved(self) -> int:
        """How many activities start on another slot than in the baseline."""
        return sum(1 for v in self.activities if v.start_variance not in (None, 0))

    def to_json(self, grid: TimeGrid) -> dict[str, Any]:
        """The comparison as JSON (dates ISO, finish = last day worked; variances slots).

        Keys: ``baseline``, ``finish``, ``baseline_finish``, ``finish_variance_days``,
        ``variance_unit`` (``days`` or ``working days``), ``moved_activities``,
        ``activities`` (``id``, ``name``, ``progress_status``, ``start``, ``finish``,
        ``baseline_start``, ``baseline_finish``, ``start_variance_days``,
        ``finish_variance_days``), ``slipped`` (``id``, ``name``, the two variances,
        ``driven_by``: ``kind``, ``predecessor``, ``detail``, and ``duration_change``:
        the duration change in words when the start slipped too and the duration
        changed, else null),
        ``not_in_baseline``, ``not_in_plan``.
        """
        rows = []
        for v in self.activities:
            start, finish = shown_dates(grid, v.start, v.end)
            row: dict[str, Any] = {
                "id": v.id,
                "name": v.name,
                "progress_status": v.progress_status,
                "start": start.isoformat(),
                "finish": finish.isoformat(),
                "baseline_start": None,
                "baseline_finish": None,
                "start_variance_days": v.start_variance,
                "finish_variance_days": v.finish_variance,
            }
            if v.baseline_start is not None and v.baseline_end is not None:
                b_start, b_finish = shown_dates(grid, v.baseline_start, v.baseline_end)
                row["baseline_start"] = b_start.isoformat()
                row["baseline_finish"] = b_finish.isoformat()
            rows.append(row)
        return {
            "baseline": self.baseline_name,
            "finish": grid.finish_date(0, self.finish).isoformat(),
            "baseline_finish": grid.finish_date(0, self.baseline_finish).isoformat(),
            "finish_variance_days": self.finish_variance,
            "variance_unit": "days" if grid.kind == "calendar" else "working days",
            "moved_activities": self.moved,
            "activities": rows,
            "slipped": [
                {
                    "id": s.id,
                    "name": s.name,
                    "start_variance_days": s.start_variance,
                    "finish_variance_days": s.finish_variance,
                    "driven_by": {
                        "kind": s.kind,
                        "predecessor": s.predecessor,
                        "detail": s.detail,
                    },
                    "duration_change": s.duration or None,
                }
                for s in self.slipped
            ],
            "not_in_baseline": list(self.not_in_baseline),
            "not_in_plan": list(self.not_in_plan),
        }


def compare(
    plan: Plan,
    starts: Mapping[str, int],
    baseline: Baseline,
    *,
    ends: Mapping[str, int] | None = None,
    solved: Mapping[str, int] | None = None,
) -> Comparison:
    """Measure a solved plan (``starts``) against ``baseline``.

    Parameters
    ----------
    plan
        The plan.
    starts
        Activity id → start slot as shown (an activity that started: its actual start;
        :meth:`scheduler.solution.Schedule.start_slots`), every activity of ``plan``.
    baseline
        On ``plan``'s grid (:func:`read_baseline`).
    ends
        Activity id → exclusive end slot as shown (:meth:`Schedule.ends
        <scheduler.solution.Schedule.ends>`); default ``start + duration``.
    solved
        The solver's starts (of the remaining plan of a progressed plan), for what holds
        each slip; default ``starts``.

    Returns
    -------
    Comparison
        Variances per activity, the finish variance, and the slipped activities with
        what holds each: for one that starts later, the first link that keeps it from
        starting a slot earlier (:func:`scheduler.cpm.holding_links`: logic, resource,
        budget, blackout, or a constraint such as the data date or a release); for one
        that started later than its baseline start (by its actual start), ``progress``;
        for one that starts on time but finishes later, ``duration``; for one that
        nothing holds, ``none`` with words saying so. A slip of another kind whose
        duration changed also names that change (:attr:`Slip.duration`).
    """
    from scheduler.cpm import holding_links

    unit = "days" if plan.grid.kind == "calendar" else "working days"
    rows = []
    for a in plan.activities:
        s = int(starts[a.id])
        rows.append(
            ActivityVariance(
                id=a.id,
                name=a.name,
                start=s,
                end=s + a.duration if ends is None else int(ends[a.id]),
                progress_status=a.progress_status,
                baseline_start=baseline.starts.get(a.id),
                baseline_end=baseline.ends.get(a.id),
            )
        )
    late = [v for v in rows if (v.start_variance or 0) > 0 or (v.finish_variance or 0) > 0]
    unstarted = [
        v.id for v in late if (v.start_variance or 0) > 0 and v.progress_status == "not_started"
    ]
    held = holding_links(plan, starts if solved is None else solved, unstarted)
    slipped = []
    for v in late:
        sv, fv = v.start_variance or 0, v.finish_variance or 0
        slip = Slip(v.id, v.name, sv, fv)
        assert v.baseline_start is not None and v.baseline_end is not None
        was, now = v.baseline_end - v.baseline_start, v.end - v.start
        if sv > 0 and v.progress_status != "not_started":
            slip.kind = "progress"
            slip.detail = f"actual start {plan.grid.date_of(v.start)}"
        elif sv > 0:
            link = held.get(v.id)
            if link is not None:
                slip.kind, slip.predecessor, slip.detail = link.kind, link.predecessor, link.detail
            else:
                slip.kind = "none"
                slip.detail = (
                    f"no link holds it: it could start earlier, nearer its baseline start "
                    f"{plan.grid.date_of(v.baseline_start)} (the solver left it late)"
                )
        else:
            slip.kind = "duration"
            slip.detail = f"takes {now} {unit}, the baseline {was}"
        if slip.kind != "duration" and now != was:
            slip.duration = f"takes {now} {unit}, the baseline {was} ({now - was:+d})"
        slipped.append(slip)
    slipped.sort(key=lambda x: (-x.finish_variance, -x.start_variance, x.id))
    finish = max((v.end for v in rows), default=0)
    plan_ids = {a.id for a in plan.activities}
    return Comparison(
        activities=rows,
        finish=finish,
        baseline_finish=baseline.finish,
        slipped=slipped,
        not_in_baseline=[a.id for a in plan.activities if a.id not in baseline.starts],
        not_in_plan=sorted(set(baseline.durations) - plan_ids),
        baseline_name=baseline.name,
    )


def compare_schedule(schedule: Any) -> Comparison | None:
    """:func:`compare` of a solved :class:`~scheduler.solution.Schedule` with its plan's
    baseline (dates as shown, the solver's starts for what holds each slip); None
    without a baseline or a plan."""
    plan = schedule.plan
    if plan is None or plan.baseline is None or not schedule.has_plan:
        return None
    return compare(
        plan,
        schedule.start_slots(),
        plan.baseline,
        ends=schedule.ends(),
        solved=schedule.starts,
    )
