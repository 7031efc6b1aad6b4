"""Re-planning against a stored schedule over HTTP: ``baseline_schedule_id`` on a solve and
``GET /schedules/{id}/compare/{other_id}`` (issue 10 item 3).

The tiny plan of :func:`tests.api.conftest.tiny_tables` (from 2027-01-04): A (5) → B (3)
→ D (2), A → C (2) → D. Version 1 (the ``solved`` fixture): A 0, B 5, C 5, D 8, finish
slot 10 (2027-01-13). The slipped plan has B take 5 days: B 5..10, D 10..12 (2 days
late), C stays at 5 (it could start 5..8), finish 2027-01-15.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import tiny_tables, upload_json, wait_for


def slipped_tables(b_days: int = 5) -> dict[str, Any]:
    tables = copy.deepcopy(tiny_tables())
    next(a for a in tables["Activities"] if a["id"] == "B")["duration"] = b_days
    return tables


def solve(client: TestClient, keys: dict, plan_id: int, **body: Any) -> Any:
    return client.post(f"/plans/{plan_id}/schedules", json=body, headers=keys["planner"])


def test_replan_against_a_stored_schedule(client: TestClient, keys: dict, solved: dict) -> None:
    plan = upload_json(client, keys["planner"], slipped_tables())
    r = solve(client, keys, plan["id"], baseline_schedule_id=solved["id"], time_limit_s=2)
    assert r.status_code == 202, r.text
    body = wait_for(client, r.json()["id"], keys["ministry"])
    assert body["status"] == "optimal", body
    assert body["options"]["baseline_schedule_id"] == solved["id"]
    doc = body["document"]
    assert doc["objectives"] == ["makespan", "stability"]
    assert (doc["baseline"], doc["baseline_finish"], doc["finish"]) == (
        f"schedule {solved['id']}",
        "2027-01-13",
        "2027-01-15",
    )
    assert doc["finish_variance_days"] == 2
    rows = {a["id"]: a for a in doc["activities"]}
    assert {k: (r["start_variance_days"], r["finish_variance_days"]) for k, r in rows.items()} == {
        "A": (0, 0),
        "B": (0, 2),
        "C": (0, 0),
        "D": (2, 2),
    }

    cmp = client.get(f"/schedules/{body['id']}/compare/{solved['id']}", headers=keys["ministry"])
    assert cmp.status_code == 200, cmp.text
    c = cmp.json()
    assert (c["schedule_id"], c["baseline_schedule_id"]) == (body["id"], solved["id"])
    assert (c["finish"], c["baseline_finish"], c["finish_variance_days"]) == (
        "2027-01-15",
        "2027-01-13",
        2,
    )
    assert (c["variance_unit"], c["moved_activities"]) == ("days", 1)
    assert c["slipped"] == [
        {
            "id": "D",
            "name": "Opening",
            "start_variance_days": 2,
            "finish_variance_days": 2,
            "driven_by": {"kind": "logic", "predecessor": "B", "detail": "FS lag 0"},
            "duration_change": None,
        },
        {
            "id": "B",
            "name": "Paving",
            "start_variance_days": 0,
            "finish_variance_days": 2,
            "driven_by": {
                "kind": "duration",
                "predecessor": "",
                "detail": "takes 5 days, the baseline 3",
            },
            "duration_change": None,
        },
    ]
    # the other way round: version 1 against the slipped plan is 2 days early
    back = client.get(f"/schedules/{solved['id']}/compare/{body['id']}", headers=keys["ministry"])
    assert back.json()["finish_variance_days"] == -2 and back.json()["slipped"] == []


def test_missing_baseline_is_404(client: TestClient, keys: dict, solved: dict) -> None:
    r = solve(client, keys, solved["plan_id"], baseline_schedule_id=9999)
    assert r.status_code == 404
    assert r.json()["detail"] == "baseline schedule 9999 does not exist"
    r = client.get(f"/schedules/{solved['id']}/compare/9999", headers=keys["ministry"])
    assert r.status_code == 404


def test_baseline_without_a_plan_is_422(client: TestClient, keys: dict, solved: dict) -> None:
    from api.db import ScheduleRow

    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        row = ScheduleRow(
            plan_id=solved["plan_id"], version=9, status="failed", reason="test", options={}
        )
        s.add(row)
        s.flush()
        failed_id = row.id
    r = solve(client, keys, solved["plan_id"], baseline_schedule_id=failed_id)
    assert r.status_code == 422
    assert r.json()["detail"] == (
        f"baseline schedule {failed_id} is failed: only an optimal or feasible schedule has "
        "a plan to keep to"
    )


def test_another_plans_schedule_is_a_placed_422(
    client: TestClient, keys: dict, solved: dict
) -> None:
    tables = tiny_tables()
    rename = {"A": "X1", "B": "X2", "C": "X3", "D": "X4"}
    for a in tables["Activities"]:
        a["id"] = rename[a["id"]]
    for d in tables["Dependencies"]:
        d["predecessor"], d["successor"] = rename[d["predecessor"]], rename[d["successor"]]
    for d in tables["Demands"]:
        d["activity"] = rename[d["activity"]]
    other = upload_json(client, keys["planner"], tables)
    r = solve(client, keys, other["id"], baseline_schedule_id=solved["id"])
    assert r.status_code == 422
    (issue,) = r.json()["issues"]
    assert issue["sheet"] == f"schedule {solved['id']}"
    assert issue["message"].startswith(
        f"schedule {solved['id']}: has no activity id in common with plan "
    )
    assert issue["message"].endswith("is it another plan's schedule?")


def test_stability_without_a_baseline_is_422(client: TestClient, keys: dict, solved: dict) -> None:
    r = solve(client, keys, solved["plan_id"], objective="stability")
    assert r.status_code == 422
    (err,) = r.json()["errors"]
    assert err["loc"] == ["body", "objective"]
    assert "needs a baseline" in err["msg"]
