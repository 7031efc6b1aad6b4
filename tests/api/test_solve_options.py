"""Solve options through the API behave as on the command line (issue 9 item 3)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.jobs import solve_options
from scheduler.solver import default_workers
from tests.api.conftest import upload_json, wait_for


def test_default_workers_are_the_machines_cores(monkeypatch) -> None:
    monkeypatch.delenv("INFRAPLAN_SOLVE_WORKERS", raising=False)
    assert Settings().solve_workers is None  # unset: the solver's default
    assert solve_options({"workers": None}).workers == default_workers()
    monkeypatch.setenv("INFRAPLAN_SOLVE_WORKERS", "1")
    assert Settings().solve_workers == 1
    assert solve_options({"workers": 1}).workers == 1


def test_seed_seeds_and_repeatable_is_its_own_option() -> None:
    opts = solve_options({"seed": 7})
    assert (opts.seed, opts.repeatable) == (7, False)
    assert solve_options({"repeatable": True}).repeatable is True
    assert solve_options({"deterministic": True}).repeatable is True  # rows stored before

    class _Plan:
        repeatable = True
        activities = [object()] * 10

    assert solve_options({}, _Plan()).repeatable is True  # the plan's Settings
    assert solve_options({"repeatable": False}, _Plan()).repeatable is False


def test_time_limit_counts_from_the_job_start() -> None:
    class _Plan:
        repeatable = False
        activities = [object()] * 100

    started = time.monotonic() - 1.0  # reading took a second
    opts = solve_options({"time_limit_s": 10}, _Plan(), started)
    assert opts.deadline is not None
    assert opts.deadline - started == pytest.approx(10 - (1.0 + 0.004 * 100))
    assert opts.time_limit_s == pytest.approx(10 - 1.0 - 1.4, abs=0.1)  # what is left


def test_repeatable_solve_through_the_api(client: TestClient, keys: dict) -> None:
    pid = upload_json(client, keys["planner"])["id"]
    ids = [
        client.post(
            f"/plans/{pid}/schedules",
            json={"repeatable": True, "seed": 3, "time_limit_s": 2},
            headers=keys["planner"],
        ).json()["id"]
        for _ in range(2)
    ]
    first, second = (wait_for(client, sid, keys["planner"]) for sid in ids)
    assert first["options"]["repeatable"] is True
    assert first["document"]["repeatable"] is True
    assert first["document"]["makespan_days"] == second["document"]["makespan_days"] == 10
    plain = client.post(f"/plans/{pid}/schedules", json={}, headers=keys["planner"]).json()
    assert wait_for(client, plain["id"], keys["planner"])["document"]["repeatable"] is False
