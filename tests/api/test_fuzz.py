"""OpenAPI-driven fuzzing (schemathesis): no request, valid or not, gets a 5xx."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.deps import issue_key
from api.main import create_app
from tests.api.conftest import make_settings, tiny_tables

TMP = Path(tempfile.mkdtemp(prefix="infraplan-fuzz-"))
APP = create_app(make_settings(f"sqlite:///{TMP / 'fuzz.db'}"))
KEY: dict[str, str] = {}

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running_app() -> Iterator[None]:
    """Start the app (migrations, dispatcher); one plan and one schedule to find."""
    with TestClient(APP) as c:
        with APP.state.db.session() as s:
            KEY["X-API-Key"] = issue_key(s, "admin", "fuzz")[1]
        pid = c.post("/plans", json={"tables": tiny_tables()}, headers=KEY).json()["id"]
        c.post(f"/plans/{pid}/schedules", headers=KEY)
        yield
    shutil.rmtree(TMP, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors(case: Any) -> None:
    response = case.call(headers=KEY)
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400 and response.status_code != 405:
        assert "detail" in response.json()
