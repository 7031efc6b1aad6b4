"""Tests of scheduler.baseline: reading a schedule JSON as a baseline, variances (SPEC §10).

The plan of every test (calendar grid from 2027-01-01, slot 0 = 2027-01-01)::

    S (milestone) -> A1 (5) -> A2 (5) -> M (milestone)
    B1 (3) -> B2 (4)
    C (6)                      B1 and C share one crew (capacity 1)

and its baseline, written by hand (not left-justified on purpose: B2 and C are later
than they could be, as an approved plan may be): S 0, A1 0, A2 5, M 10, B1 0, B2 5, C 4;
finish slot 10 (2027-01-10, the last day worked).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from scheduler.baseline import attach_baseline, baseline_from_bytes, compare, read_baseline
from scheduler.errors import InvalidPlanError
from scheduler.model import Activity, Demand, Dependency, Plan, Resource
from scheduler.solution import Schedule
from scheduler.timegrid import TimeGrid
from tests.plans import calendar_grid, tiny_plan

BASE_STARTS = {"S": 0, "A1": 0, "A2": 5, "M": 10, "B1": 0, "B2": 5, "C": 4}


def chain_plan(
    *, a1: int = 5, b1: int = 3, extra: list[Activity] | None = None, grid: TimeGrid | None = None
) -> Plan:
    """The plan of the module docstring, with A1's and B1's durations as given."""
    acts = [
        Activity("S", "start", 0),
        Activity("A1", "a1", a1),
        Activity("A2", "a2", 5),
        Activity("M", "finish", 0),
        Activity("B1", "b1", b1),
        Activity("B2", "b2", 4),
        Activity("C", "c", 6),
        *(extra or []),
    ]
    deps = [
        Dependency("S", "A1"),
        Dependency("A1", "A2"),
        Dependency("A2", "M"),
        Dependency("B1", "B2"),
    ]
    return tiny_plan(
        acts,
        deps,
        grid=grid if grid is not None else calendar_grid(2),
        resources=[Resource("crew", 1)],
        demands=[Demand("B1", "crew", 1), Demand("C", "crew", 1)],
    )


def baseline_doc(plan: Plan | None = None, starts: dict[str, int] | None = None) -> dict:
    """The schedule document of the hand-written baseline."""
    plan = plan or chain_plan()
    return Schedule(plan=plan, status="feasible", starts=dict(starts or BASE_STARTS)).to_json()


def write(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "prev.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# -- reading ---------------------------------------------------------------------------------
def test_reads_slots_and_finish_back(tmp_path: Path) -> None:
    doc = baseline_doc()
    # what the JSON shows: C from 2027-01-05 (slot 4) to 2027-01-10 (slot 9, last day worked);
    # the finish milestone M at slot 10 is shown on 2027-01-10, the day A2's work ends
    rows = {r["id"]: r for r in doc["activities"]}
    assert (rows["C"]["start"], rows["C"]["finish"]) == ("2027-01-05", "2027-01-10")
    assert rows["M"]["start"] == rows["M"]["finish"] == "2027-01-10"
    assert (doc["format"], doc["format_version"], doc["finish"]) == (
        "infraplan.schedule",
        1,
        "2027-01-10",
    )
    b = read_baseline(write(tmp_path, doc), chain_plan())
    assert b.starts == BASE_STARTS
    assert b.ends == {"S": 0, "A1": 5, "A2": 10, "M": 10, "B1": 3, "B2": 9, "C": 10}
    assert b.finish == 10
    assert (b.name, b.plan_name, b.warnings) == ("prev.json", "t", [])


def test_reads_onto_another_grid_by_date() -> None:
    # the same dates on a plan that starts 2 days earlier: every slot is 2 later
    grid = TimeGrid(date(2026, 12, 30), "calendar", 2)
    b = baseline_from_bytes(json.dumps(baseline_doc()).encode(), chain_plan(grid=grid), "p")
    assert b.starts == {k: v + 2 for k, v in BASE_STARTS.items()}
    assert b.finish == 12


def test_missing_ids_either_way_are_warnings() -> None:
    doc = baseline_doc()
    doc["activities"].append(
        {"id": "OLD", "duration_days": 2, "start": "2027-01-01", "finish": "2027-01-02"}
    )
    plan = chain_plan(extra=[Activity("NEW", "new", 2)])
    b = baseline_from_bytes(json.dumps(doc).encode(), plan, "prev.json")
    assert [w.message for w in b.warnings] == [
        "prev.json: 1 activity is not in the baseline (new activities: no variance, no "
        "stability term): 'NEW'",
        "prev.json: 1 activity is in the baseline but no longer in the plan (left out of "
        "the comparison): 'OLD'",
    ]
    assert all(w.severity == "warning" for w in b.warnings)
    attach_baseline(plan, b)
    assert plan.baseline is b and plan.warnings[-2:] == b.warnings
    assert "NEW" not in b.starts and "OLD" not in b.starts


def _with(change):  # type: ignore[no-untyped-def]
    doc = baseline_doc()
    change(doc)
    return json.dumps(doc).encode()


def _row(doc: dict, aid: str) -> dict:
    return next(r for r in doc["activities"] if r["id"] == aid)


WORKDAYS = TimeGrid(date(2026, 12, 28), "workdays-kr", 2)  # from Monday 2026-12-28


@pytest.mark.parametrize(
    ("data", "grid", "message"),
    [
        # not JSON at all
        (b"{not json", None, "prev.json: JSON line 1: is not JSON: Expecting property name"),
        # not UTF-8 text
        (b"\xff\xfe{}", None, "prev.json: is not JSON: not UTF-8 text (byte 0)"),
        # JSON nested 100,000 deep: Python's reader gives up (was a RecursionError traceback)
        (
            b"[" * 100_000 + b"]" * 100_000,
            None,
            "prev.json: is not an infraplan schedule: its JSON is nested thousands of levels "
            "deep (a schedule JSON that infraplan wrote is 4)",
        ),
        # JSON, but a list, not a schedule document
        (
            b"[1, 2]",
            None,
            "prev.json: is not an infraplan schedule (a schedule JSON that "
            "infraplan wrote): it holds a list, not an object",
        ),
        # another tool's JSON object
        (b'{"tasks": []}', None, "it has no status, plan_start, activities"),
        # a document of another format
        (_with(lambda d: d.update(format="other.tool")), None, "its format is 'other.tool'"),
        # a near miss names the format it should be
        (
            _with(lambda d: d.update(format="infraplan-schedule")),
            None,
            "its format is 'infraplan-schedule', not 'infraplan.schedule'",
        ),
        # the document's finish left out: said so, not "finish null is not a date"
        (_with(lambda d: d.pop("finish")), None, "prev.json: has no finish date (YYYY-MM-DD)"),
        # a row without a finish or a duration
        (
            _with(lambda d: _row(d, "C").update(finish=None)),
            None,
            "prev.json: activities[6] ('C'): has no finish date (YYYY-MM-DD)",
        ),
        (
            _with(lambda d: _row(d, "C").pop("duration_days")),
            None,
            "prev.json: activities[6] ('C'): has no duration_days (whole days, 0 or more)",
        ),
        # written by a newer infraplan
        (
            _with(lambda d: d.update(format_version=2)),
            None,
            "was written by a newer infraplan (format version 2; this one reads up to 1)",
        ),
        # a schedule without a plan
        (
            _with(lambda d: d.update(status="infeasible")),
            None,
            "prev.json: is a schedule of status 'infeasible': it has no plan to keep to",
        ),
        # another plan's schedule: no id in common
        (
            _with(lambda d: [r.update(id=r["id"] + "-x") for r in d["activities"]]),
            None,
            "prev.json: has no activity id in common with plan 't' (it is a schedule of 't'): "
            "is it another plan's schedule?",
        ),
        # a date that is not a date
        (
            _with(lambda d: _row(d, "C").update(start="next week")),
            None,
            "prev.json: activities[6] ('C'): start 'next week' is not a date (YYYY-MM-DD)",
        ),
        # a date before the plan's start: off its grid
        (
            _with(lambda d: _row(d, "B1").update(start="2026-12-31")),
            None,
            "prev.json: activities[4] ('B1'): start 2026-12-31 is before this plan's start "
            "2027-01-01: off its grid",
        ),
        # finish before start
        (
            _with(lambda d: _row(d, "C").update(finish="2027-01-02")),
            None,
            "prev.json: activities[6] ('C'): finish 2027-01-02 is before start 2027-01-05",
        ),
        # the same id twice
        (
            _with(lambda d: d["activities"].append(dict(_row(d, "C")))),
            None,
            "prev.json: activities[7] ('C'): activity 'C' is listed twice",
        ),
        # a bad duration
        (
            _with(lambda d: _row(d, "C").update(duration_days=-1)),
            None,
            "prev.json: activities[6] ('C'): duration_days -1 is not 0 or more",
        ),
        # a Saturday on a plan of working days: off its grid (2027-01-02 is a Saturday)
        (
            b"",
            WORKDAYS,
            "start 2027-01-02 is not a working day of this plan's calendar "
            "(workdays-kr): off its grid",
        ),
    ],
)
def test_bad_baselines_are_placed_errors(data: bytes, grid: TimeGrid | None, message: str) -> None:
    plan = chain_plan(grid=grid)
    if grid is not None:  # a calendar baseline whose dates fall on a weekend
        doc = baseline_doc()
        _row(doc, "C").update(start="2027-01-02", finish="2027-01-07")
        data = json.dumps(doc).encode()
    with pytest.raises(InvalidPlanError) as info:
        baseline_from_bytes(data, plan, "prev.json")
    messages = [i.message for i in info.value.issues]
    assert any(message in m for m in messages), messages
    assert all(i.severity == "error" for i in info.value.issues)


def test_every_bad_row_is_reported_at_once() -> None:
    def two_bad(d: dict) -> None:
        _row(d, "C").update(start="x")
        _row(d, "B2").update(finish="y")

    with pytest.raises(InvalidPlanError) as info:
        baseline_from_bytes(_with(two_bad), chain_plan(), "prev.json")
    assert [(i.column, i.message) for i in info.value.issues] == [
        ("finish", "prev.json: activities[5] ('B2'): finish 'y' is not a date (YYYY-MM-DD)"),
        ("start", "prev.json: activities[6] ('C'): start 'x' is not a date (YYYY-MM-DD)"),
    ]


# -- variances -------------------------------------------------------------------------------
def test_document_carries_variances_against_the_baseline() -> None:
    plan = chain_plan(a1=8)  # A1 takes 3 days more
    attach_baseline(plan, baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "p"))
    starts = {"S": 0, "A1": 0, "A2": 8, "M": 13, "B1": 0, "B2": 5, "C": 4}
    doc = Schedule(plan=plan, status="optimal", starts=starts).to_json()
    rows = {r["id"]: r for r in doc["activities"]}
    assert {k: (r["start_variance_days"], r["finish_variance_days"]) for k, r in rows.items()} == {
        "S": (0, 0),
        "A1": (0, 3),
        "A2": (3, 3),
        "M": (3, 3),
        "B1": (0, 0),
        "B2": (0, 0),
        "C": (0, 0),
    }
    assert (rows["A2"]["baseline_start"], rows["A2"]["baseline_finish"]) == (
        "2027-01-06",
        "2027-01-10",
    )
    assert (rows["A2"]["start"], rows["A2"]["finish"]) == ("2027-01-09", "2027-01-13")
    assert (doc["baseline"], doc["baseline_finish"], doc["finish"]) == (
        "p",
        "2027-01-10",
        "2027-01-13",
    )
    assert (doc["finish_variance_days"], doc["variance_unit"]) == (3, "days")


def test_compare_names_what_drove_each_slip() -> None:
    plan = chain_plan(b1=5)  # B1 takes 2 days more; C waits for the crew
    b = baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "prev.json")
    starts = {"S": 0, "A1": 0, "A2": 5, "M": 10, "B1": 0, "B2": 5, "C": 5}
    cmp = compare(plan, starts, b)
    assert (cmp.finish, cmp.baseline_finish, cmp.finish_variance, cmp.moved) == (11, 10, 1, 1)
    assert [(s.id, s.start_variance, s.finish_variance) for s in cmp.slipped] == [
        ("B1", 0, 2),
        ("C", 1, 1),
    ]
    b1, c = cmp.slipped
    assert (b1.kind, b1.predecessor, b1.detail) == ("duration", "", "takes 5 days, the baseline 3")
    assert (c.kind, c.predecessor, c.detail) == ("resource", "B1", "crew")
    js = cmp.to_json(plan.grid)
    assert (js["finish"], js["baseline_finish"], js["finish_variance_days"]) == (
        "2027-01-11",
        "2027-01-10",
        1,
    )
    assert js["slipped"][1] == {
        "id": "C",
        "name": "c",
        "start_variance_days": 1,
        "finish_variance_days": 1,
        "driven_by": {"kind": "resource", "predecessor": "B1", "detail": "crew"},
        "duration_change": None,
    }
    c_row = next(r for r in js["activities"] if r["id"] == "C")
    assert (c_row["baseline_start"], c_row["start"], c_row["start_variance_days"]) == (
        "2027-01-05",
        "2027-01-06",
        1,
    )


def test_a_late_start_and_a_longer_duration_are_both_named() -> None:
    plan = chain_plan(b1=5)  # B1 takes 2 days more, and C took the crew first
    b = baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "prev.json")
    # C [0, 6), then B1 [6, 11) on the crew, B2 [11, 15); A's chain as in the baseline
    starts = {"S": 0, "A1": 0, "A2": 5, "M": 10, "B1": 6, "B2": 11, "C": 0}
    cmp = compare(plan, starts, b)
    got = {s.id: (s.start_variance, s.finish_variance, s.kind, s.predecessor) for s in cmp.slipped}
    # B1: baseline [0, 3) -> [6, 11): +6 start, +8 finish; B2: [5, 9) -> [11, 15)
    assert got == {"B1": (6, 8, "resource", "C"), "B2": (6, 6, "logic", "B1")}
    b1 = next(s for s in cmp.slipped if s.id == "B1")
    assert b1.duration == "takes 5 days, the baseline 3 (+2)"
    slipped = {r["id"]: r for r in cmp.to_json(plan.grid)["slipped"]}
    assert slipped["B1"]["driven_by"] == {"kind": "resource", "predecessor": "C", "detail": "crew"}
    assert slipped["B1"]["duration_change"] == "takes 5 days, the baseline 3 (+2)"
    assert slipped["B2"]["duration_change"] is None


def test_a_slip_that_nothing_holds_says_so() -> None:
    plan = chain_plan()
    b = baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "prev.json")
    # A2 could start on 5 (A1 ends on 5, no crew) but is left on 6; M follows it
    cmp = compare(plan, dict(BASE_STARTS, A2=6, M=11), b)
    a2 = next(s for s in cmp.slipped if s.id == "A2")
    assert (a2.start_variance, a2.kind, a2.predecessor) == (1, "none", "")
    assert a2.detail == (
        "no link holds it: it could start earlier, nearer its baseline start 2027-01-06 "
        "(the solver left it late)"
    )
    js = next(r for r in cmp.to_json(plan.grid)["slipped"] if r["id"] == "A2")
    assert js["driven_by"]["kind"] == "none"


def test_a_late_actual_start_is_named_as_progress() -> None:
    from scheduler.model import Progress

    plan = chain_plan()
    plan.data_date = 2
    plan.activities[4].progress = Progress(actual_start=1)  # B1 started a day late
    b = baseline_from_bytes(json.dumps(baseline_doc()).encode(), plan, "prev.json")
    shown = dict(BASE_STARTS, B1=1)
    cmp = compare(plan, shown, b, ends=dict(b.ends, B1=4))
    (slip,) = cmp.slipped
    assert (slip.id, slip.start_variance, slip.finish_variance) == ("B1", 1, 1)
    assert (slip.kind, slip.detail) == ("progress", "actual start 2027-01-02")
