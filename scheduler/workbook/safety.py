"""The hostile-file guard: what a workbook file may be before any XML parser sees it.

See "Hostile files" in :mod:`scheduler.workbook` for the rules.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import BinaryIO

from scheduler.errors import UnreadableFileError

#: Largest workbook file accepted (bytes, compressed).
MAX_FILE_BYTES = 50 * 2**20
#: Largest total declared uncompressed size of the archive's members (bytes).
MAX_UNCOMPRESSED_BYTES = 200 * 2**20
#: Largest compression ratio of a member bigger than :data:`RATIO_FLOOR` bytes.
MAX_RATIO = 250
RATIO_FLOOR = 4 * 2**20
#: Most members in the archive.
MAX_MEMBERS = 5000


def _load_bytes(source: str | Path | bytes | BinaryIO) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | Path):
        size = os.path.getsize(source)
        if size > MAX_FILE_BYTES:
            raise UnreadableFileError(
                f"the file is {size / 2**20:.0f} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB",
                too_large=True,
            )
        data = Path(source).read_bytes()
    else:
        data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFileError(
            f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB", too_large=True
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFileError(
            "the file is an old .xls (or encrypted) workbook; save it as .xlsx in Excel"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UnreadableFileError("the file is not an .xlsx workbook (it is not a zip archive)")
    return data


_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_HOSTILE = (b"<!DOCTYPE", b"<!ENTITY")


def _inspect_archive(data: bytes) -> dict[str, list[str]]:
    """Check the zip before any XML parser sees it; return merged ranges per member.

    Raises
    ------
    UnreadableFileError
        Not a zip, too many members, too large uncompressed, a zip bomb, XML with
        a DOCTYPE/ENTITY declaration, or XML not in UTF-8.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnreadableFileError(f"the file is not an .xlsx workbook ({exc})") from exc
    merged: dict[str, list[str]] = {}
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UnreadableFileError(f"the archive has {len(infos)} parts; refused")
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            raise UnreadableFileError("the file is a zip archive but not an .xlsx workbook")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise UnreadableFileError(
                f"the workbook unpacks to {total / 2**20:.0f} MiB; the limit is "
                f"{MAX_UNCOMPRESSED_BYTES // 2**20} MiB",
                too_large=True,
            )
        for info in infos:
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise UnreadableFileError(
                    f"part {info.filename} is compressed "
                    f"{info.file_size // max(info.compress_size, 1)}:1 (a zip bomb?); refused",
                    too_large=True,
                )
        seen = 0
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            ranges: list[str] = []
            tail = b""
            first = True
            try:
                with archive.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        seen += len(chunk)
                        if seen > MAX_UNCOMPRESSED_BYTES:
                            raise UnreadableFileError(
                                "the workbook unpacks too large", too_large=True
                            )
                        if first:
                            first = False
                            if chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
                                raise UnreadableFileError(
                                    f"part {info.filename} is not UTF-8 XML; refused"
                                )
                        buf = tail + chunk
                        if any(h in buf for h in _HOSTILE):
                            raise UnreadableFileError(
                                f"part {info.filename} declares a DOCTYPE or ENTITY "
                                "(XML entity expansion); refused"
                            )
                        if b"mergeCell" in buf:
                            ranges.extend(m.decode() for m in _MERGE_RE.findall(buf))
                        tail = buf[-256:]
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise UnreadableFileError(f"part {info.filename} is damaged ({exc})") from exc
            if ranges:
                merged[info.filename] = sorted(set(ranges))
    return merged
