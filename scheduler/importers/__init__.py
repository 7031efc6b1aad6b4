"""Plan files in: the one entrance for every format, and the foreign readers.

:func:`read_plan` (and :func:`read_source`, which also hands back what the API
keeps) is the only way a file becomes a :class:`~scheduler.model.Plan`: it
decides the format once (:func:`detect_format`: our workbook, a DSLIB/ProTrack
workbook, PSPLIB, Primavera P6 XER, MS Project XML or MPP), runs that format's
reader, and every reader ends in the plan's checks (:mod:`scheduler.checks`), so
every format is refused for the same reasons with the same sentences. The CLI,
the API upload route and the solve worker all call it.
"""

from __future__ import annotations

import errno
import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.errors import InfraplanError, UnreadableFileError
from scheduler.importers.convert import convert_to_workbook, plan_to_tables
from scheduler.model import Plan

__all__ = [
    "MAX_INPUT_BYTES",
    "Source",
    "convert_to_workbook",
    "detect_format",
    "plan_to_tables",
    "read_foreign",
    "read_plan",
    "read_source",
]

log = logging.getLogger(__name__)

#: Largest input file read (bytes), whatever its format: 50 MiB.
MAX_INPUT_BYTES = 50 * 2**20

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Directory entry name of an encrypted Office file (UTF-16LE in the OLE container).
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def detect_format(data: bytes, filename: str = "") -> str:
    """Name the input format of a file from its name and first bytes.

    Returns
    -------
    str
        ``"psplib"`` (``.sm``), ``"xer"`` (Primavera P6), ``"mspdi"`` (MS Project
        XML), ``"mpp"`` (MS Project binary), ``"xlsx"`` (our workbook or a DSLIB
        workbook; told apart by :func:`read_source`).

    Raises
    ------
    UnreadableFileError
        If the file is empty, a password-protected (encrypted) Excel workbook, an
        old ``.xls``, or none of those formats.
    """
    name = filename.lower()
    what = filename or "the file"
    if not data:
        raise UnreadableFileError(f"{what} is empty")
    head = data[:512]
    if head.startswith(_OLE) and _ENCRYPTED in data:
        raise UnreadableFileError(
            f"{what} is an encrypted (password-protected) Excel workbook; open it in "
            "Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
            "Password) and save it again"
        )
    if name.endswith(".sm"):
        return "psplib"
    if head.startswith(b"PK\x03\x04"):  # a zip is a workbook whatever its name says
        return "xlsx"
    if head.startswith(b"ERMHDR") or name.endswith(".xer"):
        return "xer"
    if name.endswith(".xls"):
        raise UnreadableFileError(
            f"{filename} is an old .xls workbook; save it as .xlsx in Excel and try again"
        )
    if name.endswith((".xlsx", ".xlsm")):
        csv_like = _csv_shape(data[:4096])
        if csv_like is not None:
            raise UnreadableFileError(
                f"{filename} is not an Excel workbook: it looks like CSV text ({csv_like}) "
                "with an Excel name. Open it in Excel and save it as 'Excel Workbook "
                "(*.xlsx)', or paste its rows into the sheets of 'infraplan template "
                "plan.xlsx' (its Activities sheet takes one row per activity)"
            )
        raise UnreadableFileError(
            f"{filename} is not an .xlsx workbook (an .xlsx file is a zip archive; "
            "save it from Excel as 'Excel Workbook (*.xlsx)')"
        )
    if name.endswith(".mpp") or head.startswith(_OLE[:4]):
        return "mpp"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<Project") or name.endswith(".xml"):
        return "mspdi"
    if b"PROJECT INFORMATION" in data[:4096] or b"jobs (incl. supersource" in data[:4096]:
        return "psplib"
    raise UnreadableFileError(
        f"{what} is not a format infraplan reads "
        "(.xlsx workbook, PSPLIB .sm, Primavera .xer, MS Project .xml/.mpp)"
    )


#: Delimiters a CSV file exported from Excel uses, with the words that name them.
_CSV_DELIMITERS = ((",", "comma"), (";", "semicolon"), ("\t", "tab"))


def _csv_shape(head: bytes) -> str | None:
    """``"comma-separated, 3 columns: id, name, duration"`` when ``head`` reads as CSV.

    CSV: UTF-8 (or cp949) text whose first lines (up to 5, the last possibly cut) all
    have the same number (at least 1) of one delimiter. Column names are clipped to 20
    characters, at most 3 named. None when it is not CSV text.
    """
    for enc in ("utf-8-sig", "cp949"):
        try:
            text = head.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    if "\0" in text:
        return None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1 and len(head) == 4096:
        lines = lines[:-1]  # the last line may be cut at 4096 bytes
    lines = lines[:5]
    if not lines:
        return None
    for delim, word in _CSV_DELIMITERS:
        counts = {ln.count(delim) for ln in lines}
        if len(counts) == 1 and (n := counts.pop()) >= 1:
            cols = [c.strip().strip('"')[:20] for c in lines[0].split(delim)]
            named = ", ".join(cols[:3]) + (", ..." if len(cols) > 3 else "")
            return f"{word}-separated, {n + 1} columns: {named}"
    return None


@dataclass(frozen=True, slots=True)
class Source:
    """What reading one input gave: its format, the plan, and our workbook's tables.

    Attributes
    ----------
    format
        As :func:`detect_format` names it (``"xlsx"`` for our workbook and for a
        DSLIB workbook), or ``"json"`` for tables given as a mapping.
    plan
        The checked plan (warnings in ``plan.warnings``).
    tables
        Our workbook's raw tables as read (from the same parse as the plan), or
        None for every other format.
    """

    format: str
    plan: Plan
    tables: Any = None


def read_plan(source: str | Path | bytes | Mapping[str, Any], filename: str = "") -> Plan:
    """Read a plan from any supported input: the one entrance for files.

    Parameters
    ----------
    source
        A path, the file's bytes (then ``filename`` helps detection and names the
        file in messages), or workbook tables ``{sheet: [row, ...]}`` (JSON uploads).
    filename
        The file's name as uploaded.

    Returns
    -------
    Plan
        Checked plan; warnings in ``plan.warnings``.

    Raises
    ------
    InvalidPlanError
        With every problem found, each at its place (sheet/row/column, file +
        table/element + line, file + job).
    UnreadableFileError
        If the file is missing, empty, larger than :data:`MAX_INPUT_BYTES`,
        encrypted, hostile, not a supported format, or its reader failed.
    """
    return read_source(source, filename).plan


def read_source(source: str | Path | bytes | Mapping[str, Any], filename: str = "") -> Source:
    """:func:`read_plan`, also giving the format and (for our workbook) its tables.

    The file is parsed once; the API stores the tables from that one parse.

    Raises
    ------
    InvalidPlanError, UnreadableFileError
        As :func:`read_plan`.
    """
    if isinstance(source, Mapping):
        from scheduler.workbook import plan_from_tables

        return Source("json", plan_from_tables(dict(source)))
    data, filename = _bytes_of(source, filename)
    fmt = detect_format(data, filename)
    try:
        return _read(data, fmt, filename, source)
    except InfraplanError:
        raise
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):  # a full disk is the server's fault
            raise
        log.exception("%s could not be read as %s", filename or "the upload", fmt)
        raise UnreadableFileError(
            f"{filename or 'the file'} cannot be read as {fmt} ({type(exc).__name__})"
        ) from exc
    except Exception as exc:  # a reader's fault on a hostile file is still the file's problem
        log.exception("%s could not be read as %s", filename or "the upload", fmt)
        raise UnreadableFileError(
            f"{filename or 'the file'} cannot be read as {fmt} ({type(exc).__name__})"
        ) from exc


def _bytes_of(source: str | Path | bytes, filename: str) -> tuple[bytes, str]:
    """The input's bytes and name, its size checked before anything is read."""
    if not isinstance(source, (str, Path)):
        data = bytes(source)
        if len(data) > MAX_INPUT_BYTES:
            raise UnreadableFileError(_too_large(filename or "the file"), too_large=True)
        return data, filename
    path = Path(source)
    filename = filename or path.name
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise UnreadableFileError(_too_large(str(path)), too_large=True)
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror}") from exc
    if not data:
        raise UnreadableFileError(f"{path} is empty")
    return data, filename


def _too_large(what: str) -> str:
    return f"{what} is larger than {MAX_INPUT_BYTES // 2**20} MiB, the largest input read"


def _read(data: bytes, fmt: str, filename: str, source: object) -> Source:
    if fmt == "psplib":
        from scheduler.psplib_io import read_psplib

        if isinstance(source, (str, Path)):
            return Source(fmt, read_psplib(Path(source)))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / (Path(filename).name or "upload.sm")
            path.write_bytes(data)
            return Source(fmt, read_psplib(path))
    if fmt == "xlsx":
        from scheduler import workbook
        from scheduler.importers import dslib

        if dslib.is_dslib(data):  # a DSLIB/ProTrack project workbook, not our template
            return Source(fmt, dslib.read_dslib(data, filename))
        tables = workbook.read_tables(data)
        return Source(fmt, workbook.plan_from_tables(tables), tables)
    return Source(fmt, read_foreign(data, fmt, filename))


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
