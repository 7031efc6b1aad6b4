"""Critical path: logic CPM dates, floats, the longest path and the driving path.

Two questions are answered here (SPEC §4):

* :func:`compute_cpm` — the logic CPM (Kelley & Walker 1959) over the dependency
  network alone, without resources, with the generalized precedences of the
  Metra Potential Method (Roy 1962): all four dependency types with leads and lags,
  and ``max_lag`` as a reverse edge. It gives ES/EF/LS/LF, total and free float and
  the *longest path* as Primavera P6 defines it (chains of driving relationships
  that fix the logic finish).
* :func:`driving_path` — the chain of logic, resource, budget and blackout links
  that fixes the finish of a *solved* plan.

Conventions (grid slots, half-open intervals ``[start, end)``):

* ``EF = ES + duration`` and ``LF = LS + duration`` are exclusive end slots.
* Each dependency is one window ``lo <= ES(succ) - ES(pred) <= hi`` on the starts
  (:class:`scheduler.graph.Edge`; each type's inequality is stated in
  :meth:`Dependency.start_distance`); ``max_lag`` gives ``hi``, the reverse bound
  ``ES(pred) >= ES(succ) - hi``. The passes are those of
  :class:`scheduler.graph.DependencyGraph`.
* Forward pass from slot 0: ``ES >= max(0, release)``; a ``fixed_start`` pins ES
  (P6 "mandatory start"). Backward pass from the latest early finish
  (``project_finish = max EF``), **not** the horizon: ``LF <= project_finish``,
  ``LF <= due`` and ``LF <= deadline`` (P6 "finish on or before"), and
  ``fixed_start`` pins LS. Total float ``TF = LS - ES`` is never clamped, so a due
  date or deadline tighter than the logic shows as negative float.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from scheduler.graph import DependencyGraph
from scheduler.model import MONEY_SCALE, Activity, Dependency, Plan, period_spend
from scheduler.progress import ProgressMap, remaining_plan
from scheduler.solution import ActivityTimes, CpmResult, DrivingLink

__all__ = [
    "MAX_CHAINS",
    "compute_cpm",
    "driving_path",
    "float_critical",
    "holding_links",
    "relationship_slack",
]

log = logging.getLogger(__name__)

#: Most critical chains :func:`compute_cpm` enumerates; every activity of the driving
#: subgraph is still marked critical when there are more.
MAX_CHAINS = 50


def relationship_slack(
    dep: Dependency, pred_start: int, pred_dur: int, succ_start: int, succ_dur: int
) -> int:
    """Slack of one relationship at given dates (slots); 0 means the link drives.

    FS: ``S(s) - lag - E(p)``; SS: ``S(s) - lag - S(p)``; FF: ``E(s) - lag - E(p)``;
    SF: ``E(s) - lag - S(p)``, i.e. ``S(s) - S(p) - start_distance``
    (:meth:`Dependency.start_distance`). Negative when the relationship is violated.
    """
    return succ_start - pred_start - dep.start_distance(pred_dur, succ_dur)


def compute_cpm(plan: Plan) -> CpmResult:
    """Logic CPM of a plan: early/late dates, floats and the longest path.

    A progressed plan (:attr:`Plan.data_date` set) is computed on its remaining plan
    (:func:`scheduler.progress.remaining_plan`, P6's progress rules) and mapped back
    as P6 shows it: a complete activity has ``es = ls`` = its actual start,
    ``ef = lf`` = its actual finish, floats 0 and is never critical; an activity in
    progress has ``es = ls`` = its actual start, ``ef``/``lf`` the early and late
    finish of its remaining work and total float ``lf - ef`` (P6's finish float, as P6
    computes the float of started activities); the others are unchanged.

    Method: CPM forward and backward passes (Kelley & Walker 1959) generalized to
    the four precedence types, leads and maximal lags (Metra Potential Method,
    Roy 1962; RCPSP/max time windows, Bartusch, Möhring & Radermacher 1988),
    computed by label-correcting passes over a topological order (one pass each
    when there is no ``max_lag``; O(V + E) per pass). Resources, budgets and
    blackouts are ignored.

    Parameters
    ----------
    plan
        The plan; all times in grid slots (days or working days).

    Returns
    -------
    CpmResult
        ``times`` per activity (ES, EF, LS, LF exclusive ends, total float
        ``LS - ES`` which is negative where a due date is tighter than the logic,
        free float, ``critical``); ``project_finish`` (latest early finish, slot);
        ``chains``: the critical chains (P6 "longest path") start to finish, at
        most :data:`MAX_CHAINS` of them.

    Raises
    ------
    scheduler.graph.CycleError
        A ``ValueError``: ``max_lag`` constraints form a positive cycle with the lags
        (no early dates exist); the message and ``.cycle`` name its activities in order.

    A plan read with its file's calendars (:attr:`Plan.calendars`, P6 XER) while they
    still describe it (:func:`scheduler.calendar_cpm.describes`) is computed in hours
    on each activity's own calendar instead (:func:`scheduler.calendar_cpm.calendar_cpm`,
    P6's dates), mapped onto the grid; floats are whole days rounded down.

    Notes
    -----
    Free float is the least slack at early dates of the relationships to the
    activity's successors, of the ``max_lag`` relationships into it read backwards
    (``S(pred) - S(succ) + max distance``: a slip past it pulls the predecessor later),
    and of the project finish (``project_finish - EF``); 0 for a pinned
    (``fixed_start``) activity. It never exceeds total float unless a due date or a
    pin binds the late dates. ``critical``
    follows P6's longest path: from each activity with ``EF == project_finish``,
    trace back through *driving* relationships (zero slack at early dates) to
    chain starts. A link is critical only if it drives.
    """
    if plan.calendars is not None:
        from scheduler.calendar_cpm import calendar_cpm, describes

        if describes(plan.calendars, plan):
            try:
                return calendar_cpm(plan).result(plan.grid, plan.calendars)
            except ValueError as exc:  # a cycle: the day-grid passes below name it
                log.info("hour CPM not used: %s", exc)
    remaining, progress = remaining_plan(plan)
    result = _logic_cpm(remaining)
    return _progressed(result, progress) if progress.active else result


def _progressed(result: CpmResult, progress: ProgressMap) -> CpmResult:
    """The CPM of a remaining plan shown at the progressed plan's dates (see compute_cpm)."""
    times = dict(result.times)
    for aid, a_s in progress.actual_start.items():
        t = times[aid]
        if progress.status[aid] == "complete":
            a_f = progress.actual_finish[aid]
            times[aid] = ActivityTimes(es=a_s, ef=a_f, ls=a_s, lf=a_f, total_float=0, free_float=0)
        else:
            times[aid] = ActivityTimes(
                es=a_s,
                ef=t.ef,
                ls=a_s,
                lf=t.lf,
                total_float=t.lf - t.ef,
                free_float=t.free_float,
                critical=t.critical,
            )
    chains = [
        c for c in result.chains if any(progress.status[x] != "complete" for x in c)
    ] or result.chains
    return CpmResult(times=times, project_finish=result.project_finish, chains=chains)


def _logic_cpm(plan: Plan) -> CpmResult:
    """:func:`compute_cpm` of a plan without progress."""
    acts = plan.activities
    n = len(acts)
    ids = [a.id for a in acts]
    dur = [a.duration for a in acts]
    graph = DependencyGraph(ids, dur, plan.dependencies)
    pinned = [a.fixed_start is not None for a in acts]

    # -- forward and backward passes -------------------------------------------------------
    es = graph.earliest([_early_bound(a) for a in acts], pinned=pinned)
    ef = [es[i] + dur[i] for i in range(n)]
    project_finish = max(ef, default=0)
    ls = graph.latest([_late_bound(a, project_finish) for a in acts], pinned=pinned)

    # -- floats ----------------------------------------------------------------------------
    # free float: the least slack, at early dates, of every constraint a slip of the
    # activity alone could break: FS/SS/FF/SF into a successor (slack = S(succ) - S(pred)
    # - lo), a max_lag read backwards (S(pred) >= S(succ) - hi: the successor of a
    # max_lag slipping would pull its predecessor later, slack = S(pred) - S(succ) + hi),
    # and the project finish (every activity precedes it). So FF <= TF whenever the late
    # dates are bounded by the project finish alone; a pinned (fixed_start) activity
    # cannot slip: 0.
    free = [project_finish - ef[i] for i in range(n)]
    driving_preds: list[list[int]] = [[] for _ in range(n)]
    for e in graph.edges:
        slack = e.slack(es[e.pred], es[e.succ])
        if slack == 0:
            driving_preds[e.succ].append(e.pred)
        free[e.pred] = min(free[e.pred], slack)
        if e.hi is not None:
            back = es[e.pred] - es[e.succ] + e.hi
            free[e.succ] = min(free[e.succ], back)
            if back == 0:
                # A max_lag that is tight also drives (it pulls the predecessor later);
                # it has no P6 counterpart.
                driving_preds[e.pred].append(e.succ)
    free = [0 if pinned[i] else free[i] for i in range(n)]

    critical, chains = _longest_path(ef, project_finish, driving_preds)
    times = {
        ids[i]: ActivityTimes(
            es=es[i],
            ef=ef[i],
            ls=ls[i],
            lf=ls[i] + dur[i],
            total_float=ls[i] - es[i],
            free_float=free[i],
            critical=critical[i],
        )
        for i in range(n)
    }
    return CpmResult(
        times=times,
        project_finish=project_finish,
        chains=[[ids[i] for i in chain] for chain in chains],
    )


def _early_bound(a: Activity) -> int:
    """Lower bound on ES before logic: 0, release; a fixed start pins it."""
    if a.fixed_start is not None:
        return a.fixed_start
    return max(0, a.release or 0)


def _late_bound(a: Activity, project_finish: int) -> int:
    """Upper bound on LS before logic: project finish, due and deadline; a fixed start pins it."""
    if a.fixed_start is not None:
        return a.fixed_start
    lf = min([project_finish, *(d for d in (a.due, a.deadline) if d is not None)])
    return lf - a.duration


def _longest_path(
    ef: Sequence[int],
    project_finish: int,
    driving_preds: Sequence[Sequence[int]],
) -> tuple[list[bool], list[list[int]]]:
    """Mark the driving subgraph behind the finish and enumerate its chains.

    Every activity reached backwards from an activity with ``EF == project_finish``
    through driving relationships is critical. Chains are the simple paths of that
    subgraph, traced backwards from its last activities (ends without a driving
    successor) to chain starts (no driving predecessor not already on the chain);
    at most :data:`MAX_CHAINS`, in the order the activities are listed.

    Returns
    -------
    critical, chains
        Flags per activity index, and chains as index lists start → finish.
    """
    n = len(ef)
    critical = [False] * n
    ends = [i for i in range(n) if ef[i] == project_finish]
    stack = list(ends)
    for i in ends:
        critical[i] = True
    while stack:
        v = stack.pop()
        for u in driving_preds[v]:
            if not critical[u]:
                critical[u] = True
                stack.append(u)

    preds = [sorted(set(driving_preds[v])) if critical[v] else [] for v in range(n)]
    has_succ = [False] * n
    for v in range(n):
        for u in preds[v]:
            if u != v:
                has_succ[u] = True
    last = [i for i in ends if not has_succ[i]] or ends  # all ends when on a zero cycle

    chains: list[list[int]] = []
    for root in last:
        path = [root]
        on_path = {root}
        iters = [iter(preds[root])]
        while iters and len(chains) < MAX_CHAINS:
            nxt = next(iters[-1], None)
            if nxt is None:
                if all(u in on_path for u in preds[path[-1]]):
                    chains.append(path[::-1])
                iters.pop()
                on_path.discard(path.pop())
                continue
            if nxt in on_path:
                continue
            path.append(nxt)
            on_path.add(nxt)
            iters.append(iter(preds[nxt]))
        if len(chains) >= MAX_CHAINS:
            log.info("more than %d critical chains; listing the first %d", MAX_CHAINS, MAX_CHAINS)
            break
    return critical, chains


def float_critical(result: CpmResult, threshold: int = 0) -> set[str]:
    """Activities whose total float is at most ``threshold`` slots.

    This is the other common definition of "critical" (P6 ``CT_TotFloat`` with
    ``critical_drtn_hr_cnt``, MS Project "tasks are critical if slack is less than
    or equal to"), kept for comparing with those tools' flags; SPEC §4's
    ``critical`` is the longest path (:func:`compute_cpm`).
    """
    return {aid for aid, t in result.times.items() if t.total_float <= threshold}


# -- driving path of the solved plan -----------------------------------------------------


def driving_path(plan: Plan, starts: Mapping[str, int]) -> tuple[list[str], list[DrivingLink]]:
    """The chain of links that fixes the solved plan's finish date.

    A progressed plan's path is traced on its remaining plan
    (:func:`scheduler.progress.remaining_plan`) at the remaining plan's starts
    (:attr:`Schedule.starts <scheduler.solution.Schedule.starts>`), and a path that
    stops on progress says so: ``constraint`` ``"data date 2027-03-31"`` (work that
    resumes or starts on the data date), ``"actual finish 2027-03-04"`` (a complete
    activity), or a ``logic`` link from the activity whose actual date holds it back
    (``"SS lag 2 from A's actual start 2027-03-02"``), that activity then first.
    The steps below are those of a plan without progress.

    Starting from the activity that ends last (ties: one that no other of them
    precedes, e.g. the finish milestone; then the first listed), ask
    repeatedly why activity ``j`` could not start one slot earlier, in this order:

    1. ``logic``: a dependency into ``j`` that holds with equality at the solved
       dates (or a ``max_lag`` out of ``j`` that does) → to that other activity;
    2. ``resource``: starting at ``start - 1`` would exceed a resource's capacity on
       slot ``start - 1`` → to an activity using that resource that ends at
       ``start`` (else one occupying slot ``start - 1``);
    3. ``budget``: the solver's spend (:func:`scheduler.model.period_spend`)
       of the budget period containing slot ``start - 1`` would exceed its cap → to
       an activity spending in that period that ends at ``start`` (else one
       occupying ``start - 1``, else the latest-ending one in the period);
    4. ``blackout``: a blackout of ``j`` ends exactly at ``start`` (stops);
    5. ``constraint``: ``release``, ``fixed_start`` or slot 0 (stops).

    If nothing blocks ``j``, the path stops there.

    Parameters
    ----------
    plan
        The plan.
    starts
        Activity id → solved start slot.

    Returns
    -------
    ids, links
        Activity ids on the driving path, start → finish, and the links between
        them in the same order (a final ``blackout``/``constraint`` link with an
        empty ``predecessor`` when the first activity is held by one).
    """
    remaining, progress = remaining_plan(plan)
    ids, links = _driving_path(remaining, starts)
    if progress.active and links and links[0].kind == "constraint":
        _explain_progress(plan, progress, starts, ids, links)
    return ids, links


def _explain_progress(
    plan: Plan,
    progress: ProgressMap,
    starts: Mapping[str, int],
    ids: list[str],
    links: list[DrivingLink],
) -> None:
    """Rename the path's stopping link when progress is what holds it (in place)."""
    grid = plan.grid
    j = links[0].successor
    s = int(starts[j])
    original = next(a for a in plan.activities if a.id == j)
    bound = progress.bounds.get(j)
    status = progress.status[j]
    if bound is not None and bound.slot == s and bound.predecessor:
        links[0] = DrivingLink(bound.predecessor, j, "logic", bound.reason)
        if bound.predecessor not in ids:
            ids.insert(0, bound.predecessor)
    elif status == "complete":
        last = grid.finish_date(progress.actual_start[j], progress.actual_finish[j])
        links[0] = DrivingLink("", j, "constraint", f"actual finish {last.isoformat()}")
    elif s == progress.data_date and (
        status == "in_progress" or ((original.release or 0) < s and original.fixed_start != s)
    ):
        links[0] = DrivingLink("", j, "constraint", f"data date {grid.date_of(s).isoformat()}")


def _driving_path(plan: Plan, starts: Mapping[str, int]) -> tuple[list[str], list[DrivingLink]]:
    """:func:`driving_path` of a plan without progress."""
    acts = plan.activities
    if not acts:
        return [], []
    by_id = {a.id: a for a in acts}
    start = {a.id: int(starts[a.id]) for a in acts}
    end = {a.id: start[a.id] + a.duration for a in acts}
    last = max(end.values())
    tied = [a.id for a in acts if end[a.id] == last]
    # among activities that end last, start from one that no other of them precedes
    # (the finish milestone rather than the work it marks)
    preceding = {d.predecessor for d in plan.dependencies if d.successor in tied}
    j = next((x for x in tied if x not in preceding), tied[0])

    ctx = _DrivingContext(plan, start, end)
    path = [j]
    visited = {j}
    links: list[DrivingLink] = []
    while True:
        link = ctx.why_not_earlier(by_id[j], visited)
        if link is None:
            break
        links.append(link)
        if not link.predecessor or link.predecessor in visited:
            break
        j = link.predecessor
        path.append(j)
        visited.add(j)
    path.reverse()
    links.reverse()
    return path, links


def holding_links(
    plan: Plan, starts: Mapping[str, int], ids: Sequence[str]
) -> dict[str, DrivingLink | None]:
    """For each activity of ``ids``, the link that keeps it from starting a slot earlier.

    The question :func:`driving_path` asks of each activity on its path (logic, then
    resource, budget, blackout, then a time constraint), asked of any activity of a
    solved plan: what drove a slip (:func:`scheduler.baseline.compare`). None when
    nothing holds it. A progressed plan is asked on its remaining plan, as
    :func:`driving_path` (the data date then holds as a release).

    Parameters
    ----------
    plan
        The plan.
    starts
        Activity id → solved start slot (the remaining plan's), every activity.
    ids
        The activities to ask about.
    """
    remaining, _ = remaining_plan(plan)
    start = {a.id: int(starts[a.id]) for a in remaining.activities}
    end = {a.id: start[a.id] + a.duration for a in remaining.activities}
    by_id = {a.id: a for a in remaining.activities}
    ctx = _DrivingContext(remaining, start, end)
    return {j: ctx.why_not_earlier(by_id[j], {j}) for j in ids}


class _DrivingContext:
    """Lookups of a solved plan for :func:`driving_path` (built once, O(V + E))."""

    def __init__(self, plan: Plan, start: Mapping[str, int], end: Mapping[str, int]) -> None:
        self.plan = plan
        self.start = start
        self.end = end
        self.dur = {a.id: a.duration for a in plan.activities}
        self.into: dict[str, list[Dependency]] = {}
        self.out_of: dict[str, list[Dependency]] = {}
        for dep in plan.dependencies:
            self.into.setdefault(dep.successor, []).append(dep)
            if dep.max_lag is not None:
                self.out_of.setdefault(dep.predecessor, []).append(dep)
        self.demands = plan.demands_of()
        self.resources = {r.id: r for r in plan.resources}
        self.users: dict[str, list[tuple[str, int]]] = {}
        for d in plan.demands:
            if d.amount > 0:
                self.users.setdefault(d.resource, []).append((d.activity, d.amount))
        self._spend: dict[int, dict[str, int]] = {}

    def spent_by(self, k: int) -> dict[str, int]:
        """Activity id → its solver spend (:func:`period_spend`) in budget period ``k``,
        for the activities that spend there (plan order)."""
        if k not in self._spend:
            b = self.plan.budgets[k]
            spent: dict[str, int] = {}
            for x in self.plan.activities:
                ov = max(0, min(self.end[x.id], b.end) - max(self.start[x.id], b.start))
                money = period_spend(x.cost, x.duration, ov)
                if money:
                    spent[x.id] = money
            self._spend[k] = spent
        return self._spend[k]

    def period_spend(self, k: int) -> tuple[int, list[str]]:
        """Solver spend (:func:`period_spend`) of budget period ``k`` and its spenders."""
        spent = self.spent_by(k)
        return sum(spent.values()), list(spent)

    def budget_words(self, k: int, j: str, fillers: Sequence[str]) -> str:
        """What holds ``j`` at budget period ``k``, in a planner's words.

        ``"budget FY2027 is spent to its cap of 120 (100M KRW) by A, C and D (+2 more):
        an earlier start of B would spend more in FY2027"``; the fillers are the other
        activities spending in the period, most spent first (ties: plan order).
        """
        b = self.plan.budgets[k]
        spent = self.spent_by(k)
        order = sorted(fillers, key=lambda x: -spent.get(x, 0))  # stable: plan order on ties
        names = order[:3]
        text = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        more = f" (+{len(order) - 3} more)" if len(order) > 3 else ""
        cap = f"{b.cap / MONEY_SCALE:,.2f}".rstrip("0").rstrip(".")
        by = f" by {text}{more}" if text else ""
        return (
            f"budget {b.label} is spent to its cap of {cap} (100M KRW){by}: an earlier "
            f"start of {j} would spend more in {b.label}"
        )

    def why_not_earlier(self, a: Activity, visited: set[str]) -> DrivingLink | None:
        """The first reason (see :func:`driving_path`) ``a`` cannot start one slot earlier."""
        start, end, dur = self.start, self.end, self.dur
        j, s, e = a.id, start[a.id], end[a.id]

        # 1. logic: a tight dependency (prefer one whose other end is not yet on the path)
        tight: list[DrivingLink] = []
        for dep in self.into.get(j, []):
            p = dep.predecessor
            if relationship_slack(dep, start[p], dur[p], s, a.duration) == 0:
                tight.append(DrivingLink(p, j, "logic", f"{dep.type} lag {dep.lag}"))
        for dep in self.out_of.get(j, []):
            q = dep.successor
            assert dep.max_lag is not None
            if relationship_slack(dep, s, a.duration, start[q], dur[q]) == dep.max_lag - dep.lag:
                tight.append(DrivingLink(q, j, "logic", f"{dep.type} max_lag {dep.max_lag}"))
        if tight:
            fresh = [lk for lk in tight if lk.predecessor not in visited]
            return (fresh or tight)[0]

        t = s - 1
        if t >= 0 and a.duration > 0:
            # 2. resource: slot t would be over capacity with a on it
            for dm in self.demands.get(j, []):
                if dm.amount <= 0:
                    continue
                users = [(u, q) for u, q in self.users.get(dm.resource, []) if u != j]
                others = [u for u, _ in users if start[u] <= t < end[u]]
                use = sum(q for u, q in users if start[u] <= t < end[u])
                if use + dm.amount > self.resources[dm.resource].capacity_at(t):
                    ending = [u for u, _ in users if end[u] == s]
                    blocker = _first(ending, visited) or _first(others, visited)
                    return DrivingLink(blocker or "", j, "resource", dm.resource)

            # 3. budget: the solver's spend in the period holding slot t would pass the cap
            rate = period_spend(a.cost, a.duration, 1)  # one more slot in the period
            if rate > 0:
                for k, b in enumerate(self.plan.budgets):
                    if not (b.start <= t < b.end) or (b.start <= e - 1 < b.end):
                        continue
                    spend, spenders = self.period_spend(k)
                    if spend + rate > b.cap:
                        cands = [x for x in spenders if x != j]
                        ending = [x for x in cands if end[x] == s]
                        occupying = [x for x in cands if start[x] <= t < end[x]]
                        latest = sorted(cands, key=lambda x: -end[x])
                        blocker = (
                            _first(ending, visited)
                            or _first(occupying, visited)
                            or _first(latest, visited)
                        )
                        return DrivingLink(
                            blocker or "", j, "budget", self.budget_words(k, j, cands)
                        )

            # 4. blackout ending exactly at the start
            for bo in self.plan.blackouts_of(a):
                if bo.end == s and bo.start < bo.end:
                    grid = self.plan.grid
                    last = grid.finish_date(bo.start, bo.end).isoformat()
                    detail = bo.reason or f"{bo.scope} {grid.date_of(bo.start)} to {last}"
                    return DrivingLink("", j, "blackout", detail)

        # 5. time constraints
        # (details name dates, as the workbook does, not grid offsets)
        if a.fixed_start is not None and a.fixed_start == s:
            day = self.plan.grid.date_of(s).isoformat()
            return DrivingLink("", j, "constraint", f"fixed_start {day}")
        if a.release is not None and a.release == s:
            day = self.plan.grid.date_of(s).isoformat()
            return DrivingLink("", j, "constraint", f"release {day}")
        if s == 0:
            return DrivingLink("", j, "constraint", "plan start")
        return None


def _first(candidates: Sequence[str], visited: set[str]) -> str | None:
    """First candidate not yet on the path (None if there is none)."""
    for c in candidates:
        if c not in visited:
            return c
    return None
