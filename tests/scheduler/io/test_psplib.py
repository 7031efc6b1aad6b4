"""Tests of the PSPLIB reader and of the solver on j30 instances with known optima."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.psplib_io import read_j30_optima, read_psplib
from scheduler.solver import SolveOptions, solve
from tests import shared
from tests.checker import assert_feasible

SHARED = shared.SHARED
J30 = SHARED / "benchmarks" / "psplib" / "j30"


def instance_path(folder: Path, name: str) -> Path:
    path = folder / f"{name}.sm"
    if not path.exists():
        pytest.skip(f"PSPLIB instance not found: {path}")
    return path


@pytest.fixture(scope="module")
def optima() -> dict[str, int]:
    path = J30 / "j30opt.sm"
    if not path.exists():
        pytest.skip(f"j30 optima not found: {path}")
    return read_j30_optima(path)


def test_read_j30_optima(optima):
    assert len(optima) == 480
    assert optima["j301_1"] == 43
    assert optima["j3048_10"] == 54


def test_read_psplib_j301_1():
    plan = read_psplib(instance_path(J30, "j301_1"))
    assert [a.id for a in plan.activities[:3]] == ["1", "2", "3"]
    assert len(plan.activities) == 32
    assert plan.activities[0].duration == 0 and plan.activities[-1].duration == 0
    assert [r.capacity for r in plan.resources] == [12, 13, 4, 12]
    assert plan.objectives == ["makespan"]
    assert plan.grid.kind == "calendar"
    assert plan.horizon >= sum(a.duration for a in plan.activities)
    assert {(d.predecessor, d.successor) for d in plan.dependencies} >= {("1", "2"), ("2", "6")}
    assert all(d.type == "FS" and d.lag == 0 for d in plan.dependencies)
    second = plan.activities[1]
    assert second.duration == 8
    assert [(d.resource, d.amount) for d in plan.demands if d.activity == "2"] == [("R1", 4)]


# spread over the parameter sets 1..48
J30_CASES = [
    "j301_1",
    "j305_3",
    "j309_4",
    "j3010_1",
    "j3017_1",
    "j3021_5",
    "j3029_7",
    "j3033_8",
    "j3037_1",
    "j3041_5",
    "j3045_9",
    "j3046_3",
    "j3048_10",
]


@pytest.mark.parametrize("name", J30_CASES)
def test_j30_reaches_optimum(name, optima):
    plan = read_psplib(instance_path(J30, name))
    # repeatable, with four times the default CP-SAT work per second (some proofs need
    # about half a unit after the genetic algorithm) and a backstop a busy machine misses
    opts = SolveOptions(
        time_limit_s=5, workers=2, repeatable=True, dtime_per_second=0.2, wall_backstop=5
    )
    res = solve(plan, opts)
    assert res.status == "optimal"
    assert res.objective == optima[name]
    makespan = max(res.starts[a.id] + a.duration for a in plan.activities)
    assert makespan == optima[name]
    assert_feasible(plan, res.starts)


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        # one line of garbage: no section of the format at all
        ("garbage\n", "PRECEDENCE RELATIONS"),
        # the first 20 lines of a real j30 instance: cut inside the precedence table
        (None, "REQUESTS/DURATIONS"),
    ],
)
def test_malformed_sm_is_unreadable(tmp_path: Path, text: str | None, missing: str) -> None:
    from scheduler.errors import UnreadableFileError

    if text is None:
        full = instance_path(J30, "j3010_1").read_text(encoding="latin-1")
        text = "".join(full.splitlines(keepends=True)[:20])
    path = tmp_path / "bad.sm"
    path.write_text(text, encoding="latin-1")
    with pytest.raises(UnreadableFileError, match=f"bad.sm is not a PSPLIB .sm file: .*{missing}"):
        read_psplib(path)


def _mutated(tmp_path: Path, old: str, new: str) -> Path:
    """j3010_1.sm with one line changed (``old`` must occur once)."""
    src = shared.PSPLIB / "j30" / "j3010_1.sm"
    if not src.exists():
        pytest.skip(f"PSPLIB instance not found: {src}")
    text = src.read_text(encoding="latin-1")
    assert text.count(old) == 1, old
    out = tmp_path / "bad.sm"
    out.write_text(text.replace(old, new), encoding="latin-1")
    return out


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        (  # job 29 -> job 10 closes a cycle through 10 -> 22 -> ... -> 29
            "  29        1          1          32",
            "  29        1          2          32  10",
            "successors",
            "cyclic dependencies 10 → ",
        ),
        (
            "   9        1          1          10",
            "   9        1          1          77",
            "successors",
            "job 9: successor '77' is not an activity id",
        ),
        (
            "  2      1     2       1    2    4    0",
            "  2      1    -4       1    2    4    0",
            "duration",
            "job 2 has a negative duration (-4)",
        ),
        (
            "  2      1     2       1    2    4    0",
            "  2      1     2       1    2    4   99",
            "R 4",
            "job 2: activity '2' demands 99 of 'R4', above its capacity of",
        ),
    ],
)
def test_bad_sm_content_is_a_plan_error(tmp_path, old, new, column, message):
    from scheduler.errors import InvalidPlanError

    path = _mutated(tmp_path, old, new)
    with pytest.raises(InvalidPlanError) as info:
        read_psplib(path)
    (issue,) = info.value.issues
    assert issue.sheet == "bad.sm" and issue.column == column
    assert issue.message.startswith("bad.sm: " + message)
