"""Issue 5 item 5: our CPM against the float and critical flags the tools computed."""

from __future__ import annotations

import pytest

from scheduler.importers import read_foreign
from scheduler.importers.mpp import mpp_available
from tests.shared import CHILLER, LINKS, MPP, TAKT, sample
from tools.agreement import compare

# file → (format, activities, relationships, compared, TF agree, critical agree, explained)
EXPECTED = {
    TAKT: ("xer", 25, 40, 25, 25, 25, {}),
    CHILLER: ("xer", 47, 62, 25, 24, 24, {"other-calendar": ["PCS-140"]}),
    LINKS: ("mspdi", 16, 8, 16, 14, 16, {"msp-start-links": ["11", "13"]}),
    MPP: ("mpp", 36, 154, 36, 36, 36, {}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_float_and_critical_agree_or_are_explained(name: str) -> None:
    fmt, n_act, n_rel, compared, tf_ok, crit_ok, explained = EXPECTED[name]
    if fmt == "mpp" and (reason := mpp_available()):
        pytest.skip(f"MPP not readable here: {reason}")
    result = compare(read_foreign(sample(name), fmt, name), name)
    assert result.unexplained == []
    assert (result.activities, result.relationships, result.compared) == (n_act, n_rel, compared)
    assert (result.tf_agree, result.critical_agree) == (tf_ok, crit_ok)
    assert result.explained == explained
