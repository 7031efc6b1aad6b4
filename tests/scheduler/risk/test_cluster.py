"""Risk iterations on a Ray cluster give the numbers of this machine.

CI starts a local head (``ray start --head``) and sets ``INFRAPLAN_RAY_ADDRESS``;
elsewhere the test skips and says why.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from scheduler.risk import RiskOptions, analyse
from scheduler.uncertainty import RiskEvent
from tests.scheduler.risk.test_risk import _schedule, _two_on_one_crew

ADDRESS = os.environ.get("INFRAPLAN_RAY_ADDRESS")


@pytest.mark.skipif(not ADDRESS, reason="no Ray cluster: INFRAPLAN_RAY_ADDRESS is not set")
def test_ray_cluster_gives_the_local_numbers() -> None:
    plan, unc = _two_on_one_crew()
    unc.events.append(RiskEvent("R1", "rock", 0.3, ("A",), 1, 2, 4))  # and its tornado
    sched = _schedule(plan, {"A": 0, "B": 2})
    local = analyse(sched, RiskOptions(iterations=3000, seed=9), uncertainty=unc)
    remote = analyse(sched, RiskOptions(iterations=3000, seed=9, ray_address=ADDRESS), None, unc)
    assert np.array_equal(local.makespans, remote.makespans)
    assert remote.to_json()["makespan_days"] == local.to_json()["makespan_days"]
    assert remote.to_json()["risks"] == local.to_json()["risks"]
    assert local.events[0].p80_effect > 0


def test_ray_unreachable_is_a_sentence() -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    plan, unc = _two_on_one_crew()
    with pytest.raises(ValueError, match=r"cannot reach the Ray cluster at 127\.0\.0\.1:1"):
        analyse(
            _schedule(plan, {"A": 0, "B": 2}),
            RiskOptions(iterations=10, ray_address="127.0.0.1:1"),
            uncertainty=unc,
        )
