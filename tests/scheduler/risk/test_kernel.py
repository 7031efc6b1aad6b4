"""The compiled kernel against the plain-Python serial SGS on random plans."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from scheduler.model import Activity, Blackout, BudgetPeriod, Demand, Dependency, Plan, Resource
from scheduler.risk.arrays import PlanArrays, activity_list
from scheduler.risk.kernel import simulate_batch
from scheduler.risk.reference import python_sgs
from scheduler.timegrid import TimeGrid


def _random_plan(rng: random.Random, n: int) -> tuple[Plan, dict[str, int]]:
    acts = [
        Activity(
            f"A{i}",
            f"a{i}",
            rng.choice([0, 1, 3, 5, 8, 13]),
            sector=rng.choice("RW"),
            cost=rng.choice([0, 0, 40, 90]),
            release=rng.choice([None, None, 4]),
        )
        for i in range(n)
    ]
    deps = []
    for s in range(1, n):
        for p in rng.sample(range(s), k=min(s, rng.choice([0, 1, 2]))):
            deps.append(
                Dependency(
                    f"A{p}",
                    f"A{s}",
                    rng.choice(["FS", "SS", "FF", "SF"]),
                    rng.choice([0, 0, 2, -1]),
                )
            )
    res = [Resource("R1", 2, capacity_changes=[(12, 1), (30, 2)]), Resource("R2", 3)]
    dem = [
        Demand(a.id, rng.choice(["R1", "R2"]), rng.choice([1, 2]))
        for a in acts
        if rng.random() < 0.7
    ]
    budgets = [BudgetPeriod("Y1", 0, 25, 150), BudgetPeriod("Y2", 25, 60, 200)]
    blackouts = [Blackout("W", 10, 16), Blackout("A3", 20, 24)]
    plan = Plan("random", TimeGrid(date(2027, 1, 1)), acts, deps, res, dem, budgets, blackouts)
    starts = {a.id: rng.randrange(0, 40) for a in acts}
    return plan, starts


@pytest.mark.parametrize("seed", range(12))
def test_compiled_kernel_equals_the_python_sgs(seed: int) -> None:
    rng = random.Random(seed)
    plan, starts = _random_plan(rng, 25)
    arrays = PlanArrays.from_plan(plan)
    order = activity_list(plan, starts)
    planned = arrays.planned_spend(starts)
    base = np.array([a.duration for a in plan.activities])
    durations = np.array(
        [
            np.maximum(base + np.array([rng.randint(-2, 6) for _ in base]), (base > 0).astype(int))
            for _ in range(8)
        ],
        dtype=np.int64,
    )
    length = arrays.window(durations)
    cap = arrays.capacity(length)
    out_s = np.empty_like(durations)
    out_c = np.empty(durations.shape, dtype=np.bool_)
    out_m = np.empty(len(durations), dtype=np.int64)
    use = np.zeros((3, *cap.shape), dtype=np.int64)
    ender = np.full((3, cap.shape[0], cap.shape[1] + 1), -1, dtype=np.int64)
    simulate_batch(
        durations, arrays.kernel_tuple(order), cap, planned, True, use, ender, out_s, out_c, out_m
    )
    assert not use.any() and (ender == -1).all()  # given back clean for the next batch
    for it in range(len(durations)):
        ref_starts, ref_ms = python_sgs(
            arrays, order.tolist(), durations[it].tolist(), planned.tolist(), cap.tolist()
        )
        assert out_s[it].tolist() == ref_starts
        assert out_m[it] == ref_ms
        assert out_c[it][np.argmax(out_s[it] + durations[it])]  # who ends last is critical
