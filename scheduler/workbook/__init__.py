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
    :func:`~scheduler.model.money_to_int`; weight with
    :func:`~scheduler.model.weight_to_int` (× WEIGHT_SCALE, decimal, half up).
Ranges
    Every number is checked at read time, on its cell, against the plan's
    length and ranges no real plan reaches (:mod:`scheduler.workbook.sheets`):
    horizon_months 1–1,200 (100 years); plan_start in the years 1900–2199;
    time_limit_s at most 604,800 (a week); a duration, lag or max lag (either
    sign) no longer than the plan; cost and cap at most 100,000,000 (100M KRW);
    weight at most 1,000,000; capacity and amount at most 1,000,000 a day; lat
    within ±90 and lon within ±180; an integer of more than 40 digits is an
    error. Messages show large numbers with three significant digits
    (``1e+15``), never hundreds of digits.
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
    Blank rows inside the data are skipped with a warning; a row with values
    only in columns infraplan does not read counts as blank (its cells are never
    reported one by one). A gap of blank rows never ends reading: rows after
    it are read like any other (the archive check bounds the rows and cells a
    sheet may hold, and a declared range of a billion rows costs no more than
    the rows the file really has); rows past Excel's last row (1,048,576) are
    never read. Row numbers are as Excel shows them; JSON
    tables without ``"_row"`` count as Excel would (``index + 2``).
Hostile files
    Refused with :class:`UnreadableFileError` before openpyxl parses anything:
    not a zip (or an old ``.xls``), more than :data:`MAX_FILE_BYTES`, declared
    or read uncompressed size over :data:`MAX_UNCOMPRESSED_BYTES` or a member
    compressed more than :data:`MAX_RATIO`:1 (zip bomb), any ``<!DOCTYPE`` or
    ``<!ENTITY`` in the XML (entity expansion). What parsing would cost is
    counted on the packed file in the same pass, and refused with a sentence
    naming the part, its count and the limit: more than
    :data:`MAX_SHARED_STRINGS` (200,000) shared strings, :data:`MAX_SHEET_CELLS`
    (1,200,000) cells in a sheet, :data:`MAX_CELLS` (2,200,000) cells in all
    sheets or :data:`MAX_SHEET_ROWS` (1,048,576) rows in a sheet. A plan of
    10,000 activities has about 20,000 distinct texts and 250,000 cells, the
    generated 100,000-activity plan of issue 9 (``infraplan bench scale``)
    1,807,142 cells, so real plans stay below; a file at the limits costs about
    a minute of CPU to read (46 s measured for that plan), not many minutes.
    Reading stops with an error after :data:`MAX_ROWS` data rows in a sheet.
    openpyxl then parses with defusedxml. :class:`Limits` carries the limits
    (``read_tables(source, limits=...)``).

Modules
-------
:mod:`~scheduler.workbook.layout`
    The sheets and columns of SPEC §3 and how their names are matched.
:mod:`~scheduler.workbook.safety`
    The hostile-file guard: size limits and archive inspection before parsing.
:mod:`~scheduler.workbook.tables`
    :func:`read_tables`: an ``.xlsx`` file → raw tables.
:mod:`~scheduler.workbook.cells`
    The cell rules: :func:`read_number`, :func:`read_date`, :func:`read_text`.
:mod:`~scheduler.workbook.sheets`
    One reader function per sheet (Settings, Regions, Activities, ...).
:mod:`~scheduler.workbook.reader`
    :func:`plan_from_tables` and :func:`read_workbook`.
:mod:`~scheduler.workbook.writer`, :mod:`~scheduler.workbook.template`
    :func:`write_workbook` and :func:`write_template`.
"""

from scheduler.workbook.cells import (
    CellError,
    FormulaWithoutValue,
    read_date,
    read_number,
    read_text,
)
from scheduler.workbook.layout import SETTINGS_KEYS, SHEETS, Column, Sheet
from scheduler.workbook.reader import plan_from_tables, read_workbook
from scheduler.workbook.safety import (
    DEFAULT_LIMITS,
    MAX_CELLS,
    MAX_FILE_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_CELLS,
    MAX_SHEET_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    RATIO_FLOOR,
    Limits,
)
from scheduler.workbook.tables import (
    BLANK_RUN_LIMIT,
    EXCEL_MAX_ROWS,
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    Tables,
    read_tables,
)
from scheduler.workbook.template import write_template
from scheduler.workbook.writer import write_workbook

__all__ = [
    "BLANK_RUN_LIMIT",
    "DEFAULT_LIMITS",
    "EXCEL_MAX_ROWS",
    "HEADER_SEARCH_ROWS",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_SHARED_STRINGS",
    "MAX_SHEET_CELLS",
    "MAX_SHEET_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "RATIO_FLOOR",
    "SETTINGS_KEYS",
    "SHEETS",
    "CellError",
    "Column",
    "FormulaWithoutValue",
    "Limits",
    "Sheet",
    "Tables",
    "plan_from_tables",
    "read_date",
    "read_number",
    "read_tables",
    "read_text",
    "read_workbook",
    "write_template",
    "write_workbook",
]
