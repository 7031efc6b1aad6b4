"""P6 XER reader: the two real samples, calendars, progress, and bad files."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.errors import InvalidPlanError, UnreadableFileError, group_issues
from scheduler.importers.xer import read_xer
from scheduler.model import Plan
from tests.shared import CHILLER, TAKT, sample


@pytest.fixture(scope="module")
def takt() -> Plan:
    return read_xer(sample(TAKT), TAKT)


@pytest.fixture(scope="module")
def chiller() -> Plan:
    return read_xer(sample(CHILLER), CHILLER)


def test_takt_counts_calendar_and_durations(takt: Plan) -> None:
    assert (len(takt.activities), len(takt.dependencies)) == (25, 40)
    assert takt.plan_start == date(2021, 11, 30)
    assert takt.grid.kind == "custom" and takt.grid.workweek == frozenset(range(5))
    # the Standard 5 Day Workweek has 5 holiday exceptions, 2021-12-27..31
    assert date(2021, 12, 27) in takt.grid.holidays_extra
    a = {x.id: x for x in takt.activities}
    assert a["A1020"].duration == 6  # 48 h / 8 h per day
    assert a["A1020"].project == "Level 1"
    assert {(d.predecessor, d.successor, d.type, d.lag) for d in takt.dependencies} >= {
        ("A1010", "A1020", "FS", 0)
    }
    assert [(r.id, r.capacity) for r in takt.resources] == [("Van Haren", 1)]
    assert [(d.activity, d.amount) for d in takt.demands] == [("A1020", 1)]


def test_chiller_progress_constraints_and_calendars(chiller: Plan) -> None:
    assert (len(chiller.activities), len(chiller.dependencies)) == (47, 62)
    # the grid starts at the project's start (plan_start_date 2017-06-07), so actual
    # dates sit on it; the data date 2025-09-02 17:00 is the next working day's slot
    assert chiller.plan_start == date(2017, 6, 7)
    assert chiller.data_date is not None
    assert chiller.grid.date_of(chiller.data_date) == date(2025, 9, 3)
    assert chiller.out_of_sequence == "retained_logic"  # sched_progress_override N
    a = {x.id: x for x in chiller.activities}
    done = a["C-MOB-100"].progress
    assert done is not None and done.status == "complete" and done.percent_complete == 100
    active = a["C-MOB-150"].progress  # in progress: remaining 176 h = 22 days
    assert active is not None and (active.status, active.remaining) == ("in_progress", 22)
    assert active.actual_finish is None
    assert a["PCS-140"].duration == 23  # 256 h on a 7-day calendar: 32 × 5/7 → 23
    assert a["PCS-140"].progress is None
    assert a["MILE-130"].deadline == chiller.grid.slot_after(date(2025, 12, 3))  # CS_MEOB
    assert a["MILE-130"].due is None
    types = sorted(d.type for d in chiller.dependencies)
    assert (types.count("FS"), types.count("FF"), types.count("SS")) == (43, 12, 7)
    messages = [str(w) for w in chiller.warnings]
    assert any("PCS-140" in m and "7 days/week" in m for m in messages)
    # lags of completed predecessors are kept (the progress rules anchor them)
    assert not any("completed predecessor" in m for m in messages)


_HEAD = b"cstr_type\tcstr_date\r\n"  # the fixture has CRLF line ends
_A100 = b"2026-01-09 17:00\t2026-01-09 17:00\t\t\r\n"


def _progressed(status: bytes, start: bytes, end: bytes, pct: bytes, remain: bytes) -> bytes:
    """hostile_base.xer (data date Mon 2026-01-05 08:00) with A100's status and actuals."""
    from tests.scheduler.io.hostile import fixture

    data = fixture("hostile_base.xer")
    data = data.replace(
        _HEAD, b"cstr_type\tcstr_date\tact_start_date\tact_end_date\tphys_complete_pct\n"
    )
    data = data.replace(_A100, _A100[:-2] + b"\t" + start + b"\t" + end + b"\t" + pct + b"\r\n", 1)
    data = data.replace(
        b"TT_Task\tTK_NotStart\t40\t40", b"TT_Task\t" + status + b"\t40\t" + remain, 1
    )
    return data.replace(
        b"2026-01-05 08:00\t2026-01-05 08:00", b"2026-01-07 08:00\t2026-01-01 08:00", 1
    )


def test_progress_is_read_onto_the_project_grid() -> None:
    # plan_start_date 2026-01-01 (Thu): slots Thu 01-01 = 0, Fri 01-02 = 1, Mon 01-05 = 2,
    # Tue 3, Wed 01-07 = 4 (the data date, 08:00). A100 started Mon 01-05, 16 h left.
    data = _progressed(b"TK_Active", b"2026-01-05 08:00", b"", b"60", b"16")
    plan = read_xer(data, "p.xer")
    assert plan.plan_start == date(2026, 1, 1) and plan.data_date == 4
    a = {x.id: x for x in plan.activities}["A100"]
    assert a.duration == 5 and a.progress is not None
    assert (a.progress.actual_start, a.progress.actual_finish) == (2, None)
    assert (a.progress.remaining, a.progress.percent_complete) == (2, 60.0)
    done = read_xer(
        _progressed(b"TK_Complete", b"2026-01-01 08:00", b"2026-01-06 17:00", b"100", b"0"),
        "p.xer",
    )
    p = {x.id: x for x in done.activities}["A100"].progress
    assert p is not None and (p.actual_start, p.actual_finish, p.status) == (0, 4, "complete")


@pytest.mark.parametrize(
    ("status", "start", "end", "pct", "remain", "column", "text"),
    [
        (
            b"TK_Complete",
            b"2026-01-05 08:00",
            b"2026-01-02 17:00",
            b"100",
            b"0",
            "act_end_date",
            "A100: actual finish 2026-01-02 17:00 is before its actual start",
        ),
        (
            b"TK_Complete",
            b"2026-01-05 08:00",
            b"2026-01-06 17:00",
            b"100",
            b"8",
            "remain_drtn_hr_cnt",
            "A100: complete, but remaining duration '8' h is not 0",
        ),
        (
            b"TK_Active",
            b"2026-01-05 08:00",
            b"",
            b"150",
            b"16",
            "phys_complete_pct",
            "A100: percent complete '150' is not 0 to 100",
        ),
        (
            b"TK_Active",
            b"",
            b"",
            b"50",
            b"16",
            "act_start_date",
            "A100: TK_Active without an actual start",
        ),
        (
            b"TK_Complete",
            b"2026-01-05 08:00",
            b"",
            b"100",
            b"0",
            "act_end_date",
            "A100: TK_Complete without an actual finish",
        ),
        (
            b"TK_Active",
            b"2026-01-08 08:00",
            b"",
            b"10",
            b"16",
            "act_start_date",
            "actual start 2026-01-08 of A100 is after the data date 2026-01-07",
        ),
        (
            b"TK_Active",
            b"soon",
            b"",
            b"10",
            b"16",
            "act_start_date",
            "A100: act_start_date 'soon' is not a date",
        ),
        # the field is named: it was "duration '-8' is not a number of hours"
        (
            b"TK_Active",
            b"2026-01-05 08:00",
            b"",
            b"10",
            b"-8",
            "remain_drtn_hr_cnt",
            "A100: remaining duration '-8' is not a number of hours (0 or more)",
        ),
    ],
)
def test_bad_progress_is_an_error_at_its_line_and_column(
    status: bytes, start: bytes, end: bytes, pct: bytes, remain: bytes, column: str, text: str
) -> None:
    with pytest.raises(InvalidPlanError) as exc:
        read_xer(_progressed(status, start, end, pct, remain), "p.xer")
    (issue,) = [i for i in exc.value.issues if i.severity == "error"]
    assert (issue.sheet, issue.row, issue.column) == ("TASK", 14, column)
    assert issue.message.startswith("p.xer: TASK line 14: ") and text in issue.message


def _progress_rows(*rows: tuple[bytes, bytes, bytes, bytes, bytes]) -> bytes:
    """hostile_base.xer (data date Wed 2026-01-07 08:00) with each TASK row's progress.

    One (status, act_start_date, act_end_date, phys_complete_pct, remain_drtn_hr_cnt)
    per row, in file order: A100 (line 14), A110 (line 15), A120 (line 16).
    """
    from tests.scheduler.io.hostile import fixture

    data = fixture("hostile_base.xer").replace(
        _HEAD, b"cstr_type\tcstr_date\tact_start_date\tact_end_date\tphys_complete_pct\r\n"
    )
    lines = data.split(b"\r\n")
    task_lines = [n for n, line in enumerate(lines) if b"\tTT_" in line]
    for n, (status, start, end, pct, remain) in zip(task_lines, rows, strict=True):
        f = lines[n].split(b"\t")
        f[8], f[10] = status, remain
        lines[n] = b"\t".join([*f, start, end, pct])
    data = b"\r\n".join(lines)
    return data.replace(
        b"2026-01-05 08:00\t2026-01-05 08:00", b"2026-01-07 08:00\t2026-01-01 08:00", 1
    )


def test_every_bad_progress_record_is_reported_each_at_its_line_and_column() -> None:
    # A100: three bad fields on one row (percent, remaining on a complete activity, finish
    # before start); A110: a start that is not a date; A120 (a milestone): complete after
    # the data date 2026-01-07. Before, the reader stopped at A100's first field and never
    # checked A120's dates against the data date.
    data = _progress_rows(
        (b"TK_Complete", b"2026-01-05 08:00", b"2026-01-02 17:00", b"150", b"8"),
        (b"TK_Active", b"soon", b"", b"10", b"16"),
        (b"TK_Complete", b"2026-01-09 08:00", b"", b"100", b"0"),
    )
    with pytest.raises(InvalidPlanError) as exc:
        read_xer(data, "p.xer")
    errors = [(i.sheet, i.row, i.column) for i in exc.value.issues if i.severity == "error"]
    assert errors == [
        ("TASK", 14, "phys_complete_pct"),
        ("TASK", 14, "remain_drtn_hr_cnt"),
        ("TASK", 14, "act_end_date"),
        ("TASK", 15, "act_start_date"),
        ("TASK", 16, "act_start_date"),
        ("TASK", 16, "act_end_date"),
    ]
    text = [i.message for i in exc.value.issues]
    assert "p.xer: TASK line 14: A100: actual finish 2026-01-02 17:00 is before" in text[2]
    assert text[4] == (
        "p.xer: TASK line 16: actual start 2026-01-09 of A120 is after the data date 2026-01-07"
    )


def test_a_not_started_activity_with_actual_dates_is_one_grouped_warning() -> None:
    # P6 takes progress from status_code: TK_NotStart rows keep no actuals, and say so
    data = _progress_rows(
        (b"TK_NotStart", b"2026-01-05 08:00", b"2026-01-06 17:00", b"0", b"40"),
        (b"TK_NotStart", b"", b"2026-01-06 17:00", b"0", b"80"),
        (b"TK_NotStart", b"", b"", b"0", b"0"),
    )
    plan = read_xer(data, "p.xer")
    assert [a.progress for a in plan.activities] == [None, None, None]
    assert {a.id: a.duration for a in plan.activities} == {"A100": 5, "A110": 10, "A120": 0}
    (line,) = group_issues(plan.warnings)
    assert line == (
        "p.xer: TASK line 14: A100: status 'TK_NotStart' but actual start '2026-01-05 08:00',"
        " actual finish '2026-01-06 17:00': P6 takes progress from the status, so the actual"
        " dates are ignored and it is scheduled as not started, on its remaining duration"
        " (and 1 more like it: line 15)"
    )


def _edit(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    return data.replace(old, new, 1)


def test_truncated_xer_names_the_last_line() -> None:
    data = sample(TAKT)
    cut = data[: len(data) // 2]
    with pytest.raises(InvalidPlanError, match="truncated"):
        read_xer(cut, "cut.xer")


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        # an unknown relationship type on the first TASKPRED row
        (
            b"\t37896\t368\t368\tPR_FS",
            b"\t37896\t368\t368\tPR_XX",
            r"TASKPRED line 82: unknown relationship type 'PR_XX'",
        ),
        # a predecessor that names no activity
        (
            b"\t37897\t37896\t368",
            b"\t37897\t99999\t368",
            r"TASKPRED line 82: predecessor '99999' is not an activity id",
        ),
        # a lag that is not a number of hours
        (
            b"\t37896\t368\t368\tPR_FS\t0",
            b"\t37896\t368\t368\tPR_FS\tten",
            r"lag 'ten' is not a number",
        ),
    ],
)
def test_bad_relationship_is_an_error_with_its_place(old: bytes, new: bytes, match: str) -> None:
    with pytest.raises(InvalidPlanError, match=match) as err:
        read_xer(_edit(sample(TAKT), old, new), "bad.xer")
    assert all(i.sheet == "TASKPRED" for i in err.value.issues if i.severity == "error")


def test_cp1252_and_cp949_names_survive() -> None:
    base = sample(TAKT)
    # the sample itself is cp1252 (£ and € in CURRTYPE)
    plan = read_xer(base, TAKT)
    assert plan.activities[0].name
    korean = "도로 포장 공사"
    data = base.replace(b"\tA1010\t", b"\tA1010\t", 1)
    text = data.decode("cp1252")
    old_name = next(a.name for a in plan.activities if a.id == "A1010")
    kr = text.replace(f"\t{old_name}\t", f"\t{korean}\t", 1).encode("cp949", errors="replace")
    plan_kr = read_xer(kr, "korean.xer")
    assert next(a.name for a in plan_kr.activities if a.id == "A1010") == korean
    utf8 = text.replace(f"\t{old_name}\t", f"\t{korean}\t", 1).encode("utf-8")
    assert next(a.name for a in read_xer(utf8, "u.xer").activities if a.id == "A1010") == korean


def test_not_an_xer_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError, match="ERMHDR"):
        read_xer(b"hello\tworld\n", "x.xer")


def test_a_few_bytes_no_code_page_defines_are_replaced_with_a_warning() -> None:
    """A P6 export with one name in another code page (byte 0x81) is read, not refused."""
    from scheduler.importers import read_plan
    from tests import shared

    data = (shared.REPO / "tests" / "data" / "tiny.xer").read_bytes()
    lines = data.split(b"\n")
    row = next(i for i, ln in enumerate(lines) if b"Site survey" in ln)  # a TASK row
    lines[row] = lines[row].replace(b"Site survey", b"Site\x81 survey")  # not cp949 either
    plan = read_plan(b"\n".join(lines), "mixed.xer")
    assert plan.activities
    (w,) = [w for w in plan.warnings if "replaced" in w.message]
    assert w.sheet == "TASK" and w.row == row + 1


# -- constraints as P6 schedules them (issue 10 item 2) ---------------------------------------
# hostile_base.xer: plan start Mon 2026-01-05 (slot 0); A100 (40 h = 5 d) FS A110 (80 h =
# 10 d, slots [5, 15)) FS+8 h A120 (finish milestone, slot 16). The edit gives A110 one
# constraint; ES/TF are our CPM's.
_A110 = b"80\t80\t0\t2026-01-12 08:00\t2026-01-23 17:00\t2026-01-23 17:00\t\t"


@pytest.mark.parametrize(
    ("ctype", "when", "release", "deadline", "es", "tf"),
    [
        # start on or before Thu 01-08 (slot 3): LS <= 3, LF <= 13 -> TF 3 - 5 = -2
        ("CS_MSOB", "2026-01-08 08:00", None, 13, 5, -2),
        # finish on or before Tue 01-20 (slot 11, ends 12): LF <= 12 -> TF 12 - 15 = -3
        ("CS_MEOB", "2026-01-20 17:00", None, 12, 5, -3),
        # start on Wed 01-14 (slot 7): ES >= 7 and LS <= 7 -> ES 7, TF 0
        ("CS_MSO", "2026-01-14 08:00", 7, 17, 7, 0),
        # finish on or after Wed 01-28 (slot 17, ends 18): ES >= 18 - 10 = 8
        ("CS_MEOA", "2026-01-28 17:00", 8, None, 8, 0),
    ],
)
def test_p6_constraints_release_forward_and_only_shape_late_dates_backward(
    ctype: str, when: str, release: int | None, deadline: int | None, es: int, tf: int
) -> None:
    from scheduler.cpm import compute_cpm
    from tests.scheduler.io.hostile import fixture

    data = fixture("hostile_base.xer").replace(_A110, _A110[:-2] + f"\t{ctype}\t{when}".encode())
    plan = read_xer(data, "c.xer")
    a = {x.id: x for x in plan.activities}["A110"]
    assert (a.release, a.deadline, a.due, a.fixed_start) == (release, deadline, None, None)
    t = compute_cpm(plan).times["A110"]
    assert (t.es, t.total_float) == (es, tf)


# -- resource limits P6 did not level (issue 10 item 2) ---------------------------------------
_EXC_ROW = b"%R\t4001\t1002\t3001\t1\r\n"


def _two_crews(a110_early_start: bytes) -> Plan:
    """hostile_base.xer: EXC (max 2) on A100 ×2 (slots [0, 5)) and A110 ×1 (P6's early
    start of A110 as given; our CPM puts it after A100, slots [5, 15))."""
    from tests.scheduler.io.hostile import fixture

    data = fixture("hostile_base.xer").replace(_EXC_ROW, _EXC_ROW + b"%R\t4002\t1001\t3001\t2\r\n")
    data = data.replace(
        b"0\t2026-01-12 08:00\t2026-01-23", b"0\t" + a110_early_start + b"\t2026-01-23"
    )
    return read_xer(data, "r.xer")


def test_a_limit_the_tools_dates_keep_stays_a_capacity() -> None:
    plan = _two_crews(b"2026-01-12 08:00")  # as P6 wrote it: 2 then 1 at a time
    assert [(r.id, r.capacity) for r in plan.resources] == [("EXC", 2)]
    assert not [w for w in plan.warnings if w.column == "capacity"]


def test_a_limit_the_tools_own_dates_exceed_is_lifted_with_one_warning() -> None:
    # P6's dates overlap A110 (from Wed 01-07, slot 2) with A100 on slots 2-4: 2 + 1 = 3 > 2,
    # so P6 did not level EXC; the capacity becomes 3 (ours, sequential, use 2 at most)
    plan = _two_crews(b"2026-01-07 08:00")
    assert [(r.id, r.capacity) for r in plan.resources] == [("EXC", 3)]
    (w,) = [w for w in plan.warnings if w.column == "capacity"]
    assert w.severity == "warning"
    assert w.message.startswith("1 of 1 resources are used above their limit at the file's own")
    assert w.message.endswith(": EXC 2→3")
