"""``infraplan check``: the DCMA 14-point assessment on the command line.

Exit 0 whenever it ran (whatever the checks found), 2 on a file it cannot read or a
plan with errors (placed, as ``plan`` prints them) and on an output it may not write.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraplan.cli import main
from tests.shared import CHILLER, SCHEDULES, TAKT, sample


def _said(capsys: pytest.CaptureFixture[str]) -> str:
    """What the command printed, with rich's line wrapping undone."""
    captured = capsys.readouterr()
    return " ".join((captured.out + captured.err).split())


def test_check_prints_the_table_and_writes_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample(CHILLER)
    out = tmp_path / "health.json"
    assert main(["check", str(SCHEDULES / CHILLER), "--json", str(out)]) == 0
    said = _said(capsys)
    assert "DCMA 14-point assessment" in said
    # the two CS_MEOB milestones of 25 incomplete activities: 8 % > 5 %
    assert "5 │ Hard constraints │ 2 / 25 │ 8.0 % │ <= 5% │ FAIL" in said
    assert "7 passed, 5 failed, 2 not applicable" in said
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [c["id"] for c in doc["checks"]] == list(range(1, 15))
    hard = doc["checks"][4]
    assert (hard["count"], hard["total"], hard["passed"]) == (2, 25, False)
    assert hard["activities"] == ["MILE-130", "MILE-140"]
    assert doc["checks"][13]["passed"] is None  # BEI without a baseline


def test_check_exits_0_when_checks_fail(capsys: pytest.CaptureFixture[str]) -> None:
    sample(TAKT)
    assert main(["check", str(SCHEDULES / TAKT)]) == 0  # logic and resources fail
    assert "FAIL" in _said(capsys)


def test_a_missing_file_is_one_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path / "nope.xer")]) == 2
    assert "nope.xer" in _said(capsys)


def test_an_invalid_plan_lists_its_placed_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the first TASKPRED row of the TAKT sample names a predecessor that does not exist
    bad = tmp_path / "bad.xer"
    data = sample(TAKT)
    assert b"\t37897\t37896\t368" in data
    bad.write_bytes(data.replace(b"\t37897\t37896\t368", b"\t37897\t99999\t368", 1))
    out = tmp_path / "health.json"
    assert main(["check", str(bad), "--json", str(out)]) == 2
    said = _said(capsys)
    assert "invalid input" in said and "TASKPRED line" in said and "99999" in said
    assert not out.exists()


@pytest.mark.parametrize(
    "target",
    [
        "folder",  # the JSON path is a folder
        "input",  # the JSON would overwrite the input
    ],
)
def test_an_output_that_cannot_be_written_is_refused_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    src = tmp_path / "takt.xer"
    src.write_bytes(sample(TAKT))
    out = tmp_path if target == "folder" else src
    assert main(["check", str(src), "--json", str(out)]) == 2
    assert "JSON" in _said(capsys)
    assert src.read_bytes() == sample(TAKT)


def test_a_missing_baseline_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample(TAKT)
    gone = tmp_path / "prev.json"
    assert main(["check", str(SCHEDULES / TAKT), "--baseline", str(gone)]) == 2
    assert "prev.json" in _said(capsys)


def _takt_baseline(path: Path, status: str = "feasible") -> Path:
    """A baseline of three TAKT activities, two of them due before the data date."""
    doc = {
        "status": status,
        "plan_start": "2021-11-01",
        "finish": "2021-12-23",
        "makespan_days": 38,
        "activities": [
            {"id": "A1010", "duration_days": 5, "start": "2021-11-01", "finish": "2021-11-05"},
            {"id": "A1020", "duration_days": 6, "start": "2021-11-08", "finish": "2021-11-15"},
            {"id": "A1030", "duration_days": 6, "start": "2021-12-01", "finish": "2021-12-08"},
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_check_against_a_baseline_before_the_data_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample(TAKT)
    baseline = _takt_baseline(tmp_path / "prev.json")
    out = tmp_path / "health.json"
    args = ["check", str(SCHEDULES / TAKT), "--baseline", str(baseline), "--json", str(out)]
    assert main(args) == 0
    assert "22 activities are not in the baseline" in _said(capsys)
    checks = {c["id"]: c for c in json.loads(out.read_text(encoding="utf-8"))["checks"]}
    # data date 2021-11-30: A1010 (to finish 11-05) and A1020 (11-15) were due, neither
    # has started (the P6 plan starts on its data date: those finishes are before it)
    missed = checks[11]
    assert (missed["count"], missed["total"], missed["activities"]) == (2, 2, ["A1010", "A1020"])
    assert (checks[14]["count"], checks[14]["total"], checks[14]["value"]) == (0, 2, 0.0)
    # CPLI: the logic finish 2022-02-21 (P6's latest early_end_date) is the 55th working
    # day from 2021-11-30 (Dec 27-31 are holidays); the baseline finish 2021-12-23 the 18th
    cpli = checks[13]
    assert (cpli["count"], cpli["total"], cpli["value"], cpli["passed"]) == (18, 55, 0.327, False)


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        # not JSON: the line and column of the fault
        ("{not json", "prev.json: JSON line 1"),
        # nested 100,000 deep: one sentence, never a RecursionError traceback
        ("[" * 100_000 + "]" * 100_000, "prev.json: is not an infraplan schedule: its JSON is"),
        # a megabyte on one line: the line and column, not the text
        ('{"activities": [' + "1," * 300_000 + " oops]}", "JSON line 1: is not JSON: Expecting"),
        # a schedule that has no plan
        (None, "status 'infeasible'"),
    ],
)
def test_a_bad_baseline_is_a_placed_error_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, sentence: str
) -> None:
    sample(TAKT)
    path = tmp_path / "prev.json"
    if content is None:
        _takt_baseline(path, status="infeasible")
    else:
        path.write_text(content, encoding="utf-8")
    assert main(["check", str(SCHEDULES / TAKT), "--baseline", str(path)]) == 2
    said = _said(capsys)
    assert "invalid input" in said and sentence in said
    assert len(said) < 300 and "Traceback" not in said  # one short placed sentence
