"""Files the command line reads and writes: checked before the solve, one sentence on failure.

A solve can take minutes; an output path that cannot be written must be refused
before it starts, not found out after it (when the result would be lost), and the
planner's own workbook must never be overwritten by a report. So:

* :func:`check_input` looks at the input with ``stat`` before any byte is read: a
  folder, a device or pipe, or a file above the readers' size limit
  (:data:`scheduler.workbook.MAX_FILE_BYTES`, the limit every upload meets too) is
  refused at once, whatever its size.
* :func:`check_output` refuses, before the solve, an output that is a folder, lies
  under a file, cannot be created or opened for writing (a real probe, so read-only
  file systems count too, even for root), or is the input file or another output.
* :func:`writing` wraps the final write: an ``OSError`` (``/dev/full``, the disk filled
  up meanwhile) becomes an :class:`OutputError` with one sentence naming the file.

The command line prints an :class:`OutputError` and exits with code 2, as for any
other bad argument.
"""

from __future__ import annotations

import gc
import os
import stat
import sys
import tempfile
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scheduler.errors import InfraplanError, UnreadableFileError

__all__ = ["OutputError", "check_input", "check_output", "writing"]


class OutputError(InfraplanError):
    """An output file cannot be written; the message is one sentence naming it."""


def _reason(exc: OSError) -> str:
    """The system's words for ``exc`` (``No space left on device``), without the path."""
    return exc.strerror or type(exc).__name__


def check_input(path: Path, limit: int | None = None) -> None:
    """Refuse an input that is missing, not a regular file or too large, without reading it.

    Parameters
    ----------
    path
        The input file given on the command line.
    limit
        Largest accepted size in bytes; default :data:`scheduler.workbook.MAX_FILE_BYTES`
        (50 MiB), the same limit the readers apply to an upload.

    Raises
    ------
    UnreadableFileError
        If ``path`` does not exist or cannot be looked at, is a folder, a device or a
        pipe, or is larger than ``limit`` (then ``too_large`` is True).
    """
    if limit is None:
        from scheduler.workbook import MAX_FILE_BYTES

        limit = MAX_FILE_BYTES
    try:
        st = path.stat()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {_reason(exc)}") from exc
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableFileError(f"{path} is a folder, not a plan file")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFileError(
            f"{path} is not a regular file (a device or a pipe); save the plan to a file first"
        )
    if st.st_size > limit:
        raise UnreadableFileError(
            f"{path} is {st.st_size / 2**20:.0f} MiB; the limit is {limit / 2**20:.0f} MiB",
            too_large=True,
        )


def _same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file (the same path, a link, or a hard link)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def check_output(
    path: Path, what: str, *, inputs: Iterable[Path] = (), suffix: str = ".xlsx"
) -> None:
    """Refuse an output path that cannot be written, before any work is done.

    Missing folders on the way are allowed (they are made when the file is written),
    but the nearest existing one must be a folder in which a file can be created.
    An existing file is opened for appending and closed again (its content and
    modification time stay as they were). Devices such as ``/dev/null`` are let
    through; a write that fails on them later is reported by :func:`writing`.

    Parameters
    ----------
    path
        The output file.
    what
        What is written there, for the message: ``"the report"``, ``"the JSON"``.
    inputs
        Files that must not be overwritten: the input, and the other outputs.
    suffix
        Extension of the file name the message suggests when ``path`` is a folder.

    Raises
    ------
    OutputError
        If ``path`` is a folder, lies under a file, is one of ``inputs``, or cannot be
        created or opened for writing (the system's reason, e.g. ``Permission denied``,
        ``Read-only file system``).
    """
    for other in inputs:
        if _same_file(path, other):
            raise OutputError(
                f"{what} would be written over {other}; choose another file name for it"
            )
    if path.is_dir():
        raise OutputError(
            f"{what} cannot be written to {path}: it is a folder; "
            f"give a file name such as {path / ('plan' + suffix)}"
        )
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{what} cannot be written to {path}: {parent} is a file, not a folder")
    try:
        if path.exists():
            if path.is_file():
                with open(path, "ab"):
                    pass
        else:
            with tempfile.TemporaryFile(dir=parent):
                pass
    except OSError as exc:
        raise OutputError(f"{what} cannot be written to {path}: {_reason(exc)}") from exc


@contextmanager
def writing(path: Path, what: str) -> Iterator[Path]:
    """Make the missing folders of ``path``; turn a failed write into an :class:`OutputError`.

    Parameters
    ----------
    path
        The file about to be written (by the body of the ``with`` block).
    what
        What is written, for the message (``"the report"``).

    Raises
    ------
    OutputError
        If the folders cannot be made or the write fails (``No space left on device``
        on ``/dev/full`` or a full disk).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield path
    except OSError as exc:
        _release_quietly(exc)
        raise OutputError(f"{what} could not be written to {path}: {_reason(exc)}") from exc


def _release_quietly(exc: BaseException) -> None:
    """Free what a failed writer left open, without its second error reaching the user.

    A writer stopped by ``ENOSPC`` (openpyxl's zip file on ``/dev/full``) leaves an open
    file in its frames; closing it when it is garbage-collected fails again, and Python
    would print that as "Exception ignored in ..." with a traceback. The frames are
    cleared and collected here, with the unraisable-exception hook silenced meanwhile.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook
