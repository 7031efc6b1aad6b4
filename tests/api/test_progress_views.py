"""The API's views of a progressed schedule: its Gantt tasks and the starts it recovers.

The plan is :func:`tests.scheduler.test_progress_schedule._plan` (hand-computed there).
"""

from __future__ import annotations

from api.routes.workspace import solved_starts
from scheduler.planner import plan_schedule
from tests.scheduler.test_progress_schedule import OPTS, _plan


def test_api_starts_round_trip() -> None:
    plan = _plan()
    sched = plan_schedule(plan, OPTS)
    assert solved_starts(plan, sched.to_json()["activities"]) == sched.starts


def test_gantt_tasks_carry_progress() -> None:
    from types import SimpleNamespace

    from api.routes.views import gantt_view
    from api.schemas import GanttPublic

    doc = plan_schedule(_plan(), OPTS).to_json()
    row = SimpleNamespace(
        id=1, plan_id=1, version=1, status="optimal", document=doc, dependencies=[]
    )
    view = gantt_view(row)  # type: ignore[arg-type]
    GanttPublic(**view)  # the response model accepts it
    tasks = {t["id"]: t for t in view["tasks"]}
    # B: 6 days, 3 left: 50 % done
    got = {k: (t["progress"], t["progress_status"], t["remaining_days"]) for k, t in tasks.items()}
    assert got == {
        "A": (100, "complete", 0),
        "B": (50, "in_progress", 3),
        "C": (0, "not_started", 2),
        "D": (0, "not_started", 3),
    }
    assert tasks["A"]["actual_finish"] == "2027-01-04"
    assert view["data_date"] == "2027-01-06"  # the browser Gantt draws its line there
