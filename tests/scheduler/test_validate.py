"""Tests of scheduler.validate: each domain check on tiny parsed rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from scheduler import validate
from scheduler.errors import Issue
from scheduler.timegrid import TimeGrid

START = date(2027, 1, 4)
END = date(2029, 1, 4)  # exclusive: 24 months after START


def rows(*dicts: dict[str, Any]) -> list[dict[str, Any]]:
    """Parsed rows numbered as in Excel (first data row is 2)."""
    return [{"_row": i + 2, **d} for i, d in enumerate(dicts)]


def places(issues: list[Issue]) -> list[tuple[str, int | None, str]]:
    return [(i.sheet, i.row, i.column) for i in issues]


def test_duplicate_ids_name_both_rows() -> None:
    out = validate.duplicate_ids(
        "Activities", rows({"id": "A"}, {"id": "B"}, {"id": "A"}), "activity"
    )
    assert places(out) == [("Activities", 4, "id")]
    assert out[0].message == (
        "Activities row 4: activity id 'A' is already used on row 2; ids must be unique"
    )


def test_duplicate_ids_skip_unreadable_ids() -> None:
    assert validate.duplicate_ids("Regions", rows({"id": None}, {}), "region") == []


def test_unknown_ids_in_planner_words() -> None:
    deps = rows({"predecessor": "A", "successor": "B"}, {"predecessor": "A", "successor": "RL-07"})
    out = validate.unknown_ids("Dependencies", deps, "successor", {"A", "B"}, "an activity id")
    assert places(out) == [("Dependencies", 3, "successor")]
    assert out[0].message == "Dependencies row 3: successor 'RL-07' is not an activity id"


def test_cycle_is_named_in_order_from_its_first_row() -> None:
    deps = rows(
        {"predecessor": "S", "successor": "A-1"},  # row 2: not in the cycle
        {"predecessor": "A-2", "successor": "A-3"},  # row 3
        {"predecessor": "A-1", "successor": "A-2"},  # row 4
        {"predecessor": "A-3", "successor": "A-1"},  # row 5
    )
    (issue,) = validate.dependency_cycles(deps)
    assert (issue.sheet, issue.row, issue.column) == ("Dependencies", 3, "successor")
    assert issue.message.startswith(
        "Dependencies: cyclic dependencies A-2 → A-3 → A-1 → A-2 (rows 3, 5, 4)"
    )


def test_two_separate_cycles_are_both_reported() -> None:
    deps = rows(
        {"predecessor": "A", "successor": "B"},
        {"predecessor": "B", "successor": "A"},
        {"predecessor": "X", "successor": "Y"},
        {"predecessor": "Y", "successor": "X"},
    )
    out = validate.dependency_cycles(deps)
    assert [i.row for i in out] == [2, 4]
    assert "A → B → A" in out[0].message and "X → Y → X" in out[1].message


def test_acyclic_network_has_no_cycle_issue() -> None:
    deps = rows(
        {"predecessor": "A", "successor": "B"},
        {"predecessor": "A", "successor": "C"},
        {"predecessor": "B", "successor": "D"},
        {"predecessor": "C", "successor": "D"},
    )
    assert validate.dependency_cycles(deps) == []


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        # an activity depending on itself
        ({"predecessor": "A", "successor": "A", "lag": 0}, "successor", "'A' depends on itself"),
        # max_lag below lag: no date satisfies both
        (
            {"predecessor": "A", "successor": "B", "lag": 5, "max_lag": 2},
            "max_lag",
            "max_lag 2 days is smaller than lag 5 days (A → B)",
        ),
    ],
)
def test_dependency_lags(row: dict[str, Any], column: str, fragment: str) -> None:
    (issue,) = validate.dependency_lags(rows(row))
    assert (issue.sheet, issue.row, issue.column) == ("Dependencies", 2, column)
    assert fragment in issue.message


def test_negative_lag_with_larger_max_lag_is_fine() -> None:
    ok = rows({"predecessor": "A", "successor": "B", "lag": -3, "max_lag": 0})
    assert validate.dependency_lags(ok) == []


def test_demand_above_capacity_and_milestone_demand() -> None:
    demands = rows(
        {"activity": "A", "resource": "TBM", "amount": 2},  # capacity 1
        {"activity": "M", "resource": "CREW", "amount": 1},  # M is a milestone
        {"activity": "A", "resource": "CREW", "amount": 4},  # fine
    )
    out = validate.demand_capacity(demands, {"TBM": 1, "CREW": 4}, {"A": 10, "M": 0})
    assert places(out) == [("Demands", 2, "amount"), ("Demands", 3, "activity")]
    assert "demands 2 of 'TBM', above its capacity of 1 per day" in out[0].message
    assert "'M' is a milestone (duration 0)" in out[1].message


def test_duplicate_demands() -> None:
    demands = rows(
        {"activity": "A", "resource": "R", "amount": 1},
        {"activity": "A", "resource": "R", "amount": 2},
    )
    out = validate.duplicate_demands(demands)
    assert places(out) == [("Demands", 3, "resource")]


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        # release before plan_start
        ({"release": date(2027, 1, 3)}, "release", "release 2027-01-03 of 'A' is outside"),
        # due on the (exclusive) horizon end
        (
            {"due": END},
            "due",
            "due 2029-01-04 of 'A' is outside the plan (2027-01-04 to 2029-01-03)",
        ),
        # fixed_start after the horizon
        ({"fixed_start": date(2030, 1, 1)}, "fixed_start", "outside the plan"),
        # due before release
        (
            {"release": date(2027, 5, 1), "due": date(2027, 4, 30)},
            "due",
            "due 2027-04-30 of 'A' is before its release 2027-05-01",
        ),
        # fixed start before release
        (
            {"release": date(2027, 5, 1), "fixed_start": date(2027, 4, 1)},
            "fixed_start",
            "before its release",
        ),
        # fixed start after due
        (
            {"due": date(2027, 5, 1), "fixed_start": date(2027, 6, 1)},
            "fixed_start",
            "after its due date 2027-05-01",
        ),
    ],
)
def test_activity_dates(row: dict[str, Any], column: str, fragment: str) -> None:
    (issue,) = validate.activity_dates(rows({"id": "A", **row}), START, END)
    assert (issue.sheet, issue.row, issue.column) == ("Activities", 2, column)
    assert fragment in issue.message


def test_dates_on_the_edges_of_the_plan_are_fine() -> None:
    edge = rows({"id": "A", "release": START, "due": date(2029, 1, 3), "fixed_start": START})
    assert validate.activity_dates(edge, START, END) == []


def test_fixed_start_that_cannot_meet_due_or_horizon() -> None:
    grid = TimeGrid(START, "calendar", 24)
    acts = rows(
        {"id": "A", "duration": 10, "fixed_start": date(2027, 3, 1), "due": date(2027, 3, 9)},
        {"id": "B", "duration": 10, "fixed_start": date(2027, 3, 1), "due": date(2027, 3, 10)},
        {"id": "C", "duration": 30, "fixed_start": date(2028, 12, 20)},
    )
    out = validate.fixed_starts_fit(acts, grid)
    assert places(out) == [("Activities", 2, "fixed_start"), ("Activities", 4, "fixed_start")]
    assert "cannot finish by its due date 2027-03-09" in out[0].message
    assert "runs past the end of the plan (2029-01-03)" in out[1].message


def test_blackouts() -> None:
    windows = rows(
        {"scope": "dam", "from": date(2027, 7, 1), "to": date(2027, 8, 31)},  # fine
        {"scope": "airport", "from": date(2027, 7, 1), "to": date(2027, 8, 31)},
        {"scope": "dam", "from": date(2027, 9, 1), "to": date(2027, 8, 1)},
        {"scope": "dam", "from": date(2030, 7, 1), "to": date(2030, 8, 31)},
    )
    out = validate.blackout_windows(windows, {"dam", "A-1", "SEL"}, START, END)
    assert places(out) == [
        ("Blackouts", 3, "scope"),
        ("Blackouts", 4, "to"),
        ("Blackouts", 5, "from"),
    ]
    assert [i.severity for i in out] == ["error", "error", "warning"]
    assert "scope 'airport' is not a sector, an activity id or a region id" in out[0].message


def test_budget_periods() -> None:
    periods = rows(
        {"year": 2027, "first_day": date(2027, 1, 1), "last_day": date(2027, 12, 31),
         "label": "FY2027"},
        {"year": 2027, "first_day": date(2027, 1, 1), "last_day": date(2027, 12, 31),
         "label": "FY2027"},
        {"year": 2031, "first_day": date(2031, 1, 1), "last_day": date(2031, 12, 31),
         "label": "FY2031"},
        {"first_day": date(2028, 6, 1), "last_day": date(2028, 5, 1), "label": "x"},
    )  # fmt: skip
    out = validate.budget_periods(periods, START, END)
    assert places(out) == [("Budget", 3, "cap"), ("Budget", 4, "year"), ("Budget", 5, "to")]
    assert [i.severity for i in out] == ["error", "warning", "error"]
    assert "budget FY2027 is already capped on row 2" in out[0].message


def test_fixed_start_on_a_holiday_is_a_warning() -> None:
    # 2027-02-08 is a Seollal holiday in Korea: the next working day is 2027-02-10
    grid = TimeGrid(START, "workdays-kr", 24)
    acts = rows({"id": "T", "duration": 3, "fixed_start": date(2027, 2, 8)})
    out = validate.fixed_starts_fit(acts, grid)
    assert places(out) == [("Activities", 2, "fixed_start")]
    assert out[0].severity == "warning"
    assert "not a working day; it will start on 2027-02-10" in out[0].message


def test_duration_longer_than_the_plan() -> None:
    grid = TimeGrid(START, "calendar", 24)  # 731 days
    acts = rows({"id": "A", "duration": 731}, {"id": "B", "duration": 10_000_000})
    out = validate.durations_fit(acts, grid)
    assert places(out) == [("Activities", 3, "duration")]
    assert "10000000 days, longer than the whole plan (731 days)" in out[0].message
