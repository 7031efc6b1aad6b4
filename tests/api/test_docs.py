"""The API reference at /docs works offline: every asset is served by the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import CHROMIUM, LiveServer, chromium_dump_dom


def asset_urls(html: str) -> list[str]:
    """Every URL the page loads: src, href and the OpenAPI url of SwaggerUIBundle."""
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    urls += re.findall(r"url:\s*'([^']+)'", html)
    return urls


def test_docs_use_only_local_assets(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    urls = asset_urls(r.text)
    assert sorted(urls) == [
        "/openapi.json",
        "/static/swagger-ui-bundle.js",
        "/static/swagger-ui-favicon.png",
        "/static/swagger-ui.css",
    ]
    assert "cdn." not in r.text and "https://" not in r.text
    for url in urls:
        got = client.get(url)
        assert got.status_code == 200, url
        assert len(got.content) > 100, url
    assert "SwaggerUIBundle" in client.get("/static/swagger-ui-bundle.js").text
    assert "Apache License" in client.get("/static/swagger-ui.LICENSE").text


def test_redoc_is_off(client: TestClient) -> None:
    # ReDoc would load from a CDN; /docs is the one reference
    assert client.get("/redoc").status_code == 404


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_chromium_renders_the_operations(live_server: LiveServer, tmp_path: Path) -> None:
    out = chromium_dump_dom(f"{live_server.url}/docs", tmp_path / "profile")
    dom = out.stdout
    assert 'class="swagger-ui' in dom, out.stderr[-2000:]
    ops = set(re.findall(r'data-path="([^"]+)"', dom))
    assert {"/plans", "/plans/{plan_id}/schedules", "/schedules/{schedule_id}/gantt"} <= ops, ops
    assert "opblock opblock-get" in dom and "opblock opblock-post" in dom
