"""X-API-Key: 401 without or with an unknown key, 403 for a wrong role, admin key routes."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import ApiKey
from tests.api.conftest import tiny_tables

READS = [
    ("GET", "/plans"),
    ("GET", "/plans/1"),
    ("GET", "/plans/1/schedules"),
    ("GET", "/plans/1/schedules/latest"),
    ("GET", "/schedules/1"),
    ("GET", "/schedules/1/gantt"),
    ("GET", "/schedules/1/critical-path"),
    ("GET", "/schedules/1/report.xlsx"),
]
WRITES = [("POST", "/plans"), ("POST", "/plans/1/schedules"), ("DELETE", "/schedules/1")]
ADMIN = [("GET", "/keys"), ("POST", "/keys"), ("DELETE", "/keys/1")]


@pytest.mark.parametrize(("method", "path"), READS + WRITES + ADMIN)
@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "missing X-API-Key header"),  # no header at all
        ({"X-API-Key": ""}, "missing X-API-Key header"),  # an empty header
        ({"X-API-Key": "ip_not-a-key"}, "unknown or revoked API key"),  # never issued
    ],
)
def test_401(client: TestClient, method: str, path: str, headers: dict, detail: str) -> None:
    r = client.request(method, path, headers=headers)
    assert r.status_code == 401
    assert r.json() == {"detail": detail}


@pytest.mark.parametrize(("method", "path"), WRITES + ADMIN)
def test_ministry_may_only_read(client: TestClient, keys: dict, method: str, path: str) -> None:
    r = client.request(method, path, headers=keys["ministry"])
    assert r.status_code == 403
    assert r.json()["detail"].startswith("a ministry key may not")


@pytest.mark.parametrize(("method", "path"), ADMIN)
def test_planner_may_not_manage_keys(
    client: TestClient, keys: dict, method: str, path: str
) -> None:
    r = client.request(method, path, headers=keys["planner"])
    assert r.status_code == 403
    assert r.json() == {"detail": "a planner key may not manage API keys"}


def test_ministry_reads_but_cannot_upload(client: TestClient, keys: dict) -> None:
    assert client.get("/plans", headers=keys["ministry"]).status_code == 200
    r = client.post("/plans", json={"tables": tiny_tables()}, headers=keys["ministry"])
    assert r.status_code == 403


def test_admin_manages_keys(client: TestClient, keys: dict) -> None:
    admin = keys["admin"]
    r = client.post("/keys", json={"role": "ministry", "name": "국토교통부 도로국"}, headers=admin)
    assert r.status_code == 201
    made = r.json()
    assert made["role"] == "ministry" and made["name"] == "국토교통부 도로국"
    assert made["key"].startswith("ip_") and made["prefix"] == made["key"][:10]
    new = {"X-API-Key": made["key"]}
    assert client.get("/plans", headers=new).status_code == 200
    listed = client.get("/keys", headers=admin).json()
    assert [k["role"] for k in listed] == ["planner", "ministry", "admin", "ministry"]
    assert all("key" not in k for k in listed)
    # only the hash is stored
    with client.app.state.db.session() as s:  # type: ignore[attr-defined]
        row = s.scalars(select(ApiKey).where(ApiKey.id == made["id"])).one()
        assert row.key_hash == hashlib.sha256(made["key"].encode()).hexdigest()
        assert made["key"] not in (row.name, row.prefix, row.key_hash)
    assert client.delete(f"/keys/{made['id']}", headers=admin).status_code == 204
    assert client.get("/plans", headers=new).status_code == 401
    assert client.get("/keys", headers=admin).json()[-1]["revoked"] is True
    assert client.delete("/keys/999", headers=admin).status_code == 404
    # admin may also do a planner's work
    assert client.post("/plans", json={"tables": tiny_tables()}, headers=admin).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"role": "root"},  # not a role
        {"name": "x"},  # no role
        {"role": "planner", "extra": 1},  # unknown field
    ],
)
def test_bad_key_requests(client: TestClient, keys: dict, body: dict) -> None:
    r = client.post("/keys", json=body, headers=keys["admin"])
    assert r.status_code == 422
    assert "detail" in r.json()


def test_health_needs_no_key(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert (body["queued"], body["running"], body["max_jobs"]) == (0, 0, 1)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nowhere", 404),  # unknown route
        ("PUT", "/plans", 405),  # wrong method
        ("GET", "/plans/not-a-number", 422),  # bad path parameter
    ],
)
def test_framework_errors_are_json(
    client: TestClient, keys: dict, method: str, path: str, status: int
) -> None:
    r = client.request(method, path, headers=keys["ministry"])
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    assert "detail" in r.json()


def test_openapi_documents_every_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    for name in ("PlanCreate", "PlanPublic", "SchedulePublic", "GanttPublic", "KeyCreated"):
        schema = spec["components"]["schemas"][name]
        for field, prop in schema["properties"].items():
            assert prop.get("description"), f"{name}.{field} has no description"
    assert client.get("/docs").status_code == 200
