"""The workspace and the Gantt in a real browser: Debian's Chromium driven by Playwright.

Playwright's Python package is pointed at the system browser (``executable_path``); it
downloads nothing. Each test waits on conditions in the page (an element, a status),
never on fixed sleeps. Screenshots (1600 x 1000) are kept as test artefacts under
``reports/screenshots/`` (git-ignored) or ``$INFRAPLAN_SCREENSHOTS``; the folder is
printed at the end of the run.
"""

from __future__ import annotations

import base64
import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from tests.api.conftest import CHROMIUM, TINY_NAME, LiveServer, tiny_tables, tiny_xlsx
from tests.shared import REPO

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium not installed (apt-get install chromium)"
    ),
    pytest.mark.skipif(
        sync_playwright is None, reason="playwright not installed (pip install -e '.[test]')"
    ),
]

VIEWPORT = {"width": 1600, "height": 1000}
#: Long enough for a loaded machine; every wait ends as soon as its condition holds.
WAIT_MS = 120_000
SAMPLE = REPO / "data" / "national_plan.xlsx"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None and CHROMIUM is not None
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def shots(request: pytest.FixtureRequest) -> Iterator[Path]:
    """The screenshot folder of this run (printed at the end)."""
    folder = Path(os.environ.get("INFRAPLAN_SCREENSHOTS") or REPO / "reports" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"browser screenshots: {folder}")


class Watch:
    """What a page did: the addresses it asked for, its errors, its console."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))

    def check(self, key: str) -> None:
        assert not self.errors, self.errors
        assert not [u for u in self.urls if key in u], "the key went into an address"
        bad = [c for c in self.console if "Content Security Policy" in c or "Refused" in c]
        assert not bad, bad
        assert not [
            u for u in self.urls if not u.startswith(("http://127.0.0.1", "blob:", "data:"))
        ]


def new_page(browser: Browser) -> tuple[Page, Watch]:
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(WAIT_MS)
    return page, Watch(page)


def broken_tables() -> dict[str, Any]:
    tables = tiny_tables()
    tables["Activities"][1]["duration"] = "three"  # B, sheet row 3
    tables["Dependencies"][3]["predecessor"] = "Z"  # C → D, sheet row 5
    return tables


def drop_file(page: Page, selector: str, name: str, data: bytes) -> None:
    """Drop ``data`` as a file named ``name`` on ``selector`` (a real drop event)."""
    dt = page.evaluate_handle(
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name));
            return dt;
        }""",
        [name, base64.b64encode(data).decode()],
    )
    page.dispatch_event(selector, "dragenter", {"dataTransfer": dt})
    page.dispatch_event(selector, "drop", {"dataTransfer": dt})


def in_viewport(page: Page, selector: str) -> list[str]:
    """``data-id`` of the elements matching ``selector`` that are drawn in the viewport."""
    return page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel)).filter(e => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.bottom > 0 && r.right > 0 &&
                   r.top < window.innerHeight && r.left < window.innerWidth;
        }).map(e => e.getAttribute('data-id'))""",
        selector,
    )


def test_upload_fix_solve_gantt_download(
    live_server: LiveServer, browser: Browser, shots: Path, tmp_path: Path
) -> None:
    key = live_server.keys["planner"]
    page, watch = new_page(browser)
    page.goto(f"{live_server.url}/#key={key}")
    # the key is read, kept for the tab, and gone from the address bar
    page.wait_for_selector("#drop-zone")
    assert "key=" not in page.url
    assert page.evaluate("sessionStorage.getItem('infraplan-key')") == key

    # 1. a broken copy: the validation result is a table, each place opens its cell
    broken = tmp_path / "broken.xlsx"
    tiny_xlsx(broken, broken_tables())
    page.set_input_files("#file-input", str(broken))
    page.wait_for_selector("#issue-table tbody tr")
    rows = page.eval_on_selector_all(
        "#issue-table tbody tr",
        "trs => trs.map(tr => Array.from(tr.cells).slice(1, 4).map(td => td.textContent))",
    )
    assert ["Activities", "3", "duration"] in rows
    assert ["Dependencies", "5", "predecessor"] in rows
    messages = page.eval_on_selector_all(
        "#issue-table td.msg", "tds => tds.map(t => t.textContent)"
    )
    assert any("'three'" in m for m in messages), messages
    page.wait_for_function(
        "Array.from(document.querySelectorAll('a.place')).some(a => a.textContent.includes('!'))"
    )
    place = page.locator("a.place", has_text=re.compile(r"^Activities!"))
    assert place.inner_text() == "Activities!G3"  # duration is column G of the tiny workbook
    page.screenshot(path=shots / "01-validation-errors.png")
    place.click()
    page.wait_for_selector("#preview .hit-cell")
    assert page.inner_text("#preview .hit-cell") == "three"
    assert page.inner_text("#preview h3").startswith("Activities!G3")
    page.screenshot(path=shots / "02-error-at-its-cell.png", full_page=True)

    # 2. the fixed workbook, dropped on the zone
    drop_file(page, "#drop-zone", "tiny.xlsx", tiny_xlsx(tmp_path / "tiny.xlsx"))
    page.wait_for_selector("#open-plan")
    assert "is valid" in page.inner_text("#upload-result h2")
    new_id = page.get_attribute("#open-plan", "href").rsplit("/", 1)[-1]
    # the plans table below shows the new plan without a reload
    page.wait_for_selector(f"#plans-table a.plan-link[href='#/plans/{new_id}']")
    page.click("#open-plan")

    # 3. solve with live progress
    page.wait_for_selector("#solve-form")
    assert page.inner_text("#plan-title") == TINY_NAME
    page.fill("#time-limit", "2")
    page.select_option("#objective", "makespan")
    page.click("#solve-button")
    page.wait_for_selector("#progress-chart svg")
    page.wait_for_selector("#progress-chart path[data-series='obj']", state="attached")
    page.wait_for_selector("#open-gantt")
    status = page.inner_text("#progress-status")
    assert status.startswith("Version 1 optimal: finish 2027-01-13 (10 days)"), status
    page.wait_for_selector("#versions-table td.v-1 .status-tag.optimal")
    table = page.inner_text("#versions-table")
    assert "2027-01-13" in table and "10 d" in table and "makespan = 10" in table
    page.screenshot(path=shots / "03-solved-with-progress.png", full_page=True)

    # 4. downloads: report, JSON, MS Project XML, the original upload
    with page.expect_download() as d:
        page.click("#versions-table td.v-1 [data-download=report]")
    report = d.value
    assert report.suggested_filename == f"{TINY_NAME}-v1.xlsx"
    path = tmp_path / "report.xlsx"
    report.save_as(path)
    wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    assert {"Summary", "Schedule", "Gantt", "Critical path"} <= set(wb.sheetnames)
    with page.expect_download() as d:
        page.click("#versions-table td.v-1 [data-download=mspdi]")
    assert d.value.suggested_filename == f"{TINY_NAME}-v1.xml"
    d.value.save_as(tmp_path / "plan.xml")
    assert b"<Project" in (tmp_path / "plan.xml").read_bytes()
    with page.expect_download() as d:
        page.click("#versions-table td.v-1 [data-download=json]")
    d.value.save_as(tmp_path / "v1.json")
    assert b'"makespan_days":10' in (tmp_path / "v1.json").read_bytes().replace(b" ", b"")
    with page.expect_download() as d:
        page.click("#download-upload")
    assert d.value.suggested_filename == "tiny.xlsx"

    # 5. the Gantt: the critical bars in the first screen, links on hover, panel on click
    page.click("#open-gantt")
    page.wait_for_selector("#gantt[data-rendered=true]")
    assert sorted(in_viewport(page, ".bar.critical")) == ["A", "B", "D"]
    assert page.locator(".arrow[data-on]").count() == 0  # no links until asked for
    page.hover(".task[data-id=B] .bar")
    page.wait_for_selector(".arrow[data-on][data-to=B]")
    page.screenshot(path=shots / "04-gantt-first-screen.png")
    page.click(".task[data-id=C] .bar")
    page.wait_for_selector("#panel:not([hidden]) .panel-id")
    assert page.inner_text("#panel h2") == "Fibre"
    facts = page.eval_on_selector_all(
        "#panel dt",
        "ds => Object.fromEntries(ds.map(d => [d.textContent, d.nextElementSibling.textContent]))",
    )
    # the two floats are named apart: the logic network's and the solved plan's (C runs at
    # its early start and nothing but logic holds it, so both are 1 day)
    assert facts["Total float (logic)"] == "1 day", facts
    assert facts["Plan float (leveled)"] == "1 day", facts
    assert facts["Free float (logic)"] == "1 day", facts
    legend = page.inner_text("[data-legend=float]")
    assert legend == "float: total (logic) · plan (leveled)"
    assert facts["Early (ES → EF)"] == "2027-01-09 → 2027-01-10"
    assert facts["Late (LS → LF)"] == "2027-01-10 → 2027-01-11"
    page.screenshot(path=shots / "05-gantt-activity-panel.png")
    page.click("#home")
    page.wait_for_selector("#versions-table")
    watch.check(key)


def test_sample_gantt_shows_the_critical_path_without_scrolling(
    live_server: LiveServer, browser: Browser, shots: Path
) -> None:
    key = live_server.keys["planner"]
    h = {"X-API-Key": key}
    with httpx.Client(base_url=live_server.url, timeout=60, headers=h) as c:
        r = c.post("/plans", files={"file": ("national_plan.xlsx", SAMPLE.read_bytes())})
        assert r.status_code == 201, r.text
        r = c.post(f"/plans/{r.json()['id']}/schedules", json={"time_limit_s": 10})
        assert r.status_code == 202, r.text
        sid = r.json()["id"]
        deadline = time.monotonic() + 300  # a bound for a stuck solve, not a wait
        while (body := c.get(f"/schedules/{sid}").json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, body["status"]
            time.sleep(0.2)
    assert body["status"] in ("optimal", "feasible"), body
    page, watch = new_page(browser)
    page.goto(f"{live_server.url}/schedules/{sid}/gantt.html#key={key}")
    page.wait_for_selector("#gantt[data-rendered=true]")
    critical = {i for c in body["document"]["critical_path"] for i in c}
    # flagged driving: plan float 0 on the driving path or a slip that moves the finish
    # (Schedule.activity_rows); the budget steps of driving_path with plan float are not
    driving = {a["id"] for a in body["document"]["activities"] if a["driving"]}
    # too long for the window: it opens on the critical and driving paths, and says so
    assert page.is_checked("#critical-only")
    assert set(in_viewport(page, ".bar.critical, .milestone.critical")) == critical
    assert set(in_viewport(page, ".bar.driving, .milestone.driving")) == driving
    assert page.locator(".task").count() == len(critical | driving)
    assert page.locator(".project-bar").count() == 24  # every project still as its bar
    # the plan's finish, the 24-month horizon end, and the zoom fits the plan in the window
    assert page.text_content(".mark-label.finish") == "finish " + body["document"]["finish"]
    assert page.text_content(".mark-label.horizon") == "horizon end 2028-12-31"
    scroll = page.evaluate("[gantt.scrollWidth, gantt.clientWidth]")
    assert scroll[0] <= scroll[1], scroll
    page.screenshot(path=shots / "06-sample-gantt-first-screen.png")
    # every activity, a project opened from its bar, the week zoom, jump to critical
    page.uncheck("#critical-only")
    assert page.locator(".task").count() == 231
    page.click("#toggle-groups")
    assert page.locator(".task").count() == 0
    page.click(".row-label.group >> nth=0")
    assert page.locator(".task").count() > 0
    page.click("[data-zoom=week]")
    page.click("#jump-critical")
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel .panel-id") in critical
    assert in_viewport(page, ".task[data-selected] .bar") != []
    page.screenshot(path=shots / "07-sample-gantt-week-jump.png")
    page.click("[data-zoom=quarter]")
    page.keyboard.press("Escape")
    page.wait_for_selector("#panel", state="hidden")
    page.click("#toggle-groups")
    # A3 landscape print
    page.click("[data-zoom=fit]")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert sizes and all(
        abs(float(w) - 1190.55) < 2 and abs(float(h) - 841.89) < 2 for w, h in sizes
    ), sizes[:3]
    (shots / "08-sample-gantt-a3.pdf").write_bytes(pdf)
    watch.check(key)


def test_hostile_project_name_does_not_blank_the_page(
    live_server: LiveServer, browser: Browser, shots: Path
) -> None:
    key = live_server.keys["planner"]
    tables = tiny_tables()
    for row in tables["Activities"]:
        row["project"] = "<!--<script>"
    h = {"X-API-Key": key}
    with httpx.Client(base_url=live_server.url, timeout=60, headers=h) as c:
        r = c.post("/plans", json={"tables": tables})
        assert r.status_code == 201, r.text
        r = c.post(f"/plans/{r.json()['id']}/schedules", json={"time_limit_s": 2})
        sid = r.json()["id"]
        deadline = time.monotonic() + 300
        while c.get(f"/schedules/{sid}").json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    page, watch = new_page(browser)
    # with the key as a header the data is embedded in the page itself
    page.set_extra_http_headers({"X-API-Key": key})
    page.goto(f"{live_server.url}/schedules/{sid}/gantt.html")
    page.wait_for_selector("#gantt[data-rendered=true]")
    label = page.eval_on_selector(".row-label.group", "e => e.firstChild.nodeValue")
    assert label == "▾ <!--<script>"
    assert sorted(in_viewport(page, ".bar.critical")) == ["A", "B", "D"]
    page.screenshot(path=shots / "09-hostile-project-name.png")
    watch.check(key)


def test_key_typed_once_then_kept_for_the_tab(
    live_server: LiveServer, browser: Browser, shots: Path
) -> None:
    key = live_server.keys["ministry"]
    page, watch = new_page(browser)
    page.goto(live_server.url + "/")
    page.wait_for_selector("#key-view:not([hidden])")
    assert not page.is_visible("#who") and not page.is_visible("#forget-key")
    page.screenshot(path=shots / "00-key.png")
    page.fill("#key-input", "ip_wrong")
    page.click("#key-form button")
    page.wait_for_selector("#key-error:has-text('unknown or revoked API key')")
    page.fill("#key-input", key)
    page.click("#key-form button")
    page.wait_for_selector("#plans-table, #plans-loading, .card p.muted")
    assert page.is_visible("#who") and page.inner_text("#who-key") == f"key {key[:10]}…"
    page.reload()  # kept for the tab: no second prompt
    page.wait_for_selector("#drop-zone")
    assert not page.is_visible("#key-view")
    page.click("#forget-key")
    page.wait_for_selector("#key-view:not([hidden])")
    assert page.evaluate("sessionStorage.getItem('infraplan-key')") is None
    watch.check(key)
