"""Fixtures of the API tests: a tiny plan, an app on a fresh SQLite file, keys per role."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.deps import issue_key
from api.main import create_app
from tools.liveserver import create_key, running_server

#: Korean plan name: the report's file name must carry it (RFC 5987).
TINY_NAME = "국가 인프라 소형 계획"


def tiny_tables() -> dict[str, list[dict[str, Any]]]:
    """A tiny calendar plan: A (5 d) → B (3 d) → D (2 d) critical; C (2 d) after A, floating.

    Hand-computed: makespan 10 days from 2027-01-04, finish 2027-01-13; critical
    chain A → B → D; ES(C) = 5, EF(C) = 7, D waits for B (EF 8), so LF(C) = 8 and
    C has total float 1 day.
    """
    return {
        "Settings": [
            {"key": "plan_name", "value": TINY_NAME},
            {"key": "plan_start", "value": "2027-01-04"},
            {"key": "horizon_months", "value": 24},
            {"key": "calendar", "value": "calendar"},
        ],
        "Regions": [
            {"id": "SEL", "name": "Seoul"},
            {"id": "DJN", "name": "Daejeon"},
        ],
        "Activities": [
            {
                "id": "A",
                "name": "Earthworks",
                "project": "Road SEL-DJN",
                "sector": "road",
                "region_from": "SEL",
                "region_to": "DJN",
                "duration": 5,
                "cost": 10,
            },
            {
                "id": "B",
                "name": "Paving",
                "project": "Road SEL-DJN",
                "sector": "road",
                "region_from": "SEL",
                "region_to": "DJN",
                "duration": 3,
                "cost": 6,
            },
            {
                "id": "C",
                "name": "Fibre",
                "project": "Fibre SEL-DJN",
                "sector": "telecom",
                "region_from": "SEL",
                "region_to": "DJN",
                "duration": 2,
                "cost": 2,
            },
            {
                "id": "D",
                "name": "Opening",
                "project": "Road SEL-DJN",
                "sector": "road",
                "region_from": "SEL",
                "region_to": "DJN",
                "duration": 2,
                "cost": 1,
            },
        ],
        "Dependencies": [
            {"predecessor": "A", "successor": "B", "type": "FS", "lag": 0},
            {"predecessor": "A", "successor": "C", "type": "FS", "lag": 0},
            {"predecessor": "B", "successor": "D", "type": "FS", "lag": 0},
            {"predecessor": "C", "successor": "D", "type": "FS", "lag": 0},
        ],
        "Resources": [{"id": "CREW", "name": "Civil crew", "capacity": 2}],
        "Demands": [{"activity": "A", "resource": "CREW", "amount": 1}],
        "Budget": [{"year": 2027, "cap": 100}],
    }


def tiny_xlsx(path: Path, tables: dict[str, list[dict[str, Any]]] | None = None) -> bytes:
    """Write the tiny plan (or ``tables``) as a workbook and return its bytes."""
    from scheduler.workbook import write_workbook

    write_workbook(tables or tiny_tables(), path)
    return path.read_bytes()


def make_settings(url: str, **overrides: Any) -> Settings:
    """Settings for tests: short solves, fast polling, a 200 kB upload limit."""
    values: dict[str, Any] = {
        "database_url": url,
        "solve_time_limit_s": 2.0,
        "max_time_limit_s": 5.0,
        "solve_workers": 1,
        "max_jobs": 1,
        "progress_interval_s": 0.1,
        "poll_interval_s": 0.05,
        "max_upload_bytes": 200_000,
        # not the environment's INFRAPLAN_RAY_ADDRESS (CI's Ray head): the test that wants
        # the cluster passes it explicitly
        "ray_address": None,
        "ray_solves": False,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh SQLite file."""
    return make_settings(f"sqlite:///{tmp_path / 'api.db'}")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A running app (migrations applied, dispatcher started) on a fresh database."""
    with TestClient(create_app(settings)) as c:
        yield c


def add_key(client: TestClient, role: str, name: str = "") -> str:
    """Store a key of ``role`` in the app's database; return the key."""
    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        _, key = issue_key(s, role, name or role)
    return key


@pytest.fixture
def keys(client: TestClient) -> dict[str, dict[str, str]]:
    """Headers per role: ``keys['planner']`` is ``{'X-API-Key': ...}``."""
    return {r: {"X-API-Key": add_key(client, r)} for r in ("planner", "ministry", "admin")}


def wait_for(
    client: TestClient, schedule_id: int, headers: dict[str, str], timeout: float = 60.0
) -> dict[str, Any]:
    """Poll GET /schedules/{id} until the solve ends; return the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/schedules/{schedule_id}", headers=headers).json()
        if body["status"] not in ("queued", "running"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"schedule {schedule_id} still {body['status']} after {timeout} s")
        time.sleep(0.05)


def upload_json(
    client: TestClient, headers: dict[str, str], tables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST the tiny plan as JSON; assert 201; return the answer."""
    r = client.post("/plans", json={"tables": tables or tiny_tables()}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def solved(client: TestClient, keys: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The tiny plan uploaded and solved once: the final GET /schedules/{id} answer."""
    plan = upload_json(client, keys["planner"])
    r = client.post(
        f"/plans/{plan['id']}/schedules", json={"time_limit_s": 2}, headers=keys["planner"]
    )
    assert r.status_code == 202, r.text
    return wait_for(client, r.json()["id"], keys["planner"])


# -- a real server on a loopback port ------------------------------------------------------
def infraplan_command() -> list[str]:
    """``infraplan`` (the console script beside this Python) or ``python -m api``."""
    exe = Path(sys.executable).parent / "infraplan"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("infraplan")
    return [found] if found else [sys.executable, "-m", "api"]


@dataclass
class LiveServer:
    """A server started with ``infraplan serve``: base URL and a key per role."""

    url: str
    keys: dict[str, str]
    env: dict[str, str]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``infraplan serve`` on a free loopback port with its own SQLite file.

    Keys are made with ``infraplan keys create --role ROLE`` on the same database.
    """
    import os

    tmp = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "INFRAPLAN_DATABASE_URL": f"sqlite:///{tmp / 'live.db'}",
        "INFRAPLAN_SOLVE_TIME_LIMIT_S": "2",
        "INFRAPLAN_SOLVE_WORKERS": "1",
        "INFRAPLAN_POLL_INTERVAL_S": "0.05",
        "INFRAPLAN_PROGRESS_INTERVAL_S": "0.1",
    }
    cmd = infraplan_command()
    keys = {role: create_key(env, role, command=cmd) for role in ("planner", "ministry")}
    with running_server(env, command=[*cmd, "serve"], log_path=tmp / "server.log") as (url, _proc):
        yield LiveServer(url, keys, env)


# -- headless Chromium ----------------------------------------------------------------------
#: The Chromium executable, or None (the browser tests skip).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_dump_dom(url: str, profile: Path) -> subprocess.CompletedProcess[str]:
    """Load ``url`` in headless Chromium (10 s of virtual time); the DOM is in ``stdout``.

    ``profile`` is a fresh user-data folder; the call gives up after 90 s.
    """
    assert CHROMIUM is not None, "chromium not installed"
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
