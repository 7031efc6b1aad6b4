"""The risk page: served with the pages' policy, linked from the workspace and the Gantt,
and in Debian's Chromium: run a risk job, follow its progress, read P50/P80, the
probability within the horizon, the histogram and the tornado (inline SVG).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.routes.pages import CSP
from tests.api.conftest import CHROMIUM, LiveServer
from tests.api.test_risk import risky_tables
from tests.shared import REPO

STATIC = REPO / "api" / "static"


def test_the_page_is_served_with_the_pages_policy(client: TestClient) -> None:
    r = client.get("/schedules/12/risk.html")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    html = r.text
    assert 'data-schedule-id="12"' in html
    assert '<script src="/static/risk.js"></script>' in html
    assert "<script>" not in html  # no inline script
    assert 'href="/schedules/12/gantt.html"' in html
    # every asset from this server, none from elsewhere
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith(("/", "data:")) for a in assets), assets
    for name in ("risk.js", "risk.css"):
        assert client.get(f"/static/{name}").status_code == 200
    js = (STATIC / "risk.js").read_text(encoding="utf-8")
    assert "http://" not in js.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in js


def test_the_page_checks_the_schedule_id(client: TestClient) -> None:
    assert client.get("/schedules/0/risk.html").status_code == 422


def test_the_workspace_and_the_gantt_link_to_the_risk_page(client: TestClient) -> None:
    assert "/risk.html" in (STATIC / "workspace.js").read_text(encoding="utf-8")
    gantt = client.get("/schedules/5/gantt.html").text
    assert 'href="/schedules/5/risk.html"' in gantt


try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None  # type: ignore[assignment]


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
@pytest.mark.skipif(sync_playwright is None, reason="playwright not installed")
def test_run_a_risk_job_in_the_browser(live_server: LiveServer, tmp_path: Path) -> None:
    key = live_server.keys["planner"]
    with httpx.Client(base_url=live_server.url, timeout=60, headers={"X-API-Key": key}) as c:
        r = c.post("/plans", json={"tables": risky_tables()})
        assert r.status_code == 201, r.text
        r = c.post(f"/plans/{r.json()['id']}/schedules", json={"time_limit_s": 2})
        sid = r.json()["id"]
        deadline = time.monotonic() + 300  # a bound for a stuck solve, not a wait
        while (body := c.get(f"/schedules/{sid}").json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, body["status"]
            time.sleep(0.1)
    assert body["status"] == "optimal", body
    assert sync_playwright is not None and CHROMIUM is not None
    errors: list[str] = []
    urls: list[str] = []
    console: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(180_000)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: urls.append(r.url))
            page.on("console", lambda m: console.append(m.text))
            page.goto(f"{live_server.url}/schedules/{sid}/risk.html#key={key}")
            page.wait_for_selector("#message:has-text('No risk analysis')")
            assert "key=" not in page.url  # the fragment is taken off the address bar
            page.fill("#run-iterations", "3000")
            page.fill("#run-seed", "5")
            page.click("#run-button")
            page.wait_for_selector("#progress:not([hidden])")
            page.wait_for_selector("#fig-p80")
            assert page.text_content("#fig-p50") == "2027-01-28 (25 days)"
            assert page.text_content("#fig-p80") == "2027-02-07 (35 days)"
            within = page.text_content("#fig-within") or ""
            share = float(within.split(" %")[0])
            assert 66 <= share <= 74, within  # 70 % by hand
            assert page.locator("#histogram-svg rect.bar").count() >= 2
            assert page.locator("#histogram-svg polyline.cumulative").count() == 1
            assert page.locator("#tornado-svg rect.risk-bar[data-risk=R]").count() == 1
            assert "done" in (page.text_content("#message") or "")
            shots = REPO / "reports" / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "risk-page.png"), full_page=True)
            with page.expect_download() as dl:
                page.click("#report-button")
            assert dl.value.suggested_filename.endswith(".xlsx")
        finally:
            browser.close()
    assert not errors, errors
    assert not [u for u in urls if key in u], "the key went into an address"
    assert not [u for u in urls if not u.startswith(("http://127.0.0.1", "blob:", "data:"))]
    assert not [c for c in console if "Content Security Policy" in c or "Refused" in c]
