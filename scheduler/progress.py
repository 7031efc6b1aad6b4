"""Progress: the plan from its data date on, by Primavera P6's rules (one transform).

A progressed plan (:attr:`Plan.data_date` set, :attr:`Activity.progress` on the
activities that have started) is scheduled as P6 schedules it (Oracle Primavera P6
EPPM, *Scheduling*: "Data date", "Schedule options: when scheduling progressed
activities use Retained Logic / Progress Override"; MS Project's status date is the
same idea). :func:`remaining_plan` turns it into the **remaining plan**: an ordinary
:class:`~scheduler.model.Plan` without progress, whose activities are each the work
still to do. CPM (:func:`scheduler.cpm.compute_cpm`), the driving path, the solver
(:func:`scheduler.solver.solve`), its check, the independent test checker and the risk
kernel's input all schedule that one plan, so the rules below are written once:

1. **Complete** (actual start and finish): its dates are history, kept as they are.
   In the remaining plan it is its finish event: a milestone pinned at its actual
   (exclusive) finish slot, without cost, demands, due date or deadline, so its past use of
   crews does not bind any capacity and no blackout reaches it. With ``retained_logic``
   a complete activity that finished out of sequence (a predecessor's relation into it
   is anchored on work not yet done) is not pinned: its finish event is remaining work
   of 0 slots, on or after the data date, that still waits for that predecessor and
   holds its successors (FS, FF) after it, as P6 schedules it: sixterminal update 6's
   36326 is complete, yet its early dates in the file are after the data date, behind
   its unstarted predecessor 36406, and its successors follow it. Its start successors
   (SS, SF) wait for the event too, without the lag (which ran from its actual start,
   a lower bound as for work in progress, rule 4), and a complete one waits with it:
   bhatticoder's A15081 (complete, SS after the unstarted A15069) holds A15083,
   A15085, A15087 (complete, SS) and A15089 (SS+18 from A15087) at A15081's event, as
   P6's dates show. Its shown dates stay the actual ones.
2. **In progress** (actual start only): the remaining work starts on or after the
   data date (P6: "the remaining duration is scheduled from the data date") and
   lasts the remaining duration: :attr:`Progress.remaining` if given, else
   ``ceil(duration × (100 - percent_complete) / 100)`` (P6's "duration percent
   complete" linked to the remaining duration), else the original duration less the
   slots elapsed since the actual start, **at least 1 slot** (the activity is not
   finished, so some work is left). Its cost in the remaining plan is
   ``ceil(cost × remaining / duration)`` (at most the cost); the rest was spent
   before the data date. Its demands and blackouts apply to the remaining work.
3. **Not started**: nothing starts before the data date (``release`` is raised to
   it). A ``fixed_start`` before the data date cannot be kept: it becomes the data
   date, with a warning.
4. **Relations.** Each relation ``p → q`` anchors on ``p``'s start (SS, SF) or end
   (FS, FF) and constrains ``q``'s start (FS, SS) or end (FF, SF)
   (:class:`~scheduler.model.Dependency`):

   * into a complete ``q``: dropped (both its dates are actual), unless rule 1's
     retained logic keeps it on ``q``'s finish event;
   * into an in-progress ``q``: with ``progress_override`` dropped (P6: "network
     logic is ignored for the remaining work"); with ``retained_logic`` (P6's
     default) kept **on the remaining work** — a start-side relation (FS, SS) holds
     back the resume of the remaining work, an end-side one (FF, SF) its finish;
   * anchored on an actual date (``p``'s actual start for SS/SF once ``p`` started,
     its actual finish for FS/FF once complete; not the end of rule 1's waiting
     finish event, whose successors follow the event): a plain lower bound on ``q``'s
     (remaining) start, e.g. SS ``S(q) >= actual_start(p) + lag`` and FF
     ``S(q) >= actual_finish(p) + lag - remaining(q)``; a ``max_lag`` on it is not
     kept (the past cannot be moved to meet it), with a warning; with
     ``retained_logic`` a start relation (SS, SF) from an activity still in progress
     (or from rule 1's waiting finish event) is also kept with its lag capped at 0 on
     its remaining work, so ``q`` waits for ``p`` to resume as in P6 (the lag ran from
     the actual start);
   * otherwise kept as it is (``p``'s end is the end of its remaining work).

5. **Baseline.** The remaining plan's :attr:`Plan.baseline` keeps the baseline starts
   of the activities not started; for an activity in progress it holds instead the
   **resume** the baseline implies, ``max(data date, baseline end − remaining)``
   (:attr:`Baseline.resume`). The stability objective binds both: unstarted work to its
   baseline start, work in progress to its resume with twice its weight
   (:data:`scheduler.solver.objective.IN_PROGRESS_WEIGHT`), so, as P6's leveler keeps
   work in progress going, a re-plan does not pause started work to give its crews to
   unstarted work when the makespan does not need it. The baseline (unstarted starts,
   resumes, complete work at its actual finish) is the solver's first incumbent when it
   is feasible. The schedule's variances still compare every activity's dates with the
   baseline.
6. **Budgets.** Money spent before the data date is history: a complete activity's
   cost spread evenly over its actual days, an in-progress one's spent part over
   ``[actual_start, data_date)``, each period's share rounded up as the solver
   counts it (:func:`scheduler.model.period_spend`). It is taken off the period's
   cap in the remaining plan, floored at 0, with a warning when the history alone
   is above the cap.

Every slot is a grid slot of the plan (:mod:`scheduler.timegrid`); an actual
finish, like every end, is exclusive. A milestone (duration 0) with an actual start
is complete on that slot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from scheduler.errors import Issue, Place
from scheduler.model import (
    Activity,
    BudgetPeriod,
    Dependency,
    Plan,
    ProgressStatus,
    period_spend,
)
from scheduler.uncertainty import Estimate, RiskEvent, Uncertainty

__all__ = [
    "Bound",
    "ProgressMap",
    "ProgressProblem",
    "progress_problems",
    "remaining_plan",
    "remaining_uncertainty",
]


@dataclass(frozen=True, slots=True)
class Bound:
    """A lower bound on the start of an activity's remaining work that progress set.

    ``slot`` is the least start slot; ``reason`` the planner's words for it, e.g.
    ``"SS lag 2 from A's actual start 2027-03-02"``; ``predecessor`` the activity whose
    actual date it comes from (``""`` for the data date itself).
    """

    slot: int
    reason: str
    predecessor: str = ""


@dataclass(frozen=True, slots=True)
class ProgressProblem:
    """A progress record that no schedule can honour.

    ``activity`` is the activity id, ``field`` the :class:`~scheduler.model.Progress`
    field at fault (``"actual_start"``, ``"actual_finish"``, ``"remaining"``), and
    ``text`` the planner's sentence without a place (readers add theirs).
    """

    activity: str
    field: str
    text: str

    def issue(self, place: Place | None) -> Issue:
        """The problem as an :class:`Issue` at ``place`` (the progress record's)."""
        return (place or Place()).issue(self.field, self.text)


@dataclass(slots=True)
class ProgressMap:
    """How the remaining plan of :func:`remaining_plan` relates to the plan.

    Attributes
    ----------
    data_date
        The data date (slot), or None for a plan without progress (then every map is
        the identity: remaining = duration, nothing actual).
    out_of_sequence
        ``retained_logic`` or ``progress_override``.
    status
        Activity id → ``not_started``, ``in_progress`` or ``complete`` (every activity).
    actual_start, actual_finish
        Activity id → actual start slot / exclusive actual finish slot (started /
        complete activities only).
    remaining
        Activity id → duration of its remaining work (slots): 0 when complete, the
        duration when not started.
    duration
        Activity id → original duration (slots).
    cost, remaining_cost
        Activity id → cost and the part of it still to spend (integer money units).
    bounds
        Activity id → the largest lower bound that an actual date of another activity
        put on its remaining start (rule 4), when there is one.
    dropped
        Relations left out of the remaining plan, each with the reason.
    history_spend
        Budget period position → money spent before the data date (money units).
    floating
        Complete activities whose finish event is not pinned (rule 1, retained logic):
        id → the least slot of that event.
    held
        Those activities' relations kept in the remaining plan (into each).
    rules
        Rule 4's decision for each relation of the plan, in ``plan.dependencies``
        order: ``"kept"`` (in the remaining plan as it is), ``"dropped"`` (into actual
        dates, or into work in progress with progress override), ``"bound"`` (anchored
        on an actual date: a lower bound on the successor) or ``"bound+resume"`` (also
        kept with its lag capped at 0 on the predecessor's remaining work). The hour
        CPM (:mod:`scheduler.calendar_cpm`) applies the same decisions in hours.
    warnings
        Warnings about what progress did (a ``fixed_start`` moved, a ``max_lag`` left
        out, a budget overspent before the data date).
    """

    data_date: int | None
    out_of_sequence: str
    status: dict[str, ProgressStatus]
    actual_start: dict[str, int] = field(default_factory=dict)
    actual_finish: dict[str, int] = field(default_factory=dict)
    remaining: dict[str, int] = field(default_factory=dict)
    duration: dict[str, int] = field(default_factory=dict)
    cost: dict[str, int] = field(default_factory=dict)
    remaining_cost: dict[str, int] = field(default_factory=dict)
    bounds: dict[str, Bound] = field(default_factory=dict)
    dropped: list[tuple[Dependency, str]] = field(default_factory=list)
    history_spend: dict[int, int] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    floating: dict[str, int] = field(default_factory=dict)
    held: dict[str, list[Dependency]] = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)

    @classmethod
    def identity(cls, plan: Plan) -> ProgressMap:
        """The map of a plan without progress: nothing actual, remaining = duration."""
        return cls(
            data_date=None,
            out_of_sequence=plan.out_of_sequence,
            status={a.id: "not_started" for a in plan.activities},
            remaining={a.id: a.duration for a in plan.activities},
            duration={a.id: a.duration for a in plan.activities},
            cost={a.id: a.cost for a in plan.activities},
            remaining_cost={a.id: a.cost for a in plan.activities},
            rules=["kept"] * len(plan.dependencies),
        )

    @property
    def active(self) -> bool:
        """True when the plan has a data date (the remaining plan differs from it)."""
        return self.data_date is not None

    def counts(self) -> dict[str, int]:
        """Activities per status: ``{"not_started": n, "in_progress": n, "complete": n}``."""
        out = {"not_started": 0, "in_progress": 0, "complete": 0}
        for s in self.status.values():
            out[s] += 1
        return out

    def starts(self, remaining_starts: Mapping[str, int]) -> dict[str, int]:
        """Start slot of each activity as the schedule shows it, from the remaining plan's.

        An activity that started shows its actual start; the others the start of their
        (whole) remaining work. Activities absent from ``remaining_starts`` are absent.
        """
        out = {}
        for aid, s in remaining_starts.items():
            out[aid] = self.actual_start.get(aid, int(s))
        return out

    def ends(self, remaining_starts: Mapping[str, int]) -> dict[str, int]:
        """Exclusive end slot of each activity: the end of its remaining work.

        For a complete activity that is its actual finish (the remaining plan pins it
        there, or after it, rule 1); for one in progress, remaining start + remaining
        duration.
        """
        return {
            aid: self.actual_finish.get(aid, int(s) + self.remaining[aid])
            for aid, s in remaining_starts.items()
            if aid in self.remaining
        }

    def remaining_starts(
        self, starts: Mapping[str, int], ends: Mapping[str, int]
    ) -> dict[str, int]:
        """The inverse of :meth:`starts`/:meth:`ends`: remaining plan starts from dates.

        A complete activity's remaining start is its actual finish (an out-of-sequence
        one's the earliest slot its kept relations allow, rule 1); an in-progress
        one's is its end less its remaining duration; the others' is their start.
        """
        out = {}
        for aid, s in starts.items():
            st = self.status.get(aid, "not_started")
            if st == "complete":
                out[aid] = self.actual_finish[aid]
            elif st == "in_progress" and aid in ends:
                out[aid] = int(ends[aid]) - self.remaining[aid]
            else:
                out[aid] = int(s)
        return self.settle(out)

    def settle(self, remaining_starts: Mapping[str, int]) -> dict[str, int]:
        """``remaining_starts`` with each out-of-sequence complete activity's finish event
        (rule 1) at the earliest slot its kept relations allow, given the others'.

        A schedule's dates show such an activity at its actual dates; this recovers
        where the remaining plan has its event (as left justification puts it).
        """
        out = dict(remaining_starts)
        for _ in range(len(self.floating)):  # chains of them: at most that many rounds
            moved = False
            for aid, floor in self.floating.items():
                if aid not in out:
                    continue
                slot = max(
                    [floor]
                    + [
                        out[d.predecessor] + d.start_distance(self.remaining[d.predecessor], 0)
                        for d in self.held.get(aid, [])
                        if d.predecessor in out
                    ]
                )
                if slot != out[aid]:
                    out[aid], moved = slot, True
            if not moved:
                break
        return out

    def segments(self, aid: str, remaining_start: int) -> list[tuple[int, int, float]]:
        """Where an activity works and spends: ``(start, end, cost)`` pieces, ends exclusive.

        A complete activity: one piece over its actual dates with its whole cost; one in
        progress: ``[actual_start, data_date)`` with the spent cost (when that is not
        empty) and its remaining work with the remaining cost; any other: its remaining
        work with its cost. Cost in integer money units (float for the spent part).
        """
        st = self.status.get(aid, "not_started")
        if st == "complete":
            return [(self.actual_start[aid], self.actual_finish[aid], float(self.cost[aid]))]
        rem = (
            remaining_start,
            remaining_start + self.remaining[aid],
            float(self.remaining_cost[aid]),
        )
        if st == "in_progress":
            assert self.data_date is not None
            spent = float(self.cost[aid] - self.remaining_cost[aid])
            a_s = self.actual_start[aid]
            if self.data_date > a_s:
                return [(a_s, self.data_date, spent), rem]
            return [(rem[0], rem[1], rem[2] + spent)]
        return [rem]

    def summary(self, plan: Plan) -> str:
        """One line for the planner: ``"progress: 12 complete, 3 in progress at data date
        2027-03-31"`` (``""`` without a data date)."""
        if self.data_date is None:
            return ""
        c = self.counts()
        day = plan.grid.date_of(self.data_date).isoformat()
        return (
            f"progress: {c['complete']} complete, {c['in_progress']} in progress at data "
            f"date {day} ({self.out_of_sequence.replace('_', ' ')})"
        )


def _status(a: Activity) -> ProgressStatus:
    """The activity's status, a started milestone being complete."""
    st = a.progress_status
    if st == "in_progress" and a.duration == 0:
        return "complete"
    return st


def progress_problems(plan: Plan) -> list[ProgressProblem]:
    """Every progress record of ``plan`` that contradicts its data date or itself.

    Checks (each a :class:`ProgressProblem`): progress without a data date; an actual
    start or finish after the data date (an actual finish, exclusive, may equal it);
    a remaining duration above 0 on a complete activity; an actual start before the
    plan start (slot < 0). The :class:`~scheduler.model.Progress` fields check their
    own order and ranges.

    Returns
    -------
    list of ProgressProblem
        In activity order; ``[]`` when the progress can be scheduled.
    """
    out: list[ProgressProblem] = []
    dd = plan.data_date
    grid = plan.grid
    for a in plan.activities:
        p = a.progress
        if p is None:
            continue
        if dd is None:
            out.append(
                ProgressProblem(a.id, "actual_start", "progress needs a data_date in Settings")
            )
            continue
        day = grid.date_of(dd).isoformat()
        if p.actual_start is not None:
            if p.actual_start < 0:
                out.append(
                    ProgressProblem(
                        a.id, "actual_start", f"actual start of {a.id} is before the plan start"
                    )
                )
            elif p.actual_start > dd:
                out.append(
                    ProgressProblem(
                        a.id,
                        "actual_start",
                        f"actual start {grid.date_of(p.actual_start)} of {a.id} is after the "
                        f"data date {day}",
                    )
                )
        if p.actual_finish is not None and p.actual_finish > dd:
            last = grid.finish_date(p.actual_start or 0, p.actual_finish)
            out.append(
                ProgressProblem(
                    a.id,
                    "actual_finish",
                    f"actual finish {last} of {a.id} is on or after the data date {day}",
                )
            )
        if p.actual_finish is not None and p.remaining:
            out.append(
                ProgressProblem(
                    a.id,
                    "remaining",
                    f"{a.id} is complete (it has an actual finish) but has a remaining "
                    f"duration of {p.remaining}",
                )
            )
    return out


def _remaining_duration(a: Activity, data_date: int) -> int:
    """Remaining work of an in-progress activity (slots), by rule 2 of the module."""
    p = a.progress
    assert p is not None and p.actual_start is not None
    if p.remaining is not None:
        return p.remaining
    if p.percent_complete is not None:
        # round(…, 9): 30 % of 10 is 7 slots left, not 8 from 6.999999999 in binary
        return math.ceil(round(a.duration * (100 - p.percent_complete) / 100, 9))
    return max(1, a.duration - (data_date - p.actual_start))


def remaining_plan(plan: Plan) -> tuple[Plan, ProgressMap]:
    """The plan's remaining work as a plan without progress, and the map back.

    The rules are the module's (P6's): complete activities become milestones pinned at
    their actual finish; in-progress ones are their remaining work from the data date;
    nothing unstarted starts before the data date; relations anchored on actual
    dates become lower bounds, those into actual dates are dropped, those into an
    in-progress activity bind its remaining work (``retained_logic``) or are dropped
    (``progress_override``); money spent before the data date comes off the caps.

    The remaining plan has the same activities in the same order (same ids), no
    :attr:`Plan.data_date` and no progress, so ``remaining_plan`` of it is itself
    (idempotent), and a plan without a data date is returned as it is (the same
    object) with the identity map. O(activities + relations + demands + budgets ×
    started activities).

    Parameters
    ----------
    plan
        A plan, progressed or not (grid slots, integer money).

    Returns
    -------
    remaining, progress
        The remaining plan and its :class:`ProgressMap` (with the warnings).

    Raises
    ------
    ValueError
        When a progress record cannot be scheduled (:func:`progress_problems`; the
        readers report those with their places before this runs).
    """
    dd = plan.data_date
    if dd is None:
        if any(a.progress is not None for a in plan.activities):
            raise ValueError(progress_problems(plan)[0].text)
        return plan, ProgressMap.identity(plan)
    problems = progress_problems(plan)
    if problems:
        raise ValueError("; ".join(p.text for p in problems[:3]))
    grid = plan.grid
    day = grid.date_of(dd).isoformat()
    pm = ProgressMap(data_date=dd, out_of_sequence=plan.out_of_sequence, status={})
    release: dict[str, int] = {}
    acts: list[Activity] = []
    for a in plan.activities:
        st = _status(a)
        pm.status[a.id] = st
        pm.duration[a.id] = a.duration
        pm.cost[a.id] = a.cost
        p = a.progress
        if st == "complete":
            assert p is not None and p.actual_start is not None
            a_f = p.actual_finish if p.actual_finish is not None else p.actual_start
            pm.actual_start[a.id], pm.actual_finish[a.id] = p.actual_start, a_f
            pm.remaining[a.id] = pm.remaining_cost[a.id] = 0
            acts.append(
                replace(
                    a,
                    duration=0,
                    cost=0,
                    release=None,
                    due=None,
                    deadline=None,
                    fixed_start=a_f,
                    progress=None,
                )
            )
            continue
        if st == "in_progress":
            assert p is not None and p.actual_start is not None
            pm.actual_start[a.id] = p.actual_start
            r = _remaining_duration(a, dd)
            rc = a.cost if a.duration == 0 else min(a.cost, -(-a.cost * r // a.duration))
            pm.remaining[a.id], pm.remaining_cost[a.id] = r, rc
            release[a.id] = dd
            acts.append(replace(a, duration=r, cost=rc, fixed_start=None, progress=None))
            continue
        pm.remaining[a.id], pm.remaining_cost[a.id] = a.duration, a.cost
        fixed = a.fixed_start
        if fixed is not None and fixed < dd:
            pm.warnings.append(
                _place(a, "Activities").issue(
                    "fixed_start",
                    f"{a.id} has not started but its fixed start {grid.date_of(fixed)} is "
                    f"before the data date {day}; it starts on or after the data date",
                    warning=True,
                )
            )
            fixed = None
        release[a.id] = max(a.release or 0, dd)
        acts.append(replace(a, fixed_start=fixed, progress=None))

    floating = _out_of_sequence_complete(plan, pm)
    for aid in floating:  # as P6: its finish event is on or after the data date
        release[aid] = dd
    deps = _remaining_relations(plan, pm, release, floating)
    index = {a.id: i for i, a in enumerate(acts)}
    for aid, lo in release.items():
        i = index[aid]
        acts[i] = replace(acts[i], release=lo)
    for aid in floating:
        i = index[aid]
        acts[i] = replace(acts[i], fixed_start=None)
        pm.floating[aid] = release[aid]
    demands = [d for d in plan.demands if pm.remaining.get(d.activity, 0) > 0]
    budgets = _remaining_budgets(plan, pm)
    baseline = plan.baseline
    if baseline is not None:  # started work is history: only unstarted work can keep its start
        todo = {aid for aid, st in pm.status.items() if st == "not_started"}
        going = [k for k, st in pm.status.items() if st == "in_progress" and k in baseline.ends]
        baseline = replace(
            baseline,
            starts={k: v for k, v in baseline.starts.items() if k in todo},
            ends={k: v for k, v in baseline.ends.items() if k in todo},
            resume={k: max(dd, baseline.ends[k] - pm.remaining[k]) for k in going},
        )
    remaining = replace(
        plan,
        baseline=baseline,
        activities=acts,
        dependencies=deps,
        demands=demands,
        budgets=budgets,
        data_date=None,
        warnings=list(plan.warnings),
        uncertainty=remaining_uncertainty(plan.uncertainty, pm),
    )
    return remaining, pm


def _out_of_sequence_complete(plan: Plan, pm: ProgressMap) -> set[str]:
    """Rule 1's complete activities that still wait for work not done (retained logic).

    A complete ``q`` is one when a relation into it is anchored on a predecessor's date
    that is not actual (its start before it started, its end before it finished, or the
    finish event of another such activity). O(V + E).
    """
    if pm.out_of_sequence != "retained_logic":
        return set()
    out_of: dict[str, list[Dependency]] = {}
    found: set[str] = set()
    todo: list[str] = []
    for d in plan.dependencies:
        out_of.setdefault(d.predecessor, []).append(d)
        sp = pm.status[d.predecessor]
        waits = sp != "complete" if d.from_end else sp == "not_started"
        if waits and pm.status[d.successor] == "complete" and d.successor not in found:
            found.add(d.successor)
            todo.append(d.successor)
    while todo:  # the finish event of one holds the complete successors of its end
        p = todo.pop()
        for d in out_of.get(p, []):
            q = d.successor
            if pm.status[q] == "complete" and q not in found:
                found.add(q)
                todo.append(q)
    return found


def _remaining_relations(
    plan: Plan, pm: ProgressMap, release: dict[str, int], floating: set[str]
) -> list[Dependency]:
    """Rule 4 of the module: the relations of the remaining plan; bounds into ``release``.

    ``floating`` are rule 1's out-of-sequence complete activities: relations into them
    are treated as into remaining work of 0 slots, and their ends are not actual.
    """
    grid = plan.grid
    out: list[Dependency] = []
    for d in plan.dependencies:
        p, q = d.predecessor, d.successor
        sp, sq = pm.status[p], pm.status[q]
        if sq == "complete" and q not in floating:
            pm.dropped.append((d, f"{q} is complete"))
            pm.rules.append("dropped")
            continue
        if sq == "in_progress" and pm.out_of_sequence == "progress_override":
            pm.dropped.append((d, f"{q} is in progress (progress override)"))
            pm.rules.append("dropped")
            continue
        # an end is actual once complete, a start once begun; not those of a waiting finish
        # event (rule 1), whose successors follow the event, as in P6
        # a waiting event's start side (SS, SF) is anchored on its actual start, and
        # also waits for the event (below), as on work in progress
        waiting_start = p in floating and not d.from_end
        anchored = waiting_start or (
            p not in floating and (sp == "complete" if d.from_end else sp != "not_started")
        )
        if not anchored:
            out.append(d)
            pm.rules.append("kept")
            if q in floating:
                pm.held.setdefault(q, []).append(d)
            continue
        if (sp == "in_progress" or waiting_start) and pm.out_of_sequence == "retained_logic":
            # P6 (bhatticoder: OCEC10801 SS+6 OCEC10811): the successor also waits for
            # the predecessor's remaining work to resume (a waiting event: for the
            # event, A15087 SS+18 A15089); the lag ran from the actual start
            resume = replace(d, lag=min(d.lag, 0), max_lag=None)
            out.append(resume)
            if q in floating:
                pm.held.setdefault(q, []).append(resume)
            pm.rules.append("bound+resume")
        else:
            pm.rules.append("bound")
        if d.from_end:
            anchor, what = pm.actual_finish[p], "actual finish"
            anchor_day = grid.finish_date(pm.actual_start[p], anchor)
        else:
            anchor, what = pm.actual_start[p], "actual start"
            anchor_day = grid.date_of(anchor)
        slot = anchor + d.lag - (pm.remaining[q] if d.to_end else 0)
        reason = f"{d.type} lag {d.lag} from {p}'s {what} {anchor_day.isoformat()}"
        if slot > release[q]:
            release[q] = slot
            pm.bounds[q] = Bound(slot, reason, p)
        pm.dropped.append((d, f"now a lower bound: {reason}"))
        if d.max_lag is not None:
            pm.warnings.append(
                _place(d, "Dependencies").issue(
                    "max_lag",
                    f"the max lag {d.max_lag} of {d.type} {p} -> {q} is not kept: it is "
                    f"anchored on {p}'s {what}, which is history",
                    warning=True,
                )
            )
    return out


def _place(obj: Activity | Dependency | BudgetPeriod, sheet: str) -> Place:
    """Where ``obj`` was read: its own place (P6, MS Project), else our workbook's
    ``sheet`` and its ``source_row`` (as :mod:`scheduler.checks` places it)."""
    if obj.place is not None:
        return obj.place
    return Place(sheet, obj.source_row) if obj.source_row is not None else Place()


def _remaining_budgets(plan: Plan, pm: ProgressMap) -> list[BudgetPeriod]:
    """Rule 6 of the module: caps less the money spent before the data date, floored at 0."""
    if not plan.budgets:
        return []
    dd = pm.data_date
    assert dd is not None
    history: list[tuple[int, int, int]] = []  # (start, end, money) spent before dd
    for aid, st in pm.status.items():
        if st == "complete":
            a_s, a_f = pm.actual_start[aid], pm.actual_finish[aid]
            if pm.cost[aid] and a_f > a_s:
                history.append((a_s, a_f, pm.cost[aid]))
        elif st == "in_progress":
            spent = pm.cost[aid] - pm.remaining_cost[aid]
            a_s = pm.actual_start[aid]
            if spent > 0:
                # spent with no elapsed slot (started on the data date): on the data date
                history.append((a_s, dd, spent) if dd > a_s else (dd, dd + 1, spent))
    out = []
    for k, b in enumerate(plan.budgets):
        spent = sum(
            period_spend(money, e - s, max(0, min(e, b.end) - max(s, b.start)))
            for s, e, money in history
        )
        if spent:
            pm.history_spend[k] = spent
        if spent > b.cap:
            pm.warnings.append(
                _place(b, "Budget").issue(
                    "cap",
                    f"budget {b.label}: {spent} spent before the data date is above its cap "
                    f"{b.cap} (1M KRW units); nothing more may be spent in it",
                    warning=True,
                )
            )
        out.append(replace(b, cap=max(0, b.cap - spent)) if spent else b)
    return out


def remaining_uncertainty(unc: Uncertainty | None, pm: ProgressMap) -> Uncertainty | None:
    """What is still uncertain once progress is known (the risk kernel's input).

    A complete activity has no estimate left and no risk event reaches it (an event
    that reached only complete activities is left out); an in-progress activity's
    three-point estimate is scaled by ``remaining / duration`` (its remaining work is
    that share of the estimated whole). Not-started activities keep theirs.
    """
    if unc is None or not pm.active:
        return unc
    estimates: dict[str, Estimate] = {}
    for aid, est in unc.estimates.items():
        st = pm.status.get(aid, "not_started")
        if st == "complete":
            continue
        if st == "in_progress" and pm.duration[aid] > 0:
            f = pm.remaining[aid] / pm.duration[aid]
            est = replace(
                est,
                optimistic=est.optimistic * f,
                most_likely=est.most_likely * f,
                pessimistic=est.pessimistic * f,
            )
        estimates[aid] = est
    events: list[RiskEvent] = []
    for ev in unc.events:
        left = tuple(x for x in ev.activities if pm.status.get(x) != "complete")
        if left:
            events.append(ev if left == ev.activities else replace(ev, activities=left))
    return replace(unc, estimates=estimates, events=events)
