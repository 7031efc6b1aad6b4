"""``infraplan risk FILE``: solve a plan as ``infraplan plan`` does, then simulate it.

Prints the probability of finishing within the horizon, the P50/P80 finish, the
activities that drive the finish most often and the risk-driver tornado; writes
the risk document as JSON (``--json``) and the Excel report with its ``Risk``
sheet (``-o``). Exit codes as ``infraplan plan``: 0 simulated, 1 no plan to
simulate (infeasible or nothing found in time), 2 invalid input or options.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

__all__ = ["add_parser", "run", "simulation_estimate"]

#: Seconds of one leveled iteration (sampling and kernel) per activity on one core, and
#: the fixed cost of a simulation (loading the cached compiled kernel, statistics):
#: measured on the bundled sample (231 activities, 2 threads) on the 2-core machine
#: shared with other work: 0.07-0.25 ms an iteration, 1.5-2.6 s fixed.
ITERATION_S_PER_ACTIVITY = 1.5e-6
SIMULATION_S_FIXED = 2.5


def simulation_estimate(plan: Any, args: argparse.Namespace) -> float:
    """Seconds the simulation of ``plan`` is expected to take (the solve's reserve).

    ``infraplan risk`` gives its time limit (``--time-limit``, else the plan's
    ``time_limit_s``) to the whole command: reading, solving and simulating; the solve
    ends this much earlier than ``infraplan plan``'s would (never before half the
    limit; :func:`scheduler.solver.options.command_budget`). The estimate counts every
    iteration (an early stop only makes it generous) and the tornado's re-runs: each
    risk re-runs the share of iterations it occurs in.
    """
    unc = plan.uncertainty
    total = args.iterations or (unc.iterations if unc else 1000)
    reruns = 1.0 + (sum(e.probability for e in unc.events) if unc else 0.0)
    cores = args.workers or os.cpu_count() or 1
    per = ITERATION_S_PER_ACTIVITY * len(plan.activities) / cores
    return SIMULATION_S_FIXED + total * reruns * per


def _iterations(text: str) -> int:
    """argparse type: a number of iterations from 1 to 10,000,000."""
    if not text.isdigit() or not 1 <= int(text) <= 10_000_000:
        raise argparse.ArgumentTypeError(
            f"iterations must be a whole number from 1 to 10000000, not {text!r}"
        )
    return int(text)


def add_parser(
    sub: Any,
    seconds: Callable[[str], float],
    seed: Callable[[str], int],
    workers: Callable[[str], int],
) -> None:
    """Add the ``risk`` subcommand to ``sub`` (argparse sub-parsers) with the CLI's types."""
    rk = sub.add_parser("risk", help="solve a plan, then Monte Carlo schedule risk")
    rk.add_argument("file", type=Path, help="workbook (.xlsx), P6 .xer, MSPDI .xml, DSLIB")
    rk.add_argument("--iterations", type=_iterations, help="most iterations (default: plan's)")
    rk.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    rk.add_argument("--workers", type=workers, help="simulation threads (default: all cores)")
    rk.add_argument(
        "--mode",
        choices=["leveled", "logic"],
        default="leveled",
        help="leveled: re-level every iteration (default); logic: CPM only",
    )
    rk.add_argument(
        "--time-limit",
        type=seconds,
        help="seconds for the whole command (default the plan's time_limit_s): the solve "
        "ends early enough to leave the estimated simulation time",
    )
    rk.add_argument(
        "--all-iterations",
        action="store_true",
        help="run every iteration (default: stop early once P80 has settled, and say so)",
    )
    rk.add_argument("--json", type=Path, help="write the risk document as JSON")
    rk.add_argument("-o", "--output", type=Path, help="Excel report with its Risk sheet")
    rk.add_argument(
        "--ray",
        metavar="ADDRESS",
        default=os.environ.get("INFRAPLAN_RAY_ADDRESS") or None,
        help="run the iterations on a Ray cluster (default $INFRAPLAN_RAY_ADDRESS; "
        "needs the ray extra); the numbers are the same as on this machine",
    )


def _simulate(schedule: Any, args: argparse.Namespace, console: Console) -> Any:
    from scheduler.risk import RiskOptions, analyse

    unc = schedule.plan.uncertainty
    total = args.iterations or (unc.iterations if unc else 1000)
    options = RiskOptions(
        iterations=total,
        seed=args.seed,
        workers=args.workers,
        mode=args.mode,
        ray_address=args.ray,
        converge=not args.all_iterations,
    )
    with Progress(
        TextColumn("[bold]simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[p80]}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("risk", total=total, p80="")

        def on_progress(p: Any) -> None:
            bar.update(task, completed=p.iterations, p80=f"P80 {p.p80} days")

        result = analyse(schedule, options, progress=on_progress)
        bar.update(task, completed=total)
    return result


def _print(result: Any, console: Console) -> None:
    doc = result.to_json()
    table = Table(show_header=False, box=None)
    det = doc["deterministic"]
    table.add_row("deterministic", f"{det['makespan_days']} days (finish {det['finish']})")
    table.add_row(
        "within horizon",
        f"[bold]{doc['probability_within_horizon']:.1%}[/] (by {doc['horizon_end']}, "
        f"{doc['horizon_days']} days)",
    )
    ms, fin = doc["makespan_days"], doc["finish"]
    for key in ("p50", "p80", "p90"):
        table.add_row(key.upper(), f"{ms[key]} days (finish {fin[key]})")
    table.add_row("mean, std", f"{ms['mean']:.1f} days, {ms['std']:.1f} days")
    conv = doc["convergence"]
    settled = (
        f"stopped early: P80 moved <= {conv['tolerance']:.1%} over {conv['window']:g} iterations"
        if conv
        else ""
    )
    stop = {"converged": settled, "time limit": "stopped at the time limit"}
    table.add_row(
        "iterations",
        f"{doc['iterations']} ({doc['mode']}, seed {doc['seed']}, {doc['seconds']:.1f} s"
        + (f"; {stop[doc['stop_reason']]}" if doc["stop_reason"] in stop else "")
        + ")",
    )
    for a in doc["activities"][:5]:
        table.add_row(
            "driver",
            f"{a['id']}  criticality {a['criticality']:.0%}, cruciality {a['cruciality']:+.2f}",
        )
    for r in doc["risks"][:5]:
        table.add_row(
            "risk", f"{r['id']}  occurs {r['occurred']:.0%}, P80 +{r['p80_effect_days']} days"
        )
    console.print(table)


def run(
    args: argparse.Namespace,
    console: Console,
    load: Callable[..., Any],
    solve: Callable[[Any], Any],
    write_json: Callable[[Path, dict[str, Any]], None],
) -> int:
    """Run ``infraplan risk`` with the CLI's own reading, solving and JSON helpers.

    Returns
    -------
    int
        0 simulated, 1 the plan has no schedule to simulate, 2 the input is invalid.
    """
    plan = load(args.file, console)
    if plan is None:
        return 2
    if plan.uncertainty is None or plan.uncertainty.empty:
        console.print(
            "[yellow]warning: the plan has no three-point estimates or risks; "
            "every iteration is the deterministic plan"
        )
    schedule = solve(plan)
    if not schedule.has_plan:
        console.print(f"[red]no plan to simulate: the solve ended {schedule.status}")
        return 1
    try:
        result = _simulate(schedule, args, console)
    except ValueError as exc:
        console.print(f"[red]cannot simulate: {exc}")
        return 1
    _print(result, console)
    if args.json:
        write_json(args.json, result.to_json())
        console.print(f"JSON written to {args.json}")
    if args.output:
        from scheduler.report import write_report

        write_report(schedule, args.output, risk=result)
        console.print(f"report written to [bold]{args.output}[/]")
    return 0
