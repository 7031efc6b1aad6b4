"""Views of a stored schedule: public forms, Gantt tasks, critical path (no routes here)."""

from __future__ import annotations

from typing import Any

from api.db import ScheduleRow
from api.schemas import ProgressPublic, SchedulePublic, ScheduleSummary

__all__ = ["critical_path_view", "gantt_view", "schedule_public", "schedule_summary"]


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
                "progress": 0,
                "dependencies": ",".join(p["predecessor"] for p in preds),
                "custom_class": "critical" if critical else "",
                "finish": a["finish"],
                "project": a.get("project") or "",
                "sector": a.get("sector") or "",
                "duration_days": int(a.get("duration_days") or 0),
                "critical": critical,
                "driving": bool(a.get("driving")),
                "total_float_days": a.get("total_float_days"),
                "links": preds,
            }
        )
    return {
        "schedule_id": row.id,
        "version": row.version,
        "plan_name": doc.get("plan_name") or "",
        "plan_start": doc.get("plan_start"),
        "finish": doc.get("finish"),
        "projects": projects,
        "tasks": tasks,
    }


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
        "free_float_days",
        "critical",
        "driving",
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
