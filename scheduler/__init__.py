"""infraplan's scheduling core: plan model, workbook reading, CPM, CP-SAT solver, reports.

Nothing in this package imports FastAPI; :mod:`api` builds on it.
"""

from __future__ import annotations

from scheduler.errors import InfraplanError, InvalidPlanError, Issue, UnreadableFileError
from scheduler.model import Activity, Blackout, BudgetPeriod, Demand, Dependency, Plan, Resource
from scheduler.solution import Schedule
from scheduler.timegrid import TimeGrid

__all__ = [
    "Activity",
    "Blackout",
    "BudgetPeriod",
    "Demand",
    "Dependency",
    "InfraplanError",
    "InvalidPlanError",
    "Issue",
    "Plan",
    "Resource",
    "Schedule",
    "TimeGrid",
    "UnreadableFileError",
]
