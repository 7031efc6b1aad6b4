"""Plan files out: MS Project XML (MSPDI)."""

from __future__ import annotations

from scheduler.exporters.mspdi import write_mspdi

__all__ = ["write_mspdi"]
