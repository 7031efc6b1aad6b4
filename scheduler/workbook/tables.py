"""Reading an ``.xlsx`` into raw tables: headers, rows, formulas, with bounded work."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from scheduler.errors import Issue, UnreadableFileError
from scheduler.workbook.cells import FormulaWithoutValue, _is_blank
from scheduler.workbook.layout import (
    _COLUMN_BY_NORM,
    _DATE_COLUMNS,
    SHEETS,
    _canonical_sheet,
    _is_notes_sheet,
    _norm,
)
from scheduler.workbook.safety import DEFAULT_LIMITS, Limits, _inspect_archive, _load_bytes

#: Columns read from each sheet (ours have at most 14).
MAX_COLUMNS = 64
#: Blank rows in a row after which the skipped-rows warning says the gap is long. Reading
#: never stops at a gap (rows after it are data like any other): the archive check has
#: already bounded how many rows and cells a sheet may hold.
BLANK_RUN_LIMIT = 1000
#: Excel's last row; row numbers beyond it only come from crafted files.
EXCEL_MAX_ROWS = 1_048_576
#: Rows searched for the header row.
HEADER_SEARCH_ROWS = 10


# -- raw tables --------------------------------------------------------------------------------
class Tables(dict[str, list[dict[str, Any]]]):
    """What :func:`read_tables` returns: a plain dict of sheet → rows, plus context.

    Attributes
    ----------
    issues
        Problems found while reading the file (blank rows, unknown columns,
        merged or duplicated headers, formulas); :func:`plan_from_tables`
        reports them with its own.
    columns
        Sheet → canonical columns found in its header (so a missing required
        column is reported even when the sheet has no data rows).
    titles
        Sheet → its title as written in the workbook.
    """

    def __init__(self) -> None:
        super().__init__()
        self.issues: list[Issue] = []
        self.columns: dict[str, list[str]] = {}
        self.titles: dict[str, str] = {}


def _col_letter(idx: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(idx + 1)


def _range_bounds(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
    return int(min_col or 1), int(min_row or 1), int(max_col or 1), int(max_row or 1)


def read_tables(
    source: str | Path | bytes | BinaryIO, *, limits: Limits = DEFAULT_LIMITS
) -> Tables:
    """Open a planner's workbook safely and return its raw tables.

    Parameters
    ----------
    source
        Path, bytes, or a binary file object of an ``.xlsx`` file.
    limits
        What the file may cost (:class:`~scheduler.workbook.safety.Limits`);
        checked before openpyxl parses anything.

    Returns
    -------
    Tables
        ``{canonical sheet name: [row, ...]}`` (a ``dict`` subclass), each row a
        dict of canonical column name → raw cell value (None when blank) plus
        ``"_row"`` (Excel row number). Valid date serials in date columns of a
        1904-epoch workbook are already converted to datetimes. Reading-level
        issues are in ``tables.issues``.

    Raises
    ------
    UnreadableFileError
        If the file is not an ``.xlsx``, is hostile (zip bomb, XML entities) or
        too large: more than ``limits`` allows of file size, unpacked size,
        compression ratio, parts, shared strings, cells or rows (the message
        names the part, its count and the limit).
    """
    import openpyxl

    data = _load_bytes(source, limits)
    merged = _inspect_archive(data, limits)
    tables = Tables()
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except UnreadableFileError:
        raise
    except Exception as exc:
        raise UnreadableFileError(f"the workbook cannot be opened ({exc})") from exc
    cached_wb = None
    try:
        epoch = wb.epoch
        for ws in wb.worksheets:
            key = _canonical_sheet(ws.title)
            if key is None and _is_notes_sheet(ws.title):
                continue  # infraplan convert's notes for the planner: not plan data
            if key is None:
                tables.issues.append(
                    Issue(
                        ws.title,
                        None,
                        "",
                        f"{ws.title}: sheet is not one infraplan reads; it is ignored",
                        "warning",
                    )
                )
                continue
            title = SHEETS[key].title
            if key in tables:
                tables.issues.append(
                    Issue(
                        title,
                        None,
                        "",
                        f"{title}: two sheets are named like {title} "
                        f"('{tables.titles[key]}' and '{ws.title}'); keep one",
                    )
                )
                continue
            path = getattr(ws, "_worksheet_path", "").lstrip("/")
            # read-only mode stops at the sheet's declared <dimension>, which a writer may
            # get wrong: read every row there is (the archive check bounded their number)
            ws.reset_dimensions()
            rows, formulas = _read_sheet(ws, key, merged.get(path, []), tables, limits.rows)
            if formulas:
                if cached_wb is None:
                    cached_wb = openpyxl.load_workbook(
                        io.BytesIO(data), read_only=True, data_only=True
                    )
                cached_ws = cached_wb[ws.title]
                cached_ws.reset_dimensions()
                _resolve_formulas(cached_ws, key, formulas, tables)
            if epoch != WINDOWS_EPOCH:
                _convert_serials(key, rows, epoch)
            tables[key] = rows
            tables.titles[key] = ws.title
    except UnreadableFileError:
        raise
    except Exception as exc:
        raise UnreadableFileError(f"the workbook cannot be read ({exc})") from exc
    finally:
        wb.close()
        if cached_wb is not None:
            cached_wb.close()
    return tables


_Formula = tuple[dict[str, Any], str, int, int, str]


def _read_sheet(
    ws: Any, key: str, merged: list[str], tables: Tables, max_rows: int
) -> tuple[list[dict[str, Any]], list[_Formula]]:
    """Rows of one read-only worksheet: blank rows skipped with a warning, none lost."""
    spec = SHEETS[key]
    title = spec.title
    rows: list[dict[str, Any]] = []
    formulas: list[_Formula] = []
    header_row: int | None = None
    mapping: list[tuple[int, str]] = []
    blank_start: int | None = None
    blank_run = 0
    ignored = False  # the current blank run has values in columns that are not read
    r_idx = 0
    for r_idx, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
        if r_idx > EXCEL_MAX_ROWS:
            tables.issues.append(
                Issue(
                    title,
                    r_idx,
                    "",
                    f"{title}: rows beyond Excel's last row {EXCEL_MAX_ROWS} were not read",
                    "warning",
                )
            )
            break
        values = [c.value for c in cells]
        blank = all(_is_blank(v) for v in values)
        if header_row is None:
            known = _COLUMN_BY_NORM[key]
            if blank or not any(_norm(v) in known for v in values if isinstance(v, str)):
                if r_idx >= HEADER_SEARCH_ROWS:
                    break
                continue  # blank or a title row above the header
            header_row = r_idx
            mapping = _read_header(values, key, r_idx, merged, tables)
            tables.columns[key] = [name for _, name in mapping]
            continue
        if not blank and all(_is_blank(values[ci]) for ci, _ in mapping if ci < len(values)):
            blank = ignored = True  # values only in columns that are not read: not reported
        if blank:
            if blank_start is None:
                blank_start = r_idx
            blank_run += 1
            continue
        if blank_start is not None:
            last = r_idx - 1
            one = last == blank_start
            span = f"row {blank_start}" if one else f"rows {blank_start}-{last}"
            text = (
                f"no value in a column infraplan reads; {'row' if one else 'rows'} skipped"
                if ignored
                else f"blank {'row' if one else 'rows'} skipped"
            )
            tables.issues.append(
                Issue(title, blank_start, "", f"{title} {span}: {text}", "warning")
            )
            blank_start, blank_run, ignored = None, 0, False
        if len(rows) >= max_rows:
            raise UnreadableFileError(
                f"sheet {ws.title} has more than {max_rows} rows; refused", too_large=True
            )
        row: dict[str, Any] = {"_row": r_idx}
        for ci, name in mapping:
            cell = cells[ci] if ci < len(cells) else None
            value = None if cell is None else cell.value
            if cell is not None and getattr(cell, "data_type", None) == "f":
                formulas.append((row, name, r_idx, ci, str(getattr(value, "text", value))))
            row[name] = value
        rows.append(row)
    if header_row is None:
        tables.columns[key] = []
    return rows, formulas


def _read_header(
    values: list[Any], key: str, r_idx: int, merged: list[str], tables: Tables
) -> list[tuple[int, str]]:
    """Map column index → canonical column; report unknown, duplicated, merged headers."""
    spec = SHEETS[key]
    title = spec.title
    mapping: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    names = _COLUMN_BY_NORM[key]
    for ref in merged:
        c1, r1, _c2, r2 = _range_bounds(ref)
        if r1 <= r_idx <= r2:
            head = values[c1 - 1] if c1 - 1 < len(values) else None
            col = names.get(_norm(head), str(head or "")) if head is not None else ""
            tables.issues.append(
                Issue(
                    title,
                    r_idx,
                    col,
                    f"{title} row {r_idx}: header cells {ref} are merged; unmerge them and give "
                    "each column its own header",
                )
            )
    for ci, v in enumerate(values):
        if _is_blank(v):
            continue
        raw = str(v).strip()
        name = names.get(_norm(raw))
        if name is None:
            tables.issues.append(
                Issue(
                    title,
                    r_idx,
                    raw,
                    f"{title}: column '{raw}' is not one infraplan reads; it is ignored",
                    "warning",
                )
            )
            continue
        if name in seen:
            tables.issues.append(
                Issue(
                    title,
                    r_idx,
                    name,
                    f"{title}: column '{name}' appears twice (columns {_col_letter(seen[name])} "
                    f"and {_col_letter(ci)}); keep one",
                )
            )
            continue
        seen[name] = ci
        mapping.append((ci, name))
    return mapping


def _resolve_formulas(ws: Any, key: str, formulas: list[_Formula], tables: Tables) -> None:
    """Replace formula cells by their saved values (warning) or a FormulaWithoutValue."""
    title = SHEETS[key].title
    wanted = {(r, c) for _, _, r, c, _ in formulas}
    last = max(r for r, _ in wanted)
    cached: dict[tuple[int, int], Any] = {}
    for r_idx, cells in enumerate(ws.iter_rows(max_row=last, max_col=MAX_COLUMNS), start=1):
        for ci, cell in enumerate(cells):
            if (r_idx, ci) in wanted:
                cached[(r_idx, ci)] = cell.value
    used: dict[str, list[int]] = {}
    for row, name, r_idx, ci, text in formulas:
        value = cached.get((r_idx, ci))
        if value is None:
            row[name] = FormulaWithoutValue(text)
        else:
            row[name] = value
            used.setdefault(name, []).append(r_idx)
    for name, rws in used.items():
        n = len(rws)
        tables.issues.append(
            Issue(
                title,
                rws[0],
                name,
                f"{title} row {rws[0]}: {name} is a formula; its value saved in the file was used"
                + (f" (and in {n - 1} more rows)" if n > 1 else ""),
                "warning",
            )
        )


def _convert_serials(key: str, rows: list[dict[str, Any]], epoch: datetime) -> None:
    """Turn valid numeric date serials of a non-1900 workbook into datetimes."""
    cols = _DATE_COLUMNS.get(key, ())
    for row in rows:
        targets = list(cols)
        if key == "settings" and _norm(row.get("key", "")) in ("planstart", "datadate"):
            targets = ["value"]
        for col in targets:
            v = row.get(col)
            if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < 2958466:
                row[col] = from_excel(v, epoch)
