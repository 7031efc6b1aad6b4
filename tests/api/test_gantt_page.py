"""The Gantt page: embedded data, the key form, and drawing in headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import CHROMIUM, LiveServer, chromium_dump_dom, tiny_xlsx
from tests.api.test_server import solve_on


def embedded_data(html: str) -> Any:
    m = re.search(r'<script id="gantt-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, "no data block in the page"
    return json.loads(m.group(1))


def test_page_with_key_embeds_the_gantt(client: TestClient, keys: dict, solved: dict) -> None:
    r = client.get(f"/schedules/{solved['id']}/gantt.html", headers=keys["ministry"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    data = embedded_data(r.text)
    assert [t["id"] for t in data["tasks"]] == ["A", "B", "D", "C"]  # grouped by project
    assert '<script src="/static/gantt.js">' in r.text
    assert "http://" not in r.text.replace("http://www.w3.org", "")  # nothing external


def test_page_without_key_is_a_shell_that_asks_for_it(client: TestClient, solved: dict) -> None:
    r = client.get(f"/schedules/{solved['id']}/gantt.html")
    assert r.status_code == 200
    assert embedded_data(r.text) is None
    assert 'id="key-form"' in r.text


def test_page_shell_is_the_same_for_any_id(client: TestClient, solved: dict) -> None:
    # without a key the page tells nothing about which schedules exist
    known = client.get(f"/schedules/{solved['id']}/gantt.html")
    unknown = client.get("/schedules/98765/gantt.html")
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert unknown.text.replace("98765", str(solved["id"])) == known.text


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-API-Key": "ip_wrong"}, 401),  # a wrong key is refused, not ignored
    ],
)
def test_page_with_a_bad_key(client: TestClient, solved: dict, headers: dict, status: int) -> None:
    assert (
        client.get(f"/schedules/{solved['id']}/gantt.html", headers=headers).status_code == status
    )


def css_rules(css: str) -> dict[str, str]:
    """Selector → declarations of a flat stylesheet (no nesting, no media queries)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        for sel in selectors.split(","):
            out[sel.strip()] = out.get(sel.strip(), "") + body
    return out


def test_header_and_names_stick_and_the_chart_scrolls_in_its_box(client: TestClient) -> None:
    rules = css_rules(client.get("/static/gantt.css").text)
    for sel, edge in [
        (".gantt-head-cell", "top: 0"),  # dates stay on top when scrolling down
        (".gantt-corner", "left: 0"),  # the corner stays put both ways
        (".gantt-labels-cell", "left: 0"),  # names stay left when scrolling right
    ]:
        assert "position: sticky" in rules[sel] and edge in rules[sel], sel
    # the chart is its own scroll box filling the rest of the viewport
    assert "overflow: auto" in rules[".gantt"] and "min-height: 0" in rules[".gantt"]
    assert "flex-direction: column" in rules["body"]


def test_legend_names_critical_and_driving(client: TestClient) -> None:
    html = client.get("/schedules/1/gantt.html").text
    legend = dict(re.findall(r'data-legend="([\w-]+)"><span class="swatch ([\w ]+)">', html))
    assert legend["critical"] == "critical" and legend["driving"] == "driving"
    rules = css_rules(client.get("/static/gantt.css").text)
    assert "border: 2px solid #111" in rules[".swatch.driving"]  # as the outline of .bar.driving
    assert "stroke: #111" in rules[".bar.driving"]


def test_key_is_removed_from_the_address_bar(client: TestClient) -> None:
    js = client.get("/static/gantt.js").text
    assert "history.replaceState(null" in js  # after reading #key=...


def test_static_assets_are_served(client: TestClient) -> None:
    js = client.get("/static/gantt.js")
    css = client.get("/static/gantt.css")
    assert js.status_code == 200 and "createElementNS" in js.text
    assert css.status_code == 200 and ".bar.critical" in css.text


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_chromium_draws_bars_arrows_and_critical_path(
    live_server: LiveServer, tmp_path: Path
) -> None:
    sid, body = solve_on(live_server, tiny_xlsx(tmp_path / "tiny.xlsx"))
    assert body["status"] == "optimal"
    url = f"{live_server.url}/schedules/{sid}/gantt.html#key={live_server.keys['ministry']}"
    out = chromium_dump_dom(url, tmp_path / "profile")
    dom = out.stdout
    assert 'data-rendered="true"' in dom, out.stderr[-2000:]
    bars = re.findall(r'<rect class="bar([^"]*)" data-id="([^"]+)"', dom)
    assert sorted(i for _, i in bars) == ["A", "B", "C", "D"]
    assert sorted(i for c, i in bars if "critical" in c.split()) == ["A", "B", "D"]
    arrows = re.findall(
        r'<path class="arrow( critical)?"[^>]*data-from="(\w+)" data-to="(\w+)"', dom
    )
    assert sorted((f, t) for _, f, t in arrows) == [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")]
    assert sorted((f, t) for c, f, t in arrows if c) == [("A", "B"), ("B", "D")]
    assert dom.count('class="project-bar"') == 2  # grouped by project
    # the date header and the activity column are drawn apart from the bars (sticky cells)
    head = re.search(r'<div class="gantt-head-cell"><svg class="gantt-head".*?</svg>', dom, re.S)
    assert head and "2027-01" in head.group(0)
    names = re.search(
        r'<div class="gantt-labels-cell"><svg class="gantt-labels".*?</svg>', dom, re.S
    )
    assert names and "Earthworks" in names.group(0) and "Road SEL-DJN" in names.group(0)
    assert re.findall(r'data-legend="([\w-]+)"', dom)[:3] == ["activity", "critical", "driving"]


def _progressed_tables() -> dict[str, list[dict[str, Any]]]:
    """The tiny plan with progress at data date 2027-01-11 (slot 7 from 2027-01-04).

    A (5 d) complete 2027-01-04 .. 2027-01-08; B (3 d) started 2027-01-09, 1 day left:
    its remaining work is 2027-01-11; D (2 d) after B: 2027-01-12 .. 2027-01-13.
    """
    from tests.api.conftest import tiny_tables

    tables = tiny_tables()
    tables["Settings"].append({"key": "data_date", "value": "2027-01-11"})
    tables["Progress"] = [
        {"activity": "A", "actual_start": "2027-01-04", "actual_finish": "2027-01-08"},
        {"activity": "B", "actual_start": "2027-01-09", "remaining_duration": 1},
    ]
    return tables


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_chromium_draws_actual_work_and_the_data_date(
    live_server: LiveServer, tmp_path: Path
) -> None:
    sid, body = solve_on(live_server, tiny_xlsx(tmp_path / "p.xlsx", _progressed_tables()))
    assert body["status"] == "optimal" and body["document"]["data_date"] == "2027-01-11"
    url = f"{live_server.url}/schedules/{sid}/gantt.html#key={live_server.keys['ministry']}"
    dom = chromium_dump_dom(url, tmp_path / "profile").stdout
    assert 'data-rendered="true"' in dom
    bar = {
        i: (float(x), float(w))
        for i, x, w in re.findall(
            r'<rect class="bar[^"-]*" data-id="(\w)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"',
            dom,
        )
    }
    done = {
        i: (float(x), float(w))
        for i, x, w in re.findall(
            r'<rect class="bar-actual" data-id="(\w)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"',
            dom,
        )
    }
    assert sorted(done) == ["A", "B"]  # C and D have not started
    px = bar["A"][1] / 5  # A: 5 days, all of them actual
    assert done["A"] == bar["A"]
    # B: its bar 2027-01-09 .. 2027-01-11 (3 days), 2 of them before the data date
    assert done["B"][0] == bar["B"][0] and abs(done["B"][1] - 2 * px) < 1e-6
    assert abs(bar["B"][1] - 3 * px) < 1e-6
    line = re.search(r'<line class="mark data-date" x1="([\d.]+)"', dom)
    assert line and abs(float(line.group(1)) - (bar["B"][0] + 2 * px)) < 1e-6
    assert "data date 2027-01-11" in dom
    assert re.search(r'data-legend="actual"(?! hidden)[^>]*>', dom)
