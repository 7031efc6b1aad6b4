"""Where the tests find the repository and the read-only ``../shared`` data beside it.

Every test that reads PSPLIB instances or real schedule files takes the paths from here and
skips visibly when the folder is absent (``../shared`` is not part of a clone).
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: The repository root.
REPO = Path(__file__).resolve().parents[1]
#: Read-only data beside the repository (benchmarks and samples; not committed).
SHARED = REPO.parent / "shared"
PSPLIB = SHARED / "benchmarks" / "psplib"
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
