"""scheduler.planner: a soft deadline never stops a plan; a missed one is one warning."""

from __future__ import annotations

from scheduler.model import Activity, Dependency
from scheduler.planner import DEADLINE_EXAMPLES, deadline_warnings, plan_schedule
from scheduler.solver import SolveOptions
from tests.plans import calendar_grid, tiny_plan


def test_missed_deadline_is_a_warning_not_infeasibility() -> None:
    # A (5) FS B (3): B can end at slot 8 at the earliest; its deadline is slot 5
    # (it should finish on slot 4). A due date there would be infeasible; the
    # deadline is not: B ends at 8, 3 days late, and CPM shows TF -3.
    grid = calendar_grid()
    plan = tiny_plan(
        [Activity("A", "a", 5), Activity("B", "b", 3, deadline=5)], [Dependency("A", "B")]
    )
    s = plan_schedule(plan, SolveOptions(time_limit_s=5, workers=1))
    assert s.status == "optimal"
    assert s.starts == {"A": 0, "B": 5}
    assert s.cpm is not None and s.cpm.times["B"].total_float == -3
    late = [i for i in s.issues if i.column == "deadline"]
    assert len(late) == 1 and late[0].severity == "warning"
    day = grid.date_of(4).isoformat()
    assert f"B (3 days after {day})" in late[0].message
    assert late[0].message.startswith("1 activity finishes after the deadline")


def test_deadline_warning_names_the_latest_few_and_counts_the_rest() -> None:
    n = DEADLINE_EXAMPLES + 2
    acts = [Activity(f"X{i}", "x", 2, deadline=1) for i in range(n)]
    starts = {f"X{i}": i for i in range(n)}  # X{i} ends at i + 2: i + 1 slots late
    (w,) = deadline_warnings(tiny_plan(acts), starts)
    assert w.message.startswith(f"{n} activities finish after the deadline")
    named = [f"X{i} ({i + 1} days after" for i in reversed(range(2, n))]
    assert all(x in w.message for x in named)
    assert "X1 (" not in w.message and w.message.endswith(" and 2 more")
    assert deadline_warnings(tiny_plan(acts), dict.fromkeys(starts, -1)) == []
