"""Storage on SQLite and PostgreSQL: migrations, exact bytes, recovery, concurrency, kills.

PostgreSQL runs where ``INFRAPLAN_TEST_POSTGRES_URL`` names a reachable server
(``eval "$(bash .ci/services.sh)"`` starts one); otherwise those cases skip.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from api.db import Base, Database, PlanRow, ScheduleRow
from api.deps import issue_key
from api.main import create_app
from tests import shared
from tests.api.conftest import (
    infraplan_command,
    make_settings,
    tiny_tables,
    tiny_xlsx,
    upload_json,
    wait_for,
)
from tools.liveserver import create_key, kill_server, running_server

SHARED = shared.SHARED
HARD_SM = SHARED / "benchmarks" / "psplib" / "j120" / "j12011_1.sm"


def _postgres_url() -> str:
    url = os.environ.get("INFRAPLAN_TEST_POSTGRES_URL")
    if not url:
        pytest.skip(
            "PostgreSQL: INFRAPLAN_TEST_POSTGRES_URL is not set "
            '(eval "$(bash .ci/services.sh)" starts a server)'
        )
    db = Database(url, pooled=False)
    try:
        with db.engine.begin() as conn:  # a clean schema for each test
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:
        pytest.skip(f"PostgreSQL at INFRAPLAN_TEST_POSTGRES_URL is unreachable: {exc}")
    finally:
        db.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return _postgres_url()


@pytest.fixture
def app_client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(db_url))) as c:
        yield c


def _key(client: TestClient, role: str = "planner") -> dict[str, str]:
    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        return {"X-API-Key": issue_key(s, role)[1]}


def test_migrations_match_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = Database(db_url, pooled=False)
    db.migrate()
    db.migrate()  # idempotent
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.dispose()
    assert diff == []
    assert version == "0002"


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_round_trip_exact_bytes_and_document(app_client: TestClient, tmp_path: Path) -> None:
    h = _key(app_client)
    data = tiny_xlsx(tmp_path / "t.xlsx")
    r = app_client.post("/plans", files={"file": ("t.xlsx", data)}, headers=h)
    assert r.status_code == 201
    pid = r.json()["id"]
    # a bad upload afterwards damages nothing
    assert (
        app_client.post("/plans", files={"file": ("b.xlsx", b"PK\x03\x04x")}, headers=h).status_code
        == 400
    )
    sid = app_client.post(f"/plans/{pid}/schedules", headers=h).json()["id"]
    body = wait_for(app_client, sid, h)
    assert body["status"] == "optimal" and body["document"]["makespan_days"] == 10
    with app_client.app.state.db.session() as s:  # type: ignore[attr-defined]
        plan = s.get(PlanRow, pid)
        assert plan is not None and plan.upload == data
        assert [r["id"] for r in plan.tables["activities"]] == ["A", "B", "C", "D"]
        sched = s.get(ScheduleRow, sid)
        assert sched is not None and sched.report is not None and sched.report[:2] == b"PK"
        assert s.scalar(select(PlanRow.id).order_by(PlanRow.id.desc())) == pid


def test_startup_marks_running_failed_and_runs_queued(db_url: str) -> None:
    db = Database(db_url, pooled=False)
    db.migrate()
    with TestClient(create_app(make_settings(db_url))) as c:
        pid = upload_json(c, _key(c))["id"]
        c.app.state.jobs.stop()  # type: ignore[attr-defined]  # the "server" dies
    with db.session() as s:  # what a dead server left behind
        s.add(ScheduleRow(plan_id=pid, version=1, status="running", options={}, worker_pid=1))
        s.add(
            ScheduleRow(
                plan_id=pid, version=2, status="queued", options={"time_limit_s": 2, "workers": 1}
            )
        )
    with TestClient(create_app(make_settings(db_url))) as c:
        h = _key(c, "ministry")
        listed = c.get(f"/plans/{pid}/schedules", headers=h).json()
        assert (listed[0]["status"], listed[0]["reason"]) == ("failed", "interrupted")
        second = wait_for(c, listed[1]["id"], h)
        assert second["status"] == "optimal"
    db.dispose()


def test_concurrent_uploads_and_solves(app_client: TestClient) -> None:
    h = _key(app_client)
    pid = upload_json(app_client, h)["id"]
    results: list[int] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            r = app_client.post(
                "/plans", json={"name": f"p{i}", "tables": tiny_tables()}, headers=h
            )
            assert r.status_code == 201, r.text
            r = app_client.post(f"/plans/{pid}/schedules", json={"time_limit_s": 1}, headers=h)
            assert r.status_code == 202, r.text
            results.append(r.json()["version"])
        except BaseException as exc:  # collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == [1, 2, 3, 4, 5, 6]
    names = {p["name"] for p in app_client.get("/plans?limit=100", headers=h).json()}
    assert {f"p{i}" for i in range(6)} <= names
    for s in app_client.get(f"/plans/{pid}/schedules", headers=h).json():
        assert wait_for(app_client, s["id"], h)["status"] == "optimal"


def test_server_killed_mid_solve_loses_nothing(db_url: str, tmp_path: Path) -> None:
    if not HARD_SM.exists():
        pytest.skip(f"PSPLIB instance not found: {HARD_SM}")
    env = {**os.environ, "INFRAPLAN_DATABASE_URL": db_url, "INFRAPLAN_POLL_INTERVAL_S": "0.05"}
    cmd = infraplan_command()
    key = create_key(env, "planner", command=cmd)
    h = {"X-API-Key": key}

    # on exit the server and its workers die at once (SIGKILL to the process group)
    killed = running_server(
        env, command=[*cmd, "serve"], start_new_session=True, stop=partial(kill_server, group=True)
    )
    with killed as (url, _proc), httpx.Client(base_url=url, headers=h, timeout=30) as c:
        data = tiny_xlsx(tmp_path / "t.xlsx")
        pid = c.post("/plans", files={"file": ("t.xlsx", data)}).json()["id"]
        done = c.post(f"/plans/{pid}/schedules", json={"time_limit_s": 2}).json()["id"]
        while c.get(f"/schedules/{done}").json()["status"] in ("queued", "running"):
            time.sleep(0.05)
        hard = c.post("/plans", files={"file": (HARD_SM.name, HARD_SM.read_bytes())})
        sid = c.post(f"/plans/{hard.json()['id']}/schedules", json={"time_limit_s": 5}).json()["id"]
        while c.get(f"/schedules/{sid}").json()["status"] != "running":
            time.sleep(0.05)
    again = running_server(env, command=[*cmd, "serve"], start_new_session=True)
    with again as (url, _proc), httpx.Client(base_url=url, headers=h, timeout=30) as c:
        r = c.get(f"/schedules/{sid}").json()
        assert (r["status"], r["reason"]) == ("failed", "interrupted")
        kept = c.get(f"/schedules/{done}").json()
        assert kept["status"] == "optimal" and kept["document"]["makespan_days"] == 10
        assert c.get(f"/plans/{pid}/upload").content == data
