"""Three-point estimates read from files into :class:`scheduler.uncertainty.Uncertainty`."""

from __future__ import annotations

import pytest

from scheduler.importers.dslib import _estimate_days
from tests.shared import DSLIB


def test_dslib_bare_numbers_are_percent_of_the_baseline() -> None:
    assert _estimate_days(80, 15) == pytest.approx(12.0)
    assert _estimate_days("120", 15) == pytest.approx(18.0)
    assert _estimate_days("1w 2d", 15) == pytest.approx(7.0)  # a duration with a unit
    assert _estimate_days("soon", 15) is None


def test_dslib_risk_analysis_sheet_becomes_estimates() -> None:
    path = DSLIB / "C2011-05 Telecom System Agnes.xlsx"
    if not path.exists():
        pytest.skip(f"DSLIB sample not found at {path}")
    from scheduler.importers import read_plan

    plan = read_plan(path)
    assert plan.uncertainty is not None
    assert len(plan.uncertainty.estimates) == len(plan.activities) == 21
    est = plan.uncertainty.estimates["1"]  # 'order license', 24 h = 3 days, 80/100/120 %
    assert (est.optimistic, est.most_likely, est.pessimistic) == pytest.approx((2.4, 3.0, 3.6))
    assert est.distribution == "triangular"
