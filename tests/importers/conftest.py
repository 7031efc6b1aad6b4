"""Shared fixtures of the importer tests: the sample folders beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SCHEDULES = SHARED / "samples" / "schedules"
DSLIB = SHARED / "samples" / "dslib"
TAKT = "xernative_TAKT_sample.xer"
CHILLER = "schedule-analytics_BL-54069-B2-20250902.xer"
LINKS = "mpxj_task-links-project2019.mspdi.xml"
MPP = "projectlibre_New_Product.mpp"


def sample(name: str) -> bytes:
    """Bytes of a schedule sample, or skip visibly when the shared folder is absent."""
    path = SCHEDULES / name
    if not path.exists():
        pytest.skip(f"sample schedules not found: {path}")
    return path.read_bytes()
