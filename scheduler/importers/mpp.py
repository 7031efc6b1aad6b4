"""MS Project binary ``.mpp`` → plan, through MPXJ (optional: needs Java and JPype).

MPXJ (``pip install mpxj JPype1``; Java 11+ on the PATH) reads the binary file and
writes it as MSPDI XML, which :func:`scheduler.importers.mspdi.read_mspdi` reads
with every MSPDI rule. Without MPXJ or Java the file is refused with a clear
:class:`~scheduler.errors.UnreadableFileError`.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from scheduler.errors import UnreadableFileError
from scheduler.model import Plan

__all__ = ["mpp_available", "mpp_to_mspdi", "read_mpp"]

log = logging.getLogger(__name__)


def mpp_available() -> str | None:
    """Return ``None`` when .mpp files can be read, else the reason they cannot."""
    if shutil.which("java") is None:
        return "Java is not installed (MPXJ needs a JVM)"
    try:
        import jpype  # noqa: F401
        import mpxj  # noqa: F401
    except ImportError as exc:
        return f"the optional packages mpxj and JPype1 are not installed ({exc.name})"
    return None


def mpp_to_mspdi(data: bytes) -> bytes:
    """Convert ``.mpp`` bytes to MSPDI XML bytes with MPXJ's UniversalProjectReader.

    Raises
    ------
    UnreadableFileError
        If MPXJ/Java are missing or MPXJ cannot read the file.
    """
    reason = mpp_available()
    if reason:
        raise UnreadableFileError(f"cannot read .mpp files here: {reason}")
    import jpype
    import mpxj  # noqa: F401  (puts the MPXJ jars on the class path)

    if not jpype.isJVMStarted():
        jpype.startJVM()
    from org.mpxj.mspdi import MSPDIWriter  # type: ignore[import-not-found]
    from org.mpxj.reader import UniversalProjectReader  # type: ignore[import-not-found]

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.mpp", Path(tmp) / "out.xml"
        src.write_bytes(data)
        try:
            project = UniversalProjectReader().read(str(src))
        except Exception as exc:  # a Java exception from MPXJ
            raise UnreadableFileError(f"MPXJ cannot read the file: {exc}") from exc
        if project is None:
            raise UnreadableFileError("MPXJ does not recognise the file as a project")
        MSPDIWriter().write(project, str(dst))
        return dst.read_bytes()


def read_mpp(data: bytes, filename: str = "file.mpp") -> Plan:
    """Read an MS Project ``.mpp`` file (via MPXJ → MSPDI → :func:`read_mspdi`).

    Raises
    ------
    UnreadableFileError
        Without MPXJ/Java, or when MPXJ cannot read the file.
    InvalidPlanError
        As :func:`scheduler.importers.mspdi.read_mspdi`.
    """
    from scheduler.importers.mspdi import read_mspdi

    return read_mspdi(mpp_to_mspdi(data), filename, missing_slack_is_zero=True)
