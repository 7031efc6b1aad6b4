"""MSPDI reader and writer: the sample, hostile XML, bad links, round trip; MPP via MPXJ."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest

from scheduler.cpm import compute_cpm
from scheduler.errors import InvalidPlanError, UnreadableFileError
from scheduler.exporters.mspdi import write_mspdi
from scheduler.importers.mpp import mpp_available, read_mpp
from scheduler.importers.mspdi import read_mspdi
from scheduler.model import Activity, Blackout, Demand, Dependency, Plan, Resource
from scheduler.solution import Schedule
from scheduler.timegrid import TimeGrid
from tests.shared import LINKS, MPP, sample


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
            r"bad.xml: PredecessorLink line \d+: Task 2 \(UID 2, 'Task 2'\): unknown link type '7'",
        ),
        # lag format 99 is no MSPDI unit
        (
            b"<LagFormat>7</LagFormat>",
            b"<LagFormat>99</LagFormat>",
            r"bad.xml: PredecessorLink line \d+: Task 2 \(UID 2, 'Task 2'\): "
            "unknown lag format '99'",
        ),
        # a predecessor UID that is no task
        (
            b"<PredecessorUID>1</PredecessorUID>",
            b"<PredecessorUID>77</PredecessorUID>",
            r"bad.xml: PredecessorLink line \d+: Task 2 \(UID 2, 'Task 2'\): predecessor UID '77' "
            "is not an activity id",
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
        # a milestone is a finish milestone on the day before its slot (finish_date)
        first_day = grid.finish_date(s, s) if a.duration == 0 and s > 0 else grid.date_of(s)
        assert a.extra["start"] == first_day.isoformat()
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


def _delayed_plan() -> Plan:
    """Seven activities on a workdays-kr grid from Mon 2027-01-04, each delayed differently.

    A (5 d) → B (3 d, release slot 10, due slot 30); C (4 d) under a blackout of
    slots [0, 8); D and E (5 d each) share one crew of 1, so one waits; G (2 d) fixed
    at slot 3; milestone F after B, C, D, E and G.
    """
    grid = TimeGrid(date(2027, 1, 4), "workdays-kr", horizon_months=12)
    acts = [
        Activity("A", "earthworks", 5),
        Activity("B", "paving", 3, release=10, due=30),
        Activity("C", "bridge deck", 4),
        Activity("D", "drainage", 5),
        Activity("E", "kerbs", 5),
        Activity("G", "survey", 2, fixed_start=3),
        Activity("F", "handover", 0),
    ]
    deps = [Dependency("A", "B", "FS", 0)] + [Dependency(x, "F", "FS", 0) for x in "BCDEG"]
    return Plan(
        "delays",
        grid,
        acts,
        deps,
        resources=[Resource("CREW", 1)],
        demands=[Demand("D", "CREW", 1), Demand("E", "CREW", 1)],
        blackouts=[Blackout("C", 0, 8, "closure")],
    )


def _task(root: Element, name: str) -> Element:
    for t in root.iter("{http://schemas.microsoft.com/project}Task"):
        if t.findtext("{http://schemas.microsoft.com/project}Name") == name:
            return t
    raise AssertionError(name)


def test_export_keeps_solved_dates_as_constraints(tmp_path: Path) -> None:
    from scheduler.planner import plan_schedule
    from scheduler.solver import SolveOptions

    plan = _delayed_plan()
    opts = SolveOptions(time_limit_s=5, workers=2)
    first = plan_schedule(plan, opts)
    assert first.status == "optimal"
    # release, blackout, fixed start and crew each delay their activity
    assert (first.starts["B"], first.starts["C"], first.starts["G"]) == (10, 8, 3)
    assert sorted((first.starts["D"], first.starts["E"])) == [0, 5]
    assert first.starts["F"] == 13
    out = write_mspdi(first, tmp_path / "e.xml")

    import defusedxml.ElementTree as DET

    ns = "{http://schemas.microsoft.com/project}"
    root = DET.fromstring(out.read_bytes())
    kinds = {
        n: (
            _task(root, n).findtext(f"{ns}ConstraintType"),
            _task(root, n).findtext(f"{ns}ConstraintDate"),
        )
        for n in ("paving", "bridge deck", "survey", "handover")
    }
    assert kinds == {
        "paving": ("4", "2027-01-18T08:00:00"),  # start no earlier than (slot 10)
        "bridge deck": ("4", "2027-01-14T08:00:00"),  # after the blackout (slot 8)
        "survey": ("2", "2027-01-07T08:00:00"),  # must start on (fixed, slot 3)
        "handover": ("4", "2027-01-20T17:00:00"),  # finish milestone: end of slot 12
    }
    assert _task(root, "paving").findtext(f"{ns}Deadline") == "2027-02-16T17:00:00"

    back = read_mspdi(out.read_bytes(), "e.xml")
    by_id = {a.id: a for a in back.activities}
    # the due date comes back as MS Project reads a Deadline: a soft one
    assert (by_id["B"].release, by_id["B"].deadline, by_id["G"].fixed_start) == (10, 30, 3)
    assert by_id["F"].release == 13  # 17:00 on slot 12's day = from slot 13 on
    again = plan_schedule(back, opts)
    assert again.starts == first.starts
    assert again.ends() == first.ends()


def test_milestone_is_written_on_the_report_date(tmp_path: Path) -> None:
    plan = _delayed_plan()
    starts = {"A": 0, "B": 10, "C": 8, "D": 0, "E": 5, "G": 3, "F": 13}
    schedule = Schedule(plan=plan, status="feasible", starts=starts, cpm=compute_cpm(plan))
    out = write_mspdi(schedule, tmp_path / "m.xml")
    ns = "{http://schemas.microsoft.com/project}"
    import defusedxml.ElementTree as DET

    f = _task(DET.fromstring(out.read_bytes()), "handover")
    report_day = plan.grid.finish_date(13, 13)
    assert report_day == date(2027, 1, 20)  # Wed: B works slots 10-12 = Jan 18-20
    assert f.findtext(f"{ns}Start") == f.findtext(f"{ns}Finish") == "2027-01-20T17:00:00"
    assert f.findtext(f"{ns}Milestone") == "1"


# hostile_base.xml: start Mon 2026-01-05; Clear site (40 h = 5 d) FS Excavate (80 h = 10 d,
# slots [5, 15)). The edit gives Excavate one constraint (or a Deadline).
_EXCAVATE = b"<Duration>PT80H0M0S</Duration>"


@pytest.mark.parametrize(
    ("fields", "release", "deadline", "tf"),
    [
        # 5 start no later than Thu 01-08 (slot 3): LF <= 3 + 10 = 13 -> TF -2
        (
            "<ConstraintType>5</ConstraintType><ConstraintDate>2026-01-08T08:00:00</ConstraintDate>",
            None,
            13,
            -2,
        ),
        # 7 finish no later than Tue 01-20 (ends slot 12) -> TF 12 - 15 = -3
        (
            "<ConstraintType>7</ConstraintType><ConstraintDate>2026-01-20T17:00:00</ConstraintDate>",
            None,
            12,
            -3,
        ),
        # a Deadline on Tue 01-20 is the same soft limit
        ("<Deadline>2026-01-20T17:00:00</Deadline>", None, 12, -3),
        # 6 finish no earlier than Wed 01-28 (ends slot 18): ES >= 8, so ES 8, TF 0
        (
            "<ConstraintType>6</ConstraintType><ConstraintDate>2026-01-28T17:00:00</ConstraintDate>",
            8,
            None,
            0,
        ),
    ],
)
def test_late_date_constraints_are_soft_deadlines(
    fields: str, release: int | None, deadline: int | None, tf: int
) -> None:
    from tests.scheduler.io.hostile import fixture

    data = fixture("hostile_base.xml").replace(_EXCAVATE, _EXCAVATE + fields.encode())
    plan = read_mspdi(data, "c.xml")
    a = {x.name: x for x in plan.activities}["Excavate"]
    assert (a.release, a.deadline, a.due, a.fixed_start) == (release, deadline, None, None)
    assert compute_cpm(plan).times[a.id].total_float == tf


# -- progress (issue 10 item 1): hostile_base.xml from Mon 2026-01-05 (slot 0), status date
# Wed 2026-01-14 17:00 = slot 8 (the next working slot). Clear site (40 h) and Excavate (80 h).
_CLEAR = b"<Duration>PT40H0M0S</Duration>\n\t\t\t<PercentComplete>0</PercentComplete>"
_DIG = b"<Duration>PT80H0M0S</Duration>\n\t\t\t<PercentComplete>0</PercentComplete>"


def _with_progress(clear: bytes, dig: bytes, status: bytes = b"2026-01-14T17:00:00") -> bytes:
    from tests.scheduler.io.hostile import fixture

    data = fixture("hostile_base.xml")
    assert _CLEAR in data and _DIG in data
    data = data.replace(_CLEAR, b"<Duration>PT40H0M0S</Duration>" + clear, 1)
    data = data.replace(_DIG, b"<Duration>PT80H0M0S</Duration>" + dig, 1)
    return data.replace(
        b"<StartDate>2026-01-05T08:00:00</StartDate>",
        b"<StartDate>2026-01-05T08:00:00</StartDate><StatusDate>" + status + b"</StatusDate>",
    )


_DONE = (
    b"<PercentComplete>100</PercentComplete><ActualStart>2026-01-05T08:00:00</ActualStart>"
    b"<ActualFinish>2026-01-09T17:00:00</ActualFinish>"
)
_HALF = (
    b"<PercentComplete>30</PercentComplete><ActualStart>2026-01-12T08:00:00</ActualStart>"
    b"<RemainingDuration>PT56H0M0S</RemainingDuration>"
)


def test_progress_and_status_date_are_read() -> None:
    plan = read_mspdi(_with_progress(_DONE, _HALF), "p.xml")
    assert plan.plan_start == date(2026, 1, 5) and plan.data_date == 8
    by = {a.name: a for a in plan.activities}
    done, dig = by["Clear site"], by["Excavate"]
    assert done.duration == 5 and dig.duration == 10  # original durations
    assert done.progress is not None and dig.progress is not None
    assert (done.progress.actual_start, done.progress.actual_finish) == (0, 5)
    assert (dig.progress.actual_start, dig.progress.remaining) == (5, 7)  # 56 h = 7 d left
    assert dig.progress.percent_complete == 30
    from scheduler.progress import remaining_plan

    t = compute_cpm(remaining_plan(plan)[0]).times[dig.id]
    assert (t.es, t.ef) == (8, 15)  # the rest from the data date


@pytest.mark.parametrize(
    ("clear", "column", "text"),
    [
        (b"<PercentComplete>100</PercentComplete><ActualStart>2026-01-05T08:00:00</ActualStart>"
         b"<ActualFinish>2026-01-02T17:00:00</ActualFinish>",
         "ActualFinish", "actual finish 2026-01-02 17:00 is before its actual start"),
        (_DONE + b"<RemainingDuration>PT8H0M0S</RemainingDuration>",
         "RemainingDuration", "complete, but remaining duration 'PT8H0M0S' is not 0"),
        (b"<PercentComplete>10</PercentComplete><ActualStart>2026-01-20T08:00:00</ActualStart>",
         "ActualStart", "actual start 2026-01-20 of 2 is after the data date 2026-01-15"),
    ],
)  # fmt: skip
def test_bad_progress_is_an_error_at_its_task(clear: bytes, column: str, text: str) -> None:
    with pytest.raises(InvalidPlanError) as exc:
        read_mspdi(_with_progress(clear, b"<PercentComplete>0</PercentComplete>"), "p.xml")
    (issue,) = [i for i in exc.value.issues if i.severity == "error"]
    assert (issue.sheet, issue.column) == ("Task", column)
    assert issue.message.startswith("p.xml: Task") and text in issue.message
