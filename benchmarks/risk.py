"""``infraplan bench risk``: the compiled leveled simulation against a plain-Python SGS.

One generated national-style plan (:func:`benchmarks.scale.generate_tables`), its
constructive schedule as the priority order, triangular estimates (0.8, 1.0, 1.4
times each duration) on every activity with work; then, in the same run, the
compiled kernel (:mod:`scheduler.risk.kernel`, one thread and all threads) and the
plain-Python serial SGS with the same rules (:mod:`scheduler.risk.reference`) on
the same sampled durations, which must give the same starts. The compiled figures
are whole simulation runs (sampling, the kernel, the statistics); the Python figure
is the schedule-generation alone, so the ratio understates the kernel's speed-up.
"""

from __future__ import annotations

import os
import time
from typing import Any

__all__ = ["run_risk_bench"]


def run_risk_bench(
    activities: int = 700,
    *,
    resources: int = 40,
    seed: int = 0,
    iterations: int = 2000,
    python_iterations: int = 20,
) -> dict[str, str]:
    """Time leveled iterations, compiled and plain Python, on one generated plan.

    Returns
    -------
    dict
        Figure → text with units, in order (per-iteration milliseconds and the ratio).

    Raises
    ------
    RuntimeError
        If the compiled kernel and the Python SGS disagree on any start.
    """
    from benchmarks.scale import generate_tables
    from scheduler.risk import RiskOptions, analyse
    from scheduler.risk.arrays import PlanArrays, activity_list
    from scheduler.risk.reference import python_sgs
    from scheduler.risk.sampling import Sampler
    from scheduler.risk.simulate import LocalExecutor
    from scheduler.solution import Schedule
    from scheduler.solver import constructive_schedule
    from scheduler.status import SolveStatus
    from scheduler.uncertainty import Estimate, Uncertainty
    from scheduler.workbook import plan_from_tables

    out: dict[str, str] = {}
    plan = plan_from_tables(generate_tables(activities, resources, seed))
    starts = constructive_schedule(plan)
    if starts is None:
        raise RuntimeError("the generated plan has no constructive schedule")
    unc = Uncertainty(
        estimates={
            a.id: Estimate(0.8 * a.duration, a.duration, 1.4 * a.duration)
            for a in plan.activities
            if a.duration > 0
        }
    )
    out["plan"] = (
        f"{len(plan.activities)} activities, {len(plan.dependencies)} dependencies, "
        f"{len(plan.resources)} resources, {len(plan.budgets)} budget periods, "
        f"{len(plan.blackouts)} blackouts"
    )
    sched = Schedule(plan=plan, status=SolveStatus.FEASIBLE, starts=starts)
    t = time.perf_counter()
    analyse(sched, RiskOptions(iterations=10, converge=False, workers=1), uncertainty=unc)
    out["compile or load of the kernel"] = f"{time.perf_counter() - t:.2f} s"
    per: dict[str, float] = {}
    for label, workers in (("compiled, 1 thread", 1), ("compiled, all cores", None)):
        opts = RiskOptions(iterations=iterations, seed=seed, converge=False, workers=workers)
        t = time.perf_counter()
        analyse(sched, opts, uncertainty=unc)
        per[label] = (time.perf_counter() - t) / iterations
        out[label] = f"{per[label] * 1e3:.3f} ms per iteration ({iterations} iterations)"
    arrays = PlanArrays.from_plan(plan)
    order = activity_list(plan, starts)
    planned = arrays.planned_spend(starts)
    durations, _ = Sampler(plan, unc, seed).batch(0, python_iterations)
    executor = LocalExecutor(plan, starts, unc, RiskOptions(workers=1))
    compiled = executor.runner.run(durations)[0]
    cap = arrays.capacity(arrays.window(durations)).tolist()
    lists: dict[str, Any] = {"order": order.tolist(), "planned": planned.tolist()}
    t = time.perf_counter()
    for it in range(python_iterations):
        ref, _ = python_sgs(arrays, lists["order"], durations[it].tolist(), lists["planned"], cap)
        if ref != compiled[it].tolist():
            raise RuntimeError(f"iteration {it}: the compiled kernel and the Python SGS disagree")
    per["python"] = (time.perf_counter() - t) / python_iterations
    out["plain Python SGS"] = (
        f"{per['python'] * 1e3:.1f} ms per iteration ({python_iterations} iterations, "
        "same starts as the kernel)"
    )
    out["speed-up, 1 thread"] = f"{per['python'] / per['compiled, 1 thread']:.0f} x"
    out["speed-up, all cores"] = f"{per['python'] / per['compiled, all cores']:.0f} x"
    out["cores"] = str(os.cpu_count())
    return out
