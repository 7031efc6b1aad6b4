"""Risk batches on a Ray cluster (the optional ``ray`` extra).

``RayExecutor`` puts the plan in Ray's object store once and runs each batch as a
task of one CPU; a task samples its batch from the same stream (seed, batch
number) as a local run, so a cluster gives the same numbers as this machine.
"""

from __future__ import annotations

from typing import Any

from scheduler.model import Plan
from scheduler.ray_cluster import connect
from scheduler.risk.simulate import BatchResult, Job, LocalExecutor, RiskOptions
from scheduler.uncertainty import Uncertainty

__all__ = ["RayExecutor"]


def _batch(payload: tuple[Plan, dict[str, int], Uncertainty, RiskOptions], job: Job) -> BatchResult:
    """One batch inside a Ray worker."""
    return LocalExecutor(*payload).run([job])[0]


class RayExecutor:
    """Batches as Ray tasks, as many at once as the cluster has CPUs.

    Parameters
    ----------
    address
        The cluster (``auto``, ``ray://host:10001``, ``127.0.0.1:6379``).
    plan, starts, uncertainty, options
        As :func:`scheduler.risk.simulate.run`.

    Raises
    ------
    ValueError
        If Ray is not installed or the cluster cannot be reached (with a sentence).
    """

    def __init__(
        self,
        address: str,
        plan: Plan,
        starts: dict[str, int],
        uncertainty: Uncertainty,
        options: RiskOptions,
    ) -> None:
        ray = connect(address)
        self._ray: Any = ray
        single = RiskOptions(
            iterations=options.iterations, seed=options.seed, workers=1, mode=options.mode
        )
        self._payload = ray.put((plan, starts, uncertainty, single))
        self._task = ray.remote(num_cpus=1)(_batch)
        self.width = max(1, int(ray.cluster_resources().get("CPU", 1)))

    def run(self, jobs: list[Job]) -> list[BatchResult]:
        """Run the jobs on the cluster; results in job order."""
        refs = [self._task.remote(self._payload, job) for job in jobs]
        return list(self._ray.get(refs))
