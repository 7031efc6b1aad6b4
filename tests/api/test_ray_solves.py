"""Solve jobs on the Ray cluster of the risk jobs (``INFRAPLAN_RAY_SOLVES``).

CI starts a local head (``ray start --head``) and sets ``INFRAPLAN_RAY_ADDRESS``;
elsewhere the cluster test skips and says why.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.deps import issue_key
from api.main import create_app
from tests.api.conftest import make_settings, upload_json, wait_for

RAY_ADDRESS = os.environ.get("INFRAPLAN_RAY_ADDRESS")


def _solve_on(url: str, ray_address: str | None, ray_solves: bool) -> dict[str, Any]:
    """The tiny plan (A 5 d → B 3 d → D 2 d, C 2 d floating) solved by a server so set."""
    settings = make_settings(url, ray_address=ray_address, ray_solves=ray_solves)
    with TestClient(create_app(settings)) as c:
        with c.app.state.db.session() as s:  # type: ignore[attr-defined]
            h = {"X-API-Key": issue_key(s, "planner")[1]}
        plan = upload_json(c, h)
        r = c.post(f"/plans/{plan['id']}/schedules", json={"time_limit_s": 2}, headers=h)
        assert r.status_code == 202, r.text
        return wait_for(c, r.json()["id"], h, timeout=600)


def test_solves_go_to_the_ray_address_only_when_asked(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    sent = _solve_on(f"sqlite:///{tmp_path / 'a.db'}", "127.0.0.1:1", True)
    assert sent["status"] == "failed"
    assert sent["reason"].startswith("cannot reach the Ray cluster at 127.0.0.1:1")
    kept = _solve_on(f"sqlite:///{tmp_path / 'b.db'}", "127.0.0.1:1", False)
    assert kept["status"] == "optimal"  # the address alone is for risk jobs


@pytest.mark.skipif(not RAY_ADDRESS, reason="no Ray cluster: INFRAPLAN_RAY_ADDRESS is not set")
def test_a_solve_on_the_ray_cluster_gives_the_local_plan(tmp_path: Path) -> None:
    assert RAY_ADDRESS is not None
    remote = _solve_on(f"sqlite:///{tmp_path / 'ray.db'}", RAY_ADDRESS, True)
    local = _solve_on(f"sqlite:///{tmp_path / 'local.db'}", None, False)
    assert remote["status"] == local["status"] == "optimal", remote.get("reason")
    # A 0-5, B 5-8, D 8-10 (C floats): 10 days either way
    assert remote["document"]["makespan_days"] == local["document"]["makespan_days"] == 10
    starts = {a["id"]: a["start"] for a in remote["document"]["activities"]}
    assert starts == {a["id"]: a["start"] for a in local["document"]["activities"]}
    assert remote["reason"] is None  # the report and network view were made


@pytest.mark.skipif(not RAY_ADDRESS, reason="no Ray cluster: INFRAPLAN_RAY_ADDRESS is not set")
def test_a_solve_on_the_ray_cluster_reports_progress_and_is_cancelled(tmp_path: Path) -> None:
    """A 300-activity national-style plan given 600 s, cancelled once its progress arrived.

    The cluster's CPUs are free again long before the 600 s a task left running would
    hold one (the wait's deadline, 120 s, only stops a hang).
    """
    import json
    import time

    import ray

    from benchmarks.scale import generate_tables

    assert RAY_ADDRESS is not None
    settings = make_settings(
        f"sqlite:///{tmp_path / 'c.db'}",
        ray_address=RAY_ADDRESS,
        ray_solves=True,
        max_upload_bytes=2_000_000,
        max_time_limit_s=600.0,
    )
    with TestClient(create_app(settings)) as c:
        with c.app.state.db.session() as s:  # type: ignore[attr-defined]
            h = {"X-API-Key": issue_key(s, "planner")[1]}
        tables = json.loads(json.dumps(generate_tables(300, 20, seed=3), default=str))
        plan = upload_json(c, h, tables)
        r = c.post(f"/plans/{plan['id']}/schedules", json={"time_limit_s": 600}, headers=h)
        assert r.status_code == 202, r.text
        sid = r.json()["id"]
        deadline = time.monotonic() + 600  # a condition wait: the deadline only stops a hang
        while True:  # until the task's progress reached the row through the relay
            body = c.get(f"/schedules/{sid}", headers=h).json()
            if body["status"] == "running" and body["progress"]["elapsed_s"] is not None:
                break
            assert body["status"] in ("queued", "running"), body
            assert time.monotonic() < deadline, f"schedule {sid} reported no progress"
            time.sleep(0.05)
        r = c.delete(f"/schedules/{sid}", headers=h)
        assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    deadline = time.monotonic() + 120
    ray.init(address=RAY_ADDRESS, ignore_reinit_error=True, log_to_driver=False)
    total = ray.cluster_resources().get("CPU", 0)
    while ray.available_resources().get("CPU", 0) < total:  # the task was cancelled
        assert time.monotonic() < deadline, "the cancelled solve still holds the cluster"
        time.sleep(0.1)
