"""The planner's workbook (SPEC §3): reading, validation into a Plan, template and writing.

This is the one module that knows the sheet layouts. Reading has two steps that
the API's JSON upload shares:

1. :func:`read_tables` opens an ``.xlsx`` safely and returns raw tables
   ``{sheet: [ {column: cell value, "_row": n}, ... ]}``;
2. :func:`plan_from_tables` converts every cell by the rules below, runs the
   domain checks of :mod:`scheduler.validate`, and builds a
   :class:`~scheduler.model.Plan`, or raises :class:`InvalidPlanError` with every
   problem at once.

Reading rules (stated once)
---------------------------
Names
    Sheet and column names match case-insensitively, ignoring spaces,
    underscores and a trailing ``*`` (the template marks required columns so):
    ``"Region From"``, ``"region_from*"`` and ``"REGIONFROM"`` are one column.
    Settings, Regions and Activities are required sheets; the others are
    optional. A required column (``*`` in SPEC §3) that is missing is an error
    naming sheet and column. Unknown columns and sheets are ignored with a
    warning. The header is the first of the first 10 rows that names at
    least one known column (title rows above it are skipped).
    Duplicated headers and merged header cells are errors.
Numbers
    A number cell (int or float) is read as is. Text is read as a number when,
    after stripping spaces, it is a plain decimal (``"3"``, ``" 3 "``,
    ``"2.0"``, ``"-1.5"``, ``"1e3"``) or uses commas as thousands separators
    (``"1,234"``, ``"1,234.5"``). Anything else (``"three"``, ``"삼"``,
    ``"3 days"``, TRUE/FALSE, a date) is an error on its cell, never a default.
    Whole-number columns (capacity, amount, lag, max_lag, horizon_months)
    accept integral floats (``2.0``) and reject fractions. A fractional
    duration is rounded **up** to whole grid slots, with a warning naming the
    cell. Money (cost, cap; 100M KRW) becomes integer units with
    :func:`~scheduler.model.money_to_int`; weight becomes ``round half up(weight
    × WEIGHT_SCALE)``.
Durations and lags
    ``duration × TimeGrid.units(duration_unit)`` grid slots; ``duration_unit``
    is ``d`` (default), ``w`` (7 days, or 5 working days on ``workdays-kr``)
    or ``mo`` (30 days, or 21 working days); any other unit is an error on its
    row. Lags and max lags are whole grid slots (days or working days).
Dates
    A date or datetime cell gives its date (time of day ignored). A number in a
    date cell is an Excel date serial, converted with
    :func:`openpyxl.utils.datetime.from_excel` in the workbook's epoch (1900 or
    1904; JSON uploads use 1900). In the 1900 system serial 60 is 1900-02-29,
    a day that never existed (Lotus 1-2-3's leap-year bug) and is an error;
    serials 1–59 are corrected by one day. Text must be ISO ``YYYY-MM-DD``;
    any other text in a date cell is an error. release and fixed_start map to
    ``slot_on_or_after(date)``; due to ``slot_after(date)`` (exclusive end);
    a blackout to ``[slot_on_or_after(from), slot_after(to))``; a budget
    year ``Y`` to 1 Jan–31 Dec of ``Y`` clipped to the plan (label
    ``"FY2027"``), from/to likewise (label ``"2027-01-01..2027-06-30"``).
Text, ids and enums
    Text is stripped of surrounding spaces; Korean and any other script is kept
    verbatim. Control characters (U+0000–U+001F, U+007F–U+009F) are removed
    from names, reasons and other free text with a warning, and make an id an
    error. A number in an id cell becomes its digits (``101.0`` → ``"101"``).
    sector, dependency type, duration_unit and calendar are matched
    case-insensitively against their allowed values; anything else is an
    error naming the allowed values.
Formulas
    A formula cell with a value saved by Excel is read as that value, with a
    warning; a formula with no saved value is an error on its cell.
Rows
    Blank rows inside the data are skipped with a warning. Reading a sheet
    stops after :data:`BLANK_RUN_LIMIT` blank rows in a row (a used range far
    beyond the data), with a warning; so a declared range of a billion rows
    costs no more than the data, and rows past Excel's last row (1,048,576)
    are never read. Row numbers are as Excel shows them; JSON
    tables without ``"_row"`` count as Excel would (``index + 2``).
Hostile files
    Refused with :class:`UnreadableFileError` before openpyxl parses anything:
    not a zip (or an old ``.xls``), more than :data:`MAX_FILE_BYTES`, declared
    uncompressed size over :data:`MAX_UNCOMPRESSED_BYTES` or a member
    compressed more than :data:`MAX_RATIO`:1 (zip bomb), any ``<!DOCTYPE`` or
    ``<!ENTITY`` in the XML (entity expansion), more than :data:`MAX_ROWS` data
    rows in a sheet. openpyxl then parses with defusedxml.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from scheduler import validate
from scheduler.errors import InvalidPlanError, Issue, UnreadableFileError
from scheduler.model import (
    DEPENDENCY_TYPES,
    OBJECTIVES,
    SECTORS,
    WEIGHT_SCALE,
    Activity,
    Blackout,
    BudgetPeriod,
    Demand,
    Dependency,
    Plan,
    Region,
    Resource,
    money_to_int,
)
from scheduler.timegrid import CALENDAR_KINDS, UNIT_SLOTS, TimeGrid, add_months

__all__ = [
    "BLANK_RUN_LIMIT",
    "MAX_FILE_BYTES",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "SHEETS",
    "FormulaWithoutValue",
    "Tables",
    "plan_from_tables",
    "read_tables",
    "read_workbook",
    "write_template",
    "write_workbook",
]

log = logging.getLogger(__name__)

#: Largest workbook file accepted (bytes, compressed).
MAX_FILE_BYTES = 50 * 2**20
#: Largest total declared uncompressed size of the archive's members (bytes).
MAX_UNCOMPRESSED_BYTES = 200 * 2**20
#: Largest compression ratio of a member bigger than :data:`RATIO_FLOOR` bytes.
MAX_RATIO = 250
RATIO_FLOOR = 4 * 2**20
#: Most members in the archive.
MAX_MEMBERS = 5000
#: Most data rows read from one sheet.
MAX_ROWS = 200_000
#: Columns read from each sheet (ours have at most 14).
MAX_COLUMNS = 64
#: Blank rows in a row after which reading a sheet stops.
BLANK_RUN_LIMIT = 1000
#: Excel's last row; row numbers beyond it only come from crafted files.
EXCEL_MAX_ROWS = 1_048_576
#: Rows searched for the header row.
HEADER_SEARCH_ROWS = 10


# -- layout ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet: canonical name, required flag, note for the template."""

    name: str
    required: bool
    note: str


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet of the workbook: display title, required flag, columns."""

    title: str
    required: bool
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        """The column called ``name`` (canonical), or None."""
        for c in self.columns:
            if c.name == name:
                return c
        return None


_SECTOR_LIST = "|".join(SECTORS)

#: Layout of every sheet of SPEC §3, keyed by canonical (lower-case) sheet name.
SHEETS: dict[str, Sheet] = {
    "settings": Sheet(
        "Settings",
        True,
        (
            Column(
                "key",
                True,
                "Setting name: plan_name, plan_start*, horizon_months, calendar, "
                "objective, time_limit_s.",
            ),
            Column(
                "value",
                False,
                "plan_start: first day (date). horizon_months: whole months (default 24). "
                "calendar: calendar | workdays-kr. objective: comma-separated "
                f"{', '.join(OBJECTIVES)} (default makespan). time_limit_s: seconds (default 30).",
            ),
        ),
    ),
    "regions": Sheet(
        "Regions",
        True,
        (
            Column("id", True, "Required. Region id, unique (e.g. SEL)."),
            Column("name", True, "Required. Region name (Korean is fine)."),
            Column("lat", False, "Latitude, decimal degrees."),
            Column("lon", False, "Longitude, decimal degrees."),
            Column("industry", False, "Strategic industry (AI, bio, energy, ...)."),
        ),
    ),
    "activities": Sheet(
        "Activities",
        True,
        (
            Column("id", True, "Required. Activity id, unique (e.g. RD-001)."),
            Column("name", True, "Required. Work package name (Korean is fine)."),
            Column("project", False, "WBS group."),
            Column("sector", True, f"Required. One of {_SECTOR_LIST}."),
            Column("region_from", True, "Required. Region id (Regions sheet)."),
            Column("region_to", False, "Region id the work links to; blank for point works."),
            Column(
                "duration",
                True,
                "Required. Number >= 0 in duration_unit; 0 = milestone. "
                "Fractions are rounded up to whole days.",
            ),
            Column(
                "duration_unit",
                False,
                "d (days, default), w (7 days; 5 working days on workdays-kr), "
                "mo (30 days; 21 working days).",
            ),
            Column("cost", False, "Money in 100M KRW (억원), spent evenly over the duration."),
            Column("weight", False, "Priority, default 1."),
            Column("release", False, "Date: may not start before this day."),
            Column("due", False, "Date: must finish on or before this day."),
            Column("fixed_start", False, "Date: start already committed."),
        ),
    ),
    "dependencies": Sheet(
        "Dependencies",
        False,
        (
            Column("predecessor", True, "Required. Activity id."),
            Column("successor", True, "Required. Activity id."),
            Column("type", False, "FS (default), SS, FF or SF."),
            Column("lag", False, "Days (working days on workdays-kr), default 0; negative = lead."),
            Column("max_lag", False, "Days: the most the successor may wait (optional)."),
        ),
    ),
    "resources": Sheet(
        "Resources",
        False,
        (
            Column("id", True, "Required. Resource id, unique."),
            Column("name", False, "Resource name."),
            Column("capacity", True, "Required. Whole units available per day."),
            Column("region", False, "Region id; blank = national."),
            Column("unit", False, "Unit name (crews, machines, ...)."),
        ),
    ),
    "demands": Sheet(
        "Demands",
        False,
        (
            Column("activity", True, "Required. Activity id."),
            Column("resource", True, "Required. Resource id."),
            Column("amount", True, "Required. Whole units used on each day the activity runs."),
        ),
    ),
    "budget": Sheet(
        "Budget",
        False,
        (
            Column("year", False, "Fiscal year (= calendar year), e.g. 2027; or give from/to."),
            Column("from", False, "Date: first day of the period (instead of year)."),
            Column("to", False, "Date: last day of the period (instead of year)."),
            Column("cap", True, "Required. Spending cap in 100M KRW (억원)."),
        ),
    ),
    "blackouts": Sheet(
        "Blackouts",
        False,
        (
            Column("scope", True, f"Required. Sector ({_SECTOR_LIST}), activity id or region id."),
            Column("from", True, "Required. Date: first day of the window."),
            Column("to", True, "Required. Date: last day of the window (inclusive)."),
            Column("reason", False, "Why (monsoon 장마, winter concreting, ...)."),
        ),
    ),
}

#: Settings keys and their notes.
SETTINGS_KEYS: dict[str, str] = {
    "plan_name": "Plan name (Korean is fine).",
    "plan_start": "Required. First day of the plan (date).",
    "horizon_months": "Plan length in months (default 24).",
    "calendar": "calendar (every day counts) or workdays-kr (Mon-Fri less Korean holidays).",
    "objective": f"Comma-separated, applied in order: {', '.join(OBJECTIVES)}.",
    "time_limit_s": "Solver time limit in seconds (default 30).",
}

_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "activities": ("release", "due", "fixed_start"),
    "budget": ("from", "to"),
    "blackouts": ("from", "to"),
}

_SHEET_ALIASES = {"budgets": "budget", "blackout": "blackouts", "setting": "settings"}


@functools.lru_cache(maxsize=4096)
def _norm(name: object) -> str:
    """Key for matching names: lower case, no spaces/underscores/trailing ``*``."""
    return re.sub(r"[\s_*]+", "", str(name)).lower()


_SHEET_BY_NORM = {_norm(k): k for k in SHEETS} | _SHEET_ALIASES
_COLUMN_BY_NORM = {
    sheet: {_norm(c.name): c.name for c in spec.columns} for sheet, spec in SHEETS.items()
}
_SETTING_BY_NORM = {_norm(k): k for k in SETTINGS_KEYS}


def _canonical_sheet(name: object) -> str | None:
    return _SHEET_BY_NORM.get(_norm(name))


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


@dataclass(frozen=True, slots=True)
class FormulaWithoutValue:
    """Cell value standing for a formula that has no value saved in the file."""

    formula: str


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


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _col_letter(idx: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(idx + 1)


def _range_bounds(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
    return int(min_col or 1), int(min_row or 1), int(max_col or 1), int(max_row or 1)


def read_tables(source: str | Path | bytes | BinaryIO) -> Tables:
    """Open a planner's workbook safely and return its raw tables.

    Parameters
    ----------
    source
        Path, bytes, or a binary file object of an ``.xlsx`` file.

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
        too large (see the module docstring for the limits).
    """
    import openpyxl

    data = _load_bytes(source)
    merged = _inspect_archive(data)
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
            rows, formulas = _read_sheet(ws, key, merged.get(path, []), tables)
            if formulas:
                if cached_wb is None:
                    cached_wb = openpyxl.load_workbook(
                        io.BytesIO(data), read_only=True, data_only=True
                    )
                _resolve_formulas(cached_wb[ws.title], key, formulas, tables)
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
    ws: Any, key: str, merged: list[str], tables: Tables
) -> tuple[list[dict[str, Any]], list[_Formula]]:
    """Rows of one read-only worksheet, with bounded work (see BLANK_RUN_LIMIT)."""
    spec = SHEETS[key]
    title = spec.title
    rows: list[dict[str, Any]] = []
    formulas: list[_Formula] = []
    header_row: int | None = None
    mapping: list[tuple[int, str]] = []
    blank_start: int | None = None
    blank_run = 0
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
        if blank:
            if blank_start is None:
                blank_start = r_idx
            blank_run += 1
            if blank_run >= BLANK_RUN_LIMIT:
                tables.issues.append(
                    Issue(
                        title,
                        blank_start,
                        "",
                        f"{title} row {blank_start}: {BLANK_RUN_LIMIT} blank rows in a row; "
                        "reading stopped here (the sheet's used range goes far beyond its data)",
                        "warning",
                    )
                )
                break
            continue
        if blank_start is not None:
            last = r_idx - 1
            span = f"row {blank_start}" if last == blank_start else f"rows {blank_start}-{last}"
            tables.issues.append(
                Issue(
                    title,
                    blank_start,
                    "",
                    f"{title} {span}: blank {'row' if last == blank_start else 'rows'} skipped",
                    "warning",
                )
            )
            blank_start, blank_run = None, 0
        if len(rows) >= MAX_ROWS:
            raise UnreadableFileError(
                f"sheet {ws.title} has more than {MAX_ROWS} rows; refused", too_large=True
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
        if key == "settings" and _norm(row.get("key", "")) == "planstart":
            targets = ["value"]
        for col in targets:
            v = row.get(col)
            if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < 2958466:
                row[col] = from_excel(v, epoch)


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
            raise CellError(f"{n:g} is negative{what}")
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


def _canonical_rows(
    tables: Mapping[str, Sequence[Mapping[str, Any]]], sheet_rows: bool, reader: _Reader
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[str] | None]]:
    """Normalise sheet and column names of any tables (xlsx or JSON); number rows."""
    out: dict[str, list[dict[str, Any]]] = {}
    columns: dict[str, list[str] | None] = {}
    known_cols: dict[str, list[str]] = getattr(tables, "columns", {})
    for raw_name, rows in tables.items():
        key = _canonical_sheet(raw_name)
        if key is None:
            reader.add(
                str(raw_name), None, "", "sheet is not one infraplan reads; ignored", warning=True
            )
            continue
        if key in out:
            reader.add(SHEETS[key].title, None, "", "the sheet is given twice; keep one")
            continue
        names = _COLUMN_BY_NORM[key]
        new_rows: list[dict[str, Any]] = []
        unknown: set[str] = set()
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                reader.add(SHEETS[key].title, i + 2, "", "row is not a table row (key: value)")
                continue
            new: dict[str, Any] = {"_row": row.get("_row", i + 2 if sheet_rows else i + 1)}
            for col, value in row.items():
                if col == "_row":
                    continue
                name = names.get(_norm(col))
                if name is None:
                    unknown.add(str(col))
                    continue
                new[name] = value
            new_rows.append(new)
        out[key] = new_rows
        if key in known_cols:
            columns[key] = known_cols[key]
        else:
            seen = {c for r in new_rows for c in r if c != "_row"}
            columns[key] = sorted(seen) if new_rows else None
            for col in sorted(unknown):
                reader.add(
                    SHEETS[key].title,
                    None,
                    col,
                    f"column '{col}' is not one infraplan reads; it is ignored",
                    warning=True,
                )
    return out, columns


def _check_layout(
    rows: Mapping[str, list[dict[str, Any]]],
    columns: Mapping[str, list[str] | None],
    reader: _Reader,
) -> set[str]:
    """Missing sheets and columns; returns the sheets that cannot be read."""
    broken: set[str] = set()
    for key, spec in SHEETS.items():
        if key not in rows:
            if spec.required:
                reader.add(spec.title, None, "", f"sheet {spec.title} is missing")
                broken.add(key)
            continue
        cols = columns.get(key)
        if cols is None:
            continue
        if not cols:
            reader.add(
                spec.title,
                None,
                "",
                "the sheet has no header row (none of its first 10 rows names a column "
                f"such as {', '.join(c.name for c in spec.columns[:3])})",
            )
            broken.add(key)
            continue
        for c in spec.columns:
            if c.required and c.name not in cols:
                reader.add(spec.title, None, c.name, f"required column '{c.name}' is missing")
                broken.add(key)
    return broken


@dataclass(slots=True)
class _Settings:
    plan_name: str = "plan"
    plan_start: date | None = None
    horizon_months: int = 24
    calendar: str = "calendar"
    objectives: tuple[str, ...] = ("makespan",)
    time_limit_s: float = 30.0


def _read_settings(rows: list[dict[str, Any]], reader: _Reader) -> _Settings:
    s = _Settings()
    sheet = "Settings"
    seen: dict[str, int] = {}
    for row in rows:
        try:
            raw_key = reader.text(sheet, row, "key", required=True)
        except _Skip:
            continue
        key = _SETTING_BY_NORM.get(_norm(raw_key))
        if key is None:
            reader.add(
                sheet,
                row["_row"],
                "key",
                f"setting '{raw_key}' is not known (use {', '.join(SETTINGS_KEYS)}); ignored",
                warning=True,
            )
            continue
        if key in seen:
            reader.add(sheet, row["_row"], "key", f"{key} is already set on row {seen[key]}")
            continue
        seen[key] = row["_row"]
        try:
            value_row = {"_row": row["_row"], key: row.get("value")}
            if key == "plan_name":
                s.plan_name = reader.text(sheet, value_row, key) or s.plan_name
            elif key == "plan_start":
                s.plan_start = reader.get(sheet, value_row, key, read_date, required=True)
            elif key == "horizon_months":
                n = reader.get(sheet, value_row, key, _whole, default=24)
                if n < 1:
                    reader.add(sheet, row["_row"], "value", "horizon_months must be at least 1")
                else:
                    s.horizon_months = n
            elif key == "calendar":
                s.calendar = reader.get(
                    sheet, value_row, key, _enum(CALENDAR_KINDS, "calendar"), default="calendar"
                )
            elif key == "objective":
                text = reader.text(sheet, value_row, key)
                names = [p.strip().lower() for p in re.split(r"[,;]", text) if p.strip()]
                bad = [n for n in names if n not in OBJECTIVES]
                if bad:
                    reader.add(
                        sheet,
                        row["_row"],
                        "value",
                        f"objective '{bad[0]}' is not known; use {', '.join(OBJECTIVES)}",
                    )
                elif names:
                    s.objectives = tuple(dict.fromkeys(names))
            elif key == "time_limit_s":
                t = reader.get(sheet, value_row, key, read_number, default=30.0)
                if t <= 0:
                    reader.add(sheet, row["_row"], "value", "time_limit_s must be positive")
                else:
                    s.time_limit_s = float(t)
        except _Skip:
            pass
    # issues about a Settings value name the "value" column
    reader.issues = [
        (
            Issue(i.sheet, i.row, "value", i.message, i.severity)
            if i.sheet == sheet and i.column in SETTINGS_KEYS
            else i
        )
        for i in reader.issues
    ]
    if "plan_start" not in seen:
        reader.add(
            sheet,
            None,
            "plan_start",
            "plan_start is missing; add a row with key plan_start and the plan's first day",
        )
    return s


def _collect(steps: Iterable[tuple[str, Callable[[], Any]]]) -> dict[str, Any]:
    """Run each ``(column, read)`` step of one row; ``{column: value}``.

    A step that raises :class:`_Skip` (its problem already recorded) leaves its
    column out and marks the row ``"_bad"``; the other steps still run, so every
    problem of the row is reported.
    """
    out: dict[str, Any] = {}
    for col, fn in steps:
        try:
            out[col] = fn()
        except _Skip:
            out["_bad"] = True
    return out


def _parse_rows(
    key: str,
    rows: list[dict[str, Any]],
    reader: _Reader,
    fields: Callable[[dict[str, Any]], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Apply ``fields`` to each row; a row with a bad cell keeps its good values."""
    out = []
    for row in rows:
        parsed = fields(row)
        parsed["_row"] = row["_row"]
        out.append(parsed)
    return out


def plan_from_tables(
    tables: Mapping[str, Sequence[Mapping[str, Any]]], *, sheet_rows: bool = True
) -> Plan:
    """Validate plain tables and convert them to a :class:`~scheduler.model.Plan`.

    The one validation path, shared by the workbook reader and the API's JSON
    upload. Reading rules: see the module docstring.

    Parameters
    ----------
    tables
        ``{sheet: [row, ...]}``, sheet and column names as in SPEC §3 (matched
        loosely), each row a mapping column → value, optionally ``"_row"``.
        A :class:`Tables` from :func:`read_tables` also brings its reading issues.
    sheet_rows
        When a row has no ``"_row"``: True numbers rows as Excel would with a
        header in row 1 (``index + 2``); False numbers them from 1.

    Returns
    -------
    Plan
        On the plan's :class:`TimeGrid` (durations, lags, dates in grid slots;
        money in 1/MONEY_SCALE of 100M KRW; weights × WEIGHT_SCALE), with
        warnings (``Issue`` with severity ``"warning"``) in ``plan.warnings``.

    Raises
    ------
    InvalidPlanError
        With every issue (errors and warnings, in sheet and row order) when any
        error is found.
    """
    reader = _Reader()
    reader.issues.extend(getattr(tables, "issues", []))
    rows, columns = _canonical_rows(tables, sheet_rows, reader)
    broken = _check_layout(rows, columns, reader)

    def sheet_rows_of(key: str) -> list[dict[str, Any]]:
        return [] if key in broken else rows.get(key, [])

    settings = _read_settings(sheet_rows_of("settings"), reader)
    kind = settings.calendar
    plan_start = settings.plan_start
    horizon_end = add_months(plan_start, settings.horizon_months) if plan_start else None

    # -- regions
    def region_fields(row: dict[str, Any]) -> dict[str, Any]:
        sh = "Regions"
        return _collect(
            (
                ("id", lambda: reader.ident(sh, row, "id", required=True)),
                ("name", lambda: reader.text(sh, row, "name", required=True)),
                ("lat", lambda: reader.get(sh, row, "lat", read_number)),
                ("lon", lambda: reader.get(sh, row, "lon", read_number)),
                ("industry", lambda: reader.text(sh, row, "industry")),
            )
        )

    regions = _parse_rows("regions", sheet_rows_of("regions"), reader, region_fields)

    # -- activities
    units = UNIT_SLOTS[kind]

    def activity_fields(row: dict[str, Any]) -> dict[str, Any]:
        sh = "Activities"
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("id", lambda: reader.ident(sh, row, "id", required=True)),
            ("name", lambda: reader.text(sh, row, "name", required=True)),
            ("project", lambda: reader.text(sh, row, "project")),
            ("sector", lambda: reader.get(sh, row, "sector", _enum(SECTORS, "sector"), True)),
            ("region_from", lambda: reader.ident(sh, row, "region_from", required=True)),
            ("region_to", lambda: reader.ident(sh, row, "region_to")),
            (
                "raw_duration",
                lambda: reader.get(
                    sh, row, "duration", _nonneg(read_number, "; durations are >= 0"), True
                ),
            ),
            (
                "unit",
                lambda: reader.get(
                    sh, row, "duration_unit", _enum(tuple(units), "duration unit"), default="d"
                ),
            ),
            ("cost", lambda: reader.get(sh, row, "cost", _nonneg(read_number), default=0)),
            ("weight", lambda: reader.get(sh, row, "weight", _nonneg(read_number), default=1)),
            ("release", lambda: reader.get(sh, row, "release", read_date)),
            ("due", lambda: reader.get(sh, row, "due", read_date)),
            ("fixed_start", lambda: reader.get(sh, row, "fixed_start", read_date)),
        ]
        out = _collect(steps)
        if out.get("raw_duration") is not None and out.get("unit") is not None:
            exact = out["raw_duration"] * units[out["unit"]]
            slots = round(exact)
            if abs(exact - slots) > 1e-9:
                slots = math.ceil(exact - 1e-9)
                reader.add(
                    sh,
                    row["_row"],
                    "duration",
                    f"duration {out['raw_duration']:g} {out['unit']} of '{out.get('id')}' is "
                    f"{exact:g} days; rounded up to {slots}",
                    warning=True,
                )
            out["duration"] = int(slots)
        return out

    activities = _parse_rows("activities", sheet_rows_of("activities"), reader, activity_fields)

    # -- dependencies
    def dependency_fields(row: dict[str, Any]) -> dict[str, Any]:
        sh = "Dependencies"
        return _collect(
            (
                ("predecessor", lambda: reader.ident(sh, row, "predecessor", required=True)),
                ("successor", lambda: reader.ident(sh, row, "successor", required=True)),
                (
                    "type",
                    lambda: reader.get(
                        sh,
                        row,
                        "type",
                        _enum(DEPENDENCY_TYPES, "dependency type", True),
                        default="FS",
                    ),
                ),
                ("lag", lambda: reader.get(sh, row, "lag", _whole, default=0)),
                ("max_lag", lambda: reader.get(sh, row, "max_lag", _whole)),
            )
        )

    dependencies = _parse_rows(
        "dependencies", sheet_rows_of("dependencies"), reader, dependency_fields
    )

    # -- resources
    def resource_fields(row: dict[str, Any]) -> dict[str, Any]:
        sh = "Resources"
        return _collect(
            (
                ("id", lambda: reader.ident(sh, row, "id", required=True)),
                ("name", lambda: reader.text(sh, row, "name")),
                ("capacity", lambda: reader.get(sh, row, "capacity", _nonneg(_whole), True)),
                ("region", lambda: reader.ident(sh, row, "region")),
                ("unit", lambda: reader.text(sh, row, "unit")),
            )
        )

    resources = _parse_rows("resources", sheet_rows_of("resources"), reader, resource_fields)

    # -- demands
    def demand_fields(row: dict[str, Any]) -> dict[str, Any]:
        sh = "Demands"
        return _collect(
            (
                ("activity", lambda: reader.ident(sh, row, "activity", required=True)),
                ("resource", lambda: reader.ident(sh, row, "resource", required=True)),
                ("amount", lambda: reader.get(sh, row, "amount", _nonneg(_whole), True)),
            )
        )

    demands = _parse_rows("demands", sheet_rows_of("demands"), reader, demand_fields)

    # -- budget
    def budget_fields(row: dict[str, Any]) -> dict[str, Any]:
        sh = "Budget"
        out = _collect(
            (
                ("year", lambda: reader.get(sh, row, "year", _year)),
                ("from", lambda: reader.get(sh, row, "from", read_date)),
                ("to", lambda: reader.get(sh, row, "to", read_date)),
                ("cap", lambda: reader.get(sh, row, "cap", _nonneg(read_number), True)),
            )
        )
        if out.get("_bad"):
            return out
        year, a, b = out.get("year"), out.get("from"), out.get("to")
        if year is not None and (a is not None or b is not None):
            reader.add(sh, row["_row"], "year", "give either a year or from/to dates, not both")
            out["_bad"] = True
        elif year is not None:
            out["first_day"], out["last_day"] = date(year, 1, 1), date(year, 12, 31)
            out["label"] = f"FY{year}"
        elif a is not None and b is not None:
            out["first_day"], out["last_day"] = a, b
            out["label"] = f"{a.isoformat()}..{b.isoformat()}"
        else:
            missing = "to" if a is not None else "from" if b is not None else "year"
            reader.add(
                sh, row["_row"], missing, "give a year, or both from and to dates, for the cap"
            )
            out["_bad"] = True
        return out

    budgets = _parse_rows("budget", sheet_rows_of("budget"), reader, budget_fields)

    # -- blackouts
    def blackout_fields(row: dict[str, Any]) -> dict[str, Any]:
        sh = "Blackouts"
        return _collect(
            (
                ("scope", lambda: reader.ident(sh, row, "scope", required=True)),
                ("from", lambda: reader.get(sh, row, "from", read_date, True)),
                ("to", lambda: reader.get(sh, row, "to", read_date, True)),
                ("reason", lambda: reader.text(sh, row, "reason")),
            )
        )

    blackouts = _parse_rows("blackouts", sheet_rows_of("blackouts"), reader, blackout_fields)

    # -- domain checks (scheduler.validate)
    issues = reader.issues
    region_ids = {r["id"] for r in regions if r.get("id")}
    activity_ids = {a["id"] for a in activities if a.get("id")}
    resource_ids = {r["id"] for r in resources if r.get("id")}
    if "activities" not in broken and "activities" in rows and not activities:
        reader.add("Activities", None, "", "the sheet has no activities")
    issues += validate.duplicate_ids("Regions", regions, "region")
    issues += validate.duplicate_ids("Activities", activities, "activity")
    issues += validate.duplicate_ids("Resources", resources, "resource")
    if "regions" not in broken:
        issues += validate.unknown_ids(
            "Activities", activities, "region_from", region_ids, "a region id"
        )
        issues += validate.unknown_ids(
            "Activities", activities, "region_to", region_ids, "a region id"
        )
        issues += validate.unknown_ids("Resources", resources, "region", region_ids, "a region id")
    if "activities" not in broken:
        for col in ("predecessor", "successor"):
            issues += validate.unknown_ids(
                "Dependencies", dependencies, col, activity_ids, "an activity id"
            )
        issues += validate.unknown_ids(
            "Demands", demands, "activity", activity_ids, "an activity id"
        )
    if "resources" not in broken:
        issues += validate.unknown_ids(
            "Demands", demands, "resource", resource_ids, "a resource id"
        )
    issues += validate.dependency_lags(dependencies)
    issues += validate.dependency_cycles(dependencies)
    issues += validate.duplicate_demands(demands)
    issues += validate.demand_capacity(
        demands,
        {
            r["id"]: r["capacity"]
            for r in resources
            if r.get("id") and r.get("capacity") is not None
        },
        {
            a["id"]: a["duration"]
            for a in activities
            if a.get("id") and a.get("duration") is not None
        },
    )
    scopes = set(SECTORS) | activity_ids | region_ids
    for b in blackouts:
        sc = b.get("scope")
        if sc and sc not in activity_ids and sc not in region_ids and sc.lower() in SECTORS:
            b["scope"] = sc.lower()
    if "activities" not in broken and "regions" not in broken:
        issues += validate.blackout_windows(blackouts, scopes, plan_start, horizon_end)
    else:
        issues += validate.blackout_windows(blackouts, _Everything(), plan_start, horizon_end)
    issues += validate.budget_periods(budgets, plan_start, horizon_end)
    grid: TimeGrid | None = None
    if plan_start is not None and horizon_end is not None:
        issues += validate.activity_dates(activities, plan_start, horizon_end)
        grid = TimeGrid(plan_start, kind, settings.horizon_months)  # type: ignore[arg-type]
        dated_ok = [
            a
            for a in activities
            if all(
                a.get(c) is None or plan_start <= a[c] < horizon_end
                for c in ("release", "due", "fixed_start")
            )
        ]
        issues += validate.fixed_starts_fit(dated_ok, grid)
        issues += validate.durations_fit(activities, grid)

    errors = [i for i in issues if i.severity == "error"]
    ordered = _sorted(issues)
    if errors or grid is None or horizon_end is None:
        if not errors:  # cannot happen: no plan_start is an error
            ordered.append(Issue("Settings", None, "plan_start", "Settings: plan_start is missing"))
        raise InvalidPlanError(ordered)

    # -- build the model (every value checked above)
    plan_regions = [
        Region(r["id"], r["name"], r.get("lat"), r.get("lon"), r.get("industry") or "")
        for r in regions
    ]
    plan_activities = []
    for a in activities:
        plan_activities.append(
            Activity(
                id=a["id"],
                name=a["name"],
                duration=a["duration"],
                sector=a["sector"],
                project=a.get("project") or "",
                region_from=a["region_from"],
                region_to=a.get("region_to") or "",
                cost=money_to_int(a.get("cost") or 0),
                weight=math.floor(a.get("weight", 1) * WEIGHT_SCALE + 0.5),
                release=grid.slot_on_or_after(a["release"]) if a.get("release") else None,
                due=grid.slot_after(a["due"]) if a.get("due") else None,
                fixed_start=grid.slot_on_or_after(a["fixed_start"])
                if a.get("fixed_start")
                else None,
                source_row=a["_row"],
            )
        )
    plan_dependencies = [
        Dependency(
            d["predecessor"], d["successor"], d["type"], d["lag"], d.get("max_lag"), d["_row"]
        )
        for d in dependencies
    ]
    plan_resources = [
        Resource(
            id=r["id"],
            capacity=r["capacity"],
            name=r.get("name") or "",
            region=r.get("region") or "",
            unit=r.get("unit") or "",
        )
        for r in resources
    ]
    plan_demands = [Demand(d["activity"], d["resource"], d["amount"], d["_row"]) for d in demands]
    last_day = horizon_end - timedelta(days=1)
    plan_budgets = []
    for b in budgets:
        first, last = max(b["first_day"], plan_start), min(b["last_day"], last_day)
        if first > last:
            continue
        plan_budgets.append(
            BudgetPeriod(
                label=b["label"],
                start=grid.slot_on_or_after(first),
                end=grid.slot_after(last),
                cap=money_to_int(b["cap"]),
                first_day=first,
                last_day=last,
                source_row=b["_row"],
            )
        )
    plan_blackouts = []
    for w in blackouts:
        first, last = max(w["from"], plan_start), min(w["to"], last_day)
        if first > last:
            continue
        plan_blackouts.append(
            Blackout(
                scope=w["scope"],
                start=grid.slot_on_or_after(first),
                end=grid.slot_after(last),
                reason=w.get("reason") or "",
                first_day=w["from"],
                last_day=w["to"],
                source_row=w["_row"],
            )
        )
    plan = Plan(
        name=settings.plan_name,
        grid=grid,
        activities=plan_activities,
        dependencies=plan_dependencies,
        resources=plan_resources,
        demands=plan_demands,
        budgets=plan_budgets,
        blackouts=plan_blackouts,
        regions=plan_regions,
        objectives=list(settings.objectives),
        time_limit_s=settings.time_limit_s,
        warnings=list(ordered),
    )
    log.info(
        "read plan %r: %d activities, %d dependencies, %d warnings",
        plan.name,
        len(plan.activities),
        len(plan.dependencies),
        len(ordered),
    )
    return plan


class _Everything:
    """A collection that contains every scope (when ids cannot be checked)."""

    def __contains__(self, item: object) -> bool:
        return True

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


_ORDER = {spec.title: i for i, spec in enumerate(SHEETS.values())}


def _sorted(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (_ORDER.get(i.sheet, -1), i.row or 0))


def read_workbook(source: str | Path | bytes | BinaryIO) -> Plan:
    """Read and validate a planner's workbook (SPEC §3).

    ``read_tables`` then ``plan_from_tables``; reading warnings (blank rows,
    formulas, ignored columns) end up in ``plan.warnings``.

    Raises
    ------
    UnreadableFileError
        If the file is not a readable, safe ``.xlsx``.
    InvalidPlanError
        With every problem found, each with sheet, row, column and message.
    """
    return plan_from_tables(read_tables(source))


# -- writing -----------------------------------------------------------------------------------
def _cell_value(value: Any) -> Any:
    """A value as written: dates stay dates (openpyxl formats them yyyy-mm-dd)."""
    if isinstance(value, str):
        return _ILLEGAL_RE.sub("", value)
    if isinstance(value, datetime) and value.time() == time():
        return value.date()
    return value


_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _table_columns(key: str) -> list[str]:
    """Every column of a sheet, in SPEC §3 order (one layout for every written file)."""
    return [c.name for c in SHEETS[key].columns]


def write_workbook(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    path: str | Path,
    *,
    plan_name: str | None = None,
) -> None:
    """Write plain tables as a workbook in our format (values only, never formulas).

    Parameters
    ----------
    tables
        ``{sheet: [row, ...]}`` as :func:`plan_from_tables` takes them (names
        matched loosely; unknown sheets and columns are dropped). Dates may be
        ``date``/``datetime`` (written as real Excel dates) or ISO text.
    path
        Target ``.xlsx`` file.
    plan_name
        Sets (or replaces) the Settings ``plan_name``.

    Notes
    -----
    Written in openpyxl's normal mode so the file carries its used range
    (``<dimension>``), which keeps reading it back cheap. Text
    starting with ``=`` is stored as text, not as a formula; characters XML
    cannot hold are removed.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    canon: dict[str, list[dict[str, Any]]] = {}
    for raw, rows in tables.items():
        key = _canonical_sheet(raw)
        if key is None:
            continue
        names = _COLUMN_BY_NORM[key]
        canon[key] = [{names[_norm(c)]: v for c, v in r.items() if _norm(c) in names} for r in rows]
    if plan_name is not None:
        settings = [r for r in canon.get("settings", []) if _norm(r.get("key", "")) != "planname"]
        canon["settings"] = [{"key": "plan_name", "value": plan_name}, *settings]
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    bold = Font(bold=True)
    for key, spec in SHEETS.items():
        if key not in canon:
            continue
        ws = wb.create_sheet(spec.title)
        cols = _table_columns(key)
        ws.freeze_panes = "A2"
        ws.append(cols)
        for cell in ws[1]:
            cell.font = bold
        texts: list[tuple[int, int]] = []
        for ri, r in enumerate(canon[key], start=2):
            values = [_cell_value(r.get(c)) for c in cols]
            ws.append(values)
            texts.extend(
                (ri, ci)
                for ci, v in enumerate(values, start=1)
                if isinstance(v, str) and v.startswith("=")
            )
        for ri, ci in texts:  # text that looks like a formula stays text
            ws.cell(row=ri, column=ci).data_type = "s"
    wb.save(str(path))


def _template_tables() -> dict[str, list[dict[str, Any]]]:
    """The template's example rows: together a valid tiny plan."""
    return {
        "settings": [
            {"key": "plan_name", "value": "국가 인프라 2개년 계획 (example)"},
            {"key": "plan_start", "value": date(2027, 1, 4)},
            {"key": "horizon_months", "value": 24},
            {"key": "calendar", "value": "calendar"},
            {"key": "objective", "value": "makespan"},
            {"key": "time_limit_s", "value": 30},
        ],
        "regions": [
            {"id": "SEL", "name": "서울 수도권 (capital hub)", "lat": 37.5665, "lon": 126.978,
             "industry": "AI"},
        ],
        "activities": [
            {"id": "RD-001", "name": "도로 토공 (road earthworks)", "project": "Corridor SEL",
             "sector": "road", "region_from": "SEL", "region_to": "", "duration": 3,
             "duration_unit": "mo", "cost": 120.5, "weight": 1, "release": date(2027, 1, 4),
             "due": date(2027, 12, 31), "fixed_start": None},
            {"id": "TC-001", "name": "광케이블 포설 (fibre in the trench)",
             "project": "Corridor SEL", "sector": "telecom", "region_from": "SEL",
             "region_to": "", "duration": 10, "duration_unit": "d", "cost": 8, "weight": 1,
             "release": None, "due": None, "fixed_start": None},
        ],
        "dependencies": [
            {"predecessor": "RD-001", "successor": "TC-001", "type": "SS", "lag": 20,
             "max_lag": 60},
        ],
        "resources": [
            {"id": "CREW-SEL", "name": "Civil crew Seoul", "capacity": 4, "region": "SEL",
             "unit": "crews"},
        ],
        "demands": [{"activity": "RD-001", "resource": "CREW-SEL", "amount": 2}],
        "budget": [{"year": 2027, "from": None, "to": None, "cap": 500}],
        "blackouts": [
            {"scope": "road", "from": date(2027, 7, 1), "to": date(2027, 8, 31),
             "reason": "장마 (monsoon)"},
        ],
    }  # fmt: skip


def write_template(path: str | Path) -> None:
    """Write the documented, empty-but-for-examples workbook (``infraplan template PATH``).

    Every sheet of SPEC §3 with its header row (required columns marked ``*``),
    a note on each header (unit, required, format), drop-down lists for sector,
    dependency type, duration unit and calendar, and example rows that together
    form a valid tiny plan.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    examples = _template_tables()
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for key, spec in SHEETS.items():
        ws = wb.create_sheet(spec.title)
        cols = [c.name for c in spec.columns]
        for ci, col in enumerate(spec.columns, start=1):
            cell = ws.cell(row=1, column=ci, value=col.name + ("*" if col.required else ""))
            cell.font = bold
            cell.fill = fill
            comment = Comment(col.note, "infraplan")
            comment.width, comment.height = 300, 110
            cell.comment = comment
            ws.column_dimensions[_col_letter(ci - 1)].width = max(12, len(col.name) + 4)
        ws.freeze_panes = "A2"
        for ri, row in enumerate(examples[key], start=2):
            for ci, col_name in enumerate(cols, start=1):
                v = _cell_value(row.get(col_name))
                if v is None or v == "":
                    continue
                ws.cell(row=ri, column=ci, value=v)
        if key == "settings":
            ws.column_dimensions["A"].width = 18
            ws.column_dimensions["B"].width = 36
            for ri, row in enumerate(examples[key], start=2):
                ws.cell(row=ri, column=1).comment = Comment(SETTINGS_KEYS[row["key"]], "infraplan")
                if row["key"] == "calendar":
                    dv = DataValidation(type="list", formula1=f'"{",".join(CALENDAR_KINDS)}"')
                    dv.add(f"B{ri}")
                    ws.add_data_validation(dv)
        lists = {
            ("activities", "sector"): SECTORS,
            ("activities", "duration_unit"): ("d", "w", "mo"),
            ("dependencies", "type"): DEPENDENCY_TYPES,
        }
        for (sheet_key, col_name), allowed in lists.items():
            if sheet_key != key:
                continue
            letter = _col_letter(cols.index(col_name))
            dv = DataValidation(
                type="list",
                formula1=f'"{",".join(allowed)}"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=f"{col_name}",
                error=f"Use one of: {', '.join(allowed)}",
            )
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
    wb.save(str(path))
