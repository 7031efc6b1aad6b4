"""The plan as plain data: activities, dependencies, resources, budgets, blackouts.

Everything here is already on the plan's integer time grid (see
:mod:`scheduler.timegrid`) and money is already an integer number of
``1 / MONEY_SCALE`` × 100M KRW. Readers (:mod:`scheduler.workbook`, the PSPLIB and
P6/MSPDI importers) convert at the boundary; the solver, CPM and reports only see
this module's types. Each dataclass checks its own fields in ``__post_init__``
(raising ``ValueError``); :meth:`Plan.check` cross-checks ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from scheduler.errors import Issue, Place
from scheduler.timegrid import TimeGrid
from scheduler.uncertainty import Uncertainty
from scheduler.workcal import FileCalendars

__all__ = [
    "DEPENDENCY_TYPES",
    "MONEY_SCALE",
    "OBJECTIVES",
    "OUT_OF_SEQUENCE",
    "PROGRESS_STATUSES",
    "SECTORS",
    "WEIGHT_SCALE",
    "Activity",
    "Baseline",
    "Blackout",
    "BudgetPeriod",
    "Demand",
    "Dependency",
    "DependencyType",
    "Plan",
    "Progress",
    "ProgressStatus",
    "Region",
    "Resource",
    "blackout_scope_keys",
    "money_to_int",
    "period_spend",
    "resolve_objectives",
    "weight_to_int",
]

#: Money inside the solver is an integer count of 1/MONEY_SCALE of 100M KRW,
#: i.e. 1M KRW (백만원). Costs and caps are rounded to it once, on reading.
MONEY_SCALE = 100
#: Weights (priorities) inside the solver are integer hundredths.
WEIGHT_SCALE = 100

SECTORS: tuple[str, ...] = ("road", "rail", "dam", "grid", "telecom", "gas", "water")
DependencyType = Literal["FS", "SS", "FF", "SF"]
DEPENDENCY_TYPES: tuple[str, ...] = ("FS", "SS", "FF", "SF")
#: ``stability`` needs a baseline (:attr:`Plan.baseline`): the least total weighted shift
#: of the not-yet-started activities from their baseline starts.
OBJECTIVES: tuple[str, ...] = ("makespan", "weighted_completion", "tardiness", "stability")
#: Progress states of an activity, as P6 (``TK_NotStart``/``TK_Active``/``TK_Complete``).
ProgressStatus = Literal["not_started", "in_progress", "complete"]
PROGRESS_STATUSES: tuple[str, ...] = ("not_started", "in_progress", "complete")
#: How the remaining work of an activity that started before its predecessors let it
#: (out-of-sequence progress) is scheduled, with P6's names: ``retained_logic`` keeps
#: the relations on the remaining work; ``progress_override`` ignores them.
OUT_OF_SEQUENCE: tuple[str, ...] = ("retained_logic", "progress_override")


def money_to_int(amount: float) -> int:
    """Convert money in 100M KRW to integer solver units (rounded half up).

    ``money_to_int(12.345) == 1235`` (1M KRW units, ``MONEY_SCALE`` = 100).
    """
    scaled = Decimal(str(amount)) * MONEY_SCALE  # str(): 12.345 stays 12.345, not 12.3449...
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def weight_to_int(weight: float) -> int:
    """Convert a priority weight to integer solver units: ``× WEIGHT_SCALE``, rounded half up.

    The one rounding rule for weights (decimal, as :func:`money_to_int` for money):
    ``weight_to_int(1.005) == 101`` and ``weight_to_int(0.125) == 13``, where float
    arithmetic would give 100 and 12.
    """
    scaled = Decimal(str(weight)) * WEIGHT_SCALE
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def period_spend(cost: int, duration: int, overlap: int) -> int:
    """Money the solver counts for ``overlap`` slots of an activity, rounded **up**.

    The cost is spread evenly over the duration, so the real spend in a budget
    period is ``cost * overlap / duration``; the solver counts its ceiling,
    ``ceil(cost * overlap / duration)``, per activity and period. The counted spend
    is never below the real one (a cap is never exceeded) and is exact whenever the
    real spend is a whole number of units (a plan that fits a cap exactly is kept).
    Units: 1/MONEY_SCALE of 100M KRW. A milestone (duration 0) spends nothing.
    """
    if duration <= 0 or cost <= 0 or overlap <= 0:
        return 0
    return -(-cost * overlap // duration)


@dataclass(slots=True)
class Region:
    """A metropolitan region or hub; corridors link ``region_from`` → ``region_to``."""

    id: str
    name: str
    lat: float | None = None
    lon: float | None = None
    industry: str = ""


@dataclass(slots=True)
class Progress:
    """What has happened to an activity up to the plan's data date (grid slots).

    Parameters
    ----------
    actual_start
        Slot of the first day worked, or None (not started).
    actual_finish
        Exclusive end slot of the last day worked (as :attr:`Activity` ends), or None
        (not finished). Set only with ``actual_start``.
    remaining
        Slots of work left from the data date (P6 remaining duration) for an activity
        in progress, or None (then derived from ``percent_complete`` or the duration).
    percent_complete
        Reported percent complete, 0–100, or None.
    place
        Where it was read (Progress sheet row, XER TASK line, MSPDI Task), for messages.

    Raises
    ------
    ValueError
        On an actual finish without an actual start or before it, a negative
        remaining duration, or a percent outside 0–100.
    """

    actual_start: int | None = None
    actual_finish: int | None = None
    remaining: int | None = None
    percent_complete: float | None = None
    place: Place | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.actual_finish is not None:
            if self.actual_start is None:
                raise ValueError("an actual finish needs an actual start")
            if self.actual_finish < self.actual_start:
                raise ValueError("the actual finish is before the actual start")
        if self.remaining is not None and self.remaining < 0:
            raise ValueError(f"remaining duration {self.remaining} is negative")
        if self.percent_complete is not None and not 0 <= self.percent_complete <= 100:
            raise ValueError(f"percent complete {self.percent_complete} is not within 0-100")

    @property
    def status(self) -> ProgressStatus:
        """``complete`` with an actual finish, ``in_progress`` with only an actual start."""
        if self.actual_finish is not None:
            return "complete"
        if self.actual_start is not None:
            return "in_progress"
        return "not_started"


@dataclass(slots=True)
class Baseline:
    """An approved schedule that a re-plan is measured against, on this plan's grid.

    Read from a schedule JSON that infraplan wrote by :func:`scheduler.baseline.read_baseline`
    (SPEC §10); every slot is on the *current* plan's grid, whatever grid the baseline
    was solved on (its dates are converted).

    Parameters
    ----------
    starts
        Activity id → baseline start slot, for the activities the baseline and the plan
        have in common.
    ends
        Activity id → baseline exclusive end slot (same ids).
    finish
        Exclusive end slot of the baseline's last activity (all of its activities, also
        those no longer in the plan): its makespan on this grid.
    durations
        Activity id → the baseline's duration (grid slots of *its* grid, as its JSON says).
    name
        What the baseline is, for messages and the report (``"prev.json"``,
        ``"schedule 7"``).
    plan_name
        The baseline's plan name.
    warnings
        Non-blocking issues found on reading (ids missing either way).
    resume
        Only on a remaining plan (:func:`scheduler.progress.remaining_plan`, rule 5):
        in-progress activity id → the start of its remaining work that the baseline
        implies, ``max(data date, baseline end − remaining)`` (slots).
    """

    starts: dict[str, int]
    ends: dict[str, int]
    finish: int
    durations: dict[str, int] = field(default_factory=dict)
    name: str = ""
    plan_name: str = ""
    warnings: list[Issue] = field(default_factory=list)
    resume: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Activity:
    """A schedulable work package.

    Parameters
    ----------
    id, name
        Identifier (unique in the plan) and display name.
    duration
        Grid slots (days or working days); 0 is a milestone.
    sector
        One of :data:`SECTORS` (importers of foreign files may use ``""``).
    project
        WBS group.
    region_from, region_to
        Regions the work links (``region_to`` empty for point works).
    cost
        Integer money units (1/MONEY_SCALE of 100M KRW), spent evenly over the duration.
    weight
        Integer priority in 1/WEIGHT_SCALE units (default WEIGHT_SCALE, i.e. 1.0).
    release
        Earliest start slot, or None.
    due
        Latest end slot (exclusive end: the activity must finish on or before
        slot ``due - 1``), or None.
    fixed_start
        Start slot already committed, or None.
    deadline
        Soft latest end slot (exclusive end, as ``due``), or None: a date the tool
        only used to shape late dates (P6 "finish on or before" / "start on or
        before", MS Project FNLT, SNLT and ``Deadline``). CPM's backward pass
        honours it, so a deadline tighter than the logic shows as negative total
        float; the solver ignores it (it never makes a plan infeasible), and a
        solved finish after it is a warning naming the activity
        (:func:`scheduler.planner.plan_schedule`).
    source_row
        Row of the input sheet this came from (for messages), or None.
    place
        Where it was read (file, sheet or table, row or line, columns), for
        messages; every model object carries one (not compared).
    extra
        Importer-specific values kept for the planner (e.g. three-point estimates).
    progress
        Actual dates and remaining work up to :attr:`Plan.data_date`, or None
        (not started).

    Raises
    ------
    ValueError
        On an empty id, a negative duration, cost or weight.
    """

    id: str
    name: str
    duration: int
    sector: str = ""
    project: str = ""
    region_from: str = ""
    region_to: str = ""
    cost: int = 0
    weight: int = WEIGHT_SCALE
    release: int | None = None
    due: int | None = None
    fixed_start: int | None = None
    source_row: int | None = None
    extra: dict[str, object] = field(default_factory=dict)
    place: Place | None = field(default=None, compare=False, repr=False)
    progress: Progress | None = None
    deadline: int | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("activity id is empty")
        if self.duration < 0:
            raise ValueError(f"activity {self.id!r}: duration {self.duration} is negative")
        if self.cost < 0:
            raise ValueError(f"activity {self.id!r}: cost {self.cost} is negative")
        if self.weight < 0:
            raise ValueError(f"activity {self.id!r}: weight {self.weight} is negative")

    @property
    def is_milestone(self) -> bool:
        """True for a zero-duration activity."""
        return self.duration == 0

    @property
    def progress_status(self) -> ProgressStatus:
        """``not_started``, ``in_progress`` or ``complete`` (from :attr:`progress`)."""
        return "not_started" if self.progress is None else self.progress.status

    @property
    def regions(self) -> list[str]:
        """The regions this activity touches (one or two ids)."""
        return [r for r in (self.region_from, self.region_to) if r]


@dataclass(slots=True)
class Dependency:
    """A precedence relation ``predecessor → successor`` with a lag (slots).

    With ``S``/``E`` the start and (exclusive) end slot of an activity:

    * ``FS``: ``S(succ) >= E(pred) + lag``
    * ``SS``: ``S(succ) >= S(pred) + lag``
    * ``FF``: ``E(succ) >= E(pred) + lag``
    * ``SF``: ``E(succ) >= S(pred) + lag``

    A negative lag is a lead. ``max_lag``, when given, bounds the same
    difference from above (RCPSP/max), e.g. ``FS``: ``S(succ) <= E(pred) + max_lag``.

    Raises
    ------
    ValueError
        On an unknown type, a self-loop, or ``max_lag < lag``.
    """

    predecessor: str
    successor: str
    type: DependencyType = "FS"
    lag: int = 0
    max_lag: int | None = None
    source_row: int | None = None
    place: Place | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.type not in DEPENDENCY_TYPES:
            raise ValueError(f"unknown dependency type {self.type!r}; use FS, SS, FF or SF")
        if self.predecessor == self.successor:
            raise ValueError(f"activity {self.predecessor!r} depends on itself")
        if self.max_lag is not None and self.max_lag < self.lag:
            raise ValueError(
                f"{self.predecessor}->{self.successor}: max_lag {self.max_lag} < lag {self.lag}"
            )

    def start_distance(self, d_pred: int, d_succ: int) -> int:
        """Least ``S(succ) - S(pred)`` (slots) this dependency allows.

        With ``d_p``, ``d_s`` the durations, each type is one bound on the starts::

            FS: S(s) >= E(p) + lag  <=>  S(s) - S(p) >= d_p + lag
            SS: S(s) >= S(p) + lag  <=>  S(s) - S(p) >= lag
            FF: E(s) >= E(p) + lag  <=>  S(s) - S(p) >= d_p - d_s + lag
            SF: E(s) >= S(p) + lag  <=>  S(s) - S(p) >= lag - d_s

        ``max_lag`` bounds the same difference from above at
        ``start_distance + (max_lag - lag)``. :class:`scheduler.graph.Edge` is built
        from it, for CPM, the solver and the checks alike.
        """
        return self.lag + (d_pred if self.from_end else 0) - (d_succ if self.to_end else 0)

    @property
    def from_end(self) -> bool:
        """True when the predecessor's end (not start) anchors the relation (FS, FF)."""
        return self.type in ("FS", "FF")

    @property
    def to_end(self) -> bool:
        """True when the successor's end (not start) is constrained (FF, SF)."""
        return self.type in ("FF", "SF")


@dataclass(slots=True)
class Resource:
    """A renewable resource (crew, machine) with a capacity per slot.

    ``capacity_changes`` optionally lists ``(from_slot, capacity)`` steps that
    replace ``capacity`` from that slot on (time-varying capacity).
    ``region`` is empty for a national resource.
    """

    id: str
    capacity: int
    name: str = ""
    region: str = ""
    unit: str = ""
    capacity_changes: list[tuple[int, int]] = field(default_factory=list)
    place: Place | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise ValueError(f"resource {self.id!r}: capacity {self.capacity} is negative")

    def capacity_at(self, slot: int) -> int:
        """Capacity available at grid slot ``slot``."""
        cap = self.capacity
        for start, value in self.capacity_changes:
            if slot >= start:
                cap = value
        return cap

    @property
    def max_capacity(self) -> int:
        """Largest capacity over time."""
        return max([self.capacity, *(c for _, c in self.capacity_changes)])


@dataclass(slots=True)
class Demand:
    """``amount`` units of ``resource`` used by ``activity`` on each slot it runs."""

    activity: str
    resource: str
    amount: int
    source_row: int | None = None
    place: Place | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"demand {self.activity}/{self.resource}: amount is negative")


@dataclass(slots=True)
class BudgetPeriod:
    """A spending cap over grid slots ``[start, end)``.

    ``cap`` is in integer money units (1/MONEY_SCALE of 100M KRW). ``label`` is
    what people read (``"FY2027"`` or ``"2027-01-01..2027-06-30"``).
    """

    label: str
    start: int
    end: int
    cap: int
    first_day: date | None = None
    last_day: date | None = None
    source_row: int | None = None
    place: Place | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"budget {self.label}: period ends before it starts")
        if self.cap < 0:
            raise ValueError(f"budget {self.label}: cap is negative")


def blackout_scope_keys(activity: Activity) -> set[str]:
    """The blackout scopes that reach ``activity``: its sector, its id and its regions.

    The one rule of blackout scope matching: a :class:`Blackout` applies to an
    activity when its ``scope`` is in this set (:meth:`Plan.blackouts_of`,
    :meth:`Plan.blackout_hits`). Empty fields are left out.
    """
    keys = {activity.sector, activity.id, *activity.regions}
    keys.discard("")
    return keys


@dataclass(slots=True)
class Blackout:
    """A window ``[start, end)`` of slots in which activities of ``scope`` may not run.

    ``scope`` is a sector name, an activity id or a region id
    (:func:`blackout_scope_keys`). Milestones are not affected (they take no time).
    """

    scope: str
    start: int
    end: int
    reason: str = ""
    first_day: date | None = None
    last_day: date | None = None
    source_row: int | None = None
    place: Place | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class Plan:
    """A whole plan, ready for CPM and the solver.

    Parameters
    ----------
    name
        Plan name (may be Korean).
    grid
        The time grid; ``grid.horizon`` is the number of slots every activity must end within.
    activities, dependencies, resources, demands, budgets, blackouts, regions
        The tables of SPEC §3, already converted to integers.
    objectives
        Names from :data:`OBJECTIVES`, applied lexicographically in order.
    time_limit_s
        Default solver time limit in seconds (from the Settings sheet).
    repeatable
        Default for repeatable solves (from the Settings sheet; see
        :class:`scheduler.solver.SolveOptions`).
    warnings
        Non-blocking issues found while reading (kept for the report's Issues sheet).
    uncertainty
        Three-point estimates and risk events for schedule risk analysis, or None.
    data_date
        Slot of the data date (P6's, MS Project's status date): work before it is
        history (:attr:`Activity.progress`), nothing unstarted starts before it. None
        for a plan with no progress.
    out_of_sequence
        One of :data:`OUT_OF_SEQUENCE` (default ``retained_logic``, as P6).
    baseline
        The approved schedule this plan is re-planned against (``infraplan plan
        --baseline``, the API's ``baseline_schedule_id``), or None. With one, the
        ``stability`` objective follows the plan's own (:func:`resolve_objectives`).
    calendars
        The calendars and hour counts of a plan read from a file that carries them
        (P6 XER), or None: its logic CPM is then computed in hours on each activity's
        own calendar (:mod:`scheduler.calendar_cpm`) while it still describes the plan.
    """

    name: str
    grid: TimeGrid
    activities: list[Activity]
    dependencies: list[Dependency] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    demands: list[Demand] = field(default_factory=list)
    budgets: list[BudgetPeriod] = field(default_factory=list)
    blackouts: list[Blackout] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    objectives: list[str] = field(default_factory=lambda: ["makespan"])
    time_limit_s: float = 30.0
    warnings: list[Issue] = field(default_factory=list)
    repeatable: bool = False
    uncertainty: Uncertainty | None = None
    data_date: int | None = None
    out_of_sequence: str = "retained_logic"
    baseline: Baseline | None = None
    calendars: FileCalendars | None = field(default=None, compare=False, repr=False)

    # -- lookups ---------------------------------------------------------------------------
    @property
    def horizon(self) -> int:
        """Slots in the horizon (``grid.horizon``)."""
        return self.grid.horizon

    @property
    def plan_start(self) -> date:
        """First day of the plan."""
        return self.grid.plan_start

    def activity_index(self) -> dict[str, int]:
        """Map activity id → position in :attr:`activities`."""
        return {a.id: i for i, a in enumerate(self.activities)}

    def demands_of(self) -> dict[str, list[Demand]]:
        """Map activity id → its demands (activities without demands absent)."""
        out: dict[str, list[Demand]] = {}
        for d in self.demands:
            out.setdefault(d.activity, []).append(d)
        return out

    def blackouts_of(self, activity: Activity) -> list[Blackout]:
        """Blackouts whose scope is the activity's sector, id, or one of its regions."""
        keys = blackout_scope_keys(activity)
        return [b for b in self.blackouts if b.scope in keys]

    def blackout_hits(self) -> list[list[int]]:
        """Per activity (plan order), the positions in :attr:`blackouts` that reach it.

        Same rule as :meth:`blackouts_of` (:func:`blackout_scope_keys`), indexed once:
        O(activities + blackouts). Each list is sorted.
        """
        by_scope: dict[str, list[int]] = {}
        for b, bo in enumerate(self.blackouts):
            by_scope.setdefault(bo.scope, []).append(b)
        return [
            sorted({b for key in blackout_scope_keys(a) for b in by_scope.get(key, [])})
            for a in self.activities
        ]

    def check(self) -> None:
        """Cross-check ids and values.

        Raises
        ------
        ValueError
            On duplicate ids, a dependency or demand naming an unknown activity or
            resource, a demand above capacity, or a milestone with a demand.
        """
        ids = [a.id for a in self.activities]
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                raise ValueError(f"duplicate activity id {i!r}")
            seen.add(i)
        for dep in self.dependencies:
            for end in (dep.predecessor, dep.successor):
                if end not in seen:
                    raise ValueError(f"dependency names unknown activity {end!r}")
        res = {r.id: r for r in self.resources}
        dur = {a.id: a.duration for a in self.activities}
        for d in self.demands:
            if d.activity not in seen:
                raise ValueError(f"demand names unknown activity {d.activity!r}")
            if d.resource not in res:
                raise ValueError(f"demand names unknown resource {d.resource!r}")
            if d.amount > res[d.resource].max_capacity:
                raise ValueError(
                    f"activity {d.activity!r} demands {d.amount} of {d.resource!r}, "
                    f"above its capacity {res[d.resource].max_capacity}"
                )
            if dur[d.activity] == 0 and d.amount > 0:
                raise ValueError(f"milestone {d.activity!r} may not demand a resource")

    @staticmethod
    def dependency_pairs(deps: Iterable[Dependency]) -> list[tuple[str, str]]:
        """``(predecessor, successor)`` pairs, e.g. for graph building."""
        return [(d.predecessor, d.successor) for d in deps]


def resolve_objectives(plan: Plan, requested: Sequence[str] | None = None) -> list[str]:
    """The objectives a solve of ``plan`` applies, lexicographically (SPEC §5, §10).

    ``requested`` (the command line's ``--objective``, the API's ``objective``), else the
    plan's own (Settings), else ``makespan``. With a baseline (:attr:`Plan.baseline`),
    ``stability`` is appended when it is not named, so the default is ``makespan,
    stability``: an update keeps the plan's objective first and then moves only what it
    must; naming ``stability`` puts it where it is named (alone, or first).

    Raises
    ------
    ValueError
        On an unknown name, or ``stability`` without a baseline.
    """
    names = list(dict.fromkeys(requested or plan.objectives or ["makespan"]))
    for name in names:
        if name not in OBJECTIVES:
            raise ValueError(f"unknown objective {name!r}; use one of {', '.join(OBJECTIVES)}")
    if plan.baseline is None:
        if "stability" in names:
            raise ValueError(
                "the stability objective needs a baseline: give the schedule JSON to keep "
                "to (infraplan plan FILE --baseline PREV.json, or baseline_schedule_id)"
            )
    elif "stability" not in names:
        names.append("stability")
    return names
