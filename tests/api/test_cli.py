"""``python -m api keys create`` and the report's Content-Disposition."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from api.db import ApiKey, Database
from api.routes.schedules import content_disposition


def test_keys_create_prints_the_key_once_and_stores_its_hash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    out = subprocess.run(
        [sys.executable, "-m", "api", "keys", "create", "--role", "admin", "--name", "first admin"],
        env={**os.environ, "INFRAPLAN_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = out.stdout.split()
    assert len(lines) == 1 and lines[0].startswith("ip_")
    db = Database(url, pooled=False)
    with db.session() as s:
        row = s.scalars(select(ApiKey)).one()
        assert (row.role, row.name) == ("admin", "first admin")
        assert row.key_hash == hashlib.sha256(lines[0].encode()).hexdigest()
    db.dispose()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # all Korean: ASCII fallback name, UTF-8 name in filename*
        (
            "국가-v1.xlsx",
            'attachment; filename="schedule-1-v1.xlsx"; '
            "filename*=UTF-8''%EA%B5%AD%EA%B0%80-v1.xlsx",
        ),
        # plain ASCII keeps its name in both
        (
            "Plan A-v1.xlsx",
            "attachment; filename=\"Plan_A-v1.xlsx\"; filename*=UTF-8''Plan%20A-v1.xlsx",
        ),
        # quotes, slashes and control characters never reach the header
        (
            'a"b/c\r\nd-v1.xlsx',
            "attachment; filename=\"a_b_c_d-v1.xlsx\"; filename*=UTF-8''a_b_c_d-v1.xlsx",
        ),
    ],
)
def test_content_disposition(name: str, expected: str) -> None:
    assert content_disposition(name, "schedule-1-v1.xlsx") == expected
