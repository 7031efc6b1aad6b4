"""Tests of scheduler.workbook: safe reading, the reading rules, template and writer."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scheduler import workbook
from scheduler.errors import InvalidPlanError, Issue, UnreadableFileError
from scheduler.model import MONEY_SCALE, WEIGHT_SCALE
from scheduler.workbook import (
    Limits,
    plan_from_tables,
    read_date,
    read_number,
    read_tables,
    read_workbook,
    write_template,
    write_workbook,
)

Tables = dict[str, list[dict[str, Any]]]


# -- fixtures ----------------------------------------------------------------------------------
def tiny_tables() -> Tables:
    """A valid plan of three activities; rows numbered as in Excel (index + 2)."""
    return {
        "Settings": [
            {"key": "plan_name", "value": "충청권 연결 시범"},  # row 2
            {"key": "plan_start", "value": date(2027, 1, 4)},  # row 3
            {"key": "horizon_months", "value": 24},  # row 4
            {"key": "calendar", "value": "calendar"},  # row 5
        ],
        "Regions": [
            {"id": "SEL", "name": "서울", "lat": 37.57, "lon": 126.98, "industry": "AI"},
            {"id": "DJN", "name": "대전", "lat": 36.35, "lon": 127.38, "industry": "bio"},
        ],
        "Activities": [
            {"id": "A-1", "name": "도로 토공", "sector": "road", "region_from": "SEL",
             "region_to": "DJN", "duration": 10, "cost": 12.345, "weight": 2},
            {"id": "A-2", "name": "광케이블", "sector": "telecom", "region_from": "SEL",
             "duration": 2, "duration_unit": "w", "release": date(2027, 2, 1),
             "due": date(2027, 6, 30)},
            {"id": "A-3", "name": "개통", "sector": "road", "region_from": "DJN", "duration": 0},
        ],
        "Dependencies": [
            {"predecessor": "A-1", "successor": "A-2", "type": "SS", "lag": 3, "max_lag": 20},
            {"predecessor": "A-2", "successor": "A-3"},
        ],
        "Resources": [{"id": "CREW", "name": "토목반", "capacity": 3, "region": "SEL"}],
        "Demands": [{"activity": "A-1", "resource": "CREW", "amount": 2}],
        "Budget": [{"year": 2027, "cap": 100}, {"from": "2028-01-01", "to": "2028-06-30",
                                                "cap": "1,234.5"}],
        "Blackouts": [{"scope": "dam", "from": date(2027, 7, 1), "to": date(2027, 8, 31),
                       "reason": "장마"}],
    }  # fmt: skip


def issues_of(tables: Any) -> list[Issue]:
    with pytest.raises(InvalidPlanError) as info:
        plan_from_tables(tables)
    return info.value.issues


def find(issues: list[Issue], sheet: str, row: int | None, column: str) -> Issue:
    hits = [i for i in issues if (i.sheet, i.row, i.column) == (sheet, row, column)]
    assert hits, f"no issue at {sheet}/{row}/{column}; got {[i.to_dict() for i in issues]}"
    return hits[0]


def save(wb: openpyxl.Workbook, tmp_path: Path, name: str = "plan.xlsx") -> Path:
    path = tmp_path / name
    wb.save(path)
    return path


def rezip(path: Path, edit: Callable[[str, bytes], bytes]) -> bytes:
    """Rewrite an xlsx's members through ``edit(name, data)``; return the new bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, edit(info.filename, src.read(info.filename)))
    return out.getvalue()


# -- the good path -----------------------------------------------------------------------------
def test_tiny_plan_converts_every_field() -> None:
    plan = plan_from_tables(tiny_tables())
    assert plan.name == "충청권 연결 시범"
    assert plan.plan_start == date(2027, 1, 4)
    assert plan.horizon == (date(2029, 1, 4) - date(2027, 1, 4)).days
    a1, a2, a3 = plan.activities
    assert (a1.duration, a1.cost, a1.weight) == (10, 1235, 2 * WEIGHT_SCALE)  # 12.345 → 1235
    assert a1.region_to == "DJN" and a1.source_row == 2
    assert a2.duration == 14  # 2 w on a calendar plan
    assert a2.release == (date(2027, 2, 1) - date(2027, 1, 4)).days
    assert a2.due == (date(2027, 6, 30) - date(2027, 1, 4)).days + 1  # exclusive end
    assert a3.is_milestone
    d1, d2 = plan.dependencies
    assert (d1.type, d1.lag, d1.max_lag, d1.source_row) == ("SS", 3, 20, 2)
    assert (d2.type, d2.lag, d2.max_lag) == ("FS", 0, None)
    fy27, h1 = plan.budgets
    assert (fy27.label, fy27.start, fy27.end, fy27.cap) == ("FY2027", 0, 362, 100 * MONEY_SCALE)
    assert fy27.first_day == date(2027, 1, 4) and fy27.last_day == date(2027, 12, 31)
    assert h1.label == "2028-01-01..2028-06-30" and h1.cap == 123450
    assert (h1.start, h1.end) == (362, 362 + 182)
    (bo,) = plan.blackouts
    assert (bo.scope, bo.start, bo.end, bo.reason) == ("dam", 178, 240, "장마")
    assert plan.resources[0].capacity == 3 and plan.demands[0].amount == 2
    assert [r.name for r in plan.regions] == ["서울", "대전"]
    assert plan.objectives == ["makespan"] and plan.time_limit_s == 30.0
    assert plan.warnings == []


def test_workbook_round_trip_keeps_korean_and_dates(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["Activities"][0]["name"] = "=SUM(A1) 는 수식이 아닌 글자"  # text, never a formula
    path = tmp_path / "plan.xlsx"
    write_workbook(tables, path, plan_name="국가 인프라 2개년")
    plan = read_workbook(path)
    assert plan.name == "국가 인프라 2개년"
    assert plan.activities[0].name == "=SUM(A1) 는 수식이 아닌 글자"
    assert [a.id for a in plan.activities] == ["A-1", "A-2", "A-3"]
    assert plan.activities[1].release == 28
    assert plan.budgets[1].cap == 123450
    assert plan.warnings == []
    ws = openpyxl.load_workbook(path)["Activities"]
    assert isinstance(ws["K3"].value, datetime)  # release written as a real date
    assert ws["K3"].value.date() == date(2027, 2, 1)
    assert ws["B2"].data_type == "s"


def test_read_tables_gives_raw_values_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_workbook(tiny_tables(), path)
    tables = read_tables(path.read_bytes())
    assert tables["activities"][2]["_row"] == 4
    assert tables["activities"][2]["id"] == "A-3"
    assert tables["activities"][1]["release"] == datetime(2027, 2, 1)
    assert tables["budget"][1]["cap"] == "1,234.5"
    assert tables.issues == []
    with path.open("rb") as fh:
        assert read_tables(fh)["regions"][1]["name"] == "대전"


def test_json_tables_match_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_workbook(tiny_tables(), path)
    a = read_workbook(path)
    b = plan_from_tables(tiny_tables())
    assert [(x.id, x.duration, x.release, x.due, x.cost) for x in a.activities] == [
        (x.id, x.duration, x.release, x.due, x.cost) for x in b.activities
    ]


def test_names_match_loosely() -> None:
    t = tiny_tables()
    t["activities "] = [
        {"ID": r["id"], "Region From*": r["region_from"], **r} for r in t.pop("Activities")
    ]
    t["BUDGETS"] = t.pop("Budget")
    plan = plan_from_tables(t)
    assert [a.id for a in plan.activities] == ["A-1", "A-2", "A-3"]
    assert len(plan.budgets) == 2


def test_template_reads_back_as_a_valid_plan(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    plan = read_workbook(path)
    assert [a.id for a in plan.activities] == ["RD-001", "TC-001"]
    assert plan.activities[0].duration == 90  # 3 mo
    assert plan.dependencies[0].type == "SS"
    assert plan.warnings == []
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Settings", "Regions", "Activities", "Dependencies", "Resources", "Demands", "Budget",
        "Blackouts", "Risks", "Progress",
    ]  # fmt: skip
    ws = wb["Activities"]
    assert ws["A1"].value == "id*" and "Required" in ws["A1"].comment.text
    assert "100M KRW" in ws["I1"].comment.text  # cost
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"road,rail,dam,grid,telecom,gas,water"' in lists
    assert '"d,w,mo"' in lists
    dep_lists = {dv.formula1 for dv in wb["Dependencies"].data_validations.dataValidation}
    assert '"FS,SS,FF,SF"' in dep_lists
    set_lists = {dv.formula1 for dv in wb["Settings"].data_validations.dataValidation}
    assert '"calendar,workdays-kr"' in set_lists


def test_workdays_kr_counts_working_days_around_seollal() -> None:
    t = tiny_tables()
    t["Settings"][1]["value"] = date(2027, 2, 1)
    t["Settings"][3]["value"] = "workdays-kr"
    t["Activities"][0]["fixed_start"] = "2027-02-05"  # a Friday; 6-9 Feb is Seollal
    t["Activities"][0]["duration"] = 5
    t["Activities"][1]["release"] = date(2027, 2, 1)
    plan = plan_from_tables(t)
    a1, a2, _ = plan.activities
    assert a1.fixed_start == 4  # Mon 1 .. Fri 5 Feb
    # Fri 5, Wed 10, Thu 11, Fri 12, Mon 15: the last day worked is 15 Feb
    assert plan.grid.finish_date(a1.fixed_start, a1.fixed_start + a1.duration) == date(2027, 2, 15)
    assert a2.duration == 10  # 2 w = 10 working days


def test_settings_objective_and_time_limit() -> None:
    t = tiny_tables()
    t["Settings"] += [
        {"key": "objective", "value": "tardiness, makespan"},
        {"key": "Time Limit S", "value": "12.5"},
    ]
    plan = plan_from_tables(t)
    assert plan.objectives == ["tardiness", "makespan"]
    assert plan.time_limit_s == 12.5


# -- the reading rules -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),  # digits as text
        (" 3 ", 3),  # surrounding spaces
        ("2.0", 2.0),  # integral float as text
        ("1,234", 1234),  # thousands separators
        ("-1.5", -1.5),  # negative decimal
        (7, 7),  # a real number cell
        (None, None),  # blank
        ("  ", None),  # spaces only are blank
    ],
)
def test_number_rule(text: object, expected: object) -> None:
    assert read_number(text) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "three",  # English word
        "삼",  # Korean text in a number cell
        "3 days",  # number with a unit
        "1,23",  # broken thousands grouping
        True,  # a boolean cell
        date(2027, 1, 1),  # a date in a number cell
        float("nan"),  # NaN
    ],
)
def test_number_rule_rejects(bad: object) -> None:
    with pytest.raises(workbook.CellError):
        read_number(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2027, 3, 1, 12, 30), date(2027, 3, 1)),  # datetime cell: the date part
        ("2027-03-01", date(2027, 3, 1)),  # ISO text
        (46447, date(2027, 3, 1)),  # Excel serial (1900 system)
        (46447.75, date(2027, 3, 1)),  # serial with a time of day
        (59, date(1900, 2, 28)),  # serials 1..59 are corrected by one day
        (61, date(1900, 3, 1)),
        (1, date(1900, 1, 1)),
    ],
)
def test_date_rule(value: object, expected: date) -> None:
    assert read_date(value) == expected


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (60, "1900-02-29"),  # Lotus leap-year bug: the day never existed
        ("1/3/2027", "not a date"),  # ambiguous local format
        ("2027-02-30", "not a real date"),  # no such day
        ("내년 3월", "not a date"),  # Korean text in a date cell
        (0, "not a date serial"),  # serial 0 is no date
    ],
)
def test_date_rule_rejects(bad: object, fragment: str) -> None:
    with pytest.raises(workbook.CellError, match=fragment):
        read_date(bad)


def _set(sheet: str, index: int, **values: Any) -> Callable[[Tables], None]:
    def edit(t: Tables) -> None:
        t[sheet][index].update(values)

    return edit


def _append(sheet: str, **values: Any) -> Callable[[Tables], None]:
    def edit(t: Tables) -> None:
        t[sheet].append(values)

    return edit


def _drop_sheet(sheet: str) -> Callable[[Tables], None]:
    def edit(t: Tables) -> None:
        del t[sheet]

    return edit


def _drop_column(sheet: str, column: str) -> Callable[[Tables], None]:
    def edit(t: Tables) -> None:
        for r in t[sheet]:
            r.pop(column, None)

    return edit


def _set_setting(key: str, value: Any) -> Callable[[Tables], None]:
    def edit(t: Tables) -> None:
        for r in t["Settings"]:
            if r["key"] == key:
                r["value"] = value

    return edit


def _drop_setting(key: str) -> Callable[[Tables], None]:
    def edit(t: Tables) -> None:
        t["Settings"] = [r for r in t["Settings"] if r["key"] != key]

    return edit


ERROR_CASES = [
    # missing Regions sheet (activities must name a region)
    (_drop_sheet("Regions"), ("Regions", None, ""), "sheet Regions is missing"),
    # no plan_start row at all
    (_drop_setting("plan_start"), ("Settings", None, "plan_start"), "plan_start is missing"),
    # a setting given twice
    (
        _append("Settings", key="Plan Start", value=date(2027, 2, 1)),
        ("Settings", 6, "key"),
        "plan_start is already set on row 3",
    ),
    # horizon of zero months
    (_set_setting("horizon_months", 0), ("Settings", 4, "value"), "at least 1"),
    # a non-positive time limit
    (_append("Settings", key="time_limit_s", value=0), ("Settings", 6, "value"), "positive"),
    # an id with a fraction
    (_set("Activities", 0, id=1.5), ("Activities", 2, "id"), "1.5 is not an id"),
    # a date serial past 9999-12-31
    (_set("Activities", 1, due=3_000_000), ("Activities", 3, "due"), "not a date serial"),
    # a JSON row that is not an object
    (lambda t: t["Resources"].append("CREW-2"), ("Resources", 3, ""), "not a table row"),
    # no activities at all
    (lambda t: t.update(Activities=[]), ("Activities", None, ""), "has no activities"),
    # missing required sheet
    (_drop_sheet("Activities"), ("Activities", None, ""), "sheet Activities is missing"),
    # missing required column
    (_drop_column("Activities", "sector"), ("Activities", None, "sector"), "'sector' is missing"),
    # missing plan_start
    (_set_setting("plan_start", None), ("Settings", 3, "value"), "plan_start is required"),
    # plan_start is text
    (_set_setting("plan_start", "다음 주"), ("Settings", 3, "value"), "is not a date"),
    # unknown calendar
    (_set_setting("calendar", "lunar"), ("Settings", 5, "value"), "use calendar, workdays-kr"),
    # unknown objective
    (
        _append("Settings", key="objective", value="cheapest"),
        ("Settings", 6, "value"),
        "objective 'cheapest' is not known",
    ),
    # duplicated region id, naming the first row
    (_set("Regions", 1, id="SEL"), ("Regions", 3, "id"), "'SEL' is already used on row 2"),
    # duplicated activity id
    (_set("Activities", 2, id="A-1"), ("Activities", 4, "id"), "'A-1' is already used on row 2"),
    # duplicated resource id
    (_append("Resources", id="CREW", capacity=1), ("Resources", 3, "id"), "already used on row 2"),
    # duration is a word
    (
        _set("Activities", 0, duration="three"),
        ("Activities", 2, "duration"),
        "duration 'three' is not a number",
    ),
    # duration in Korean
    (_set("Activities", 0, duration="열흘"), ("Activities", 2, "duration"), "is not a number"),
    # negative duration
    (_set("Activities", 0, duration=-2), ("Activities", 2, "duration"), "-2 is negative"),
    # blank required duration
    (_set("Activities", 0, duration=None), ("Activities", 2, "duration"), "required but blank"),
    # unknown duration unit
    (_set("Activities", 0, duration_unit="yr"), ("Activities", 2, "duration_unit"), "use d, w, mo"),
    # unknown sector, naming the allowed values
    (
        _set("Activities", 0, sector="airport"),
        ("Activities", 2, "sector"),
        "'airport' is not a sector; use road, rail, dam, grid, telecom, gas, water",
    ),
    # sector given as a number
    (_set("Activities", 0, sector=3), ("Activities", 2, "sector"), "is not a sector"),
    # unknown region
    (
        _set("Activities", 1, region_from="PUS"),
        ("Activities", 3, "region_from"),
        "region_from 'PUS' is not a region id",
    ),
    # unknown region_to
    (_set("Activities", 1, region_to="ICN"), ("Activities", 3, "region_to"), "not a region id"),
    # id with a control character
    (_set("Activities", 0, id="A-\x071"), ("Activities", 2, "id"), "control characters"),
    # text in a date cell
    (_set("Activities", 1, release="soon"), ("Activities", 3, "release"), "'soon' is not a date"),
    # Excel serial 60 in a date cell
    (_set("Activities", 1, release=60), ("Activities", 3, "release"), "1900-02-29"),
    # release before the plan starts
    (
        _set("Activities", 1, release=date(2026, 12, 1)),
        ("Activities", 3, "release"),
        "outside the plan (2027-01-04 to 2029-01-03)",
    ),
    # due after the horizon
    (_set("Activities", 1, due=date(2029, 1, 4)), ("Activities", 3, "due"), "outside the plan"),
    # due before release
    (
        _set("Activities", 1, due=date(2027, 1, 20)),
        ("Activities", 3, "due"),
        "due 2027-01-20 of 'A-2' is before its release 2027-02-01",
    ),
    # fixed_start before release
    (
        _set("Activities", 1, fixed_start=date(2027, 1, 10)),
        ("Activities", 3, "fixed_start"),
        "before its release",
    ),
    # fixed_start cannot finish by due (14 days from 25 June)
    (
        _set("Activities", 1, fixed_start=date(2027, 6, 25)),
        ("Activities", 3, "fixed_start"),
        "cannot finish by its due date 2027-06-30",
    ),
    # negative cost
    (_set("Activities", 0, cost=-5), ("Activities", 2, "cost"), "negative"),
    # unknown successor, in the planner's words
    (
        _set("Dependencies", 1, successor="RL-07"),
        ("Dependencies", 3, "successor"),
        "Dependencies row 3: successor 'RL-07' is not an activity id",
    ),
    # unknown predecessor
    (
        _set("Dependencies", 0, predecessor="X"),
        ("Dependencies", 2, "predecessor"),
        "predecessor 'X' is not an activity id",
    ),
    # unknown dependency type
    (
        _set("Dependencies", 0, type="XS"),
        ("Dependencies", 2, "type"),
        "'XS' is not a dependency type; use FS, SS, FF, SF",
    ),
    # fractional lag
    (_set("Dependencies", 0, lag=1.5), ("Dependencies", 2, "lag"), "must be a whole number"),
    # max_lag below lag
    (
        _set("Dependencies", 0, max_lag=1),
        ("Dependencies", 2, "max_lag"),
        "max_lag 1 days is smaller than lag 3 days",
    ),
    # self-dependency
    (
        _set("Dependencies", 0, successor="A-1"),
        ("Dependencies", 2, "successor"),
        "'A-1' depends on itself",
    ),
    # a cycle, named in order
    (
        _append("Dependencies", predecessor="A-3", successor="A-1"),
        ("Dependencies", 2, "successor"),
        "cyclic dependencies A-1 → A-2 → A-3 → A-1 (rows 2, 3, 4)",
    ),
    # capacity is text
    (_set("Resources", 0, capacity="many"), ("Resources", 2, "capacity"), "not a number"),
    # resource region unknown
    (_set("Resources", 0, region="GWJ"), ("Resources", 2, "region"), "not a region id"),
    # demand above capacity
    (
        _set("Demands", 0, amount=5),
        ("Demands", 2, "amount"),
        "demands 5 of 'CREW', above its capacity of 3",
    ),
    # milestone with a demand
    (
        _append("Demands", activity="A-3", resource="CREW", amount=1),
        ("Demands", 3, "activity"),
        "'A-3' is a milestone",
    ),
    # unknown resource
    (_set("Demands", 0, resource="TBM"), ("Demands", 2, "resource"), "not a resource id"),
    # fractional amount
    (_set("Demands", 0, amount=0.5), ("Demands", 2, "amount"), "must be a whole number"),
    # the same demand twice
    (
        _append("Demands", activity="A-1", resource="CREW", amount=1),
        ("Demands", 3, "resource"),
        "already demands 'CREW' on row 2",
    ),
    # budget row with neither year nor dates
    (_append("Budget", cap=5), ("Budget", 4, "year"), "give a year"),
    # budget with year and dates
    (_set("Budget", 0, **{"from": date(2027, 1, 1)}), ("Budget", 2, "year"), "not both"),
    # budget cap in Korean
    (_set("Budget", 0, cap="백억"), ("Budget", 2, "cap"), "not a number"),
    # budget year is not a year
    (_set("Budget", 0, year="next"), ("Budget", 2, "year"), "not a year"),
    # blackout with unknown scope
    (
        _set("Blackouts", 0, scope="airport"),
        ("Blackouts", 2, "scope"),
        "scope 'airport' is not a sector, an activity id or a region id",
    ),
    # blackout ending before it starts
    (_set("Blackouts", 0, to=date(2027, 6, 1)), ("Blackouts", 2, "to"), "before from"),
    # blackout with a blank date
    (_set("Blackouts", 0, **{"from": None}), ("Blackouts", 2, "from"), "required but blank"),
]


@pytest.mark.parametrize(("edit", "place", "fragment"), ERROR_CASES)
def test_every_error_names_its_cell(
    edit: Callable[[Tables], None], place: tuple[str, int | None, str], fragment: str
) -> None:
    t = copy.deepcopy(tiny_tables())
    edit(t)
    issue = find(issues_of(t), *place)
    assert issue.severity == "error"
    assert fragment in issue.message


def test_all_problems_reported_at_once() -> None:
    t = tiny_tables()
    t["Activities"][0]["duration"] = "three"
    t["Dependencies"][1]["successor"] = "RL-07"
    t["Demands"][0]["amount"] = 9
    issues = [i for i in issues_of(t) if i.severity == "error"]
    assert [(i.sheet, i.row, i.column) for i in issues] == [
        ("Activities", 2, "duration"),
        ("Dependencies", 3, "successor"),
        ("Demands", 2, "amount"),
    ]


@pytest.mark.parametrize(
    ("edit", "place", "fragment"),
    [
        # fractional duration rounded up to whole days
        (_set("Activities", 0, duration=2.5), ("Activities", 2, "duration"), "rounded up to 3"),
        # control characters removed from a name
        (_set("Activities", 0, name="도로\x07 토공"), ("Activities", 2, "name"), "removed"),
        # a blackout entirely outside the plan is ignored
        (
            _set("Blackouts", 0, **{"from": date(2030, 1, 1), "to": date(2030, 2, 1)}),
            ("Blackouts", 2, "from"),
            "outside the plan; it is ignored",
        ),
        # unknown setting
        (_append("Settings", key="colour", value="red"), ("Settings", 6, "key"), "not known"),
    ],
)
def test_warnings_keep_the_plan(
    edit: Callable[[Tables], None], place: tuple[str, int | None, str], fragment: str
) -> None:
    t = copy.deepcopy(tiny_tables())
    edit(t)
    plan = plan_from_tables(t)
    issue = find(plan.warnings, *place)  # type: ignore[arg-type]
    assert issue.severity == "warning" and fragment in issue.message


def test_rounded_duration_and_stripped_name_values() -> None:
    t = tiny_tables()
    t["Activities"][0].update(duration=1.5, duration_unit="w", name="도로\x07 토공")
    plan = plan_from_tables(t)
    assert plan.activities[0].duration == 11  # 10.5 days → 11
    assert plan.activities[0].name == "도로 토공"
    assert plan.blackouts[0].scope == "dam"


def test_numbers_as_text_and_integral_floats() -> None:
    t = tiny_tables()
    t["Activities"][0].update(duration=" 10 ", cost="1,000", weight="1.5")
    t["Resources"][0]["capacity"] = 3.0
    t["Dependencies"][0]["lag"] = "-2"
    t["Activities"][0]["id"] = 101.0  # numeric id → "101"
    t["Dependencies"][0]["predecessor"] = 101
    t["Demands"][0]["activity"] = "101"
    plan = plan_from_tables(t)
    a1 = plan.activities[0]
    assert (a1.id, a1.duration, a1.cost, a1.weight) == ("101", 10, 100000, 150)
    assert plan.resources[0].capacity == 3
    assert plan.dependencies[0].lag == -2 and plan.dependencies[0].predecessor == "101"


# -- xlsx cell-level problems ------------------------------------------------------------------
def _plan_wb(tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    write_workbook(tiny_tables(), path)
    return path


def test_formula_without_saved_value_is_an_error(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    wb["Activities"]["G2"] = "=5*2"  # duration; openpyxl saves no cached value
    issues = issues_of(read_tables(save(wb, tmp_path, "f.xlsx")))
    issue = find(issues, "Activities", 2, "duration")
    assert "formula =5*2 with no saved value" in issue.message


def test_formula_with_saved_value_uses_it_with_warning(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    wb["Activities"]["G2"] = "=5*2"
    path = save(wb, tmp_path, "f.xlsx")
    data = rezip(path, lambda n, b: b.replace(b"<f>5*2</f><v></v>", b"<f>5*2</f><v>12</v>"))
    plan = read_workbook(data)
    assert plan.activities[0].duration == 12
    w = find(plan.warnings, "Activities", 2, "duration")  # type: ignore[arg-type]
    assert "saved in the file was used" in w.message


def test_merged_header_cells_are_an_error(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    wb["Dependencies"].merge_cells("C1:D1")  # type and lag headers merged
    issues = issues_of(read_tables(save(wb, tmp_path, "m.xlsx")))
    issue = find(issues, "Dependencies", 1, "type")
    assert "header cells C1:D1 are merged" in issue.message


def test_duplicated_header_is_an_error(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    wb["Resources"]["F1"] = "Capacity"
    issues = issues_of(read_tables(save(wb, tmp_path, "d.xlsx")))
    issue = find(issues, "Resources", 1, "capacity")
    assert "column 'capacity' appears twice (columns C and F)" in issue.message


def test_blank_rows_inside_data_are_skipped_with_warning(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    ws = wb["Activities"]
    ws.insert_rows(3, amount=2)  # rows 3-4 blank; A-2 now on row 5
    plan = read_workbook(save(wb, tmp_path, "b.xlsx"))
    assert [(a.id, a.source_row) for a in plan.activities] == [("A-1", 2), ("A-2", 5), ("A-3", 6)]
    w = find(plan.warnings, "Activities", 3, "")  # type: ignore[arg-type]
    assert "rows 3-4: blank rows skipped" in w.message


def test_used_range_far_beyond_data_is_bounded(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    ws = wb["Regions"]
    ws.cell(row=1_048_576, column=30).number_format = "0.00"  # styled empty cell at the last row
    plan = read_workbook(save(wb, tmp_path, "u.xlsx"))
    assert [r.id for r in plan.regions] == ["SEL", "DJN"]
    assert not [w for w in plan.warnings if w.sheet == "Regions"]  # trailing blanks: nothing lost


def test_rows_after_a_long_blank_gap_are_read(tmp_path: Path) -> None:
    """3,000 rows of spaces, then an activity: it is read, and the gap is warned about."""
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    ws = wb["Activities"]
    last = dict(zip([c.value for c in ws[1]], [c.value for c in ws[4]], strict=False))
    for r in range(5, 3005):
        ws.cell(row=r, column=2, value=" ")
    for col, name in enumerate([c.value for c in ws[1]], start=1):
        if name == "id":
            ws.cell(row=3005, column=col, value="LATE-1")
        elif last.get(name) is not None:
            ws.cell(row=3005, column=col, value=last[name])
    plan = read_workbook(save(wb, tmp_path, "gap.xlsx"))
    assert [(a.id, a.source_row) for a in plan.activities][-1] == ("LATE-1", 3005)
    w = find(plan.warnings, "Activities", 5, "")  # type: ignore[arg-type]
    assert "rows 5-3004: blank rows skipped" in w.message


def test_billion_row_sheet_is_bounded(tmp_path: Path) -> None:
    path = _plan_wb(tmp_path)
    far = (
        b'<row r="1000000000"><c r="A1000000000" t="inlineStr"><is><t>far</t></is></c></row>'
        b"</sheetData>"
    )

    def edit(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            data = re.sub(rb'<dimension ref="[^"]*"/>', b"", data)
            data = data.replace(b"</sheetPr>", b'</sheetPr><dimension ref="A1:XFD1000000000"/>')
            data = data.replace(b"</sheetData>", far)
        return data

    tables = read_tables(rezip(path, edit))  # the rows up to Excel's last one, no further
    assert [r["id"] for r in tables["activities"]] == ["A-1", "A-2", "A-3"]
    stop = [i for i in tables.issues if i.sheet == "Activities"]
    assert "rows beyond Excel's last row 1048576 were not read" in stop[-1].message


def test_korean_text_in_number_cell_of_xlsx(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    wb["Demands"]["C2"] = "두 개"
    issue = find(issues_of(read_tables(save(wb, tmp_path, "k.xlsx"))), "Demands", 2, "amount")
    assert "'두 개' is not a number" in issue.message


def test_date_serial_in_1904_workbook(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb["Activities"]["K3"] = 44985  # 1904 system: 2027-03-01 (1900 system: 46447)
    plan = read_workbook(save(wb, tmp_path, "e.xlsx"))
    assert plan.grid.date_of(plan.activities[1].release or 0) == date(2027, 3, 1)


def test_date_serial_number_in_1900_workbook(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    wb["Activities"]["K3"] = 46447  # a plain number in a date column
    plan = read_workbook(save(wb, tmp_path, "s.xlsx"))
    assert plan.grid.date_of(plan.activities[1].release or 0) == date(2027, 3, 1)


def test_unknown_sheet_and_column_are_warnings(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    wb.create_sheet("메모")["A1"] = "notes"
    wb["Regions"]["G1"] = "population"
    plan = read_workbook(save(wb, tmp_path, "w.xlsx"))
    msgs = [w.message for w in plan.warnings]  # type: ignore[attr-defined]
    assert "메모: sheet is not one infraplan reads; it is ignored" in msgs
    assert "Regions: column 'population' is not one infraplan reads; it is ignored" in msgs


# -- hostile and broken files ------------------------------------------------------------------
def test_not_a_zip_is_refused() -> None:
    with pytest.raises(UnreadableFileError, match="not a zip"):
        read_tables(b"id,name\nA-1,road\n")


def test_old_xls_is_refused() -> None:
    with pytest.raises(UnreadableFileError, match=r"old \.xls"):
        read_tables(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)


def test_zip_that_is_not_xlsx_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableFileError, match=r"not an \.xlsx"):
        read_tables(buf.getvalue())


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _plan_wb(tmp_path)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/media/pad.bin", b"\0" * (8 * 2**20))  # 8 MiB of zeros, ~1000:1
    with pytest.raises(UnreadableFileError, match="zip bomb") as refused:
        read_tables(out.getvalue())
    assert refused.value.too_large


def test_declared_size_over_the_cap_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="unpacks to") as info:
        read_tables(_plan_wb(tmp_path), limits=Limits(unpacked_bytes=10_000))
    assert info.value.too_large


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    path = _plan_wb(tmp_path)
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return bomb + re.sub(rb"^<\?xml[^>]*\?>", b"", data)
        return data

    with pytest.raises(UnreadableFileError, match="DOCTYPE or ENTITY"):
        read_tables(rezip(path, edit))


def test_too_many_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="more than 2 rows") as info:
        read_tables(_plan_wb(tmp_path), limits=Limits(rows=2))
    assert info.value.too_large


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    data = _plan_wb(tmp_path).read_bytes()
    with pytest.raises(UnreadableFileError):
        read_tables(data[: len(data) // 2])


# -- scale -------------------------------------------------------------------------------------
def big_tables(n: int) -> Tables:
    t = tiny_tables()
    t["Activities"] = [
        {"id": f"A-{i:05d}", "name": f"작업 {i}", "sector": "road", "region_from": "SEL",
         "duration": 1 + i % 7, "cost": 0.5}
        for i in range(n)
    ]  # fmt: skip
    t["Dependencies"] = [
        {"predecessor": f"A-{i:05d}", "successor": f"A-{i + 1:05d}", "lag": i % 3}
        for i in range(0, n - 1, 2)
    ]
    t["Demands"] = [{"activity": f"A-{i:05d}", "resource": "CREW", "amount": 1} for i in range(n)]
    return t


def test_ten_thousand_activities(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    write_workbook(big_tables(10_000), path)
    plan = read_workbook(path)
    assert len(plan.activities) == 10_000
    assert len(plan.dependencies) == 5_000
    last = plan.activities[-1]
    assert (last.id, last.duration, last.cost, last.source_row) == (
        "A-09999",
        1 + 9999 % 7,
        50,
        10_001,
    )
    assert plan.dependencies[-1].lag == 9998 % 3
    assert plan.warnings == []


def test_json_rows_without_row_numbers_count_from_one_when_asked() -> None:
    t = tiny_tables()
    t["Dependencies"][1]["successor"] = "RL-07"
    with pytest.raises(InvalidPlanError) as err:
        plan_from_tables(t, sheet_rows=False)
    assert find(err.value.issues, "Dependencies", 2, "successor")


def test_sheet_without_header_is_an_error(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    ws = wb["Demands"]
    ws.delete_rows(1, ws.max_row)
    issue = find(issues_of(read_tables(save(wb, tmp_path, "h.xlsx"))), "Demands", None, "")
    assert "no header row" in issue.message


def test_header_below_a_title_row_is_found(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    ws = wb["Regions"]
    ws.insert_rows(1, amount=2)
    ws["A1"] = "권역 목록"  # a title above the header
    ws.delete_rows(2)  # title in row 1, header now in row 2
    tables = read_tables(save(wb, tmp_path, "t.xlsx"))
    assert [(r["_row"], r["id"]) for r in tables["regions"]] == [(3, "SEL"), (4, "DJN")]


def test_two_sheets_with_one_name_are_an_error(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_plan_wb(tmp_path))
    wb.create_sheet("dependencies ")["A1"] = "predecessor"
    issue = find(issues_of(read_tables(save(wb, tmp_path, "2.xlsx"))), "Dependencies", None, "")
    assert "two sheets are named like Dependencies" in issue.message


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = _plan_wb(tmp_path)
    small = Limits(file_bytes=1000)
    with pytest.raises(UnreadableFileError, match="MiB") as refused:
        read_tables(path, limits=small)
    assert refused.value.too_large
    with pytest.raises(UnreadableFileError, match="larger than"):
        read_tables(io.BytesIO(path.read_bytes()), limits=small)


def test_archive_with_too_many_parts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="parts; refused"):
        read_tables(_plan_wb(tmp_path), limits=Limits(parts=5))


def test_utf16_xml_is_refused(tmp_path: Path) -> None:
    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return b"\xff\xfe" + data.decode().encode("utf-16-le")
        return data

    with pytest.raises(UnreadableFileError, match="not UTF-8 XML"):
        read_tables(rezip(_plan_wb(tmp_path), edit))


def test_unknown_json_sheet_is_a_warning() -> None:
    t: dict[str, Any] = tiny_tables()
    t["Notes"] = [{"text": "hello"}]
    plan = plan_from_tables(t)
    assert [w.message for w in plan.warnings] == [  # type: ignore[attr-defined]
        "Notes: sheet is not one infraplan reads; ignored"
    ]


def test_a_wrong_declared_dimension_loses_no_row(tmp_path: Path) -> None:
    """A writer that declares A1:E2 for a longer sheet: every activity is still read."""
    path = tmp_path / "plan.xlsx"
    write_workbook(tiny_tables(), path)

    def shrink(name: str, data: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', data)

    wrong = rezip(path, shrink)
    with zipfile.ZipFile(io.BytesIO(wrong)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert all(b'<dimension ref="A1:B2"' in z.read(n) for n in sheets)
    plan = read_workbook(wrong)
    assert [a.id for a in plan.activities] == ["A-1", "A-2", "A-3"]
    assert len(plan.dependencies) == 2
