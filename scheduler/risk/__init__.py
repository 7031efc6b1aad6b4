"""Schedule risk analysis: Monte Carlo simulation of a solved plan.

``analyse(schedule)`` samples the plan's three-point estimates and risk events
(:mod:`scheduler.uncertainty`) and re-schedules every iteration, re-leveled under
the plan's resources, budgets and blackouts (or by logic alone), then reports
percentiles, the probability of finishing within the horizon, criticality,
cruciality and the risk-driver tornado (:class:`RiskResult`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scheduler.progress import remaining_plan, remaining_uncertainty
from scheduler.uncertainty import Uncertainty

if TYPE_CHECKING:
    from scheduler.risk.result import RiskResult
    from scheduler.risk.simulate import MODES, RiskOptions, RiskProgress, percentile
    from scheduler.solution import Schedule

__all__ = ["MODES", "RiskOptions", "RiskProgress", "RiskResult", "analyse", "percentile"]

#: Names served on first use (PEP 562), so that importing the package (every
#: ``infraplan`` command builds the ``risk`` parser) loads neither numba nor scipy.
_LAZY = {
    "MODES": "scheduler.risk.simulate",
    "RiskOptions": "scheduler.risk.simulate",
    "RiskProgress": "scheduler.risk.simulate",
    "percentile": "scheduler.risk.simulate",
    "RiskResult": "scheduler.risk.result",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    from scheduler.risk.result import summarise
    from scheduler.risk.simulate import RiskOptions, run

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
        data_date=plan.data_date,
    )
