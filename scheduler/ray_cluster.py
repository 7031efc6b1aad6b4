"""Connecting to a Ray cluster (the optional ``ray`` extra), for risk batches and solves.

:func:`connect` joins the cluster at an address once per process (Ray allows one
connection per process; asking for another address disconnects first), after a
short TCP probe so that an unreachable head fails in seconds with a sentence
instead of Ray's minutes of retries. Importing this module loads nothing of Ray.
"""

from __future__ import annotations

import socket
from typing import Any

__all__ = ["ClusterError", "connect"]

#: The address this process is connected to.
_CONNECTED: str | None = None


class ClusterError(ValueError):
    """Ray is not installed, or the cluster cannot be reached; the message says which."""


def _probe(address: str, timeout_s: float = 5.0) -> None:
    """Fail fast when ``host:port`` does not answer (Ray itself retries for minutes)."""
    target = address.removeprefix("ray://")
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto" and the like: let Ray find the cluster
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {exc}") from None


def connect(address: str) -> Any:
    """The ``ray`` module, connected to the cluster at ``address``.

    Parameters
    ----------
    address
        ``auto``, ``ray://host:10001`` or ``host:port`` of a head started with
        ``ray start --head``.

    Raises
    ------
    ClusterError
        If Ray is not installed or the cluster cannot be reached (with a sentence).
    """
    try:
        import ray
    except ImportError:
        raise ClusterError(
            "Ray is not installed; install it with pip install 'infraplan[ray]'"
        ) from None
    _probe(address)
    global _CONNECTED
    if ray.is_initialized() and address != _CONNECTED:
        ray.shutdown()
    try:
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
        _CONNECTED = address
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {exc}") from None
    return ray
