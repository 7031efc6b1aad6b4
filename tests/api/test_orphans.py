"""Worker processes die with the server: ``kill -9`` of the server leaves no solver behind."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests import shared
from tests.api.conftest import infraplan_command
from tools.liveserver import create_key, kill_server, running_server

SHARED = shared.SHARED
#: A 120-activity PSPLIB instance: CP-SAT does not prove it optimal in a minute.
HARD_SM = SHARED / "benchmarks" / "psplib" / "j120" / "j12011_1.sm"


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    """The processes of ``procs`` still running (a zombie counts as gone)."""
    alive = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.NoSuchProcess:
            pass
    return alive


def test_kill_9_of_the_server_ends_its_workers(tmp_path: Path) -> None:
    if not HARD_SM.exists():
        pytest.skip(f"PSPLIB instance not found: {HARD_SM}")
    env = {
        **os.environ,
        "INFRAPLAN_DATABASE_URL": f"sqlite:///{tmp_path / 'orphans.db'}",
        "INFRAPLAN_POLL_INTERVAL_S": "0.05",
        "INFRAPLAN_SOLVE_WORKERS": "1",
        "INFRAPLAN_MAX_TIME_LIMIT_S": "600",
    }
    cmd = infraplan_command()
    key = create_key(env, "planner", command=cmd)
    descendants: list[psutil.Process] = []
    # on exit SIGKILL goes to the server alone, not to its process group
    server_at = running_server(
        env, command=[*cmd, "serve"], start_new_session=True, stop=kill_server
    )
    with server_at as (url, server):
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=120) as c:
            plan = c.post("/plans", files={"file": (HARD_SM.name, HARD_SM.read_bytes())})
            assert plan.status_code == 201, plan.text
            # a long solve: 600 s asked, it must not outlive the server
            r = c.post(f"/plans/{plan.json()['id']}/schedules", json={"time_limit_s": 600})
            assert r.status_code == 202, r.text
            sid = r.json()["id"]
            # a condition wait: the deadline only stops a hang (a loaded machine may take
            # a minute or more to fork the worker and import the solver)
            deadline = time.monotonic() + 600
            while True:
                body = c.get(f"/schedules/{sid}").json()
                if body["status"] == "running" and body["progress"]["elapsed_s"] is not None:
                    break
                assert body["status"] in ("queued", "running"), body
                assert time.monotonic() < deadline, "the solve did not start"
                time.sleep(0.1)
        descendants = psutil.Process(server.pid).children(recursive=True)
        workers = [p for p in descendants if "forkserver" in " ".join(p.cmdline())]
        assert workers, [p.cmdline() for p in descendants]  # the forkserver is there
        assert len(descendants) >= 2  # forkserver and the worker it forked
    deadline = time.monotonic() + 120  # returns as soon as they are gone
    while _alive(descendants) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _alive(descendants)
    for p in left:  # do not leave them running whatever the assertion says
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    assert not left, [(p.pid, p.cmdline()) for p in left]
