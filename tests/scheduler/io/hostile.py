"""Hostile variants of the tiny fixtures in ``tests/data``: one edit each, and its place.

A case replaces one fragment of a fixture (``hostile_base.xer``, ``hostile_base.xml``)
and names the element or table whose start line the reader must report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"


def fixture(name: str) -> bytes:
    """Bytes of a small file in ``tests/data``."""
    return (DATA / name).read_bytes()


@dataclass(frozen=True)
class Edit:
    """``old`` → ``new`` (the ``nth`` occurrence, 0-based) in a fixture."""

    old: bytes
    new: bytes
    nth: int = 0

    def apply(self, data: bytes) -> tuple[bytes, int]:
        """The edited bytes and the byte offset of the edit."""
        pos = -1
        for _ in range(self.nth + 1):
            pos = data.index(self.old, pos + 1)
        return data[:pos] + self.new + data[pos + len(self.old) :], pos


def line_of(data: bytes, pos: int) -> int:
    """1-based line of byte offset ``pos``."""
    return data.count(b"\n", 0, pos) + 1


def element_line(data: bytes, pos: int, tag: str) -> int:
    """Line of the last ``<tag>`` start tag before ``pos`` (the element holding the edit)."""
    return line_of(data, data.rindex(f"<{tag}".encode(), 0, pos))
