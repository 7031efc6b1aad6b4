"""Schedule health check: the DCMA 14-point assessment (SPEC §10, issue 10 item 4).

Source: Defense Contract Management Agency, *Earned Value Management System (EVMS)
Program Analysis Pamphlet*, DCMA-EA PAM 200.1 (October 2012), the "14 Point Schedule
Metrics" (first issued in 2009 as the DCMA 14-Point Assessment), with the thresholds
it publishes. :func:`assess` is pure: it reads a :class:`~scheduler.model.Plan` (and
an optional baseline) and returns a :class:`HealthCheck`; nothing is solved.

**Who is counted.** As DCMA: the checks count **incomplete activities** (every
activity not complete: by :attr:`Activity.progress_status`, or for a P6 / MS Project
file read before progress was modelled, its ``extra["status"]`` ``TK_Complete`` /
``complete``). Summary and level-of-effort tasks are not in the plan (the readers do
not plan them), so they are never counted. Relationships (checks 2–4) are those
**into** an incomplete activity (its predecessor relationships, as DCMA tools count
them: Deltek Acumen "incomplete tasks that have … in predecessor relationships").
Durations, floats and lags are grid slots: the plan's working days (days on a
``calendar`` plan, where every day works), so "44 working days" is 44 slots.

The checks (``threshold`` as published; ``percent = 100 × count / total``):

== ====================== ============================================== ============
id name                   count (of total)                               passes when
== ====================== ============================================== ============
1  Logic                  incomplete activities without a predecessor or ≤ 5 %
                          without a successor (of incomplete activities)
2  Leads                  relationships with a negative lag              0
3  Lags                   relationships with a positive lag              ≤ 5 %
4  Relationship types     relationships that are finish-to-start         ≥ 90 %
5  Hard constraints       incomplete activities with a hard constraint   ≤ 5 %
                          (must start on, must finish on, start no later
                          than, finish no later than; P6 ``CS_MSO``,
                          ``CS_MEO``, ``CS_MSOB``, ``CS_MEOB``,
                          ``CS_MANDSTART``, ``CS_MANDFIN``; MSPDI
                          ConstraintType 2, 3, 5, 7)
6  High float             incomplete activities with total float > 44    ≤ 5 %
7  Negative float         incomplete activities with total float < 0     0
8  High duration          incomplete activities with a baseline duration ≤ 5 %
                          > 44 (of incomplete non-milestones)
9  Invalid dates          activities with a forecast date before the     0
                          data date (incomplete) or an actual date after
                          it (of all activities)
10 Resources              incomplete activities of 1 slot or more        0 (DCMA sets
                          without a resource (of those activities)       no share)
11 Missed tasks           baseline activities due before the data date   ≤ 5 %
                          that are not complete or finished later than
                          their baseline finish (needs a baseline)
12 Critical path test     slots the finish moves when a critical         moves by
                          incomplete activity is made longer by           the delay
                          :data:`CP_TEST_DELAY`
13 CPLI                   ``(CPL + TF) / CPL``                           ≥ 0.95
14 BEI                    complete activities / baseline activities due  ≥ 0.95
                          before the data date, plus complete ones the
                          baseline lacks on both sides (needs a baseline)
== ====================== ============================================== ============

Sources of each figure:

* Relationship **type and lag as the file wrote them** (``Activity.extra["links"]``
  of the P6 / MS Project readers: a completed predecessor's lag that the plan drops,
  a fractional lead the plan rounds to 0), else the plan's dependencies.
* **Constraint** types as written (``extra["constraint"]``, ``"constraint2"``); an
  activity of our workbook has a hard constraint when it has a ``fixed_start`` (must
  start on) or a ``due`` (finish no later than); ``release`` is soft (start no earlier
  than), as is a P6 ``CS_MSOA`` / ``CS_MEOA`` / ``CS_ALAP``.
* **Floats** are this plan's logic CPM (:func:`scheduler.cpm.compute_cpm`, of the
  remaining plan when it has progress: :func:`scheduler.progress.remaining_plan`; for
  a plan that carries its file's calendars, P6 XER, the hour CPM of
  :mod:`scheduler.calendar_cpm`, floats in whole days of each activity's calendar
  rounded down).
* **Baseline duration** (check 8): the baseline's duration when a baseline is given
  and has the activity, else the file's original duration (``extra["original_days"]``:
  P6 Original Duration, MSPDI ``Duration``), else the plan's.
* **Dates** (check 9): actual dates from :attr:`Activity.progress`
  (:func:`scheduler.progress.progress_problems`) and, for files, ``extra``
  ``actual_start`` / ``actual_finish`` (date and time: one after 00:00 of the data
  date's day is after the data date, that slot being the first day not yet history;
  P6's "2025-08-29 00:00" finish on a 2025-08-29 00:00 data date is not);
  forecasts are the tool's early dates (``extra`` ``tool_early_start`` for activities
  not started, ``tool_early_finish``), else this plan's CPM (never before the data
  date). The data date is :attr:`Plan.data_date` (slot), else the plan start (the
  P6 and MS Project readers start a progressed plan on its data date).
* **Missed tasks and BEI** (11, 14): a baseline activity is due when its baseline
  finish is before the data date (exclusive end slot ≤ data date). BEI = complete
  activities / baseline activities due, a complete activity that the baseline does not
  have counted on both sides (PAM 200.1, 2012: "tasks completed / tasks with a baseline
  finish on or before the status date + tasks missing a baseline finish"). An actual
  finish comes from the progress, else ``extra["actual_finish"]``.
* **CPLI** (13): ``CPL`` = slots from the data date to the forecast finish, ``TF`` =
  slots from the forecast finish to the deadline, so ``CPLI = (deadline - data date) /
  (forecast finish - data date)``. With a baseline the deadline is the baseline's
  finish and the forecast the plan's logic finish; without, the deadline is the finish
  date constraint (``due``, ``deadline``, or a raw finish-no-later-than / must-finish-on
  date) of the
  latest-finishing activity that has one, and the forecast is that activity's early
  finish. No deadline: not applicable. **Which network**: a DCMA auditor reads the
  forecast finish the schedule presents. Given the solved plan (``solved_ends``: the
  report, which has it), that is the solved (leveled) finish — crews, budget caps and
  blackouts included — and CPLI is computed on it, the logic network's value given
  beside it in the note; without one (``infraplan check``, ``GET
  /plans/{id}/check``: nothing is solved), CPLI is on the logic network
  (dependencies, durations, constraints, as P6's float), and the note says so. The
  check's JSON carries ``basis``: ``"solved plan (leveled)"`` or ``"logic network"``.

``passed`` is None where a check cannot apply: 11 and 14 without a baseline (or with
no baseline activity due yet), 13 without a deadline, 12 without an incomplete
critical activity, and a check whose total is 0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from scheduler.cpm import compute_cpm
from scheduler.model import Activity, Baseline, Plan
from scheduler.solution import CpmResult
from scheduler.timegrid import TimeGrid

__all__ = [
    "CP_TEST_DELAY",
    "HARD_CONSTRAINTS",
    "HIGH_DAYS",
    "MAX_LISTED",
    "BaselineDates",
    "Check",
    "HealthCheck",
    "assess",
    "baseline_with_history",
]

log = logging.getLogger(__name__)

#: Float and duration above this many working days (slots) are "high" (checks 6, 8).
HIGH_DAYS = 44
#: Slots added to a critical activity by the critical path test (check 12): DCMA's
#: "intentionally unrealistic" delay (600 working days).
CP_TEST_DELAY = 600
#: Most activity ids (and relationships) a check lists; ``activities_count`` has them all.
MAX_LISTED = 50
#: Hard constraint types as the files write them (DCMA: must start on, must finish on,
#: start no later than, finish no later than). P6: ``cstr_type``; MSPDI: ConstraintType.
HARD_CONSTRAINTS = frozenset(
    {"CS_MSO", "CS_MEO", "CS_MSOB", "CS_MEOB", "CS_MANDSTART", "CS_MANDFIN", "2", "3", "5", "7"}
)
#: Finish constraints whose date is a deadline for the CPLI (P6 and MSPDI codes).
_FINISH_DEADLINES = frozenset({"CS_MEOB", "CS_MEO", "CS_MANDFIN", "3", "7"})
#: ``extra["status"]`` of a complete activity as the P6 and MS Project readers keep it.
_COMPLETE_STATUS = frozenset({"TK_Complete", "complete"})


class BaselineDates(Protocol):
    """What the health check needs of a baseline (:class:`scheduler.model.Baseline`).

    ``ends``: activity id → baseline exclusive end slot on the plan's grid; ``finish``:
    the baseline's exclusive finish slot; ``durations``: activity id → baseline
    duration (slots); ``name``: what the baseline is called.
    """

    @property
    def ends(self) -> Mapping[str, int]: ...  # pragma: no cover - a protocol

    @property
    def finish(self) -> int: ...  # pragma: no cover

    @property
    def durations(self) -> Mapping[str, int]: ...  # pragma: no cover

    @property
    def name(self) -> str: ...  # pragma: no cover


@dataclass(slots=True)
class Check:
    """One of the 14 checks.

    Attributes
    ----------
    id, name
        1–14 and the DCMA name.
    count, total
        What is counted and out of how many (None when the check cannot apply); for
        CPLI ``count = CPL + TF`` and ``total = CPL`` (slots), for the critical path
        test the slots the finish moved and the delay.
    percent
        ``100 × count / total`` rounded to 2 decimals (None when ``total`` is 0 or None).
    threshold
        The published threshold, as text (``"<= 5%"``, ``"0"``, ``">= 90%"``,
        ``">= 0.95"``).
    passed
        True / False, or None when the check cannot apply.
    activities
        The activity ids it flags, at most :data:`MAX_LISTED`; ``activities_count`` is
        how many there are in all.
    value
        The index of checks 13 and 14 (rounded to 3 decimals), else None.
    relationships
        Checks 2–4: the flagged relationships ``(predecessor, successor, type, lag
        days)``, at most :data:`MAX_LISTED`.
    note
        One sentence: what was measured, or why the check cannot apply.
    basis
        Check 13: the network its dates come from (``"logic network"`` or ``"solved
        plan (leveled)"``); ``""`` for the others.
    """

    id: int
    name: str
    count: int | None
    total: int | None
    threshold: str
    passed: bool | None
    activities: list[str] = field(default_factory=list)
    activities_count: int = 0
    value: float | None = None
    relationships: list[tuple[str, str, str, float]] = field(default_factory=list)
    note: str = ""
    basis: str = ""

    @property
    def percent(self) -> float | None:
        """``100 × count / total``, 2 decimals; None without a count or a total."""
        if self.count is None or not self.total:
            return None
        return round(100 * self.count / self.total, 2)

    def to_json(self) -> dict[str, Any]:
        """The check as the ``checks`` entry of :meth:`HealthCheck.to_json`."""
        doc: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "count": self.count,
            "total": self.total,
            "percent": self.percent,
            "threshold": self.threshold,
            "passed": self.passed,
            "value": self.value,
            "activities": list(self.activities),
            "activities_count": self.activities_count,
            "note": self.note,
        }
        if self.id == 13:
            doc["basis"] = self.basis
        if self.id in (2, 3, 4):
            doc["relationships"] = [
                {"predecessor": p, "successor": s, "type": t, "lag_days": round(lag, 3)}
                for p, s, t, lag in self.relationships
            ]
        return doc


@dataclass(slots=True)
class HealthCheck:
    """The DCMA 14-point assessment of one plan (:func:`assess`).

    ``data_date`` is the date the checks measure against; ``baseline`` the baseline's
    name, or None; ``checks`` the 14 :class:`Check` in order.
    """

    plan_name: str
    data_date: date
    baseline: str | None
    checks: list[Check]

    @property
    def passed(self) -> int:
        """Checks that passed."""
        return sum(c.passed is True for c in self.checks)

    @property
    def failed(self) -> int:
        """Checks that failed."""
        return sum(c.passed is False for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        """``{"plan_name", "data_date", "baseline", "passed", "failed",
        "not_applicable", "checks": [14 entries]}`` (the ``infraplan check --json`` and
        ``GET /plans/{id}/check`` document)."""
        return {
            "plan_name": self.plan_name,
            "data_date": self.data_date.isoformat(),
            "baseline": self.baseline,
            "passed": self.passed,
            "failed": self.failed,
            "not_applicable": len(self.checks) - self.passed - self.failed,
            "checks": [c.to_json() for c in self.checks],
        }


def baseline_with_history(
    read: Callable[[Plan], Baseline], plan: Plan, baseline_start: date | None
) -> Baseline:
    """A baseline of ``plan`` whose dates before the plan's start are kept (negative slots).

    :mod:`scheduler.baseline` reads a baseline onto the plan's grid and refuses a date
    before its start; a P6 or MS Project plan starts on its data date, so every finish
    that missed tasks and BEI look at is before it. ``read`` (e.g. ``lambda p:
    read_baseline(path, p)``) is then run on the plan moved to a grid of the same
    calendar from ``baseline_start`` (the baseline document's ``plan_start``), and the
    slots are shifted back onto the plan's grid.

    Raises
    ------
    InvalidPlanError
        As ``read``.
    """
    grid = plan.grid
    if baseline_start is None or baseline_start >= grid.plan_start:
        return read(plan)
    early = TimeGrid(
        baseline_start,
        grid.kind,
        grid.horizon_months + (grid.plan_start - baseline_start).days // 28 + 1,
        workweek=grid.workweek,
        holidays_extra=grid.holidays_extra,
        workdays_extra=grid.workdays_extra,
    )
    zero = early.slot_on_or_after(grid.plan_start)
    got = read(replace(plan, grid=early))
    return replace(
        got,
        starts={i: t - zero for i, t in got.starts.items()},
        ends={i: t - zero for i, t in got.ends.items()},
        finish=got.finish - zero,
    )


# -- population --------------------------------------------------------------------------
def is_complete(a: Activity) -> bool:
    """True when the activity is complete (its progress, or the file's own status)."""
    return a.progress_status == "complete" or a.extra.get("status") in _COMPLETE_STATUS


def _links(plan: Plan) -> list[tuple[str, str, str, float]]:
    """Every relationship ``(predecessor, successor, type, lag days)`` as the file had it.

    An activity with ``extra["links"]`` (P6 / MS Project readers) gives its own
    predecessor relationships, unrounded; the others come from the plan's dependencies.
    """
    raw: dict[str, list[tuple[str, str, str, float]]] = {}
    for a in plan.activities:
        links = a.extra.get("links")
        if isinstance(links, list):
            raw[a.id] = [(str(p), a.id, str(t), float(lag)) for p, t, lag in links]
    out = [link for links in raw.values() for link in links]
    out += [
        (d.predecessor, d.successor, d.type, float(d.lag))
        for d in plan.dependencies
        if d.successor not in raw
    ]
    return out


def _constraints(a: Activity) -> list[str]:
    """The activity's constraint types: as the file wrote them, else from the model.

    A workbook activity: ``fixed_start`` → ``"MSO"`` (hard), ``due`` or ``deadline``
    → ``"FNLT"`` (hard), ``release`` → ``"SNET"`` (soft). A P6 / MS Project activity without a
    written constraint has none (its ``due`` may be an MS Project deadline).
    """
    written = [str(a.extra[k]) for k in ("constraint", "constraint2") if a.extra.get(k)]
    if written or "status" in a.extra:
        return written
    out = []
    if a.fixed_start is not None:
        out.append("MSO")
    if a.due is not None or a.deadline is not None:
        out.append("FNLT")
    if a.release is not None:
        out.append("SNET")
    return out


def _is_hard(ctype: str) -> bool:
    return ctype in HARD_CONSTRAINTS or ctype in ("MSO", "FNLT")


def _iso_day(value: object) -> date | None:
    """A date from an ISO text in ``extra`` (None if absent, unreadable or year 1)."""
    if not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return None if day.year <= 1 else day


def _moment(value: object) -> datetime | None:
    """A date and time from an ISO text in ``extra`` (a bare date is its 00:00)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if moment.year <= 1 else moment


def _last_day(value: object) -> date | None:
    """The last day worked of an actual finish in ``extra``: 00:00 ends the day before."""
    moment = _moment(value)
    if moment is None:
        return None
    if isinstance(value, str) and len(value) <= 10:
        return moment.date()
    return (moment - timedelta(microseconds=1)).date()


def _listed(ids: Sequence[str]) -> tuple[list[str], int]:
    """Ids in order without repeats, at most :data:`MAX_LISTED`, and how many in all."""
    unique = list(dict.fromkeys(ids))
    return unique[:MAX_LISTED], len(unique)


def _share_check(
    cid: int,
    name: str,
    flagged: Sequence[str],
    total: int,
    *,
    limit_percent: float,
    note: str,
) -> Check:
    """A "count ≤ limit % of total" check (``limit_percent`` 0: none allowed)."""
    listed, n = _listed(flagged)
    count = len(flagged)
    if total == 0:
        passed = None
        note = f"nothing to count: {note}"
    else:
        passed = count * 100 <= limit_percent * total
    threshold = "0" if limit_percent == 0 else f"<= {limit_percent:g}%"
    return Check(cid, name, count, total, threshold, passed, listed, n, note=note)


# -- the assessment ----------------------------------------------------------------------
def assess(
    plan: Plan,
    baseline: BaselineDates | None = None,
    cpm: CpmResult | None = None,
    solved_ends: Mapping[str, int] | None = None,
) -> HealthCheck:
    """The DCMA 14-point assessment of ``plan`` (DCMA-EA PAM 200.1; rules: module doc).

    Parameters
    ----------
    plan
        The plan (grid slots), progressed or not.
    baseline
        The approved schedule (slots on ``plan``'s grid: :class:`scheduler.model.Baseline`
        from :func:`scheduler.baseline.read_baseline`), or None: checks 11 and 14 then
        cannot apply, nor 13 unless the plan has a deadline.
    cpm
        The plan's logic CPM when the caller has it (of the remaining plan when the plan
        has progress); computed here otherwise.
    solved_ends
        Activity id → exclusive end slot in the solved (leveled) plan, when there is
        one: CPLI (check 13) is then computed on the solved finish (module doc).

    Returns
    -------
    HealthCheck
        The 14 checks in order, each with its count, total, threshold, verdict and the
        ids it flags.

    Raises
    ------
    scheduler.graph.CycleError
        When the plan's ``max_lag`` constraints admit no early dates (as CPM).
    """
    work = _remaining(plan)
    if cpm is None:
        cpm = _logic_cpm(plan, work)
    grid = plan.grid
    dd = plan.data_date if plan.data_date is not None else 0
    dd_day = grid.date_of(dd)
    acts = plan.activities
    open_acts = [a for a in acts if not is_complete(a)]
    open_ids = {a.id for a in open_acts}
    n_open = len(open_acts)

    # 1 logic
    has_pred = {d.successor for d in plan.dependencies}
    has_succ = {d.predecessor for d in plan.dependencies}
    no_logic = [a.id for a in open_acts if a.id not in has_pred or a.id not in has_succ]
    checks = [
        _share_check(
            1,
            "Logic",
            no_logic,
            n_open,
            limit_percent=5,
            note="incomplete activities without a predecessor or a successor",
        )
    ]

    # 2-4 relationships into incomplete activities
    links = [link for link in _links(plan) if link[1] in open_ids]
    eps = 1e-9
    leads = [link for link in links if link[3] < -eps]
    lags = [link for link in links if link[3] > eps]
    not_fs = [link for link in links if link[2] != "FS"]
    for cid, name, flagged, limit, what in (
        (2, "Leads", leads, 0.0, "relationships with a lead (negative lag)"),
        (3, "Lags", lags, 5.0, "relationships with a positive lag"),
    ):
        c = _share_check(
            cid,
            name,
            [s for _, s, _, _ in flagged],
            len(links),
            limit_percent=limit,
            note=f"{what}, of the relationships into incomplete activities",
        )
        c.count = len(flagged)
        c.relationships = list(flagged[:MAX_LISTED])
        if c.total:
            c.passed = c.count * 100 <= limit * c.total
        checks.append(c)
    fs = len(links) - len(not_fs)
    listed, n = _listed([s for _, s, _, _ in not_fs])
    checks.append(
        Check(
            4,
            "Relationship types",
            fs,
            len(links),
            ">= 90%",
            (fs * 100 >= 90 * len(links)) if links else None,
            listed,
            n,
            relationships=list(not_fs[:MAX_LISTED]),
            note="finish-to-start relationships, of the relationships into incomplete "
            "activities; the activities listed have an SS, FF or SF predecessor",
        )
    )

    # 5 hard constraints
    hard = [a.id for a in open_acts if any(_is_hard(c) for c in _constraints(a))]
    checks.append(
        _share_check(
            5,
            "Hard constraints",
            hard,
            n_open,
            limit_percent=5,
            note="incomplete activities with a must start on, must finish on, start no "
            "later than or finish no later than constraint",
        )
    )

    # 6, 7 floats
    tf = {i: t.total_float for i, t in cpm.times.items()}
    checks.append(
        _share_check(
            6,
            "High float",
            [a.id for a in open_acts if tf.get(a.id, 0) > HIGH_DAYS],
            n_open,
            limit_percent=5,
            note=f"incomplete activities with a total float above {HIGH_DAYS} working days",
        )
    )
    checks.append(
        _share_check(
            7,
            "Negative float",
            [a.id for a in open_acts if tf.get(a.id, 0) < 0],
            n_open,
            limit_percent=0,
            note="incomplete activities with a negative total float",
        )
    )

    # 8 high duration
    tasks = [a for a in open_acts if _baseline_duration(a, baseline) > 0]
    checks.append(
        _share_check(
            8,
            "High duration",
            [a.id for a in tasks if _baseline_duration(a, baseline) > HIGH_DAYS + eps],
            len(tasks),
            limit_percent=5,
            note=f"incomplete activities with a baseline duration above {HIGH_DAYS} "
            "working days, of the incomplete activities that are not milestones",
        )
    )

    # 9 invalid dates
    checks.append(
        _share_check(
            9,
            "Invalid dates",
            _invalid_dates(plan, cpm, dd, dd_day),
            len(acts),
            limit_percent=0,
            note=f"forecast dates before the data date {dd_day} (incomplete activities) "
            "or actual dates after it, of all activities",
        )
    )

    # 10 resources
    loaded = {d.activity for d in plan.demands if d.amount > 0}
    # an activity in progress counts its remaining work (P6's remaining duration)
    long_open = [
        a
        for a in open_acts
        if (a.progress.remaining if a.progress and a.progress.remaining is not None else a.duration)
        >= 1
    ]
    c10 = _share_check(
        10,
        "Resources",
        [a.id for a in long_open if a.id not in loaded],
        len(long_open),
        limit_percent=0,
        note="incomplete activities of a day or more without a resource; DCMA publishes "
        "no share, every one is reviewed",
    )
    checks.append(c10)

    # 11 missed tasks, 14 BEI
    checks += _baseline_checks(plan, baseline, dd, dd_day)
    # 12 critical path test
    checks.insert(11, _critical_path_test(work, cpm, open_ids))
    # 13 CPLI
    checks.insert(12, _cpli(plan, cpm, baseline, dd, solved_ends))
    return HealthCheck(plan.name, dd_day, baseline.name if baseline else None, checks)


def _logic_cpm(plan: Plan, work: Plan) -> CpmResult:
    """The logic CPM of the remaining plan ``work``: in hours on each activity's own
    calendar when ``plan`` carries its file's calendars (:mod:`scheduler.calendar_cpm`,
    P6's floats), else :func:`scheduler.cpm.compute_cpm` of ``work``."""
    from scheduler.calendar_cpm import calendar_cpm, describes
    from scheduler.progress import progress_problems

    hours = plan.calendars
    if hours is not None and describes(hours, plan) and not progress_problems(plan):
        try:
            return calendar_cpm(plan).result(plan.grid, hours, remaining=True)
        except ValueError:
            pass  # a cycle or a calendar without work: the day grid below
    return compute_cpm(work)


def _remaining(plan: Plan) -> Plan:
    """The remaining plan of a progressed plan (P6 rules), else the plan itself."""
    if plan.data_date is None and all(a.progress is None for a in plan.activities):
        return plan
    from scheduler.progress import progress_problems, remaining_plan

    if progress_problems(plan):  # counted by check 9; CPM then ignores the progress
        return replace(
            plan,
            activities=[replace(a, progress=None) for a in plan.activities],
            data_date=None,
        )
    return remaining_plan(plan)[0]


def _baseline_duration(a: Activity, baseline: BaselineDates | None) -> float:
    """Baseline duration of an activity (slots): the baseline's, the file's, the plan's."""
    if baseline is not None and a.id in baseline.durations:
        return float(baseline.durations[a.id])
    original = a.extra.get("original_days")
    if isinstance(original, (int, float)):
        return float(original)
    return float(a.duration)


def _invalid_dates(plan: Plan, cpm: CpmResult, dd: int, dd_day: date) -> list[str]:
    """Ids with a forecast before the data date or an actual after it (check 9)."""
    from scheduler.progress import progress_problems

    grid = plan.grid
    bad = [p.activity for p in progress_problems(plan) if p.field != "remaining"]
    history_ends = datetime.combine(dd_day, time())
    for a in plan.activities:
        for key in ("actual_start", "actual_finish"):
            moment = _moment(a.extra.get(key))
            if moment is not None and moment > history_ends:
                bad.append(a.id)
        if is_complete(a):
            continue
        started = a.progress_status == "in_progress" or "actual_start" in a.extra
        t = cpm.times.get(a.id)
        start = _iso_day(a.extra.get("tool_early_start"))
        finish = _iso_day(a.extra.get("tool_early_finish"))
        if start is None and t is not None:
            start = grid.date_of(t.es)
        if finish is None and t is not None:
            finish = grid.finish_date(t.es, t.ef) if t.ef > t.es else grid.date_of(t.es)
        if (not started and start is not None and start < dd_day) or (
            finish is not None and finish < dd_day
        ):
            bad.append(a.id)
    order = {a.id: k for k, a in enumerate(plan.activities)}
    return sorted(set(bad), key=lambda i: order.get(i, len(order)))


def _actual_finish_day(plan: Plan, a: Activity) -> date | None:
    """Last day worked: the progress's actual finish, else the file's actual finish date."""
    if a.progress is not None and a.progress.actual_finish is not None:
        return plan.grid.date_of(a.progress.actual_finish - 1)
    return _last_day(a.extra.get("actual_finish"))


def _baseline_checks(
    plan: Plan, baseline: BaselineDates | None, dd: int, dd_day: date
) -> list[Check]:
    """Checks 11 (missed tasks) and 14 (BEI), against the baseline's finishes."""
    if baseline is None:
        why = "needs a baseline (--baseline PREV.json)"
        return [
            Check(11, "Missed tasks", None, None, "<= 5%", None, note=why),
            Check(14, "BEI", None, None, ">= 0.95", None, note=why),
        ]
    by_id = {a.id: a for a in plan.activities}
    due = [i for i, end in baseline.ends.items() if i in by_id and end <= dd]
    missed = []
    for i in due:
        a = by_id[i]
        finished = _actual_finish_day(plan, a)
        late = finished is not None and finished > plan.grid.date_of(baseline.ends[i] - 1)
        if not is_complete(a) or late:
            missed.append(i)
    order = {a.id: k for k, a in enumerate(plan.activities)}
    missed.sort(key=order.__getitem__)
    done = [a.id for a in plan.activities if a.id in baseline.ends and is_complete(a)]
    # PAM 200.1 (2012): complete activities without a baseline finish count on both sides
    unplanned = [a.id for a in plan.activities if a.id not in baseline.ends and is_complete(a)]
    m = _share_check(
        11,
        "Missed tasks",
        missed,
        len(due),
        limit_percent=5,
        note=f"baseline activities due before the data date {dd_day} that are not "
        "complete or finished after their baseline finish",
    )
    if not due:
        m.passed = None
        m.note = f"no baseline activity was due before the data date {dd_day}"
    done_n, due_n = len(done) + len(unplanned), len(due) + len(unplanned)
    bei = Check(
        14,
        "BEI",
        done_n,
        due_n,
        ">= 0.95",
        None,
        note="complete activities / baseline activities due before the data date "
        f"{dd_day}, both with the {len(unplanned)} complete activities the baseline "
        "does not have",
    )
    if due_n:
        bei.value = round(done_n / due_n, 3)
        bei.passed = done_n * 100 >= 95 * due_n
    else:
        bei.note = f"no baseline activity was due before the data date {dd_day}"
    return [m, bei]


def _critical_path_test(work: Plan, cpm: CpmResult, open_ids: set[str]) -> Check:
    """Check 12: lengthen the first incomplete critical activity; the finish must follow."""
    target = next(
        (i for chain in cpm.chains for i in chain if i in open_ids),
        next((i for i, t in cpm.times.items() if t.critical and i in open_ids), None),
    )
    if target is None:
        return Check(
            12,
            "Critical path test",
            None,
            None,
            f"finish moves {CP_TEST_DELAY}",
            None,
            note="no incomplete activity is on the critical path",
        )
    delayed = [
        replace(a, duration=a.duration + CP_TEST_DELAY) if a.id == target else a
        for a in work.activities
    ]
    # both on the day grid: the file's hours (scheduler.calendar_cpm) describe the plan
    # as read, not the delayed copy
    day = replace(work, calendars=None)
    moved = (
        compute_cpm(replace(day, activities=delayed)).project_finish
        - compute_cpm(day).project_finish
    )
    ok = moved == CP_TEST_DELAY
    return Check(
        12,
        "Critical path test",
        moved,
        CP_TEST_DELAY,
        f"finish moves {CP_TEST_DELAY}",
        ok,
        [target],
        1,
        note=f"{target} made {CP_TEST_DELAY} working days longer moved the finish by {moved}"
        + ("" if ok else ": the critical path is broken (a constraint or missing logic)"),
    )


def _deadline(a: Activity, plan: Plan) -> int | None:
    """Exclusive slot an activity must finish by: ``due``, ``deadline``, a raw constraint."""
    dated = [d for d in (a.due, a.deadline) if d is not None]
    if dated:
        return min(dated)
    best = None
    for key in ("constraint", "constraint2"):
        if str(a.extra.get(key, "")) in _FINISH_DEADLINES:
            day = _iso_day(a.extra.get(f"{key}_date"))
            if day is not None:
                slot = plan.grid.slot_after(day)
                best = slot if best is None else min(best, slot)
    return best


def _cpli(
    plan: Plan,
    cpm: CpmResult,
    baseline: BaselineDates | None,
    dd: int,
    solved_ends: Mapping[str, int] | None = None,
) -> Check:
    """Check 13: CPLI = (CPL + TF) / CPL to the baseline finish or the plan's deadline.

    On the solved plan's finish when ``solved_ends`` is given, the logic network's
    value in the note; else on the logic network (module doc, "Which network").
    """
    grid = plan.grid
    solved = dict(solved_ends) if solved_ends else None
    if baseline is not None:
        target, what = baseline.finish, "the baseline finish"
        whose = "its finish"  # the plan's
        logic = cpm.project_finish
        forecast = max(solved.values()) if solved else logic
    else:
        dated = [
            (cpm.times[a.id].ef, -slot, a.id)
            for a in plan.activities
            if not is_complete(a) and (slot := _deadline(a, plan)) is not None
        ]
        if not dated:
            return Check(
                13,
                "CPLI",
                None,
                None,
                ">= 0.95",
                None,
                note="needs a deadline: a baseline, or a finish constraint (due) on the plan",
            )
        logic, neg, aid = max(dated)
        target, what = -neg, f"the deadline of {aid}"
        whose = f"the finish of {aid}"  # not the plan's, which may be later
        forecast = solved.get(aid, logic) if solved else logic
    basis = "solved plan (leveled)" if solved else "logic network"
    cpl, total_float = forecast - dd, target - forecast
    if cpl <= 0:
        return Check(
            13,
            "CPLI",
            None,
            cpl,
            ">= 0.95",
            None,
            note="the forecast finish is on the data date: no critical path length",
            basis=basis,
        )
    index = (cpl + total_float) / cpl
    if solved:
        where = (
            f"CPLI on the solved (leveled) plan, crews, budget caps and blackouts included: "
            f"critical path length {cpl} working days to {whose} "
            f"{grid.finish_date(0, forecast)}"
        )
        plan_end = max(solved.values(), default=forecast)
        if plan_end != forecast:
            where += f" (the plan finishes {grid.finish_date(0, plan_end)})"
        if logic - dd > 0:
            where += (
                f" (on the logic network alone: finish {grid.finish_date(0, logic)}, CPLI "
                f"{(target - dd) / (logic - dd):.3f})"
            )
    else:
        where = (
            "CPLI on the logic network (dependencies, durations and constraints; crews, "
            "budget caps and blackouts are not applied: the solved plan may finish later): "
            f"critical path length {cpl} working days to the forecast finish "
            f"{grid.finish_date(0, forecast)}"
        )
    return Check(
        13,
        "CPLI",
        cpl + total_float,
        cpl,
        ">= 0.95",
        (cpl + total_float) * 100 >= 95 * cpl,
        value=round(index, 3),
        note=f"{where}, total float {total_float} to {what} {grid.finish_date(0, target)}",
        basis=basis,
    )
