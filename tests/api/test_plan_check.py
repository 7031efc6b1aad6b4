"""``GET /plans/{plan_id}/check``: the DCMA 14-point assessment of a stored plan."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import upload_json
from tests.shared import TAKT, sample


def test_check_of_the_tiny_plan(client: TestClient, keys: dict) -> None:
    plan = upload_json(client, keys["planner"])
    r = client.get(f"/plans/{plan['id']}/check", headers=keys["ministry"])  # any reader
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["plan_id"] == plan["id"]
    assert doc["data_date"] == "2027-01-04"  # no progress: the plan start
    checks = {c["id"]: c for c in doc["checks"]}
    assert sorted(checks) == list(range(1, 15))
    # A → B → D and A → C → D: A has no predecessor, D no successor (2 of 4)
    assert (checks[1]["count"], checks[1]["total"], checks[1]["passed"]) == (2, 4, False)
    assert checks[1]["activities"] == ["A", "D"]
    # four FS links without lag
    assert [(checks[i]["count"], checks[i]["passed"]) for i in (2, 3, 4)] == [
        (0, True),
        (0, True),
        (4, True),
    ]
    # only A has the crew: B, C and D (each a day or more) have none
    assert (checks[10]["count"], checks[10]["total"], checks[10]["activities"]) == (
        3,
        4,
        ["B", "C", "D"],
    )
    assert checks[12]["passed"] is True and checks[12]["activities"] == ["A"]
    assert [checks[i]["passed"] for i in (11, 13, 14)] == [None, None, None]
    assert (doc["passed"], doc["failed"], doc["not_applicable"]) == (9, 2, 3)
    again = client.get(
        f"/plans/{plan['id']}/check",
        headers={**keys["ministry"], "If-None-Match": r.headers["etag"]},
    )
    assert again.status_code == 304


def test_check_of_an_uploaded_xer(client: TestClient, keys: dict) -> None:
    data = sample(TAKT)
    r = client.post("/plans", files={"file": (TAKT, data)}, headers=keys["planner"])
    assert r.status_code == 201, r.text
    doc = client.get(f"/plans/{r.json()['id']}/check", headers=keys["ministry"]).json()
    logic = doc["checks"][0]
    # A1010 has no predecessor and A1250 no successor, of the 25 activities not started
    assert (logic["count"], logic["total"], logic["activities"]) == (2, 25, ["A1010", "A1250"])


def test_check_of_an_unknown_plan_is_404(client: TestClient, keys: dict) -> None:
    r = client.get("/plans/999/check", headers=keys["ministry"])
    assert r.status_code == 404
    assert "plan 999" in r.json()["detail"]


def test_check_needs_a_key(client: TestClient, keys: dict) -> None:
    plan = upload_json(client, keys["planner"])
    assert client.get(f"/plans/{plan['id']}/check").status_code == 401


def test_check_against_a_stored_schedule(client: TestClient, keys: dict, solved: dict) -> None:
    assert solved["status"] == "optimal"
    url = f"/plans/{solved['plan_id']}/check?baseline_schedule_id={solved['id']}"
    r = client.get(url, headers=keys["ministry"])
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["baseline"] == f"schedule {solved['id']}"
    checks = {c["id"]: c for c in doc["checks"]}
    # its own solve as the baseline: finish 2027-01-13 = slot 10 both ways, CPLI 10 / 10
    assert (checks[13]["count"], checks[13]["total"], checks[13]["value"]) == (10, 10, 1.0)
    # nothing was due before the data date (the plan start, nothing has progressed)
    assert (checks[11]["total"], checks[11]["passed"]) == (0, None)
    assert (checks[14]["total"], checks[14]["passed"]) == (0, None)


def test_check_against_an_unknown_schedule_is_404(client: TestClient, keys: dict) -> None:
    plan = upload_json(client, keys["planner"])
    r = client.get(f"/plans/{plan['id']}/check?baseline_schedule_id=77", headers=keys["ministry"])
    assert r.status_code == 404
    assert "schedule 77" in r.json()["detail"]


def test_check_against_a_failed_schedule_is_422(client: TestClient, keys: dict) -> None:
    from api.db import ScheduleRow

    plan = upload_json(client, keys["planner"])
    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        row = ScheduleRow(plan_id=plan["id"], version=1, status="failed", reason="crashed")
        s.add(row)
        s.commit()
        sid = row.id
    r = client.get(
        f"/plans/{plan['id']}/check?baseline_schedule_id={sid}", headers=keys["ministry"]
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == (
        f"schedule {sid} is failed: a baseline is an optimal or feasible schedule"
    )
