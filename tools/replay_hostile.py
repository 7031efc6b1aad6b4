"""Replay hostile plan files through the CLI and the API upload; print a table.

Usage (from the repository root, in the project's environment)::

    python -m tools.replay_hostile                 # the built-in hostile kinds
    python -m tools.replay_hostile FILE [FILE...]  # these files instead (kind = name)
    python -m tools.replay_hostile --no-api        # the CLI only

Each file is run once through ``infraplan plan FILE --no-report`` and once through
``POST /plans`` of a real server (``infraplan serve`` on a loopback port, SQLite in
a temporary folder). For each, the table gives the outcome (``refused: <the
sentence>``, ``read`` when the file is accepted, ``TRACEBACK``, ``5xx``, ``TIMEOUT``),
the wall-clock seconds and the peak resident memory in MB (the CLI process's
``ru_maxrss``; the server's ``VmHWM``, reset before each upload). The built-in kinds
are the hostile variants of the tiny fixtures in ``tests/data`` that the reader
tests use (MS Project XML, P6 XER, DSLIB, PSPLIB).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Seconds a single run may take before it is killed and reported as TIMEOUT.
LIMIT_S = 120.0


@dataclass
class Outcome:
    """What one run did: a short verdict, seconds and peak MB."""

    verdict: str
    seconds: float
    peak_mb: float


def builtin_cases() -> list[tuple[str, str, bytes]]:
    """``(kind, file name, bytes)`` of every hostile variant the reader tests use."""
    from tests.scheduler.io import (
        test_hostile_dslib,
        test_hostile_mspdi,
        test_hostile_psplib,
        test_hostile_xer,
    )
    from tests.scheduler.io.hostile import dslib_workbook, fixture

    out: list[tuple[str, str, bytes]] = []
    xml = fixture("hostile_base.xml")
    for i, (edit, _el, field, _s) in enumerate(
        test_hostile_mspdi.ERRORS + test_hostile_mspdi.WARNINGS
    ):
        new = edit.new.decode()[len(field) + 2 :][:24].split("<")[0]
        out.append((f"mspdi {field} {new}", f"mspdi-{i:02d}.xml", edit.apply(xml)[0]))
    xer = fixture("hostile_base.xer")
    for i, (edit, table, field, _s) in enumerate(
        test_hostile_xer.ERRORS + test_hostile_xer.WARNINGS
    ):
        out.append((f"xer {table}.{field}", f"xer-{i:02d}.xer", edit.apply(xer)[0]))
    out.append(("xer UTF-16 (BOM)", "xer-utf16.xer", xer.decode().encode("utf-16")))
    out.append(("xer UTF-16-LE (no BOM)", "xer-utf16le.xer", xer.decode().encode("utf-16-le")))
    for i, (rows, res, sheet, _r, column, _s) in enumerate(test_hostile_dslib.ERRORS):
        out.append((f"dslib {sheet}.{column}", f"dslib-{i:02d}.xlsx", dslib_workbook(rows, res)))
    sm = fixture("hostile_base.sm").decode()
    for i, (old, new, column, _m) in enumerate(test_hostile_psplib.CASES):
        out.append((f"psplib {column} #{i}", f"psplib-{i:02d}.sm", sm.replace(old, new).encode()))
    return out


def _verdict_cli(code: int, text: str) -> str:
    if "Traceback (most recent call last)" in text:
        return "TRACEBACK"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if code == 2:
        said = next((ln for ln in lines if ln.startswith(("error:", "invalid", "cannot"))), "")
        detail = next((ln[7:] for ln in lines if ln.startswith("error:")), said)
        return f"refused: {detail[:110]}" if detail else "refused (exit 2, no sentence)"
    return f"read (exit {code})"


def run_cli(path: Path) -> Outcome:
    """``infraplan plan PATH --no-report --time-limit 5``: verdict, seconds, peak MB."""
    exe = shutil.which("infraplan") or str(Path(sys.executable).parent / "infraplan")
    cmd = [exe, "plan", str(path), "--no-report", "--time-limit", "5"]
    start = time.monotonic()
    with tempfile.TemporaryFile() as out:
        env = {**os.environ, "COLUMNS": "1000"}  # one issue per line, unwrapped
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=path.parent, env=env)
        timer = threading.Timer(LIMIT_S, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    verdict = (
        "TIMEOUT" if proc.returncode == -signal.SIGKILL else _verdict_cli(proc.returncode, text)
    )
    return Outcome(verdict, seconds, usage.ru_maxrss / 1024)


class Api:
    """A real server on a loopback port, with a planner's key."""

    def __init__(self, folder: Path) -> None:
        from tools.liveserver import create_key, running_server

        exe = shutil.which("infraplan") or str(Path(sys.executable).parent / "infraplan")
        self.env = {
            **os.environ,
            "INFRAPLAN_DATABASE_URL": f"sqlite:///{folder / 'replay.db'}",
            "INFRAPLAN_SOLVE_WORKERS": "1",
        }
        self.key = create_key(self.env, "planner", command=[exe])
        self._ctx = running_server(self.env, command=[exe, "serve"], deadline_s=60)
        self.url, self.proc = self._ctx.__enter__()

    def close(self) -> None:
        self._ctx.__exit__(None, None, None)

    def _reset_peak(self) -> None:
        with contextlib.suppress(OSError):  # not Linux: the peak is since the start
            Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")

    def _peak_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def upload(self, name: str, data: bytes) -> Outcome:
        """``POST /plans`` with the file: verdict, seconds, the server's peak MB."""
        import httpx

        self._reset_peak()
        start = time.monotonic()
        try:
            r = httpx.post(
                f"{self.url}/plans",
                files={"file": (name, data)},
                headers={"X-API-Key": self.key},
                timeout=LIMIT_S,
            )
        except httpx.TimeoutException:
            return Outcome("TIMEOUT", time.monotonic() - start, self._peak_mb())
        seconds = time.monotonic() - start
        if r.status_code >= 500:
            verdict = f"{r.status_code} (5xx)"
        elif r.status_code == 201:
            verdict = "read (201)"
        else:
            verdict = f"refused {r.status_code}: {_first_sentence(r)[:110]}"
        return Outcome(verdict, seconds, self._peak_mb())


def _first_sentence(r: object) -> str:
    try:
        body = r.json()  # type: ignore[attr-defined]
    except ValueError:
        return r.text[:80]  # type: ignore[attr-defined]
    if isinstance(body, dict) and body.get("issues"):
        first = body["issues"][0]
        return str(first.get("message", first) if isinstance(first, dict) else first)
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, dict):
        issues = detail.get("issues") or []
        if issues and isinstance(issues[0], dict):
            return str(issues[0].get("message", ""))
        return str(detail.get("message") or detail.get("reason") or detail)
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        return str(detail[0].get("message") or detail[0].get("msg") or detail[0])
    return str(detail)


def main(argv: list[str] | None = None) -> int:
    """Run the replay and print the table (Markdown); exit 1 if any run is a defect."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="files to replay (default: built-in)")
    parser.add_argument("--no-api", action="store_true", help="replay through the CLI only")
    args = parser.parse_args(argv)
    if args.files:
        cases = [(p.name, p.name, p.read_bytes()) for p in args.files]
    else:
        cases = builtin_cases()
    defects = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        api = None if args.no_api else Api(folder)
        print("| kind | CLI | s | MB | API | s | MB |")
        print("|---|---|---:|---:|---|---:|---:|")
        try:
            for kind, name, data in cases:
                path = folder / name
                path.write_bytes(data)
                cli = run_cli(path)
                up = api.upload(name, data) if api else Outcome("-", 0.0, 0.0)
                bad = any(
                    o.verdict.startswith(("TRACEBACK", "TIMEOUT")) or "(5xx)" in o.verdict
                    for o in (cli, up)
                )
                defects += bad
                print(
                    f"| {kind} | {cli.verdict} | {cli.seconds:.1f} | {cli.peak_mb:.0f} "
                    f"| {up.verdict} | {up.seconds:.2f} | {up.peak_mb:.0f} |",
                    flush=True,
                )
        finally:
            if api is not None:
                api.close()
    print(f"\n{len(cases)} files, {defects} defect(s) (traceback, timeout or 5xx)")
    return 1 if defects else 0


if __name__ == "__main__":
    sys.exit(main())
