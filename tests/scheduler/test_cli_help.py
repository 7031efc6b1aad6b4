"""The CLI's help says what each command reads and writes (issue 13's newcomer defects)."""

from __future__ import annotations

import pytest

from infraplan.cli import main


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"] if argv else ["--help"])
    assert exc.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("infraplan ")


def test_bench_help_lists_the_benchmarks(capsys: pytest.CaptureFixture[str]) -> None:
    assert "{psplib,scale,national,risk}" in _help(capsys, "bench")


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("plan", ["DSLIB", ".mpp", "Primavera P6 .xer", "PSPLIB .sm"]),  # every reader
        ("template", ["where to write the template"]),
        ("convert", ["P6 .xer", "the workbook to write"]),
        ("export", ["the MS Project XML to write"]),
        ("serve", ["address to listen on", "TCP port, 1-65535"]),
        ("risk", ["--iterations", "--mode", "--ray"]),
    ],
)
def test_each_command_describes_its_arguments(
    capsys: pytest.CaptureFixture[str], command: str, words: list[str]
) -> None:
    text = _help(capsys, command)
    for w in words:
        assert w in text, (command, w)


def test_unknown_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["plan", "x.xlsx", "--bogus"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
