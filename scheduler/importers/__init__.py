"""Foreign plan files in: Primavera P6 XER, MS Project XML/MPP, DSLIB workbooks."""

from __future__ import annotations

from scheduler.errors import UnreadableFileError
from scheduler.importers.convert import convert_to_workbook, plan_to_tables
from scheduler.model import Plan

__all__ = ["convert_to_workbook", "plan_to_tables", "read_foreign"]


def read_foreign(data: bytes, fmt: str, filename: str = "") -> Plan:
    """Read a P6 / MS Project file into a plan.

    Parameters
    ----------
    data
        The file's bytes.
    fmt
        ``"xer"`` (Primavera P6), ``"mspdi"`` (MS Project XML) or ``"mpp"`` (MS
        Project binary, needs MPXJ and Java).
    filename
        Name used in messages.

    Raises
    ------
    UnreadableFileError
        On an unknown format or a file that cannot be read at all.
    InvalidPlanError
        With every problem found and its place; nothing is half-imported.
    """
    if fmt == "xer":
        from scheduler.importers.xer import read_xer

        return read_xer(data, filename or "file.xer")
    if fmt == "mspdi":
        from scheduler.importers.mspdi import read_mspdi

        return read_mspdi(data, filename or "file.xml")
    if fmt == "mpp":
        from scheduler.importers.mpp import read_mpp

        return read_mpp(data, filename or "file.mpp")
    raise UnreadableFileError(f"unknown foreign format {fmt!r}")
