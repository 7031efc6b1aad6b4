"""Monte Carlo schedule risk against distributions computed by hand.

Uniform estimates on ``[k - 0.5, k + 1.5)`` round half up to ``k`` or ``k + 1``
with probability 1/2 each, so makespan distributions can be written down exactly.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from scheduler.model import Activity, Demand, Dependency, Plan, Progress, Resource
from scheduler.risk import RiskOptions, analyse, percentile
from scheduler.solution import Schedule
from scheduler.timegrid import TimeGrid
from scheduler.uncertainty import Estimate, RiskEvent, Uncertainty

N = 20_000  # iterations for the distribution checks


def _schedule(plan: Plan, starts: dict[str, int]) -> Schedule:
    return Schedule(plan=plan, status="feasible", starts=starts)


def _two_on_one_crew() -> tuple[Plan, Uncertainty]:
    """A and B (2 or 3 days each, 50/50) both need the one crew; no logic between them."""
    acts = [Activity("A", "A", 2), Activity("B", "B", 2)]
    plan = Plan(
        "crew",
        TimeGrid(date(2027, 1, 1)),
        acts,
        resources=[Resource("CREW", 1)],
        demands=[Demand("A", "CREW", 1), Demand("B", "CREW", 1)],
    )
    est = {a: Estimate(1.5, 2.5, 3.49999, "uniform") for a in ("A", "B")}
    return plan, Uncertainty(estimates=est)


def test_percentile_is_the_smallest_value_reached_by_p_percent() -> None:
    values = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert percentile(values, 80) == 8
    assert percentile(values, 81) == 9
    assert percentile(values, 10) == 1
    with pytest.raises(ValueError, match="no iterations"):
        percentile(np.array([], dtype=int), 50)


def test_one_crew_serialises_leveled_but_not_logic() -> None:
    plan, unc = _two_on_one_crew()
    sched = _schedule(plan, {"A": 0, "B": 2})
    lev = analyse(sched, RiskOptions(iterations=N, seed=3, converge=False), uncertainty=unc)
    # sum of two independent {2, 3}: 4 (1/4), 5 (1/2), 6 (1/4)
    ms = lev.makespans
    assert set(np.unique(ms)) == {4, 5, 6}
    assert np.mean(ms == 4) == pytest.approx(0.25, abs=0.015)
    assert np.mean(ms == 6) == pytest.approx(0.25, abs=0.015)
    assert (lev.p(10), lev.p(50), lev.p(80), lev.p(90)) == (4, 5, 6, 6)
    logic = analyse(
        sched, RiskOptions(iterations=N, seed=3, mode="logic", converge=False), uncertainty=unc
    )
    # max of the two: 2 (1/4), 3 (3/4)
    assert np.mean(logic.makespans == 2) == pytest.approx(0.25, abs=0.015)
    assert (logic.p(10), logic.p(50), logic.p(80)) == (2, 3, 3)


def test_deterministic_iteration_reproduces_the_solved_plan() -> None:
    plan, _ = _two_on_one_crew()
    res = analyse(_schedule(plan, {"A": 0, "B": 2}), RiskOptions(iterations=5, converge=False))
    assert res.makespans.tolist() == [4] * 5
    assert res.to_json()["deterministic"] == {"makespan_days": 4, "finish": "2027-01-04"}


def test_parallel_chains_criticality() -> None:
    """A is 10 days for sure; B is 9, 10, 11 or 12 (1/4 each); both end at the finish milestone."""
    acts = [Activity("A", "A", 10), Activity("B", "B", 10), Activity("END", "end", 0)]
    deps = [Dependency("A", "END"), Dependency("B", "END")]
    plan = Plan("chains", TimeGrid(date(2027, 1, 1)), acts, deps)
    unc = Uncertainty(estimates={"B": Estimate(8.5, 10.5, 12.49999, "uniform")})
    res = analyse(
        _schedule(plan, {"A": 0, "B": 0, "END": 10}),
        RiskOptions(iterations=N, seed=5, converge=False),
        uncertainty=unc,
    )
    crit = {a.id: a.criticality for a in res.activities}
    # A drives the finish when B <= 10 (1/2), B when B >= 10 (3/4): a tie counts both
    assert crit["END"] == 1.0
    assert crit["A"] == pytest.approx(0.5, abs=0.015)
    assert crit["B"] == pytest.approx(0.75, abs=0.015)
    cruc = {a.id: a.cruciality for a in res.activities}
    assert cruc["A"] == 0.0  # constant duration
    assert cruc["B"] > 0.8


def test_risk_event_effect_on_p50_p80_and_mean() -> None:
    acts = [Activity("A", "A", 10)]
    plan = Plan("event", TimeGrid(date(2027, 1, 1)), acts)
    unc = Uncertainty(events=[RiskEvent("R1", "ground water", 0.3, ("A",), 5, 5, 5)])
    res = analyse(
        _schedule(plan, {"A": 0}),
        RiskOptions(iterations=N, seed=7, converge=False),
        uncertainty=unc,
    )
    # 10 days with probability 0.7, 15 with 0.3: P50 = 10, P80 = 15, mean = 11.5
    assert res.p(50) == 10
    assert res.p(80) == 15
    assert res.makespans.mean() == pytest.approx(11.5, abs=0.05)
    (ev,) = res.events
    assert ev.occurred == pytest.approx(0.3, abs=0.01)
    assert ev.p80_effect == 5
    assert ev.mean_effect == pytest.approx(1.5, abs=0.05)


def test_probability_within_a_one_month_horizon() -> None:
    """21..40 days uniformly; January has 31 days: P(makespan <= 31) = 11/20."""
    plan = Plan("month", TimeGrid(date(2027, 1, 1), horizon_months=1), [Activity("A", "A", 30)])
    unc = Uncertainty(estimates={"A": Estimate(20.5, 30, 40.49999, "uniform")})
    res = analyse(
        _schedule(plan, {"A": 0}),
        RiskOptions(iterations=N, seed=11, converge=False),
        uncertainty=unc,
    )
    assert plan.horizon == 31
    assert res.probability_within_horizon == pytest.approx(0.55, abs=0.015)
    assert res.to_json()["probability_within_horizon"] == pytest.approx(0.55, abs=0.015)


def test_triangular_percentiles_within_a_day_of_the_exact_ones() -> None:
    """Triangular (10, 20, 40): F^-1(p) = 40 - sqrt((1 - p) * 30 * 20) above the mode."""
    plan = Plan("tri", TimeGrid(date(2027, 1, 1)), [Activity("A", "A", 20)])
    unc = Uncertainty(estimates={"A": Estimate(10, 20, 40)})
    res = analyse(
        _schedule(plan, {"A": 0}),
        RiskOptions(iterations=N, seed=13, converge=False),
        uncertainty=unc,
    )
    for p in (50, 80, 90):
        exact = 40 - np.sqrt((1 - p / 100) * 600)
        assert abs(res.p(p) - exact) <= 1.0, (p, res.p(p), exact)
    assert res.makespans.mean() == pytest.approx(70 / 3, abs=0.2)


def test_betapert_mean() -> None:
    plan = Plan("pert", TimeGrid(date(2027, 1, 1)), [Activity("A", "A", 20)])
    unc = Uncertainty(estimates={"A": Estimate(10, 20, 40, "betapert")})
    res = analyse(
        _schedule(plan, {"A": 0}),
        RiskOptions(iterations=N, seed=17, converge=False),
        uncertainty=unc,
    )
    assert res.makespans.mean() == pytest.approx((10 + 80 + 40) / 6, abs=0.2)  # PERT mean


def _chain(rho: float) -> float:
    acts = [Activity(f"A{i}", "", 10) for i in range(4)]
    deps = [Dependency(f"A{i}", f"A{i + 1}") for i in range(3)]
    plan = Plan("chain", TimeGrid(date(2027, 1, 1)), acts, deps)
    est = {a.id: Estimate(5, 10, 15, group="tunnels") for a in acts}
    res = analyse(
        _schedule(plan, {f"A{i}": 10 * i for i in range(4)}),
        RiskOptions(iterations=N, seed=19, converge=False),
        uncertainty=Uncertainty(estimates=est, correlation=rho),
    )
    return float(res.makespans.std())


def test_correlation_raises_the_spread() -> None:
    # four triangular (5, 10, 15) in series: sd of one is sqrt(25/6) = 2.04; independent
    # sum sd = 4.08, fully correlated 8.16
    independent, correlated = _chain(0.0), _chain(0.9)
    assert independent == pytest.approx(4.08, abs=0.15)
    assert correlated > 1.6 * independent


def test_same_seed_same_numbers_on_any_number_of_workers() -> None:
    plan, unc = _two_on_one_crew()
    sched = _schedule(plan, {"A": 0, "B": 2})
    one = analyse(sched, RiskOptions(iterations=3000, seed=23, workers=1), uncertainty=unc)
    two = analyse(sched, RiskOptions(iterations=3000, seed=23, workers=2), uncertainty=unc)
    assert np.array_equal(one.makespans, two.makespans)
    other = analyse(sched, RiskOptions(iterations=3000, seed=24, workers=2), uncertainty=unc)
    assert not np.array_equal(one.makespans, other.makespans)


def test_convergence_stops_early_and_says_so() -> None:
    plan, unc = _two_on_one_crew()
    res = analyse(
        _schedule(plan, {"A": 0, "B": 2}),
        RiskOptions(iterations=100_000, seed=1, window=1000, batch=500),
        uncertainty=unc,
    )
    assert res.stop_reason == "converged"
    assert res.iterations == 2000  # P80 = 6 after 1000 and after 2000 iterations


def test_budget_held_for_the_planned_work() -> None:
    """B may start early, but the year's cap is held for A's planned spend: B waits."""
    from scheduler.model import BudgetPeriod

    acts = [Activity("A", "A", 10, cost=100), Activity("B", "B", 10, cost=100)]
    plan = Plan(
        "budget",
        TimeGrid(date(2027, 1, 1)),
        acts,
        budgets=[BudgetPeriod("Y1", 0, 20, 100), BudgetPeriod("Y2", 20, 40, 100)],
    )
    res = analyse(_schedule(plan, {"A": 0, "B": 20}), RiskOptions(iterations=3, converge=False))
    assert res.makespans.tolist() == [30, 30, 30]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "fast"}, "mode 'fast' is not one of leveled, logic"),  # unknown mode
        ({"iterations": 0}, "iterations 0 must be at least 1"),  # no iterations
        ({"workers": 0}, "workers 0 must be at least 1"),  # no workers
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RiskOptions(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((5, 3, 8), "optimistic <= most likely <= pessimistic"),  # mode below optimistic
        ((-1, 3, 8), "optimistic value -1 is negative"),  # negative
        ((1, 3, float("nan")), "finite"),  # not a number
    ],
)
def test_bad_estimates_are_refused(args: tuple[float, float, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Estimate(*args)


def test_no_plan_to_simulate() -> None:
    with pytest.raises(ValueError, match="infeasible schedule has no plan"):
        analyse(Schedule(plan=None, status="infeasible"))


def test_an_activity_no_capacity_can_hold_is_named() -> None:
    """The crew leaves after slot 10: an 8-day job that samples longer cannot be placed."""
    plan = Plan(
        "gone",
        TimeGrid(date(2027, 1, 1)),
        [Activity("DIG", "dig", 8)],
        resources=[Resource("CREW", 1, capacity_changes=[(10, 0)])],
        demands=[Demand("DIG", "CREW", 1)],
    )
    unc = Uncertainty(estimates={"DIG": Estimate(8, 8, 15)})
    with pytest.raises(ValueError, match=r"activity DIG .* cannot be placed at any date"):
        analyse(_schedule(plan, {"DIG": 0}), RiskOptions(iterations=200), uncertainty=unc)


def test_tornado_reruns_only_the_iterations_a_risk_occurred_in() -> None:
    """The tornado equals a full re-run without each risk (common random numbers).

    A (4-6 days) and B (3-5 days) share one crew; R1 (p 0.3) delays A by 2-6 days,
    R2 (p 0.5) delays B by 1-3. Without R1 an iteration in which R1 did not occur has
    the very same durations, so only R1's iterations are simulated again.
    """
    from scheduler.risk.simulate import LocalExecutor, run

    plan, _ = _two_on_one_crew()
    unc = Uncertainty(
        estimates={"A": Estimate(4, 5, 6), "B": Estimate(3, 4, 5)},
        events=[
            RiskEvent("R1", "rock", 0.3, ("A",), 2, 3, 6),
            RiskEvent("R2", "permit", 0.5, ("B",), 1, 2, 3),
        ],
    )
    starts = {"A": 0, "B": 5}
    opts = RiskOptions(iterations=1200, batch=500, seed=5, converge=False)
    sim = run(plan, starts, unc, opts)
    full = LocalExecutor(plan, starts, unc, opts)
    for e in (0, 1):
        again = [full.sampler.batch(b, size, e)[0] for b, size in enumerate((500, 500, 200))]
        expected = np.concatenate([full.runner.run(d)[2] for d in again])
        assert sim.without[e].tolist() == expected.tolist()
        same = ~sim.occurred[:, e]
        assert (sim.without[e][same] == sim.makespans[same]).all()
        assert (sim.without[e][~same] < sim.makespans[~same]).all()  # one crew: every day counts


def test_average_ranks_give_ties_their_mean_rank() -> None:
    from scheduler.risk.result import average_ranks

    x = np.array([[3, 1], [1, 1], [3, 2], [2, 1]])
    # column 0: 1 -> 1, 2 -> 2, the two 3s share ranks 3 and 4 -> 3.5
    # column 1: the three 1s share ranks 1..3 -> 2, the 2 -> 4
    assert average_ranks(x).tolist() == [[3.5, 2.0], [1.0, 2.0], [3.5, 4.0], [2.0, 2.0]]


def test_a_progressed_plan_samples_only_the_remaining_work_from_its_data_date() -> None:
    # Calendar grid from 2027-01-01, data date slot 10 (2027-01-11). A (10 days) complete,
    # worked [0, 10), with an estimate that would reach 40 days if it were sampled; B (10
    # days, FS-free) in progress since slot 5 with 4 days left: its estimate (uniform 7.5 to
    # 12.5 days for the whole) is scaled by 4/10 to [3, 5), rounding to 3, 4 or 5 days of
    # remaining work from the data date: the makespan is 13, 14 or 15, never 18+ (the whole
    # estimate from the data date) or 40 (A sampled).
    acts = [
        Activity("A", "A", 10, progress=Progress(actual_start=0, actual_finish=10)),
        Activity("B", "B", 10, progress=Progress(actual_start=5, remaining=4)),
    ]
    plan = Plan("p", TimeGrid(date(2027, 1, 1)), acts, data_date=10)
    unc = Uncertainty(
        estimates={
            "A": Estimate(10, 20, 40, "uniform"),
            "B": Estimate(7.5, 10, 12.49999, "uniform"),
        }
    )
    sched = _schedule(plan, {"A": 10, "B": 10})  # remaining-plan starts (data date)
    assert sched.makespan == 14
    res = analyse(sched, RiskOptions(iterations=2000, seed=1, converge=False), uncertainty=unc)
    assert set(np.unique(res.makespans)) == {13, 14, 15}
    doc = res.to_json()
    assert doc["data_date"] == "2027-01-11"
    assert doc["deterministic"] == {"makespan_days": 14, "finish": "2027-01-14"}
    assert (doc["makespan_days"]["min"], doc["makespan_days"]["max"]) == (13, 15)
    # without progress there is no data date
    plain = analyse(
        _schedule(Plan("q", TimeGrid(date(2027, 1, 1)), [Activity("C", "C", 3)]), {"C": 0}),
        RiskOptions(iterations=100, seed=1, converge=False),
    )
    assert plain.to_json()["data_date"] is None
