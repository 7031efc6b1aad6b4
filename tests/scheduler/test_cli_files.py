"""The command line's files (issue 14 items 10 and 11).

Outputs that cannot be written are refused before anything is read or solved, a
write that fails at the end is one sentence and exit 2, the input is never
overwritten, and the input's size is looked at before any byte of it is read.
"""

from __future__ import annotations

import json
import os
import tempfile
import tracemalloc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from infraplan.cli import main
from scheduler import importers, planner
from scheduler.workbook import MAX_FILE_BYTES, write_workbook

DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full on this system")


def _tiny(tmp_path: Path) -> Path:
    """A two-activity workbook (A1 10 d → A2 5 d) that solves in a moment."""
    tables = {
        "Settings": [
            {"key": "plan_name", "value": "작은 계획"},
            {"key": "plan_start", "value": date(2027, 1, 1)},
            {"key": "horizon_months", "value": 1},
        ],
        "Regions": [{"id": "R1", "name": "Seoul"}],
        "Activities": [
            {"id": "A1", "name": "first", "sector": "road", "region_from": "R1", "duration": 10},
            {"id": "A2", "name": "second", "sector": "road", "region_from": "R1", "duration": 5},
        ],
        "Dependencies": [{"predecessor": "A1", "successor": "A2", "type": "FS", "lag": 0}],
    }
    path = tmp_path / "tiny.xlsx"
    write_workbook(tables, path)
    return path


@pytest.fixture
def nothing_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the input is read or solved: the refusal must come first."""

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("the input was read or solved before the refusal")

    monkeypatch.setattr(importers, "read_plan", refuse)
    monkeypatch.setattr(planner, "plan_schedule", refuse)


def _said(capsys: pytest.CaptureFixture[str]) -> str:
    """What the command printed, with rich's line wrapping undone."""
    captured = capsys.readouterr()
    return " ".join((captured.out + captured.err).split())


def _unwritable_dir(tmp_path: Path) -> Path:
    """A folder in which no file can be created, or skip (root ignores permission bits)."""
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        return locked
    sys_dir = Path("/sys")  # sysfs refuses new files even to root
    try:
        with tempfile.TemporaryFile(dir=sys_dir):
            pass
    except OSError:
        return sys_dir
    pytest.skip("no folder here refuses a new file")


# -- outputs refused before the solve ------------------------------------------------------
@pytest.mark.parametrize("flag", ["-o", "--json"])
def test_output_that_is_a_folder_is_refused_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_read: None, flag: str
) -> None:
    path = _tiny(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["plan", str(path), flag, str(folder)]) == 2
    what, name = ("the report", "plan.xlsx") if flag == "-o" else ("the JSON", "plan.json")
    assert (
        f"{what} cannot be written to {folder}: it is a folder; "
        f"give a file name such as {folder / name}"
    ) in _said(capsys)


@pytest.mark.parametrize("flag", ["-o", "--json"])
def test_output_under_a_file_is_refused_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_read: None, flag: str
) -> None:
    path = _tiny(tmp_path)
    afile = tmp_path / "notes.txt"
    afile.write_text("a file, not a folder")
    target = afile / "sub" / "r.out"
    assert main(["plan", str(path), flag, str(target)]) == 2
    assert f"cannot be written to {target}: {afile} is a file, not a folder" in _said(capsys)


def test_output_in_an_unwritable_folder_is_refused_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_read: None
) -> None:
    path = _tiny(tmp_path)
    target = _unwritable_dir(tmp_path) / "r.xlsx"
    assert main(["plan", str(path), "-o", str(target)]) == 2
    assert f"the report cannot be written to {target}: Permission denied" in _said(capsys)
    assert not target.exists()


def test_report_over_the_input_is_refused_and_the_workbook_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_read: None
) -> None:
    path = _tiny(tmp_path)
    before = path.read_bytes()
    assert main(["plan", str(path), "-o", str(tmp_path / "." / "tiny.xlsx")]) == 2
    assert f"the report would be written over {path}; choose another file name" in _said(capsys)
    assert path.read_bytes() == before


def test_json_over_the_input_or_the_report_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_read: None
) -> None:
    path = _tiny(tmp_path)
    assert main(["plan", str(path), "--json", str(path)]) == 2
    assert f"the JSON would be written over {path}" in _said(capsys)
    same = tmp_path / "both.out"
    assert main(["plan", str(path), "--json", str(same), "-o", str(same)]) == 2
    assert f"the report would be written over {same}" in _said(capsys)


def test_existing_output_is_left_untouched_by_the_check(tmp_path: Path) -> None:
    path = _tiny(tmp_path)
    old = tmp_path / "old.json"
    old.write_text("yesterday's schedule")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    # the input is invalid after the check: nothing is written, the old file stays as it was
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["plan", str(bad), "--json", str(old), "--no-report"]) == 2
    assert old.read_text() == "yesterday's schedule"
    assert old.stat().st_mtime == 1_000_000_000
    assert path.exists()


# -- a write that fails at the end -----------------------------------------------------------
@needs_dev_full
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_report_on_a_full_disk_is_a_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, js = _tiny(tmp_path), tmp_path / "s.json"
    code = main(["plan", str(path), "--json", str(js), "-o", str(DEV_FULL), "--time-limit", "2"])
    assert code == 2
    said = _said(capsys)
    assert "the report could not be written to /dev/full: No space left on device" in said
    assert "Traceback" not in said
    assert json.loads(js.read_text())["status"] == "optimal"  # the JSON, written first, is kept


@needs_dev_full
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_json_on_a_full_disk_is_a_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _tiny(tmp_path)
    code = main(["plan", str(path), "--json", str(DEV_FULL), "--no-report", "--time-limit", "2"])
    assert code == 2
    assert "the JSON could not be written to /dev/full: No space left on device" in _said(capsys)


# -- template, convert, export ---------------------------------------------------------------
def test_template_into_a_folder_or_under_a_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["template", str(tmp_path)]) == 2
    assert f"the template cannot be written to {tmp_path}: it is a folder" in _said(capsys)
    afile = tmp_path / "f"
    afile.write_text("x")
    assert main(["template", str(afile / "t.xlsx")]) == 2
    assert f"{afile} is a file, not a folder" in _said(capsys)


@needs_dev_full
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_template_on_a_full_disk_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", str(DEV_FULL)]) == 2
    assert "the template could not be written to /dev/full: No space left on device" in _said(
        capsys
    )


def test_convert_over_its_input_or_into_a_folder_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_read: None
) -> None:
    path = _tiny(tmp_path)
    before = path.read_bytes()
    assert main(["convert", str(path), "-o", str(path)]) == 2
    assert f"the workbook would be written over {path}" in _said(capsys)
    assert path.read_bytes() == before
    assert main(["convert", str(path), "-o", str(tmp_path)]) == 2
    assert f"the workbook cannot be written to {tmp_path}: it is a folder" in _said(capsys)


def test_export_into_a_folder_is_refused_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_read: None
) -> None:
    path = _tiny(tmp_path)
    assert main(["export", str(path), "-o", str(tmp_path)]) == 2
    assert (
        f"the MS Project XML cannot be written to {tmp_path}: it is a folder; "
        f"give a file name such as {tmp_path / 'plan.xml'}"
    ) in _said(capsys)


@needs_dev_full
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_export_on_a_full_disk_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _tiny(tmp_path)
    assert main(["export", str(path), "-o", str(DEV_FULL), "--time-limit", "2"]) == 2
    said = _said(capsys)
    assert "the MS Project XML could not be written to /dev/full: No space left on device" in said


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_serve_with_a_bad_port_exits_2_with_a_sentence(
    capsys: pytest.CaptureFixture[str], port: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--port", port])
    assert exc.value.code == 2
    assert f"the port must be a whole number from 1 to 65535, not '{port}'" in _said(capsys)


# -- the input's size before its bytes (item 11) ---------------------------------------------
def test_oversized_input_is_refused_before_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as f:  # sparse: 60 MiB long, no disk used
        f.truncate(60 * 2**20)
    assert MAX_FILE_BYTES == 50 * 2**20
    tracemalloc.start()
    try:
        code = main(["plan", str(big), "--no-report"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2
    assert f"{big} is 60 MiB; the limit is 50 MiB" in _said(capsys)
    assert peak < 5 * 2**20  # reading it would hold 60 MiB


@pytest.mark.parametrize("command", ["plan", "convert", "export"])
def test_input_that_is_not_a_regular_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nothing_read: None, command: str
) -> None:
    out = ["-o", str(tmp_path / "out.file")]
    assert main([command, str(tmp_path), *out]) == 2
    assert f"{tmp_path} is a folder, not a plan file" in _said(capsys)
    assert main([command, os.devnull, *out]) == 2
    assert f"{os.devnull} is not a regular file (a device or a pipe)" in _said(capsys)
    missing = tmp_path / "missing.xlsx"
    assert main([command, str(missing), *out]) == 2
    assert f"cannot read {missing}: No such file or directory" in _said(capsys)


@needs_dev_full
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_real_run_on_a_full_disk_prints_no_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "scheduler.cli", "template", str(DEV_FULL)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = " ".join((run.stdout + run.stderr).split())
    assert run.returncode == 2, said
    assert "the template could not be written to /dev/full: No space left on device" in said
    assert "Traceback" not in said and "Exception ignored" not in said


# -- the database of keys and serve ----------------------------------------------------------
@pytest.fixture
def no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """INFRAPLAN_DATABASE_URL naming a file in a folder that does not exist."""
    from api.config import get_settings

    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}"
    monkeypatch.setenv("INFRAPLAN_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_keys_on_a_database_that_cannot_be_opened_exit_2(
    no_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "create", "--role", "admin"]) == 2
    said = _said(capsys)
    assert f"cannot open the database {no_database}: unable to open database file" in said
    assert "Traceback" not in said


def test_serve_on_a_database_that_cannot_be_opened_exits_2_before_starting(
    no_database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    def started(*_a: object, **_k: object) -> None:
        raise AssertionError("the server was started")

    monkeypatch.setattr(uvicorn, "run", started)
    assert main(["serve", "--port", "8123"]) == 2
    assert f"cannot open the database {no_database}: unable to open database file" in _said(capsys)
