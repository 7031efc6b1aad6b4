"""Every format through the one entrance: tiny files read; cycles, unknown predecessors and
bad lags refused with a placed sentence, by the reader and by the CLI (exit code 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.errors import InvalidPlanError, UnreadableFileError
from scheduler.importers import detect_format, read_plan, read_source
from tests.formats import BAD, GOOD

CHAIN = ([5, 10, 3, 0], [("FS", 0), ("SS", 2), ("FS", 0)])
#: PSPLIB: source, three jobs, sink; FS links without lags
PSPLIB_CHAIN = ([0, 3, 4, 2, 0], [("FS", 0)] * 4)


@pytest.mark.parametrize("fmt", sorted(GOOD))
def test_tiny_file_of_every_format_reads_as_a_chain(fmt: str) -> None:
    name, build = GOOD[fmt]
    plan = read_plan(build(), name)
    durations, links = PSPLIB_CHAIN if fmt == "psplib" else CHAIN
    assert [a.duration for a in plan.activities] == durations
    assert [(d.type, d.lag) for d in plan.dependencies] == links
    assert plan.warnings == []


@pytest.mark.parametrize(("fmt", "kind"), sorted(BAD))
def test_bad_file_is_refused_with_a_placed_sentence(fmt: str, kind: str) -> None:
    name, build, sentence = BAD[fmt, kind]
    with pytest.raises(InvalidPlanError) as info:
        read_plan(build(), name)
    errors = [i.message for i in info.value.issues if i.severity == "error"]
    assert any(sentence in m for m in errors), errors


@pytest.mark.parametrize(("fmt", "kind"), sorted(BAD))
def test_cli_refuses_a_bad_file_with_exit_2_and_the_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, kind: str
) -> None:
    name, build, sentence = BAD[fmt, kind]
    path = tmp_path / name
    path.write_bytes(build())
    assert main(["plan", str(path), "--no-report"]) == 2
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert sentence in " ".join(out.split())  # rich wraps lines


def test_the_cycle_issue_is_placed_at_its_first_dependency() -> None:
    name, build, _ = BAD["xer", "cycle"]
    with pytest.raises(InvalidPlanError) as info:
        read_plan(build(), name)
    (issue,) = info.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("TASKPRED", 25, "task_id")


def test_the_workbook_keeps_its_tables_from_the_one_parse() -> None:
    name, build = GOOD["workbook"]
    source = read_source(build(), name)
    assert source.format == "xlsx"
    assert [r["id"] for r in source.tables["activities"]] == ["A", "B", "C", "D"]
    assert read_source(GOOD["xer"][1](), "tiny.xer").tables is None


def test_json_tables_go_through_the_same_entrance() -> None:
    from tests.formats import tables

    source = read_source(tables())
    assert source.format == "json" and len(source.plan.activities) == 4


def test_encrypted_workbook_is_named_as_encrypted() -> None:
    # the OLE container Excel writes for a password-protected .xlsx
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le")
    )
    with pytest.raises(UnreadableFileError, match=r"locked.xlsx is an encrypted \(password"):
        read_plan(data, "locked.xlsx")
    assert detect_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "p.mpp") == "mpp"


def test_a_workbook_named_xer_is_read_as_a_workbook() -> None:
    """The content decides: a zip is a workbook even when its name ends in .xer."""
    assert detect_format(b"PK\x03\x04" + b"\0" * 64, "plan.xer") == "xlsx"
    assert detect_format(b"ERMHDR\t19.12", "plan.xlsx") == "xer"


def test_a_reader_fault_is_a_sentence_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler.importers import xer

    def broken(data: bytes, filename: str) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(xer, "read_xer", broken)
    with pytest.raises(
        UnreadableFileError, match=r"^tiny.xer cannot be read as xer \(ZeroDivisionError\)$"
    ):
        read_plan(GOOD["xer"][1](), "tiny.xer")


def test_input_larger_than_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    from scheduler import importers

    path = tmp_path / "huge.xer"
    with path.open("wb") as fh:
        fh.truncate(importers.MAX_INPUT_BYTES + 1)  # sparse: no memory, no disk
    with pytest.raises(UnreadableFileError, match="larger than 50 MiB") as info:
        read_plan(path)
    assert info.value.too_large


def test_cli_shows_the_first_errors_of_a_kind_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.formats import workbook_bytes

    def edit(t: dict) -> None:
        t["Activities"] += [
            {"id": f"X{i}", "name": "x", "sector": "road", "region_from": "SEL", "duration": "many"}
            for i in range(45)
        ]

    path = tmp_path / "long.xlsx"
    path.write_bytes(workbook_bytes(edit))
    assert main(["plan", str(path), "--no-report"]) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert "invalid input: 45 problem(s)" in out
    assert out.count("error: Activities row") == 20
    assert "… and 25 more errors in Activities, duration" in out


def test_cli_prints_brackets_in_a_message_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.formats import dslib_bytes

    path = tmp_path / "b.xlsx"
    path.write_bytes(dslib_bytes(5, "Predecessors", "[bold]9"))
    assert main(["plan", str(path), "--no-report"]) == 2
    assert "'[bold]9' is not like 3FS" in " ".join(capsys.readouterr().out.split())
