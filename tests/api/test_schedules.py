"""Schedules: solve as jobs, versions, polling with ETags, views, cancel, failures."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests import shared
from tests.api.conftest import TINY_NAME, tiny_tables, upload_json, wait_for

SHARED = shared.SHARED
HARD_SM = SHARED / "benchmarks" / "psplib" / "j120" / "j12011_1.sm"  # ~5 s without optimum


def test_solved_document(solved: dict[str, Any]) -> None:
    assert solved["status"] == "optimal"
    assert solved["version"] == 1
    assert solved["reason"] is None
    assert solved["progress"]["objective"] == 10.0
    assert solved["progress"]["bound"] == 10.0
    doc = solved["document"]
    assert (doc["makespan_days"], doc["finish"], doc["plan_name"]) == (10, "2027-01-13", TINY_NAME)
    assert doc["critical_path"] == [["A", "B", "D"]]
    by_id = {a["id"]: a for a in doc["activities"]}
    assert (by_id["C"]["start"], by_id["C"]["finish"]) == ("2027-01-09", "2027-01-10")
    assert by_id["C"]["total_float_days"] == 1
    # C at its early start, held by nothing but logic: the solved plan leaves it 1 day too
    assert by_id["C"]["plan_float_days"] == 1
    assert by_id["A"]["plan_float_days"] == 0 and by_id["A"]["driving"]
    assert solved["started_at"] and solved["finished_at"]


def test_versions_list_and_latest(client: TestClient, keys: dict, solved: dict) -> None:
    pid = solved["plan_id"]
    r = client.post(
        f"/plans/{pid}/schedules",
        json={"seed": 7, "objective": "makespan"},
        headers=keys["planner"],
    )
    assert r.status_code == 202
    assert r.json()["version"] == 2 and r.json()["status"] == "queued"
    second = wait_for(client, r.json()["id"], keys["ministry"])
    assert second["options"]["seed"] == 7
    listed = client.get(f"/plans/{pid}/schedules", headers=keys["ministry"]).json()
    assert [(s["version"], s["status"]) for s in listed] == [(1, "optimal"), (2, "optimal")]
    assert "document" not in listed[0]
    latest = client.get(f"/plans/{pid}/schedules/latest", headers=keys["ministry"]).json()
    assert latest["id"] == second["id"] and latest["document"]["makespan_days"] == 10
    # version 1 stays fetchable
    assert (
        client.get(f"/schedules/{solved['id']}", headers=keys["ministry"]).json()["document"][
            "makespan_days"
        ]
        == 10
    )


def test_latest_solved_skips_failed_versions(client: TestClient, keys: dict, solved: dict) -> None:
    pid = solved["plan_id"]
    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        from api.db import ScheduleRow

        s.add(ScheduleRow(plan_id=pid, version=2, status="failed", reason="test", options={}))
    latest = client.get(f"/plans/{pid}/schedules/latest", headers=keys["ministry"]).json()
    assert latest["version"] == 2
    solved_latest = client.get(
        f"/plans/{pid}/schedules/latest?solved=true", headers=keys["ministry"]
    ).json()
    assert solved_latest["version"] == 1


def test_latest_without_schedule_is_404(client: TestClient, keys: dict) -> None:
    plan = upload_json(client, keys["planner"])
    r = client.get(f"/plans/{plan['id']}/schedules/latest", headers=keys["ministry"])
    assert r.status_code == 404 and "no schedule" in r.json()["detail"]


@pytest.mark.parametrize(
    "view", ["", "/gantt", "/critical-path", "/resources", "/budget", "/network"]
)
def test_etag_and_304(client: TestClient, keys: dict, solved: dict, view: str) -> None:
    url = f"/schedules/{solved['id']}{view}"
    first = client.get(url, headers=keys["ministry"])
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.status_code == 200
    again = client.get(url, headers={**keys["ministry"], "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get(url, headers={**keys["ministry"], "If-None-Match": '"other"'})
    assert other.status_code == 200 and other.headers["etag"] == etag


def test_gantt_shape(client: TestClient, keys: dict, solved: dict) -> None:
    g = client.get(f"/schedules/{solved['id']}/gantt", headers=keys["ministry"]).json()
    assert g["projects"] == ["Road SEL-DJN", "Fibre SEL-DJN"]
    d = next(t for t in g["tasks"] if t["id"] == "D")
    assert {
        k: d[k] for k in ("id", "name", "start", "end", "progress", "dependencies", "custom_class")
    } == {
        "id": "D",
        "name": "Opening",
        "start": "2027-01-12",
        "end": "2027-01-13",
        "progress": 0,
        "dependencies": "B,C",
        "custom_class": "critical",
    }
    assert d["links"] == [
        {"predecessor": "B", "type": "FS", "lag_days": 0},
        {"predecessor": "C", "type": "FS", "lag_days": 0},
    ]
    c = next(t for t in g["tasks"] if t["id"] == "C")
    assert (c["custom_class"], c["critical"], c["total_float_days"]) == ("", False, 1)
    assert c["plan_float_days"] == 1


def test_views_values(client: TestClient, keys: dict, solved: dict) -> None:
    sid, h = solved["id"], keys["ministry"]
    cp = client.get(f"/schedules/{sid}/critical-path", headers=h).json()
    assert cp["critical_path"] == [["A", "B", "D"]]
    assert [a["id"] for a in cp["activities"]] == ["A", "B", "D"]
    assert cp["finish"] == "2027-01-13"
    res = client.get(f"/schedules/{sid}/resources", headers=h).json()["resources"]
    assert res == [
        {"resource": "CREW", "month": "2027-01", "peak": 1, "average": 0.5, "capacity": 2}
    ]
    budget = client.get(f"/schedules/{sid}/budget", headers=h).json()
    assert budget["periods"][0]["spend"] == 19.0 and budget["periods"][0]["cap"] == 100.0
    assert budget["months"] == [{"month": "2027-01", "spend": 19.0, "cumulative": 19.0}]
    net = client.get(f"/schedules/{sid}/network", headers=h).json()["connections"]
    assert {(n["sector"], n["connected_from"]) for n in net} == {
        ("road", "2027-01"),
        ("telecom", "2027-01"),
    }


def test_report_has_korean_file_name(client: TestClient, keys: dict, solved: dict) -> None:
    r = client.get(f"/schedules/{solved['id']}/report.xlsx", headers=keys["ministry"])
    assert r.status_code == 200
    assert r.content[:2] == b"PK"
    cd = r.headers["content-disposition"]
    assert cd.startswith('attachment; filename="schedule-')
    assert f"filename*=UTF-8''{quote(TINY_NAME + '-v1.xlsx', safe='')}" in cd


def test_solve_options_are_checked(client: TestClient, keys: dict) -> None:
    pid = upload_json(client, keys["planner"])["id"]
    cases = [
        {"time_limit_s": 9},  # above the server maximum (5 s in tests)
        {"time_limit_s": -1},  # not positive
        {"objective": "cheapest"},  # not an objective
        {"seed": -3},  # negative seed
        {"unknown": 1},  # unknown option
    ]
    for body in cases:
        r = client.post(f"/plans/{pid}/schedules", json=body, headers=keys["planner"])
        assert r.status_code == 422, body
    assert client.get(f"/plans/{pid}/schedules", headers=keys["planner"]).json() == []
    assert client.post("/plans/999/schedules", headers=keys["planner"]).status_code == 404


def test_options_echo_null_seed_when_none_was_sent(client: TestClient, keys: dict) -> None:
    pid = upload_json(client, keys["planner"])["id"]
    r = client.post(f"/plans/{pid}/schedules", json={"time_limit_s": 2}, headers=keys["planner"])
    body = wait_for(client, r.json()["id"], keys["planner"])
    assert body["options"]["seed"] is None  # not a made-up 0
    assert body["options"]["time_limit_s"] == 2
    r = client.post(f"/plans/{pid}/schedules", json={"seed": 0}, headers=keys["planner"])
    assert wait_for(client, r.json()["id"], keys["planner"])["options"]["seed"] == 0


def test_infeasible_plan(client: TestClient, keys: dict) -> None:
    tables = tiny_tables()
    tables["Activities"][3]["due"] = "2027-01-08"  # D cannot end before A+B are done
    pid = upload_json(client, keys["planner"], tables)["id"]
    sid = client.post(f"/plans/{pid}/schedules", headers=keys["planner"]).json()["id"]
    body = wait_for(client, sid, keys["planner"])
    assert body["status"] == "infeasible"
    assert body["document"]["conflicts"]
    assert body["document"]["min_horizon_days"] == 10
    r = client.get(f"/schedules/{sid}/gantt", headers=keys["planner"])
    assert r.status_code == 409 and "infeasible" in r.json()["detail"]
    cp = client.get(f"/schedules/{sid}/critical-path", headers=keys["planner"])
    assert cp.status_code == 200 and cp.json()["critical_path"] == [["A", "B", "D"]]


def _upload_hard(client: TestClient, keys: dict) -> int:
    if not HARD_SM.exists():
        pytest.skip(f"PSPLIB instance not found: {HARD_SM}")
    r = client.post(
        "/plans", files={"file": (HARD_SM.name, HARD_SM.read_bytes())}, headers=keys["planner"]
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _wait_running(client: TestClient, sid: int, h: dict) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        body = client.get(f"/schedules/{sid}", headers=h).json()
        pid = _worker_pid(client, sid)
        if body["status"] == "running" and pid:
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.02)


def _worker_pid(client: TestClient, sid: int) -> int | None:
    from api.db import ScheduleRow

    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        return s.get(ScheduleRow, sid).worker_pid  # type: ignore[union-attr]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_cancel_running_and_queued(client: TestClient, keys: dict) -> None:
    pid = _upload_hard(client, keys)
    h = keys["planner"]
    first = client.post(f"/plans/{pid}/schedules", json={"time_limit_s": 5}, headers=h).json()
    queued = client.post(f"/plans/{pid}/schedules", json={"time_limit_s": 5}, headers=h).json()
    _wait_running(client, first["id"], h)
    worker = _worker_pid(client, first["id"])
    assert worker and _alive(worker)
    # a long solve does not block other requests
    assert client.get("/health").json()["running"] == 1
    # max_jobs = 1: the second waits
    assert client.get(f"/schedules/{queued['id']}", headers=h).json()["status"] == "queued"
    r = client.delete(f"/schedules/{queued['id']}", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = client.delete(f"/schedules/{first['id']}", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["reason"] == "cancelled by request"
    assert not _alive(worker)
    # ended: cancelling again is a conflict, views say why
    r = client.delete(f"/schedules/{first['id']}", headers=h)
    assert r.status_code == 409 and "cancelled" in r.json()["detail"]
    r = client.get(f"/schedules/{first['id']}/gantt", headers=h)
    assert r.status_code == 409 and r.headers["x-schedule-status"] == "cancelled"
    time.sleep(0.3)  # the dispatcher never overwrites a cancelled row
    assert client.get(f"/schedules/{first['id']}", headers=h).json()["status"] == "cancelled"


def test_views_while_running_are_409(client: TestClient, keys: dict) -> None:
    pid = _upload_hard(client, keys)
    h = keys["planner"]
    sid = client.post(f"/plans/{pid}/schedules", json={"time_limit_s": 5}, headers=h).json()["id"]
    _wait_running(client, sid, h)
    for view in ("gantt", "critical-path", "resources", "budget", "network", "report.xlsx"):
        r = client.get(f"/schedules/{sid}/{view}", headers=h)
        assert r.status_code == 409, view
        assert "running" in r.json()["detail"]
    body = client.get(f"/schedules/{sid}", headers=h).json()
    assert body["document"] is None
    client.delete(f"/schedules/{sid}", headers=h)


def test_killed_worker_marks_the_schedule_failed(client: TestClient, keys: dict) -> None:
    pid = _upload_hard(client, keys)
    h = keys["planner"]
    sid = client.post(f"/plans/{pid}/schedules", json={"time_limit_s": 5}, headers=h).json()["id"]
    _wait_running(client, sid, h)
    worker = _worker_pid(client, sid)
    assert worker
    os.kill(worker, signal.SIGKILL)
    body = wait_for(client, sid, h, timeout=20)
    assert body["status"] == "failed"
    assert body["reason"] == "worker process exited with code -9"


def test_unknown_schedule_is_404(client: TestClient, keys: dict) -> None:
    for suffix in (
        "",
        "/gantt",
        "/gantt.html",
        "/critical-path",
        "/resources",
        "/budget",
        "/network",
        "/report.xlsx",
    ):
        r = client.get(f"/schedules/12345{suffix}", headers=keys["ministry"])
        assert r.status_code == 404, suffix
        assert r.json()["detail"] == "schedule 12345 does not exist"
    assert client.delete("/schedules/12345", headers=keys["planner"]).status_code == 404
