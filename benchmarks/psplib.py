"""PSPLIB benchmark: our solver against PyJobShop's OR-Tools backend, in the same run.

Data: ``../shared/benchmarks/psplib/<set>/`` (Kolisch & Sprecher 1996, PSPLIB).
Reference values (see that folder's ``SOURCES.md``):

* j30: proven optima from ``j30opt.sm`` (Demeulemeester & Herroelen 1995);
* j60, j120: best-known upper bounds from ``j60hrs.sm`` / ``j120hrs.sm`` (Latin-1 text);
  an instance's reference is marked *optimal* when a published table proves it
  (``j60lb.sm`` rows marked ``*`` or the ``optimal`` rows of ``J60_C.csv`` for j60,
  ``optimal`` rows of ``J120_BKS.csv`` for j120, each only when equal to the hrs value);
* the critical-path lower bound is the ``MPM-Time`` field of each ``.sm`` file.

Every schedule, ours and the peer's, is re-checked by :func:`check_rcpsp`, which
reads the instance with the ``psplib`` package directly and shares no code with
the solver (precedences, then resource use per period).
"""

from __future__ import annotations

import csv
import logging
import math
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psplib

from benchmarks.tables import markdown_table

__all__ = [
    "SETS",
    "Reference",
    "Row",
    "check_rcpsp",
    "default_folder",
    "load_references",
    "mpm_time",
    "run_bench",
    "select_instances",
    "solve_ours",
    "solve_pyjobshop",
    "summarize",
    "write_csv",
]

log = logging.getLogger(__name__)

#: Set name → (parameter groups, instances per group).
SETS: dict[str, tuple[int, int]] = {"j30": (48, 10), "j60": (48, 10), "j120": (60, 10)}

_NAME = re.compile(r"^(j\d+?)(\d+)_(\d+)$")


def default_folder() -> Path:
    """``../shared/benchmarks/psplib`` beside the repository (the folder of SOURCES.md)."""
    return Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "psplib"


@dataclass(slots=True)
class Reference:
    """Reference makespan of one instance (periods) and whether it is a proven optimum."""

    value: int
    optimal: bool


@dataclass(slots=True)
class Row:
    """One solver run on one instance (one CSV row).

    ``makespan`` in periods (None if no schedule), ``seconds`` wall time of the whole
    call including model building, ``dev_ref`` / ``dev_lb`` the % deviation from the
    reference and from the critical-path bound, ``errors`` the feasibility re-check.
    """

    instance: str
    solver: str
    makespan: int | None
    optimal: bool
    bound: float | None
    seconds: float
    reference: int
    reference_optimal: bool
    cp_lb: int
    dev_ref: float | None
    dev_lb: float | None
    feasible: bool
    errors: str = ""
    extra: dict[str, object] = field(default_factory=dict)


# -- reference tables ----------------------------------------------------------------------------
def _hrs(path: Path, prefix: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and parts[1].isdigit() and parts[2].isdigit():
            out[f"{prefix}{parts[0]}_{parts[1]}"] = int(parts[2])
    return out


def _csv_optimal(path: Path, prefix: str, per_group: int = 10) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        parts = line.split(";")
        if len(parts) >= 3 and parts[0].isdigit() and parts[1] == "optimal":
            k = int(parts[0]) - 1
            out[f"{prefix}{k // per_group + 1}_{k % per_group + 1}"] = int(parts[2])
    return out


def load_references(set_name: str, folder: str | Path | None = None) -> dict[str, Reference]:
    """Reference makespans of a set: instance name (``"j301_1"``) → :class:`Reference`.

    Raises
    ------
    ValueError
        On an unknown set name.
    FileNotFoundError
        If the tables are missing.
    """
    if set_name not in SETS:
        raise ValueError(f"unknown set {set_name!r}; use one of {sorted(SETS)}")
    base = Path(folder) if folder is not None else default_folder()
    d = base / set_name
    if set_name == "j30":
        return {k: Reference(v, True) for k, v in _hrs(d / "j30opt.sm", "j30").items()}
    hrs = _hrs(d / f"{set_name}hrs.sm", set_name)
    proven: dict[str, int] = {}
    if set_name == "j60":
        proven.update(_csv_optimal(d / "J60_C.csv", "j60"))
        for line in (d / "j60lb.sm").read_text(encoding="latin-1").splitlines():
            p = line.split()
            if len(p) >= 5 and p[0].isdigit() and p[1].isdigit() and p[4] == "*":
                proven[f"j60{p[0]}_{p[1]}"] = int(p[2])
    else:
        proven.update(_csv_optimal(d / "J120_BKS.csv", "j120"))
    return {k: Reference(v, proven.get(k) == v) for k, v in hrs.items()}


def mpm_time(path: str | Path) -> int:
    """The ``MPM-Time`` (critical-path length, periods) of a PSPLIB ``.sm`` file.

    Raises
    ------
    ValueError
        If the PROJECT INFORMATION section is missing.
    """
    lines = Path(path).read_text(encoding="latin-1").splitlines()
    for k, line in enumerate(lines):
        if line.startswith("PROJECT INFORMATION"):
            return int(lines[k + 2].split()[5])
    raise ValueError(f"{path}: no PROJECT INFORMATION section")


# -- sample -------------------------------------------------------------------------------------
def select_instances(set_name: str, count: int | None = None) -> list[str]:
    """A spread sample of instance names (all when ``count`` is None or too large).

    The ``j``-th of ``N`` picks parameter group ``1 + floor(j * P / N)`` and instance
    ``1 + (j mod 10)``: every group (hence every network complexity, resource factor
    and resource strength) is visited evenly, and instance numbers rotate.

    Raises
    ------
    ValueError
        On an unknown set name or ``count < 1``.
    """
    if set_name not in SETS:
        raise ValueError(f"unknown set {set_name!r}; use one of {sorted(SETS)}")
    groups, per = SETS[set_name]
    if count is None or count >= groups * per:
        return [f"{set_name}{p}_{i}" for p in range(1, groups + 1) for i in range(1, per + 1)]
    if count < 1:
        raise ValueError("count must be at least 1")
    return [f"{set_name}{1 + (j * groups) // count}_{1 + (j % per)}" for j in range(count)]


# -- independent feasibility check ----------------------------------------------------------------
def check_rcpsp(path: str | Path, starts: Sequence[int]) -> list[str]:
    """Every violated constraint of a schedule of a PSPLIB instance.

    Reads the instance with ``psplib.parse`` (not with our reader) and checks
    ``start[succ] >= start[job] + duration[job]`` for every precedence, then the use of
    each renewable resource in every period ``[t, t+1)`` against its capacity.

    Parameters
    ----------
    path
        The ``.sm`` file.
    starts
        Start period of each job, job 1 first, shape ``(n + 2,)``.

    Returns
    -------
    list of str
        One sentence per violation; ``[]`` means feasible.
    """
    inst = psplib.parse(str(path), instance_format="psplib")
    n = len(inst.activities)
    if len(starts) != n:
        return [f"{len(starts)} start times for {n} jobs"]
    out: list[str] = []
    dur = [a.modes[0].duration for a in inst.activities]
    for j, s in enumerate(starts):
        if s < 0:
            out.append(f"job {j + 1} starts at {s} < 0")
    for j, act in enumerate(inst.activities):
        for s in act.successors:
            if starts[s] < starts[j] + dur[j]:
                out.append(
                    f"job {s + 1} starts at {starts[s]} before job {j + 1} ends at "
                    f"{starts[j] + dur[j]}"
                )
    end = max((s + d for s, d in zip(starts, dur, strict=True)), default=0)
    for k, res in enumerate(inst.resources):
        use = [0] * (end + 1)
        for j, act in enumerate(inst.activities):
            amt = act.modes[0].demands[k]
            for t in range(starts[j], starts[j] + dur[j]):
                use[t] += amt
        for t, u in enumerate(use):
            if u > res.capacity:
                out.append(f"resource {k + 1} uses {u} > {res.capacity} in period {t}")
    return out


# -- the two solvers ----------------------------------------------------------------------------
def solve_ours(
    path: Path, time_limit: float, workers: int, switches: Mapping[str, Any] | None = None
) -> tuple[list[int] | None, bool, float | None]:
    """Our solver: :func:`scheduler.psplib_io.read_psplib` then :func:`scheduler.solver.solve`.

    Wall-clock limit (not repeatable), ``workers`` threads; ``switches`` sets further
    :class:`scheduler.solver.SolveOptions` fields (e.g. ``{"improve_share": 0.1}``).

    Returns
    -------
    (starts, optimal, bound)
        Start period per job (job 1 first) or None, proven optimal, lower bound (periods).
    """
    from scheduler.psplib_io import read_psplib
    from scheduler.solver import SolveOptions, solve

    plan = read_psplib(path)
    opts = SolveOptions(time_limit_s=time_limit, workers=workers, **dict(switches or {}))
    res = solve(plan, opts)
    if not res.starts:
        return None, False, res.bound
    starts = [res.starts[a.id] for a in plan.activities]
    return starts, res.status == "optimal", res.bound


def solve_pyjobshop(
    path: Path, time_limit: float, workers: int, switches: Mapping[str, Any] | None = None
) -> tuple[list[int] | None, bool, float | None]:
    """The peer: PyJobShop (OR-Tools CP-SAT backend), as its RCPSP example builds it.

    One renewable resource per PSPLIB resource, one task and mode per job, an
    end-before-start constraint per precedence, makespan objective; ``time_limit``
    seconds and ``workers`` threads (``switches`` are ours: ignored).

    Raises
    ------
    ImportError
        If pyjobshop is not installed (it is a benchmark-only dependency).
    """
    try:
        from pyjobshop import Model
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "pyjobshop is not installed; `pip install pyjobshop` to compare with it"
        ) from exc
    inst = psplib.parse(str(path), instance_format="psplib")
    m = Model()
    resources = [m.add_renewable(capacity=r.capacity) for r in inst.resources]
    tasks = [m.add_task(name=str(j + 1)) for j in range(len(inst.activities))]
    for task, act in zip(tasks, inst.activities, strict=True):
        mode = act.modes[0]
        m.add_mode(task, resources, mode.duration, list(mode.demands))
    for j, act in enumerate(inst.activities):
        for s in act.successors:
            m.add_end_before_start(tasks[j], tasks[s])
    m.set_objective(weight_makespan=1)
    res = m.solve("ortools", time_limit=time_limit, display=False, num_workers=workers)
    status = getattr(res.status, "name", str(res.status))
    if status not in ("OPTIMAL", "FEASIBLE"):
        return None, False, None
    starts = [t.start for t in res.best.tasks]
    return starts, status == "OPTIMAL", float(res.lower_bound)


_Solver = Callable[
    [Path, float, int, Mapping[str, Any] | None], tuple[list[int] | None, bool, float | None]
]
SOLVERS: dict[str, _Solver] = {
    "ours": solve_ours,
    "pyjobshop": solve_pyjobshop,
}


def _row(
    name: str, solver: str, path: Path, ref: Reference, cp_lb: int, out: tuple, seconds: float
) -> Row:
    starts, optimal, bound = out
    if starts is None:
        return Row(
            name,
            solver,
            None,
            False,
            bound,
            seconds,
            ref.value,
            ref.optimal,
            cp_lb,
            None,
            None,
            False,
            "no schedule",
        )
    errs = check_rcpsp(path, starts)
    mk = _ends(path, starts)
    return Row(
        name,
        solver,
        mk,
        optimal,
        bound,
        seconds,
        ref.value,
        ref.optimal,
        cp_lb,
        100.0 * (mk - ref.value) / ref.value,
        100.0 * (mk - cp_lb) / cp_lb,
        not errs,
        "; ".join(errs[:3]),
    )


def _ends(path: Path, starts: Sequence[int]) -> int:
    inst = psplib.parse(str(path), instance_format="psplib")
    return max(s + a.modes[0].duration for s, a in zip(starts, inst.activities, strict=True))


def run_bench(
    set_name: str,
    instances: Sequence[str],
    *,
    folder: str | Path | None = None,
    time_limit: float = 10.0,
    workers: int = 2,
    solvers: Sequence[str] = ("ours",),
    csv_path: str | Path | None = None,
    on_row: Callable[[Row], None] | None = None,
    switches: Mapping[str, Any] | None = None,
) -> list[Row]:
    """Solve ``instances`` of ``set_name`` with each solver in turn (same limits).

    For each instance the solvers run one after the other (never at the same time),
    each with ``time_limit`` wall seconds and ``workers`` threads. Rows are appended
    to ``csv_path`` as they come (so a long run can be watched and survives a kill).
    ``switches``: further :class:`scheduler.solver.SolveOptions` fields for ours.

    Raises
    ------
    FileNotFoundError
        If an instance file is missing.
    """
    base = Path(folder) if folder is not None else default_folder()
    refs = load_references(set_name, base)
    rows: list[Row] = []
    if csv_path is not None:
        Path(csv_path).write_text(",".join(_FIELDS) + "\n", encoding="utf-8")
    for name in instances:
        path = base / set_name / f"{name}.sm"
        if not path.exists():
            raise FileNotFoundError(path)
        cp_lb = mpm_time(path)
        for solver in solvers:
            t0 = time.perf_counter()
            out = SOLVERS[solver](path, time_limit, workers, switches)
            row = _row(name, solver, path, refs[name], cp_lb, out, time.perf_counter() - t0)
            rows.append(row)
            if csv_path is not None:
                with open(csv_path, "a", encoding="utf-8", newline="") as fh:
                    csv.writer(fh).writerow(_values(row))
            if on_row is not None:
                on_row(row)
    return rows


_FIELDS = [
    "instance",
    "solver",
    "makespan",
    "optimal",
    "bound",
    "seconds",
    "reference",
    "reference_optimal",
    "cp_lb",
    "dev_ref",
    "dev_lb",
    "feasible",
    "errors",
]


def _values(row: Row) -> list[object]:
    d = asdict(row)
    return [round(v, 3) if isinstance(v, float) else v for v in (d[k] for k in _FIELDS)]


def write_csv(rows: Sequence[Row], path: str | Path) -> None:
    """Write rows (one per instance and solver) as CSV with a header."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(_FIELDS)
        for r in rows:
            w.writerow(_values(r))


def read_csv(path: str | Path) -> list[Row]:
    """Rows written by :func:`write_csv` / :func:`run_bench` (for re-summarising)."""

    def opt_int(x: str) -> int | None:
        return None if x in ("", "None") else int(x)

    def opt_float(x: str) -> float | None:
        return None if x in ("", "None") else float(x)

    rows = []
    with open(path, encoding="utf-8") as fh:
        for d in csv.DictReader(fh):
            rows.append(
                Row(
                    instance=d["instance"],
                    solver=d["solver"],
                    makespan=opt_int(d["makespan"]),
                    optimal=d["optimal"] == "True",
                    bound=opt_float(d["bound"]),
                    seconds=float(d["seconds"]),
                    reference=int(d["reference"]),
                    reference_optimal=d["reference_optimal"] == "True",
                    cp_lb=int(d["cp_lb"]),
                    dev_ref=opt_float(d["dev_ref"]),
                    dev_lb=opt_float(d["dev_lb"]),
                    feasible=d["feasible"] == "True",
                    errors=d["errors"],
                )
            )
    return rows


def summarize(rows: Sequence[Row]) -> dict[str, dict[str, float]]:
    """Per solver: instances, feasible, proven optimal, at reference, mean % deviations, seconds.

    Mean deviations are over instances where the solver has a feasible schedule;
    ``ratio`` entries (ours / peer) are added under the key ``"ours/pyjobshop"`` when
    both solvers ran on the same instances.
    """
    out: dict[str, dict[str, float]] = {}
    for solver in dict.fromkeys(r.solver for r in rows):
        rs = [r for r in rows if r.solver == solver]
        ok = [r for r in rs if r.feasible and r.makespan is not None]
        out[solver] = {
            "instances": len(rs),
            "feasible": len(ok),
            "proven_optimal": sum(r.optimal for r in ok),
            "at_reference": sum(r.makespan is not None and r.makespan <= r.reference for r in ok),
            "mean_dev_ref": _mean([r.dev_ref for r in ok]),
            "mean_dev_lb": _mean([r.dev_lb for r in ok]),
            "mean_seconds": _mean([r.seconds for r in rs]),
        }
    if "ours" in out and "pyjobshop" in out:
        a, b = out["ours"], out["pyjobshop"]
        out["ours/pyjobshop"] = {
            k: (a[k] / b[k] if b[k] else math.nan)
            for k in ("proven_optimal", "mean_dev_ref", "mean_dev_lb", "mean_seconds")
        }
    return out


def _mean(xs: Sequence[float | None]) -> float:
    vals = [x for x in xs if x is not None]
    return sum(vals) / len(vals) if vals else math.nan


def load_average() -> str:
    """The 1/5/15-minute load averages, e.g. ``"2.10 1.95 1.80"`` (``os.getloadavg``)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every OS
        return "n/a"


def format_summary(summary: dict[str, dict[str, float]]) -> str:
    """The summary as a Markdown table (one column per solver, then the ratio)."""
    keys = [
        "instances",
        "feasible",
        "proven_optimal",
        "at_reference",
        "mean_dev_ref",
        "mean_dev_lb",
        "mean_seconds",
    ]
    counts = ("instances", "feasible", "proven_optimal", "at_reference")
    return markdown_table(summary, keys, counts, ratios=("ours/pyjobshop",))
