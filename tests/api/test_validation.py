"""Request validation: bodies JSON cannot echo back (non-finite floats) answer 422, not 500."""

from __future__ import annotations

import json
import math

import pytest
from fastapi.testclient import TestClient

from api.main import json_safe
from tests.api.conftest import upload_json

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
    detail = r.json()["detail"]
    assert isinstance(detail, list)
    assert detail[0]["loc"][-1] == field
    assert detail[0]["input"] in ("inf", "-inf", "nan")
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
    assert json.loads(r.text)["detail"][0]["input"] in ("inf", "nan")


def test_json_safe_keeps_json_and_stringifies_the_rest() -> None:
    value = {"a": [1, 2.5, math.inf, -math.inf, math.nan], "b": b"\xff", 3: (True, None)}
    assert json_safe(value) == {
        "a": [1, 2.5, "inf", "-inf", "nan"],
        "b": "\ufffd",
        "3": [True, None],
    }
    json.dumps(json_safe(value), allow_nan=False)  # writes as strict JSON
