"""The solve loop (:func:`solve`): constructive schedule, genetic algorithm, CP-SAT, explanations.

:func:`solve` is the engine's entry point. It splits the time limit between its steps
(none runs past its share), asks :func:`scheduler.solver.cp_model.cp_solve` for the
CP-SAT search and :func:`scheduler.solver.conflicts.explain` for why a plan is
infeasible, and answers with a :class:`~scheduler.solver.options.SolveResult`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from scheduler.model import WEIGHT_SCALE, Plan, resolve_objectives
from scheduler.progress import remaining_plan
from scheduler.solver.bounds import makespan_bounds
from scheduler.solver.check import check_schedule
from scheduler.solver.compact import left_justify
from scheduler.solver.conflicts import explain
from scheduler.solver.cp_model import MIN_STAGE_S, cp_solve
from scheduler.solver.data import Instance
from scheduler.solver.improve import applicable, applicable_full, improve_schedule
from scheduler.solver.objective import objective_value, stability_terms
from scheduler.solver.options import Progress, SolveOptions, SolveResult, SolveStatus
from scheduler.solver.sgs import sgs

__all__ = ["cp_setup_seconds", "improve_evals", "skip_cp_sat", "solve"]

log = logging.getLogger("scheduler.solver")

#: Share of the time limit kept back for left justification after the search (wall-clock
#: runs only; at most FINISH_RESERVE_S seconds).
FINISH_SHARE = 0.05
FINISH_RESERVE_S = 2.0
#: Seconds per activity that CP-SAT needs before it searches at all (building the model
#: with its complete hint, loading and presolving it), measured on the generated national
#: plans of ``infraplan bench scale``: cp_solve took 19.0 s at 100,000 activities with
#: 0.25 s of search (BENCHMARKS.md, "whole-command time and memory at scale").
CP_SETUP_S_PER_ACTIVITY = 0.0002


def cp_setup_seconds(n: int) -> float:
    """Estimated wall seconds CP-SAT needs on ``n`` activities before it searches."""
    return CP_SETUP_S_PER_ACTIVITY * n


def skip_cp_sat(left_s: float, n: int, objectives: int) -> bool:
    """True when a wall-clock run should answer with its constructive schedule.

    ``left_s`` seconds are left until the search's end; CP-SAT would spend
    :func:`cp_setup_seconds` before searching, and keeps at least
    :data:`~scheduler.solver.cp_model.MIN_STAGE_S` per objective anyway. It is skipped
    when its setup exceeds what is left plus that minimum, which happens only on large
    plans (over 1,250 activities with one objective): a small plan is still solved when
    reading used its limit up, a 100,000-activity plan does not overrun by its setup.
    """
    return cp_setup_seconds(n) > max(0.0, left_s) + MIN_STAGE_S * max(1, objectives)


def improve_evals(opts: SolveOptions, n: int, seconds: float) -> int:
    """Decoded-schedule budget of the genetic algorithm in a repeatable run.

    ``opts.improve_evals_per_s × seconds`` for plans of up to 128 activities, scaled
    by ``(128 / n)²`` above (a decode costs about n²); at least 1.
    """
    return max(1, int(opts.improve_evals_per_s * seconds * min(1.0, (128 / max(n, 1)) ** 2)))


def solve(
    plan: Plan,
    options: SolveOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> SolveResult:
    """Schedule ``plan`` with CP-SAT, starting from a constructive schedule.

    Steps: serial SGS (:func:`scheduler.solver.sgs.sgs`) gives a first plan and a
    hint; on a plain RCPSP with the makespan first, a genetic algorithm
    (:func:`scheduler.solver.improve.improve_schedule`, up to ``options.improve_share``
    of the limit) improves it, and the horizon is cut to the best makespan found;
    CP-SAT (:func:`scheduler.solver.cp_model.cp_solve`) solves the model, several
    objectives lexicographically; the answer is left-justified. If CP-SAT finds nothing
    in the limit, a feasible constructive schedule is the answer; without one the status
    is ``unknown`` (with notes on what was tried). If CP-SAT claims infeasibility
    although the constructive schedule is feasible, it is re-run with safer settings and
    never reported infeasible. A plan proven infeasible gets a minimal conflicting set,
    ``min_horizon_days`` and, when lifting the horizon and due dates makes it feasible,
    that schedule with ``overrun_days`` (:mod:`scheduler.solver.conflicts`).

    A progressed plan (:attr:`Plan.data_date` set) is solved as its remaining plan
    (:func:`scheduler.progress.remaining_plan`, P6's progress rules), and the answer's
    ``starts`` are that plan's: for an activity in progress the start of its remaining
    work, for a complete one its actual finish (``Schedule`` shows the actual dates).

    Parameters
    ----------
    plan
        The plan (integer grid slots and money).
    options
        Time limit (s) or deadline, seed, workers, objectives, repeatability, switches.
    progress
        Called with :class:`Progress` at every improving solution.

    Returns
    -------
    SolveResult

    Raises
    ------
    ValueError
        On an unknown objective name or cyclic dependencies.
    """
    opts = options or SolveOptions()
    plan, _ = remaining_plan(plan)
    objectives = resolve_objectives(plan, opts.objectives)
    t0 = time.monotonic()
    limit = plan.time_limit_s if opts.time_limit_s is None else opts.time_limit_s
    end = t0 + limit if opts.deadline is None else opts.deadline
    loop = _Loop(plan, opts, objectives, limit, end, t0, progress)
    result = loop.run()
    if result.starts and result.status.has_plan:
        inst = loop.inst
        # wall-clock runs stop at the end of their limit; repeatable ones do the same work
        stop = None if opts.repeatable else end
        # with a baseline, stability's activities move only back toward their baseline
        # start (or resume), never past it: late work left by the search is pulled back
        b = plan.baseline
        floor: dict[str, int] = {}
        keep: set[str] = set()
        if "stability" in objectives and b is not None:
            floor = {inst.ids[i]: t for i, t, _ in stability_terms(inst)}
            keep = (set(b.starts) | set(b.resume)) - set(floor)
        result.starts = left_justify(inst, result.starts, deadline=stop, keep=keep, floor=floor)
        alt = loop.alt
        if alt is not None and _lex(inst, alt, objectives) < _lex(inst, result.starts, objectives):
            # no stage may end worse than the feasible baseline it started from
            log.info("the baseline is better than the search's answer: answering with it")
            result.starts = dict(alt)
        result.objective = objective_value(inst, result.starts, objectives[0])
        if result.bound is not None:
            result.gap = (result.objective - result.bound) / max(result.objective, 1e-9)
    result.solve_seconds = time.monotonic() - t0
    return result


def _lex(inst: Instance, starts: dict[str, int], objectives: list[str]) -> tuple[int, ...]:
    """The objectives' values in order, in the model's integer units (lexicographic)."""
    return tuple(
        round(objective_value(inst, starts, o) * (1 if o == "makespan" else WEIGHT_SCALE))
        for o in objectives
    )


class _Loop:
    """One run of :func:`solve` (before left justification)."""

    def __init__(
        self,
        plan: Plan,
        opts: SolveOptions,
        objectives: list[str],
        limit: float,
        end: float,
        t0: float,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        self.plan, self.opts, self.objectives = plan, opts, objectives
        self.limit, self.t0, self.progress = limit, t0, progress
        self.soft_due = "tardiness" in objectives
        if opts.repeatable:  # work budgets; the clock only as a backstop
            self.search_end = self.wall_end = end + (opts.wall_backstop - 1.0) * limit
        else:
            reserve = min(FINISH_SHARE * limit, FINISH_RESERVE_S)
            self.search_end, self.wall_end = end - reserve, end
        self.repeatable = opts.repeatable
        self.inst = Instance.from_plan(plan)
        self.cons: dict[str, int] | None = None
        self.alt: dict[str, int] | None = None  # the feasible baseline (baseline_hint)
        self.first_feasible: float | None = None
        self.work_used = 0.0  # repeatable runs: seconds of limit spent by the GA budget
        self.full_searched = False  # the full-model GA ran (its schedule is the hint)

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def report(self, bound: float | None) -> None:
        """Report the constructive (or improved) schedule as progress."""
        if self.progress is not None and self.cons is not None:
            obj = objective_value(self.inst, self.cons, self.objectives[0])
            self.progress(Progress(obj, bound, self.elapsed()))

    def result(self, status: SolveStatus, **kw: object) -> SolveResult:
        return SolveResult(status=status, repeatable=self.repeatable, **kw)  # type: ignore[arg-type]

    def from_constructive(self, bound: float | None = None) -> SolveResult:
        assert self.cons is not None
        obj = objective_value(self.inst, self.cons, self.objectives[0])
        gap = None if bound is None else (obj - bound) / max(obj, 1e-9)
        return self.result(
            SolveStatus.FEASIBLE,
            starts=dict(self.cons),
            objective=obj,
            bound=bound,
            gap=gap,
            first_feasible_seconds=self.first_feasible,
            source="constructive",
        )

    def run(self) -> SolveResult:
        plan, inst, opts, objectives = self.plan, self.inst, self.opts, self.objectives
        cons = sgs(inst)
        cons_ok = cons is not None and not check_schedule(
            plan, cons, soft_due=self.soft_due, instance=inst
        )
        if cons_ok:
            self.cons, self.first_feasible = cons, self.elapsed()
        log.info(
            "constructive schedule: %s after %.2fs",
            "feasible" if cons_ok else "not feasible",
            self.elapsed(),
        )
        hz = plan.horizon
        bounds = inst.start_bounds(hz, due=not self.soft_due)
        cp_bound = None
        if bounds is not None and objectives[0] == "makespan":
            cp_bound = float(max((bounds[0][i] + inst.dur[i] for i in range(inst.n)), default=0))
        self.report(cp_bound)
        if bounds is None:
            if cons_ok:  # bounds are implied by a feasible schedule: cannot happen
                log.error("start bounds crossed although the constructive schedule is feasible")
                return self.from_constructive()
            return self.infeasible()
        if opts.improve_share > 0 and objectives[0] == "makespan" and cons_ok:
            if applicable(inst):
                self.improve(bounds)
                self.report(cp_bound)
            elif opts.full_share > 0 and applicable_full(inst):
                self.improve(bounds, full=True)
                self.full_searched = True
                self.report(cp_bound)
        alt = self.alt = self.baseline_hint()
        if alt is not None and (
            self.cons is None or _lex(inst, alt, objectives) <= _lex(inst, self.cons, objectives)
        ):
            self.cons = alt  # the baseline still fits: start from it (and fall back to it)
            if self.first_feasible is None:
                self.first_feasible = self.elapsed()
        # large plans the full-model GA searched: CP-SAT's makespan stage as LNS only
        lns = (
            self.full_searched
            and opts.lns_from is not None
            and inst.n >= opts.lns_from
            and not opts.repeatable
        )
        tight_hz = hz
        if objectives[0] == "makespan" and self.cons is not None:
            tight_hz = min(hz, int(objective_value(inst, self.cons, "makespan")))
            tb = inst.start_bounds(tight_hz, due=not self.soft_due)
            if tb is not None:
                bounds = tb
            else:
                tight_hz = hz
        es, ls = bounds
        cp_lb = max((es[i] + inst.dur[i] for i in range(inst.n)), default=0)
        if objectives[0] == "makespan":
            named = makespan_bounds(inst, es)
            log.info("makespan lower bounds: %s", named)
            # valid for every schedule within tight_hz: never above the incumbent's
            cp_lb = max(cp_lb, min(max(named.values()), tight_hz))
        if len(objectives) == 1 and objectives[0] == "makespan" and cons_ok and tight_hz <= cp_lb:
            log.info("constructive schedule meets the lower bound %d: optimal", cp_lb)
            return self.result(
                SolveStatus.OPTIMAL,
                starts=dict(self.cons or {}),
                objective=float(cp_lb),
                bound=float(cp_lb),
                gap=0.0,
                first_feasible_seconds=self.first_feasible,
                source="constructive",
            )

        def cp(safe: bool):  # type: ignore[no-untyped-def]
            res = cp_solve(
                inst,
                opts,
                objectives,
                es=es,
                ls=ls,
                horizon=tight_hz,
                cp_lb=cp_lb,
                hint=self.cons,
                limit=max(0.01, self.limit - self.work_used),
                wall_end=self.search_end,
                progress=self.progress,
                t0=self.t0,
                safe=safe,
                alt_hint=alt,
                lns=lns,
            )
            self.repeatable = self.repeatable and res.repeatable
            return res

        left = self.search_end - time.monotonic()
        if cons_ok and not opts.repeatable and skip_cp_sat(left, inst.n, len(objectives)):
            setup = cp_setup_seconds(inst.n)
            log.info("%.1fs left, CP-SAT needs about %.1fs to start: not run", left, setup)
            out = self.from_constructive(
                bound=float(cp_lb) if objectives[0] == "makespan" else None
            )
            out.notes.append(
                f"CP-SAT was not run: {max(0.0, left):.1f} s of the time limit were left "
                f"for it, and on {inst.n:,} activities it needs about {setup:.0f} s before "
                "it searches; the plan is the constructive schedule (a longer time limit "
                "lets CP-SAT improve it)"
            )
            return out
        res = cp(False)
        if res.status == SolveStatus.INFEASIBLE and cons_ok:
            log.warning(
                "CP-SAT reported infeasible although the constructive schedule is "
                "feasible; re-solving with 1 worker and no presolve"
            )
            res = cp(True)
            if res.status == SolveStatus.INFEASIBLE:
                log.error("CP-SAT still reports infeasible; answering with the constructive plan")
                return self.from_constructive()
        if res.status == SolveStatus.UNKNOWN:
            if cons_ok:  # the critical-path bound is all we know for the makespan
                return self.from_constructive(
                    bound=float(cp_lb) if objectives[0] == "makespan" else None
                )
            return self.unknown(cons)
        if res.status == SolveStatus.INFEASIBLE:
            return self.infeasible()
        first = self.first_feasible if self.first_feasible is not None else res.first_seconds
        return self.result(
            res.status,
            starts=res.starts,
            objective=res.objective,
            bound=res.bound,
            gap=res.gap,
            first_feasible_seconds=first,
            source="cp-sat",
        )

    def baseline_hint(self) -> dict[str, int] | None:
        """The baseline mapped onto this (remaining) plan, when feasible.

        Unstarted work at its baseline start, work in progress at its baseline resume
        (:attr:`~scheduler.model.Baseline.resume`), complete work (pinned) at its fixed
        start, new activities at their constructive start. CP-SAT is seeded with it
        (:func:`~scheduler.solver.cp_model.cp_solve`) and :func:`solve` never answers
        worse than it: a re-plan whose baseline still fits starts from the baseline
        itself. None without a baseline, or when it breaks a constraint of this plan.
        """
        b = self.plan.baseline
        if b is None or "stability" not in self.objectives:
            return None
        base = dict(self.cons or {})
        for a in self.plan.activities:
            if a.fixed_start is not None:
                base[a.id] = a.fixed_start
        base.update(b.resume)
        if any(i not in b.starts and i not in base for i in self.inst.ids):
            return None
        starts = {i: b.starts.get(i, base.get(i, 0)) for i in self.inst.ids}
        if check_schedule(self.plan, starts, soft_due=self.soft_due, instance=self.inst):
            return None
        return starts

    def improve(self, bounds: tuple[list[int], list[int]], *, full: bool = False) -> None:
        """Run the genetic algorithm on the constructive schedule (plain RCPSP, or with
        ``full`` every constraint: :mod:`scheduler.solver.ga_full`)."""
        opts, inst = self.opts, self.inst
        assert self.cons is not None
        es0, ls0 = bounds
        share = opts.full_share if full else opts.improve_share
        if opts.repeatable:
            seconds = share * self.limit
            evals = improve_evals(opts, inst.n, seconds)
            backstop = max(0.0, self.wall_end - time.monotonic())
        else:
            seconds = share * max(0.0, self.search_end - time.monotonic())
            evals, backstop = None, None
        out = improve_schedule(
            inst,
            self.cons,
            es0,
            ls0,
            seconds=seconds,
            seed=opts.seed,
            max_evals=evals,
            workers=opts.workers,
            backstop_s=backstop,
            full=full,
            soft_due=self.soft_due,
        )
        if out.backstop_hit:
            self.repeatable = False
        if evals is not None:  # the share of the limit the GA's budget stood for
            self.work_used = seconds * min(1.0, out.evals / evals)
        if not check_schedule(self.plan, out.starts, soft_due=self.soft_due, instance=inst):
            self.cons = out.starts
        else:  # cannot happen: the improved schedule is built on the same constraints
            log.error("improved constructive schedule failed the check; keeping the SGS one")

    def unknown(self, cons: dict[str, int] | None) -> SolveResult:
        """No plan in the limit and no proof: say what was tried and what may help."""
        plan, opts = self.plan, self.opts
        spent = self.elapsed()
        if cons is None:
            tried = "the constructive schedule could not repair the max lags"
        else:
            errs = check_schedule(plan, cons, soft_due=self.soft_due, instance=self.inst)
            tried = f"the constructive schedule breaks {len(errs)} constraint(s), e.g. {errs[0]}"
        notes = [
            f"no plan was found within the time limit of {self.limit:g} s, and infeasibility "
            f"was not proven: {tried}; CP-SAT searched for {spent:.1f} s on "
            f"{max(1, opts.workers)} worker(s) without finding a plan",
            f"a time limit of about {max(4 * self.limit, 60):g} s would likely find a plan "
            "or prove that none exists",
        ]
        log.warning("%s", notes[0])
        return self.result(SolveStatus.UNKNOWN, notes=notes)

    def infeasible(self) -> SolveResult:
        """A proven infeasible plan: why, what horizon it needs, the plan with it lifted."""
        inst = self.inst
        ex = explain(self.plan, inst, self.opts, soft_due=self.soft_due, deadline=self.wall_end)
        starts: dict[str, int] = {}
        overrun = None
        if ex.relaxed is not None:
            starts = left_justify(inst, ex.relaxed, deadline=self.wall_end)
            mk = int(objective_value(inst, starts, "makespan"))
            overrun = max(0, mk - self.plan.horizon)
        return self.result(
            SolveStatus.INFEASIBLE,
            starts=starts,
            conflicts=ex.conflicts,
            min_horizon_days=ex.min_horizon,
            overrun_days=overrun,
        )
