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
