"""Storage faults (issue 14 items 6 and 8): a long database lock, a full database or disk.

A write that meets a lock held past the busy timeout answers 503 with Retry-After; a
running solve neither dies of a failed progress write nor loses its result, which is
stored once the lock clears; a full database or disk answers 507 with a sentence, and
``/health`` says which folder cannot be written.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from api.config import Settings
from api.db import Database, ScheduleRow
from api.jobs import STORE_FAILED_EXIT, JobManager, JobSpec, run_job
from api.main import create_app
from api.results import StoreError, progress_writer, store_outcome
from api.storage import classify, storage_folders
from tests import shared
from tests.api.conftest import add_key, make_settings, tiny_tables, tiny_xlsx, upload_json

SAMPLE = shared.REPO / "data" / "national_plan.xlsx"
#: Busy timeout of these tests, seconds: a lock held longer fails the write.
BUSY_S = 0.3
BUSY_DETAIL = (
    f"the database is busy: another writer held its lock for more than {BUSY_S:g} s, "
    "so nothing was changed; try again in 5 s"
)
FULL_DETAIL = (
    "the server's storage is full, so nothing was stored; "
    "try again once its operator has freed space"
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "faults.db"


@pytest.fixture
def fault_settings(db_path: Path) -> Settings:
    return make_settings(
        f"sqlite:///{db_path}", database_busy_timeout_s=BUSY_S, max_upload_bytes=3_000_000
    )


@pytest.fixture
def client(fault_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(fault_settings)) as c:
        yield c


@pytest.fixture
def planner(client: TestClient) -> dict[str, str]:
    return {"X-API-Key": add_key(client, "planner")}


class Lock:
    """Another writer on the SQLite file: ``hold()`` takes its lock, ``release()`` ends it."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def hold(self) -> None:
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")


@pytest.fixture
def lock(client: TestClient, db_path: Path) -> Iterator[Lock]:
    held = Lock(db_path)
    yield held
    if held.conn.in_transaction:
        held.release()
    held.conn.close()


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.02)
    return value


def _running_row(db: Database, plan_id: int, time_limit_s: float = 5) -> int:
    """A schedule row already ``running`` (as the dispatcher leaves it for a worker)."""
    with db.session() as s:
        row = ScheduleRow(
            plan_id=plan_id,
            version=1,
            status="running",
            options={"time_limit_s": time_limit_s, "workers": 1, "seed": 1, "deterministic": True},
        )
        s.add(row)
        s.flush()
        return row.id


# -- item 6: a lock held longer than the busy timeout -----------------------------------------
def test_writes_during_a_long_lock_answer_503_with_retry_after(
    client: TestClient, planner: dict[str, str], lock: Lock
) -> None:
    plan = upload_json(client, planner)
    lock.hold()
    started = time.monotonic()
    r = client.post("/plans", json={"tables": tiny_tables()}, headers=planner)
    assert (r.status_code, r.headers.get("Retry-After")) == (503, "5")
    assert r.json() == {"detail": BUSY_DETAIL}
    assert time.monotonic() - started < 10  # the configured timeout, not 30 s
    r = client.post(f"/plans/{plan['id']}/schedules", json={}, headers=planner)
    assert (r.status_code, r.headers.get("Retry-After")) == (503, "5")
    assert r.json() == {"detail": BUSY_DETAIL}
    # reads go on while the lock is held (WAL), and nothing half-written shows
    listed = client.get("/plans", headers=planner)
    assert listed.status_code == 200 and [p["id"] for p in listed.json()] == [plan["id"]]
    assert client.get(f"/plans/{plan['id']}/schedules", headers=planner).json() == []
    lock.release()
    assert client.post("/plans", json={"tables": tiny_tables()}, headers=planner).status_code == 201


def test_a_solve_outlives_a_long_lock_and_stores_its_result(
    client: TestClient,
    planner: dict[str, str],
    lock: Lock,
    fault_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="api")
    db: Database = client.app.state.db  # type: ignore[attr-defined]
    # the sample plan (231 activities) reports several improving solutions in 2 s
    upload = client.post(
        "/plans", files={"file": ("national_plan.xlsx", SAMPLE.read_bytes())}, headers=planner
    )
    assert upload.status_code == 201, upload.text
    sid = _running_row(db, upload.json()["id"], time_limit_s=2)
    spec = JobSpec(
        sid,
        fault_settings.database_url,
        progress_interval_s=0.0,  # every improving solution tries a progress write
        busy_timeout_s=BUSY_S,
        store_retry_s=120.0,
    )
    lock.hold()  # before the solve starts: every progress write meets the lock
    worker = threading.Thread(target=run_job, args=(spec,), daemon=True)
    worker.start()

    def logged(fragment: str) -> bool:
        return any(fragment in r.getMessage() for r in caplog.records)

    wait_until(lambda: logged(f"progress of schedule {sid} not written"), "a failed progress write")
    wait_until(lambda: logged(f"schedule {sid}: outcome not stored yet (database busy"), "a retry")
    assert worker.is_alive()  # the solve has ended, its result waits in the worker
    with db.session() as s:
        assert s.get(ScheduleRow, sid).status == "running"  # type: ignore[union-attr]
    lock.release()
    worker.join(timeout=60)
    assert not worker.is_alive()
    with db.session() as s:
        row = s.get(ScheduleRow, sid)
        assert row is not None
        assert row.status in ("optimal", "feasible") and row.reason is None
        assert row.document is not None and len(row.document["activities"]) == 231
        assert row.progress_objective == row.document["objective"] > 0
        assert row.report is not None and row.report[:2] == b"PK"


def test_an_outcome_that_cannot_be_stored_in_time_fails_the_worker_with_a_reason(
    client: TestClient, planner: dict[str, str], lock: Lock, fault_settings: Settings
) -> None:
    db: Database = client.app.state.db  # type: ignore[attr-defined]
    sid = _running_row(db, upload_json(client, planner)["id"])
    lock.hold()
    with pytest.raises(StoreError, match=r"the optimal outcome was not stored: the database "):
        store_outcome(db, sid, status="optimal", reason=None, retry_s=0.5)
    spec = JobSpec(sid, fault_settings.database_url, busy_timeout_s=BUSY_S, store_retry_s=0.5)
    with pytest.raises(SystemExit) as exited:
        run_job(spec)
    assert exited.value.code == STORE_FAILED_EXIT


class _DeadWorker:
    """A worker process that has ended with ``exitcode``."""

    def __init__(self, exitcode: int) -> None:
        self.exitcode = exitcode

    def is_alive(self) -> bool:
        return False

    def join(self, timeout: float | None = None) -> None:
        return None


def test_a_dead_worker_is_marked_once_the_lock_clears(
    client: TestClient, planner: dict[str, str], lock: Lock
) -> None:
    db: Database = client.app.state.db  # type: ignore[attr-defined]
    sid = _running_row(db, upload_json(client, planner)["id"])
    jobs = JobManager(db)  # not started: rounds are run by hand
    jobs._procs[sid] = _DeadWorker(STORE_FAILED_EXIT)  # type: ignore[assignment]
    lock.hold()
    jobs._reap()  # cannot write: the row is kept for a later round
    assert sid in jobs._procs
    lock.release()
    jobs._reap()
    assert sid not in jobs._procs
    with db.session() as s:
        row = s.get(ScheduleRow, sid)
        assert row is not None and row.status == "failed"
        assert row.reason == (
            "the result could not be stored: the database stayed locked, full or unreachable"
        )


def test_a_failing_progress_write_is_logged_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gone = Database(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}", pooled=False)
    progress = progress_writer(gone, 7, interval_s=0.0)

    class P:
        objective, bound, elapsed_s = 12.0, 10.0, 0.5

    progress(P())  # no exception: the solve would go on
    progress(P())
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # said once per streak, not at every report
    assert (
        "progress of schedule 7 not written: (sqlite3.OperationalError)" in warnings[0].getMessage()
    )
    gone.dispose()


class _Driver(Exception):
    def __init__(self, sqlstate: str | None = None, sqlite_errorcode: int | None = None) -> None:
        super().__init__("driver error")
        if sqlstate is not None:
            self.sqlstate = sqlstate
        if sqlite_errorcode is not None:
            self.sqlite_errorcode = sqlite_errorcode


@pytest.mark.parametrize(
    ("orig", "fault"),
    [
        (_Driver(sqlite_errorcode=5), "busy"),  # SQLITE_BUSY
        (_Driver(sqlite_errorcode=517), "busy"),  # SQLITE_BUSY_SNAPSHOT
        (_Driver(sqlite_errorcode=6), "busy"),  # SQLITE_LOCKED
        (_Driver(sqlite_errorcode=13), "full"),  # SQLITE_FULL
        (_Driver(sqlite_errorcode=14), "unavailable"),  # SQLITE_CANTOPEN
        (_Driver(sqlite_errorcode=1), None),  # SQLITE_ERROR: a bug, not the storage
        (_Driver(sqlstate="55P03"), "busy"),  # PostgreSQL lock_not_available
        (_Driver(sqlstate="53100"), "full"),  # PostgreSQL disk_full
        (_Driver(sqlstate="08006"), "unavailable"),  # connection failure
        (_Driver(), "unavailable"),  # no answer from the server at all
        (_Driver(sqlstate="42P01"), None),  # undefined table: a bug
    ],
)
def test_storage_faults_are_told_apart(orig: Exception, fault: str | None) -> None:
    assert classify(OperationalError("UPDATE schedules ...", {}, orig)) == fault


# -- item 8: a full database or disk ---------------------------------------------------------
def test_upload_to_a_full_database_answers_507(
    client: TestClient, planner: dict[str, str], tmp_path: Path
) -> None:
    plan = upload_json(client, planner)
    db: Database = client.app.state.db  # type: ignore[attr-defined]

    @event.listens_for(db.engine, "connect")
    def no_room(dbapi_conn: Any, _record: Any) -> None:  # the file may not grow any more
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    db.engine.dispose()
    data = tiny_xlsx(tmp_path / "tiny.xlsx")
    r = client.post("/plans", files={"file": ("tiny.xlsx", data)}, headers=planner)
    assert (r.status_code, r.json()) == (507, {"detail": FULL_DETAIL})
    r = client.post("/plans", json={"tables": tiny_tables()}, headers=planner)
    assert (r.status_code, r.json()) == (507, {"detail": FULL_DETAIL})
    assert [p["id"] for p in client.get("/plans", headers=planner).json()] == [plan["id"]]


def test_upload_spooled_to_a_full_disk_answers_507(
    client: TestClient, planner: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(self: Any) -> None:  # a part above 1 MB moves from memory to a file
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", disk_full)
    big = b"PK\x03\x04" + b"\0" * 1_500_000
    r = client.post("/plans", files={"file": ("big.xlsx", big)}, headers=planner)
    assert (r.status_code, r.json()) == (507, {"detail": FULL_DETAIL})


def test_health_says_which_folder_cannot_be_written(
    client: TestClient, fault_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/health").json()["storage"] == "ok"
    real_write = os.write

    def write(fd: int, data: bytes) -> int:  # the probe's files meet a full disk
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".infraplan-probe-"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    body = client.get("/health").json()
    monkeypatch.undo()
    folders = storage_folders(fault_settings.database_url)
    assert len(folders) == 2  # the database file's folder and the temporary folder
    assert (body["status"], body["database"]) == ("degraded", "ok")
    assert body["storage"] == "; ".join(
        f"cannot write to {f}: No space left on device" for f in folders
    )
    assert not [p for f in folders for p in f.glob(".infraplan-probe-*")]  # nothing left behind


def test_postgres_writes_during_a_long_lock_answer_503_with_retry_after() -> None:
    from sqlalchemy import text

    from tests.api.test_storage import _postgres_url

    url = _postgres_url()
    with TestClient(create_app(make_settings(url, database_busy_timeout_s=BUSY_S))) as client:
        planner = {"X-API-Key": add_key(client, "planner")}
        plan = upload_json(client, planner)
        other = Database(url, pooled=False)
        with other.engine.connect() as conn:
            conn.execute(text("LOCK TABLE plans, schedules IN EXCLUSIVE MODE"))  # reads go on
            r = client.post("/plans", json={"tables": tiny_tables()}, headers=planner)
            assert (r.status_code, r.headers.get("Retry-After")) == (503, "5")
            assert r.json() == {"detail": BUSY_DETAIL}
            r = client.post(f"/plans/{plan['id']}/schedules", json={}, headers=planner)
            assert (r.status_code, r.json()) == (503, {"detail": BUSY_DETAIL})
            assert client.get(f"/plans/{plan['id']}", headers=planner).status_code == 200
            conn.rollback()
        other.dispose()
        r = client.post("/plans", json={"tables": tiny_tables()}, headers=planner)
        assert r.status_code == 201
