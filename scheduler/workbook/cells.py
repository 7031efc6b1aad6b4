"""The cell rules (numbers, dates, text, ids, enums) and issue collection per cell.

The rules are stated in :mod:`scheduler.workbook`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from scheduler import validate
from scheduler.errors import Issue


@dataclass(frozen=True, slots=True)
class FormulaWithoutValue:
    """Cell value standing for a formula that has no value saved in the file."""

    formula: str


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


# -- cell rules --------------------------------------------------------------------------------
class CellError(ValueError):
    """A cell value the reading rules cannot read; the message completes a sentence."""


class _Skip(Exception):
    """A cell whose problem was already reported (e.g. a formula with no value)."""


_NUM_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_ISO_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MAX_SERIAL = 2958465  # 9999-12-31


def _show(v: object) -> str:
    text = str(v)
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def read_number(value: object) -> int | float | None:
    """Read a number cell by the module's number rule (None for a blank cell).

    Raises
    ------
    CellError
        For text that is not a number, booleans, dates, NaN or infinity.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"{str(value).upper()} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(f"{value} is not a number")
        return value
    if isinstance(value, date | time | timedelta):
        raise CellError(f"{_show(value)} is a date, not a number")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _THOUSANDS_RE.fullmatch(text):
            text = text.replace(",", "")
        if _NUM_RE.fullmatch(text):
            if re.fullmatch(r"[+-]?\d+", text):
                if len(text) > 40:  # no count of anything has 40 digits
                    raise CellError(f"{_show(value)} is too large a number ({len(text)} digits)")
                return int(text)
            f = float(text)
            if not math.isfinite(f):
                raise CellError(f"{_show(value)} is not a number")
            return f
        raise CellError(f"{_show(value)} is not a number")
    raise CellError(f"{_show(value)} is not a number")


def read_date(value: object, epoch: datetime = WINDOWS_EPOCH) -> date | None:
    """Read a date cell by the module's date rule (None for a blank cell).

    Raises
    ------
    CellError
        For text that is not ISO ``YYYY-MM-DD``, serial 60 in the 1900 system
        (1900-02-29 never existed), serials below 1 or after 9999-12-31.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError(f"{str(value).upper()} is not a date")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 1 or value > _MAX_SERIAL:
            raise CellError(f"{value} is not a date serial Excel knows")
        if epoch == WINDOWS_EPOCH and int(value) == 60:
            raise CellError(
                "is Excel serial 60, i.e. 1900-02-29, a day that does not exist "
                "(Excel's 1900 leap-year bug); type the date"
            )
        result = from_excel(int(value), epoch)
        return result.date() if isinstance(result, datetime) else None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        m = _ISO_RE.fullmatch(text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError as exc:
                raise CellError(f"{_show(value)} is not a real date ({exc})") from exc
        raise CellError(f"{_show(value)} is not a date; type a date or YYYY-MM-DD")
    raise CellError(f"{_show(value)} is not a date")


def read_text(value: object) -> str:
    """Text of a cell, stripped (numbers as their digits, dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# -- plan_from_tables --------------------------------------------------------------------------
class _Reader:
    """Cell-level conversion with issue collection for :func:`plan_from_tables`."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(
        self, sheet: str, row: int | None, column: str, text: str, warning: bool = False
    ) -> None:
        self.issues.append(
            Issue(
                sheet,
                row,
                column,
                f"{validate.where(sheet, row)}: {text}",
                "warning" if warning else "error",
            )
        )

    def _raw(self, sheet: str, row: Mapping[str, Any], col: str, required: bool) -> Any:
        v = row.get(col)
        if isinstance(v, FormulaWithoutValue):
            self.add(
                sheet,
                row["_row"],
                col,
                f"{col} holds the formula {v.formula} with no saved value; "
                "open and save the file in Excel, or type the value",
            )
            raise _Skip
        if _is_blank(v):
            if required:
                self.add(sheet, row["_row"], col, f"{col} is required but blank")
                raise _Skip
            return None
        return v

    def get(
        self,
        sheet: str,
        row: Mapping[str, Any],
        col: str,
        conv: Callable[[Any], Any],
        required: bool = False,
        default: Any = None,
    ) -> Any:
        """Convert ``row[col]`` with ``conv``; on failure record the issue and raise _Skip."""
        v = self._raw(sheet, row, col, required)
        if v is None:
            return default
        try:
            out = conv(v)
        except CellError as exc:
            text = str(exc)
            self.add(sheet, row["_row"], col, f"{col} {text}")
            raise _Skip from None
        return default if out is None else out

    def text(self, sheet: str, row: Mapping[str, Any], col: str, required: bool = False) -> str:
        """Free text: control characters removed with a warning."""
        v = self._raw(sheet, row, col, required)
        s = read_text(v)
        if _CONTROL_RE.search(s):
            s = _CONTROL_RE.sub("", s).strip()
            self.add(
                sheet,
                row["_row"],
                col,
                f"{col} contained control characters; they were removed ('{s}')",
                warning=True,
            )
        return s

    def ident(self, sheet: str, row: Mapping[str, Any], col: str, required: bool = False) -> str:
        """An id: control characters are an error."""
        v = self._raw(sheet, row, col, required)
        s = read_text(v)
        if isinstance(v, float) and not v.is_integer():
            self.add(sheet, row["_row"], col, f"{col} {v} is not an id (a fraction)")
            raise _Skip
        if _CONTROL_RE.search(s):
            shown = _CONTROL_RE.sub("?", s)
            self.add(
                sheet,
                row["_row"],
                col,
                f"{col} '{shown}' contains control characters (shown as ?); retype the id",
            )
            raise _Skip
        return s


def _whole(value: object) -> int | None:
    n = read_number(value)
    if n is None:
        return None
    if isinstance(n, float):
        if not n.is_integer():
            raise CellError(f"{n:g} must be a whole number")
        return int(n)
    return n


def _enum(allowed: Sequence[str], what: str, upper: bool = False) -> Callable[[object], str]:
    def conv(value: object) -> str:
        if not isinstance(value, str):
            raise CellError(f"{_show(value)} is not a {what}; use {', '.join(allowed)}")
        text = value.strip()
        text = text.upper() if upper else text.lower()
        if text not in allowed:
            raise CellError(f"{_show(value.strip())} is not a {what}; use {', '.join(allowed)}")
        return text

    return conv


def _nonneg(conv: Callable[[object], Any], what: str = "") -> Callable[[object], Any]:
    def wrapped(value: object) -> Any:
        n = conv(value)
        if n is not None and n < 0:
            raise CellError(f"{show_number(n)} is negative{what}")
        return n

    return wrapped


def show_number(n: float) -> str:
    """A number for a message: as typed when short, else 3 significant digits.

    ``show_number(20)`` is ``"20"``, ``show_number(2.5)`` is ``"2.5"``,
    ``show_number(10**15)`` is ``"1e+15"`` and ``show_number(1e308)`` is
    ``"1e+308"`` (not 309 digits).
    """
    if not math.isfinite(n) or abs(n) >= 1e12:
        return f"{n:.3g}"
    if isinstance(n, int) or float(n).is_integer():
        return str(int(n))
    return f"{n:g}"


def _at_most(
    conv: Callable[[object], Any], limit: float, what: str, low: float | None = None
) -> Callable[[object], Any]:
    """``conv`` then a range check: ``low <= n <= limit`` (``what`` says why)."""

    def wrapped(value: object) -> Any:
        n = conv(value)
        if n is None:
            return n
        if n > limit:
            raise CellError(f"{show_number(n)} is more than {limit:,}{what}")
        if low is not None and n < low:
            raise CellError(f"{show_number(n)} is less than {low:,}{what}")
        return n

    return wrapped


def _year(value: object) -> int | None:
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(?:FY\s*)?(\d{4})\s*", value, re.IGNORECASE)
        if m:
            return int(m[1])
    try:
        n = _whole(value)
    except CellError:
        raise CellError(f"{_show(value)} is not a year; type e.g. 2027") from None
    if n is None or not 1900 <= n <= 9999:
        raise CellError(f"{_show(value)} is not a year; type e.g. 2027")
    return n
