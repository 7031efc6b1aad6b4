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


#: A tiny DSLIB / ProTrack workbook: (ID, Name, Predecessors, Baseline Start,
#: Baseline End, Duration, Resource Demand) rows after the project row ID 0.
DSLIB_ROWS: list[tuple[object, ...]] = [
    (0, "Hostile base", None, "Mon 05/01/26", "Fri 23/01/26", "15d", None),
    (1, "Clear site", None, "Mon 05/01/26", "Fri 09/01/26", "5d", "Excavator[1]"),
    (2, "Excavate", "1FS", "Mon 12/01/26", "Fri 23/01/26", "10d", "Excavator[2]"),
    (3, "Earthworks done", "2FS+1d", "Mon 26/01/26", "Mon 26/01/26", "0d", None),
]
DSLIB_RESOURCES: list[tuple[object, ...]] = [(1, "Excavator", "Renewable", 2)]


def dslib_workbook(
    rows: list[tuple[object, ...]] | None = None,
    resources: list[tuple[object, ...]] | None = None,
) -> bytes:
    """Bytes of a DSLIB workbook with ``rows`` (default :data:`DSLIB_ROWS`) from row 3."""
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Baseline Schedule"
    ws.append(["General", None, "Schedule", None, None, None, None])
    ws.append(
        [
            "ID",
            "Name",
            "Predecessors",
            "Baseline Start",
            "Baseline End",
            "Duration",
            "Resource Demand",
        ]
    )
    for r in DSLIB_ROWS if rows is None else rows:
        ws.append(list(r))
    res = wb.create_sheet("Resources")
    res.append(["General", None, None, None])
    res.append(["ID", "Name", "Type", "Availability"])
    for r in DSLIB_RESOURCES if resources is None else resources:
        res.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
