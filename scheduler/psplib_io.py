"""Read PSPLIB single-mode RCPSP instances into a :class:`~scheduler.model.Plan`.

PSPLIB format, Kolisch & Sprecher 1997 ("PSPLIB - a project scheduling problem
library", EJOR 96); parsed with the ``psplib`` package.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import psplib

from scheduler.errors import InvalidPlanError, Issue, UnreadableFileError
from scheduler.graph import find_cycles, named
from scheduler.importers._limits import MAX_PLAN_DAYS, MAX_UNITS
from scheduler.model import Activity, Demand, Dependency, Plan, Resource
from scheduler.timegrid import TimeGrid

__all__ = ["read_j30_optima", "read_psplib"]


def read_psplib(path: str | Path, plan_start: date = date(2027, 1, 1)) -> Plan:
    """Read a PSPLIB ``.sm`` file as a plan on a ``calendar`` grid.

    Activity ids are the PSPLIB job numbers as strings (``"1"`` is the source,
    ``"n+2"`` the sink; both kept as milestones of duration 0). Precedences are FS
    with lag 0; resources ``R1..R4`` are renewable with constant capacity; the
    objective is the makespan. The horizon (whole months) covers the sum of all
    durations, so it never binds.

    Parameters
    ----------
    path
        The ``.sm`` file.
    plan_start
        Date of slot 0.

    Raises
    ------
    UnreadableFileError
        If the ``psplib`` parser cannot read the file (not a PSPLIB ``.sm`` file,
        or a truncated one): ``"<name> is not a PSPLIB .sm file: <reason>"``.
    InvalidPlanError
        If a job lists a successor that is not a job, has a negative duration or a
        demand above its resource's capacity, or the precedences form a cycle (each
        issue names the file, the job and the field); if a duration, or the sum of
        all durations (the plan's horizon), is over 36,525 days (100 years), or a
        capacity or demand over 1,000,000 units; if the instance has several modes
        or a resource that is not renewable.
    """
    try:
        inst = psplib.parse(str(path), instance_format="psplib")
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as exc:
        reason = str(exc) or type(exc).__name__
        raise UnreadableFileError(f"{Path(path).name} is not a PSPLIB .sm file: {reason}") from exc
    issues = _check(Path(path).name, inst)
    if issues:
        raise InvalidPlanError(issues)
    acts: list[Activity] = []
    deps: list[Dependency] = []
    demands: list[Demand] = []
    resources = []
    for k, res in enumerate(inst.resources):
        resources.append(Resource(id=f"R{k + 1}", capacity=res.capacity, name=f"R {k + 1}"))
    total = 0
    for j, act in enumerate(inst.activities):
        mode = act.modes[0]
        aid = str(j + 1)
        acts.append(Activity(id=aid, name=f"job {aid}", duration=mode.duration))
        total += mode.duration
        for k, amt in enumerate(mode.demands):
            if amt > 0 and mode.duration > 0:
                demands.append(Demand(aid, f"R{k + 1}", amt))
        for s in act.successors:
            deps.append(Dependency(aid, str(s + 1), "FS", 0))
    months = max(1, math.ceil((total + 1) / 28))
    grid = TimeGrid(plan_start, "calendar", months)
    while grid.horizon < total:
        months += 1
        grid = TimeGrid(plan_start, "calendar", months)
    return Plan(
        name=Path(path).stem,
        grid=grid,
        activities=acts,
        dependencies=deps,
        resources=resources,
        demands=demands,
        objectives=["makespan"],
    )


def _check(name: str, inst: psplib.ProjectInstance) -> list[Issue]:
    """What makes a parsed ``.sm`` file unschedulable: a successor that is not a job, a
    negative duration, a demand above its resource's capacity, a precedence cycle. Each
    issue names the file, the job and the field (``.sm`` files have no rows to point at)."""
    issues: list[Issue] = []
    n = len(inst.activities)
    caps = [res.capacity for res in inst.resources]

    def add(column: str, text: str) -> None:
        issues.append(Issue(name, None, column, f"{name}: {text}"))

    for k, res in enumerate(inst.resources, start=1):
        if not res.renewable:
            add(f"R {k}", f"resource {k} is not renewable; only renewable resources are read")
    for k, cap in enumerate(caps, start=1):
        if not 0 <= cap <= MAX_UNITS:
            add(f"R {k}", f"R {k} has a capacity of {_big(cap)}, not between 0 and {MAX_UNITS:,}")
    total = 0
    links: list[tuple[int, int, int]] = []
    for j, act in enumerate(inst.activities, start=1):
        if len(act.modes) != 1:
            add("modes", f"job {j} has {len(act.modes)} modes; only single-mode files are read")
        for mode in act.modes:
            total += max(0, mode.duration)
            if mode.duration < 0:
                add("duration", f"job {j} has a negative duration ({mode.duration})")
            elif mode.duration > MAX_PLAN_DAYS:
                add(
                    "duration",
                    f"job {j} has a duration of {_big(mode.duration)} days, longer than any "
                    f"plan (at most {MAX_PLAN_DAYS:,} days, 100 years)",
                )
            for k, amt in enumerate(mode.demands):
                if k < len(caps) and amt > caps[k] and mode.duration > 0:
                    add(
                        f"R {k + 1}",
                        f"job {j} demands {_big(amt)} of R {k + 1}, above its capacity of "
                        f"{_big(caps[k])}",
                    )
        for s in act.successors:
            if not 0 <= s < n:
                add("successors", f"job {j} lists successor {s + 1}, but the file has {n} jobs")
            else:
                links.append((j, s + 1, len(links)))
    if total > MAX_PLAN_DAYS and not any(i.column == "duration" for i in issues):
        add(
            "duration",
            f"the durations add up to {total:,} days, longer than any plan "
            f"(at most {MAX_PLAN_DAYS:,} days, 100 years)",
        )
    cycles = find_cycles(links)
    if cycles:
        jobs = named([str(u) for u, _, _ in cycles[0]])
        add("successors", f"the precedences contain a cycle: jobs {jobs}")
    return issues


def _big(value: float) -> str:
    """A number as messages show it: as written up to 10^9, else ``1e+20``."""
    return str(value) if abs(value) < 10**9 else f"{value:.4g}"


def read_j30_optima(path: str | Path) -> dict[str, int]:
    """Optimal makespans from PSPLIB's ``j30opt.sm`` (Demeulemeester & Herroelen 1995).

    Returns
    -------
    dict
        Instance name (``"j301_1"`` for parameter 1, instance 1) → optimal makespan.
    """
    out: dict[str, int] = {}
    started = False
    for line in Path(path).read_text(encoding="latin-1").splitlines():
        if line.startswith("---"):
            started = True
            continue
        parts = line.split()
        if started and len(parts) >= 3 and parts[0].isdigit() and parts[1].isdigit():
            out[f"j30{parts[0]}_{parts[1]}"] = int(parts[2])
    return out
