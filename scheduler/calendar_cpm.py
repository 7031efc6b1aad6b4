"""Logic CPM in working time of each activity's own calendar, at minute resolution.

For plans read from files that carry their calendars (P6 XER:
:attr:`scheduler.model.Plan.calendars`, a :class:`~scheduler.workcal.FileCalendars`),
the logic dates are computed as Oracle Primavera P6 computes them (P6 EPPM
*Scheduling*: "activity calendars", "calendar for scheduling relationship lag",
"compute total float as"; CPM of Kelley & Walker 1959 with the four precedence
types): each activity's duration is its hours on **its own** calendar
(:class:`~scheduler.workcal.WorkCalendar`), a start is the next working instant of
that calendar and a finish the instant its hours are used up (an 8 h task from 11:00
on a 07:00–17:00 day finishes at 09:00 the next working day); lags count on the
calendar P6's option says (the predecessor's by default, the successor's, 24 hours
or the project's).

Rules:

* **Progress**: exactly :mod:`scheduler.progress`'s decisions
  (:func:`~scheduler.progress.remaining_plan`'s :class:`~scheduler.progress.ProgressMap`:
  status, out-of-sequence complete work, and rule 4 per relation in
  ``ProgressMap.rules``), applied in hours: complete work keeps its actual dates;
  work in progress resumes at or after the data date for its remaining hours; nothing
  unstarted starts before the data date; a relation anchored on an actual date is a
  lower bound from that date plus the lag.
* **Forward pass**: ``ES(q) = next_work_q(max(data date, constraint, start bounds))``
  where an FS/SS relation gives ``anchor + lag`` and an FF/SF one
  ``sub_q(anchor + lag, dur_q)`` (the successor's finish bound less its duration);
  ``EF(q) = add_q(ES(q), dur_q)``. Start/finish on or after constraints are start
  bounds; mandatory dates pin.
* **Backward pass** from the project finish (latest early finish; P6's must-finish-by
  date instead when the file has one, ``PROJECT.plan_end_date``): ``LF(p) =
  prev_work_p(min(project finish, finish/start on or before, successor bounds))``
  with FS/FF giving ``anchor − lag`` and SS/SF ``add_p(anchor − lag, dur_p)``;
  ``LS(p) = sub_p(LF(p), dur_p)``.
* **Floats** in working minutes of the activity's own calendar, shown in its days
  (minutes / 60 / hours per day, as P6's ``total_float_hr_cnt`` is shown): total
  float ``LF − EF`` (P6 ``FT_FF`` finish float; work in progress always), ``LS − ES``
  (``FT_SF``) or the smaller; free float ``LF_free − EF`` where ``LF_free`` is the
  backward bound from the successors' early dates.
* **Critical**: P6's longest path: activities reached back from those finishing at
  the project finish through relations that drive (whose bound is the successor's
  early date).

The result is on the plan's grid (:meth:`CalendarCpm.result`, a
:class:`~scheduler.solution.CpmResult`) by the mapping the XER reader uses for P6's
own dates (:func:`grid_slot`): a start at or after the project calendar's day end is
the next slot, a finish at or before its first hour is the end of the day before.
Floats there are whole days rounded down (never more float than the hours give).

The leveled schedule (the solver) stays on whole working days of the project
calendar; see ``docs/IMPORTS.md`` for where the two differ.

Errors: :class:`ValueError` when the relations form a cycle (the caller falls back
to the day-grid CPM, which reports it) or a calendar has no working time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from scheduler.model import Dependency, Plan
from scheduler.progress import ProgressMap, remaining_plan
from scheduler.solution import ActivityTimes, CpmResult
from scheduler.timegrid import TimeGrid
from scheduler.workcal import FileCalendars, WorkCalendar

__all__ = ["CalendarCpm", "DatedTimes", "calendar_cpm", "describes", "grid_slot"]

_24H = WorkCalendar("24h", "24 hours", (((0, 1440),),) * 7, {}, 24.0)


@dataclass(slots=True)
class DatedTimes:
    """Hour-CPM dates of one activity's remaining work (file wall clock).

    ``es``/``ef``/``ls``/``lf`` are instants (``ef``/``lf`` the end of the work);
    ``total_float``/``free_float`` in days of the activity's calendar; for a complete
    activity the actual dates and floats None.
    """

    es: datetime
    ef: datetime
    ls: datetime
    lf: datetime
    total_float: float | None
    free_float: float | None
    critical: bool = False


@dataclass(slots=True)
class CalendarCpm:
    """Output of :func:`calendar_cpm`.

    ``times`` per activity (remaining work: an activity in progress starts at its
    resume), ``project_finish`` the latest early finish, ``progress`` the plan's
    :class:`~scheduler.progress.ProgressMap`.
    """

    times: dict[str, DatedTimes]
    project_finish: datetime
    progress: ProgressMap
    chains: list[list[str]] = field(default_factory=list)

    def slots(self, grid: TimeGrid, hours: FileCalendars) -> dict[str, tuple[int, int, int, int]]:
        """``(es, ef, ls, lf)`` grid slots of each activity's remaining work (:func:`grid_slot`)."""
        cal = hours.calendars[hours.project]
        return {
            aid: (
                grid_slot(grid, t.es, cal),
                grid_slot(grid, t.ef, cal, end=True),
                grid_slot(grid, t.ls, cal),
                grid_slot(grid, t.lf, cal, end=True),
            )
            for aid, t in self.times.items()
        }

    def result(self, grid: TimeGrid, hours: FileCalendars, *, remaining: bool = False) -> CpmResult:
        """As :func:`scheduler.cpm.compute_cpm` shows a progressed plan, on grid slots.

        A complete activity: its actual dates, floats 0; one in progress: ``es = ls``
        its actual start, ``ef``/``lf`` its remaining work's; floats in whole days
        rounded down. With ``remaining`` the view of the remaining plan instead (as
        ``compute_cpm(remaining_plan(plan)[0])``): work in progress from its resume,
        complete work a point at its actual finish.
        """
        pm = self.progress
        slots = self.slots(grid, hours)
        out: dict[str, ActivityTimes] = {}
        for aid, (es, ef, ls, lf) in slots.items():
            t = self.times[aid]
            st = pm.status[aid]
            if st == "complete" and not (remaining and t.total_float is not None):
                # shown at its actual dates; in the remaining plan a point at its finish
                # (a waiting one, rule 1 of scheduler.progress, at its event's dates)
                a_s, a_f = pm.actual_start[aid], pm.actual_finish[aid]
                a_s = a_f if remaining else a_s
                out[aid] = ActivityTimes(a_s, a_f, a_s, a_f, 0, 0)
                continue
            if st == "in_progress" and not remaining:
                es = ls = pm.actual_start[aid]
            tf = math.floor((t.total_float or 0.0) + 1e-9)
            ff = math.floor((t.free_float or 0.0) + 1e-9)
            out[aid] = ActivityTimes(es, ef, ls, lf, tf, ff, t.critical)
        finish = max((s[1] for s in slots.values()), default=0)
        return CpmResult(times=out, project_finish=finish, chains=self.chains)


def grid_slot(grid: TimeGrid, when: datetime, cal: WorkCalendar, *, end: bool = False) -> int:
    """Grid slot of an instant, on the project calendar ``cal`` (the XER reader's rule).

    A start at or after the last period end of its day (or on a day without work) is
    the next working slot, else its day's; an (exclusive) end at or before the day's
    first working minute is the start of its day's slot, else the end of it.
    """
    day = when.date()
    minute = when.hour * 60 + when.minute
    periods = cal.periods(day) or cal.week[0] or ((480, 1020),)
    first, last = periods[0][0], periods[-1][1]
    if end:
        return grid.slot_on_or_after(day) if minute <= first else grid.slot_after(day)
    return grid.slot_after(day) if minute >= last else grid.slot_on_or_after(day)


def describes(hours: FileCalendars | None, plan: Plan) -> bool:
    """True when ``hours`` were read for ``plan`` as it is (same activities, durations,
    data date): a plan changed since (a remaining plan, a delayed copy) is not."""
    if hours is None or plan.data_date != hours.data_slot:
        return False
    if len(plan.activities) != len(hours.slots):
        return False
    return all(hours.slots.get(a.id) == a.duration for a in plan.activities)


def calendar_cpm(plan: Plan) -> CalendarCpm:
    """Hour CPM of a plan read with its calendars (rules: module docstring).

    Parameters
    ----------
    plan
        A plan whose :attr:`~scheduler.model.Plan.calendars` describe it
        (:func:`describes`).

    Returns
    -------
    CalendarCpm
        Dates per activity (instants of the file's clock), floats in days of each
        activity's calendar.

    Raises
    ------
    ValueError
        The plan carries no calendars, its relations form a cycle, or a calendar has
        no working time.
    """
    hours = plan.calendars
    if hours is None:
        raise ValueError("the plan carries no file calendars")
    _, pm = remaining_plan(plan)
    return _Pass(plan, hours, pm).run()


class _Pass:
    """One forward and backward pass (module docstring)."""

    def __init__(self, plan: Plan, hours: FileCalendars, pm: ProgressMap) -> None:
        self.plan, self.h, self.pm = plan, hours, pm
        self.ids = [a.id for a in plan.activities]
        self.dd = hours.data_date
        # relations of the remaining network (kept / resume copies), and bounds from actuals
        self.kept: list[tuple[Dependency, int]] = []  # (relation, lag minutes)
        self.bounds: list[tuple[Dependency, int]] = []
        for d, rule in zip(plan.dependencies, pm.rules, strict=True):
            lag = hours.lags.get((d.predecessor, d.successor, d.type), 0)
            if rule == "kept":
                self.kept.append((d, lag))
            elif rule.startswith("bound"):
                self.bounds.append((d, lag))
                if rule == "bound+resume":
                    self.kept.append((d, min(lag, 0)))
        self.floating = set(pm.floating)

    # -- helpers ---------------------------------------------------------------------------
    def cal(self, aid: str) -> WorkCalendar:
        return self.h.of(aid)

    def dur(self, aid: str) -> int:
        st = self.pm.status[aid]
        if st == "complete":
            return 0
        if st == "in_progress":
            return self.h.remaining.get(aid, self.h.minutes.get(aid, 0))
        return self.h.minutes.get(aid, 0)

    def lag_cal(self, d: Dependency) -> WorkCalendar:
        how = self.h.lag_calendar
        if how == "24h":
            return _24H
        if how == "project":
            return self.h.calendars[self.h.project]
        return self.cal(d.successor if how == "successor" else d.predecessor)

    def order(self) -> list[str]:
        succ: dict[str, list[str]] = {i: [] for i in self.ids}
        indeg = dict.fromkeys(self.ids, 0)
        for d, _ in self.kept:
            succ[d.predecessor].append(d.successor)
            indeg[d.successor] += 1
        todo = [i for i in self.ids if indeg[i] == 0]
        out: list[str] = []
        while todo:
            v = todo.pop()
            out.append(v)
            for w in succ[v]:
                indeg[w] -= 1
                if indeg[w] == 0:
                    todo.append(w)
        if len(out) != len(self.ids):
            raise ValueError("the relations form a cycle")
        return out

    # -- passes ----------------------------------------------------------------------------
    def run(self) -> CalendarCpm:
        pm, h = self.pm, self.h
        order = self.order()
        preds: dict[str, list[tuple[Dependency, int]]] = {i: [] for i in self.ids}
        succs: dict[str, list[tuple[Dependency, int]]] = {i: [] for i in self.ids}
        for d, lag in self.kept:
            preds[d.successor].append((d, lag))
            succs[d.predecessor].append((d, lag))
        start_lo: dict[str, list[datetime]] = {i: [] for i in self.ids}
        finish_lo: dict[str, list[datetime]] = {i: [] for i in self.ids}
        for d, lag in self.bounds:  # anchored on actual dates
            p = d.predecessor
            anchor = pm_actual(h, d)
            at = self.lag_cal(d).add(anchor, lag)
            (finish_lo if d.to_end else start_lo)[d.successor].append(at)
        es: dict[str, datetime] = {}
        ef: dict[str, datetime] = {}
        for v in order:
            st = pm.status[v]
            cal = self.cal(v)
            if st == "complete" and v not in self.floating:
                es[v], ef[v] = h.actual_start[v], h.actual_finish[v]
                continue
            dur = self.dur(v)
            if v in h.mandatory_start and st == "not_started":
                es[v] = h.mandatory_start[v]
                ef[v] = cal.add(es[v], dur)
                continue
            if v in h.mandatory_finish and st == "not_started":
                ef[v] = h.mandatory_finish[v]
                es[v] = cal.sub(ef[v], dur)
                continue
            lo = [self.dd, *start_lo[v]]
            if st == "not_started" and v in h.start_after:
                lo.append(h.start_after[v])
            fin = list(finish_lo[v])
            if st == "not_started" and v in h.finish_after:
                fin.append(h.finish_after[v])
            for d, lag in preds[v]:
                p = d.predecessor
                anchor = ef[p] if d.from_end else es[p]
                at = self.lag_cal(d).add(anchor, lag)
                (fin if d.to_end else lo).append(at)
            start = cal.next_work(max(lo))
            for f in fin:
                start = max(start, cal.next_work(cal.sub(f, dur)))
            es[v] = start
            ef[v] = cal.add(start, dur)
            if dur == 0 and v in h.finish_milestones:
                es[v] = ef[v] = cal.prev_work(start) if start > max(lo) else start
        open_ids = [
            i for i in self.ids if not (pm.status[i] == "complete" and i not in self.floating)
        ]
        finish = max((ef[i] for i in open_ids), default=self.dd)

        lf: dict[str, datetime] = {}
        ls: dict[str, datetime] = {}
        free_lf: dict[str, datetime] = {}
        for v in reversed(order):
            st = pm.status[v]
            cal = self.cal(v)
            if st == "complete" and v not in self.floating:
                lf[v], ls[v] = ef[v], es[v]
                free_lf[v] = ef[v]
                continue
            dur = self.dur(v)
            hi = [h.finish_by or finish]
            if v in h.finish_before:
                hi.append(h.finish_before[v])
            if v in h.start_before:
                hi.append(cal.add(h.start_before[v], dur))
            free = [h.finish_by or finish]
            for d, lag in succs[v]:
                q = d.successor
                if pm.status[q] == "complete" and q not in self.floating:
                    continue
                lc = self.lag_cal(d)
                late = lf[q] if d.to_end else ls[q]
                early = ef[q] if d.to_end else es[q]
                for target, anchor in ((hi, late), (free, early)):
                    at = lc.sub(anchor, lag)
                    target.append(at if d.from_end else cal.add(at, dur))
            if (v in h.mandatory_start and st == "not_started") or (
                v in h.mandatory_finish and st == "not_started"
            ):
                lf[v], ls[v] = ef[v], es[v]
            else:
                lf[v] = cal.prev_work(min(hi)) if dur else min(hi)
                ls[v] = cal.sub(lf[v], dur)
            free_lf[v] = cal.prev_work(min(free)) if dur else min(free)

        times: dict[str, DatedTimes] = {}
        for v in self.ids:
            cal = self.cal(v)
            st = pm.status[v]
            if st == "complete" and v not in self.floating:
                times[v] = DatedTimes(es[v], ef[v], ls[v], lf[v], None, None)
                continue
            finish_f = cal.minutes_between(ef[v], lf[v])
            start_f = cal.minutes_between(es[v], ls[v])
            if st == "in_progress" or h.float_type == "finish":
                tf = finish_f
            elif h.float_type == "start":
                tf = start_f
            else:
                tf = min(finish_f, start_f)
            ff = cal.minutes_between(ef[v], free_lf[v])
            times[v] = DatedTimes(es[v], ef[v], ls[v], lf[v], cal.days(tf), cal.days(ff))
        chains = self._critical(times, preds, finish, es, ef)
        return CalendarCpm(times, finish, pm, chains)

    def _critical(
        self,
        times: dict[str, DatedTimes],
        preds: dict[str, list[tuple[Dependency, int]]],
        finish: datetime,
        es: dict[str, datetime],
        ef: dict[str, datetime],
    ) -> list[list[str]]:
        """Mark P6's longest path (as :func:`scheduler.cpm.compute_cpm` does on slots):
        back from the open activities finishing at the project finish through driving
        relations (whose bound, on the successor's calendar, is its early start)."""
        from scheduler.cpm import _longest_path

        index = {v: k for k, v in enumerate(self.ids)}
        driving: list[list[int]] = [[] for _ in self.ids]
        for v in self.ids:
            if times[v].total_float is None:
                continue
            cal, dur = self.cal(v), self.dur(v)
            for d, lag in preds[v]:
                p = d.predecessor
                if times[p].total_float is None:
                    continue
                at = self.lag_cal(d).add(ef[p] if d.from_end else es[p], lag)
                if cal.next_work(cal.sub(at, dur) if d.to_end else at) >= es[v]:
                    driving[index[v]].append(index[p])
        at_end = [int(times[v].total_float is not None and ef[v] == finish) for v in self.ids]
        critical, chains = _longest_path(at_end, 1, driving)
        for v, flag in zip(self.ids, critical, strict=True):
            times[v].critical = flag
        return [[self.ids[k] for k in chain] for chain in chains]


def pm_actual(h: FileCalendars, d: Dependency) -> datetime:
    """The actual date a relation anchored on progress starts from (rule 4)."""
    p = d.predecessor
    return h.actual_finish[p] if d.from_end else h.actual_start[p]
