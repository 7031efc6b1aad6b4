"""Tiny hand-built plans shared by the test modules (no workbook, no solver).

Every plan is named ``"t"`` and lives on a calendar grid from 2027-01-01, so slot 0
is 2027-01-01 and one slot is one day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scheduler.model import Activity, Dependency, Plan
from scheduler.timegrid import TimeGrid

__all__ = ["PLAN_START", "calendar_grid", "tiny_plan"]

#: First day (slot 0) of every test plan.
PLAN_START = date(2027, 1, 1)


def calendar_grid(months: int = 24) -> TimeGrid:
    """A ``calendar`` grid from :data:`PLAN_START` of ``months`` months (24: 731 slots)."""
    return TimeGrid(PLAN_START, "calendar", horizon_months=months)


def tiny_plan(
    activities: list[Activity],
    dependencies: list[Dependency] | None = None,
    *,
    grid: TimeGrid | None = None,
    **kw: Any,
) -> Plan:
    """A plan ``"t"`` of ``activities`` and ``dependencies`` on ``grid``.

    ``grid`` defaults to :func:`calendar_grid` (24 months); ``kw`` are the other
    :class:`~scheduler.model.Plan` fields (resources, demands, budgets, blackouts...).
    """
    return Plan(
        name="t",
        grid=grid if grid is not None else calendar_grid(),
        activities=activities,
        dependencies=dependencies or [],
        **kw,
    )
