"""The pages: data block escaping, security headers, the legend, the Gantt fields they read."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.routes.pages import CSP
from api.routes.views import horizon_end, script_json
from tests.api.conftest import tiny_tables, upload_json, wait_for

#: A project name that blanked the Gantt page: ``<!--`` puts the HTML parser in the
#: script's "escaped" state, where ``<script>`` hides the closing ``</script>``.
HOSTILE = "<!--<script>"


def data_block(html: str) -> str:
    """The text of the page's JSON data block, as the HTML parser ends it."""
    start = html.index('<script id="gantt-data" type="application/json">') + len(
        '<script id="gantt-data" type="application/json">'
    )
    return html[start : html.index("</script>", start)]


@pytest.mark.parametrize(
    "text",
    [HOSTILE, "</script><script>alert(1)</script>", "a-->b & c", "line\u2028sep\u2029para"],
)
def test_script_json_has_nothing_the_html_parser_reads(text: str) -> None:
    out = script_json({"name": text, "list": [text]})
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in out
    assert json.loads(out) == {"name": text, "list": [text]}


def test_script_json_writes_the_escapes() -> None:
    assert script_json("<!--<x>&\u2028") == '"\\u003c!--\\u003cx\\u003e\\u0026\\u2028"'
    assert script_json(None) == "null"
    assert script_json("국가 인프라") == '"국가 인프라"'  # Korean stays readable


def solve_tables(client: TestClient, headers: dict[str, str], tables: dict[str, Any]) -> int:
    plan = upload_json(client, headers, tables)
    r = client.post(f"/plans/{plan['id']}/schedules", json={"time_limit_s": 2}, headers=headers)
    assert r.status_code == 202, r.text
    body = wait_for(client, r.json()["id"], headers)
    assert body["status"] == "optimal", body
    return int(body["id"])


def hostile_tables() -> dict[str, Any]:
    tables = tiny_tables()
    for row in tables["Activities"]:
        row["project"] = HOSTILE if row["id"] != "C" else "x</script><script>alert(1)</script>"
    tables["Activities"][0]["name"] = "<!-- -->&amp;\u2028x"
    return tables


def test_gantt_page_with_a_hostile_project_name_keeps_its_data(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    sid = solve_tables(client, keys["planner"], hostile_tables())
    r = client.get(f"/schedules/{sid}/gantt.html", headers=keys["ministry"])
    assert r.status_code == 200
    block = data_block(r.text)
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)  # the whole data is in the block: nothing cut by the parser
    assert data["projects"] == [HOSTILE, "x</script><script>alert(1)</script>"]
    assert data["tasks"][0]["name"] == "<!-- -->&amp;\u2028x"
    # the page after the block is intact: the script tag is still there
    assert r.text.rstrip().endswith('<script src="/static/gantt.js"></script>\n</body>\n</html>')


@pytest.mark.parametrize("path", ["/", "/schedules/1/gantt.html"])
def test_pages_carry_a_policy_without_inline_script(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == CSP
    assert "script-src 'self';" in CSP and "unsafe-inline" not in CSP
    assert "frame-ancestors 'none'" in CSP and "default-src 'none'" in CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    # no inline script: every <script> either loads /static or is a JSON data block
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S):
        assert 'src="/static/' in attrs or 'type="application/json"' in attrs, attrs
        assert 'src="/static/' not in attrs or not body.strip()
    assert " style=" not in r.text and " on" + "click=" not in r.text  # nothing CSP blocks


@pytest.mark.parametrize("path", ["/health", "/static/gantt.js", "/openapi.json", "/nope"])
def test_every_answer_says_nosniff(client: TestClient, path: str) -> None:
    assert client.get(path).headers["x-content-type-options"] == "nosniff"


def test_docs_page_keeps_working_without_the_page_policy(client: TestClient) -> None:
    r = client.get("/docs")  # Swagger UI starts from an inline script: no page policy there
    assert r.status_code == 200 and "content-security-policy" not in r.headers


def test_legend_says_what_critical_is(client: TestClient) -> None:
    html = client.get("/schedules/1/gantt.html").text
    assert "no total float" not in html
    legend = dict(
        re.findall(
            r'data-legend="([\w-]+)">(.*?)</span>\s*(?=<span class="legend|</span>)', html, re.S
        )
    )
    text = {k: re.sub(r"<[^>]+>", "", v) for k, v in legend.items()}
    assert text["critical"] == "critical (longest logic path)"
    assert text["driving"] == "driving path (sets the solved finish)"
    assert "Zero float alone does not make an activity critical" in html


def test_gantt_gives_the_lines_and_the_panel_facts(
    client: TestClient, keys: dict[str, dict[str, str]], solved: dict[str, Any]
) -> None:
    g = client.get(f"/schedules/{solved['id']}/gantt", headers=keys["ministry"]).json()
    # the tiny plan: 2027-01-04 + 24 months (exclusive) → last day 2029-01-03
    assert (g["plan_start"], g["finish"], g["horizon_end"]) == (
        "2027-01-04",
        "2027-01-13",
        "2029-01-03",
    )
    assert (g["calendar"], g["makespan_days"], g["status"]) == ("calendar", 10, "optimal")
    assert g["plan_id"] == solved["plan_id"]
    tasks = {t["id"]: t for t in g["tasks"]}
    c = tasks["C"]  # Fibre: ES 5, EF 7, LS 6, LF 8 (calendar days from 2027-01-04)
    assert (c["es"], c["ef"], c["ls"], c["lf"]) == (
        "2027-01-09",
        "2027-01-10",
        "2027-01-10",
        "2027-01-11",
    )
    assert (c["total_float_days"], c["free_float_days"]) == (1, 1)
    assert tasks["A"]["demands"] == {"CREW": 1}
    assert tasks["B"]["demands"] == {}
    driving = [t for t in g["tasks"] if t["driving_links"]]
    assert driving, "the driving path has links"
    for t in driving:
        for link in t["driving_links"]:
            assert link["successor"] == t["id"] and link["kind"] in (
                "logic",
                "resource",
                "budget",
                "blackout",
                "constraint",
            )


def test_horizon_end_on_each_grid() -> None:
    from scheduler.timegrid import TimeGrid

    cal = {"plan_start": "2027-01-04", "calendar": "calendar", "horizon_days": 730}
    assert horizon_end(cal) == "2029-01-02"
    slots = TimeGrid(__import__("datetime").date(2027, 1, 4), "workdays-kr", 24).horizon
    kr = {"plan_start": "2027-01-04", "calendar": "workdays-kr", "horizon_days": slots}
    assert horizon_end(kr) == "2029-01-03"
    assert (
        horizon_end({"plan_start": "2027-01-04", "calendar": "custom", "horizon_days": 9}) is None
    )
    assert horizon_end({}) is None
    assert horizon_end({"plan_start": "bad", "calendar": "calendar", "horizon_days": 3}) is None
