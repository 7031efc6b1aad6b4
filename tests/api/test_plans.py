"""POST/GET /plans: workbook and JSON uploads, invalid plans, refused files."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TINY_NAME, tiny_tables, tiny_xlsx, upload_json


def test_upload_workbook_keeps_the_exact_bytes(
    client: TestClient, keys: dict, tmp_path: Path
) -> None:
    data = tiny_xlsx(tmp_path / "tiny.xlsx")
    r = client.post("/plans", files={"file": ("국가.xlsx", data)}, headers=keys["planner"])
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["name"] == TINY_NAME
    assert plan["activity_count"] == 4
    assert plan["issues"] == []
    assert plan["source_format"] == "xlsx"
    assert plan["filename"] == "국가.xlsx"
    assert plan["sha256"] == hashlib.sha256(data).hexdigest()
    got = client.get(f"/plans/{plan['id']}/upload", headers=keys["ministry"])
    assert got.content == data
    # the original name: ASCII fallback plus the UTF-8 name (RFC 5987)
    assert got.headers["content-disposition"] == (
        f"attachment; filename=\"plan-{plan['id']}.xlsx\"; filename*=UTF-8''%EA%B5%AD%EA%B0%80.xlsx"
    )
    assert client.get(f"/plans/{plan['id']}", headers=keys["ministry"]).json() == plan


def test_upload_json_tables(client: TestClient, keys: dict) -> None:
    plan = upload_json(client, keys["planner"])
    assert (plan["name"], plan["activity_count"], plan["source_format"]) == (TINY_NAME, 4, "json")
    got = client.get(f"/plans/{plan['id']}/upload", headers=keys["ministry"])
    assert got.headers["content-type"] == "application/json"
    assert got.headers["content-disposition"] == (  # a JSON upload is named after the plan
        f'attachment; filename="plan-{plan["id"]}.json"; '
        f"filename*=UTF-8''{quote(TINY_NAME + '.json', safe='')}"
    )
    r = client.post(
        "/plans", json={"name": "이름 바꿈", "tables": tiny_tables()}, headers=keys["planner"]
    )
    assert r.json()["name"] == "이름 바꿈"
    listed = client.get("/plans", headers=keys["ministry"]).json()
    assert [p["name"] for p in listed] == ["이름 바꿈", TINY_NAME]  # newest first
    assert (
        client.get("/plans?limit=1&offset=1", headers=keys["ministry"]).json()[0]["id"]
        == plan["id"]
    )


def test_multipart_name_field_overrides(client: TestClient, keys: dict, tmp_path: Path) -> None:
    data = tiny_xlsx(tmp_path / "t.xlsx")
    r = client.post(
        "/plans", files={"file": ("t.xlsx", data)}, data={"name": "Plan B"}, headers=keys["planner"]
    )
    assert r.json()["name"] == "Plan B"


def _tables_with(**changes: Any) -> dict[str, Any]:
    t = tiny_tables()
    for sheet, rows in changes.items():
        t[sheet] = rows
    return t


@pytest.mark.parametrize(
    ("tables", "sheet", "column", "words"),
    [
        # a dependency naming an activity that does not exist
        (
            _tables_with(Dependencies=[{"predecessor": "A", "successor": "ZZ"}]),
            "Dependencies",
            "successor",
            "ZZ",
        ),
        # a negative duration
        (
            _tables_with(
                Activities=[
                    {"id": "A", "name": "x", "sector": "road", "region_from": "SEL", "duration": -3}
                ]
            ),
            "Activities",
            "duration",
            "-3",
        ),
        # an unknown dependency type
        (
            _tables_with(Dependencies=[{"predecessor": "A", "successor": "B", "type": "XX"}]),
            "Dependencies",
            "type",
            "XX",
        ),
    ],
)
def test_invalid_plan_is_422_with_every_issue(
    client: TestClient, keys: dict, tables: dict, sheet: str, column: str, words: str
) -> None:
    r = client.post("/plans", json={"tables": tables}, headers=keys["planner"])
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["detail"]
    hits = [i for i in body["issues"] if i["sheet"] == sheet and i["column"] == column]
    assert hits and words in hits[0]["message"], body["issues"]
    assert isinstance(hits[0]["row"], int)
    assert client.get("/plans", headers=keys["planner"]).json() == []  # nothing stored


def test_invalid_workbook_reports_sheet_row_column(
    client: TestClient, keys: dict, tmp_path: Path
) -> None:
    bad = _tables_with(
        Dependencies=[
            {"predecessor": "A", "successor": "B", "type": "FS"},
            {"predecessor": "B", "successor": "A", "type": "FS"},
        ]
    )
    data = tiny_xlsx(tmp_path / "cycle.xlsx", bad)
    r = client.post("/plans", files={"file": ("cycle.xlsx", data)}, headers=keys["planner"])
    assert r.status_code == 422
    msgs = " ".join(i["message"] for i in r.json()["issues"])
    assert "cycl" in msgs.lower() and "A" in msgs and "B" in msgs


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    return buf.getvalue()


def _entity_bomb() -> bytes:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<workbook>&lol2;</workbook>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", lol)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("filename", "data", "status"),
    [
        ("plan.xlsx", b"this is not a workbook", 400),  # plain text named .xlsx
        ("plan.xlsx", b"PK\x03\x04garbage", 400),  # a broken zip
        ("plan.xlsx", _zip_bomb(), 413),  # 20 MB of zeros packed into ~20 kB: refused on size
        ("plan.xlsx", _entity_bomb(), 400),  # XML entity expansion
        ("plan.xlsx", b"x" * 200_001, 413),  # one byte above the test limit
    ],
)
def test_refused_files(
    client: TestClient, keys: dict, filename: str, data: bytes, status: int
) -> None:
    r = client.post("/plans", files={"file": (filename, data)}, headers=keys["planner"])
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str)
    assert client.get("/plans", headers=keys["planner"]).json() == []


def test_body_over_the_limit_is_refused_before_reading(client: TestClient, keys: dict) -> None:
    r = client.post(
        "/plans",
        content=b"{" + b" " * 400_000 + b"}",
        headers={**keys["planner"], "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_chunked_body_over_the_limit(client: TestClient, keys: dict) -> None:
    def chunks():  # no Content-Length: counted while it streams in
        for _ in range(50):
            yield b" " * 10_000

    r = client.post(
        "/plans", content=chunks(), headers={**keys["planner"], "Content-Type": "application/json"}
    )
    assert r.status_code == 413


def _chunks(n: int):  # no Content-Length: counted while it streams in
    for _ in range(n):
        yield b" " * 10_000


@pytest.mark.parametrize(
    "kwargs",
    [
        {"files": {"file": ("big.xlsx", b"x" * 500_000)}},  # multipart above limit + slack
        {"files": {"file": ("big.xlsx", b"x" * 210_000)}},  # multipart within the slack
        {"content": b" " * 400_000, "headers": {"Content-Type": "application/json"}},  # JSON
        {"content": _chunks(50), "headers": {"Content-Type": "application/json"}},  # chunked
    ],
)
def test_413_states_the_configured_limit(client: TestClient, keys: dict, kwargs: dict) -> None:
    headers = {**keys["planner"], **kwargs.pop("headers", {})}
    r = client.post("/plans", headers=headers, **kwargs)
    assert r.status_code == 413
    detail = r.json()["detail"]
    assert "upload limit of 200000 bytes" in detail, detail  # never limit + multipart slack
    assert str(200_000 + 64 * 1024) not in detail


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 422),
        # bytes that are not UTF-8 (found by the fuzz run: once a 500)
        ({"content": b"\x80", "headers": {"Content-Type": "application/json"}}, 422),
        ({"json": {"tables": "not a dict"}}, 422),  # tables of the wrong type
        ({"json": {"name": "x"}}, 422),  # no tables at all
        ({"content": b"abc", "headers": {"Content-Type": "text/plain"}}, 415),
        ({"files": {"other": ("a.xlsx", b"x")}}, 400),  # multipart without 'file'
    ],
)
def test_bad_bodies(client: TestClient, keys: dict, kwargs: dict, status: int) -> None:
    headers = {**keys["planner"], **kwargs.pop("headers", {})}
    r = client.post("/plans", headers=headers, **kwargs)
    assert r.status_code == status, r.text
    assert "detail" in r.json()


def test_unknown_plan_is_404(client: TestClient, keys: dict) -> None:
    for path in (
        "/plans/999",
        "/plans/999/upload",
        "/plans/999/schedules",
        "/plans/999/schedules/latest",
    ):
        r = client.get(path, headers=keys["ministry"])
        assert r.status_code == 404, path
        assert r.json()["detail"] == "plan 999 does not exist"
