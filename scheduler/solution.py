"""A solved plan version: per-activity dates and floats plus plan figures.

:class:`Schedule` is what the CLI prints, the report writes and the API serves
(:meth:`Schedule.to_json` is the JSON contract of issue 2, item 7). It is built by
:func:`scheduler.planner.build_schedule` from a :class:`~scheduler.model.Plan`, the
solver's start slots and the CPM result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from scheduler.errors import Issue, grouped_issues
from scheduler.model import MONEY_SCALE, Baseline, Plan
from scheduler.progress import ProgressMap, remaining_plan
from scheduler.status import SolveStatus
from scheduler.timegrid import TimeGrid

__all__ = [
    "SCHEDULE_FORMAT",
    "SCHEDULE_FORMAT_VERSION",
    "ActivityTimes",
    "Conflict",
    "CpmResult",
    "DrivingLink",
    "Schedule",
    "Status",
]

#: ``format`` and ``format_version`` of the schedule document (:meth:`Schedule.to_json`):
#: what :func:`scheduler.baseline.read_baseline` checks before it reads one as a baseline.
#: A document without them (written before they were added) is read as version 1.
SCHEDULE_FORMAT = "infraplan.schedule"
SCHEDULE_FORMAT_VERSION = 1

#: A solve's :class:`~scheduler.status.SolveStatus`, or ``"invalid"`` (the input failed
#: validation; nothing was solved).
Status = SolveStatus | Literal["invalid"]


@dataclass(slots=True)
class ActivityTimes:
    """Logic CPM dates of one activity, in grid slots (half-open ends).

    ``ef``/``lf`` are exclusive ends; ``total_float = ls - es`` may be negative
    when a due date is tighter than the logic allows. ``critical`` is True on the
    longest path (driving relationships that fix the logic finish). With progress
    (:func:`scheduler.cpm.compute_cpm`): a started activity has ``es = ls`` = its
    actual start and ``total_float = lf - ef`` (P6's finish float); a complete one
    its actual dates and floats 0.
    """

    es: int
    ef: int
    ls: int
    lf: int
    total_float: int
    free_float: int
    critical: bool = False


@dataclass(slots=True)
class CpmResult:
    """Output of :func:`scheduler.cpm.compute_cpm`.

    Attributes
    ----------
    times
        Activity id → :class:`ActivityTimes`.
    project_finish
        Latest early finish (exclusive end slot): where the backward pass starts.
    chains
        Critical chains (longest path), each a list of activity ids from start
        to finish; several when parallel chains tie.
    """

    times: dict[str, ActivityTimes]
    project_finish: int
    chains: list[list[str]] = field(default_factory=list)


@dataclass(slots=True)
class DrivingLink:
    """One step of the solved plan's driving path: why ``successor`` starts when it does.

    ``kind`` is ``"logic"`` (a dependency, ``detail`` its type and lag), ``"resource"``
    (``detail`` the resource id), ``"budget"`` (``detail`` in words: the period spent to
    its cap and the activities that fill it; ``predecessor`` the one of them the path
    goes on through, not a blocker of its own),
    ``"blackout"`` (the blackout reason, else its scope and dates), or
    ``"constraint"`` (``"release 2027-03-02"``, ``"fixed_start 2027-03-02"`` or
    ``"plan start"``; ``predecessor`` empty). Details name dates, never grid offsets.
    """

    predecessor: str
    successor: str
    kind: Literal["logic", "resource", "budget", "blackout", "constraint"]
    detail: str = ""


@dataclass(slots=True)
class Conflict:
    """One constraint in a minimal conflicting set of an infeasible plan.

    ``kind`` is ``"due"``, ``"horizon"``, ``"budget"``, ``"fixed_start"``,
    ``"blackout"``, ``"release"``, ``"max_lag"`` or ``"capacity"``; ``message`` is the
    planner's sentence; ``activities`` the ids it concerns.
    """

    kind: str
    message: str
    activities: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Schedule:
    """One solved plan version.

    Attributes
    ----------
    plan
        The plan that was solved.
    status
        A :class:`~scheduler.status.SolveStatus` (``optimal``, ``feasible``,
        ``infeasible``, ``unknown``) or ``invalid``.
    starts
        Activity id → start slot (empty unless a plan was found, or an infeasible plan's
        schedule with the horizon lifted, see ``overrun_days``). These are the solver's
        starts of the remaining plan (:func:`scheduler.progress.remaining_plan`): for an
        activity in progress the start of its remaining work, for a complete one its
        actual finish; :meth:`start_slots` gives the starts as shown (actual starts).
    objective, bound, gap
        Solver objective (first objective, in its own units: slots for makespan),
        best proven bound and relative gap ``(objective - bound) / objective``.
    solve_seconds
        Wall-clock seconds spent solving (constructive + CP-SAT).
    cpm
        Logic CPM of the plan (always computed for valid plans).
    driving
        Activity ids on the driving path of the solved plan, start to finish.
    driving_links
        The links of that path, each with its kind.
    plan_float
        Activity id → plan float in slots: how far it can slip in the solved plan
        without moving the finish or breaking a capacity, budget cap, blackout, due or
        fixed start (:mod:`scheduler.plan_float`); empty without a plan.
    finish_driving
        Ids whose slip moves the solved finish (:attr:`PlanFloat.driving
        <scheduler.plan_float.PlanFloat.driving>`); with those of ``driving`` that have
        plan float 0 they are the activities flagged ``driving``.
    conflicts, min_horizon_days
        For infeasible plans: a minimal conflicting set, and the makespan (slots)
        the plan needs with horizon and due dates lifted.
    overrun_days
        For infeasible plans that fit once the horizon and due dates are lifted: slots
        past the horizon of that schedule (``starts`` holds it).
    issues
        Validation errors (invalid plans) or warnings.
    repeatable
        Whether the solve was repeatable (None when nothing was solved).
    notes
        The solver's sentences about the run (e.g. what was tried when ``unknown``).
    progress
        The plan's :class:`~scheduler.progress.ProgressMap` (derived from ``plan`` when
        not given; the identity map for a plan without a data date).
    """

    plan: Plan | None
    status: Status
    starts: dict[str, int] = field(default_factory=dict)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    cpm: CpmResult | None = None
    driving: list[str] = field(default_factory=list)
    driving_links: list[DrivingLink] = field(default_factory=list)
    plan_float: dict[str, int] = field(default_factory=dict)
    finish_driving: set[str] = field(default_factory=set)
    conflicts: list[Conflict] = field(default_factory=list)
    min_horizon_days: int | None = None
    issues: list[Issue] = field(default_factory=list)
    objectives: list[str] = field(default_factory=lambda: ["makespan"])
    overrun_days: int | None = None
    repeatable: bool | None = None
    notes: list[str] = field(default_factory=list)
    progress: ProgressMap | None = None

    def __post_init__(self) -> None:
        if self.progress is None and self.plan is not None:
            self.progress = remaining_plan(self.plan)[1]

    def _map(self) -> ProgressMap:
        assert self.plan is not None and self.progress is not None
        return self.progress

    # -- dates -----------------------------------------------------------------------------
    @property
    def has_plan(self) -> bool:
        """True when start slots exist (status optimal or feasible)."""
        return bool(self.starts) and self.status in ("optimal", "feasible")

    @property
    def has_dates(self) -> bool:
        """True when activities have dates: a plan, or an overrun schedule."""
        return bool(self.starts) and (self.has_plan or self.overrun_days is not None)

    @property
    def overrun_finish(self) -> int | None:
        """Exclusive end slot of an infeasible plan's overrun schedule (None otherwise)."""
        if self.overrun_days is None or not self.starts or self.plan is None:
            return None
        return max(self.ends().values(), default=0)

    def end(self, activity_id: str) -> int:
        """Exclusive end slot of an activity in the solved plan (its remaining work's end)."""
        return self.starts[activity_id] + self._map().remaining[activity_id]

    def ends(self) -> dict[str, int]:
        """Activity id → exclusive end slot (a complete activity's is its actual finish)."""
        return self._map().ends({a.id: self.starts[a.id] for a in self._plan_acts()})

    def start_slots(self) -> dict[str, int]:
        """Activity id → start slot as shown: the actual start of an activity that started."""
        return self._map().starts({a.id: self.starts[a.id] for a in self._plan_acts()})

    def _plan_acts(self) -> list[Any]:
        assert self.plan is not None
        return [a for a in self.plan.activities if a.id in self.starts]

    @property
    def makespan(self) -> int | None:
        """Slots from plan_start to the end of the last activity (None without a plan)."""
        if not self.has_plan:
            return None
        return max(self.ends().values(), default=0)

    @property
    def critical_path(self) -> list[list[str]]:
        """Critical chains of the logic CPM."""
        return self.cpm.chains if self.cpm else []

    # -- plan figures ----------------------------------------------------------------------
    def spend_by_month(self) -> list[dict[str, Any]]:
        """Spend per calendar month, real (not rounded) amounts in 100M KRW.

        Returns rows ``{"month": "YYYY-MM", "spend": float, "cumulative": float}``
        for every month from plan_start to the plan's finish.
        """
        if not self.has_plan or self.plan is None:
            return []
        grid = self.plan.grid
        per_month: dict[str, float] = defaultdict(float)
        pm = self._map()
        month_at: dict[int, str] = {}  # grid.month_of per slot, each slot computed once
        for a in self.plan.activities:
            if a.cost == 0:
                continue
            for s, e, cost in pm.segments(a.id, self.starts[a.id]):
                if e <= s or not cost:
                    continue
                daily = cost / MONEY_SCALE / (e - s)
                for t in range(s, e):
                    m = month_at.get(t)
                    if m is None:
                        m = month_at[t] = grid.month_of(t)
                    per_month[m] += daily
        months = _month_range(grid.month_of(0), grid.month_of(max(0, (self.makespan or 1) - 1)))
        rows, total = [], 0.0
        for m in months:
            total += per_month.get(m, 0.0)
            rows.append(
                {
                    "month": m,
                    "spend": round(per_month.get(m, 0.0), 4),
                    "cumulative": round(total, 4),
                }
            )
        return rows

    def spend_by_budget(self) -> list[dict[str, Any]]:
        """Spend in each budget period against its cap, in 100M KRW.

        Returns rows ``{"period", "from", "to", "spend", "cap", "within_cap"}``;
        ``spend`` is the real spend (cost spread evenly over each activity's days; with
        progress, money spent before the data date over the actual days, see
        :meth:`ProgressMap.segments <scheduler.progress.ProgressMap.segments>`).
        """
        if self.plan is None:
            return []
        rows = []
        for b in self.plan.budgets:
            spend = 0.0
            if self.has_plan:
                pm = self._map()
                for a in self.plan.activities:
                    if a.cost == 0:
                        continue
                    for s, e, cost in pm.segments(a.id, self.starts[a.id]):
                        if e > s and cost:
                            overlap = max(0, min(e, b.end) - max(s, b.start))
                            spend += cost / MONEY_SCALE * overlap / (e - s)
            rows.append(
                {
                    "period": b.label,
                    "from": b.first_day.isoformat() if b.first_day else None,
                    "to": b.last_day.isoformat() if b.last_day else None,
                    "spend": round(spend, 4),
                    "cap": b.cap / MONEY_SCALE,
                    "within_cap": spend <= b.cap / MONEY_SCALE + 1e-9,
                }
            )
        return rows

    def resource_use_by_month(self) -> list[dict[str, Any]]:
        """Peak and average daily use of each resource per month, against capacity.

        Returns rows ``{"resource", "month", "peak", "average", "capacity"}``;
        ``capacity`` is the lowest capacity in force that month. With progress, a
        started activity uses its crews on its actual days before the data date too.
        """
        if not self.has_plan or self.plan is None:
            return []
        grid = self.plan.grid
        end = self.makespan or 0
        usage: dict[str, list[int]] = {r.id: [0] * max(end, 1) for r in self.plan.resources}
        pm = self._map()
        for d in self.plan.demands:
            line = usage[d.resource]
            for s, e, _ in pm.segments(d.activity, self.starts[d.activity]):
                for t in range(max(s, 0), min(e, len(line))):
                    line[t] += d.amount
        months = [grid.month_of(t) for t in range(end)]
        rows = []
        for r in self.plan.resources:
            by_month: dict[str, list[int]] = defaultdict(list)
            caps: dict[str, int] = {}
            for t in range(end):
                by_month[months[t]].append(usage[r.id][t])
                caps[months[t]] = min(caps.get(months[t], r.capacity_at(t)), r.capacity_at(t))
            for m, vals in by_month.items():
                rows.append(
                    {
                        "resource": r.id,
                        "month": m,
                        "peak": max(vals),
                        "average": round(sum(vals) / len(vals), 3),
                        "capacity": caps[m],
                    }
                )
        return rows

    # -- JSON ------------------------------------------------------------------------------
    def activity_rows(self) -> list[dict[str, Any]]:
        """One dict per activity with every column of SPEC §4 (dates ISO, finish inclusive).

        Floats: ``total_float_days``/``free_float_days`` are the logic CPM's (P6's);
        ``plan_float_days`` is the solved plan's (None without a plan); ``driving`` is
        on the driving path or has a slip that moves the solved finish, and (where plan
        float is known) plan float 0: the steps of the driving path before a ``budget``
        link (the work that filled the cap) can slip without moving the finish, so
        they stay in ``driving_path`` but are not flagged.

        With progress: ``start`` is an activity's actual start once it started and
        ``finish`` the end of its remaining work (its actual finish when complete);
        every row has ``progress_status`` (``not_started``, ``in_progress``,
        ``complete``), ``actual_start`` and ``actual_finish`` (last day worked, null
        until known) and ``remaining_days`` (slots of work left: 0 when complete, the
        duration when not started).
        """
        if self.plan is None:
            return []
        grid = self.plan.grid
        driving = set(self.driving) | self.finish_driving
        if self.plan_float:  # a flagged activity has plan float 0 (see plan_float)
            driving = {x for x in driving if self.plan_float.get(x) == 0}
        demands = self.plan.demands_of()
        baseline = self.plan.baseline if self.has_dates else None
        pm = self._map()
        shown = self.start_slots() if self.has_dates else {}
        ends = self.ends() if self.has_dates else {}
        rows = []
        for a in self.plan.activities:
            row: dict[str, Any] = {
                "id": a.id,
                "name": a.name,
                "project": a.project,
                "sector": a.sector,
                "region_from": a.region_from,
                "region_to": a.region_to,
                "duration_days": a.duration,
                "cost": a.cost / MONEY_SCALE,
                "demands": {d.resource: d.amount for d in demands.get(a.id, [])},
                "start": None,
                "finish": None,
            }
            if self.has_dates:
                s, e = shown[a.id], ends[a.id]
                finish = grid.finish_date(s, e)
                row["start"] = (finish if e == s else grid.date_of(s)).isoformat()
                row["finish"] = finish.isoformat()
            status = pm.status[a.id]
            a_s, a_f = pm.actual_start.get(a.id), pm.actual_finish.get(a.id)
            row.update(
                {
                    "progress_status": status,
                    # zero-length actuals (a milestone) show on one day, as start does
                    "actual_start": (
                        None
                        if a_s is None
                        else (
                            grid.finish_date(a_s, a_f) if a_f == a_s else grid.date_of(a_s)
                        ).isoformat()
                    ),
                    "actual_finish": (
                        None
                        if a_f is None or a_s is None
                        else grid.finish_date(a_s, a_f).isoformat()
                    ),
                    "remaining_days": pm.remaining[a.id],
                }
            )
            t = self.cpm.times.get(a.id) if self.cpm else None
            if t is not None:
                ef, lf = grid.finish_date(t.es, t.ef), grid.finish_date(t.ls, t.lf)
                milestone = t.ef == t.es
                row.update(
                    {
                        "es": (ef if milestone else grid.date_of(t.es)).isoformat(),
                        "ef": ef.isoformat(),
                        "ls": (lf if milestone else grid.date_of(t.ls)).isoformat(),
                        "lf": lf.isoformat(),
                        "total_float_days": t.total_float,
                        "free_float_days": t.free_float,
                        "critical": t.critical,
                    }
                )
            row["plan_float_days"] = self.plan_float.get(a.id) if self.has_plan else None
            row["driving"] = a.id in driving
            if baseline is not None:
                row.update(_baseline_fields(grid, baseline, a.id, shown[a.id], ends[a.id]))
            rows.append(row)
        return rows

    def to_json(self) -> dict[str, Any]:
        """The schedule document (issue 2 item 7; served as-is by the API).

        Top level: ``status``, ``plan_name``, ``plan_start``, ``calendar``,
        ``horizon_days``, ``makespan_days``, ``finish``, ``objective``, ``bound``,
        ``gap``, ``solve_seconds``, ``critical_path``, ``driving_path``,
        ``activities``, ``budget``, ``spend_by_month``, ``resources``, ``issues``
        (always), ``format`` (:data:`SCHEDULE_FORMAT`) and ``format_version``; with a
        baseline (:attr:`Plan.baseline`) ``baseline`` (its name), ``baseline_finish``,
        ``finish_variance_days`` (makespan − the baseline's, grid slots, positive =
        later) and ``variance_unit`` (``days`` or ``working days``), and each activity
        ``baseline_start``, ``baseline_finish``, ``start_variance_days`` and
        ``finish_variance_days`` (null when it is not in the baseline);
        ``data_date`` (ISO date, null without progress) and ``out_of_sequence`` with
        a plan; ``repeatable`` and ``notes`` (once solved), ``conflicts`` and
        ``min_horizon_days`` when infeasible, and ``overrun`` (``days_past_horizon``,
        ``makespan_days``, ``finish``, ``horizon_end``) when an infeasible plan has a
        schedule with the horizon lifted (its activities then carry those dates).
        """
        doc: dict[str, Any] = {
            "format": SCHEDULE_FORMAT,
            "format_version": SCHEDULE_FORMAT_VERSION,
            "status": str(self.status),
        }
        if self.plan is not None:
            grid = self.plan.grid
            doc.update(
                {
                    "plan_name": self.plan.name,
                    "plan_start": grid.plan_start.isoformat(),
                    "calendar": grid.kind,
                    "horizon_days": grid.horizon,
                    "objectives": list(self.objectives),
                    "data_date": (
                        None
                        if self.plan.data_date is None
                        else grid.date_of(self.plan.data_date).isoformat()
                    ),
                    "out_of_sequence": self.plan.out_of_sequence,
                }
            )
        ms = self.makespan
        doc.update(
            {
                "makespan_days": ms,
                "finish": (
                    self.plan.grid.finish_date(0, ms).isoformat()
                    if ms is not None and self.plan is not None
                    else None
                ),
                "objective": self.objective,
                "bound": self.bound,
                "gap": self.gap,
                "solve_seconds": round(self.solve_seconds, 3),
                "critical_path": self.critical_path,
                "driving_path": list(self.driving),
                "driving_links": [
                    {
                        "predecessor": d.predecessor,
                        "successor": d.successor,
                        "kind": d.kind,
                        "detail": d.detail,
                    }
                    for d in self.driving_links
                ],
                "activities": self.activity_rows(),
                "budget": self.spend_by_budget(),
                "spend_by_month": self.spend_by_month(),
                "resources": self.resource_use_by_month(),
                "issues": [i.to_dict() for i in grouped_issues(self.issues, errors_apart=True)],
            }
        )
        b = self.plan.baseline if self.plan is not None else None
        if b is not None and self.plan is not None:
            grid = self.plan.grid
            doc["baseline"] = b.name
            doc["baseline_finish"] = grid.finish_date(0, b.finish).isoformat()
            doc["finish_variance_days"] = None if ms is None else ms - b.finish
            doc["variance_unit"] = "days" if grid.kind == "calendar" else "working days"
        if self.repeatable is not None:
            doc["repeatable"] = self.repeatable
            doc["notes"] = list(self.notes)
        if self.status == "infeasible":
            doc["conflicts"] = [
                {"kind": c.kind, "message": c.message, "activities": c.activities}
                for c in self.conflicts
            ]
            doc["min_horizon_days"] = self.min_horizon_days
            end = self.overrun_finish
            if end is not None and self.plan is not None:
                grid = self.plan.grid
                doc["overrun"] = {
                    "days_past_horizon": self.overrun_days,
                    "makespan_days": end,
                    "finish": grid.finish_date(0, end).isoformat(),
                    "horizon_end": grid.date_of(self.plan.horizon - 1).isoformat(),
                }
        return doc


def _baseline_fields(
    grid: TimeGrid, baseline: Baseline, aid: str, start: int, end: int
) -> dict[str, Any]:
    """An activity's baseline dates and its variances (grid slots, solved − baseline).

    ``start`` and ``end`` are the activity's slots as shown (with progress: its actual
    start, and its actual finish or the end of its remaining work).
    """
    b_start, b_end = baseline.starts.get(aid), baseline.ends.get(aid)
    if b_start is None or b_end is None:
        return {
            "baseline_start": None,
            "baseline_finish": None,
            "start_variance_days": None,
            "finish_variance_days": None,
        }
    finish = grid.finish_date(b_start, b_end)
    return {
        "baseline_start": (finish if b_end == b_start else grid.date_of(b_start)).isoformat(),
        "baseline_finish": finish.isoformat(),
        "start_variance_days": start - b_start,
        "finish_variance_days": end - b_end,
    }


def _month_range(first: str, last: str) -> list[str]:
    """All ``YYYY-MM`` months from ``first`` to ``last`` inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    ly, lm = int(last[:4]), int(last[5:7])
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out
