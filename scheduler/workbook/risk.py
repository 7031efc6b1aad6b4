"""The workbook's uncertainty: three-point estimates on Activities and the Risks sheet.

Activities columns ``optimistic``, ``most_likely``, ``pessimistic`` (in the row's
``duration_unit``; all blank = no uncertainty), ``distribution`` (``triangular``
default, ``betapert``, ``uniform``) and ``risk_group``; the optional sheet
``Risks`` (``id``*, ``name``*, ``probability``* 0-1, ``activities``* ids separated
by ``;``, ``impact_min``*, ``impact_likely``*, ``impact_max``* days, ``cost_impact``
100M KRW); Settings ``risk_correlation`` (0-1) and ``risk_iterations``. Every
problem is placed (sheet, row, column), as the rest of the workbook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scheduler import validate
from scheduler.errors import Issue
from scheduler.uncertainty import Estimate, RiskEvent, Uncertainty

__all__ = ["ESTIMATE_COLUMNS", "check_uncertainty"]

Row = dict[str, Any]

#: The three-point columns of Activities, in order.
ESTIMATE_COLUMNS = ("optimistic", "most_likely", "pessimistic")


def _estimate(a: Row, slots_per_unit: float) -> tuple[Estimate | None, str | None]:
    """The estimate of a parsed Activities row, or the sentence of what is wrong."""
    raw = [a.get(f"raw_{c}") for c in ESTIMATE_COLUMNS]
    if all(v is None for v in raw):
        return None, None
    if any(v is None for v in raw):
        missing = [c for c, v in zip(ESTIMATE_COLUMNS, raw, strict=True) if v is None]
        return None, (
            f"give all three of optimistic, most_likely and pessimistic, or none "
            f"({', '.join(missing)} blank)"
        )
    low, mode, high = (float(v) * slots_per_unit for v in raw)  # type: ignore[arg-type]
    try:
        return Estimate(
            low, mode, high, a.get("distribution") or "triangular", a.get("risk_group") or ""
        ), None
    except ValueError:
        return None, (
            f"estimates must satisfy optimistic <= most_likely <= pessimistic "
            f"(got {raw[0]:g}, {raw[1]:g}, {raw[2]:g})"
        )


def check_uncertainty(
    activities: list[Row],
    risks: list[Row],
    activity_ids: set[str],
    slots_per_unit: Callable[[Row], float],
    correlation: float,
    iterations: int,
) -> tuple[Uncertainty | None, list[Issue]]:
    """Build the plan's :class:`~scheduler.uncertainty.Uncertainty` and its placed issues.

    Parameters
    ----------
    activities
        Parsed Activities rows (with ``raw_optimistic`` ... and ``unit``).
    risks
        Parsed Risks rows.
    activity_ids
        The plan's activity ids.
    slots_per_unit
        Grid slots in one duration unit of a row.
    correlation, iterations
        The Settings values.

    Returns
    -------
    (uncertainty, issues)
        None when nothing is uncertain; issues as ``Activities row 7: ...``.
    """
    issues: list[Issue] = []
    estimates: dict[str, Estimate] = {}
    for a in activities:
        if not a.get("id") or a.get("unit") is None:
            continue
        est, problem = _estimate(a, slots_per_unit(a))
        if problem:
            issues.append(
                Issue(
                    "Activities",
                    a["_row"],
                    "optimistic",
                    f"{validate.where('Activities', a['_row'])}: {problem}",
                )
            )
        elif est is not None:
            estimates[a["id"]] = est
    issues += validate.duplicate_ids("Risks", risks, "risk")
    events: list[RiskEvent] = []
    for r in risks:
        ids = [p.strip() for p in str(r.get("activities") or "").split(";") if p.strip()]
        unknown = [i for i in ids if i not in activity_ids]
        if unknown:
            issues.append(
                Issue(
                    "Risks",
                    r["_row"],
                    "activities",
                    f"{validate.where('Risks', r['_row'])}: activity '{unknown[0]}' "
                    "is not an activity id",
                )
            )
            continue
        if r.get("_bad") or not ids:
            continue
        events.append(
            RiskEvent(
                r["id"],
                r["name"],
                float(r["probability"]),
                tuple(ids),
                float(r["impact_min"]),
                float(r["impact_likely"]),
                float(r["impact_max"]),
                float(r.get("cost_impact") or 0),
            )
        )
    if not estimates and not events:
        return None, issues
    return Uncertainty(estimates, events, correlation, iterations), issues
