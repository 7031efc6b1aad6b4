"""The main job in one place: solve a plan, add CPM and the driving path.

Reading is :func:`scheduler.importers.read_plan` (the one entrance for files);
``plan_schedule`` returns the
:class:`~scheduler.solution.Schedule` that the CLI prints, the report writes and
the API serves. Nothing else chains solver, CPM and driving path together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from scheduler.errors import InvalidPlanError, Issue
from scheduler.model import Plan, resolve_objectives
from scheduler.progress import remaining_plan
from scheduler.solution import Schedule

if TYPE_CHECKING:  # the solver imports OR-Tools; load it only when solving
    from scheduler.solver import Progress, SolveOptions

__all__ = [
    "add_driving",
    "deadline_warnings",
    "invalid_schedule",
    "plan_schedule",
    "rounding_note",
]

#: Activities named in the missed-deadline warning; the rest are counted.
DEADLINE_EXAMPLES = 5

log = logging.getLogger(__name__)


def plan_schedule(
    plan: Plan,
    options: SolveOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Schedule:
    """Solve a plan and return the full schedule document.

    Parameters
    ----------
    plan
        A validated plan.
    options
        :class:`scheduler.solver.SolveOptions` (time limit in seconds, seed, workers,
        objectives); None for the plan's defaults.
    progress
        Called with :class:`scheduler.solver.Progress` (best objective, bound,
        elapsed seconds) while solving.

    Returns
    -------
    Schedule
        Status ``optimal``/``feasible`` with starts, logic CPM and the driving path;
        ``infeasible`` with conflicts, ``min_horizon_days`` and, when lifting the
        horizon and due dates makes it fit, that schedule and ``overrun_days``; or
        ``unknown`` (nothing found in the limit) with notes. CPM is always given.
    """
    from scheduler.cpm import compute_cpm
    from scheduler.solver import SolveOptions, solve

    opts = options or SolveOptions()
    result = solve(plan, opts, progress=progress)
    try:
        cpm = compute_cpm(plan)
    except ValueError as exc:  # a positive cycle through max_lag: no logic dates exist
        log.warning("CPM failed: %s", exc)
        cpm = None
    schedule = Schedule(
        plan=plan,
        status=result.status,
        starts=dict(result.starts),
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        solve_seconds=result.solve_seconds,
        cpm=cpm,
        conflicts=list(result.conflicts),
        min_horizon_days=result.min_horizon_days,
        overrun_days=result.overrun_days,
        issues=[*plan.warnings, *deadline_warnings(remaining_plan(plan)[0], result.starts)],
        objectives=resolve_objectives(plan, opts.objectives),
        repeatable=result.repeatable,
        notes=list(result.notes),
    )
    done = schedule.progress
    if done is not None and done.active:
        schedule.issues += [w for w in done.warnings if w not in plan.warnings]
    if schedule.has_plan:
        add_driving(schedule)
        note = rounding_note(schedule)
        if note:
            schedule.notes.append(note)
    return schedule


def rounding_note(schedule: Schedule) -> str | None:
    """Why a solved finish later than the logic finish has only logic on its driving path.

    A plan read with its file's calendars (``Plan.calendars``: a P6 XER) has its logic
    CPM in hours on each activity's own calendar, as P6, while the solver places work on
    whole slots of the project calendar, hours rounded up and other work weeks scaled
    (``docs/IMPORTS.md``). When the solved finish (``Schedule.makespan``, an exclusive
    end slot) is later than the logic one (``CpmResult.project_finish``) and no crew,
    budget or blackout link is on the driving path, that rounding is the whole
    difference: the planner would otherwise see a finish later than every early finish
    with nothing named to hold it. Returns the sentence (both dates as last days worked
    and the difference in slots), or None when the finishes agree or something else
    drives the finish.
    """
    plan, cpm, end = schedule.plan, schedule.cpm, schedule.makespan
    if plan is None or not plan.calendars or cpm is None or end is None:
        return None
    over = end - cpm.project_finish
    if over <= 0 or {link.kind for link in schedule.driving_links} & _LEVELING_KINDS:
        return None
    grid = plan.grid
    unit = "working days" if grid.kind != "calendar" else "days"
    return (
        f"the solved plan finishes {grid.finish_date(0, end)}, {over} {unit} after the "
        f"logic network's finish {grid.finish_date(0, cpm.project_finish)} (ES/EF/LS/LF, "
        "float), with only logic on its driving path: the logic dates are in hours on "
        "each activity's own calendar, as the file's tool computes them, while the solved "
        "plan places work on whole days of the project calendar, hours rounded up and "
        "other work weeks scaled (the rounding warnings name the activities and lags)"
    )


#: Driving-link kinds that hold an activity beyond its logic (see :func:`rounding_note`).
_LEVELING_KINDS = frozenset({"resource", "budget", "blackout"})


def deadline_warnings(plan: Plan, starts: Mapping[str, int]) -> list[Issue]:
    """One warning naming the activities that finish after their soft deadline.

    ``plan`` is the plan the ``starts`` are of (for a progressed plan its remaining
    plan, :func:`scheduler.progress.remaining_plan`, so an end is the remaining
    work's). ``Activity.deadline`` (an exclusive end slot) never constrains the solver; an
    activity whose solved end ``start + duration`` is later is listed with how many
    slots late it is, the latest first, at most :data:`DEADLINE_EXAMPLES` named
    and the rest counted. ``[]`` when none is late or nothing was solved.
    """
    late = sorted(
        (
            (starts[a.id] + a.duration - a.deadline, a.id, a.deadline)
            for a in plan.activities
            if a.deadline is not None and a.id in starts and starts[a.id] + a.duration > a.deadline
        ),
        key=lambda x: (-x[0], x[1]),
    )
    if not late:
        return []
    grid = plan.grid
    unit = "working days" if grid.kind != "calendar" else "days"
    named = ", ".join(
        f"{aid} ({over} {unit} after {grid.date_of(dl - 1).isoformat()})"
        for over, aid, dl in late[:DEADLINE_EXAMPLES]
    )
    more = f" and {len(late) - DEADLINE_EXAMPLES} more" if len(late) > DEADLINE_EXAMPLES else ""
    text = (
        f"{len(late)} {'activity finishes' if len(late) == 1 else 'activities finish'} after "
        f"the deadline the file gave (a soft limit: it shapes late dates and float, it does "
        f"not stop the plan): {named}{more}"
    )
    return [Issue("", None, "deadline", text, "warning")]


def add_driving(schedule: Schedule) -> None:
    """Add the solved plan's driving path and plan float to ``schedule`` (in place).

    The one place that derives them from the solved starts
    (:func:`scheduler.cpm.driving_path`, :func:`scheduler.plan_float.compute_plan_float`),
    for a fresh solve and for a schedule rebuilt from its stored dates alike. Sets
    ``driving``, ``driving_links``, ``plan_float`` and ``finish_driving``; plan float
    only when the schedule has a plan.
    """
    from scheduler.cpm import driving_path
    from scheduler.plan_float import compute_plan_float

    plan = schedule.plan
    assert plan is not None
    schedule.driving, schedule.driving_links = driving_path(plan, schedule.starts)
    if not schedule.has_plan:
        return
    # the solved starts are the remaining plan's (scheduler.progress): so is its float
    remaining, _ = remaining_plan(plan)
    try:
        pf = compute_plan_float(remaining, schedule.starts, driving_links=schedule.driving_links)
    except ValueError as exc:  # the dates pass a capacity: a stored plan that changed
        log.warning("plan float not computed: %s", exc)
        return
    schedule.plan_float = pf.floats
    schedule.finish_driving = pf.driving


def invalid_schedule(error: InvalidPlanError) -> Schedule:
    """The schedule document of an input that failed validation (status ``invalid``)."""
    return Schedule(plan=None, status="invalid", issues=list(error.issues))
