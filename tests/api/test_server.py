"""The real server (``infraplan serve``) over loopback: upload → solve → poll → views."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import httpx
import openpyxl

from tests.api.conftest import TINY_NAME, LiveServer, tiny_xlsx


def solve_on(server: LiveServer, xlsx: bytes) -> tuple[int, dict[str, Any]]:
    """Upload a workbook, solve it, poll until it ends; return (schedule id, answer)."""
    h = {"X-API-Key": server.keys["planner"]}
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.post("/plans", files={"file": ("tiny.xlsx", xlsx)}, headers=h)
        assert r.status_code == 201, r.text
        plan = r.json()
        r = c.post(f"/plans/{plan['id']}/schedules", json={"time_limit_s": 2}, headers=h)
        assert r.status_code == 202, r.text
        sid = r.json()["id"]
        deadline = time.monotonic() + 60
        while True:
            body = c.get(f"/schedules/{sid}", headers=h).json()
            if body["status"] not in ("queued", "running") or time.monotonic() > deadline:
                return sid, body
            time.sleep(0.1)


def test_upload_solve_poll_and_views(live_server: LiveServer, tmp_path: Path) -> None:
    xlsx = tiny_xlsx(tmp_path / "tiny.xlsx")
    sid, body = solve_on(live_server, xlsx)
    assert body["status"] == "optimal"
    assert body["document"]["makespan_days"] == 10
    assert body["document"]["finish"] == "2027-01-13"
    ministry = {"X-API-Key": live_server.keys["ministry"]}
    with httpx.Client(base_url=live_server.url, timeout=30, headers=ministry) as c:
        gantt = c.get(f"/schedules/{sid}/gantt").json()
        assert [t["id"] for t in gantt["tasks"] if t["critical"]] == ["A", "B", "D"]
        cp = c.get(f"/schedules/{sid}/critical-path").json()
        assert cp["critical_path"] == [["A", "B", "D"]]
        r = c.get(f"/schedules/{sid}/report.xlsx")
        assert r.status_code == 200
        assert "filename*=UTF-8''" in r.headers["content-disposition"]
        wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
        assert {"Summary", "Schedule", "Gantt", "Critical path"} <= set(wb.sheetnames)
        # a ministry key reads but cannot upload
        r = c.post("/plans", files={"file": ("tiny.xlsx", xlsx)})
        assert r.status_code == 403
        # ETag over real HTTP
        first = c.get(f"/schedules/{sid}")
        again = c.get(f"/schedules/{sid}", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert c.get("/plans").json()[0]["name"] == TINY_NAME
