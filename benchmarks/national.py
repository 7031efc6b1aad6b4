"""National-plan benchmark: our solver against a plain CP-SAT model of the same plan.

Plans: :func:`benchmarks.scale.generate_tables` (projects of 15-30 activities in three
streams, cross-sector links inside a region, regional crews and national machines,
two fiscal-year budget caps, monsoon and winter blackouts) with a max lag on
:data:`MAX_LAG_SHARE` of the dependencies inside projects; plan ``n{A}s{seed}`` is the
generated plan of ``A`` activities with generator seed ``seed``.

Each plan is solved in the same run, one solver after the other, with the same
wall-clock limit and workers:

* **ours**: :func:`scheduler.solver.solve` (``SolveOptions(time_limit_s, workers)``);
* **cpsat**: :func:`solve_plain_cpsat`, the model a CP-SAT user writes from SPEC §5 —
  one fixed-size interval per activity with the domain ``[0, horizon - d]``, the
  dependencies as linear inequalities, one cumulative per resource (time-varying
  capacity as fixed reducer intervals), the budget sums with the integer spend rule,
  each blackout as a disjunction (ends before it or starts after it), the makespan
  as the largest end; no hint, no tightened domains, CP-SAT's defaults.

Every schedule is re-checked by :func:`scheduler.solver.check_schedule` (which shares
no code with either model). The deviation is measured against the best-known
makespan of :data:`BEST_CSV` (``benchmarks/national_best.csv``; how it was made is in
BENCHMARKS.md, "National plans"); a run that beats it says so.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.tables import markdown_table
from scheduler.model import Plan

__all__ = [
    "BEST_CSV",
    "MAX_LAG_SHARE",
    "NationalRow",
    "format_national",
    "load_best",
    "national_plan",
    "run_national",
    "solve_plain_cpsat",
    "summarize_national",
]

log = logging.getLogger(__name__)

#: Share of the dependencies inside projects that get a max lag (lag + 40-90 days).
MAX_LAG_SHARE = 0.1
#: The best-known makespan of each generated plan (see BENCHMARKS.md, "National plans").
BEST_CSV = Path(__file__).with_name("national_best.csv")


def national_plan(activities: int, seed: int = 0) -> Plan:
    """The generated national plan ``n{activities}s{seed}`` (40 resources, max lags).

    Raises
    ------
    ValueError
        If ``activities < 20`` (see :func:`benchmarks.scale.generate_tables`).
    """
    from benchmarks.scale import generate_tables
    from scheduler.workbook import plan_from_tables

    return plan_from_tables(generate_tables(activities, seed=seed, max_lags=MAX_LAG_SHARE))


def solve_plain_cpsat(
    plan: Plan, time_limit: float, workers: int
) -> tuple[dict[str, int] | None, bool, float | None]:
    """The plain CP-SAT model of ``plan`` (module docstring), makespan minimised.

    Returns
    -------
    (starts, optimal, bound)
        Activity id → start slot (None when nothing was found), proven optimal, and
        CP-SAT's lower bound of the makespan (slots; None without one).
    """
    from ortools.sat.python import cp_model

    from scheduler.solver.constraints import add_budgets, add_dependencies, add_resources
    from scheduler.solver.data import Instance
    from scheduler.solver.variables import make_variables

    t0 = time.monotonic()
    inst = Instance.from_plan(plan)
    hz = plan.horizon
    lo, hi = [], []
    for a in plan.activities:
        lo.append(a.release or 0)
        hi.append(max(0, hz - a.duration))
    model = cp_model.CpModel()
    v = make_variables(model, inst, lo, hi, blackouts=False)
    add_dependencies(model, inst, v)
    add_resources(model, inst, v, hz)
    add_budgets(model, inst, v)
    for i, a in enumerate(plan.activities):
        s = v.starts[i]
        if a.due is not None:
            model.add(s + a.duration <= a.due)
        if a.fixed_start is not None:
            model.add(s == a.fixed_start)
        if a.duration == 0:
            continue
        for b in inst.blackout_hits[i]:
            bo = plan.blackouts[b]
            if bo.end <= bo.start:
                continue
            before = model.new_bool_var("")
            model.add(s + a.duration <= bo.start).only_enforce_if(before)
            model.add(s >= bo.end).only_enforce_if(before.negated())
    mk = model.new_int_var(0, hz, "makespan")
    model.add_max_equality(mk, [v.end(i) for i in range(inst.n)] or [0])
    model.minimize(mk)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.max_time_in_seconds = max(0.01, time_limit - (time.monotonic() - t0))
    st = solver.solve(model)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False, None
    starts = {inst.ids[i]: int(solver.value(s)) for i, s in enumerate(v.starts)}
    return starts, st == cp_model.OPTIMAL, float(solver.best_objective_bound)


@dataclass(slots=True)
class NationalRow:
    """One solver on one plan (a CSV row).

    ``makespan`` and ``bound`` in slots (days); ``best`` the best-known makespan
    (None when the table has no entry); ``dev_best`` = 100·(makespan − best)/best;
    ``gap`` = 100·(makespan − bound)/makespan as the solver printed it; ``errors``
    the first re-check violation (empty when feasible).
    """

    plan: str
    activities: int
    solver: str
    makespan: int | None
    bound: float | None
    optimal: bool
    best: int | None
    seconds: float
    feasible: bool
    errors: str = ""
    dev_best: float | None = field(default=None)
    gap: float | None = field(default=None)


def load_best(path: str | Path = BEST_CSV) -> dict[str, int]:
    """Plan name → best-known makespan (slots) from the table at ``path``.

    Raises
    ------
    ValueError
        On a row whose makespan is not a whole number (the file and row are named).
    """
    p = Path(path)
    if not p.exists():
        return {}
    out: dict[str, int] = {}
    with p.open(newline="", encoding="utf-8") as f:
        for k, row in enumerate(csv.DictReader(f), start=2):
            try:
                out[row["plan"]] = int(row["makespan"])
            except (KeyError, TypeError, ValueError):
                raise ValueError(
                    f"{p}, row {k}: column 'makespan' must be a whole number of days, "
                    f"not {row.get('makespan')!r}"
                ) from None
    return out


def _row(
    name: str,
    plan: Plan,
    solver: str,
    starts: dict[str, int] | None,
    optimal: bool,
    bound: float | None,
    best: int | None,
    seconds: float,
) -> NationalRow:
    from scheduler.solver import check_schedule

    mk = None
    errors: list[str] = []
    if starts:
        mk = max((starts[a.id] + a.duration for a in plan.activities), default=0)
        errors = check_schedule(plan, starts)
    row = NationalRow(
        plan=name,
        activities=len(plan.activities),
        solver=solver,
        makespan=mk,
        bound=bound,
        optimal=optimal,
        best=best,
        seconds=seconds,
        feasible=bool(starts) and not errors,
        errors=errors[0] if errors else "",
    )
    if mk is not None and best:
        row.dev_best = 100.0 * (mk - best) / best
    if mk and bound is not None:
        row.gap = 100.0 * (mk - bound) / mk
    return row


def run_national(
    sizes: Sequence[int],
    plans: int,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    solvers: Sequence[str] = ("ours", "cpsat"),
    csv_path: str | Path | None = None,
    best_path: str | Path = BEST_CSV,
    on_row: Callable[[NationalRow], None] | None = None,
) -> list[NationalRow]:
    """Solve ``plans`` generated plans of each size in ``sizes`` (seeds 0..plans-1).

    Each plan is generated once and given to each solver in turn (same limit, same
    workers). Rows are appended to ``csv_path`` as they come.

    Raises
    ------
    ValueError
        On a size below 20 activities or ``plans < 1``.
    """
    from scheduler.solver import SolveOptions, solve

    if plans < 1:
        raise ValueError(f"--plans must be at least 1, not {plans}")
    best = load_best(best_path)
    rows: list[NationalRow] = []
    writer = None
    fh = None
    if csv_path is not None:
        fh = Path(csv_path).open("w", newline="", encoding="utf-8")  # noqa: SIM115 - rows as they come
        writer = csv.writer(fh)
        writer.writerow(list(NationalRow.__dataclass_fields__))
    try:
        for a in sizes:
            for seed in range(plans):
                name = f"n{a}s{seed}"
                plan = national_plan(a, seed)
                for solver in solvers:
                    t = time.monotonic()
                    if solver == "ours":
                        res = solve(plan, SolveOptions(time_limit_s=time_limit, workers=workers))
                        starts = dict(res.starts) if res.status.has_plan else None
                        optimal, bound = res.status == "optimal", res.bound
                    else:
                        starts, optimal, bound = solve_plain_cpsat(plan, time_limit, workers)
                    row = _row(
                        name, plan, solver, starts, optimal, bound, best.get(name),
                        time.monotonic() - t,
                    )  # fmt: skip
                    rows.append(row)
                    if writer is not None and fh is not None:
                        writer.writerow(list(asdict(row).values()))
                        fh.flush()
                    if on_row is not None:
                        on_row(row)
    finally:
        if fh is not None:
            fh.close()
    return rows


def read_national_csv(path: str | Path) -> list[NationalRow]:
    """Rows written by :func:`run_national` (``--out``), for re-summarising."""

    def opt(x: str, kind: type) -> object:
        return None if x in ("", "None") else kind(x)

    out = []
    with Path(path).open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.append(
                NationalRow(
                    plan=r["plan"],
                    activities=int(r["activities"]),
                    solver=r["solver"],
                    makespan=opt(r["makespan"], int),  # type: ignore[arg-type]
                    bound=opt(r["bound"], float),  # type: ignore[arg-type]
                    optimal=r["optimal"] == "True",
                    best=opt(r["best"], int),  # type: ignore[arg-type]
                    seconds=float(r["seconds"]),
                    feasible=r["feasible"] == "True",
                    errors=r["errors"],
                    dev_best=opt(r["dev_best"], float),  # type: ignore[arg-type]
                    gap=opt(r["gap"], float),  # type: ignore[arg-type]
                )
            )
    return out


def summarize_national(rows: Sequence[NationalRow]) -> dict[str, dict[str, float]]:
    """Per solver: plans, feasible (re-checked), proven optimal, at or below best known,
    mean deviation from the best known (%, plans with a plan and a best-known value;
    a plan a solver found nothing for counts 100 %), mean printed gap (%), mean seconds;
    and ``ours/cpsat`` the ratio of the mean deviations when both ran."""
    out: dict[str, dict[str, float]] = {}
    for s in dict.fromkeys(r.solver for r in rows):
        rs = [r for r in rows if r.solver == s]
        devs = [
            (r.dev_best if r.feasible and r.dev_best is not None else 100.0)
            for r in rs
            if r.best is not None
        ]
        gaps = [r.gap for r in rs if r.gap is not None]
        out[s] = {
            "plans": len(rs),
            "feasible": sum(r.feasible for r in rs),
            "proven_optimal": sum(r.optimal for r in rs),
            "at_or_below_best": sum(
                1 for r in rs if r.feasible and r.best and (r.makespan or 0) <= r.best
            ),
            "mean_dev_best": sum(devs) / len(devs) if devs else float("nan"),
            "mean_gap": sum(gaps) / len(gaps) if gaps else float("nan"),
            "mean_seconds": sum(r.seconds for r in rs) / max(1, len(rs)),
        }
    if "ours" in out and "cpsat" in out and out["cpsat"]["mean_dev_best"] > 0:
        out["ours/cpsat"] = {
            "mean_dev_best": out["ours"]["mean_dev_best"] / out["cpsat"]["mean_dev_best"]
        }
    return out


def format_national(summary: dict[str, dict[str, float]]) -> str:
    """The summary as a Markdown table (one column per solver, then the ratio)."""
    keys = [
        "plans",
        "feasible",
        "proven_optimal",
        "at_or_below_best",
        "mean_dev_best",
        "mean_gap",
        "mean_seconds",
    ]
    counts = ("plans", "feasible", "proven_optimal", "at_or_below_best")
    return markdown_table(summary, keys, counts, ratios=("ours/cpsat",))
