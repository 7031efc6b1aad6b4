"""The progress transform (:mod:`scheduler.progress`): every rule on tiny plans, exact slots.

All plans are on the calendar grid of :mod:`tests.plans` (slot 0 = 2027-01-01, one
slot a day); the data date is slot 10 (2027-01-11) unless a test says otherwise.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler.model import (
    Activity,
    BudgetPeriod,
    Demand,
    Dependency,
    Plan,
    Progress,
    Resource,
)
from scheduler.progress import Bound, progress_problems, remaining_plan
from scheduler.uncertainty import Estimate, RiskEvent, Uncertainty
from tests.plans import tiny_plan

DD = 10


def _act(aid: str, duration: int, progress: Progress | None = None, **kw: object) -> Activity:
    return Activity(aid, aid, duration, progress=progress, **kw)  # type: ignore[arg-type]


def _plan(acts: list[Activity], deps: list[Dependency] | None = None, **kw: object) -> Plan:
    kw.setdefault("data_date", DD)
    return tiny_plan(acts, deps, **kw)  # type: ignore[arg-type]


def _by_id(plan: Plan) -> dict[str, Activity]:
    return {a.id: a for a in plan.activities}


# -- activities -------------------------------------------------------------------------------


def test_plan_without_data_date_is_returned_as_it_is() -> None:
    plan = tiny_plan([_act("A", 5)], [])
    rem, pm = remaining_plan(plan)
    assert rem is plan
    assert not pm.active
    assert pm.remaining == {"A": 5} and pm.status == {"A": "not_started"}


def test_progress_without_data_date_is_refused() -> None:
    plan = tiny_plan([_act("A", 5, Progress(actual_start=2))])
    with pytest.raises(ValueError, match="data_date"):
        remaining_plan(plan)


def test_complete_activity_is_a_milestone_at_its_actual_finish_without_crews_or_cost() -> None:
    # A ran [2, 7) (5 days, as planned 5); its crew and cost are history
    plan = _plan(
        [
            _act(
                "A",
                5,
                Progress(actual_start=2, actual_finish=7),
                cost=500,
                due=6,
                deadline=6,
                release=1,
            )
        ],
        resources=[Resource("crew", 1)],
        demands=[Demand("A", "crew", 1)],
    )
    rem, pm = remaining_plan(plan)
    a = _by_id(rem)["A"]
    assert (a.duration, a.fixed_start, a.cost, a.release, a.due, a.deadline) == (
        0,
        7,
        0,
        None,
        None,
        None,
    )
    assert a.progress is None and rem.data_date is None
    assert rem.demands == []
    assert pm.status["A"] == "complete"
    assert (pm.actual_start["A"], pm.actual_finish["A"], pm.remaining["A"]) == (2, 7, 0)
    # shown at its actual dates
    assert pm.starts({"A": 7}) == {"A": 2} and pm.ends({"A": 7}) == {"A": 7}


def test_in_progress_with_remaining_duration_resumes_at_the_data_date() -> None:
    # B (10 days) started on slot 6 with 3 days left: the remaining work is [10, 13)
    plan = _plan(
        [_act("B", 10, Progress(actual_start=6, remaining=3), cost=100, fixed_start=6)],
        resources=[Resource("crew", 1)],
        demands=[Demand("B", "crew", 1)],
    )
    rem, pm = remaining_plan(plan)
    b = _by_id(rem)["B"]
    assert (b.duration, b.release, b.fixed_start) == (3, 10, None)
    assert b.cost == 30  # ceil(100 * 3 / 10)
    assert len(rem.demands) == 1  # the remaining work still needs its crew
    assert pm.starts({"B": 10}) == {"B": 6}
    assert pm.ends({"B": 10}) == {"B": 13}
    assert pm.remaining_starts({"B": 6}, {"B": 13}) == {"B": 10}


@pytest.mark.parametrize(
    ("progress", "left"),
    [
        (Progress(actual_start=4, percent_complete=30), 7),  # ceil(10 * 0.70) = 7
        (Progress(actual_start=4, percent_complete=25), 8),  # ceil(7.5) = 8
        (Progress(actual_start=4, percent_complete=100), 0),  # done, not yet marked finished
        (Progress(actual_start=4), 4),  # 10 - (10 - 4) elapsed = 4
        (Progress(actual_start=0), 1),  # 10 - 10 elapsed = 0: at least 1 slot is left
        (Progress(actual_start=4, remaining=12, percent_complete=30), 12),  # remaining wins
    ],
)
def test_remaining_duration_defaults(progress: Progress, left: int) -> None:
    rem, pm = remaining_plan(_plan([_act("B", 10, progress)]))
    assert pm.remaining["B"] == left
    assert _by_id(rem)["B"].duration == left


def test_started_milestone_is_complete_on_its_actual_start() -> None:
    rem, pm = remaining_plan(_plan([_act("M", 0, Progress(actual_start=4))]))
    assert pm.status["M"] == "complete"
    assert _by_id(rem)["M"].fixed_start == 4


def test_nothing_unstarted_starts_before_the_data_date() -> None:
    plan = _plan([_act("C", 3, release=3), _act("D", 3, release=12), _act("E", 3)])
    rem, _ = remaining_plan(plan)
    assert [a.release for a in rem.activities] == [10, 12, 10]


def test_fixed_start_before_the_data_date_moves_to_it_with_a_warning() -> None:
    plan = _plan([_act("C", 3, fixed_start=4), _act("D", 3, fixed_start=15)])
    rem, pm = remaining_plan(plan)
    c, d = _by_id(rem)["C"], _by_id(rem)["D"]
    assert (c.fixed_start, c.release) == (None, 10)
    assert d.fixed_start == 15
    assert len(pm.warnings) == 1
    assert "fixed start 2027-01-05 is before the data date 2027-01-11" in pm.warnings[0].message


# -- relations --------------------------------------------------------------------------------


def _rel(t: str, p: str, q: str, lag: int = 0, **kw: object) -> Dependency:
    return Dependency(p, q, t, lag, **kw)  # type: ignore[arg-type]


DONE = Progress(actual_start=2, actual_finish=7)  # A: [2, 7)
RUNNING = Progress(actual_start=6, remaining=4)  # B: started 6, 4 left


@pytest.mark.parametrize(
    ("dep", "release", "bound"),
    [
        # FS from complete A: S(C) >= 7 + 5 = 12
        (_rel("FS", "A", "C", 5), 12, Bound(12, "FS lag 5 from A's actual finish 2027-01-07", "A")),
        # FS lag 2 from A: 9 < data date 10, the data date binds; no bound recorded
        (_rel("FS", "A", "C", 2), 10, None),
        # SS from in-progress B: S(C) >= actual start 6 + 6 = 12
        (_rel("SS", "B", "C", 6), 12, Bound(12, "SS lag 6 from B's actual start 2027-01-07", "B")),
        # SF from B: E(C) >= 6 + 8 = 14, so S(C) >= 14 - 3 = 11
        (_rel("SF", "B", "C", 8), 11, Bound(11, "SF lag 8 from B's actual start 2027-01-07", "B")),
        # FF from A: E(C) >= 7 + 7 = 14, so S(C) >= 11
        (_rel("FF", "A", "C", 7), 11, Bound(11, "FF lag 7 from A's actual finish 2027-01-07", "A")),
    ],
)
def test_relation_anchored_on_an_actual_date_becomes_a_lower_bound(
    dep: Dependency, release: int, bound: Bound | None
) -> None:
    plan = _plan([_act("A", 5, DONE), _act("B", 10, RUNNING), _act("C", 3)], [dep])
    rem, pm = remaining_plan(plan)
    # from in-progress B (retained logic) C also waits for B's remaining work: lag 0
    assert rem.dependencies == ([replace(dep, lag=0)] if dep.predecessor == "B" else [])
    assert _by_id(rem)["C"].release == release
    assert pm.bounds.get("C") == bound
    assert [d for d, _ in pm.dropped] == [dep]


def test_a_start_relation_from_work_in_progress_also_waits_for_its_resume() -> None:
    # P6, retained logic (bhatticoder OCEC10801 SS+6 OCEC10811): B started at 6 with 4
    # left, but waits for D (FS, 5 days from the data date 10): B's rest [15, 19). C (SS+6
    # from B) may start at 6 + 6 = 12 by the actual start, yet waits for B's resume: 15.
    from scheduler.cpm import compute_cpm

    deps = [_rel("FS", "D", "B"), _rel("SS", "B", "C", 6)]
    plan = _plan([_act("B", 10, RUNNING), _act("C", 3), _act("D", 5)], deps)
    rem, _ = remaining_plan(plan)
    t = compute_cpm(rem).times
    assert (t["D"].es, t["B"].es, t["C"].es) == (10, 15, 15)
    rem, _ = remaining_plan(_plan(plan.activities, deps, out_of_sequence="progress_override"))
    assert compute_cpm(rem).times["C"].es == 12  # override: only the actual start binds


def test_relations_from_the_end_of_unfinished_work_are_kept() -> None:
    # FS from in-progress B: B's end is its remaining work's end, so the relation stays
    deps = [_rel("FS", "B", "C", 1), _rel("FF", "B", "C"), _rel("SS", "D", "C", 2)]
    plan = _plan([_act("B", 10, RUNNING), _act("C", 3), _act("D", 2)], deps)
    rem, pm = remaining_plan(plan)
    assert rem.dependencies == deps
    assert pm.dropped == [] and pm.bounds == {}


def test_relations_into_actual_dates_are_dropped() -> None:
    # FS A -> A2: both complete; the relations from unfinished C and B into complete A
    # are dropped with progress override (with retained logic see the next test)
    deps = [_rel("FS", "A", "A2"), _rel("FS", "C", "A"), _rel("FF", "B", "A")]
    acts = [_act("A", 5, DONE), _act("A2", 2, Progress(8, 9)), _act("B", 10, RUNNING)]
    plan = _plan([*acts, _act("C", 3)], deps, out_of_sequence="progress_override")
    rem, pm = remaining_plan(plan)
    assert rem.dependencies == []
    assert [(d.predecessor, d.successor, why) for d, why in pm.dropped] == [
        ("A", "A2", "A2 is complete"),
        ("C", "A", "A is complete"),
        ("B", "A", "A is complete"),
    ]
    assert pm.floating == {}
    assert _by_id(rem)["A"].fixed_start == 7


def test_retained_logic_holds_a_complete_activity_that_finished_out_of_sequence() -> None:
    # A finished [2, 7) although its FS predecessor C has not started (P6: its finish
    # event still waits for C and holds D, A's FS successor; A2 is complete after A).
    # C [10, 13), A's event at 13, D (2 days) [13, 15); A2's event waits for A's: 13.
    deps = [_rel("FS", "C", "A"), _rel("FS", "A", "D"), _rel("FS", "A", "A2")]
    acts = [_act("A", 5, DONE), _act("A2", 2, Progress(8, 9)), _act("C", 3), _act("D", 2)]
    rem, pm = remaining_plan(_plan(acts, deps))
    assert rem.dependencies == deps
    assert pm.floating == {"A": 10, "A2": 10}  # on or after the data date
    assert pm.held == {"A": [deps[0]], "A2": [deps[2]]}
    a = _by_id(rem)["A"]
    assert (a.duration, a.fixed_start, a.release) == (0, None, 10)
    # the solved remaining starts: C 10, A's event 13, D 13, A2's event 13
    starts = {"A": 13, "A2": 13, "C": 10, "D": 13}
    assert pm.remaining_starts({"A": 2, "A2": 8, "C": 10, "D": 13}, {}) == starts
    # shown at their actual dates
    assert pm.starts(starts)["A"] == 2 and pm.ends(starts)["A"] == 7
    assert pm.ends(starts)["A2"] == 9


def test_a_complete_activity_out_of_sequence_waits_for_its_predecessors_with_retained_logic() -> (
    None
):
    # P6 (sixterminal update 6, 36326): A finished [2, 7) although C (3 days, not started)
    # precedes it FS. With retained logic A's finish event waits for C: C [10, 13), so A's
    # event is at 13 (not pinned at 7), and E (FS+1 from A) starts at 14, not at 7 + 1 = 8.
    deps = [_rel("FS", "C", "A"), _rel("FS", "A", "E", 1)]
    acts = [_act("A", 5, DONE), _act("C", 3), _act("E", 2)]
    rem, pm = remaining_plan(_plan(acts, deps))
    a = _by_id(rem)["A"]
    assert (a.duration, a.fixed_start, a.release) == (0, None, DD)
    assert rem.dependencies == deps  # both kept
    assert _by_id(rem)["E"].release == DD  # and the bound from A's actual finish, 8 < 10
    from scheduler.cpm import compute_cpm

    t = compute_cpm(rem).times
    assert (t["C"].es, t["A"].es, t["E"].es) == (10, 13, 14)
    assert pm.actual_finish["A"] == 7  # its shown dates stay the actual ones
    # progress override: A stays at its actual finish, C's relation into it is dropped and
    # A -> E is the bound 7 + 1 = 8 (below the data date)
    rem, _ = remaining_plan(_plan(acts, deps, out_of_sequence="progress_override"))
    assert _by_id(rem)["A"].fixed_start == 7 and rem.dependencies == []


def test_a_waiting_complete_activity_holds_its_start_successors_too() -> None:
    # P6 (bhatticoder A15081 SS A15083 ... A15087 SS+18 A15089): A finished [2, 7) before
    # C (FS into A, not started): A's finish event waits for C [10, 13) at 13. A2 (complete
    # [3, 8), SS+3 from A) waits with it: its event is at 13 too. E (SS+4 from A, not
    # started) waits for A's event without the lag, which ran from A's actual start
    # (2 + 4 = 6, below the data date): E at 13, not 13 + 4 = 17.
    from scheduler.cpm import compute_cpm

    deps = [_rel("FS", "C", "A"), _rel("SS", "A", "A2", 3), _rel("SS", "A", "E", 4)]
    acts = [_act("A", 5, DONE), _act("A2", 5, Progress(3, 8)), _act("C", 3), _act("E", 2)]
    rem, pm = remaining_plan(_plan(acts, deps))
    assert set(pm.floating) == {"A", "A2"}
    assert pm.rules == ["kept", "bound+resume", "bound+resume"]
    assert [(d.predecessor, d.successor, d.lag) for d in rem.dependencies] == [
        ("C", "A", 0),
        ("A", "A2", 0),
        ("A", "E", 0),
    ]
    t = compute_cpm(rem).times
    assert (t["C"].es, t["A"].es, t["A2"].es, t["E"].es) == (10, 13, 13, 13)


def test_retained_logic_keeps_relations_on_the_remaining_work() -> None:
    # B started out of sequence (C, its FS predecessor, has not started)
    deps = [_rel("FS", "C", "B"), _rel("FF", "D", "B", 1), _rel("SS", "A", "B", 20)]
    acts = [_act("A", 5, DONE), _act("B", 10, RUNNING), _act("C", 3), _act("D", 2)]
    rem, pm = remaining_plan(_plan(acts, deps))
    assert rem.dependencies == deps[:2]  # C's finish holds back B's remaining work
    # SS from complete A binds the remaining work: S(B') >= 2 + 20 = 22
    assert _by_id(rem)["B"].release == 22
    assert pm.bounds["B"] == Bound(22, "SS lag 20 from A's actual start 2027-01-03", "A")


def test_progress_override_drops_every_relation_into_in_progress_work() -> None:
    deps = [_rel("FS", "C", "B"), _rel("FF", "D", "B", 1), _rel("SS", "A", "B", 20)]
    acts = [_act("A", 5, DONE), _act("B", 10, RUNNING), _act("C", 3), _act("D", 2)]
    plan = _plan(acts, deps, out_of_sequence="progress_override")
    rem, pm = remaining_plan(plan)
    assert rem.dependencies == []
    assert _by_id(rem)["B"].release == 10
    assert [why for _, why in pm.dropped] == ["B is in progress (progress override)"] * 3


def test_max_lag_anchored_on_history_is_not_kept() -> None:
    dep = _rel("FS", "A", "C", 1, max_lag=2)
    rem, pm = remaining_plan(_plan([_act("A", 5, DONE), _act("C", 3)], [dep]))
    assert rem.dependencies == []
    assert _by_id(rem)["C"].release == 10
    assert len(pm.warnings) == 1 and "max lag 2 of FS A -> C is not kept" in pm.warnings[0].message


# -- budgets ----------------------------------------------------------------------------------


def test_money_spent_before_the_data_date_comes_off_the_caps() -> None:
    # A complete [2, 7), cost 500: 100 a day. B (10 days, cost 100) started 4, 4 left:
    # remaining cost ceil(100 * 4 / 10) = 40, so 60 was spent over [4, 10), 10 a day.
    acts = [
        _act("A", 5, Progress(actual_start=2, actual_finish=7), cost=500),
        _act("B", 10, Progress(actual_start=4), cost=100),
        _act("C", 3, cost=30),
    ]
    budgets = [BudgetPeriod("P0", 0, 5, 250), BudgetPeriod("P1", 5, 20, 1000)]
    rem, pm = remaining_plan(_plan(acts, budgets=budgets))
    # P0: A 3 days (300) + B 1 day (ceil(60 / 6) = 10) = 310 > 250: cap 0, warned
    # P1: A 2 days (200) + B 5 days (50) = 250: cap 750
    assert pm.history_spend == {0: 310, 1: 250}
    assert [b.cap for b in rem.budgets] == [0, 750]
    assert _by_id(rem)["B"].cost == 40
    assert len(pm.warnings) == 1
    assert (
        "budget P0: 310 spent before the data date is above its cap 250" in pm.warnings[0].message
    )
    # where the money goes: history then remaining work
    assert pm.segments("A", 7) == [(2, 7, 500.0)]
    assert pm.segments("B", 12) == [(4, 10, 60.0), (12, 16, 40.0)]
    assert pm.segments("C", 10) == [(10, 13, 30.0)]


# -- the whole ------------------------------------------------------------------------------


def test_remaining_plan_is_idempotent_and_checks() -> None:
    deps = [_rel("FS", "A", "B"), _rel("FS", "B", "C"), _rel("SS", "B", "D", 1)]
    acts = [_act("A", 5, DONE), _act("B", 10, RUNNING), _act("C", 3), _act("D", 2)]
    rem, _ = remaining_plan(_plan(acts, deps))
    rem.check()
    again, pm = remaining_plan(rem)
    assert again is rem and not pm.active


def test_summary_line() -> None:
    acts = [_act("A", 5, DONE), _act("B", 10, RUNNING), _act("C", 3)]
    plan = _plan(acts)
    _, pm = remaining_plan(plan)
    assert pm.counts() == {"not_started": 1, "in_progress": 1, "complete": 1}
    assert pm.summary(plan) == (
        "progress: 1 complete, 1 in progress at data date 2027-01-11 (retained logic)"
    )


def test_uncertainty_of_the_remaining_work() -> None:
    unc = Uncertainty(
        estimates={
            "A": Estimate(4, 5, 8),
            "B": Estimate(8, 10, 20),
            "C": Estimate(2, 3, 6),
        },
        events=[
            RiskEvent("R1", "only A", 0.5, ("A",), 1, 2, 3),
            RiskEvent("R2", "A and C", 0.5, ("A", "C"), 1, 2, 3),
        ],
    )
    acts = [_act("A", 5, DONE), _act("B", 10, RUNNING), _act("C", 3)]
    rem, _ = remaining_plan(_plan(acts, uncertainty=unc))
    assert rem.uncertainty is not None
    est = rem.uncertainty.estimates
    assert set(est) == {"B", "C"}
    # B has 4 of 10 days left: its estimate scaled by 0.4
    assert (est["B"].optimistic, est["B"].most_likely, est["B"].pessimistic) == (3.2, 4.0, 8.0)
    assert [(e.id, e.activities) for e in rem.uncertainty.events] == [("R2", ("C",))]


@pytest.mark.parametrize(
    ("progress", "field", "text"),
    [
        # started after the data date (slot 10)
        (Progress(actual_start=11), "actual_start", "actual start 2027-01-12 of X is after"),
        # last day worked is the data date itself: exclusive finish 11 > 10
        (Progress(actual_start=3, actual_finish=11), "actual_finish", "actual finish 2027-01-11"),
        # remaining work on a finished activity
        (Progress(actual_start=3, actual_finish=6, remaining=2), "remaining", "is complete"),
    ],
)
def test_progress_problems(progress: Progress, field: str, text: str) -> None:
    found = progress_problems(_plan([_act("X", 4, progress)]))
    assert [(p.activity, p.field) for p in found] == [("X", field)]
    assert text in found[0].text
    with pytest.raises(ValueError, match=text.split(" of ")[0]):
        remaining_plan(_plan([_act("X", 4, progress)]))
