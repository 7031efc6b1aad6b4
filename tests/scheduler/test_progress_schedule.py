"""A progressed plan through CPM, the solver, the driving path, the JSON and the report.

One tiny plan, hand-computed: slot 0 = 2027-01-01, one slot a day, data date slot 5
(2027-01-06).

* A (4 days) complete, worked [0, 4) (2027-01-01 .. 2027-01-04);
* B (6 days) in progress since slot 2 with 3 days left, started out of sequence:
  its FS predecessor C has not started;
* C (2 days) not started, FS A → C; D (3 days) not started, FS B → D.

Retained logic: C [5, 7) (the data date binds, A's finish 4 does not), B's remaining
work waits for C: [7, 10), D [10, 13). Progress override: B's remaining work resumes on
the data date, [5, 8), D [8, 11), and C has 11 - 7 = 4 days of float.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from scheduler.cpm import compute_cpm, driving_path
from scheduler.model import Activity, Demand, Dependency, Plan, Progress, Resource
from scheduler.planner import plan_schedule
from scheduler.report import write_report
from scheduler.solver import SolveOptions, check_schedule, solve
from tests.checker import violations
from tests.plans import tiny_plan

OPTS = SolveOptions(time_limit_s=2, workers=2, repeatable=True)


def _plan(out_of_sequence: str = "retained_logic", **kw: Any) -> Plan:
    acts = [
        Activity("A", "A", 4, progress=Progress(actual_start=0, actual_finish=4)),
        Activity("B", "B", 6, progress=Progress(actual_start=2, remaining=3)),
        Activity("C", "C", 2),
        Activity("D", "D", 3),
    ]
    deps = [Dependency("A", "C"), Dependency("C", "B"), Dependency("B", "D")]
    return tiny_plan(acts, deps, data_date=5, out_of_sequence=out_of_sequence, **kw)


def _times(plan: Plan) -> dict[str, tuple[int, int, int, int, int, bool]]:
    cpm = compute_cpm(plan)
    return {
        aid: (t.es, t.ef, t.ls, t.lf, t.total_float, t.critical) for aid, t in cpm.times.items()
    }


def test_cpm_retained_logic() -> None:
    assert _times(_plan()) == {
        "A": (0, 4, 0, 4, 0, False),  # its actual dates
        "B": (2, 10, 2, 10, 0, True),  # actual start; remaining work after C
        "C": (5, 7, 5, 7, 0, True),
        "D": (10, 13, 10, 13, 0, True),
    }
    assert compute_cpm(_plan()).chains == [["C", "B", "D"]]


def test_cpm_progress_override() -> None:
    assert _times(_plan("progress_override")) == {
        "A": (0, 4, 0, 4, 0, False),
        "B": (2, 8, 2, 8, 0, True),  # the FS from C no longer holds it back
        "C": (5, 7, 9, 11, 4, False),
        "D": (8, 11, 8, 11, 0, True),
    }


@pytest.mark.parametrize(
    ("oos", "starts", "makespan"),
    [
        # remaining-plan starts: A at its actual finish 4, B's remaining work at 7
        ("retained_logic", {"A": 4, "B": 7, "C": 5, "D": 10}, 13),
        ("progress_override", {"A": 4, "B": 5, "C": 5, "D": 8}, 11),
    ],
)
def test_solver_schedules_the_remaining_work(
    oos: str, starts: dict[str, int], makespan: int
) -> None:
    plan = _plan(oos)
    res = solve(plan, OPTS)
    assert res.starts == starts
    assert res.objective == makespan
    assert violations(plan, res.starts) == []
    assert check_schedule(plan, res.starts) == []


def test_history_does_not_bind_capacity() -> None:
    # one crew; A and B both used it on slots 2-3 before the data date (history). From the
    # data date, B's 3 days left and E (2 days) share it: 5 + 3 + 2 = 10.
    acts = [
        Activity("A", "A", 4, progress=Progress(actual_start=0, actual_finish=4)),
        Activity("B", "B", 6, progress=Progress(actual_start=2, remaining=3)),
        Activity("E", "E", 2),
    ]
    plan = tiny_plan(
        acts,
        [],
        data_date=5,
        resources=[Resource("crew", 1)],
        demands=[Demand("A", "crew", 1), Demand("B", "crew", 1), Demand("E", "crew", 1)],
    )
    sched = plan_schedule(plan, OPTS)
    assert sched.status == "optimal"
    assert sched.makespan == 10
    assert violations(plan, sched.starts) == []
    assert sched.start_slots()["A"] == 0 and sched.ends()["A"] == 4
    # E and B's remaining work never overlap
    b, e = sched.starts["B"], sched.starts["E"]
    assert b + 3 <= e or e + 2 <= b


def test_checker_catches_work_before_the_data_date() -> None:
    plan = _plan()
    bad = {"A": 4, "B": 7, "C": 3, "D": 10}  # C would start before the data date
    assert "C: remaining work starts 3 before the data date 5" in violations(plan, bad)
    moved = {"A": 0, "B": 7, "C": 5, "D": 10}  # A moved off its actual finish
    assert "A: complete, but placed at 0 before its actual finish 4" in violations(plan, moved)


def test_driving_path_names_progress() -> None:
    plan = _plan()
    ids, links = driving_path(plan, {"A": 4, "B": 7, "C": 5, "D": 10})
    assert ids == ["C", "B", "D"]
    assert [(lk.predecessor, lk.successor, lk.kind, lk.detail) for lk in links] == [
        ("", "C", "constraint", "data date 2027-01-06"),
        ("C", "B", "logic", "FS lag 0"),
        ("B", "D", "logic", "FS lag 0"),
    ]


def test_driving_path_from_an_actual_date() -> None:
    # SS lag 8 from A's actual start 0 holds C until slot 8, after the data date 5
    acts = [
        Activity("A", "A", 4, progress=Progress(actual_start=0, actual_finish=4)),
        Activity("C", "C", 2),
    ]
    plan = tiny_plan(acts, [Dependency("A", "C", "SS", 8)], data_date=5)
    ids, links = driving_path(plan, {"A": 4, "C": 8})
    assert ids == ["A", "C"]
    assert [(lk.predecessor, lk.kind, lk.detail) for lk in links] == [
        ("A", "logic", "SS lag 8 from A's actual start 2027-01-01")
    ]


def test_json_carries_progress() -> None:
    sched = plan_schedule(_plan(), OPTS)
    doc = sched.to_json()
    assert doc["data_date"] == "2027-01-06"
    assert doc["out_of_sequence"] == "retained_logic"
    assert doc["makespan_days"] == 13 and doc["finish"] == "2027-01-13"
    rows = {r["id"]: r for r in doc["activities"]}
    pick = ("progress_status", "start", "finish", "actual_start", "actual_finish", "remaining_days")
    got = {aid: tuple(r[k] for k in pick) for aid, r in rows.items()}
    assert got == {
        "A": ("complete", "2027-01-01", "2027-01-04", "2027-01-01", "2027-01-04", 0),
        "B": ("in_progress", "2027-01-03", "2027-01-10", "2027-01-03", None, 3),
        "C": ("not_started", "2027-01-06", "2027-01-07", None, None, 2),
        "D": ("not_started", "2027-01-11", "2027-01-13", None, None, 3),
    }
    assert (rows["B"]["es"], rows["B"]["ef"], rows["B"]["total_float_days"]) == (
        "2027-01-03",
        "2027-01-10",
        0,
    )


def test_a_complete_activity_shows_its_actual_dates_even_out_of_sequence() -> None:
    # A worked [0, 4) although its FS predecessor C (2 days) has not started; M is a
    # milestone reached at slot 3 (actual start = actual finish = 3). Retained logic
    # holds A's finish event after C [5, 7) for E (FS from A): E [7, 9); A still shows
    # 2027-01-01 .. 2027-01-04 (its actuals), M 2027-01-03 .. 2027-01-03.
    acts = [
        Activity("A", "A", 4, progress=Progress(actual_start=0, actual_finish=4)),
        Activity("C", "C", 2),
        Activity("E", "E", 2),
        Activity("M", "M", 0, progress=Progress(actual_start=3, actual_finish=3)),
    ]
    deps = [Dependency("C", "A"), Dependency("A", "E")]
    sched = plan_schedule(tiny_plan(acts, deps, data_date=5), OPTS)
    assert sched.ends()["A"] == 4 and sched.ends()["E"] == 9
    rows = {r["id"]: r for r in sched.activity_rows()}
    pick = ("start", "finish", "actual_start", "actual_finish")
    assert {k: tuple(rows[k][c] for c in pick) for k in ("A", "E", "M")} == {
        "A": ("2027-01-01", "2027-01-04", "2027-01-01", "2027-01-04"),
        "E": ("2027-01-08", "2027-01-09", None, None),
        "M": ("2027-01-03", "2027-01-03", "2027-01-03", "2027-01-03"),
    }


def test_json_of_a_plan_without_progress() -> None:
    plan = tiny_plan([Activity("A", "A", 3)])
    doc = plan_schedule(plan, OPTS).to_json()
    assert doc["data_date"] is None
    row = doc["activities"][0]
    assert (row["progress_status"], row["actual_start"], row["remaining_days"]) == (
        "not_started",
        None,
        3,
    )


def test_report_schedule_sheet_has_progress_columns(tmp_path: Any) -> None:
    sched = plan_schedule(_plan(), OPTS)
    out = tmp_path / "r.xlsx"
    write_report(sched, out)
    ws = load_workbook(out)["Schedule"]
    header = [c.value for c in ws[3]]
    cols = ["progress", "actual start", "actual finish", "remaining (days)"]
    assert header[-4:] == cols
    by_id = {ws.cell(r, 1).value: r for r in range(4, 8)}
    row = [ws.cell(by_id["A"], header.index(c) + 1).value for c in cols]
    assert row[0] == "complete" and row[3] == 0
    assert row[1].date() == date(2027, 1, 1) and row[2].date() == date(2027, 1, 4)
    b = [ws.cell(by_id["B"], header.index(c) + 1).value for c in cols]
    assert b[0] == "in progress" and b[2] is None and b[3] == 3


def test_risk_simulates_the_remaining_work() -> None:
    from scheduler.risk import RiskOptions, analyse
    from scheduler.uncertainty import Estimate, Uncertainty

    # A's estimate is history (it is complete); B's 6-day estimate is scaled to its
    # 3 days left; C 2 to 4 days. Retained logic: finish 5 + C + 3 + 3, so 13 to 15.
    unc = Uncertainty(
        estimates={"A": Estimate(9, 9, 9), "B": Estimate(6, 6, 6), "C": Estimate(2, 3, 4)}
    )
    plan = _plan(uncertainty=unc)
    sched = plan_schedule(plan, OPTS)
    risk = analyse(sched, RiskOptions(iterations=200, seed=1, workers=1))
    assert risk.p(0) >= 13 and risk.p(100) <= 15
    assert min(risk.makespans) == 13 and max(risk.makespans) == 15


def test_plan_float_of_the_remaining_work() -> None:
    # progress override: C (5-7) may slip to 9-11 without moving D's finish 11
    rows = {r["id"]: r for r in plan_schedule(_plan("progress_override"), OPTS).activity_rows()}
    assert {k: r["plan_float_days"] for k, r in rows.items()} == {"A": 0, "B": 0, "C": 4, "D": 0}


def test_baseline_variances_use_the_actual_dates() -> None:
    from scheduler.model import Baseline
    from scheduler.progress import remaining_plan

    # last month's plan: A [0, 4), B [4, 10), C [2, 4), D [10, 13)
    base = Baseline(
        starts={"A": 0, "B": 4, "C": 2, "D": 10},
        ends={"A": 4, "B": 10, "C": 4, "D": 13},
        finish=13,
        name="prev",
    )
    plan = _plan(baseline=base, objectives=["makespan", "stability"])
    rem, _ = remaining_plan(plan)
    assert rem.baseline is not None and rem.baseline.starts == {"C": 2, "D": 10}
    rows = {r["id"]: r for r in plan_schedule(plan, OPTS).activity_rows()}
    # B started 2 days before its baseline start; retained logic ends it on 10 as planned
    got = {k: (r["start_variance_days"], r["finish_variance_days"]) for k, r in rows.items()}
    assert got == {"A": (0, 0), "B": (-2, 0), "C": (3, 3), "D": (0, 0)}


def test_report_summary_names_the_data_date(tmp_path: Any) -> None:
    sched = plan_schedule(_plan(), OPTS)
    out = tmp_path / "r.xlsx"
    write_report(sched, out)
    ws = load_workbook(out)["Summary"]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert values["Data date"].date() == date(2027, 1, 6)
    assert values["Progress"] == "1 complete, 1 in progress, 2 not started (retained logic)"


@pytest.mark.parametrize(
    ("oos", "starts", "d_es"),
    [
        # C [5, 8); A, complete out of sequence, still waits for C (its finish event at
        # 8, as P6 schedules it) and holds D: [8, 10)
        ("retained_logic", {"A": 8, "C": 5, "D": 8}, 8),
        # A pinned at its actual finish 2; D from the data date: [5, 7)
        ("progress_override", {"A": 2, "C": 5, "D": 5}, 5),
    ],
)
def test_complete_out_of_sequence(oos: str, starts: dict[str, int], d_es: int) -> None:
    acts = [
        Activity("A", "A", 2, progress=Progress(actual_start=0, actual_finish=2)),
        Activity("C", "C", 3),
        Activity("D", "D", 2),
    ]
    deps = [Dependency("C", "A"), Dependency("A", "D")]
    plan = tiny_plan(acts, deps, data_date=5, out_of_sequence=oos)
    sched = plan_schedule(plan, OPTS)
    assert sched.starts == starts
    assert violations(plan, sched.starts) == []
    assert sched.start_slots()["A"] == 0 and sched.ends()["A"] == 2  # shown: actual dates
    times = sched.cpm.times if sched.cpm else {}
    assert (times["A"].es, times["A"].ef) == (0, 2)
    assert times["D"].es == d_es
    doc = sched.to_json()
    rows = {r["id"]: r for r in doc["activities"]}
    assert (rows["A"]["start"], rows["A"]["finish"]) == ("2027-01-01", "2027-01-02")
    assert doc["makespan_days"] == max(8, d_es + 2)  # C ends on 8 either way
    from api.routes.workspace import solved_starts

    assert solved_starts(plan, doc["activities"]) == starts  # recovered from the dates


def test_mspdi_export_carries_progress(tmp_path: Any) -> None:
    from xml.etree import ElementTree as ET

    from scheduler.exporters.mspdi import write_mspdi

    out = write_mspdi(plan_schedule(_plan(), OPTS), tmp_path / "p.xml")
    ns = {"m": "http://schemas.microsoft.com/project"}
    root = ET.parse(out).getroot()
    assert root.findtext("m:StatusDate", namespaces=ns) == "2027-01-06T08:00:00"
    tasks = {t.findtext("m:Name", namespaces=ns): t for t in root.iterfind(".//m:Task", ns)}

    def fields(name: str) -> tuple[str | None, ...]:
        t = tasks[name]
        tags = ("Start", "PercentComplete", "ActualStart", "ActualFinish", "RemainingDuration")
        return tuple(t.findtext(f"m:{tag}", namespaces=ns) for tag in tags)

    assert fields("A") == (
        "2027-01-01T08:00:00",
        "100",
        "2027-01-01T08:00:00",
        "2027-01-04T17:00:00",
        "PT0H0M0S",
    )
    # B: 6 days, 3 left: 50 %; starts on its actual start
    assert fields("B") == ("2027-01-03T08:00:00", "50", "2027-01-03T08:00:00", None, "PT24H0M0S")
    assert fields("C")[1:] == (None, None, None, None)
    # in the order of the MSPDI schema's sequence
    order = [c.tag.split("}")[1] for c in tasks["B"]]
    picked = [
        x
        for x in order
        if x
        in ("TotalSlack", "PercentComplete", "ActualStart", "RemainingDuration", "ConstraintType")
    ]
    assert picked == [
        "TotalSlack",
        "PercentComplete",
        "ActualStart",
        "RemainingDuration",
        "ConstraintType",
    ]


def test_history_over_a_cap_is_a_warning_of_the_schedule() -> None:
    from scheduler.model import BudgetPeriod

    # A (cost 400, [0, 4)) spent 100 a day; the cap of [0, 10) is 300: history alone is
    # above it, so nothing more may be spent in it and the planner is told
    acts = [
        Activity("A", "A", 4, cost=400, progress=Progress(actual_start=0, actual_finish=4)),
        Activity("C", "C", 2, cost=50),
    ]
    plan = tiny_plan(
        acts,
        [],
        data_date=5,
        budgets=[BudgetPeriod("P0", 0, 10, 300), BudgetPeriod("P1", 10, 40, 100)],
    )
    sched = plan_schedule(plan, OPTS)
    assert sched.starts["C"] == 10  # C's money waits for the next period
    warned = [i.message for i in sched.issues if i.severity == "warning"]
    assert any(
        "budget P0: 400 spent before the data date is above its cap 300" in m for m in warned
    )
    spend = {b["period"]: b["spend"] for b in sched.spend_by_budget()}
    assert spend == {"P0": 4.0, "P1": 0.5}  # 100M KRW: history 400 units, C's 50 units


def _own_baseline() -> Any:
    from scheduler.model import Baseline

    # this plan's own schedule (retained logic, data date 5): A [0, 4) done; C [5, 7);
    # C -> B holds B's 3 days left to [7, 10) (B started on 2); D [10, 13)
    return Baseline(
        starts={"A": 0, "B": 2, "C": 5, "D": 10},
        ends={"A": 4, "B": 10, "C": 7, "D": 13},
        finish=13,
        name="self",
    )


def test_remaining_baseline_keeps_the_resume_of_work_in_progress() -> None:
    from scheduler.progress import remaining_plan

    rem, _ = remaining_plan(_plan(baseline=_own_baseline(), objectives=["makespan", "stability"]))
    assert rem.baseline is not None
    assert rem.baseline.starts == {"C": 5, "D": 10}
    # B ends on 10 with 3 days left: it resumes on 10 - 3 = 7 (at least the data date 5)
    assert rem.baseline.resume == {"B": 7}


def test_replanning_against_its_own_schedule_moves_nothing() -> None:
    plan = _plan(baseline=_own_baseline(), objectives=["makespan", "stability"])
    res = solve(plan, OPTS)
    # remaining-plan starts: A's finish event 4, B's resume 7, C 5, D 10
    assert res.starts == {"A": 4, "B": 7, "C": 5, "D": 10}
    rows = {r["id"]: r for r in plan_schedule(plan, OPTS).activity_rows()}
    assert {k: r["start_variance_days"] for k, r in rows.items()} == dict.fromkeys("ABCD", 0)


def test_no_stage_answers_worse_than_the_feasible_baseline(monkeypatch: Any) -> None:
    from scheduler.solver import cp_model as cpm_mod
    from scheduler.solver import loop

    real = cpm_mod.cp_solve

    def worse(*args: Any, **kw: Any) -> Any:  # a search that drifts: D a day later
        out = real(*args, **kw)
        out.starts = {"A": 4, "B": 7, "C": 5, "D": 11}
        return out

    monkeypatch.setattr(loop, "cp_solve", worse)
    plan = _plan(baseline=_own_baseline(), objectives=["makespan", "stability"])
    res = solve(plan, OPTS)
    assert res.starts == {"A": 4, "B": 7, "C": 5, "D": 10}
    assert res.objective == 13


def test_work_in_progress_keeps_its_crew() -> None:
    from scheduler.model import Baseline

    # one crew. B (in progress, 3 days left on the data date 5) was to end on 8 (resume 5);
    # E (2 days, unstarted) was to start on 5 too. Both orders end on 10. E first pauses
    # B 2 days: stability 2 x 2 = 4; B first moves E 3 days: 3. B keeps going.
    acts = [
        Activity("B", "B", 6, progress=Progress(actual_start=2, remaining=3)),
        Activity("E", "E", 2),
    ]
    base = Baseline(starts={"B": 2, "E": 5}, ends={"B": 8, "E": 7}, finish=8, name="prev")
    plan = tiny_plan(
        acts,
        [],
        data_date=5,
        resources=[Resource("crew", 1)],
        demands=[Demand("B", "crew", 1), Demand("E", "crew", 1)],
        baseline=base,
        objectives=["makespan", "stability"],
    )
    res = solve(plan, OPTS)
    assert res.starts == {"B": 5, "E": 8}
