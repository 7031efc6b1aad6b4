"""Views of a stored schedule: public forms, Gantt tasks, critical path (no routes here)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from api.db import ScheduleRow
from api.schemas import ProgressPublic, SchedulePublic, ScheduleSummary

__all__ = [
    "critical_path_view",
    "gantt_view",
    "horizon_end",
    "schedule_public",
    "schedule_summary",
    "script_json",
]

#: What JSON may carry but an HTML ``<script>`` data block may not hold as-is: ``<`` (``</script>``,
#: ``<!--``), ``>`` (``-->``), ``&``, and U+2028/U+2029 (line breaks to old JavaScript parsers).
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside ``<script type="application/json">``.

    The HTML parser ends a script element at ``</script`` and enters its "escaped"
    states at ``<!--``, where a later ``<script>`` can hide the closing tag and blank the
    page. Every ``<``, ``>`` and ``&`` (and U+2028/U+2029) is written as a ``\\uXXXX``
    escape, which ``JSON.parse`` reads back to the same text.

    Parameters
    ----------
    value
        Any JSON value (None gives ``null``).

    Returns
    -------
    str
        JSON text without ``<``, ``>``, ``&``, U+2028 or U+2029.
    """
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def horizon_end(doc: dict[str, Any]) -> str | None:
    """Last day inside the plan's horizon (ISO date), or None when the document lacks it.

    The horizon ends (exclusive) ``horizon_months`` after ``plan_start``; the document
    stores its length in grid slots (``horizon_days``). On a calendar grid the last day
    is ``plan_start + horizon_days - 1``; on a working-day grid it is the day before the
    month boundary that gives the same number of slots (searched near the estimate).
    """
    start, slots, kind = doc.get("plan_start"), doc.get("horizon_days"), doc.get("calendar")
    if not start or not isinstance(slots, int) or slots < 1:
        return None
    try:
        first = date.fromisoformat(start)
    except ValueError:
        return None
    if doc.get("horizon_end"):
        return str(doc["horizon_end"])
    if kind == "calendar":
        return (first + timedelta(days=slots - 1)).isoformat()
    from scheduler.timegrid import TimeGrid, add_months

    guess = max(1, round(slots / 21))
    if kind == "workdays-kr" and guess <= 240:
        for months in sorted(range(max(1, guess - 2), guess + 3), key=lambda m: abs(m - guess)):
            if TimeGrid(first, "workdays-kr", months).horizon == slots:
                return (add_months(first, months) - timedelta(days=1)).isoformat()
    return None


def schedule_summary(row: ScheduleRow) -> ScheduleSummary:
    """The public form of a schedule row, without its document."""
    return ScheduleSummary(
        id=row.id,
        plan_id=row.plan_id,
        version=row.version,
        status=row.status,  # type: ignore[arg-type]
        reason=row.reason,
        options=row.options or {},
        progress=ProgressPublic(
            objective=row.progress_objective,
            bound=row.progress_bound,
            elapsed_s=row.progress_elapsed_s,
        ),
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def schedule_public(row: ScheduleRow) -> SchedulePublic:
    """The public form of a schedule row with its document (null until it ends)."""
    return SchedulePublic(**schedule_summary(row).model_dump(), document=row.document)


def gantt_view(row: ScheduleRow) -> dict[str, Any]:
    """Gantt tasks of a solved schedule, grouped by project (projects by first start).

    Each task has frappe-gantt's fields (``id, name, start, end, progress,
    dependencies, custom_class``; ``end`` is the last day worked, which frappe-gantt
    reads as inclusive) plus project, sector, finish, duration, critical, driving,
    float and the dependency links with type and lag.
    """
    doc = row.document or {}
    driving_in: dict[str, list[dict[str, Any]]] = {}
    for link in doc.get("driving_links", []):
        driving_in.setdefault(link.get("successor") or "", []).append(link)
    links: dict[str, list[dict[str, Any]]] = {}
    for d in row.dependencies or []:
        links.setdefault(d["successor"], []).append(
            {"predecessor": d["predecessor"], "type": d["type"], "lag_days": d["lag_days"]}
        )
    acts = [a for a in doc.get("activities", []) if a.get("start")]
    first: dict[str, str] = {}
    for a in acts:
        p = a.get("project") or ""
        first[p] = min(first.get(p, a["start"]), a["start"])
    projects = sorted(first, key=lambda p: (first[p], p))
    order = {p: i for i, p in enumerate(projects)}
    acts.sort(key=lambda a: (order[a.get("project") or ""], a["start"], a["finish"], a["id"]))
    tasks = []
    for a in acts:
        preds = links.get(a["id"], [])
        critical = bool(a.get("critical"))
        tasks.append(
            {
                "id": a["id"],
                "name": a.get("name") or a["id"],
                "start": a["start"],
                "end": a["finish"],
                "progress": _percent_done(a),
                "dependencies": ",".join(p["predecessor"] for p in preds),
                "custom_class": "critical" if critical else "",
                "finish": a["finish"],
                "project": a.get("project") or "",
                "sector": a.get("sector") or "",
                "duration_days": int(a.get("duration_days") or 0),
                "critical": critical,
                "driving": bool(a.get("driving")),
                "total_float_days": a.get("total_float_days"),
                "plan_float_days": a.get("plan_float_days"),
                "free_float_days": a.get("free_float_days"),
                "es": a.get("es"),
                "ef": a.get("ef"),
                "ls": a.get("ls"),
                "lf": a.get("lf"),
                "demands": a.get("demands") or {},
                "driving_links": driving_in.get(a["id"], []),
                "links": preds,
                "progress_status": a.get("progress_status") or "not_started",
                "actual_start": a.get("actual_start"),
                "actual_finish": a.get("actual_finish"),
                "remaining_days": a.get("remaining_days"),
            }
        )
    return {
        "schedule_id": row.id,
        "plan_id": row.plan_id,
        "version": row.version,
        "status": row.status,
        "plan_name": doc.get("plan_name") or "",
        "plan_start": doc.get("plan_start"),
        "data_date": doc.get("data_date"),
        "finish": doc.get("finish"),
        "horizon_end": horizon_end(doc),
        "calendar": doc.get("calendar"),
        "makespan_days": doc.get("makespan_days"),
        "projects": projects,
        "tasks": tasks,
    }


def _percent_done(a: dict[str, Any]) -> int:
    """Percent complete of a document row: 100 complete, duration share done in progress."""
    status = a.get("progress_status")
    if status == "complete":
        return 100
    dur, left = int(a.get("duration_days") or 0), a.get("remaining_days")
    if status != "in_progress" or dur <= 0 or left is None:
        return 0
    return max(0, min(99, round(100 * (dur - int(left)) / dur)))


def critical_path_view(row: ScheduleRow) -> dict[str, Any]:
    """Critical chains, driving path and the rows of the critical activities."""
    doc = row.document or {}
    on_path = {i for chain in doc.get("critical_path", []) for i in chain}
    on_path |= set(doc.get("driving_path", []))
    keep = (
        "id",
        "name",
        "project",
        "sector",
        "start",
        "finish",
        "duration_days",
        "es",
        "ef",
        "ls",
        "lf",
        "total_float_days",
        "plan_float_days",
        "free_float_days",
        "critical",
        "driving",
        "progress_status",
        "actual_start",
        "actual_finish",
        "remaining_days",
    )
    rows = [
        {k: a.get(k) for k in keep} for a in doc.get("activities", []) if a.get("id") in on_path
    ]
    return {
        "schedule_id": row.id,
        "makespan_days": doc.get("makespan_days"),
        "finish": doc.get("finish"),
        "critical_path": doc.get("critical_path", []),
        "driving_path": doc.get("driving_path", []),
        "driving_links": doc.get("driving_links", []),
        "activities": rows,
    }
