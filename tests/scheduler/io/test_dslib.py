"""DSLIB / ProTrack workbooks: text rules, every sample, bad cells, conversion."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from scheduler.cpm import compute_cpm
from scheduler.errors import InvalidPlanError
from scheduler.importers import plan_to_tables
from scheduler.importers.dslib import is_dslib, parse_duration, read_dslib
from tests.shared import DSLIB

# file → (activities, dependencies, resources, demands, CPM finish slot), as measured
EXPECTED = {
    "C2011-05 Telecom System Agnes.xlsx": (21, 27, 6, 24, 44),
    "C2012-04 Asti-Cuneo Highway.xlsx": (67, 84, 16, 212, 272),
    "C2012-07 Solar Park.xlsx": (175, 64, 0, 0, 109),
    "C2012-08 Sea Electricity.xlsx": (437, 673, 26, 1212, 341),
    "C2012-14 Sluiskil Tunnel.xlsx": (49, 63, 8, 70, 947),
    "C2015-34 Roadworks Poperinge.xlsx": (13, 13, 0, 0, 120),
    "C2016-01 Railway Bridge (1).xlsx": (28, 21, 0, 0, 132),
    "C2023-12 Railroad construction.xlsx": (72, 64, 0, 0, 145),
    "C2024-02 Gas Pipeline.xlsx": (13, 12, 3, 14, 71),
    "C2025-01 Water Intake and Canal Rehabilitation.xlsx": (45, 43, 5, 45, 60),
    "C2025-02 Urban Road.xlsx": (100, 99, 6, 87, 32),
    "C2025-11 Power Network.xlsx": (33, 49, 6, 33, 94),
    "C2025-14 Drainage System.xlsx": (82, 81, 6, 82, 30),
    "C2025-22 Sanitary Sewer Network Infrastructure.xlsx": (45, 44, 6, 45, 19),
}


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("43d", 43.0),
        ("9 days", 9.0),
        ("23,88 days", 23.88),  # decimal comma
        ("1w 2d", 7.0),  # a week is 5 working days
        ("2w 6h", 10.75),  # 8 hours a day
        (3, 3.0),  # a bare number is days
        ("5 parsecs", None),  # unknown unit
    ],
)
def test_parse_duration(text: object, days: float | None) -> None:
    assert parse_duration(text) == (pytest.approx(days) if days is not None else None)


def _path(name: str) -> Path:
    path = DSLIB / name
    if not path.exists():
        pytest.skip(f"DSLIB samples not found: {path}")
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_imports_validates_and_runs_cpm(name: str) -> None:
    data = _path(name).read_bytes()
    assert is_dslib(data)
    plan = read_dslib(data, name)
    cpm = compute_cpm(plan)
    got = (len(plan.activities), len(plan.dependencies), len(plan.resources), len(plan.demands))
    assert (*got, cpm.project_finish) == EXPECTED[name]
    tables = plan_to_tables(plan)
    assert len(tables["Activities"]) == got[0]
    assert all(r["sector"] and r["region_from"] == "SITE" for r in tables["Activities"])


def test_gas_pipeline_details() -> None:
    plan = read_dslib(_path("C2024-02 Gas Pipeline.xlsx").read_bytes(), "gas.xlsx")
    a = {x.id: x for x in plan.activities}
    assert plan.name == "Gas Pipeline Project"
    assert str(plan.plan_start) == "2016-08-22"  # 'Mon 22/08/16', day/month/year
    assert a["2"].project == "Excavation"
    assert a["7"].duration == 6  # '5,75 days' rounded up
    assert a["2"].extra["optimistic"] == pytest.approx(7.0)  # '1w 2d'
    assert a["2"].extra["pessimistic"] == pytest.approx(10.75)  # '2w 6h'
    deps = {(d.predecessor, d.successor): (d.type, d.lag) for d in plan.dependencies}
    assert deps[("3", "6")] == ("FS", 1)  # '3FS+1d'
    dem = {(d.activity, d.resource): d.amount for d in plan.demands}
    assert dem[("3", "worker")] == 3 and dem[("7", "engineer")] == 1
    assert any("5,75 days" in str(w) for w in plan.warnings)


@pytest.mark.parametrize(
    ("cell", "match"),
    [
        ("99FS", "predecessor '99' is not an activity id"),  # names no activity
        ("2XY", "unknown relationship type 'XY'"),  # no such type
        ("2FS+3q", "unknown lag '3q'"),  # no such unit
    ],
)
def test_bad_predecessor_cell_is_an_error_with_its_row(cell: str, match: str) -> None:
    import openpyxl

    # data_only: the sample's ID column holds formulas whose cached values we keep
    wb = openpyxl.load_workbook(_path("C2024-02 Gas Pipeline.xlsx"), data_only=True)
    wb["Baseline Schedule"]["D6"] = cell  # row of activity 3
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InvalidPlanError, match=f"row 6: {match}"):
        read_dslib(buf.getvalue(), "bad.xlsx")


def test_messages_name_the_real_file_and_the_row_once() -> None:
    data = _path("C2024-02 Gas Pipeline.xlsx").read_bytes()
    # the planner passes the name it was given, possibly with folders
    plan = read_dslib(data, "/data/in/C2024-02 Gas Pipeline.xlsx")
    rounding = [str(w) for w in plan.warnings if "5,75 days" in str(w)]
    assert rounding == [
        "C2024-02 Gas Pipeline.xlsx: Baseline Schedule row 10: "
        "7 duration '5,75 days' = 5.75 days rounded up to 6"
    ]
    # no name given: the default, never an empty prefix
    assert str(read_dslib(data, "").warnings[0]).startswith("workbook.xlsx: ")
