"""Cell helpers shared by the report sheets: writing data (never formulas), headers,
tables, column widths, dates, money and the logic-vs-plan note lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.report.styles import CENTER, DATE_FMT, HEADER_FILL, HEADER_FONT, Styles, font
from scheduler.solution import Schedule

#: What the logic columns mean vs the solved plan (one note line each, written on the
#: Summary, Schedule, Gantt and Critical path sheets).
LOGIC_NOTE: tuple[str, str] = (
    "ES/EF/LS/LF, total/free float, critical = the LOGIC network: CPM over the "
    "dependencies and lags alone (P6 longest path), no crews, budgets or blackouts.",
    "start/finish, plan float, driving = the SOLVED plan with crews, budget caps and "
    "blackouts: start may be later than ES (Schedule column 'delay vs early start' = "
    "start − ES); plan float = how far an activity can slip without moving the solved "
    "finish or breaking a crew, cap or blackout (0 = driving the finish).",
)

#: UTF-16 code units kept of a long text, before "…": Excel holds at most 32,767 UTF-16
#: units in a cell (an emoji outside the Basic Multilingual Plane counts two).
MAX_TEXT = 32_000

#: Excel's last row (openpyxl refuses a cell below it).
EXCEL_ROWS = 1_048_576


def clip_text(text: str, limit: int = MAX_TEXT) -> str:
    """Cut ``text`` to at most ``limit`` UTF-16 code units, then add "…".

    Excel counts a cell's length in UTF-16 code units, not in code points: a
    character outside the Basic Multilingual Plane (most emoji) counts two. The cut
    never splits such a character in half.

    Parameters
    ----------
    text
        Any text.
    limit
        Code units kept (default :data:`MAX_TEXT`).

    Returns
    -------
    str
        ``text`` itself when it fits, else its first ``limit`` units (or one fewer,
        so no surrogate pair is split) followed by "…".
    """
    if 2 * len(text) <= limit:  # fast path: at most two units per code point
        return text
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * limit:
        return text
    return units[: 2 * limit].decode("utf-16-le", "ignore") + "…"


def cell_text(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` as Excel can store it: without the control characters XML cannot hold,
    cut to ``limit`` UTF-16 code units (:func:`clip_text`)."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return clip_text(text, limit)


# -- cell helpers ------------------------------------------------------------------------
def put(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """Write ``value`` to a cell as data, never as a formula.

    Strings are stripped of characters Excel cannot store and cut to 32,000 UTF-16
    code units (:func:`clip_text`); a string that openpyxl would treat as a formula
    (leading ``=``) or an error code (``#N/A``...) is forced back to a plain string.
    """
    if isinstance(value, str):
        value = cell_text(value)
    cell = ws.cell(row=row, column=col, value=value)
    if cell.data_type in ("f", "e"):
        cell.data_type = "s"
    return cell


#: openpyxl's data type of the value types :func:`put_styled` writes directly.
_DIRECT_TYPES: dict[type, str] = {int: "n", float: "n", bool: "b", str: "s", date: "d"}


def put_styled(st: Styles, ws: Worksheet, row: int, col: int, value: Any, style: StyleArray) -> Any:
    """:func:`put` then :meth:`Styles.apply <scheduler.report.styles.Styles.apply>`, fast.

    The same cell as ``st.apply(put(ws, row, col, value), style)`` (value, data type,
    style), built directly for a new cell holding None, an ``int``, ``float``,
    ``bool``, ``str`` or a ``date`` in a :data:`DATE_FMT` style: openpyxl's ``ws.cell``
    and value checks cost about half of a large sheet's time. Anything else (an
    existing cell, another type, a date in another format, a row beyond Excel's last)
    takes the slow path, so the workbook's style tables come out the same.
    """
    t = type(value)
    dt = "n" if value is None else _DIRECT_TYPES.get(t)
    if (
        dt is None
        or (row, col) in ws._cells
        or not 0 < row <= EXCEL_ROWS
        or col < 1
        or (dt == "d" and not st.is_iso_date(style))
    ):
        cell = put(ws, row, col, value)
        st.apply(cell, style)
        return cell
    cell = Cell(ws, row=row, column=col, style_array=style)  # copies the array
    if dt == "s":
        value = cell_text(value)  # never a formula or an error code: always text
    cell._value = value
    cell.data_type = dt
    ws._cells[(row, col)] = cell
    if row > ws._current_row:
        ws._current_row = row
    return cell


def put_row(ws: Worksheet, row: int, values: Sequence[Any], col: int = 1) -> None:
    """Write one row of values; dates get the date format."""
    for j, v in enumerate(values, start=col):
        c = put(ws, row, j, v)
        if isinstance(v, date):
            c.number_format = DATE_FMT


def header(
    ws: Worksheet,
    row: int,
    names: Sequence[str | None],
    col: int = 1,
    alignment: Alignment = CENTER,
) -> None:
    """Write a styled header row (``None`` = a blank, styled cell)."""
    for j, name in enumerate(names):
        c = put(ws, row, col + j, name)
        c.font = HEADER_FONT
        c.fill = HEADER_FILL
        c.alignment = alignment


def table(
    ws: Worksheet,
    row: int,
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    col: int = 1,
    formats: dict[int, str] | None = None,
) -> int:
    """Write a header and rows; return the last row written."""
    header(ws, row, names, col)
    r = row
    for values in rows:
        r += 1
        for j, v in enumerate(values):
            c = put(ws, r, col + j, v)
            if formats and j in formats and v is not None:
                c.number_format = formats[j]
    return r


def widths(ws: Worksheet, sizes: dict[int, float]) -> None:
    """Set column widths: ``sizes`` maps a 1-based column to a width in characters."""
    for col, w in sizes.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def iso(value: str | None) -> date | None:
    """The date of an ISO ``yyyy-mm-dd`` text; ``None`` for ``None`` or empty text."""
    return date.fromisoformat(value) if value else None


def note(ws: Worksheet, row: int, text: str) -> None:
    """Write a grey italic note line in column A."""
    c = put(ws, row, 1, text)
    c.font = font(italic=True, color="7F7F7F")


def month_key(d: date) -> int:
    """Months since year 0 (``year * 12 + month - 1``): consecutive months differ by 1."""
    return d.year * 12 + d.month - 1


def money(value: float | None) -> float | None:
    """Money (100M KRW) as stored in a cell: rounded to 2 decimals (억원 to 1M KRW)."""
    return None if value is None else round(value, 2)


def unit_of(s: Schedule) -> str:
    """Unit of durations, floats and the makespan: grid slots in the planner's words."""
    if s.plan is not None and s.plan.grid.kind != "calendar":
        return "working days"
    return "days"


def logic_note(ws: Worksheet, row: int) -> int:
    """Write :data:`LOGIC_NOTE` on two rows from ``row``; return the last row written."""
    for k, line in enumerate(LOGIC_NOTE):
        note(ws, row + k, line)
    return row + len(LOGIC_NOTE) - 1
