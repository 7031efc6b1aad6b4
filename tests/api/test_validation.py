"""Request validation: bodies JSON cannot echo back (non-finite floats) answer 422, not 500."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app, json_safe
from tests.api.conftest import add_key, make_settings, upload_json

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"time_limit_s": 1e309}', "time_limit_s"),  # parses as +inf
        (b'{"time_limit_s": -1e309}', "time_limit_s"),  # parses as -inf
        (b'{"time_limit_s": NaN}', "time_limit_s"),  # JavaScript's NaN literal
        (b'{"time_limit_s": Infinity}', "time_limit_s"),  # JavaScript's Infinity literal
        (b'{"time_limit_s": -Infinity}', "time_limit_s"),  # and its negative
        (b'{"seed": 1e309}', "seed"),  # an infinite integer seed
        (b'{"seed": NaN}', "seed"),  # a NaN seed
    ],
)
def test_non_finite_solve_options_are_422(
    client: TestClient, keys: dict, body: bytes, field: str
) -> None:
    pid = upload_json(client, keys["planner"])["id"]
    r = client.post(f"/plans/{pid}/schedules", content=body, headers={**keys["planner"], **JSON})
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]  # the documented shape: a sentence, issues, FastAPI's list
    assert isinstance(errors, list) and field in r.json()["detail"]
    assert errors[0]["loc"][-1] == field
    assert errors[0]["input"] in ("inf", "-inf", "nan")
    assert client.get(f"/plans/{pid}/schedules", headers=keys["planner"]).json() == []


@pytest.mark.parametrize(
    "body",
    [
        b'{"role": 1e309}',  # infinite role
        b'{"role": NaN}',  # NaN role
        b'{"role": "planner", "name": Infinity}',  # infinite name
    ],
)
def test_non_finite_key_requests_are_422(client: TestClient, keys: dict, body: bytes) -> None:
    r = client.post("/keys", content=body, headers={**keys["admin"], **JSON})
    assert r.status_code == 422, r.text
    assert json.loads(r.text)["errors"][0]["input"] in ("inf", "nan")


def test_json_safe_keeps_json_and_stringifies_the_rest() -> None:
    value = {"a": [1, 2.5, math.inf, -math.inf, math.nan], "b": b"\xff", 3: (True, None)}
    assert json_safe(value) == {
        "a": [1, 2.5, "inf", "-inf", "nan"],
        "b": "\ufffd",
        "3": [True, None],
    }
    json.dumps(json_safe(value), allow_nan=False)  # writes as strict JSON


def test_one_time_limit_maximum_from_settings(client: TestClient, keys: dict) -> None:
    pid = upload_json(client, keys["planner"])["id"]
    r = client.post(
        f"/plans/{pid}/schedules", json={"time_limit_s": 9}, headers=keys["planner"]
    )  # above the test server's maximum of 5 s
    assert r.status_code == 422
    [err] = r.json()["errors"]
    assert r.json()["detail"].startswith("the request is not valid: time_limit_s: Input should")
    assert err["loc"] == ["body", "time_limit_s"]
    assert err["type"] == "less_than_equal"
    assert err["ctx"] == {"le": 5.0}
    assert err["msg"].startswith("Input should be less than or equal to 5 ")
    prop = client.get("/openapi.json").json()["components"]["schemas"]["ScheduleCreate"]
    number = [b for b in prop["properties"]["time_limit_s"]["anyOf"] if b.get("type") == "number"]
    assert number == [{"type": "number", "exclusiveMinimum": 0.0, "maximum": 5.0}]


def test_time_limit_above_a_day_when_the_server_allows_it(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'long.db'}", max_time_limit_s=200_000)
    with TestClient(create_app(settings)) as c:
        h = {"X-API-Key": add_key(c, "planner")}
        pid = upload_json(c, h)["id"]
        # 90000 s > the old fixed schema maximum of 86400 s: only the setting decides
        r = c.post(f"/plans/{pid}/schedules", json={"time_limit_s": 90_000}, headers=h)
        assert r.status_code == 202, r.text
        sid = r.json()["id"]
        assert c.get(f"/schedules/{sid}", headers=h).json()["options"]["time_limit_s"] == 90_000
        assert c.delete(f"/schedules/{sid}", headers=h).status_code == 200
