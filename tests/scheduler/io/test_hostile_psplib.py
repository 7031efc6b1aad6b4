"""PSPLIB ``.sm`` files with huge numbers or other problem kinds: plan errors naming the job.

Before: a 10^11-day duration died building the time grid ("year 297621074 is out of
range"), a capacity of 10^20 reached the solver, a multi-mode or non-renewable file
raised a bare ValueError.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.errors import InvalidPlanError
from scheduler.psplib_io import read_psplib
from tests.scheduler.io.hostile import fixture

JOB3 = "  3      1     4       1    2"


CASES = [
    # (old, new, column, message start after "bad.sm: ")
    (
        JOB3,
        "  3      1     99999999999       1    2",
        "duration",
        "job 3 has a duration of 1e+11 days, longer than any plan (at most 36,525 days, 100 years)",
    ),
    (
        "    3    2\n*",
        "    100000000000000000000    2\n*",
        "R 1",
        "R 1 has a capacity of 1e+20, not between 0 and 1,000,000",
    ),
    (
        # jobs of 30,000 days: each fits, their sum (the horizon) does not
        "  2      1     3       2    1\n  3      1     4 ",
        "  2      1     30000       2    1\n  3      1     30000 ",
        "duration",
        "the durations add up to 60,002 days, longer than any plan",
    ),
]


@pytest.mark.parametrize(("old", "new", "column", "message"), CASES)
def test_bad_numbers_are_plan_errors_with_their_job(
    tmp_path: Path, old: str, new: str, column: str, message: str
) -> None:
    text = fixture("hostile_base.sm").decode()
    assert text.count(old) == 1, old
    path = tmp_path / "bad.sm"
    path.write_text(text.replace(old, new))
    with pytest.raises(InvalidPlanError) as err:
        read_psplib(path)
    (issue,) = err.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("bad.sm", None, column)
    assert issue.message.startswith(f"bad.sm: {message}"), issue.message


def test_a_demand_above_capacity_is_the_plan_check_naming_the_job(tmp_path: Path) -> None:
    # the plan's checks (scheduler.checks) say it as for every format, at the job
    text = fixture("hostile_base.sm").decode()
    old, new = "  2      1     3       2    1", "  2      1     3       2000000000000    1"
    assert text.count(old) == 1, old
    path = tmp_path / "bad.sm"
    path.write_text(text.replace(old, new))
    with pytest.raises(InvalidPlanError) as err:
        read_psplib(path)
    (issue,) = err.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("bad.sm", 2, "R 1")
    assert issue.message == (
        "bad.sm: job 2: activity '2' demands 2000000000000 of 'R1', above its capacity of 3 per day"
    )


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ("nonrenewable", "R 2", "resource 2 is not renewable; only renewable resources are read"),
        ("two modes", "modes", "job 3 has 2 modes; only single-mode files are read"),
    ],
)
def test_other_instance_kinds_are_plan_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, column: str, message: str
) -> None:
    # the .sm parser makes neither; a file the parser reads as such was a bare ValueError
    import psplib

    path = tmp_path / "kind.sm"
    path.write_bytes(fixture("hostile_base.sm"))
    inst = psplib.parse(str(path), instance_format="psplib")
    if change == "nonrenewable":
        inst.resources[1].renewable = False
    else:
        inst.activities[2].modes.append(inst.activities[2].modes[0])
    monkeypatch.setattr(psplib, "parse", lambda *_a, **_k: inst)
    with pytest.raises(InvalidPlanError) as err:
        read_psplib(path)
    (issue,) = err.value.issues
    assert (issue.column, issue.message) == (column, f"kind.sm: {message}")
