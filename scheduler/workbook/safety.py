"""The hostile-file guard: what a workbook file may be before any XML parser sees it.

See "Hostile files" in :mod:`scheduler.workbook` for the rules.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scheduler.errors import UnreadableFileError

#: Largest workbook file accepted (bytes, compressed).
MAX_FILE_BYTES = 50 * 2**20
#: Largest total uncompressed size of the archive's members (bytes), declared or read.
MAX_UNCOMPRESSED_BYTES = 200 * 2**20
#: Largest compression ratio of a member bigger than :data:`RATIO_FLOOR` bytes.
MAX_RATIO = 250
RATIO_FLOOR = 4 * 2**20
#: Most members in the archive.
MAX_MEMBERS = 5000
#: Most shared strings (``<si>`` items of the shared-strings part). openpyxl builds
#: every one before the first cell is read (~19 µs of CPU each); a 10,000-activity
#: plan saved by Excel has about 20,000 distinct texts (its ids and names).
MAX_SHARED_STRINGS = 200_000
#: Most cells (``<c>`` elements) in one sheet; ~26 µs of CPU each to read. The
#: Activities sheet of a 10,000-activity plan with every column filled has 130,000; the
#: generated 100,000-activity plan of ``infraplan bench scale`` (issue 9's largest) has
#: 1,000,018 with 10 columns.
MAX_SHEET_CELLS = 1_200_000
#: Most cells in all sheets together (a full 10,000-activity plan: about 250,000; the
#: generated 100,000-activity plan: 1,807,142).
MAX_CELLS = 2_200_000
#: Most ``<row>`` elements in one sheet: Excel's last row, 1,048,576.
MAX_SHEET_ROWS = 1_048_576
#: Most data rows read from one sheet (checked while reading).
MAX_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class Limits:
    """What a workbook may cost; each limit refuses a file with a sentence naming it.

    Everything but ``rows`` is checked on the archive before any XML parser sees
    it, by one streaming pass over the parts (counting is a byte search, so a
    refusal costs about as much as unpacking). The defaults are the module's
    ``MAX_*`` constants; tests pass smaller ones.

    Attributes
    ----------
    file_bytes
        Largest file (bytes, compressed).
    unpacked_bytes
        Largest total of the members' sizes, declared or read (bytes).
    ratio, ratio_floor
        Largest compression ratio of a member bigger than ``ratio_floor`` bytes.
    parts
        Most members in the archive.
    shared_strings
        Most strings in the shared-strings part.
    sheet_cells, cells
        Most cells in one sheet, and in all sheets together.
    sheet_rows
        Most ``<row>`` elements in one sheet.
    rows
        Most data rows read from one sheet (checked while reading).
    """

    file_bytes: int = MAX_FILE_BYTES
    unpacked_bytes: int = MAX_UNCOMPRESSED_BYTES
    ratio: int = MAX_RATIO
    ratio_floor: int = RATIO_FLOOR
    parts: int = MAX_MEMBERS
    shared_strings: int = MAX_SHARED_STRINGS
    sheet_cells: int = MAX_SHEET_CELLS
    cells: int = MAX_CELLS
    sheet_rows: int = MAX_SHEET_ROWS
    rows: int = MAX_ROWS


DEFAULT_LIMITS = Limits()


def _load_bytes(source: str | Path | bytes | BinaryIO, limits: Limits = DEFAULT_LIMITS) -> bytes:
    cap = limits.file_bytes
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | Path):
        size = os.path.getsize(source)
        if size > cap:
            raise UnreadableFileError(
                f"the file is {size / 2**20:.0f} MiB; the limit is {cap // 2**20} MiB",
                too_large=True,
            )
        data = Path(source).read_bytes()
    else:
        data = source.read(cap + 1)
    if len(data) > cap:
        raise UnreadableFileError(f"the file is larger than {cap // 2**20} MiB", too_large=True)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFileError(
            "the file is an old .xls (or encrypted) workbook; save it as .xlsx in Excel"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UnreadableFileError("the file is not an .xlsx workbook (it is not a zip archive)")
    return data


_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_HOSTILE = (b"<!DOCTYPE", b"<!ENTITY")
_SST_RE = re.compile(rb"<(?:[\w.-]+:)?sst[\s>]")


class _Tally:
    """Start tags ``<name`` (and ``<p:name`` for prefixes ``p`` bound to the
    spreadsheet namespace) in a part read chunk by chunk, none counted twice.

    An upper bound that no spelling evades: ``<`` cannot appear in XML text, and
    a prefix must be declared before it is used, in a chunk already scanned.
    """

    __slots__ = ("_prev", "n", "name", "tokens")

    def __init__(self, name: bytes, prefixes: Iterable[bytes] = ()) -> None:
        self.name = name
        self.tokens = [b"<" + name]
        self.n = 0
        self._prev = b""
        for p in prefixes:
            self.prefixed(p)

    def prefixed(self, prefix: bytes) -> None:
        """Count ``<prefix:name`` too."""
        token = b"<" + prefix + b":" + self.name
        if token not in self.tokens:
            self.tokens.append(token)

    def feed(self, chunk: bytes) -> None:
        for token in self.tokens:
            k = len(token) - 1  # the seam holds only tokens that cross it
            self.n += chunk.count(token) + (self._prev[-k:] + chunk[:k]).count(token)
        self._prev = chunk[-64:]


#: A namespace prefix bound to the spreadsheet namespace (transitional or strict).
_MAIN_PREFIX_RE = re.compile(
    rb"xmlns:([\w.-]{1,32})\s*=\s*[\"'](?:http://schemas\.openxmlformats\.org/spreadsheetml/"
    rb"2006/main|http://purl\.oclc\.org/ooxml/spreadsheetml/main)[\"']"
)
#: Most prefixes a part may bind to the spreadsheet namespace (real files: 0 or 1).
_MAX_MAIN_PREFIXES = 4


def _check_counts(
    name: str, strings: _Tally | None, cells: _Tally | None, rows: _Tally | None, limits: Limits
) -> None:
    if strings is not None and strings.n > limits.shared_strings:
        raise UnreadableFileError(
            f"{name} holds {strings.n:,} strings; infraplan reads at most "
            f"{limits.shared_strings:,} (a plan of 10,000 activities has about 20,000)",
            too_large=True,
        )
    if cells is not None and cells.n > limits.sheet_cells:
        raise UnreadableFileError(
            f"{name} holds {cells.n:,} cells; infraplan reads at most "
            f"{limits.sheet_cells:,} in one sheet",
            too_large=True,
        )
    if rows is not None and rows.n > limits.sheet_rows:
        raise UnreadableFileError(
            f"{name} holds {rows.n:,} rows; infraplan reads at most {limits.sheet_rows:,} "
            "in one sheet (Excel's last row)",
            too_large=True,
        )


def check_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an ``.xlsx`` that is hostile or would cost too much to parse.

    For any reader that opens an ``.xlsx`` with openpyxl: the checks of
    :func:`scheduler.workbook.read_tables` before parsing (see :class:`Limits`).

    Parameters
    ----------
    data
        The file's bytes.
    limits
        What the file may cost.

    Raises
    ------
    UnreadableFileError
        With a sentence naming the limit, the part and its count.
    """
    _inspect_archive(_load_bytes(data, limits), limits)


def _inspect_archive(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, list[str]]:
    """Check the zip before any XML parser sees it; return merged ranges per member.

    One streaming pass over the XML parts checks them for entity declarations
    and counts what parsing would cost: shared strings, cells and rows per
    sheet, cells in all sheets, unpacked bytes (see :class:`Limits`).

    Raises
    ------
    UnreadableFileError
        Not a zip, too many members, too large uncompressed, a zip bomb, XML with
        a DOCTYPE/ENTITY declaration, XML not in UTF-8, or more shared strings,
        cells or rows than ``limits`` allow; the message names the part, its
        count and the limit.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnreadableFileError(f"the file is not an .xlsx workbook ({exc})") from exc
    merged: dict[str, list[str]] = {}
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.parts:
            raise UnreadableFileError(f"the archive has {len(infos)} parts; refused")
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            raise UnreadableFileError("the file is a zip archive but not an .xlsx workbook")
        total = sum(i.file_size for i in infos)
        if total > limits.unpacked_bytes:
            raise UnreadableFileError(
                f"the workbook unpacks to {total / 2**20:.0f} MiB; the limit is "
                f"{limits.unpacked_bytes // 2**20} MiB",
                too_large=True,
            )
        for info in infos:
            if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(
                info.compress_size, 1
            ):
                raise UnreadableFileError(
                    f"part {info.filename} is compressed "
                    f"{info.file_size // max(info.compress_size, 1)}:1 (a zip bomb?); refused",
                    too_large=True,
                )
        seen = 0
        all_cells = 0
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            ranges: list[str] = []
            tail = b""
            first = True
            prefixes: set[bytes] = set()
            strings = cells = rows = None
            try:
                with archive.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        seen += len(chunk)
                        if seen > limits.unpacked_bytes:
                            raise UnreadableFileError(
                                "the workbook unpacks too large", too_large=True
                            )
                        if first:
                            first = False
                            if chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
                                raise UnreadableFileError(
                                    f"part {info.filename} is not UTF-8 XML; refused"
                                )
                            if _SST_RE.search(chunk, 0, 4096):  # the shared-strings root
                                strings = _Tally(b"si")
                        buf = tail + chunk
                        if any(h in buf for h in _HOSTILE):
                            raise UnreadableFileError(
                                f"part {info.filename} declares a DOCTYPE or ENTITY "
                                "(XML entity expansion); refused"
                            )
                        if b"mergeCell" in buf:
                            ranges.extend(m.decode() for m in _MERGE_RE.findall(buf))
                        if b"xmlns:" in buf:
                            prefixes.update(_MAIN_PREFIX_RE.findall(buf))
                            if len(prefixes) > _MAX_MAIN_PREFIXES:
                                raise UnreadableFileError(
                                    f"part {info.filename} binds {len(prefixes)} prefixes to "
                                    "the spreadsheet namespace; refused"
                                )
                        part = chunk
                        if cells is None and (at := buf.find(b"sheetData")) >= 0:
                            cells, rows = _Tally(b"c"), _Tally(b"row")  # a worksheet's cells
                            part = buf[at:]
                        for tally in (strings, cells, rows):
                            if tally is not None:
                                for p in prefixes:
                                    tally.prefixed(p)
                                tally.feed(chunk if tally is strings else part)
                        tail = buf[-256:]
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise UnreadableFileError(f"part {info.filename} is damaged ({exc})") from exc
            _check_counts(info.filename, strings, cells, rows, limits)
            if cells is not None:
                all_cells += cells.n
            if ranges:
                merged[info.filename] = sorted(set(ranges))
    if all_cells > limits.cells:
        raise UnreadableFileError(
            f"the workbook's sheets hold {all_cells:,} cells; infraplan reads at most "
            f"{limits.cells:,} in all sheets together",
            too_large=True,
        )
    return merged
