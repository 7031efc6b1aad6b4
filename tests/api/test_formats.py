"""Every format through ``POST /plans``: the tiny file of each is stored; a cycle, an unknown
predecessor or a bad lag is a 422 whose issues carry the reader's placed sentence."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.formats import BAD, GOOD


@pytest.mark.parametrize("fmt", sorted(GOOD))
def test_tiny_file_of_every_format_is_stored(client: TestClient, keys: dict, fmt: str) -> None:
    name, build = GOOD[fmt]
    r = client.post("/plans", files={"file": (name, build())}, headers=keys["planner"])
    assert r.status_code == 201, r.text
    assert r.json()["activity_count"] == (5 if fmt == "psplib" else 4)


@pytest.mark.parametrize(("fmt", "kind"), sorted(BAD))
def test_bad_file_of_every_format_is_422_with_the_sentence(
    client: TestClient, keys: dict, fmt: str, kind: str
) -> None:
    name, build, sentence = BAD[fmt, kind]
    r = client.post("/plans", files={"file": (name, build())}, headers=keys["planner"])
    assert r.status_code == 422, r.text
    messages = [i["message"] for i in r.json()["issues"] if i["severity"] == "error"]
    assert any(sentence in m for m in messages), messages


def test_workbook_upload_keeps_its_tables(client: TestClient, keys: dict) -> None:
    from api.db import PlanRow

    name, build = GOOD["workbook"]
    r = client.post("/plans", files={"file": (name, build())}, headers=keys["planner"])
    assert r.status_code == 201
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.session() as s:
        row = s.get(PlanRow, r.json()["id"])
        assert row is not None and row.source_format == "xlsx"
        assert [a["id"] for a in row.tables["activities"]] == ["A", "B", "C", "D"]


def test_a_long_error_list_is_422_with_the_first_of_each_kind(
    client: TestClient, keys: dict
) -> None:
    from tests.formats import tables

    t = tables()
    t["Activities"] += [
        {"id": f"X{i}", "name": "x", "sector": "road", "region_from": "SEL", "duration": "many"}
        for i in range(45)
    ]
    r = client.post("/plans", json={"tables": t}, headers=keys["planner"])
    assert r.status_code == 422
    body = r.json()
    assert len(body["issues"]) == 20 and body["issue_count"] == 45
    assert body["omitted"] == [
        {"severity": "error", "sheet": "Activities", "column": "duration", "count": 25}
    ]


def test_a_huge_key_is_not_echoed_back(client: TestClient, keys: dict) -> None:
    from tests.formats import tables

    key = "K" * 150_000  # under the tests' 200 kB upload limit
    # not a list of rows: the request's schema refuses it
    r = client.post("/plans", json={"tables": {key: "rows"}}, headers=keys["planner"])
    assert r.status_code == 422 and len(r.content) < 5_000, len(r.content)
    # a sheet of that name: the plan's reader ignores it with a warning; the 422 is small
    t = tables()
    t[key] = [{"id": "A"}]
    t["Activities"][0]["duration"] = "many"
    r = client.post("/plans", json={"tables": t}, headers=keys["planner"])
    assert r.status_code == 422 and len(r.content) < 20_000, len(r.content)
