"""What the XER and MSPDI readers keep as the file wrote it (``Activity.extra``).

The health check (:mod:`scheduler.dcma`) counts constraints and relationships as the
tool had them, before the readers map them onto the plan (a completed predecessor's
lag dropped, a fractional lead rounded to 0, ``CS_MSO`` and ``CS_MANDSTART`` both a
fixed start). These tests pin the raw values on the shared samples.
"""

from __future__ import annotations

import pytest

from scheduler.importers.mspdi import read_mspdi
from scheduler.importers.xer import read_xer
from tests.shared import CHILLER, LINKS, sample


def test_xer_keeps_constraint_types_and_unrounded_lags() -> None:
    plan = read_xer(sample(CHILLER), CHILLER)
    a = {x.id: x for x in plan.activities}
    # TASK cstr_type as written: 2 CS_MEOB and 1 CS_MSOA in this file (SOURCES.md)
    constraints = sorted(
        (x.id, x.extra["constraint"]) for x in plan.activities if "constraint" in x.extra
    )
    assert constraints == [
        ("MILE-130", "CS_MEOB"),
        ("MILE-140", "CS_MEOB"),
        ("P-SB-E-10", "CS_MSOA"),
    ]
    # MILE-100 (complete) -> C-MOB-100: lag_hr_cnt 80 on an 8 h/day calendar; the plan
    # keeps a completed predecessor's lag (the progress rules anchor it on the actual
    # finish), and so does the raw link: 10 days
    dep = next(
        d for d in plan.dependencies if (d.predecessor, d.successor) == ("MILE-100", "C-MOB-100")
    )
    assert dep.lag == 10
    assert a["MILE-130"].extra["constraint_date"] == "2025-12-03"
    assert ("MILE-100", "FS", 10.0) in a["C-MOB-100"].extra["links"]  # type: ignore[operator]
    # one raw link per TASKPRED row between planned activities: 62
    assert sum(len(x.extra.get("links", [])) for x in plan.activities) == 62  # type: ignore[arg-type]
    # C-MOB-150 is in progress: target_drtn_hr_cnt 40 h / 8 = 5 days (plan: remaining 176 h)
    assert a["C-MOB-150"].extra["original_days"] == pytest.approx(5.0)
    assert a["C-MOB-150"].extra["actual_start"] == "2025-04-02T08:00"
    assert "actual_finish" not in a["C-MOB-150"].extra


def test_mspdi_keeps_constraint_codes_and_lags_in_days() -> None:
    plan = read_mspdi(sample(LINKS), LINKS)
    a = {x.id: x for x in plan.activities}
    # every task is As Soon As Possible (ConstraintType 0) in this file
    assert {x.extra["constraint"] for x in plan.activities} == {"0"}
    # Task 10 <- Task 9: LinkLag 48000 tenths of a minute, LagFormat 9 (weeks) = 2 w = 10 d
    assert a["10"].extra["links"] == [("9", "FS", 10.0)]
    assert a["12"].extra["links"] == [("11", "SF", 2.0)]
    assert a["1"].extra["original_days"] == 1.0
