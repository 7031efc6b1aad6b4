"""scheduler.planner: a soft deadline never stops a plan; a missed one is one warning."""

from __future__ import annotations

from pathlib import Path

from scheduler.importers import read_plan
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


HOURS = Path(__file__).resolve().parents[1] / "data" / "hours.xer"


def test_a_finish_later_than_the_logic_one_by_rounding_alone_is_explained() -> None:
    # tests/data/hours.xer (tests/scheduler/test_calendar_cpm.py): the logic CPM in hours
    # finishes D at Sun 2013-05-05 17:00. On the project grid (slot 0 Thu 04-25, 1 Sun
    # 04-28, 2 Mon, 3 Tue, 4 Wed 05-01, Thu 05-02 a holiday, 5 Sun 05-05, 6 Mon, 7 Tue
    # 05-07) A 4 h and B 8 h take a slot each (1, 2), B's 10 h lag a slot (3), C 30 h on
    # the 7-day calendar 3 slots (4-6), D slot 7: finish Tue 05-07, 2 working days later,
    # with only logic (and the data date) on the driving path. Before, nothing said why.
    plan = read_plan(HOURS.read_bytes(), "hours.xer")
    s = plan_schedule(plan, SolveOptions(time_limit_s=2, workers=1))
    assert s.status == "optimal" and s.makespan == 8 and s.cpm and s.cpm.project_finish == 6
    assert {link.kind for link in s.driving_links} == {"constraint", "logic"}
    assert [n for n in s.notes if "logic network's finish" in n] == [
        "the solved plan finishes 2013-05-07, 2 working days after the logic network's "
        "finish 2013-05-05 (ES/EF/LS/LF, float), with only logic on its driving path: the "
        "logic dates are in hours on each activity's own calendar, as the file's tool "
        "computes them, while the solved plan places work on whole days of the project "
        "calendar, hours rounded up and other work weeks scaled (the rounding warnings "
        "name the activities and lags)"
    ]
    assert s.to_json()["notes"] == s.notes


def test_no_rounding_note_on_the_day_grid_where_both_finishes_agree() -> None:
    # the same plan without its file calendars: the CPM is on the solver's grid, and both
    # finish at slot 8
    plan = read_plan(HOURS.read_bytes(), "hours.xer")
    plan.calendars = None
    s = plan_schedule(plan, SolveOptions(time_limit_s=2, workers=1))
    assert s.makespan == 8 and s.cpm and s.cpm.project_finish == 8
    assert not [n for n in s.notes if "logic network's finish" in n]
