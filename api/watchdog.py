"""The worker's watchdog: a job process ends soon after the server that started it is gone.

See :mod:`api.jobs` (workers die with the server) for why a worker cannot rely on
its parent: its parent is the fork server, which outlives a ``kill -9`` of the server.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

__all__ = ["WATCH_INTERVAL_S", "watch_server"]

log = logging.getLogger(__name__)

#: Seconds between two checks of the worker's watchdog that the server is still alive.
WATCH_INTERVAL_S = 0.25


def watch_server(server_pid: int, interval_s: float = WATCH_INTERVAL_S) -> threading.Thread:
    """End this worker process (``os._exit(70)``) soon after the server process is gone.

    Starts a daemon thread that checks, every ``interval_s`` seconds, that the
    process ``server_pid`` still runs with the start time it had now (psutil, so a
    reused pid does not count) and is not a zombie. On Linux it first asks the kernel
    for ``SIGKILL`` when the parent (the fork server) dies (``PR_SET_PDEATHSIG``).

    Parameters
    ----------
    server_pid
        Pid of the server that started this worker.
    interval_s
        Seconds between two checks.

    Returns
    -------
    threading.Thread
        The watchdog thread (when the server is already gone the process exits
        at once instead of returning).
    """
    import psutil

    _parent_death_signal()
    try:
        server = psutil.Process(server_pid)
    except psutil.NoSuchProcess:
        os._exit(70)

    def gone() -> bool:
        try:
            return not server.is_running() or server.status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True
        except psutil.Error:  # access denied and the like: assume it still runs
            return False

    def watch() -> None:
        while not gone():
            time.sleep(interval_s)
        log.warning("server process %d is gone: worker %d exits", server_pid, os.getpid())
        os._exit(70)

    if gone():
        os._exit(70)
    thread = threading.Thread(target=watch, name="infraplan-watchdog", daemon=True)
    thread.start()
    return thread


def _parent_death_signal() -> None:
    """Linux: have the kernel send SIGKILL to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) != 0:
            log.debug("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    except (OSError, AttributeError) as exc:  # no libc or no prctl: the watchdog remains
        log.debug("prctl(PR_SET_PDEATHSIG) unavailable: %s", exc)
