"""Schedule risk analysis: Monte Carlo simulation of a solved plan.

``analyse(schedule)`` samples the plan's three-point estimates and risk events
(:mod:`scheduler.uncertainty`) and re-schedules every iteration, re-leveled under
the plan's resources, budgets and blackouts (or by logic alone), then reports
percentiles, the probability of finishing within the horizon, criticality,
cruciality and the risk-driver tornado (:class:`RiskResult`).
"""

from __future__ import annotations

from collections.abc import Callable

from scheduler.progress import remaining_plan, remaining_uncertainty
from scheduler.risk.result import RiskResult, summarise
from scheduler.risk.simulate import MODES, RiskOptions, RiskProgress, percentile, run
from scheduler.solution import Schedule
from scheduler.uncertainty import Uncertainty

__all__ = ["MODES", "RiskOptions", "RiskProgress", "RiskResult", "analyse", "percentile"]


def analyse(
    schedule: Schedule,
    options: RiskOptions | None = None,
    progress: Callable[[RiskProgress], None] | None = None,
    uncertainty: Uncertainty | None = None,
) -> RiskResult:
    """Simulate a solved schedule.

    Parameters
    ----------
    schedule
        A schedule with a plan (status ``optimal`` or ``feasible``).
    options
        :class:`RiskOptions`; None for the defaults (the plan's ``risk_iterations``).
    progress
        Called after each batch of iterations.
    uncertainty
        What is uncertain; None for the plan's own (``plan.uncertainty``), or nothing.
        A progressed plan is simulated as its remaining plan from the data date
        (:func:`scheduler.progress.remaining_plan`), with the uncertainty of its
        remaining work (:func:`scheduler.progress.remaining_uncertainty`).

    Returns
    -------
    RiskResult

    Raises
    ------
    ValueError
        If the schedule has no plan (an invalid or infeasible input).
    """
    plan = schedule.plan
    if plan is None or not schedule.has_plan or schedule.makespan is None:
        raise ValueError(f"a {schedule.status} schedule has no plan to simulate")
    opts = options or RiskOptions()
    # a progressed plan is simulated from its data date: the remaining plan, whose
    # starts the schedule holds, and what is still uncertain (scheduler.progress)
    remaining, done = remaining_plan(plan)
    unc = remaining_uncertainty(uncertainty, done) or remaining.uncertainty or Uncertainty()
    sim = run(remaining, schedule.starts, unc, opts, progress)
    return summarise(
        remaining,
        sim,
        unc,
        mode=opts.mode,
        seed=opts.seed,
        deterministic_makespan=schedule.makespan,
        convergence=(
            {"tolerance": opts.tolerance, "window": opts.window} if opts.converge else None
        ),
    )
