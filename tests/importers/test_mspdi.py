"""MSPDI reader and writer: the sample, hostile XML, bad links, round trip; MPP via MPXJ."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.cpm import compute_cpm
from scheduler.errors import InvalidPlanError, UnreadableFileError
from scheduler.importers.mpp import mpp_available, read_mpp
from scheduler.importers.mspdi import read_mspdi, write_mspdi
from scheduler.model import Plan
from scheduler.solution import Schedule
from tests.importers.conftest import LINKS, MPP, sample


@pytest.fixture(scope="module")
def links() -> Plan:
    return read_mspdi(sample(LINKS), LINKS)


def test_links_sample_types_and_lags(links: Plan) -> None:
    assert (len(links.activities), len(links.dependencies)) == (16, 8)
    assert links.plan_start == date(2018, 10, 18)
    got = {(d.predecessor, d.successor): (d.type, d.lag) for d in links.dependencies}
    assert got == {
        ("1", "2"): ("FS", 0),
        ("3", "4"): ("FS", 1),
        ("5", "6"): ("FS", 2),
        ("7", "8"): ("FS", 5),  # LinkLag 24000 tenths of minutes, LagFormat 9 (weeks) = 1 w
        ("9", "10"): ("FS", 10),
        ("11", "12"): ("SF", 2),
        ("13", "14"): ("SS", 2),
        ("15", "16"): ("FF", 2),
    }
    assert all(a.duration == 1 for a in links.activities)
    assert links.activities[8].extra["tool_critical"] is True


def _edit(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    return data.replace(old, new, 1)


@pytest.mark.parametrize(
    "prefix",
    [
        # an external entity (XXE)
        b'<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
        # a bare DOCTYPE
        b"<!DOCTYPE Project>\n",
    ],
)
def test_doctype_and_entities_are_refused(prefix: bytes) -> None:
    data = sample(LINKS)
    head, _, rest = data.partition(b"?>\n")
    with pytest.raises(UnreadableFileError, match="DOCTYPE"):
        read_mspdi(head + b"?>\n" + prefix + rest, "evil.xml")


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        # link type 7 does not exist (0 FF, 1 FS, 2 SF, 3 SS)
        (
            b"<Type>1</Type>\n\t\t\t\t<CrossProject>",
            b"<Type>7</Type>\n\t\t\t\t<CrossProject>",
            "Task 2: unknown link type '7'",
        ),
        # lag format 99 is no MSPDI unit
        (
            b"<LagFormat>7</LagFormat>",
            b"<LagFormat>99</LagFormat>",
            "Task 2: unknown lag format '99'",
        ),
        # a predecessor UID that is no task
        (
            b"<PredecessorUID>1</PredecessorUID>",
            b"<PredecessorUID>77</PredecessorUID>",
            "Task 2: predecessor UID 77 is not a task",
        ),
    ],
)
def test_bad_link_is_an_error_with_its_task(old: bytes, new: bytes, match: str) -> None:
    with pytest.raises(InvalidPlanError, match=match):
        read_mspdi(_edit(sample(LINKS), old, new), "bad.xml")


def test_not_xml_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError, match="not well-formed"):
        read_mspdi(b"<Project><Tasks>", "cut.xml")


def _cpm_schedule(plan: Plan) -> Schedule:
    cpm = compute_cpm(plan)
    starts = {a: t.es for a, t in cpm.times.items()}
    return Schedule(plan=plan, status="feasible", starts=starts, cpm=cpm)


@pytest.mark.parametrize("name", [LINKS, "xernative_TAKT_sample.xer"])
def test_write_then_read_gives_same_activities_links_and_dates(name: str, tmp_path: Path) -> None:
    from scheduler.importers import read_foreign

    fmt = "xer" if name.endswith(".xer") else "mspdi"
    plan = read_foreign(sample(name), fmt, name)
    schedule = _cpm_schedule(plan)
    out = write_mspdi(schedule, tmp_path / "plan.xml")
    back = read_mspdi(out.read_bytes(), "plan.xml")
    assert [(a.id, a.name, a.duration) for a in back.activities] == [
        (a.id, a.name, a.duration) for a in plan.activities
    ]
    key = lambda d: (d.predecessor, d.successor, d.type, d.lag)  # noqa: E731
    assert sorted(map(key, back.dependencies)) == sorted(map(key, plan.dependencies))
    grid = plan.grid
    for a in back.activities:
        s = schedule.starts[a.id]
        assert a.extra["start"] == grid.date_of(s).isoformat()
        assert a.extra["finish"] == grid.finish_date(s, s + a.duration).isoformat()
        assert a.extra["tool_critical"] == schedule.cpm.times[a.id].critical  # type: ignore[union-attr]
    assert back.plan_start == plan.plan_start
    assert [(r.id, r.capacity) for r in back.resources] == [
        (r.id, r.capacity) for r in plan.resources
    ]


def test_mpp_through_mpxj() -> None:
    reason = mpp_available()
    if reason:
        pytest.skip(f"MPP not readable here: {reason}")
    plan = read_mpp(sample(MPP), MPP)
    # 36 leaf tasks; 37 links of which 3 attach to summaries and are expanded to leaves
    assert len(plan.activities) == 36
    assert len(plan.dependencies) == 154
    assert any(d.lag == -15 for d in plan.dependencies)
