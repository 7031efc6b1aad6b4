"""National-scale benchmark: a generated plan shaped like ``data/national_plan.xlsx``.

:func:`generate_tables` builds the workbook tables of a plan of ``N`` activities:
8 regions; projects of 15-30 activities, each a first activity then three parallel
streams (FS, a quarter SS with lag); one sector and one or two regions per project; one crew
resource per region and kind (regional crews) plus national machines, so that
``resources`` resources in all; cross-sector links (SS/FS with lag) between projects
of the same region, from the first third of one project to the last third of
another (no cycles, no chains of projects);
two budget years (2027, 2028) with caps at 65 % of the total cost each; monsoon
blackouts for dam and road works and a winter blackout for one region. Capacities
are sized so that each resource is about half loaded over 20 months of the 24-month
horizon, so a feasible plan exists.

:func:`run_scale` then times, each separately: workbook write, workbook read
(cells), validation and conversion (:func:`scheduler.workbook.plan_from_tables`),
CPM (:func:`scheduler.cpm.compute_cpm`), the solve (time to the first feasible
plan, objective, bound and gap at the limit), the plan float of the solved plan
(:func:`scheduler.plan_float.compute_plan_float`, median of 5), report writing
(:func:`scheduler.report.write_report`) and peak memory (the process's peak RSS,
``resource.getrusage``; ``psutil`` elsewhere).
"""

from __future__ import annotations

import logging
import math
import random
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.model import SECTORS

__all__ = ["generate_tables", "run_scale"]

log = logging.getLogger(__name__)

_REGIONS = [
    ("SEL", "Seoul capital hub", 37.57, 126.98),
    ("YGI", "Yongin-Pyeongtaek", 37.24, 127.18),
    ("DJN", "Daejeon-Sejong", 36.35, 127.38),
    ("GWJ", "Gwangju", 35.16, 126.85),
    ("DGU", "Daegu-Gumi", 35.87, 128.60),
    ("BSN", "Busan-Ulsan", 35.18, 129.08),
    ("GWN", "Gangwon", 37.88, 127.73),
    ("JJU", "Jeju", 33.50, 126.53),
]
_KINDS = ["civil", "mech", "elec"]
PLAN_START = date(2027, 1, 1)
HORIZON_MONTHS = 24


def generate_tables(
    activities: int, resources: int = 40, seed: int = 0, max_lags: float = 0.0
) -> dict[str, list[dict[str, Any]]]:
    """Workbook tables (``{sheet: rows}``, as :func:`scheduler.workbook.write_workbook`
    takes them) of a national-style plan with ``activities`` activities.

    Durations in days (5-40), cost in 100M KRW (1-80 per activity). With
    ``max_lags > 0``, that share of the dependencies inside projects gets a max lag
    of the lag plus 40-90 days (drawn from a separate random stream seeded
    ``seed + 1``, so the rest of the plan is the one ``max_lags=0`` generates).

    Raises
    ------
    ValueError
        If ``activities < 20`` or ``resources < len(regions) + 1``.
    """
    if activities < 20:
        raise ValueError("at least 20 activities")
    n_reg = len(_REGIONS)
    if resources < n_reg + 1:
        raise ValueError(f"at least {n_reg + 1} resources (one crew per region and a machine)")
    if not 0.0 <= max_lags <= 1.0:
        raise ValueError(f"max_lags is a share in [0, 1], not {max_lags}")
    rng = random.Random(seed)
    ml_rng = random.Random(seed + 1)
    # resources: regional crews (kind x region) first, the rest national machines
    n_crews = min(resources - 1, n_reg * len(_KINDS))
    crews = [(f"CREW-{_REGIONS[k % n_reg][0]}-{_KINDS[k // n_reg]}", _REGIONS[k % n_reg][0])
             for k in range(n_crews)]  # fmt: skip
    machines = [f"MACH-{k + 1:02d}" for k in range(resources - n_crews)]
    acts: list[dict[str, Any]] = []
    deps: list[dict[str, Any]] = []
    demands: list[dict[str, Any]] = []
    load: dict[str, int] = {}
    early: dict[str, list[int]] = {r[0]: [] for r in _REGIONS}
    late: dict[str, list[int]] = {r[0]: [] for r in _REGIONS}
    p = 0
    while len(acts) < activities:
        p += 1
        size = min(rng.randint(15, 30), activities - len(acts))
        sector = SECTORS[p % len(SECTORS)]
        reg_a = _REGIONS[rng.randrange(n_reg)][0]
        reg_b = _REGIONS[rng.randrange(n_reg)][0] if rng.random() < 0.5 else ""
        reg_b = "" if reg_b == reg_a else reg_b
        project = f"P{p:05d} {sector} {reg_a}{'-' + reg_b if reg_b else ''}"
        first = len(acts)
        third = max(1, size // 3)
        for k in range(size):
            idx = len(acts)
            aid = f"A{idx + 1:06d}"
            dur = rng.randint(5, 40)
            acts.append({
                "id": aid, "name": f"{sector} works {k + 1} of {project}", "project": project,
                "sector": sector, "region_from": reg_a, "region_to": reg_b, "duration": dur,
                "duration_unit": "d", "cost": rng.randint(1, 80), "weight": 1,
                "release": None, "due": None, "fixed_start": None,
            })  # fmt: skip
            if k < third:
                early[reg_a].append(idx)
            elif k >= size - third:
                late[reg_a].append(idx)
            if k > 0:
                # three parallel streams after the first activity (a main chain and branches)
                pred = first + (k - 3 if k > 3 else 0)
                kind, lag = ("SS", rng.randint(5, dur)) if rng.random() < 0.25 else ("FS", 0)
                mx = None
                if max_lags > 0 and ml_rng.random() < max_lags:
                    mx = lag + ml_rng.randint(40, 90)
                deps.append({"predecessor": acts[pred]["id"], "successor": aid,
                             "type": kind, "lag": lag, "max_lag": mx})  # fmt: skip
            region_crews = [c for c, r in crews if r == reg_a] or [crews[0][0]]
            crew = region_crews[k % len(region_crews)]
            amt = rng.randint(1, 2)
            demands.append({"activity": aid, "resource": crew, "amount": amt})
            load[crew] = load.get(crew, 0) + amt * dur
            if machines and rng.random() < 0.3:
                m = machines[rng.randrange(len(machines))]
                demands.append({"activity": aid, "resource": m, "amount": 1})
                load[m] = load.get(m, 0) + dur
    # cross-sector links inside a region: from the first third of one project to the
    # last third of another, so links never chain projects into one long path
    n_links = len(acts) // 10
    for _ in range(n_links):
        reg = _REGIONS[rng.randrange(n_reg)][0]
        if not early[reg] or not late[reg]:
            continue
        a, b = rng.choice(early[reg]), rng.choice(late[reg])
        if acts[a]["sector"] == acts[b]["sector"]:
            continue
        deps.append({"predecessor": acts[a]["id"], "successor": acts[b]["id"],
                     "type": rng.choice(["FS", "SS"]), "lag": rng.randint(0, 20),
                     "max_lag": None})  # fmt: skip
    days = 20 * 30  # capacities: about half loaded over 20 months
    res_rows = []
    for c, reg in crews:
        cap = max(2, math.ceil(2 * load.get(c, 0) / days))
        res_rows.append({"id": c, "name": f"{c} crews", "capacity": cap, "region": reg,
                         "unit": "crews"})  # fmt: skip
    for m in machines:
        cap = max(1, math.ceil(2 * load.get(m, 0) / days))
        res_rows.append({"id": m, "name": f"national machine {m}", "capacity": cap,
                         "region": None, "unit": "machines"})  # fmt: skip
    total_cost = sum(a["cost"] for a in acts)
    budget = [{"year": y, "from": None, "to": None, "cap": math.ceil(0.65 * total_cost)}
              for y in (2027, 2028)]  # fmt: skip
    blackouts = []
    for y in (2027, 2028):
        for scope in ("dam", "road"):
            blackouts.append({"scope": scope, "from": date(y, 7, 15), "to": date(y, 8, 10),
                              "reason": "monsoon"})  # fmt: skip
        blackouts.append({"scope": "GWN", "from": date(y, 1, 5), "to": date(y, 1, 25),
                          "reason": "winter"})  # fmt: skip
    return {
        "settings": [
            {"key": "plan_name", "value": f"Generated national plan ({len(acts)} activities)"},
            {"key": "plan_start", "value": PLAN_START},
            {"key": "horizon_months", "value": HORIZON_MONTHS},
            {"key": "calendar", "value": "calendar"},
            {"key": "objective", "value": "makespan"},
            {"key": "time_limit_s", "value": 10},
        ],
        "regions": [
            {"id": r, "name": nm, "lat": la, "lon": lo, "industry": ""}
            for r, nm, la, lo in _REGIONS
        ],
        "activities": acts,
        "dependencies": deps,
        "resources": res_rows,
        "demands": demands,
        "budget": budget,
        "blackouts": blackouts,
    }


def _peak_rss_mb() -> float:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    except ImportError:  # pragma: no cover - not on Linux
        import psutil

        return psutil.Process().memory_info().rss / 2**20


def _time_plan_float(sched: Any, repeats: int = 5) -> str:
    """Median of ``repeats`` runs of the plan float (:mod:`scheduler.plan_float`) of ``sched``.

    Adds the driving path and the floats to ``sched`` (so the report shows them) and says
    how many activities have logic float > 0 but plan float 0.
    """
    from statistics import median

    from scheduler.cpm import driving_path
    from scheduler.plan_float import compute_plan_float

    plan = sched.plan
    sched.driving, sched.driving_links = driving_path(plan, sched.starts)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        pf = compute_plan_float(plan, sched.starts, driving_links=sched.driving_links)
        times.append(time.perf_counter() - t)
    sched.plan_float, sched.finish_driving = pf.floats, pf.driving
    logic = sched.cpm.times
    hidden = sum(1 for a, f in pf.floats.items() if f == 0 and logic[a].total_float > 0)
    return (
        f"{median(times):.3f} s (median of {repeats}; {len(pf.arcs)} flow arcs; {hidden} "
        f"activities with logic float > 0 have plan float 0; {len(pf.budget_cut)} cut by a "
        f"budget cap)"
    )


def run_scale(
    activities: int,
    *,
    resources: int = 40,
    seed: int = 0,
    time_limit: float = 10.0,
    workers: int = 2,
    keep: Path | None = None,
) -> dict[str, str]:
    """Generate, write, read, validate, CPM, solve and report a plan; time each step.

    Returns
    -------
    dict
        Step → measured figure (text with units), in order.
    """
    from scheduler.cpm import compute_cpm
    from scheduler.report import write_report
    from scheduler.solution import Schedule
    from scheduler.solver import SolveOptions, check_schedule, solve
    from scheduler.workbook import plan_from_tables, read_tables, write_workbook

    out: dict[str, str] = {}
    folder = keep or Path(tempfile.mkdtemp(prefix="infraplan-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    tables = generate_tables(activities, resources, seed)
    out["generate"] = f"{time.perf_counter() - t:.2f} s"
    wb = folder / f"scale_{activities}.xlsx"
    t = time.perf_counter()
    write_workbook(tables, wb)
    out["workbook write"] = f"{time.perf_counter() - t:.2f} s ({wb.stat().st_size / 2**20:.1f} MiB)"
    t = time.perf_counter()
    read = read_tables(wb)
    out["workbook read (cells)"] = f"{time.perf_counter() - t:.2f} s"
    t = time.perf_counter()
    plan = plan_from_tables(read)
    out["validation + conversion"] = f"{time.perf_counter() - t:.2f} s"
    out["plan"] = (
        f"{len(plan.activities)} activities, {len(plan.dependencies)} dependencies, "
        f"{len(plan.resources)} resources, {len(plan.budgets)} budget periods, "
        f"{len(plan.blackouts)} blackouts, horizon {plan.horizon} days"
    )
    t = time.perf_counter()
    cpm = compute_cpm(plan)
    out["CPM"] = f"{time.perf_counter() - t:.2f} s (logic finish {cpm.project_finish} days)"
    t = time.perf_counter()
    res = solve(plan, SolveOptions(time_limit_s=time_limit, workers=workers))
    out["solve (total)"] = f"{time.perf_counter() - t:.2f} s, status {res.status}, by {res.source}"
    ff = res.first_feasible_seconds
    out["first feasible plan"] = "none" if ff is None else f"{ff:.2f} s"
    out["objective (makespan)"] = f"{res.objective} days"
    out["lower bound"] = f"{res.bound} days"
    out["gap"] = "n/a" if res.gap is None else f"{100 * res.gap:.1f} %"
    if res.starts:
        errs = check_schedule(plan, res.starts)
        out["re-check"] = "feasible" if not errs else f"{len(errs)} violations: {errs[0]}"
        sched = Schedule(
            plan=plan,
            status=res.status,
            starts=dict(res.starts),
            objective=res.objective,
            bound=res.bound,
            gap=res.gap,
            solve_seconds=res.solve_seconds,
            cpm=cpm,
            objectives=["makespan"],
        )
        out["plan float"] = _time_plan_float(sched)
        t = time.perf_counter()
        write_report(sched, folder / f"scale_{activities}_report.xlsx")
        out["report write"] = f"{time.perf_counter() - t:.2f} s"
    out["peak memory (process RSS)"] = f"{_peak_rss_mb():.0f} MiB"
    return out
