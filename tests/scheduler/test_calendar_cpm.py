"""Hour CPM on each activity's own calendar (:mod:`scheduler.calendar_cpm`), by hand.

``tests/data/hours.xer``: project calendar 10 (Sun-Thu 07:00-17:00, 10 h; Thursday
2013-05-02 a holiday), calendar 20 (seven days 07:00-17:00); data date Sun 2013-04-28
07:00; lags on the predecessor's calendar (``rcal_Predecessor``), finish float.

    A 4 h -FS-> B 8 h -FS+10 h-> C 30 h (cal 20) -FS-> D 10 h -FS-> F (finish milestone)
    A -SS-> E 10 h;  G (in progress since Thu 04-25, 10 h left) -FS-> F

Forward (hours on each calendar):
  A Sun 07:00-11:00; B from 11:00: 6 h Sunday + 2 h Monday -> Mon 04-29 09:00;
  C: B's finish + 10 h on B's calendar = Mon 09-17 (8 h) + Tue 07-09 -> Tue 04-30 09:00,
     30 h on the 7-day calendar: Tue 8 + Wed 10 + Thu 10 (cal 20 works the holiday) + Fri
     07-09 -> Fri 05-03 09:00;
  D: next working instant of cal 10 after Fri 09:00 is Sun 05-05 07:00 -> 17:00 = F.
  E Sun 04-28 07:00-17:00; G resumes at the data date: Sun 07:00-17:00.
Backward from Sun 05-05 17:00:
  D LS Sun 07:00; C LF = last working instant of cal 20 before it = Sat 05-04 17:00,
  LS = 30 h back: Sat, Fri, Thu -> Thu 05-02 07:00;
  B LF = C's LS - 10 h on cal 10: Thu is a holiday, Wed 17:00 - 10 h = Wed 07:00, which
  is Tue 04-30 17:00 as a finish; LS = Tue 09:00;
  A LF = min(B's LS Tue 09:00, E's LS + 4 h) = Tue 09:00, LS = Mon 04-29 15:00.
Floats (LF - EF in working hours of the activity's calendar / 10 h):
  A Sun 11-17 (6) + Mon (10) + Tue 07-09 (2) = 18 h = 1.8 d; B Mon 09-17 + Tue = 1.8 d;
  C Fri 09-17 + Sat = 18 h = 1.8 d; D, F 0; E and G Mon, Tue, Wed, Sun = 40 h = 4.0 d.
Longest path: F <- D <- C (D starts at C's finish's next working instant) <- B <- A,
although A, B, C have 1.8 d of float (the 7-day calendar's weekend), as in P6.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from scheduler.calendar_cpm import calendar_cpm, describes
from scheduler.cpm import compute_cpm
from scheduler.importers import read_plan
from scheduler.model import Plan

HOURS = Path(__file__).resolve().parents[1] / "data" / "hours.xer"


def dt(s: str) -> datetime:
    return datetime.strptime(s, "%m-%d %H:%M").replace(year=2013)


def plan_of(data: bytes = b"") -> Plan:
    raw = data or HOURS.read_bytes()
    return read_plan(raw, "hours.xer")


def test_dates_and_floats_by_hand() -> None:
    res = calendar_cpm(plan_of())
    got = {
        k: (t.es, t.ef, t.ls, t.lf, round(t.total_float or 0, 9), round(t.free_float or 0, 9))
        for k, t in res.times.items()
    }
    assert got == {
        "A": (dt("04-28 07:00"), dt("04-28 11:00"), dt("04-29 15:00"), dt("04-30 09:00"), 1.8, 0),
        "B": (dt("04-28 11:00"), dt("04-29 09:00"), dt("04-30 09:00"), dt("04-30 17:00"), 1.8, 0),
        "C": (dt("04-30 09:00"), dt("05-03 09:00"), dt("05-02 07:00"), dt("05-04 17:00"), 1.8, 1.8),
        "D": (dt("05-05 07:00"), dt("05-05 17:00"), dt("05-05 07:00"), dt("05-05 17:00"), 0, 0),
        "E": (dt("04-28 07:00"), dt("04-28 17:00"), dt("05-05 07:00"), dt("05-05 17:00"), 4, 4),
        "F": (dt("05-05 17:00"), dt("05-05 17:00"), dt("05-05 17:00"), dt("05-05 17:00"), 0, 0),
        "G": (dt("04-28 07:00"), dt("04-28 17:00"), dt("05-05 07:00"), dt("05-05 17:00"), 4, 4),
    }  # fmt: skip
    assert res.project_finish == dt("05-05 17:00")
    assert res.chains == [["A", "B", "C", "D", "F"]]
    assert {k for k, t in res.times.items() if t.critical} == {"A", "B", "C", "D", "F"}


def test_lag_on_a_24_hour_calendar() -> None:
    # rcal_24Hour: B's finish Mon 09:00 + 10 h = Mon 19:00, C starts at cal 20's next
    # working instant Tue 07:00 and its 30 h end Thu 05-02 17:00; D still waits for Sunday
    data = HOURS.read_bytes().replace(b"rcal_Predecessor", b"rcal_24Hour")
    res = calendar_cpm(plan_of(data))
    c, d = res.times["C"], res.times["D"]
    assert (c.es, c.ef) == (dt("04-30 07:00"), dt("05-02 17:00"))
    assert (d.es, d.ef) == (dt("05-05 07:00"), dt("05-05 17:00"))
    # C's float: Thu 17:00 to Sat 17:00 on the 7-day calendar = 20 h = 2.0 d
    assert c.total_float == pytest.approx(2.0)


def test_must_finish_by_date_starts_the_backward_pass() -> None:
    # PROJECT.plan_end_date Mon 05-06 17:00: one 10 h day after the early finish, so the
    # late dates of the open ends (F, E's chain ends) move by 10 h of cal 10
    data = (
        HOURS.read_bytes()
        .replace(b"critical_drtn_hr_cnt\r\n", b"critical_drtn_hr_cnt\tplan_end_date\r\n")
        .replace(b"2013-04-25 07:00\t0\r\n", b"2013-04-25 07:00\t0\t2013-05-06 17:00\r\n")
    )
    res = calendar_cpm(plan_of(data))
    d, e, f = res.times["D"], res.times["E"], res.times["F"]
    assert (d.ls, d.lf, d.total_float) == (dt("05-06 07:00"), dt("05-06 17:00"), 1.0)
    assert (f.lf, f.total_float) == (dt("05-06 17:00"), 1.0)
    assert e.total_float == 5.0  # Mon, Tue, Wed, Sun, Mon
    assert res.project_finish == dt("05-05 17:00")  # the early finish is unchanged


def test_compute_cpm_shows_the_hours_on_the_grid() -> None:
    # grid: working days of cal 10 from Thu 04-25 (G's actual start): slot 0 Thu 04-25,
    # 1 Sun 04-28, 2 Mon, 3 Tue, 4 Wed 05-01, 5 Sun 05-05 (Thu 05-02 a holiday)
    plan = plan_of()
    cpm = compute_cpm(plan)
    a, c, g = cpm.times["A"], cpm.times["C"], cpm.times["G"]
    # A: Sun 07:00 -> slot 1; ends Sun 11:00 -> end of Sunday's slot 2; LF Tue 09:00 -> 4;
    # float 1.8 d shown as 1 whole day
    assert (a.es, a.ef, a.ls, a.lf, a.total_float, a.critical) == (1, 2, 2, 4, 1, True)
    # C ends Fri 09:00 and its late dates fall on Thu (holiday) / Sat: the next slot, 5
    assert (c.es, c.ef, c.ls, c.lf) == (3, 5, 5, 5)
    # G in progress: shown from its actual start (slot 0), its remaining work's finish
    assert (g.es, g.ef, g.ls, g.lf, g.total_float) == (0, 2, 0, 6, 4)
    assert cpm.project_finish == 6
    assert cpm.chains == [["A", "B", "C", "D", "F"]]


def test_day_grid_when_the_hours_no_longer_describe_the_plan() -> None:
    plan = plan_of()
    assert describes(plan.calendars, plan)
    longer = replace(
        plan,
        activities=[
            replace(a, duration=a.duration + 1) if a.id == "E" else a for a in plan.activities
        ],
    )
    assert not describes(longer.calendars, longer)
    day = compute_cpm(replace(longer, calendars=None))
    assert compute_cpm(longer).times == day.times  # the day grid, not the hours


def test_calendar_cpm_needs_calendars() -> None:
    with pytest.raises(ValueError, match="no file calendars"):
        calendar_cpm(replace(plan_of(), calendars=None))
