"""Tests of the sample national plan in ``data/`` (issue 2, item 8; SPEC §1–§3).

The workbook is rebuilt into ``tmp_path`` by ``python tools/build_sample.py`` and read
back with openpyxl (layout, counts, chains, resource and budget arithmetic) and with
:func:`scheduler.workbook.read_workbook` (logic CPM by :func:`scheduler.cpm.compute_cpm`,
blackout gaps). The project's constructive schedule
(:func:`scheduler.solver.constructive_schedule`) of the committed workbook must pass
the independent checker of ``tests/checker.py``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openpyxl import load_workbook

from tests import shared

REPO = shared.REPO
DATA = REPO / "data"
SCRIPT = REPO / "tools" / "build_sample.py"
COMMITTED = DATA / "national_plan.xlsx"
PLAN_START = date(2027, 1, 1)
HORIZON = (date(2029, 1, 1) - PLAN_START).days  # 731 days, 2028 is a leap year
MARGIN_DAYS = 730
UNIT_DAYS = {"d": 1, "w": 7, "mo": 30}

SPEC_COLUMNS = {
    "Settings": ["key", "value"],
    "Regions": ["id", "name", "lat", "lon", "industry"],
    "Activities": [
        "id",
        "name",
        "project",
        "sector",
        "region_from",
        "region_to",
        "duration",
        "duration_unit",
        "cost",
        "weight",
        "release",
        "due",
        "fixed_start",
        "optimistic",
        "most_likely",
        "pessimistic",
        "distribution",
        "risk_group",
    ],
    "Dependencies": ["predecessor", "successor", "type", "lag", "max_lag"],
    "Resources": ["id", "name", "capacity", "region", "unit"],
    "Demands": ["activity", "resource", "amount"],
    "Budget": ["year", "cap"],
    "Blackouts": ["scope", "from", "to", "reason"],
    "Risks": [
        "id",
        "name",
        "probability",
        "activities",
        "impact_min",
        "impact_likely",
        "impact_max",
        "cost_impact",
    ],
}

Tables = dict[str, list[dict[str, Any]]]


def _read(path: Path) -> Tables:
    """Every sheet as a list of row dicts keyed by the header row (values only)."""
    wb = load_workbook(path, data_only=False)
    out: Tables = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        out[ws.title] = [dict(zip(header, r, strict=True)) for r in rows[1:]]
        out["_header_" + ws.title] = [{"header": header}]
    return out


def _day(v: object) -> int:
    """Day offset from plan_start of a date cell (openpyxl gives datetime)."""
    assert isinstance(v, datetime), f"not a real date cell: {v!r}"
    return (v.date() - PLAN_START).days


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workbook as ``python tools/build_sample.py -o <tmp>`` writes it."""
    out = tmp_path_factory.mktemp("sample")
    xlsx = out / "national_plan.xlsx"
    subprocess.run(
        [sys.executable, str(SCRIPT), "-o", str(xlsx), "--regions", str(out / "regions.csv")],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    return xlsx


@pytest.fixture(scope="module")
def tables(built: Path) -> Tables:
    return _read(built)


@pytest.fixture(scope="module")
def days(tables: Tables) -> dict[str, int]:
    """Duration in days per activity id."""
    return {a["id"]: a["duration"] * UNIT_DAYS[a["duration_unit"]] for a in tables["Activities"]}


@pytest.fixture(scope="module")
def script() -> ModuleType:
    """The build script imported as a module (it lives outside the packages)."""
    spec = importlib.util.spec_from_file_location("build_sample", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_sample"] = mod
    spec.loader.exec_module(mod)
    return mod


# -- structure and counts ------------------------------------------------------------------
def test_sheets_and_columns_are_spec_section_3(tables: Tables) -> None:
    for sheet, cols in SPEC_COLUMNS.items():
        assert tables["_header_" + sheet][0]["header"] == cols, sheet


def test_settings(tables: Tables) -> None:
    s = {r["key"]: r["value"] for r in tables["Settings"]}
    assert s["plan_start"] == datetime(2027, 1, 1)
    assert s["horizon_months"] == 24
    assert s["calendar"] == "calendar"
    assert s["objective"] == "makespan"
    assert s["time_limit_s"] == 20
    assert (s["risk_correlation"], s["risk_iterations"]) == (0.3, 10000)
    assert "국가 인프라" in s["plan_name"]


def test_regions_capital_hub_and_five_industries(tables: Tables) -> None:
    regions = {r["id"]: r for r in tables["Regions"]}
    industries = {r["industry"] for r in regions.values()}
    assert {"AI", "bio", "energy", "future cars", "semiconductors", "capital hub"} <= industries
    assert regions["SEL"]["name"] == "Seoul capital hub (서울)"
    assert (regions["GWJ"]["lat"], regions["GWJ"]["lon"]) == (35.1595, 126.8526)
    for r in regions.values():  # all inside South Korea
        assert 33.0 < r["lat"] < 38.7 and 124.5 < r["lon"] < 130.0, r["id"]


def test_regions_csv_matches_workbook(tables: Tables, built: Path) -> None:
    csv_rows = (built.parent / "regions.csv").read_text(encoding="utf-8").splitlines()
    assert csv_rows[0] == "id,name,name_ko,lat,lon,industry"
    assert csv_rows[1] == "SEL,Seoul capital hub,서울,37.5665,126.978,capital hub"
    assert len(csv_rows) - 1 == len(tables["Regions"]) == 8
    assert (DATA / "regions.csv").read_text(encoding="utf-8").splitlines() == csv_rows


def test_counts(tables: Tables) -> None:
    acts = tables["Activities"]
    assert 150 <= len(acts) <= 300
    assert len(acts) == 231
    sectors = Counter(a["sector"] for a in acts)
    assert set(sectors) == {"road", "rail", "dam", "grid", "telecom", "gas", "water"}
    assert sectors == {
        "road": 60,
        "grid": 49,
        "rail": 36,
        "telecom": 24,
        "gas": 24,
        "dam": 20,
        "water": 18,
    }
    types = Counter(d["type"] for d in tables["Dependencies"])
    assert types == {"FS": 215, "SS": 41, "FF": 18, "SF": 2}
    lags = [d["lag"] for d in tables["Dependencies"]]
    assert any(x > 0 for x in lags) and any(x < 0 for x in lags)
    assert {a["duration_unit"] for a in acts} == {"d", "w", "mo"}
    projects = {a["project"] for a in acts}
    milestones = [a for a in acts if a["duration"] == 0]
    assert len(projects) == len(milestones) == 24  # one completion milestone per project
    assert {m["project"] for m in milestones} == projects
    assert sum(1 for a in acts if a["fixed_start"] is not None) == 2
    assert sum(1 for a in acts if a["release"] is not None) == 3
    assert sum(1 for a in acts if a["due"] is not None) == 3
    assert {b["year"]: b["cap"] for b in tables["Budget"]} == {2027: 30000, 2028: 34000}


def test_monsoon_and_winter_blackouts(tables: Tables) -> None:
    dam = [(b["from"], b["to"]) for b in tables["Blackouts"] if b["scope"] == "dam"]
    assert dam == [
        (datetime(2027, 7, 1), datetime(2027, 8, 31)),
        (datetime(2028, 7, 1), datetime(2028, 8, 31)),
    ]
    acts = {a["id"]: a for a in tables["Activities"]}
    monsoon_ids = {b["scope"] for b in tables["Blackouts"] if b["from"] == datetime(2027, 7, 1)} - {
        "dam"
    }
    assert "RD1-S1-EWA" in monsoon_ids  # road earthworks
    assert all("arthworks" in acts[i]["name"] or "rench" in acts[i]["name"] for i in monsoon_ids)
    winter = {b["scope"] for b in tables["Blackouts"] if b["to"] == datetime(2028, 2, 15)}
    assert {"DM1-RC1", "GR1-SCA", "RD1-S1-STR"} <= winter
    for b in tables["Blackouts"]:  # inside the horizon, from <= to
        assert 0 <= _day(b["from"]) <= _day(b["to"]) < HORIZON


def test_values_are_values_and_dates_are_dates(built: Path) -> None:
    wb = load_workbook(built)
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for c in row:
                assert not (isinstance(c.value, str) and c.value.startswith("=")), c.coordinate
    acts = wb["Activities"]
    assert acts["M2"].value is None or isinstance(acts["M2"].value, datetime)
    fixed = [r[12].value for r in acts.iter_rows(min_row=2) if r[12].value is not None]
    assert fixed == [datetime(2027, 1, 4), datetime(2027, 3, 2)]
    assert acts.iter_rows(min_row=2)  # header frozen for planners
    assert acts.freeze_panes == "A2"


# -- chains a planner expects ---------------------------------------------------------------
def _deps(tables: Tables) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["predecessor"], d["successor"]): d for d in tables["Dependencies"]}


def test_dam_before_water_main_and_substation_before_stringing(tables: Tables) -> None:
    deps = _deps(tables)
    assert deps[("DM1-DIV", "DM1-COF")]["type"] == "FS"
    assert deps[("DM1-END", "WT1-TIE")]["type"] == "FS"  # water main fed by the dam
    assert deps[("DM2-END", "WT2-TIE")]["type"] == "FS"
    assert deps[("GR1-SCB", "GR1-LS3")]["type"] == "FS"  # stringing needs its end substation
    assert deps[("GR1-SCB", "GR2-LS1")]["type"] == "FS"  # shared Osong substation
    assert deps[("RL1-TRK", "RL1-OCS")]["type"] == "SS"


@pytest.mark.parametrize(
    ("pred", "succ", "lag", "max_lag"),
    [
        ("RD1-S1-EWA", "TC1-S1-DCT", 14, 42),  # fibre duct 2–6 weeks behind the trench
        ("RD4-S2-EWA", "TC3-S2-DCT", 14, 42),  # same on the Gwangju AI backbone
        ("RD2-S1-EWB", "GS1-S1-TRB", 21, 56),  # LNG main 3–8 weeks behind stage B
        ("RD3-S2-EWB", "GS2-S2-TRB", 21, 56),  # Saemangeum main
    ],
)
def test_dig_once_links(tables: Tables, pred: str, succ: str, lag: int, max_lag: int) -> None:
    d = _deps(tables)[(pred, succ)]
    assert (d["type"], d["lag"], d["max_lag"]) == ("SS", lag, max_lag)


# -- feasibility margins, on the plan as the project reads it --------------------------------
@pytest.fixture(scope="module")
def plan(built: Path) -> Any:
    """The built workbook as :func:`scheduler.workbook.read_workbook` reads it (slot == day)."""
    workbook = pytest.importorskip("scheduler.workbook", reason="scheduler.workbook not written")
    return workbook.read_workbook(built)


@pytest.fixture(scope="module")
def cpm(plan: Any) -> Any:
    """Logic CPM of the sample (:func:`scheduler.cpm.compute_cpm`)."""
    return pytest.importorskip("scheduler.cpm").compute_cpm(plan)


def test_logic_critical_path_within_60_percent(cpm: Any) -> None:
    cp = cpm.project_finish
    assert cp <= 0.6 * MARGIN_DAYS
    assert cp == 328  # RD4: released 2027-03-01, MOB → S1 earthworks → structures → paving
    rd4 = cpm.times["RD4-S1-STR"]
    assert (rd4.es, rd4.ef) == (152, 272)  # day 59 + 30 (MOB) + 63 (9 w EWA); 4 mo
    wt1 = cpm.times["WT1-END"]
    assert (wt1.es, wt1.ef) == (273, 273)  # dam chain → water main, logic only
    assert cpm.chains[0] == [
        "RD4-MOB",
        "RD4-S1-EWA",
        "RD4-S1-STR",
        "RD4-S1-PAV",
        "RD4-ITS",
        "RD4-END",
    ]


def test_due_dates_are_logically_achievable(plan: Any, cpm: Any) -> None:
    for a in plan.activities:
        if a.due is not None:  # exclusive end slot
            assert cpm.times[a.id].ef <= a.due - 120, a.id  # 4 months of margin


def test_resource_work_within_half_capacity(tables: Tables, days: dict[str, int]) -> None:
    cap = {r["id"]: r["capacity"] for r in tables["Resources"]}
    work: Counter[str] = Counter()
    for d in tables["Demands"]:
        assert d["amount"] <= cap[d["resource"]]
        assert days[d["activity"]] > 0, f"milestone {d['activity']} demands a resource"
        work[d["resource"]] += d["amount"] * days[d["activity"]]
    for r, w in work.items():
        assert w <= 0.5 * cap[r] * MARGIN_DAYS, r
    assert cap["TBM"] == 2
    assert all(2 <= c <= 4 for r, c in cap.items() if r.startswith("CREW-"))


def test_budget_margin(tables: Tables) -> None:
    total = sum(a["cost"] for a in tables["Activities"])
    caps = {b["year"]: b["cap"] for b in tables["Budget"]}
    assert total == 48874
    assert total <= 0.85 * sum(caps.values())
    assert total > max(caps.values())  # one year alone could not pay for the plan


def test_every_activity_fits_between_its_blackouts(plan: Any, script: ModuleType) -> None:
    for a in plan.activities:
        windows = plan.blackouts_of(a)
        if windows:
            assert a.duration <= script.longest_gap(windows, HORIZON), a.id
    rc1 = next(a for a in plan.activities if a.id == "DM1-RC1")
    assert (
        script.longest_gap(plan.blackouts_of(rc1), HORIZON) == 136
    )  # Feb 16 – Jun 30 2028, between winter and monsoon


def test_dam_concrete_fits_the_shortest_window(tables: Tables, days: dict[str, int]) -> None:
    # RCC stages sit between monsoon and winter: Sep 1 – Dec 14 2027 is 105 days
    assert max(days[i] for i in days if i.startswith(("DM1-RC", "DM2-RC"))) == 42


# -- reproducible ----------------------------------------------------------------------------
def test_rebuild_reproduces_the_committed_workbook(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.xlsx"
    subprocess.run(
        [sys.executable, str(SCRIPT), "-o", str(again), "--regions", str(tmp_path / "r.csv")],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    assert again.read_bytes() == built.read_bytes()  # fixed zip and property timestamps
    first, committed = _read(built), _read(COMMITTED)
    assert first == committed  # cell by cell (bytes may differ across openpyxl versions)


# -- the reader and the independent checker ---------------------------------------------------
def test_read_workbook_reads_the_sample_without_issues(script: ModuleType) -> None:
    workbook = pytest.importorskip("scheduler.workbook", reason="scheduler.workbook not written")
    plan = workbook.read_workbook(COMMITTED)
    assert len(plan.activities) == 231
    assert len(plan.dependencies) == 276
    assert [(b.label, b.cap) for b in plan.budgets] == [
        ("FY2027", 3_000_000),
        ("FY2028", 3_400_000),
    ]
    assert plan.horizon == HORIZON
    assert plan.warnings == []
    assert {a.id: a.duration for a in plan.activities}["DM1-DIV"] == 56  # 8 w


def test_constructive_schedule_passes_the_independent_checker() -> None:
    workbook = pytest.importorskip("scheduler.workbook", reason="scheduler.workbook not written")
    solver = pytest.importorskip("scheduler.solver", reason="scheduler.solver not written")
    checker = pytest.importorskip("tests.checker", reason="tests/checker.py not written")
    plan = workbook.read_workbook(COMMITTED)
    starts = solver.constructive_schedule(plan)  # calendar plan: slot == day
    checker.assert_feasible(plan, starts)
    makespan = max(starts[a.id] + a.duration for a in plan.activities)
    assert makespan == 597  # 2028-08-20: room left in the 731-day horizon


def test_build_figures(script: ModuleType, tmp_path: Path) -> None:
    figures = script.build(tmp_path / "p.xlsx", None)
    assert figures["logic_critical_path_days"] == 328
    assert figures["constructive_makespan_days"] == 597
    assert figures["cost_over_caps"] == 0.764
    assert figures["resource_load"]["CREW-SMG"] == 0.487  # the busiest crew


def test_uncertainty_follows_the_sector_ranges(tables: Tables) -> None:
    """Most likely = the planned duration; the spread is the sector's (data/README.md)."""
    ranges = {"road": (0.9, 1.3), "rail": (0.9, 1.45), "dam": (0.9, 1.5), "grid": (0.9, 1.3),
              "telecom": (0.95, 1.2), "gas": (0.9, 1.3), "water": (0.9, 1.35)}  # fmt: skip
    work = [a for a in tables["Activities"] if a["duration"]]
    assert work and all(a["most_likely"] == a["duration"] for a in work)
    for a in work:
        lo, hi = ranges[a["sector"]]
        assert a["optimistic"] == round(a["duration"] * lo, 1), a["id"]
        assert a["pessimistic"] == round(a["duration"] * hi, 1), a["id"]
        assert a["risk_group"] == f"{a['sector']}-{a['region_from']}"
    assert all(a["optimistic"] is None for a in tables["Activities"] if not a["duration"])
    risks = {r["id"]: r for r in tables["Risks"]}
    assert sorted(risks) == ["R-01", "R-02", "R-03", "R-04"]
    ids = {a["id"]: a["name"] for a in tables["Activities"]}
    for rid in risks["R-01"]["activities"].split(";"):
        assert "TBM tunnel drive" in ids[rid]
