"""A plan read from a foreign file → tables and a workbook in our template format.

``infraplan convert FILE -o WORKBOOK.xlsx`` uses :func:`convert_to_workbook`, so a
planner can then add regions, budgets and blackouts. Placeholders (also in
``docs/IMPORTS.md``):

* **Region**: foreign files have none; every activity gets the one region
  ``SITE`` (named after the plan) as ``region_from``.
* **Sector**: guessed from keywords in the activity's project name, then the
  plan name (:data:`SECTOR_KEYWORDS`); when nothing matches the sector is
  ``road`` and a warning per activity tells the planner to set it.
* **Calendar**: the Settings sheet knows only ``calendar`` and ``workdays-kr``. A
  Mon–Fri ``custom`` grid (P6, MS Project, DSLIB) is written as ``workdays-kr``,
  any other work week as ``calendar``; both with a warning, because holidays and
  durations then count a little differently from the tool's calendar.
* Dates: ``release`` and ``fixed_start`` are the dates of their slots; ``due``
  (exclusive end slot) is the last day the activity may work.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scheduler.errors import Issue
from scheduler.model import MONEY_SCALE, WEIGHT_SCALE, Plan

__all__ = [
    "SECTOR_KEYWORDS",
    "SITE_REGION",
    "convert_to_workbook",
    "guess_sector",
    "plan_to_tables",
]

log = logging.getLogger(__name__)

SITE_REGION = "SITE"
#: Keywords (lower case, English and Spanish as in the DSLIB samples) → sector.
SECTOR_KEYWORDS: dict[str, tuple[str, ...]] = {
    "rail": ("rail", "railway", "railroad", "train", "tram", "metro", "ferrocarril"),
    "gas": ("gas", "pipeline"),
    "telecom": ("telecom", "fibre", "fiber", "telephone", "network cabling"),
    "grid": (
        "power",
        "electric",
        "electricity",
        "solar",
        "substation",
        "grid",
        "redes",
        "transmission",
        "cable",
    ),
    "water": (
        "water",
        "sewer",
        "sanitary",
        "drainage",
        "alcantarillado",
        "agua",
        "riego",
        "canal",
        "desague",
        "chiller",
    ),
    "dam": ("dam", "reservoir", "bocatoma", "presa"),
    "road": (
        "road",
        "highway",
        "street",
        "roadworks",
        "calzada",
        "vereda",
        "carretera",
        "tunnel",
        "bridge",
        "pavement",
    ),
}


def guess_sector(*names: str) -> str:
    """First sector whose keyword occurs in the first name that has one, else ``""``."""
    for name in names:
        low = f" {name.lower()} "
        for sector, words in SECTOR_KEYWORDS.items():
            if any(w in low for w in words):
                return sector
    return ""


def plan_to_tables(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """Tables of SPEC §3 (sheet → rows with its column names) for a plan.

    Placeholder rules: module docstring. Warnings about them are appended to
    ``plan.warnings`` (as :class:`~scheduler.errors.Issue`) and logged.
    """
    grid = plan.grid
    warnings: list[Issue] = []
    if grid.kind == "custom":
        mon_fri = set(grid.workweek) == {0, 1, 2, 3, 4}
        calendar = "workdays-kr" if mon_fri else "calendar"
        warnings.append(
            Issue(
                "Settings",
                None,
                "calendar",
                f"the file's calendar is written as {calendar!r}: check holidays and durations",
                "warning",
            )
        )
    else:
        calendar = grid.kind
    settings: list[dict[str, Any]] = [
        {"key": "plan_name", "value": plan.name},
        {"key": "plan_start", "value": grid.plan_start},
        {"key": "horizon_months", "value": grid.horizon_months},
        {"key": "calendar", "value": calendar},
    ]
    regions = [{"id": SITE_REGION, "name": plan.name[:80] or SITE_REGION}]
    activities = []
    fallback = guess_sector(plan.name)
    for a in plan.activities:
        sector = a.sector or guess_sector(a.project) or fallback
        if not sector:
            sector = "road"
            warnings.append(
                Issue(
                    "Activities",
                    None,
                    "sector",
                    f"activity {a.id}: sector unknown, set to 'road': please set it",
                    "warning",
                )
            )
        row: dict[str, Any] = {
            "id": a.id,
            "name": a.name,
            "project": a.project,
            "sector": sector,
            "region_from": a.region_from or SITE_REGION,
            "region_to": a.region_to,
            "duration": a.duration,
            "duration_unit": "d",
            "cost": a.cost / MONEY_SCALE if a.cost else None,
            "weight": a.weight / WEIGHT_SCALE if a.weight != WEIGHT_SCALE else None,
            "release": grid.date_of(a.release) if a.release else None,
            "due": grid.date_of(a.due - 1) if a.due else None,
            "fixed_start": grid.date_of(a.fixed_start) if a.fixed_start is not None else None,
        }
        activities.append(row)
    dependencies = [
        {
            "predecessor": d.predecessor,
            "successor": d.successor,
            "type": d.type,
            "lag": d.lag,
            "max_lag": d.max_lag,
        }
        for d in plan.dependencies
    ]
    resources = [
        {
            "id": r.id,
            "name": r.name or r.id,
            "capacity": r.max_capacity,
            "region": r.region,
            "unit": r.unit,
        }
        for r in plan.resources
    ]
    demands = [
        {"activity": d.activity, "resource": d.resource, "amount": d.amount} for d in plan.demands
    ]
    for w in warnings:
        log.info("%s", w.message)
    plan.warnings.extend(warnings)
    return {
        "Settings": settings,
        "Regions": regions,
        "Activities": activities,
        "Dependencies": dependencies,
        "Resources": resources,
        "Demands": demands,
    }


def convert_to_workbook(plan: Plan, path: str | Path) -> Path:
    """Write ``plan`` as a workbook in our template format (``infraplan convert``).

    Returns
    -------
    Path
        The written ``.xlsx`` (readable by :func:`scheduler.workbook.read_workbook`).
    """
    from scheduler.workbook import write_workbook

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(plan_to_tables(plan), out, plan_name=plan.name)
    return out
