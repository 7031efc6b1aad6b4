"""Benchmarks: ``infraplan bench psplib ...``, ``bench national ...``, ``bench scale ...``
and ``bench risk ...``.

Never part of the default test run. See BENCHMARKS.md at the repository root for
the commands and the measured tables.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

__all__ = ["main"]

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="infraplan bench", description=__doc__)
    sub = p.add_subparsers(dest="what", required=True)
    ps = sub.add_parser("psplib", help="PSPLIB j30/j60/j120, optionally against PyJobShop")
    ps.add_argument("--set", required=True, choices=["j30", "j60", "j120"])
    ps.add_argument(
        "--instances",
        default="all",
        help="'all', a count N (spread sample, see select_instances) or comma-separated names",
    )
    ps.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    ps.add_argument("--workers", type=int, default=2)
    ps.add_argument("--vs", choices=["pyjobshop"], default=None)
    ps.add_argument("--no-ours", action="store_true", help="run only the peer")
    ps.add_argument("--out", type=Path, default=None, help="CSV file (rows written as they come)")
    ps.add_argument("--folder", type=Path, default=None, help="PSPLIB folder (default ../shared)")
    ps.add_argument("--summary", type=Path, default=None, help="re-summarise an existing CSV")
    sc = sub.add_parser("scale", help="national-style generated plan")
    sc.add_argument("--activities", type=int, required=True)
    sc.add_argument("--resources", type=int, default=40)
    sc.add_argument("--seed", type=int, default=0)
    sc.add_argument("--time-limit", type=float, default=10.0)
    sc.add_argument("--workers", type=int, default=2)
    sc.add_argument("--keep", type=Path, default=None, help="folder to keep the workbook/report")
    na = sub.add_parser(
        "national", help="generated national plans, ours against a plain CP-SAT model"
    )
    na.add_argument("--plans", type=int, default=2, help="plans per size (seeds 0..N-1)")
    na.add_argument(
        "--activities",
        default="100,200,300,500,700,1000",
        help="comma-separated plan sizes (activities, 20 or more)",
    )
    na.add_argument("--time-limit", type=float, default=10.0, help="seconds per plan and solver")
    na.add_argument("--workers", type=int, default=2)
    na.add_argument("--vs", choices=["cpsat"], default=None, help="also the plain CP-SAT model")
    na.add_argument("--out", type=Path, default=None, help="CSV file (rows written as they come)")
    na.add_argument("--summary", type=Path, default=None, help="re-summarise an existing CSV")
    rk = sub.add_parser("risk", help="leveled risk iterations: compiled kernel vs plain Python")
    rk.add_argument("--activities", type=int, default=700)
    rk.add_argument("--resources", type=int, default=40)
    rk.add_argument("--seed", type=int, default=0)
    rk.add_argument("--iterations", type=int, default=2000, help="compiled iterations")
    rk.add_argument("--python-iterations", type=int, default=20, help="plain-Python iterations")
    return p


def _verdict(feasible: bool, makespan: int | None, errors: str) -> str:
    """``ok``, ``no plan`` (nothing found in the limit) or ``INFEASIBLE`` with the first
    re-check violation."""
    if feasible:
        return "ok"
    return "no plan" if makespan is None else f"INFEASIBLE {errors}"


def main(argv: list[str]) -> int:
    """Run a benchmark; prints a Markdown summary on stdout (this is the CLI layer).

    Returns
    -------
    int
        0 on success, 1 if any schedule failed the feasibility re-check.
    """
    args = _parser().parse_args(argv)
    if args.what == "risk":
        from benchmarks.risk import run_risk_bench

        figures = run_risk_bench(
            args.activities,
            resources=args.resources,
            seed=args.seed,
            iterations=args.iterations,
            python_iterations=args.python_iterations,
        )
        print("| figure | value |\n|---|---|")
        for k, v in figures.items():
            print(f"| {k} | {v} |")
        return 0
    if args.what == "national":
        return _national(args)
    if args.what == "scale":
        from benchmarks.scale import run_scale

        out = run_scale(
            args.activities,
            resources=args.resources,
            seed=args.seed,
            time_limit=args.time_limit,
            workers=args.workers,
            keep=args.keep,
        )
        print("| step | value |\n|---|---|")
        for k, v in out.items():
            print(f"| {k} | {v} |")
        return 0
    from benchmarks import psplib as pb

    if args.summary is not None:
        rows = pb.read_csv(args.summary)
    else:
        if args.instances == "all":
            names = pb.select_instances(args.set)
        elif args.instances.isdigit():
            names = pb.select_instances(args.set, int(args.instances))
        else:
            names = [n.strip() for n in args.instances.split(",") if n.strip()]
        solvers = ([] if args.no_ours else ["ours"]) + ([args.vs] if args.vs else [])
        load0 = pb.load_average()

        def show(r: pb.Row) -> None:
            print(
                f"{r.instance:10s} {r.solver:9s} mk={r.makespan} opt={r.optimal} "
                f"ref={r.reference} lb={r.cp_lb} t={r.seconds:.1f}s "
                f"{_verdict(r.feasible, r.makespan, r.errors)}",
                file=sys.stderr,
                flush=True,
            )

        rows = pb.run_bench(
            args.set,
            names,
            folder=args.folder,
            time_limit=args.time_limit,
            workers=args.workers,
            solvers=solvers,
            csv_path=args.out,
            on_row=show,
        )
        print(
            f"{args.set}: {len(names)} instances, {args.time_limit:g} s, {args.workers} workers; "
            f"load average at start {load0}, at end {pb.load_average()}"
        )
    print(pb.format_summary(pb.summarize(rows)))
    bad = [r for r in rows if r.makespan is not None and not r.feasible]
    if bad:
        print(f"{len(bad)} schedules FAILED the feasibility re-check", file=sys.stderr)
        return 1
    return 0


def _national(args: argparse.Namespace) -> int:
    from benchmarks import national as nb
    from benchmarks.psplib import load_average

    if args.summary is not None:
        rows = nb.read_national_csv(args.summary)
    else:
        try:
            sizes = [int(x) for x in args.activities.split(",") if x.strip()]
        except ValueError:
            print(
                f"--activities: give whole numbers separated by commas, not {args.activities!r}",
                file=sys.stderr,
            )
            return 2
        if not sizes or min(sizes) < 20 or args.plans < 1:
            print("--activities: each size at least 20; --plans at least 1", file=sys.stderr)
            return 2
        load0 = load_average()

        def show(r: nb.NationalRow) -> None:
            dev = "" if r.dev_best is None else f" dev={r.dev_best:+.2f}%"
            beat = " NEW BEST" if r.feasible and r.best and (r.makespan or 0) < r.best else ""
            print(
                f"{r.plan:10s} {r.solver:6s} mk={r.makespan} best={r.best} lb={r.bound} "
                f"t={r.seconds:.1f}s{dev}{beat} "
                f"{_verdict(r.feasible, r.makespan, r.errors)}",
                file=sys.stderr,
                flush=True,
            )

        rows = nb.run_national(
            sizes,
            args.plans,
            time_limit=args.time_limit,
            workers=args.workers,
            solvers=["ours"] + ([args.vs] if args.vs else []),
            csv_path=args.out,
            on_row=show,
        )
        print(
            f"national: {len(sizes) * args.plans} plans, {args.time_limit:g} s, "
            f"{args.workers} workers; load average at start {load0}, at end {load_average()}"
        )
    print(nb.format_national(nb.summarize_national(rows)))
    bad = [r for r in rows if r.makespan is not None and not r.feasible]
    if bad:
        print(f"{len(bad)} schedules FAILED the feasibility re-check", file=sys.stderr)
        return 1
    return 0
