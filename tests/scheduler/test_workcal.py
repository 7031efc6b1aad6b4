"""Working-time arithmetic of :class:`scheduler.workcal.WorkCalendar`, values by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from scheduler.importers._common import IssueLog
from scheduler.importers._xer_tables import XerRow, parse_calendar
from scheduler.workcal import WorkCalendar, minutes_of

TEN = ((420, 1020),)  # 07:00-17:00, 10 h
#: Sunday-Thursday 10 h days (the bhatticoder project calendar's week), 2013-05-02 (Thu) off.
SUN_THU = WorkCalendar(
    "1", "Sun-Thu 10h", (TEN, TEN, TEN, TEN, (), (), TEN), {date(2013, 5, 2): ()}, 10.0
)
SEVEN = WorkCalendar("2", "7 day 10h", (TEN,) * 7, {}, 10.0)
LUNCH = ((480, 720), (780, 1020))  # 08:00-12:00, 13:00-17:00
STD = WorkCalendar("3", "Mon-Fri 8h", (LUNCH,) * 5 + ((), ()), {}, 8.0)


def dt(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%d %H:%M")


def test_ten_hour_day() -> None:
    # Mon 2013-04-29 07:00 + 10 h = 17:00 the same day; + 8 h = 15:00
    assert SUN_THU.add(dt("2013-04-29 07:00"), 600) == dt("2013-04-29 17:00")
    assert SUN_THU.add(dt("2013-04-29 07:00"), 480) == dt("2013-04-29 15:00")
    assert SUN_THU.day_minutes(date(2013, 4, 29)) == 600


def test_eight_hours_from_eleven_finish_next_day_nine() -> None:
    # 11:00-17:00 is 6 h, the 2 h left run 07:00-09:00 the next working day (Tue)
    assert SUN_THU.add(dt("2013-04-29 11:00"), 480) == dt("2013-04-30 09:00")
    # the successor of an FS starts at 09:00: work is going on then
    assert SUN_THU.next_work(dt("2013-04-30 09:00")) == dt("2013-04-30 09:00")


def test_finish_on_period_end_and_next_start() -> None:
    # a finish uses up the day: 17:00, not the next morning; the FS successor starts
    # at the next working instant, Wed 07:00
    assert SUN_THU.add(dt("2013-04-30 07:00"), 600) == dt("2013-04-30 17:00")
    assert SUN_THU.next_work(dt("2013-04-30 17:00")) == dt("2013-05-01 07:00")


def test_holiday_exception_and_weekend() -> None:
    # Wed 2013-05-01 07:00 + 20 h: Wed 10 h, Thu 2 May a holiday, Fri/Sat off,
    # Sun 5 May 10 h -> Sun 17:00
    assert SUN_THU.add(dt("2013-05-01 07:00"), 1200) == dt("2013-05-05 17:00")
    assert SUN_THU.next_work(dt("2013-05-01 17:00")) == dt("2013-05-05 07:00")
    assert SUN_THU.minutes_between(dt("2013-05-01 07:00"), dt("2013-05-05 17:00")) == 1200


def test_seven_day_calendar() -> None:
    # the same 20 h on a 7-day calendar: Wed, Thu -> Thu 17:00; 30 h -> Fri 17:00
    assert SEVEN.add(dt("2013-05-01 07:00"), 1200) == dt("2013-05-02 17:00")
    assert SEVEN.add(dt("2013-05-01 07:00"), 1800) == dt("2013-05-03 17:00")


def test_lunch_break_and_backward() -> None:
    # Mon 2013-04-29 08:00 + 6 h: 08-12 (4 h), 13-15 (2 h) -> 15:00
    assert STD.add(dt("2013-04-29 08:00"), 360) == dt("2013-04-29 15:00")
    # backward: 6 h finishing Mon 10:00: 08-10 (2 h), Fri 13-17 (4 h) -> Fri 13:00
    assert STD.sub(dt("2013-04-29 10:00"), 360) == dt("2013-04-26 13:00")
    # a late finish at Mon 08:00 is the end of Friday's work
    assert STD.prev_work(dt("2013-04-29 08:00")) == dt("2013-04-26 17:00")
    assert STD.minutes_between(dt("2013-04-26 13:00"), dt("2013-04-29 10:00")) == 360
    assert STD.minutes_between(dt("2013-04-29 10:00"), dt("2013-04-26 13:00")) == -360


def test_zero_and_negative() -> None:
    t = dt("2013-04-29 10:00")
    assert STD.add(t, 0) == t and STD.sub(t, 0) == t
    assert STD.add(t, -120) == STD.sub(t, 120) == dt("2013-04-29 08:00")
    assert minutes_of(7.5) == 450


def test_calendar_without_work_is_an_error() -> None:
    empty = WorkCalendar("0", "none", ((),) * 7)
    with pytest.raises(ValueError, match="no working time"):
        empty.next_work(dt("2013-04-29 10:00"))
    with pytest.raises(ValueError, match="7 days"):
        WorkCalendar("0", "short", ((),) * 6)
    with pytest.raises(ValueError, match="work period"):
        WorkCalendar("0", "bad", (((900, 600),),) + ((),) * 6)


def test_xer_calendar_periods_and_exceptions() -> None:
    # P6 days 1 = Sunday; Sunday 07:00-17:00, Monday 07:00-12:00 + 13:00-17:00;
    # exception 41395 (2013-05-01) a holiday, 41396 (2013-05-02) 07:00-12:00 only
    data = (
        "(0||CalendarData()((0||DaysOfWeek()((0||1()((0||0(s|07:00|f|17:00)())))"
        "(0||2()((0||0(s|07:00|f|12:00)())(0||1(s|13:00|f|17:00)())))(0||3()())"
        "(0||4()())(0||5()())(0||6()())(0||7()())))(0||Exceptions()((0||0(d|41395)())"
        "(0||1(d|41396)((0||0(s|07:00|f|12:00)())))))))"
    )
    row = XerRow(5, {"clndr_id": "9", "clndr_name": "c", "day_hr_cnt": "9", "clndr_data": data})
    cal = parse_calendar(row, IssueLog("t.xer")).work_calendar()
    assert cal.week[6] == ((420, 1020),)
    assert cal.week[0] == ((420, 720), (780, 1020))
    assert cal.week[1] == ()
    assert cal.exceptions == {date(2013, 5, 1): (), date(2013, 5, 2): ((420, 720),)}
    assert cal.hours_per_day == 10.0  # most common day; 10 h and 9 h once each: the larger


def _naive_add(cal: WorkCalendar, t: datetime, minutes: int) -> datetime:
    """Minute by minute, for comparison (slow, obviously right)."""
    from datetime import timedelta

    cur = cal.next_work(t)
    while minutes:
        m = cur.hour * 60 + cur.minute
        if any(s <= m < e for s, e in cal.periods(cur.date())):
            minutes -= 1
            cur += timedelta(minutes=1)
            if not minutes:
                return cur
        else:
            cur = cal.next_work(cur)
    return cur


def test_long_durations_skip_whole_weeks_exactly() -> None:
    # 52 weeks of Mon-Fri 8 h = 2080 h from Mon 2013-04-29 08:00: Fri 2014-04-25 17:00
    assert STD.add(dt("2013-04-29 08:00"), 2080 * 60) == dt("2014-04-25 17:00")
    assert STD.sub(dt("2014-04-25 17:00"), 2080 * 60) == dt("2013-04-29 08:00")
    assert STD.minutes_between(dt("2013-04-29 08:00"), dt("2014-04-25 17:00")) == 2080 * 60
    # with holidays every few weeks, the week jumps agree with a minute-by-minute walk
    import random

    rng = random.Random(7)
    holidays = {date(2013, 5, 2): (), date(2013, 6, 20): (), date(2013, 9, 1): ((420, 600),)}
    cal = WorkCalendar("h", "holidays", SUN_THU.week, holidays, 10.0)
    for _ in range(40):
        t = dt("2013-04-28 07:00").replace(day=rng.randint(1, 28), hour=rng.randint(0, 23))
        m = rng.choice([1, 59, 600, 3000, 6000, 20000, 61000])
        end = cal.add(t, m)
        assert end == _naive_add(cal, t, m)
        assert cal.minutes_between(cal.next_work(t), end) == m
        assert cal.add(cal.sub(end, m), m) == end
