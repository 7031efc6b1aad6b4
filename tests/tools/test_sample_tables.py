"""The sample builder's reference tables are data files (issue 12 item 4), not code."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from datetime import date
from types import ModuleType

import pytest

from tests import shared

TOOLS = shared.REPO / "tools"
TABLES = TOOLS / "sample_data"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_sample_tables", TOOLS / "build_sample.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_sample_tables"] = mod
    spec.loader.exec_module(mod)
    return mod


def _rows(name: str) -> list[dict[str, str]]:
    with (TABLES / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_regions_and_crews_come_from_the_csv(script: ModuleType) -> None:
    rows = _rows("regions.csv")
    regions, crews = script.REGIONS, script.CREW_CAPACITY
    assert [r[0] for r in regions] == [r["id"] for r in rows]
    assert regions[0] == ("SEL", "Seoul capital hub", "서울", 37.5665, 126.978, "capital hub")
    assert crews == {r["id"]: int(r["crew_capacity"]) for r in rows}
    assert crews["HWC"] == 2


def test_resources_budget_and_seasons_come_from_the_files(script: ModuleType) -> None:
    assert [r[0] for r in script.NATIONAL_RESOURCES] == [r["id"] for r in _rows("resources.csv")]
    assert script.NATIONAL_RESOURCES[0] == ("TBM", "Tunnel boring machine (TBM)", 2, "machine")
    plan = json.loads((TABLES / "plan.json").read_text(encoding="utf-8"))
    assert (
        script.BUDGET_CAPS
        == {2027: 30000, 2028: 34000}
        == {int(y): c for y, c in plan["budget_caps"].items()}
    )
    assert script.MONSOON[0] == (date(2027, 7, 1), date(2027, 8, 31))
    assert script.WINTER[-1] == (date(2028, 12, 15), date(2028, 12, 31))
    start = script.PLAN_START
    assert start == date(2027, 1, 1)
    assert script.HORIZON_DAYS == 731
    assert dict(script.build_data().settings)["time_limit_s"] == 20


def test_the_script_holds_no_copy_of_the_tables() -> None:
    text = (TOOLS / "build_sample.py").read_text(encoding="utf-8")
    for literal in ("Tunnel boring machine", "37.5665", "30000", "Seoul capital hub"):
        assert literal not in text, literal
