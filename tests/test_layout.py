"""The package layout: what each top-level package may import (issue 12 item 4)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests import shared

REPO = shared.REPO

#: Top-level package -> packages of this project it must never import.
FORBIDDEN = {
    "scheduler": {"api", "benchmarks", "infraplan", "tools"},
    "api": {"benchmarks", "infraplan", "tools"},
    "benchmarks": {"api", "infraplan", "tools"},
}


def _imports(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (also inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_runtime_packages_do_not_import_upwards(package: str) -> None:
    found = {
        str(p.relative_to(REPO)): sorted(_imports(p) & FORBIDDEN[package])
        for p in sorted((REPO / package).rglob("*.py"))
    }
    assert {k: v for k, v in found.items() if v} == {}


def test_tools_and_benchmarks_are_out_of_the_runtime_packages() -> None:
    assert not (REPO / "scheduler" / "bench").exists()
    assert not (REPO / "scheduler" / "importers" / "agreement.py").exists()
    assert not (REPO / "api" / "loadtest.py").exists()
    assert not (REPO / "api" / "liveserver.py").exists()
    for name in ("build_sample", "agreement", "loadtest", "liveserver"):
        assert (REPO / "tools" / f"{name}.py").is_file(), name


def test_console_script_is_the_composition_root() -> None:
    from infraplan.cli import COMMANDS
    from scheduler.cli import _parser as planner_parser

    assert [c.name for c in COMMANDS] == ["serve", "keys", "bench"]
    # the planner's own parser knows only the planner's commands
    sub = next(a for a in planner_parser()._actions if a.dest == "command")
    assert list(sub.choices) == ["plan", "template", "convert", "export", "check", "risk"]
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'infraplan = "infraplan.cli:main"' in text


def test_planner_cli_refuses_the_service_commands(capsys: pytest.CaptureFixture[str]) -> None:
    from scheduler.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["serve"])
    assert exc.value.code == 2
    assert "invalid choice: 'serve'" in capsys.readouterr().err
