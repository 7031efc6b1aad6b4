"""The planner's commands of ``infraplan``: plan, risk, check, template, convert, export.

The console script itself lives in :mod:`infraplan.cli`, which adds the commands of
other packages (``serve`` and ``keys`` of the API, ``bench``) through :class:`Command`,
so this package never imports ``api`` or ``benchmarks``. ``python -m scheduler.cli``
runs the planner's commands alone.

Exit codes of ``infraplan plan`` (and ``export``): 0 a plan was found (optimal or
feasible), 1 the plan is proven infeasible, 2 the input is invalid or unreadable, or a
bad argument (an output that cannot be written is refused before the solve; a write
that fails at the end, e.g. on a full disk, also exits 2 with a sentence naming the
file), 3 no plan was found within the time limit and infeasibility was not proven
(status ``unknown``). ``infraplan check`` (the DCMA 14-point health check,
:mod:`scheduler.dcma`) exits 0 whenever it ran, whatever the checks found, and 2 on
bad input as the others.

``--time-limit S`` is the whole command's: reading, solving, CPM and the outputs end
within about S seconds (the solve gets what reading left, less an estimate of the time
the outputs take; see :func:`scheduler.solver.options.command_budget`).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scheduler.errors import InfraplanError, InvalidPlanError, UnreadableFileError, group_issues
from scheduler.model import OBJECTIVES
from scheduler.outputs import check_input, check_output, writing

__all__ = ["Command", "main"]

EXIT_OK, EXIT_INFEASIBLE, EXIT_INVALID, EXIT_UNKNOWN = 0, 1, 2, 3


def _objectives(text: str) -> list[str]:
    """argparse type: comma-separated objective names (exit 2 on an unknown one)."""
    names = [o.strip() for o in text.split(",") if o.strip()]
    unknown = [o for o in names if o not in OBJECTIVES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown objective {(unknown or [text])[0]!r}; use {', '.join(OBJECTIVES)}"
        )
    return names


def _seconds(text: str) -> float:
    """argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(
            f"the time limit must be a finite number of seconds above 0, not {text}"
        )
    return value


def _seed(text: str) -> int:
    """argparse type: a seed CP-SAT accepts (0 to 2**31 - 1, as the API's ``seed``)."""
    if not text.isdigit() or int(text) > 2**31 - 1:
        raise argparse.ArgumentTypeError(
            f"the seed must be a whole number from 0 to {2**31 - 1}, not {text!r}"
        )
    return int(text)


def _workers(text: str) -> int:
    """argparse type: a worker count of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"workers must be a whole number of at least 1, not {text!r}"
        )
    return int(text)


@dataclass(frozen=True, slots=True)
class Command:
    """A subcommand that another package adds to ``infraplan`` (see :mod:`infraplan.cli`).

    Parameters
    ----------
    name
        The subcommand, e.g. ``"serve"``.
    help
        One line for ``infraplan --help``.
    add_arguments
        Called with the subcommand's parser to declare its arguments.
    run
        Called with the parsed arguments; returns the exit code.
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _solve_arguments(p: argparse.ArgumentParser) -> None:
    """``--time-limit``, ``--seed``, ``--repeatable`` and ``--workers``."""
    p.add_argument(
        "--time-limit",
        type=_seconds,
        help="seconds for the whole command: reading, solving and writing the outputs "
        "(default: the workbook's Settings, else 30)",
    )
    p.add_argument("--seed", type=_seed, help="random seed of the search (default 0)")
    p.add_argument(
        "--repeatable",
        action="store_true",
        default=None,
        help="the same file, seed and workers give the same plan: the time limit becomes a "
        "work budget calibrated to about the same wall time on an idle machine (a busy one "
        "may stop it by the clock, and the JSON then says repeatable: false); default: "
        "the workbook's Settings, else off",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        default=None,
        help="solver threads (default: the machine's cores)",
    )


#: Commands that parse their own arguments (everything after the name goes to them).
_OWN_PARSERS = frozenset({"bench"})

#: What ``plan`` and ``export`` read.
_INPUTS = (
    "our workbook (.xlsx), a DSLIB/ProTrack workbook (.xlsx), Primavera P6 .xer, "
    "MS Project .xml (MSPDI) or .mpp (with the mpp extra), PSPLIB .sm"
)


def _version() -> str:
    """The installed package's version (``unknown`` when run from a bare checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("infraplan")
    except PackageNotFoundError:
        return "unknown"


def _parser(extra: Sequence[Command] = ()) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="infraplan", description="National infrastructure two-year plan scheduler."
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log solver details")
    p.add_argument("--version", action="version", version=f"infraplan {_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    pl = sub.add_parser("plan", help="validate, solve and report a plan")
    pl.add_argument("file", type=Path, help=_INPUTS)
    pl.add_argument(
        "-o", "--output", type=Path, help="Excel report path (default reports/NAME.xlsx)"
    )
    pl.add_argument("--json", type=Path, help="also write the schedule document as JSON")
    _solve_arguments(pl)
    pl.add_argument(
        "--objective",
        type=_objectives,
        help=f"objective(s), comma-separated, applied in order: {', '.join(OBJECTIVES)}",
    )
    pl.add_argument("--no-report", action="store_true", help="do not write the Excel report")
    pl.add_argument(
        "--baseline",
        type=Path,
        metavar="PREV.json",
        help="a schedule JSON that infraplan wrote (--json) to re-plan against: each "
        "activity gets its baseline dates and variances, and the objectives become the "
        "plan's then stability (move only what must move)",
    )

    tp = sub.add_parser("template", help="write an empty, documented workbook template")
    tp.add_argument("path", type=Path, help="where to write the template (.xlsx)")

    cv = sub.add_parser("convert", help="convert a P6/MS Project/DSLIB file to our workbook")
    cv.add_argument("file", type=Path, help="P6 .xer, MS Project .xml/.mpp or DSLIB .xlsx")
    cv.add_argument(
        "-o", "--output", type=Path, required=True, help="the workbook to write (.xlsx)"
    )

    ex = sub.add_parser("export", help="solve a plan and write it as MS Project XML (MSPDI)")
    ex.add_argument("file", type=Path, help=_INPUTS)
    ex.add_argument(
        "-o", "--output", type=Path, required=True, help="the MS Project XML to write (.xml)"
    )
    _solve_arguments(ex)

    ck = sub.add_parser("check", help="schedule health check: the DCMA 14-point assessment")
    ck.add_argument("file", type=Path, help=_INPUTS)
    ck.add_argument(
        "--baseline",
        type=Path,
        help="the approved schedule, a JSON that `infraplan plan --json` wrote (for "
        "missed tasks, CPLI and BEI)",
    )
    ck.add_argument("--json", type=Path, help="also write the assessment as JSON")

    from scheduler.risk.command import add_parser as add_risk_parser

    add_risk_parser(sub, _seconds, _seed, _workers)

    for cmd in extra:
        # a command that parses its own arguments (bench) also answers its own --help
        own = cmd.name in _OWN_PARSERS
        cmd.add_arguments(sub.add_parser(cmd.name, help=cmd.help, add_help=not own))
    return p


def main(argv: Sequence[str] | None = None, extra: Sequence[Command] = ()) -> int:
    """Run the ``infraplan`` command; returns the process exit code.

    Parameters
    ----------
    argv
        Arguments after the program name (``None``: ``sys.argv[1:]``).
    extra
        Commands of other packages, after the planner's own (:mod:`infraplan.cli`).
    """
    started = time.monotonic()  # --time-limit counts from here (checks and reading included)
    parser = _parser(extra)
    args, rest = parser.parse_known_args(argv)
    if rest and args.command in _OWN_PARSERS:  # e.g. `infraplan bench --help`
        args.args = [*rest, *args.args]
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.started = started
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    console = Console()
    try:
        _check_files(args)
        return _run(args, console, extra)
    except UnreadableFileError as exc:
        console.print(exc.reason, style="red", markup=False, highlight=False, soft_wrap=True)
        return EXIT_INVALID
    except InfraplanError as exc:  # an output that cannot be written, the database of serve
        console.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        return EXIT_INVALID


def _check_files(args: argparse.Namespace) -> None:
    """Look at the input (size by ``stat``) and the outputs before reading or solving.

    Raises
    ------
    UnreadableFileError
        If the input is missing, not a regular file, or above the size limit.
    OutputError
        If an output cannot be written, or would overwrite the input or another output.
    """
    if args.command == "template":
        check_output(args.path, "the template")
        return
    if args.command not in ("plan", "convert", "export", "risk", "check"):
        return
    check_input(args.file)
    outputs: list[tuple[Path, str, str]] = []  # path, what is written, its extension
    inputs = [args.file]
    if args.command == "check":
        if args.baseline:
            check_input(args.baseline)
            inputs.append(args.baseline)
        if args.json:
            outputs.append((args.json, "the JSON", ".json"))
    elif args.command == "risk":
        for path, what, ext in (
            (args.json, "the JSON", ".json"),
            (args.output, "the report", ".xlsx"),
        ):
            if path:
                outputs.append((path, what, ext))
    elif args.command == "plan":
        if args.baseline:
            from scheduler.baseline import MAX_BASELINE_BYTES

            check_input(args.baseline, MAX_BASELINE_BYTES)
        if args.json:
            outputs.append((args.json, "the JSON", ".json"))
        if not args.no_report:
            args.output = args.output or Path("reports") / f"{_safe_stem(args.file)}.xlsx"
            outputs.append((args.output, "the report", ".xlsx"))
    elif args.command == "convert":
        outputs.append((args.output, "the workbook", ".xlsx"))
    else:
        outputs.append((args.output, "the MS Project XML", ".xml"))
    inputs = [args.file] + ([args.baseline] if getattr(args, "baseline", None) else [])
    for i, (path, what, suffix) in enumerate(outputs):
        earlier = [p for p, _, _ in outputs[:i]]
        check_output(path, what, inputs=[*inputs, *earlier], suffix=suffix)


def _run(args: argparse.Namespace, console: Console, extra: Sequence[Command] = ()) -> int:
    if args.command == "plan":
        return _cmd_plan(args, console)
    if args.command == "risk":
        from scheduler.risk.command import run as run_risk
        from scheduler.risk.command import simulation_estimate

        started = time.monotonic()
        return run_risk(
            args,
            console,
            _load,
            lambda plan: _solve_with_progress(
                plan,
                _options(_risk_solve_args(args), plan, started, simulation_estimate(plan, args)),
                console,
            ),
            _write_json,
        )
    if args.command == "template":
        from scheduler.workbook import write_template

        with writing(args.path, "the template"):
            write_template(args.path)
        console.print(f"template written to {args.path}")
        return EXIT_OK
    if args.command == "convert":
        return _cmd_convert(args, console)
    if args.command == "check":
        return _cmd_check(args, console)
    if args.command == "export":
        return _cmd_export(args, console)
    for cmd in extra:
        if args.command == cmd.name:
            return cmd.run(args)
    return EXIT_INVALID  # pragma: no cover - argparse enforces the choices


def _load(path: Path, console: Console, json_out: Path | None = None) -> Any:
    """Read a plan, or print why not (and write the ``invalid`` document) and return None."""
    from scheduler.importers import read_plan
    from scheduler.planner import invalid_schedule

    try:
        return read_plan(path)
    except InvalidPlanError as exc:
        _print_issues(exc, console)
        if json_out:
            _write_json(json_out, invalid_schedule(exc).to_json())
        return None
    except UnreadableFileError as exc:
        console.print(f"[red]{_unreadable(path, exc)}")
        return None


def _unreadable(path: Path, exc: UnreadableFileError) -> str:
    """The refusal in one sentence that names the file once."""
    if path.name in exc.reason:
        return exc.reason
    return f"cannot read {path}: {exc.reason}"


def _print_issues(exc: InvalidPlanError, console: Console) -> None:
    """Every kind of issue, at most ``ISSUES_PER_KIND`` of each, the rest counted."""
    from rich.markup import escape

    from scheduler.errors import summarise

    summary = summarise(exc.issues)
    console.print(f"[red bold]invalid input: {summary.errors:,} problem(s)")
    for issue in summary.shown:
        colour = "red" if issue.severity == "error" else "yellow"
        console.print(f"[{colour}]  {issue.severity}: {escape(issue.message)}")
    for line in summary.omitted_lines():
        console.print(f"  {escape(line)}")


def _options(args: argparse.Namespace, plan: Any, started: float, reserve_s: float = 0.0) -> Any:
    """Solve options of the command: the limit counts from ``started`` (before reading).

    ``reserve_s``: seconds the command needs after the solve besides its outputs (the
    risk simulation); the solve ends that much earlier (at most half the limit).
    """
    from scheduler.solver import SolveOptions
    from scheduler.solver.options import command_budget

    repeatable = bool(args.repeatable if args.repeatable is not None else plan.repeatable)
    limit, deadline = command_budget(
        args.time_limit or plan.time_limit_s,
        len(plan.activities),
        started,
        repeatable=repeatable,
        reserve_s=reserve_s,
    )
    extra: dict[str, Any] = {} if args.workers is None else {"workers": args.workers}
    return SolveOptions(
        time_limit_s=limit,
        deadline=deadline,
        seed=args.seed or 0,
        objectives=getattr(args, "objective", None),
        repeatable=repeatable,
        **extra,
    )


def _risk_solve_args(args: argparse.Namespace) -> argparse.Namespace:
    """The solve options of ``infraplan risk``: the plan's, with its own time limit.

    ``--seed`` and ``--workers`` of ``risk`` are the simulation's; the solve uses the
    plan's settings and the machine's cores.
    """
    return argparse.Namespace(
        time_limit=args.time_limit, seed=None, workers=None, objective=None, repeatable=None
    )


def _solve_with_progress(plan: Any, options: Any, console: Console) -> Any:
    """Solve with a progress bar.

    Raises
    ------
    InfraplanError
        When the objectives cannot apply (``stability`` without a baseline, e.g. from
        the Settings sheet of ``export`` or ``risk``): exit 2 with the sentence.
    """
    from scheduler.model import resolve_objectives
    from scheduler.planner import plan_schedule

    try:
        resolve_objectives(plan, options.objectives)
    except ValueError as exc:
        raise InfraplanError(str(exc)) from None

    limit = options.time_limit_s or plan.time_limit_s
    with Progress(
        TextColumn("[bold]solving"),
        BarColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("solve", total=limit, status="building model")

        def on_progress(p: Any) -> None:
            bar.update(
                task,
                completed=min(p.elapsed_s, limit),
                status=f"best {p.objective:g}"
                + ("" if p.bound is None else f"  bound {p.bound:g}"),
            )

        schedule = plan_schedule(plan, options, progress=on_progress)
        bar.update(task, completed=limit, status=str(schedule.status))
    return schedule


def _exit_code(schedule: Any) -> int:
    """0 with a plan, 3 when nothing was found in the limit, 1 when proven infeasible."""
    if schedule.has_plan:
        return EXIT_OK
    return EXIT_UNKNOWN if schedule.status == "unknown" else EXIT_INFEASIBLE


def _cmd_plan(args: argparse.Namespace, console: Console) -> int:
    started = getattr(args, "started", time.monotonic())
    plan = _load(args.file, console, args.json)
    if plan is None:
        return EXIT_INVALID
    if args.baseline and not _load_baseline(args, plan, console):
        return EXIT_INVALID
    from scheduler.model import resolve_objectives

    try:
        resolve_objectives(plan, args.objective)
    except ValueError as exc:
        console.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        return EXIT_INVALID
    for line in group_issues(plan.warnings):
        console.print(f"warning: {line}", style="yellow", markup=False, highlight=False)
    console.print(
        f"plan [bold]{plan.name}[/]: {len(plan.activities)} activities, "
        f"{len(plan.dependencies)} dependencies, {len(plan.resources)} resources, "
        f"horizon {plan.horizon} {_unit(plan)} "
        f"from {plan.plan_start}"
    )
    if plan.data_date is not None:
        from scheduler.progress import remaining_plan

        try:
            done = remaining_plan(plan)[1]
        except ValueError as exc:  # a foreign file's progress that cannot be scheduled
            console.print(f"invalid progress: {exc}", style="red", markup=False, soft_wrap=True)
            return EXIT_INVALID
        console.print(done.summary(plan), markup=False, highlight=False)
    schedule = _solve_with_progress(plan, _options(args, plan, started), console)
    _print_summary(schedule, console)
    if args.json:
        _write_json(args.json, schedule.to_json())
        console.print(f"JSON written to {args.json}")
    if not args.no_report:
        from scheduler.report import write_report

        out = args.output or Path("reports") / f"{_safe_stem(args.file)}.xlsx"
        with writing(out, "the report"):
            write_report(schedule, out)
        console.print(f"report written to [bold]{out}[/]")
    return _exit_code(schedule)


def _load_baseline(args: argparse.Namespace, plan: Any, console: Console) -> bool:
    """Read ``--baseline`` onto ``plan`` (True), or print why not (and write the JSON)."""
    from scheduler.baseline import attach_baseline, read_baseline
    from scheduler.planner import invalid_schedule

    try:
        attach_baseline(plan, read_baseline(args.baseline, plan))
    except InvalidPlanError as exc:
        _print_issues(exc, console)
        if args.json:
            _write_json(args.json, invalid_schedule(exc).to_json())
        return False
    return True


def _unit(plan: Any) -> str:
    """``days`` on a calendar plan, ``working days`` on workday grids."""
    return "days" if plan is None or plan.grid.kind == "calendar" else "working days"


def _safe_stem(path: Path) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in path.stem) or "plan"


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    with writing(path, "the JSON"):
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


def _print_summary(schedule: Any, console: Console) -> None:
    table = Table(show_header=False, box=None)
    colour = {"optimal": "green", "feasible": "yellow"}.get(schedule.status, "red")
    table.add_row("status", f"[{colour} bold]{schedule.status}")
    if schedule.repeatable is not None:
        table.add_row("repeatable", "yes" if schedule.repeatable else "no")
    if schedule.has_plan:
        doc_finish = schedule.plan.grid.finish_date(0, schedule.makespan)
        table.add_row(
            "makespan", f"{schedule.makespan} {_unit(schedule.plan)} (finish {doc_finish})"
        )
        table.add_row("objective", f"{schedule.objective:g} (bound {schedule.bound:g})")
        gap = schedule.gap if schedule.gap is not None else float("nan")
        table.add_row("gap", f"{gap:.2%}")
    table.add_row("solve time", f"{schedule.solve_seconds:.1f} s")
    for i, chain in enumerate(schedule.critical_path[:5], 1):
        table.add_row(f"critical path {i}", " → ".join(chain))
    if schedule.driving:
        table.add_row("driving path", " → ".join(schedule.driving))
    baseline = schedule.plan.baseline if schedule.plan is not None else None
    if baseline is not None and schedule.has_plan:
        from scheduler.baseline import compare_schedule

        cmp = compare_schedule(schedule)
        assert cmp is not None
        grid = schedule.plan.grid
        table.add_row(
            "baseline",
            f"{baseline.name}: finish {grid.finish_date(0, cmp.baseline_finish)}, variance "
            f"{cmp.finish_variance:+d} {_unit(schedule.plan)}; {cmp.moved} of "
            f"{len(cmp.activities)} activities start on another day, {len(cmp.slipped)} slipped",
        )
    for c in schedule.conflicts:
        table.add_row("[red]conflict", c.message)
    if schedule.min_horizon_days is not None and schedule.status == "infeasible":
        table.add_row(
            "needs",
            f"{schedule.min_horizon_days} {_unit(schedule.plan)} without horizon and due dates",
        )
    end = schedule.overrun_finish
    if end is not None:
        table.add_row(
            "[red]overrun",
            f"{schedule.overrun_days} {_unit(schedule.plan)} past the horizon: with it lifted "
            f"the plan finishes {schedule.plan.grid.finish_date(0, end)} ({end} "
            f"{_unit(schedule.plan)}); the dates are in the JSON and the report",
        )
    for note in schedule.notes:
        table.add_row("note", note)
    console.print(table)


def _cmd_convert(args: argparse.Namespace, console: Console) -> int:
    plan = _load(args.file, console)
    if plan is None:
        return EXIT_INVALID
    from scheduler.importers import convert_to_workbook

    with writing(args.output, "the workbook"):
        notes = convert_to_workbook(plan, args.output)
    for line in group_issues(notes):
        console.print(f"warning: {line}", style="yellow", markup=False, highlight=False)
    console.print(f"workbook written to {args.output}")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace, console: Console) -> int:
    started = getattr(args, "started", time.monotonic())
    plan = _load(args.file, console)
    if plan is None:
        return EXIT_INVALID
    from scheduler.exporters.mspdi import write_mspdi

    args.objective = None
    schedule = _solve_with_progress(plan, _options(args, plan, started), console)
    _print_summary(schedule, console)
    if not schedule.has_plan:
        return _exit_code(schedule)
    with writing(args.output, "the MS Project XML"):
        write_mspdi(schedule, args.output)
    console.print(f"MS Project XML written to {args.output}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, console: Console) -> int:
    """``infraplan check``: the DCMA 14-point assessment, printed and as JSON (exit 0)."""
    from scheduler.dcma import assess

    plan = _load(args.file, console)
    if plan is None:
        return EXIT_INVALID
    baseline = None
    if args.baseline:
        try:
            baseline = _read_baseline(args.baseline, plan)
        except InvalidPlanError as exc:
            _print_issues(exc, console)
            return EXIT_INVALID
        for line in group_issues(baseline.warnings):
            console.print(f"warning: {line}", style="yellow", markup=False, highlight=False)
    health = assess(plan, baseline)
    _print_health(health, console)
    if args.json:
        _write_json(args.json, health.to_json())
        console.print(f"JSON written to {args.json}")
    return EXIT_OK


def _read_baseline(path: Path, plan: Any) -> Any:
    """The baseline of ``infraplan check``: :func:`scheduler.baseline.read_baseline`, its
    finishes before a P6 plan's start kept (:func:`scheduler.dcma.baseline_with_history`).

    Raises
    ------
    InvalidPlanError
        As :func:`scheduler.baseline.read_baseline`: every problem placed in the file.
    """
    from datetime import date

    from scheduler.baseline import MAX_BASELINE_BYTES, read_baseline
    from scheduler.dcma import baseline_with_history

    first: date | None = None
    try:
        # only a file the reader will read (it refuses a larger one, and says so)
        if path.stat().st_size <= MAX_BASELINE_BYTES:
            first = date.fromisoformat(json.loads(path.read_bytes())["plan_start"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        first = None  # the reader says what is wrong
    return baseline_with_history(lambda p: read_baseline(path, p), plan, first)


def _print_health(health: Any, console: Console) -> None:
    """The 14 checks as a table: counts, share or index, threshold, result."""
    from rich.markup import escape

    console.print(
        f"[bold]{escape(health.plan_name)}[/]: DCMA 14-point assessment at data date "
        f"{health.data_date}" + (f" against {escape(health.baseline)}" if health.baseline else "")
    )
    table = Table(show_edge=False)
    for col in ("#", "check", "count", "share", "threshold", "result"):
        table.add_column(col, justify="right" if col in ("#", "count", "share") else "left")
    for c in health.checks:
        count = "" if c.count is None else f"{c.count:,} / {c.total:,}"
        share = (
            f"{c.value:.3f}"
            if c.value is not None
            else ("" if c.percent is None or c.id == 12 else f"{c.percent:.1f} %")
        )
        result = {True: "[green]pass", False: "[red bold]FAIL", None: "[dim]n/a"}[c.passed]
        table.add_row(str(c.id), c.name, count, share, escape(c.threshold), result)
    console.print(table)
    for c in health.checks:
        if c.passed is False and c.activities:
            ids = ", ".join(c.activities[:10])
            if c.activities_count > 10:
                ids += f" and {c.activities_count - 10:,} more"
            console.print(f"  {c.id} {c.name}: {escape(ids)}", highlight=False)
    console.print(
        f"{health.passed} passed, {health.failed} failed, "
        f"{len(health.checks) - health.passed - health.failed} not applicable"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
