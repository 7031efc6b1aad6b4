"""The DCMA 14-point health check (:mod:`scheduler.dcma`).

A tiny progressed plan whose every count is worked out by hand below, the critical
path test failing on a pinned successor, invalid dates from a file's actuals, and the
shared P6 and MS Project samples, where the counts are made again here from the raw
file (TASK / TASKPRED / TASKRSRC rows, MSPDI Task elements) and must agree.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pytest

from scheduler.dcma import CP_TEST_DELAY, HealthCheck, assess
from scheduler.importers import read_plan
from scheduler.model import Activity, Demand, Dependency, Plan, Progress, Resource
from tests.plans import tiny_plan
from tests.shared import LINKS, SCHEDULES, sample


@dataclass
class _Baseline:
    """A baseline as :class:`scheduler.model.Baseline` gives it (slots on the plan's grid)."""

    ends: dict[str, int]
    finish: int
    durations: dict[str, int] = field(default_factory=dict)
    name: str = "prev.json"


def _hand_plan() -> Plan:
    """Seven activities on a calendar grid from 2027-01-01, data date slot 10 (01-11).

    A complete [0, 5); B started at 5, 10 days left; C 50 d after B + 2; D fixed at
    slot 12 (must start on), SS -1 after B; E a milestone due by slot 80, after C (FS),
    D (FF) and H (FS); F 3 d with no logic, due by slot 12; H 1 d. Crew R on B and D.

    Remaining plan (P6 rules): B [10, 20), C [22, 72), D [12, 22) pinned, E at 72,
    F [10, 13), H [10, 11); logic finish 72. Floats: B, C, D, E 0; F: LF 12 - EF 13 = -1;
    H: LS 71 - ES 10 = 61.
    """
    acts = [
        Activity("A", "a", 5, progress=Progress(actual_start=0, actual_finish=5)),
        Activity("B", "b", 20, progress=Progress(actual_start=5, remaining=10)),
        Activity("C", "c", 50),
        Activity("D", "d", 10, fixed_start=12),
        Activity("E", "e", 0, due=80),
        Activity("F", "f", 3, due=12),
        Activity("H", "h", 1),
    ]
    deps = [
        Dependency("A", "B"),
        Dependency("B", "C", lag=2),
        Dependency("B", "D", "SS", -1),
        Dependency("C", "E"),
        Dependency("D", "E", "FF"),
        Dependency("H", "E"),
    ]
    return tiny_plan(
        acts,
        deps,
        resources=[Resource("R", 1)],
        demands=[Demand("B", "R", 1), Demand("D", "R", 1)],
        data_date=10,
    )


def _rows(h: HealthCheck) -> dict[int, tuple[int | None, int | None, bool | None, list[str]]]:
    return {c.id: (c.count, c.total, c.passed, c.activities) for c in h.checks}


def test_every_check_of_a_hand_computed_plan() -> None:
    h = assess(_hand_plan())
    assert [c.id for c in h.checks] == list(range(1, 15))
    assert h.data_date.isoformat() == "2027-01-11"
    rows = _rows(h)
    # incomplete: B C D E F H (A is complete). 1: E has no successor, F no link at all,
    # H no predecessor: 3 of 6 = 50 % > 5 %
    assert rows[1] == (3, 6, False, ["E", "F", "H"])
    # relationships into incomplete activities: A→B, B→C (+2), B→D (SS -1), C→E, D→E (FF), H→E
    assert rows[2] == (1, 6, False, ["D"])  # the lead B→D
    assert rows[3] == (1, 6, False, ["C"])  # the lag B→C: 16.67 % > 5 %
    assert rows[4] == (4, 6, False, ["D", "E"])  # FS 4 of 6 = 66.67 % < 90 %
    # must start on (D's fixed start), finish no later than (E's and F's due): 3 of 6
    assert rows[5] == (3, 6, False, ["D", "E", "F"])
    assert rows[6] == (1, 6, False, ["H"])  # H's 61 days of float > 44
    assert rows[7] == (1, 6, False, ["F"])  # F's -1
    # non-milestones B 20, C 50, D 10, F 3, H 1: C above 44
    assert rows[8] == (1, 5, False, ["C"])
    assert rows[9] == (0, 7, True, [])
    assert rows[10] == (3, 5, False, ["C", "F", "H"])  # only B and D have the crew
    assert rows[11] == (None, None, None, [])  # no baseline
    assert rows[14] == (None, None, None, [])
    # 12: B, the first incomplete activity on the critical chain B → C → E, 600 days
    # longer moves the finish 72 → 672
    assert rows[12] == (CP_TEST_DELAY, CP_TEST_DELAY, True, ["B"])
    # 13: E's deadline 80 is the latest-finishing one (EF 72): CPL 72 - 10 = 62,
    # TF 80 - 72 = 8, CPLI = 70 / 62
    cpli = h.checks[12]
    assert (cpli.count, cpli.total, cpli.passed, cpli.value) == (70, 62, True, 1.129)
    assert (h.passed, h.failed) == (3, 9)


def test_checks_against_a_baseline() -> None:
    # A was to finish by slot 4 (2027-01-04; it finished 01-05), B by 8 (not finished);
    # C's baseline duration was 40 days
    baseline = _Baseline(
        ends={"A": 4, "B": 8, "C": 30, "D": 22, "E": 72, "F": 13, "H": 11},
        finish=75,
        durations={"A": 5, "B": 20, "C": 40, "D": 10, "E": 0, "F": 3, "H": 1},
    )
    h = assess(_hand_plan(), baseline)
    rows = _rows(h)
    assert h.baseline == "prev.json"
    assert rows[8] == (0, 5, True, [])  # the baseline's 40 days, not the plan's 50
    # due before the data date (end <= 10): A (finished a day late) and B (not finished)
    assert rows[11] == (2, 2, False, ["A", "B"])
    bei = h.checks[13]
    assert (bei.count, bei.total, bei.passed, bei.value) == (1, 2, False, 0.5)  # A only
    # CPLI to the baseline finish 75: CPL 62, TF 75 - 72 = 3 → 65 / 62
    cpli = h.checks[12]
    assert (cpli.count, cpli.total, cpli.passed, cpli.value) == (65, 62, True, 1.048)


def test_cpli_says_its_network_and_uses_the_solved_finish_when_there_is_one() -> None:
    baseline = _Baseline(ends={}, finish=75)
    logic = assess(_hand_plan(), baseline).checks[12]
    assert logic.basis == "logic network" and logic.to_json()["basis"] == "logic network"
    assert logic.note.startswith(
        "CPLI on the logic network (dependencies, durations and constraints; crews, budget "
        "caps and blackouts are not applied: the solved plan may finish later): critical "
        "path length 62 working days to the forecast finish 2027-03-13"
    )
    # the crew R serialises B and D: say the solved plan ends at slot 82 (2027-03-23):
    # CPL 82 - 10 = 72, TF 75 - 82 = -7 → 65 / 72 = 0.903 < 0.95, failed; on the logic
    # network alone 65 / 62 = 1.048
    ends = {"A": 5, "B": 20, "C": 82, "D": 32, "E": 82, "F": 13, "H": 11}
    lev = assess(_hand_plan(), baseline, solved_ends=ends).checks[12]
    assert (lev.count, lev.total, lev.passed, lev.value) == (65, 72, False, 0.903)
    assert lev.to_json()["basis"] == "solved plan (leveled)"
    assert lev.note == (
        "CPLI on the solved (leveled) plan, crews, budget caps and blackouts included: "
        "critical path length 72 working days to its finish 2027-03-23 (on the logic "
        "network alone: finish 2027-03-13, CPLI 1.048), total float -7 to the baseline "
        "finish 2027-03-16"
    )
    # without a baseline, E's deadline 80: its solved end 82 → (80 - 10) / 72 = 0.972
    due = assess(_hand_plan(), solved_ends=ends).checks[12]
    assert (due.count, due.total, due.passed, due.value) == (70, 72, True, 0.972)
    assert due.note.startswith(
        "CPLI on the solved (leveled) plan, crews, budget caps and blackouts included: "
        "critical path length 72 working days to the finish of E 2027-03-23 (on the logic"
    )
    # E ends before the plan does (C at 90): the CPL is E's, and the note says both
    later = assess(_hand_plan(), solved_ends={**ends, "C": 90}).checks[12]
    assert (later.count, later.total) == (70, 72)
    assert "to the finish of E 2027-03-23 (the plan finishes 2027-03-31)" in later.note


def test_bei_counts_complete_activities_the_baseline_lacks_on_both_sides() -> None:
    # data date slot 10; P and Q were due (ends 5 and 8), P is complete, Q not; R is
    # complete but not in the baseline: BEI = (1 + 1) / (2 + 1)
    done = Progress(actual_start=0, actual_finish=5)
    acts = [
        Activity("P", "p", 5, progress=done),
        Activity("Q", "q", 5),
        Activity("R", "r", 5, progress=done),
    ]
    baseline = _Baseline(ends={"P": 5, "Q": 8}, finish=8)
    h = assess(tiny_plan(acts, data_date=10), baseline)
    bei = h.checks[13]
    assert (bei.count, bei.total, bei.value, bei.passed) == (2, 3, 0.667, False)
    assert h.checks[10].activities == ["Q"]  # missed: Q only (P finished on time)


def test_critical_path_test_fails_when_a_fixed_start_holds_the_successor() -> None:
    # X [0, 5) → Y fixed at 5 [5, 10): X 600 days longer ends at 605, Y stays pinned at 5,
    # so the finish moves 10 → 605: by 595, not 600
    plan = tiny_plan(
        [Activity("X", "x", 5), Activity("Y", "y", 5, fixed_start=5)],
        [Dependency("X", "Y")],
    )
    c = assess(plan).checks[11]
    assert (c.count, c.total, c.passed, c.activities) == (595, CP_TEST_DELAY, False, ["X"])


def test_no_deadline_and_no_incomplete_critical_activity_do_not_apply() -> None:
    done = Progress(actual_start=0, actual_finish=2)
    plan = tiny_plan([Activity("A", "a", 2, progress=done)], data_date=5)
    h = assess(plan)
    # nothing is incomplete; only the invalid dates look at complete work too (A's fine)
    assert [c.passed for c in h.checks] == [None] * 8 + [True] + [None] * 5
    assert h.checks[0].total == 0 and "nothing to count" in h.checks[0].note


def test_invalid_dates_from_a_files_actuals_and_forecasts() -> None:
    # file-read activities (extra["status"]): slot 0 = 2027-01-01 is the data date's day
    acts = [
        # finished at 00:00 of the data date: before it
        Activity(
            "ok", "a", 0, extra={"status": "TK_Complete", "actual_finish": "2027-01-01T00:00"}
        ),
        # finished at 17:00 on the data date: after it
        Activity(
            "late", "b", 0, extra={"status": "TK_Complete", "actual_finish": "2027-01-01T17:00"}
        ),
        # not started, the tool's forecast start the day before the data date
        Activity("past", "c", 3, extra={"status": "TK_NotStart", "tool_early_start": "2026-12-31"}),
        Activity("fine", "d", 3, extra={"status": "TK_NotStart", "tool_early_start": "2027-01-01"}),
    ]
    c = assess(tiny_plan(acts)).checks[8]
    assert (c.count, c.total, c.passed, c.activities) == (2, 4, False, ["late", "past"])


def test_raw_constraints_and_links_win_over_the_model() -> None:
    # a P6 activity: CS_MSOA (soft) although the plan turned it into a release; its raw
    # link has a 4 h lead (-0.5 day) the plan rounded to lag 0
    a = Activity("A", "a", 2, extra={"status": "TK_NotStart"})
    b = Activity(
        "B",
        "b",
        2,
        release=3,
        extra={"status": "TK_NotStart", "constraint": "CS_MSOA", "links": [("A", "FS", -0.5)]},
    )
    c = Activity("C", "c", 2, extra={"status": "TK_NotStart", "constraint": "CS_MSOB"})
    plan = tiny_plan([a, b, c], [Dependency("A", "B"), Dependency("B", "C")])
    rows = _rows(assess(plan))
    assert rows[5] == (1, 3, False, ["C"])  # start on or before is hard, on or after is not
    assert rows[2] == (1, 2, False, ["B"])  # the raw -0.5 day lead; B → C from the plan
    assert assess(plan).checks[1].relationships == [("A", "B", "FS", -0.5)]


def test_json_document() -> None:
    doc = assess(_hand_plan()).to_json()
    assert set(doc) == {
        "plan_name",
        "data_date",
        "baseline",
        "passed",
        "failed",
        "not_applicable",
        "checks",
    }
    assert (doc["passed"], doc["failed"], doc["not_applicable"]) == (3, 9, 2)
    logic = doc["checks"][0]
    assert logic["id"] == 1 and logic["name"] == "Logic"
    assert (logic["count"], logic["total"], logic["percent"]) == (3, 6, 50.0)
    assert (logic["threshold"], logic["passed"]) == ("<= 5%", False)
    assert (logic["activities"], logic["activities_count"]) == (["E", "F", "H"], 3)
    leads = doc["checks"][1]
    assert leads["relationships"] == [
        {"predecessor": "B", "successor": "D", "type": "SS", "lag_days": -1.0}
    ]
    assert doc["checks"][10]["passed"] is None  # missed tasks without a baseline


# -- the shared samples, counted again from the raw files ---------------------------------
_XERS = [
    "xernative_TAKT_sample.xer",
    "schedule-analytics_BL-54069-B2-20250902.xer",
    "sixterminal_coloradosprings_baseline.xer",
    "sixterminal_coloradosprings_update_6.xer",
    "bhatticoder_Convention_Exhibition_Center_Roads_Utilities.xer",
]
_HARD = {"CS_MSO", "CS_MEO", "CS_MSOB", "CS_MEOB", "CS_MANDSTART", "CS_MANDFIN"}


def _xer_tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    """The raw XER tables: ``%T`` name, ``%F`` fields, ``%R`` rows (tab separated)."""
    tables: dict[str, list[dict[str, str]]] = {}
    name, fields = "", []
    for line in data.decode("latin-1").splitlines():
        parts = line.split("\t")
        if parts[0] == "%T":
            name = parts[1].strip()
            tables[name] = []
        elif parts[0] == "%F":
            fields = [f.strip() for f in parts[1:]]
        elif parts[0] == "%R":
            tables[name].append(dict(zip(fields, parts[1:], strict=False)))
    return tables


def _raw_xer_counts(data: bytes) -> dict[int, tuple[int, int]]:
    """Counts of checks 1–5, 8 and 10 made from TASK, TASKPRED, TASKRSRC and CALENDAR."""
    t = _xer_tables(data)
    proj = t["PROJECT"][0]["proj_id"]
    tasks = {
        r["task_id"]: r
        for r in t["TASK"]
        if r["proj_id"] == proj and r["task_type"] not in ("TT_WBS", "TT_LOE")
    }
    hpd = {c["clndr_id"]: float(c.get("day_hr_cnt") or 8) for c in t.get("CALENDAR", [])}
    default = hpd.get(t["PROJECT"][0].get("clndr_id", ""), 8.0)
    open_ids = {i for i, r in tasks.items() if r["status_code"] != "TK_Complete"}
    links = [
        r for r in t.get("TASKPRED", []) if r["task_id"] in tasks and r["pred_task_id"] in tasks
    ]
    succ_of = {r["pred_task_id"] for r in links}
    pred_of = {r["task_id"] for r in links}
    into_open = [r for r in links if r["task_id"] in open_ids]
    lag = [float(r["lag_hr_cnt"] or 0) for r in into_open]
    hard = [
        i
        for i in open_ids
        if tasks[i].get("cstr_type") in _HARD or tasks[i].get("cstr_type2") in _HARD
    ]
    milestone = {"TT_Mile", "TT_FinMile"}

    def days(r: dict[str, str], column: str) -> float:
        return float(r[column] or 0) / hpd.get(r["clndr_id"], default)

    tasks_open = [i for i in open_ids if days(tasks[i], "target_drtn_hr_cnt") > 0]
    assigned = {r["task_id"] for r in t.get("TASKRSRC", []) if r.get("rsrc_id")}
    long_open = [
        i
        for i in open_ids
        if tasks[i]["task_type"] not in milestone
        and float(tasks[i]["remain_drtn_hr_cnt"] or tasks[i]["target_drtn_hr_cnt"] or 0) > 0
    ]
    return {
        1: (len([i for i in open_ids if i not in pred_of or i not in succ_of]), len(open_ids)),
        2: (sum(x < 0 for x in lag), len(into_open)),
        3: (sum(x > 0 for x in lag), len(into_open)),
        4: (sum(r["pred_type"] == "PR_FS" for r in into_open), len(into_open)),
        5: (len(hard), len(open_ids)),
        8: (sum(days(tasks[i], "target_drtn_hr_cnt") > 44 for i in tasks_open), len(tasks_open)),
        10: (len([i for i in long_open if i not in assigned]), len(long_open)),
    }


@pytest.mark.parametrize("name", _XERS)
def test_xer_sample_counts_agree_with_the_raw_file(name: str) -> None:
    data = sample(name)
    h = assess(read_plan(SCHEDULES / name))
    got = {c.id: (c.count, c.total) for c in h.checks}
    for cid, want in _raw_xer_counts(data).items():
        assert got[cid] == want, f"check {cid}"


def test_xer_float_checks_agree_with_p6_where_the_calendars_do() -> None:
    # our CPM's float against P6's total_float_hr_cnt / day_hr_cnt on the incomplete
    # activities of the chiller rebuild (2 above 44 days, none negative)
    name = "schedule-analytics_BL-54069-B2-20250902.xer"
    t = _xer_tables(sample(name))
    hpd = {c["clndr_id"]: float(c["day_hr_cnt"]) for c in t["CALENDAR"]}
    open_rows = [
        r
        for r in t["TASK"]
        if r["status_code"] != "TK_Complete" and r["task_type"] not in ("TT_WBS", "TT_LOE")
    ]
    tf = [float(r["total_float_hr_cnt"]) / hpd[r["clndr_id"]] for r in open_rows]
    h = assess(read_plan(SCHEDULES / name))
    assert (h.checks[5].count, h.checks[6].count) == (
        sum(x > 44 for x in tf),
        sum(x < 0 for x in tf),
    )
    assert h.checks[5].count == 2


def test_xer_float_checks_on_hours_agree_with_p6_on_a_progressed_file() -> None:
    # bhatticoder: P6's total_float_hr_cnt of the incomplete activities in days of their
    # calendars' work periods (1473 and 1474, the only ones used, are 07:00-17:00 = 10 h,
    # though day_hr_cnt says 8): the hour CPM gives the same high- and negative-float
    # counts (the day grid: 557 above 44 days)
    name = "bhatticoder_Convention_Exhibition_Center_Roads_Utilities.xer"
    t = _xer_tables(sample(name))
    open_rows = [
        r
        for r in t["TASK"]
        if r["status_code"] != "TK_Complete" and r["task_type"] not in ("TT_WBS", "TT_LOE")
    ]
    assert {r["clndr_id"] for r in open_rows} == {"1473", "1474"}
    tf = [float(r["total_float_hr_cnt"]) / 10 for r in open_rows]
    h = assess(read_plan(SCHEDULES / name))
    assert (h.checks[5].count, h.checks[6].count) == (
        sum(x > 44 for x in tf),
        sum(x < 0 for x in tf),
    )
    assert (h.checks[5].count, h.checks[6].count) == (545, 0)


def test_mspdi_sample_counts_agree_with_the_raw_file() -> None:
    data = sample(LINKS)
    root = ET.fromstring(data)
    ns = {"p": "http://schemas.microsoft.com/project"}
    tasks = [
        t
        for t in root.findall("p:Tasks/p:Task", ns)
        if t.findtext("p:UID", "", ns) != "0" and t.findtext("p:Summary", "0", ns) != "1"
    ]
    open_tasks = [t for t in tasks if float(t.findtext("p:PercentComplete", "0", ns)) < 100]
    links = [(t, link) for t in open_tasks for link in t.findall("p:PredecessorLink", ns)]
    lag = [float(link.findtext("p:LinkLag", "0", ns)) for _, link in links]
    preds = {link.findtext("p:PredecessorUID", "", ns) for _, link in links}
    no_logic = [
        t
        for t in open_tasks
        if not t.findall("p:PredecessorLink", ns) or t.findtext("p:UID", "", ns) not in preds
    ]
    h = assess(read_plan(SCHEDULES / LINKS))
    got = {c.id: (c.count, c.total) for c in h.checks}
    n = len(open_tasks)
    assert got[1] == (len(no_logic), n) == (16, 16)  # 8 unlinked pairs: each lacks one end
    assert got[2] == (sum(x < 0 for x in lag), len(links)) == (0, 8)
    assert got[3] == (sum(x > 0 for x in lag), len(links)) == (7, 8)
    fs = sum(link.findtext("p:Type", "1", ns) == "1" for _, link in links)
    assert got[4] == (fs, len(links)) == (5, 8)
    hard = [t for t in open_tasks if t.findtext("p:ConstraintType", "0", ns) in "2357"]
    assert got[5] == (len(hard), n) == (0, 16)
    assert got[10] == (16, 16)  # no Assignments in the file
