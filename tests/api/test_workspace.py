"""What the workspace reads: the workspace page, versions side by side, MS Project XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import TINY_NAME, add_key, upload_json, wait_for


def test_workspace_page_is_served_at_the_root(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    scripts = re.findall(r'<script src="(/static/[\w.-]+)"></script>', r.text)
    assert scripts == ["/static/xlsx-preview.js", "/static/workspace.js"]
    assert '<link rel="stylesheet" href="/static/workspace.css">' in r.text
    for asset in [*scripts, "/static/workspace.css"]:
        assert client.get(asset).status_code == 200, asset
    # nothing from elsewhere: no absolute URL in the page or its own assets
    for text in (r.text, *(client.get(a).text for a in [*scripts, "/static/workspace.css"])):
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", text)
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text


def test_workspace_script_keeps_the_key_out_of_addresses(client: TestClient) -> None:
    js = client.get("/static/workspace.js").text
    assert "sessionStorage" in js and "localStorage" not in js
    assert "history.replaceState(null" in js  # the #key= fragment is removed once read
    assert '"X-API-Key"' in js
    # no request carries the key in its address
    assert not re.search(r"[?&]key=", js.replace("#key=", ""))


def solve(client: TestClient, plan_id: int, headers: dict[str, str], **body: Any) -> dict:
    r = client.post(
        f"/plans/{plan_id}/schedules", json={"time_limit_s": 2, **body}, headers=headers
    )
    assert r.status_code == 202, r.text
    return wait_for(client, r.json()["id"], headers)


def test_versions_side_by_side(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    planner = {"X-API-Key": add_key(client, "planner", "MOLIT roads")}
    plan = upload_json(client, planner)
    first = solve(client, plan["id"], planner)
    second = solve(client, plan["id"], planner, objective="weighted_completion")
    r = client.get(f"/plans/{plan['id']}/versions", headers=keys["ministry"])
    assert r.status_code == 200
    v1, v2 = r.json()
    assert (v1["id"], v1["version"], v2["id"], v2["version"]) == (first["id"], 1, second["id"], 2)
    assert (v1["status"], v1["finish"], v1["makespan_days"]) == ("optimal", "2027-01-13", 10)
    assert v1["gap"] == 0 and v1["objective"] == 10 and v1["bound"] == 10
    assert v1["objective_kind"] == "makespan" and v2["objective_kind"] == "weighted_completion"
    assert v1["options"]["time_limit_s"] == 2 and v1["solve_seconds"] >= 0
    assert v1["has_report"] is True
    assert v1["created_by"]["name"] == "MOLIT roads" and v1["created_by"]["role"] == "planner"
    assert v1["created_by"]["prefix"] == planner["X-API-Key"][:10]
    assert v1["created_at"] <= v2["created_at"] and v1["finished_at"]


def test_versions_of_an_unknown_plan_and_without_a_key(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    r = client.get("/plans/987/versions", headers=keys["ministry"])
    assert r.status_code == 404 and r.json()["detail"] == "plan 987 does not exist"
    assert client.get("/plans/987/versions").status_code == 401


def test_versions_of_a_plan_not_yet_solved(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    plan = upload_json(client, keys["planner"])
    assert client.get(f"/plans/{plan['id']}/versions", headers=keys["ministry"]).json() == []


def test_mspdi_of_a_solved_version(
    client: TestClient, keys: dict[str, dict[str, str]], solved: dict[str, Any]
) -> None:
    r = client.get(f"/schedules/{solved['id']}/mspdi.xml", headers=keys["ministry"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    cd = r.headers["content-disposition"]
    assert f'filename="schedule-{solved["id"]}-v1.xml"' in cd
    assert "filename*=UTF-8''" + "%EA%B5%AD%EA%B0%80" in cd  # 국가: the Korean plan name
    root = ET.fromstring(r.content)
    ns = {"p": root.tag[1:].split("}")[0]} if root.tag.startswith("{") else {"p": ""}
    q = "p:" if ns["p"] else ""
    tasks = {
        t.findtext(f"{q}Name", namespaces=ns): t
        for t in root.iter(f"{{{ns['p']}}}Task" if ns["p"] else "Task")
    }
    # the solved dates of the tiny plan: A 01-04..08, B 01-09..11, C 01-09..10, D 01-12..13
    starts = {
        name: (t.findtext(f"{q}Start", namespaces=ns) or "")[:10]
        for name, t in tasks.items()
        if name in ("Earthworks", "Paving", "Fibre", "Opening")
    }
    assert starts == {
        "Earthworks": "2027-01-04",
        "Paving": "2027-01-09",
        "Fibre": "2027-01-09",
        "Opening": "2027-01-12",
    }
    finish = (tasks["Opening"].findtext(f"{q}Finish", namespaces=ns) or "")[:10]
    assert finish == "2027-01-13"
    # the same bytes again (written once, then kept)
    again = client.get(f"/schedules/{solved['id']}/mspdi.xml", headers=keys["ministry"])
    assert again.content == r.content


def test_mspdi_of_an_unsolved_or_unknown_schedule(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    r = client.get("/schedules/4321/mspdi.xml", headers=keys["ministry"])
    assert r.status_code == 404 and r.json()["detail"] == "schedule 4321 does not exist"
    assert client.get("/schedules/4321/mspdi.xml").status_code == 401


def test_solved_starts_give_the_document_dates_back(
    client: TestClient, keys: dict[str, dict[str, str]], solved: dict[str, Any]
) -> None:
    from api.routes.workspace import solved_starts
    from scheduler.workbook import plan_from_tables
    from tests.api.conftest import tiny_tables

    plan = plan_from_tables(tiny_tables())
    starts = solved_starts(plan, solved["document"]["activities"])
    assert starts == {"A": 0, "B": 5, "C": 5, "D": 8}
    assert plan.name == TINY_NAME
