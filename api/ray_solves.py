"""Solve jobs on the Ray cluster of the risk jobs (server setting ``INFRAPLAN_RAY_SOLVES``).

With ``INFRAPLAN_RAY_ADDRESS`` set and ``INFRAPLAN_RAY_SOLVES=true`` the solve worker
(:func:`api.jobs.run_job`) does not solve itself: :func:`solve_on_ray` runs
:func:`scheduler.planner.plan_schedule` as one Ray task holding as many of the
cluster's CPUs as the solve has solver workers (at most all of them) and waits for it.
Everything around the solve (reading the upload, the report, storing the outcome,
the time limit counted from the job's start) stays in the worker, so a solve reads
the same from the API whichever machine ran it.

- **Time limit.** The job's deadline is a :func:`time.monotonic` instant of this
  machine; the task receives the seconds left and sets its own deadline from them.
- **Progress.** The task hands its best objective, bound and seconds to a small Ray
  actor at most every ``RELAY_INTERVAL_S``; the worker polls it while it waits and
  writes the job's progress as a local solve does.
- **Cancel.** ``DELETE /schedules/{id}`` terminates the worker (SIGTERM): the worker
  cancels the Ray task first (``ray.cancel(force=True)``), so the cluster does not
  go on solving a cancelled plan. A worker killed outright (``kill -9``, the server's
  watchdog) owns the task no more, and Ray ends a task whose owner died, so the
  cluster is freed either way (the test checks that its CPUs come back).
- An unreachable cluster or a missing ``ray`` extra ends the job ``failed`` with the
  sentence of :class:`scheduler.ray_cluster.ClusterError`.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from scheduler.ray_cluster import connect

__all__ = ["RELAY_INTERVAL_S", "solve_on_ray"]

#: Least seconds between two progress reports the task sends to the worker.
RELAY_INTERVAL_S = 0.2


class _Latest:
    """A Ray actor holding the newest progress report (the worker takes it)."""

    def __init__(self) -> None:
        self.value: Any = None

    def put(self, value: Any) -> None:
        self.value = value

    def take(self) -> Any:
        value, self.value = self.value, None
        return value


def _solve_task(plan: Any, options: Any, seconds_left: float | None, relay: Any) -> Any:
    """The solve inside a Ray worker: its own deadline, progress through ``relay``."""
    from scheduler.planner import plan_schedule

    if seconds_left is not None:
        options = replace(options, deadline=time.monotonic() + seconds_left)
    last = [0.0]

    def report(p: Any) -> None:
        now = time.monotonic()
        if now - last[0] >= RELAY_INTERVAL_S:
            last[0] = now
            relay.put.remote(p)

    return plan_schedule(plan, options, progress=report)


def solve_on_ray(
    address: str,
    plan: Any,
    options: Any,
    progress: Callable[[Any], None] | None = None,
    poll_s: float = 0.2,
) -> Any:
    """Solve ``plan`` with ``options`` as one task on the Ray cluster at ``address``.

    Parameters
    ----------
    address
        The cluster (server setting ``INFRAPLAN_RAY_ADDRESS``).
    plan, options
        As :func:`scheduler.planner.plan_schedule` (:class:`scheduler.solver.SolveOptions`).
    progress
        Called in this process with the task's progress reports.
    poll_s
        Seconds between two looks at the task and its progress.

    Returns
    -------
    scheduler.solution.Schedule
        What the task's ``plan_schedule`` returned.

    Raises
    ------
    scheduler.ray_cluster.ClusterError
        If Ray is not installed or the cluster cannot be reached.
    """
    ray = connect(address)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    workers = max(1, min(int(getattr(options, "workers", 1) or 1), max(cpus, 1)))
    deadline = getattr(options, "deadline", None)
    seconds_left = None if deadline is None else max(0.01, deadline - time.monotonic())
    relay = ray.remote(num_cpus=0)(_Latest).remote()
    ref = ray.remote(num_cpus=workers, max_retries=0)(_solve_task).remote(
        plan, options, seconds_left, relay
    )

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            ready, _ = ray.wait([ref], timeout=poll_s)
            report = ray.get(relay.take.remote())
            if report is not None and progress is not None:
                progress(report)
            if ready:
                return ray.get(ref)
    except BaseException:
        ray.cancel(ref, force=True)  # a cancelled or failed job stops the cluster's solve
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        ray.kill(relay)
