"""Read PSPLIB single-mode RCPSP instances into a :class:`~scheduler.model.Plan`.

PSPLIB format, Kolisch & Sprecher 1997 ("PSPLIB - a project scheduling problem
library", EJOR 96); parsed with the ``psplib`` package.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import psplib

from scheduler.errors import InvalidPlanError, Issue, Place, UnreadableFileError
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
        If a duration is negative, or it or the sum of all durations (the plan's
        horizon) is over 36,525 days (100 years), a capacity over 1,000,000 units,
        the instance has several modes or a resource that is not renewable (file
        and job named); then, from the plan's checks
        (:func:`scheduler.checks.validate_plan`), if a job lists a successor that is
        not a job or itself, demands more than its resource's capacity, or the
        precedences form a cycle, e.g. ``"j301_1.sm: job 9: successor '77' is not an
        activity id"``, ``"j301_1.sm: cyclic dependencies 2 → 3 → 2 (jobs 2, 3);
        remove or reverse one of them"``.
    """
    from scheduler.checks import checked_plan

    name = Path(path).name
    try:
        inst = psplib.parse(str(path), instance_format="psplib")
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as exc:
        reason = str(exc) or type(exc).__name__
        raise UnreadableFileError(f"{name} is not a PSPLIB .sm file: {reason}") from exc
    issues = _check(name, inst)
    if issues:
        raise InvalidPlanError(issues)
    acts: list[Activity] = []
    deps: list[Dependency] = []
    demands: list[Demand] = []
    resources = []
    for k, res in enumerate(inst.resources):
        resources.append(
            Resource(
                id=f"R{k + 1}",
                capacity=res.capacity,
                name=f"R {k + 1}",
                place=Place("", None, name, label=f"resource R {k + 1}"),
            )
        )
    total = 0
    for j, act in enumerate(inst.activities, start=1):
        mode = act.modes[0]
        aid = str(j)
        place = Place("", j, name, "job", columns=(("successor", "successors"),))
        acts.append(Activity(id=aid, name=f"job {aid}", duration=mode.duration, place=place))
        total += mode.duration
        for k, amt in enumerate(mode.demands):
            if amt > 0 and mode.duration > 0:
                at = Place("", j, name, "job", columns=(("amount", f"R {k + 1}"),))
                demands.append(Demand(aid, f"R{k + 1}", amt, place=at))
        for s in act.successors:
            if s + 1 == j:
                issues.append(place.issue("successor", f"activity '{aid}' depends on itself"))
            else:
                deps.append(Dependency(aid, str(s + 1), "FS", 0, place=place))
    if issues:
        raise InvalidPlanError(issues)
    months = max(1, math.ceil((total + 1) / 28))
    grid = TimeGrid(plan_start, "calendar", months)
    while grid.horizon < total:
        months += 1
        grid = TimeGrid(plan_start, "calendar", months)
    plan = Plan(
        name=Path(path).stem,
        grid=grid,
        activities=acts,
        dependencies=deps,
        resources=resources,
        demands=demands,
        objectives=["makespan"],
    )
    return checked_plan(plan)


def _check(name: str, inst: psplib.ProjectInstance) -> list[Issue]:
    """What a parsed ``.sm`` file may not hold before it becomes a plan: a negative or huge
    duration, a huge capacity, several modes, a resource that is not renewable. Each issue
    names the file, the job and the field. Successors, demands against capacities and
    cycles are the plan's checks (:func:`scheduler.checks.validate_plan`)."""
    issues: list[Issue] = []
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
    if total > MAX_PLAN_DAYS and not any(i.column == "duration" for i in issues):
        add(
            "duration",
            f"the durations add up to {total:,} days, longer than any plan "
            f"(at most {MAX_PLAN_DAYS:,} days, 100 years)",
        )
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
