"""End-to-end tests of the ``infraplan`` command (SPEC §6, issue 2 item 7)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from scheduler.cli import main
from scheduler.importers import read_plan
from scheduler.report import SHEETS
from scheduler.workbook import write_template, write_workbook
from tests import shared
from tests.checker import assert_feasible

REPO = shared.REPO
SAMPLE = REPO / "data" / "national_plan.xlsx"
J30 = REPO.parent / "shared" / "benchmarks" / "psplib" / "j30"


def starts_from_doc(doc: dict, plan) -> dict[str, int]:
    """Start slots of the JSON document's activities (dates back to grid offsets)."""
    grid = plan.grid
    dur = {a.id: a.duration for a in plan.activities}
    out = {}
    for row in doc["activities"]:
        first = date.fromisoformat(row["start"])
        if dur[row["id"]] == 0:  # a milestone is shown on the day its work ends
            out[row["id"]] = grid.slot_after(first) if first >= grid.plan_start else 0
        else:
            out[row["id"]] = grid.slot_on_or_after(first)
    return out


def test_plan_sample_end_to_end(tmp_path: Path) -> None:
    out, js = tmp_path / "r.xlsx", tmp_path / "s.json"
    code = main(["plan", str(SAMPLE), "-o", str(out), "--json", str(js), "--time-limit", "3"])
    assert code == 0
    doc = json.loads(js.read_text(encoding="utf-8"))
    plan = read_plan(SAMPLE)
    assert doc["status"] in ("optimal", "feasible")
    assert len(doc["activities"]) == len(plan.activities) == 231
    assert 0 < doc["makespan_days"] <= plan.horizon
    assert doc["bound"] <= doc["objective"] == doc["makespan_days"]
    # the finish date is the last day worked of the latest activity
    assert doc["finish"] == max(a["finish"] for a in doc["activities"])
    # every budget year within its cap, as the report claims
    assert [b["period"] for b in doc["budget"]] == ["FY2027", "FY2028"]
    assert all(b["spend"] <= b["cap"] for b in doc["budget"])
    # the critical path is a chain of real activity ids; the driving path ends at the finish
    ids = {a.id for a in plan.activities}
    assert doc["critical_path"] and set(doc["critical_path"][0]) <= ids
    last = doc["driving_path"][-1]
    assert next(a for a in doc["activities"] if a["id"] == last)["finish"] == doc["finish"]
    # the JSON's dates are a feasible plan (independent checker)
    assert_feasible(plan, starts_from_doc(doc, plan))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(SHEETS)


def test_template_is_a_plannable_example(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    assert main(["template", str(path)]) == 0
    js = tmp_path / "t.json"
    code = main(["plan", str(path), "--json", str(js), "--no-report", "--time-limit", "2"])
    assert code == 0
    assert json.loads(js.read_text())["status"] == "optimal"


@pytest.mark.skipif(not J30.is_dir(), reason=f"PSPLIB data not found: {J30}")
def test_plan_psplib_file_reaches_known_optimum(tmp_path: Path) -> None:
    js = tmp_path / "j.json"
    code = main(["plan", str(J30 / "j3010_1.sm"), "--json", str(js), "--no-report"])
    assert code == 0
    doc = json.loads(js.read_text())
    assert (doc["status"], doc["makespan_days"]) == ("optimal", 42)  # j30opt.sm: 42


def _tiny(tmp_path: Path, **activity: object) -> Path:
    """A one-region, two-activity workbook; ``activity`` overrides columns of A2."""
    a2 = {"id": "A2", "name": "second", "sector": "road", "region_from": "R1", "duration": 5}
    a2.update(activity)
    tables = {
        "Settings": [
            {"key": "plan_name", "value": "작은 계획"},
            {"key": "plan_start", "value": date(2027, 1, 1)},
            {"key": "horizon_months", "value": 1},
        ],
        "Regions": [{"id": "R1", "name": "Seoul"}],
        "Activities": [
            {"id": "A1", "name": "first", "sector": "road", "region_from": "R1", "duration": 10},
            a2,
        ],
        "Dependencies": [{"predecessor": "A1", "successor": "A2", "type": "FS", "lag": 0}],
    }
    path = tmp_path / "tiny.xlsx"
    write_workbook(tables, path)
    return path


def test_infeasible_plan_exits_1_and_names_the_conflict(tmp_path: Path, capsys) -> None:
    # A1 (10 d) -> A2 (5 d) must be done by 2027-01-12: the chain needs until 2027-01-15
    path = _tiny(tmp_path, due=date(2027, 1, 12))
    js = tmp_path / "x.json"
    assert main(["plan", str(path), "--json", str(js), "-o", str(tmp_path / "r.xlsx")]) == 1
    doc = json.loads(js.read_text())
    assert doc["status"] == "infeasible"
    assert doc["min_horizon_days"] == 15
    assert [c["kind"] for c in doc["conflicts"]] == ["due"]
    assert "A2" in doc["conflicts"][0]["activities"]
    assert "infeasible" in capsys.readouterr().out
    assert (tmp_path / "r.xlsx").exists()  # the report explains it too


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"duration": "three"}, "duration"),  # text in a number cell
        ({"duration": -2}, "negative"),  # negative duration
        ({"release": "next spring"}, "release"),  # text in a date cell
    ],
)
def test_invalid_input_exits_2_with_place(tmp_path: Path, capsys, override, fragment) -> None:
    path = _tiny(tmp_path, **override)
    js = tmp_path / "i.json"
    assert main(["plan", str(path), "--json", str(js), "--no-report"]) == 2
    doc = json.loads(js.read_text())
    assert doc["status"] == "invalid"
    issue = next(i for i in doc["issues"] if i["severity"] == "error")
    assert (issue["sheet"], issue["row"]) == ("Activities", 3)
    assert fragment in issue["message"]
    assert "Activities" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.xlsx", b"", "is empty"),  # an empty file
        ("notes.xlsx", b"plain text", "not an .xlsx workbook"),  # text renamed .xlsx
        # a CSV export renamed .xlsx: said so, with its shape and what to do
        (
            "plan.xlsx",
            b"id,name,duration\nA,Clear site,5\nB,Dig,3\n",
            "plan.xlsx is not an Excel workbook: it looks like CSV text (comma-separated, 3 "
            "columns: id, name, duration) with an Excel name. Open it in Excel and save it as "
            "'Excel Workbook (*.xlsx)'",
        ),
        # the same from a Korean Excel: BOM, semicolons, CRLF, more columns than named
        (
            "plan.xlsx",
            "\ufeffid;이름;기간;지역\r\nA;토공;5;SEL\r\n".encode(),
            "it looks like CSV text (semicolon-separated, 4 columns: id, 이름, 기간, ...)",
        ),
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old .xls"),  # Excel 97 file
        ("g.sm", b"garbage\n", "PSPLIB"),  # not a PSPLIB instance
    ],
)
def test_unreadable_files_exit_2(tmp_path: Path, capsys, name, content, message) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["plan", str(path), "--no-report"]) == 2
    assert message in " ".join(capsys.readouterr().out.split())  # rich wraps lines


@pytest.mark.parametrize(
    "args",
    [
        ["--objective", "fastest"],  # unknown objective
        ["--time-limit", "0"],  # a limit of zero seconds
        ["--workers", "0"],  # no workers
        ["--time-limit", "inf"],  # no limit at all
        ["--seed", "1099511627776"],  # above CP-SAT's 32-bit seed
        ["--seed", "-1"],
    ],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["plan", str(SAMPLE), *args])
    assert exc.value.code == 2


def test_template_writes_documented_sheets(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    assert {"Settings", "Activities", "Dependencies"} <= set(wb.sheetnames)
