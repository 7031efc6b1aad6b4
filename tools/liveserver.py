"""Start the real server (``python -m api``) as a child process on a loopback port.

Shared by the load test (:mod:`tools.loadtest`) and the tests that need a real HTTP
server: make a key with ``keys create``, pick a free port, start the server, poll
GET /health until it answers 200 (or the process exits, or a deadline passes),
and stop the process on exit. Only loopback traffic; every loop is bounded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import httpx

__all__ = [
    "ServerNotStarted",
    "create_key",
    "free_port",
    "kill_server",
    "running_server",
    "stop_server",
    "wait_healthy",
]

logger = logging.getLogger(__name__)

#: ``python -m api`` run by this Python: it serves by default and takes ``keys create``.
#: (``infraplan`` wants ``serve`` before ``--host``/``--port``: pass ``[infraplan, "serve"]``
#: to :func:`running_server`.)
DEFAULT_COMMAND: tuple[str, ...] = (sys.executable, "-m", "api")


class ServerNotStarted(RuntimeError):
    """The server exited, or did not answer GET /health with 200 before the deadline."""


def free_port(host: str = "127.0.0.1") -> int:
    """A free TCP port on ``host`` (the OS picks it; another process may take it after)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def create_key(
    env: Mapping[str, str], role: str, *, command: Sequence[str] = DEFAULT_COMMAND
) -> str:
    """Make an API key of ``role`` with ``<command> keys create --role ROLE``; return it.

    Parameters
    ----------
    env : Mapping[str, str]
        Environment of the child process (``INFRAPLAN_DATABASE_URL`` names the database).
    role : str
        ``planner``, ``ministry`` or ``admin``.
    command : Sequence[str]
        ``python -m api`` by default, or the ``infraplan`` script.

    Raises
    ------
    subprocess.CalledProcessError
        The command failed; subprocess.TimeoutExpired after 60 s.
    """
    out = subprocess.run(
        [*command, "keys", "create", "--role", role],
        env=dict(env),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout.split()[0]


def wait_healthy(url: str, proc: subprocess.Popen[Any], deadline_s: float = 30.0) -> bool:
    """Poll GET ``url``/health every 0.1 s; True on 200, False if ``proc`` ends or time runs out.

    Parameters
    ----------
    url : str
        Base URL of the server, e.g. ``http://127.0.0.1:8000``.
    proc : subprocess.Popen
        The server process: polling stops when it has exited.
    deadline_s : float
        Give up after this many seconds.
    """
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen[Any], timeout_s: float = 15.0) -> None:
    """SIGTERM the server and wait ``timeout_s`` s; SIGKILL it if it is still running."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def kill_server(proc: subprocess.Popen[Any], *, group: bool = False, timeout_s: float = 10) -> None:
    """SIGKILL the server (``group=True``: its whole process group) and reap it.

    ``group=True`` needs a server started with ``start_new_session=True``, so that
    the group holds the server and its workers and not the caller.
    """
    if group:
        with contextlib.suppress(ProcessLookupError):  # the group is gone already
            os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=timeout_s)


@contextlib.contextmanager
def running_server(
    env: Mapping[str, str],
    *,
    command: Sequence[str] = DEFAULT_COMMAND,
    log_path: Path | None = None,
    start_new_session: bool = False,
    deadline_s: float = 30.0,
    stop: Callable[[subprocess.Popen[bytes]], None] = stop_server,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``<command> --host 127.0.0.1 --port PORT`` on a free port; yield ``(url, process)``.

    The block runs once GET /health has answered 200.

    Parameters
    ----------
    env : Mapping[str, str]
        Environment of the server (database URL, solve settings).
    command : Sequence[str]
        The command that serves once ``--host 127.0.0.1 --port PORT`` is appended:
        ``python -m api`` by default, or ``[infraplan, "serve"]``.
    log_path : Path or None
        File for the server's stdout and stderr; None discards them.
    start_new_session : bool
        Start the server in its own session and process group (see :func:`kill_server`).
    deadline_s : float
        Seconds to wait for GET /health to answer 200.
    stop : Callable[[subprocess.Popen], None]
        How the server is ended on exit, :func:`stop_server` by default; called
        whether the block ends normally, by an exception, or the server did not start.

    Raises
    ------
    ServerNotStarted
        The server exited or was not healthy within ``deadline_s``; the message
        carries the end of the log when ``log_path`` is given.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        out: IO[str] | int = subprocess.DEVNULL
        if log_path is not None:
            out = stack.enter_context(log_path.open("w"))
        proc = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT if log_path is not None else subprocess.DEVNULL,
            start_new_session=start_new_session,
        )
        try:
            if not wait_healthy(url, proc, deadline_s):
                tail = log_path.read_text()[-2000:] if log_path is not None else ""
                raise ServerNotStarted(f"the server at {url} did not start: {tail}")
            logger.debug("server %d healthy at %s", proc.pid, url)
            yield url, proc
        finally:
            stop(proc)
