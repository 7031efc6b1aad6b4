"""The answers' shapes: 422 as the documented error, readable ASCII download names."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.responses import ascii_name, content_disposition
from tests.api.conftest import upload_json

SAMPLE_NAME = "National Infrastructure Two-Year Plan 2027–2028 (국가 인프라 2개년 계획)"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (f"{SAMPLE_NAME}-v2.xlsx", "National_Infrastructure_Two-Year_Plan_2027-2028-v2.xlsx"),
        ("국가 인프라 소형 계획-v1.xlsx", "schedule-1-v1.xlsx"),  # nothing readable left
        ("국가.xlsx", "schedule-1-v1.xlsx"),
        ("Plan A-v1.xlsx", "Plan_A-v1.xlsx"),
        ("Réseau – Nord (北)-v3.xml", "Reseau-Nord-v3.xml"),
        ("Road 2단계 [확장]-v1.xlsx", "Road-v1.xlsx"),
        ("a_b_c_d-v1.xlsx", "a_b_c_d-v1.xlsx"),
    ],
)
def test_ascii_name_keeps_the_readable_words(name: str, expected: str) -> None:
    assert ascii_name(name, "schedule-1-v1.xlsx") == expected


def test_content_disposition_of_the_sample_plan() -> None:
    header = content_disposition(f"{SAMPLE_NAME}-v2.xlsx", "schedule-7-v2.xlsx")
    assert header.startswith(
        'attachment; filename="National_Infrastructure_Two-Year_Plan_2027-2028-v2.xlsx"; '
        "filename*=UTF-8''National%20Infrastructure"
    )
    assert "%EA%B5%AD%EA%B0%80" in header  # 국가 in the UTF-8 name


@pytest.mark.parametrize(
    ("body", "column", "message"),
    [
        ({"time_limit_s": -1}, "time_limit_s", "time_limit_s: Input should be greater than 0"),
        ({"seed": -3}, "seed", "seed: Input should be greater than or equal to 0"),
        ({"objective": "cheapest"}, "objective", "objective: Input should be 'makespan', "),
        ({"colour": "red"}, "colour", "colour: Extra inputs are not permitted"),
    ],
)
def test_bad_solve_option_is_the_documented_error(
    client: TestClient, keys: dict, body: dict, column: str, message: str
) -> None:
    pid = upload_json(client, keys["planner"])["id"]
    r = client.post(f"/plans/{pid}/schedules", json=body, headers=keys["planner"])
    assert r.status_code == 422
    out = r.json()
    assert isinstance(out["detail"], str)
    assert out["detail"].startswith("the request is not valid: " + message)
    [issue] = out["issues"]
    assert issue["sheet"] == "" and issue["row"] is None and issue["column"] == column
    assert issue["message"].startswith(message) and issue["severity"] == "error"
    [err] = out["errors"]  # FastAPI's list, for programs
    assert err["loc"][-1] == column


def test_several_bad_options_are_named_in_one_sentence(client: TestClient, keys: dict) -> None:
    pid = upload_json(client, keys["planner"])["id"]
    body = {"time_limit_s": 0, "seed": -1, "objective": "x", "a": 1, "b": 2}
    r = client.post(f"/plans/{pid}/schedules", json=body, headers=keys["planner"])
    out = r.json()
    assert r.status_code == 422 and len(out["issues"]) == 5
    assert out["detail"].endswith("(and 2 more)")
    assert [i["column"] for i in out["issues"]][:3] == ["objective", "time_limit_s", "seed"]


def test_a_long_refused_value_is_not_echoed_whole(client: TestClient, keys: dict) -> None:
    r = client.post("/keys", json={"role": "planner", "name": "x" * 50_000}, headers=keys["admin"])
    assert r.status_code == 422
    assert len(r.content) < 2_000
    [err] = r.json()["errors"]
    assert err["input"] == "x" * 200 + "… (50000 characters)"
    assert r.json()["issues"][0]["column"] == "name"


def test_a_bad_query_parameter_names_it(client: TestClient, keys: dict) -> None:
    r = client.get("/plans?limit=0", headers=keys["ministry"])
    assert r.status_code == 422
    assert r.json()["detail"] == (
        "the request is not valid: limit: Input should be greater than or equal to 1"
    )
