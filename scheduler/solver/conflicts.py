"""Why a plan is infeasible: a minimal conflicting set and the horizon it needs.

The model is built a second time with one *enforcement literal* per constraint
group a planner could relax (each due date, the horizon, each budget cap, each
fixed start, each blackout, each release, each max lag); dependencies' minimum
lags and resource capacities stay hard. CP-SAT solves it with all literals as
assumptions and returns a sufficient subset
(``sufficient_assumptions_for_infeasibility``), which is then shrunk by deletion
(QuickXplain-style "deletion filter", Chinneck & Dravnieks 1991): each member is
dropped in turn and kept out if the rest is still infeasible.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.model import MONEY_SCALE, Plan, period_spend
from scheduler.solution import Conflict
from scheduler.solver.check import check_schedule
from scheduler.solver.constraints import (
    add_budgets,
    add_dependencies,
    add_plan_limits,
    add_resources,
)
from scheduler.solver.cp_model import cp_solve
from scheduler.solver.data import Instance
from scheduler.solver.objective import makespan_var
from scheduler.solver.options import SolveOptions
from scheduler.solver.sgs import sgs
from scheduler.solver.variables import make_variables

__all__ = ["Explanation", "explain", "min_horizon"]

log = logging.getLogger(__name__)

#: Seconds for the first solve with all assumptions, and for each deletion test (at
#: most: both stop at the caller's deadline).
CORE_LIMIT_S = 10.0
SHRINK_LIMIT_S = 1.0
#: Seconds for the relaxed solve of :func:`min_horizon`, at most (and at most a quarter
#: of the time left).
RELAXED_LIMIT_S = 5.0

Group = tuple[str, int]


@dataclass(slots=True)
class Explanation:
    """Why a plan is infeasible.

    Attributes
    ----------
    conflicts
        A minimal conflicting set in the planner's words (never empty).
    min_horizon
        Makespan (slots) with horizon and due dates lifted, or None when even that is
        infeasible (or nothing was found in the time left).
    relaxed
        That schedule (activity id → start slot), or None.
    """

    conflicts: list[Conflict]
    min_horizon: int | None = None
    relaxed: dict[str, int] | None = field(default=None)


def explain(
    plan: Plan,
    inst: Instance,
    opts: SolveOptions,
    *,
    soft_due: bool = False,
    deadline: float | None = None,
) -> Explanation:
    """Minimal conflicting set of a plan proven infeasible, and its relaxed schedule.

    Parameters
    ----------
    plan, inst
        The plan and its index.
    opts
        Solve options (seed and workers are used; the core search runs on one
        worker, as CP-SAT's assumption cores need).
    soft_due
        Due dates are soft (tardiness objective): they are not candidates.
    deadline
        :func:`time.monotonic` instant by which the explanation must be done (None:
        the solve's own limits, :data:`CORE_LIMIT_S` etc.).

    Returns
    -------
    Explanation
    """
    end = time.monotonic() + CORE_LIMIT_S + 20 * SHRINK_LIMIT_S if deadline is None else deadline
    min_h, relaxed = min_horizon(inst, opts, deadline=end)
    singles = _single_culprits(inst, soft_due)
    if singles:
        return Explanation([_describe(inst, g, min_h) for g in singles], min_h, relaxed)
    core = _core(inst, opts, soft_due, end)
    if core is None:
        conflicts = [
            Conflict(
                "unexplained",
                "the constraints cannot all hold (proven), but the smallest set of them "
                "that conflicts was not isolated in the time left; a longer time limit "
                "would name it",
            )
        ]
    elif not core:
        conflicts = [
            Conflict(
                "capacity",
                "the dependencies and resource capacities cannot all hold, whatever the "
                "dates, budgets and blackouts",
            )
        ]
    else:
        conflicts = [_describe(inst, g, min_h) for g in core]
    return Explanation(conflicts, min_h, relaxed)


def min_horizon(
    inst: Instance, opts: SolveOptions, *, deadline: float | None = None
) -> tuple[int | None, dict[str, int] | None]:
    """Makespan (slots) the plan needs with the horizon and due dates lifted.

    A constructive schedule on the relaxed plan, improved by a short CP-SAT solve
    (at most :data:`RELAXED_LIMIT_S`, a quarter of the limit, and a quarter of the time
    to ``deadline``).

    Returns
    -------
    (makespan, starts)
        Both None when the relaxed plan is still infeasible (e.g. a budget cap too
        small) or nothing was found in the time.
    """
    big = inst.relaxed_horizon()
    bounds = inst.start_bounds(big, due=False)
    if bounds is None:
        return None, None
    es, ls = bounds
    cons = sgs(inst)
    ub = big
    hint = None
    if cons is not None and not check_schedule(
        inst.plan, cons, soft_due=True, horizon=big, instance=inst
    ):
        hint = cons
        ub = max(cons[a.id] + a.duration for a in inst.plan.activities) if cons else 0
        tb = inst.start_bounds(ub, due=False)
        if tb is not None:
            es, ls = tb
    cp_lb = max((es[i] + inst.dur[i] for i in range(inst.n)), default=0)
    limit = min(RELAXED_LIMIT_S, max(1.0, (opts.time_limit_s or RELAXED_LIMIT_S) / 4))
    now = time.monotonic()
    if deadline is not None:
        limit = min(limit, max(0.01, (deadline - now) / 4))
    res = cp_solve(
        inst,
        opts,
        ["makespan"],
        es=es,
        ls=ls,
        horizon=ub,
        cp_lb=cp_lb,
        hint=hint,
        limit=limit,
        wall_end=now + limit,
    )
    if res.objective is not None and res.starts:
        return int(res.objective), res.starts
    if hint is not None:
        return ub, hint
    return None, None


def _single_culprits(inst: Instance, soft_due: bool) -> list[Group]:
    """Due dates and the horizon that the dependency logic alone already breaks.

    Each is a minimal conflicting set by itself (of one constraint against the hard
    dependencies); found by one forward pass, so large plans get an answer at once.
    """
    bounds = inst.start_bounds(
        inst.relaxed_horizon(),
        due=False,
        release=False,
        fixed=False,
        blackouts=False,
        max_lag=False,
    )
    if bounds is None:
        return []
    es = bounds[0]
    plan = inst.plan
    out: list[Group] = []
    if not soft_due:
        for i, a in enumerate(plan.activities):
            if a.due is not None and es[i] + a.duration > a.due:
                out.append(("due", i))
    if max((es[i] + inst.dur[i] for i in range(inst.n)), default=0) > plan.horizon:
        out.append(("horizon", 0))
    return out


def _build(inst: Instance, soft_due: bool) -> tuple[cp_model.CpModel, dict[Group, cp_model.IntVar]]:
    """The explanation model: hard dependencies and capacities, enforced limits."""
    plan = inst.plan
    big = inst.relaxed_horizon()
    bounds = inst.start_bounds(
        big, due=False, release=False, fixed=False, blackouts=False, max_lag=False
    )
    assert bounds is not None  # dependency DAG with a long horizon
    es, ls = bounds
    model = cp_model.CpModel()
    v = make_variables(model, inst, es, ls, blackouts=False)
    groups: dict[Group, cp_model.IntVar] = {("horizon", 0): model.new_bool_var("horizon")}
    for i, a in enumerate(plan.activities):
        if a.due is not None and not soft_due:
            groups["due", i] = model.new_bool_var(f"due_{a.id}")
        if a.release is not None and a.release > es[i]:
            groups["release", i] = model.new_bool_var(f"release_{a.id}")
        if a.fixed_start is not None:
            groups["fixed_start", i] = model.new_bool_var(f"fixed_{a.id}")
    for b, bo in enumerate(plan.blackouts):
        if bo.end > bo.start:
            groups["blackout", b] = model.new_bool_var(f"blackout_{b}")
    ml = {}
    for k, e in enumerate(inst.edges):
        if e.hi is not None:
            ml[k] = groups["max_lag", k] = model.new_bool_var(f"maxlag_{k}")
    bl = {}
    for k, _ in enumerate(plan.budgets):
        bl[k] = groups["budget", k] = model.new_bool_var(f"budget_{k}")
    add_dependencies(model, inst, v, ml)
    cp_lb = max((es[i] + inst.dur[i] for i in range(inst.n)), default=0)
    mk = makespan_var(model, inst, v, cp_lb, big)
    add_resources(model, inst, v, big)
    add_budgets(model, inst, v, bl)
    add_plan_limits(model, inst, v, mk, plan.horizon, groups)
    return model, groups


def _run(
    model: cp_model.CpModel, lits: list[cp_model.IntVar], limit: float, seed: int
) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    model.clear_assumptions()
    model.add_assumptions(lits)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = limit
    return solver.solve(model), solver


def _core(
    inst: Instance, opts: SolveOptions, soft_due: bool, deadline: float
) -> list[Group] | None:
    """Minimal set of groups that cannot all hold (None if not proven infeasible)."""
    model, groups = _build(inst, soft_due)
    by_index = {lit.index: g for g, lit in groups.items()}
    order = list(groups)

    def left(cap: float) -> float:
        return max(0.01, min(cap, deadline - time.monotonic()))

    st, solver = _run(model, [groups[g] for g in order], left(CORE_LIMIT_S), opts.seed)
    if st != cp_model.INFEASIBLE:
        log.warning("explanation model not proven infeasible (status %s)", solver.status_name(st))
        return None
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    if not core:
        return []
    k = 0
    while k < len(core):
        trial = core[:k] + core[k + 1 :]
        if time.monotonic() >= deadline:
            break  # out of time: the rest of the core stays in (sufficient, maybe not minimal)
        st, _ = _run(model, [groups[g] for g in trial], left(SHRINK_LIMIT_S), opts.seed)
        if st == cp_model.INFEASIBLE:
            core = trial  # core[k] is not needed
        else:
            k += 1  # needed (or not proven unneeded in the short limit)
    order_pos = {g: n for n, g in enumerate(order)}
    return sorted(core, key=lambda g: order_pos[g])


def _chain(inst: Instance, i: int, es: list[int]) -> list[str]:
    """The driving predecessor chain of activity ``i`` in the logic-only forward pass."""
    chain = [inst.ids[i]]
    j = i
    seen = {i}
    while True:
        nxt = None
        for k in inst.in_edges[j]:
            e = inst.edges[k]
            if es[e.pred] + e.lo == es[j] and e.pred not in seen:
                nxt = e.pred
                break
        if nxt is None or (es[nxt] == 0 and inst.dur[nxt] == 0 and not inst.in_edges[nxt]):
            break
        chain.append(inst.ids[nxt])
        seen.add(nxt)
        j = nxt
    return chain[::-1]


def _describe(inst: Instance, g: Group, min_h: int | None) -> Conflict:
    """The planner's sentence for one conflicting group."""
    plan = inst.plan
    grid = plan.grid
    kind, k = g
    if kind == "horizon":
        end = grid.date_of(plan.horizon - 1)
        if min_h is not None and min_h > plan.horizon:
            msg = (
                f"the horizon ending {end} is too short: the plan needs {min_h} days, "
                f"until {grid.date_of(min_h - 1)}"
            )
        else:
            msg = f"the horizon ending {end} cannot be kept together with the constraints listed"
        return Conflict("horizon", msg, [])
    if kind in ("due", "release", "fixed_start"):
        a = plan.activities[k]
        if kind == "due":
            assert a.due is not None
            due = grid.date_of(a.due - 1)
            bounds = inst.start_bounds(
                inst.relaxed_horizon(), due=False, fixed=False, blackouts=False, max_lag=False
            )
            if bounds is not None:
                es = bounds[0]
                ef = es[k] + a.duration
                if ef > a.due:
                    chain = _chain(inst, k, es)
                    what = (
                        f"its predecessor chain {' → '.join(chain)}"
                        if len(chain) > 1
                        else "its release and duration"
                    )
                    msg = (
                        f"due date {due} of {a.id} cannot be met: {what} needs until "
                        f"{grid.finish_date(es[k], ef)}"
                    )
                    return Conflict("due", msg, [a.id] if len(chain) == 1 else chain)
            return Conflict(
                "due",
                f"due date {due} of {a.id} cannot be met together with the constraints listed",
                [a.id],
            )
        if kind == "release":
            assert a.release is not None
            return Conflict("release", f"release date {grid.date_of(a.release)} of {a.id}", [a.id])
        assert a.fixed_start is not None
        return Conflict(
            "fixed_start", f"fixed start {grid.date_of(a.fixed_start)} of {a.id}", [a.id]
        )
    if kind == "blackout":
        bo = plan.blackouts[k]
        first = bo.first_day or grid.date_of(bo.start)
        last = bo.last_day or grid.date_of(max(bo.start, bo.end - 1))
        reason = f" ({bo.reason})" if bo.reason else ""
        acts = [
            inst.ids[i] for i in range(inst.n) if k in inst.blackout_hits[i] and inst.dur[i] > 0
        ]
        return Conflict("blackout", f"blackout{reason} {first} to {last} for {bo.scope}", acts)
    if kind == "max_lag":
        e = inst.edges[k]
        d = e.dep
        return Conflict(
            "max_lag",
            f"max lag {d.max_lag} days of {d.type} {d.predecessor} → {d.successor}",
            [d.predecessor, d.successor],
        )
    # budget
    b = plan.budgets[k]
    spend = 0
    fixed_ids = []
    for i, a in enumerate(plan.activities):
        if a.fixed_start is not None and inst.costs[i]:
            ov = max(0, min(a.fixed_start + a.duration, b.end) - max(a.fixed_start, b.start))
            if ov:
                spend += period_spend(inst.costs[i], a.duration, ov)
                fixed_ids.append(a.id)
    cap = b.cap / MONEY_SCALE
    if spend > b.cap:
        msg = (
            f"budget {b.label} cap {cap:,.2f} (100M KRW) is too small: the fixed starts of "
            f"{', '.join(fixed_ids)} alone spend {spend / MONEY_SCALE:,.2f} in it"
        )
        return Conflict("budget", msg, fixed_ids)
    return Conflict(
        "budget",
        f"budget {b.label} cap {cap:,.2f} (100M KRW) is too small for "
        "the work the other constraints listed put in it",
        fixed_ids,
    )
