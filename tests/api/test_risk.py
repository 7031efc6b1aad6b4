"""Risk jobs through the API: queue on a solved schedule, poll, read the document, report.

The hand-computable case: one 25-day activity and a risk event of probability 0.3
that adds exactly 10 days to it. The makespan is 25 days with probability 0.7 and
35 days with probability 0.3, so P50 = 25, P80 = P90 = 35 (a P-value is the
smallest value that at least p % of iterations reach) and the mean 28; with a
one-month horizon (31 days from 2027-01-04) the probability of finishing within it
is 0.7.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.db import RiskRow, ScheduleRow
from api.deps import issue_key
from api.main import create_app
from tests.api.conftest import make_settings, tiny_tables, tiny_xlsx, upload_json, wait_for


def risky_tables() -> dict[str, list[dict[str, Any]]]:
    """One 25-day activity W; risk R (p = 0.3) adds exactly 10 days to W; 1-month horizon."""
    return {
        "Settings": [
            {"key": "plan_name", "value": "Risky one"},
            {"key": "plan_start", "value": "2027-01-04"},
            {"key": "horizon_months", "value": 1},
            {"key": "calendar", "value": "calendar"},
            {"key": "risk_iterations", "value": 4000},
        ],
        "Regions": [{"id": "SEL", "name": "Seoul"}],
        "Activities": [
            {
                "id": "W",
                "name": "Works",
                "project": "P",
                "sector": "road",
                "region_from": "SEL",
                "region_to": "SEL",
                "duration": 25,
                "cost": 1,
                "optimistic": 25,
                "most_likely": 25,
                "pessimistic": 25,
            }
        ],
        "Risks": [
            {
                "id": "R",
                "name": "Ground water",
                "probability": 0.3,
                "activities": "W",
                "impact_min": 10,
                "impact_likely": 10,
                "impact_max": 10,
            }
        ],
    }


def wait_risk(
    client: TestClient, risk_id: int, headers: dict[str, str], timeout: float = 900.0
) -> dict[str, Any]:
    """Poll GET /risk/{id} until the job ends; return the last answer.

    A condition wait: the deadline only stops a hang (the first job of a fresh machine
    compiles the simulation kernel, which takes a minute or more when the machine is busy).
    """
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/risk/{risk_id}", headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        if body["status"] not in ("queued", "running"):
            return body
        assert time.monotonic() < deadline, f"risk job {risk_id} still {body['status']}"
        time.sleep(0.05)


def solve(client: TestClient, headers: dict[str, str], plan_id: int) -> dict[str, Any]:
    r = client.post(f"/plans/{plan_id}/schedules", json={"time_limit_s": 2}, headers=headers)
    assert r.status_code == 202, r.text
    return wait_for(client, r.json()["id"], headers)


@pytest.fixture
def risky(client: TestClient, keys: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The risky plan uploaded as JSON tables and solved."""
    plan = upload_json(client, keys["planner"], risky_tables())
    body = solve(client, keys["planner"], plan["id"])
    assert body["status"] == "optimal"
    assert body["document"]["makespan_days"] == 25
    return body


def test_risk_job_gives_the_hand_computed_percentiles(
    client: TestClient, keys: dict[str, dict[str, str]], risky: dict[str, Any]
) -> None:
    r = client.post(
        f"/schedules/{risky['id']}/risk",
        json={"iterations": 4000, "seed": 7, "mode": "leveled"},
        headers=keys["planner"],
    )
    assert r.status_code == 202, r.text
    created = r.json()
    assert created["status"] == "queued" and created["schedule_id"] == risky["id"]
    body = wait_risk(client, created["id"], keys["ministry"])  # readers may poll
    assert body["status"] == "done", body
    assert body["reason"] is None
    doc = body["risk"]
    assert doc["mode"] == "leveled" and doc["seed"] == 7
    assert 2000 <= doc["iterations"] <= 4000
    assert body["progress"]["iterations"] == doc["iterations"]
    assert body["progress"]["total"] == 4000
    assert body["progress"]["p80"] == 35
    assert doc["deterministic"] == {"makespan_days": 25, "finish": "2027-01-28"}
    ms = doc["makespan_days"]
    assert (ms["min"], ms["p10"], ms["p50"], ms["p80"], ms["p90"], ms["max"]) == (
        25,
        25,
        25,
        35,
        35,
        35,
    )
    assert abs(ms["mean"] - 28) < 0.25  # 25 + 0.3 × 10
    assert doc["finish"]["p50"] == "2027-01-28" and doc["finish"]["p80"] == "2027-02-07"
    assert doc["horizon_days"] == 31
    assert abs(doc["probability_within_horizon"] - 0.7) < 0.03
    (risk,) = doc["risks"]
    assert risk["id"] == "R" and abs(risk["occurred"] - 0.3) < 0.03
    assert risk["p80_effect_days"] == 10
    (act,) = doc["activities"]
    assert act["id"] == "W" and act["criticality"] == 1.0
    assert doc["histogram"]
    # the report carries the Risk sheet with the same P80
    rep = client.get(f"/risk/{created['id']}/report", headers=keys["ministry"])
    assert rep.status_code == 200
    assert "risk" in rep.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(rep.content))
    assert "Risk" in wb.sheetnames
    # the schedule lists its risk jobs, the newest done one with its document
    listed = client.get(f"/schedules/{risky['id']}/risk", headers=keys["ministry"]).json()
    assert [j["id"] for j in listed] == [created["id"]]
    assert listed[0]["risk"]["makespan_days"]["p80"] == 35


def test_same_seed_same_numbers_logic_mode(
    client: TestClient, keys: dict[str, dict[str, str]], risky: dict[str, Any]
) -> None:
    docs = []
    for _ in range(2):
        r = client.post(
            f"/schedules/{risky['id']}/risk",
            json={"iterations": 500, "seed": 3, "mode": "logic"},
            headers=keys["planner"],
        )
        assert r.status_code == 202, r.text
        body = wait_risk(client, r.json()["id"], keys["planner"])
        assert body["status"] == "done", body
        docs.append(body["risk"])
    assert docs[0]["iterations"] == 500 and docs[0]["mode"] == "logic"
    assert docs[0]["makespan_days"] == docs[1]["makespan_days"]
    assert docs[0]["risks"] == docs[1]["risks"]


def test_a_workbook_upload_keeps_its_estimates_and_risks(
    client: TestClient, keys: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    data = tiny_xlsx(tmp_path / "risky.xlsx", risky_tables())
    r = client.post(
        "/plans",
        files={"file": ("risky.xlsx", data, "application/octet-stream")},
        headers=keys["planner"],
    )
    assert r.status_code == 201, r.text
    body = solve(client, keys["planner"], r.json()["id"])
    assert body["status"] == "optimal"
    # no body: the plan's own risk_iterations (4000) and seed 0
    r = client.post(f"/schedules/{body['id']}/risk", headers=keys["planner"])
    assert r.status_code == 202, r.text
    done = wait_risk(client, r.json()["id"], keys["planner"])
    assert done["status"] == "done", done
    assert done["progress"]["total"] == 4000
    assert done["risk"]["makespan_days"]["p50"] == 25
    assert done["risk"]["makespan_days"]["p80"] == 35
    assert [x["id"] for x in done["risk"]["risks"]] == ["R"]


def test_a_plan_without_estimates_simulates_the_deterministic_plan(
    client: TestClient, keys: dict[str, dict[str, str]], solved: dict[str, Any]
) -> None:
    r = client.post(
        f"/schedules/{solved['id']}/risk", json={"iterations": 100}, headers=keys["planner"]
    )
    done = wait_risk(client, r.json()["id"], keys["planner"])
    assert done["status"] == "done"
    assert "no three-point estimates or risks" in done["reason"]
    ms = done["risk"]["makespan_days"]
    assert ms["min"] == ms["max"] == 10
    assert done["risk"]["probability_within_horizon"] == 1.0


# -- errors ---------------------------------------------------------------------------------
def test_unknown_schedule_and_risk_job_are_404(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    r = client.post("/schedules/999/risk", headers=keys["planner"])
    assert r.status_code == 404
    assert r.json()["detail"] == "schedule 999 does not exist"
    r = client.get("/risk/999", headers=keys["planner"])
    assert r.status_code == 404 and r.json()["detail"] == "risk job 999 does not exist"
    r = client.get("/risk/999/report", headers=keys["planner"])
    assert r.status_code == 404 and r.json()["detail"] == "risk job 999 does not exist"
    r = client.get("/schedules/999/risk", headers=keys["planner"])
    assert r.status_code == 404 and r.json()["detail"] == "schedule 999 does not exist"


def test_an_infeasible_schedule_cannot_be_simulated(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    tables = tiny_tables()
    tables["Activities"][3]["due"] = "2027-01-08"  # D cannot end before A+B are done
    pid = upload_json(client, keys["planner"], tables)["id"]
    body = solve(client, keys["planner"], pid)
    assert body["status"] == "infeasible"
    r = client.post(f"/schedules/{body['id']}/risk", headers=keys["planner"])
    assert r.status_code == 409
    assert r.json()["detail"] == (
        f"schedule {body['id']} cannot be simulated: it is infeasible, so there is no plan "
        "to simulate"
    )
    assert r.headers["x-schedule-status"] == "infeasible"


def _schedule_row(client: TestClient, plan_id: int, status: str) -> int:
    """A schedule row of ``status`` stored directly (no solve; a document when solved)."""
    document = {"activities": []} if status == "optimal" else None
    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        row = ScheduleRow(plan_id=plan_id, version=99, status=status, options={}, document=document)
        s.add(row)
        s.flush()
        return int(row.id)


@pytest.mark.parametrize(
    ("status", "why"),
    [
        ("running", "its solve is still running; poll GET /schedules/{id} and try again"),
        ("unknown", "it is unknown, so there is no plan to simulate"),
        ("failed", "it is failed, so there is no plan to simulate"),
    ],
)
def test_a_schedule_without_a_plan_is_409(
    client: TestClient, keys: dict[str, dict[str, str]], status: str, why: str
) -> None:
    pid = upload_json(client, keys["planner"], risky_tables())["id"]
    sid = _schedule_row(client, pid, status)
    r = client.post(f"/schedules/{sid}/risk", headers=keys["planner"])
    assert r.status_code == 409
    assert r.json()["detail"] == f"schedule {sid} cannot be simulated: " + why.format(id=sid)


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        ({"iterations": 0}, ["body", "iterations"], "Input should be greater than or equal to 1"),
        (
            {"iterations": 2_000_000},
            ["body", "iterations"],
            "Input should be less than or equal to 1000000",
        ),
        ({"seed": -1}, ["body", "seed"], "Input should be greater than or equal to 0"),
        ({"mode": "monte"}, ["body", "mode"], "Input should be 'leveled' or 'logic'"),
        ({"workers": 4}, ["body", "workers"], "Extra inputs are not permitted"),
        ({"time_limit_s": 0}, ["body", "time_limit_s"], "Input should be greater than 0"),
        (
            {"time_limit_s": 6},
            ["body", "time_limit_s"],
            "Input should be less than or equal to 5",
        ),
    ],
)
def test_bad_options_are_422(
    client: TestClient,
    keys: dict[str, dict[str, str]],
    body: dict[str, Any],
    loc: list[str],
    msg: str,
) -> None:
    pid = upload_json(client, keys["planner"], risky_tables())["id"]
    sid = _schedule_row(client, pid, "optimal")
    r = client.post(f"/schedules/{sid}/risk", json=body, headers=keys["planner"])
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["detail"] == f"the request is not valid: {loc[-1]}: {msg}"
    (err,) = body["errors"]
    assert err["loc"] == loc and err["msg"] == msg
    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        assert s.query(RiskRow).count() == 0  # nothing queued


def test_readers_may_not_queue_and_keys_are_needed(
    client: TestClient, keys: dict[str, dict[str, str]], solved: dict[str, Any]
) -> None:
    r = client.post(f"/schedules/{solved['id']}/risk", headers=keys["ministry"])
    assert r.status_code == 403
    assert client.get("/risk/1").status_code == 401


def test_report_of_a_job_not_done_is_409(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    pid = upload_json(client, keys["planner"], risky_tables())["id"]
    sid = _schedule_row(client, pid, "optimal")
    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        row = RiskRow(schedule_id=sid, status="failed", reason="ValueError: boom", options={})
        s.add(row)
        s.flush()
        rid = int(row.id)
    r = client.get(f"/risk/{rid}/report", headers=keys["planner"])
    assert r.status_code == 409
    assert r.json()["detail"] == f"risk job {rid} is failed: ValueError: boom"
    body = client.get(f"/risk/{rid}", headers=keys["planner"]).json()
    assert body["status"] == "failed" and body["risk"] is None and body["has_report"] is False


# -- Ray --------------------------------------------------------------------------------------
RAY_ADDRESS = os.environ.get("INFRAPLAN_RAY_ADDRESS")


def _run_on(settings_url: str, ray_address: str) -> dict[str, Any]:
    """Solve the risky plan and run one risk job on a server set to ``ray_address``."""
    with TestClient(create_app(make_settings(settings_url, ray_address=ray_address))) as c:
        with c.app.state.db.session() as s:  # type: ignore[attr-defined]
            h = {"X-API-Key": issue_key(s, "planner")[1]}
        plan = upload_json(c, h, risky_tables())
        body = solve(c, h, plan["id"])
        r = c.post(f"/schedules/{body['id']}/risk", json={"iterations": 1000, "seed": 4}, headers=h)
        assert r.status_code == 202, r.text
        return wait_risk(c, r.json()["id"], h)


def test_the_server_sends_risk_jobs_to_its_ray_address(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    done = _run_on(f"sqlite:///{tmp_path / 'ray.db'}", "127.0.0.1:1")
    assert done["status"] == "failed"
    assert done["reason"].startswith("cannot reach the Ray cluster at 127.0.0.1:1")


@pytest.mark.skipif(not RAY_ADDRESS, reason="no Ray cluster: INFRAPLAN_RAY_ADDRESS is not set")
def test_a_risk_job_on_the_ray_cluster_gives_the_local_numbers(
    client: TestClient, keys: dict[str, dict[str, str]], risky: dict[str, Any], tmp_path: Path
) -> None:
    assert RAY_ADDRESS is not None
    remote = _run_on(f"sqlite:///{tmp_path / 'ray.db'}", RAY_ADDRESS)
    r = client.post(
        f"/schedules/{risky['id']}/risk",
        json={"iterations": 1000, "seed": 4},
        headers=keys["planner"],
    )
    local = wait_risk(client, r.json()["id"], keys["planner"])
    assert remote["status"] == local["status"] == "done", (remote, local)
    assert remote["risk"]["makespan_days"] == local["risk"]["makespan_days"]
    assert remote["risk"]["makespan_days"]["p80"] == 35


# -- cancel -----------------------------------------------------------------------------------
def test_a_running_risk_job_is_cancelled(
    client: TestClient, keys: dict[str, dict[str, str]], risky: dict[str, Any]
) -> None:
    """A million iterations without the early stop: cancelled once it is simulating."""
    h = keys["planner"]
    r = client.post(
        f"/schedules/{risky['id']}/risk",
        json={"iterations": 1_000_000, "all_iterations": True},
        headers=h,
    )
    assert r.status_code == 202, r.text
    rid = r.json()["id"]
    deadline = time.monotonic() + 900  # a condition wait: the deadline only stops a hang
    while True:  # until the worker has written progress: it is simulating
        body = client.get(f"/risk/{rid}", headers=h).json()
        if body["status"] == "running" and body["progress"]["iterations"]:
            break
        assert body["status"] in ("queued", "running"), body
        assert time.monotonic() < deadline, f"risk job {rid} never started simulating"
        time.sleep(0.05)
    assert body["options"]["all_iterations"] is True
    assert client.delete(f"/risk/{rid}", headers=keys["ministry"]).status_code == 403
    r = client.delete(f"/risk/{rid}", headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["reason"]) == ("cancelled", "cancelled by request")
    jobs = client.app.state.jobs  # type: ignore[attr-defined]
    assert ("risk", rid) not in jobs._procs  # the worker process was terminated and reaped
    again = client.delete(f"/risk/{rid}", headers=h)
    assert again.status_code == 409
    assert again.json()["detail"] == f"risk job {rid} has already ended (cancelled)"
    body = client.get(f"/risk/{rid}", headers=h).json()
    assert body["status"] == "cancelled" and body["risk"] is None
    assert client.delete("/risk/999999", headers=h).status_code == 404
