"""Shared styles and print setup of the report sheets.

Fonts, fills, alignments and number formats are created once and shared by every
cell; :class:`Styles` turns a combination of them into a reusable style array (the
fast path on 10,000 activities); :func:`page_setup` gives every sheet the same print
setup (landscape, one page wide, repeated title rows).
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

DATE_FMT = "yyyy-mm-dd"
MONEY_FMT = "#,##0.00"
PCT_FMT = "0%"

#: The report's font: Malgun Gothic (맑은 고딕), the Korean UI font of Windows, covers
#: Hangul and Latin; where it is missing Excel and LibreOffice substitute a font of their
#: own for it (CI installs Noto Sans CJK KR). Every font below and the workbook's default
#: name it, so Korean plan and activity names print as text, not boxes.
FONT_NAME = "Malgun Gothic"


def font(**kw: Any) -> Font:
    """A :class:`openpyxl.styles.Font` in the report's :data:`FONT_NAME`."""
    return Font(name=FONT_NAME, **kw)


def use_report_font(wb: Workbook) -> None:
    """Make :data:`FONT_NAME` the default font of ``wb`` (call before writing cells)."""
    from openpyxl.utils.indexed_list import IndexedList

    default = Font(name=FONT_NAME, sz=11, family=2, charset=129)  # 129: Hangul charset
    wb._fonts = IndexedList([default])
    wb._named_styles["Normal"].font = default


# Styles are created once and shared by every cell (fast on 10,000 activities).
BOLD = font(bold=True)
TITLE = font(bold=True, size=14)
HEADER_FONT = font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
CRIT_FONT = font(color="C00000")
CRIT_FILL = PatternFill("solid", fgColor="FDE9E7")
BAR_CRIT = PatternFill("solid", fgColor="E0301E")
BAR_NORMAL = PatternFill("solid", fgColor="5B9BD5")
BAR_PROJECT = PatternFill("solid", fgColor="404040")
PROJECT_FILL = PatternFill("solid", fgColor="D9D9D9")
WARN_FONT = font(color="C00000", bold=True)
OK_FONT = font(color="006100", bold=True)
CENTER = Alignment(horizontal="center", vertical="center")
WRAP = Alignment(wrap_text=True, vertical="top")
HEAD_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left")
YES_NO = Alignment(horizontal="center")
THIN = Side(style="thin", color="FFFFFF")
BAR_BORDER = Border(left=THIN, right=THIN)
#: The baseline's bar on the Gantt: a thick amber line along the bottom of the months the
#: baseline had the activity in, under the bar of the solved plan.
BASELINE_COLOR = "F4B000"
BASELINE_SIDE = Side(style="thick", color=BASELINE_COLOR)
BAR_BASELINE_BORDER = Border(left=THIN, right=THIN, bottom=BASELINE_SIDE)
BASELINE_BORDER = Border(bottom=BASELINE_SIDE)
NOTE_FONT = font(italic=True, color="7F7F7F")
#: Progress on the Gantt, as P6 draws it: actual work in one colour (navy), remaining
#: work in the usual bar colours (blue, red when critical), and the data date's month
#: framed by a teal dashed line (P6's data date line; the browser Gantt's colours).
BAR_ACTUAL = PatternFill("solid", fgColor="1F3864")
DATA_DATE_COLOR = "0B7285"
DATA_DATE_SIDE = Side(style="mediumDashed", color=DATA_DATE_COLOR)
DATA_DATE_FILL = PatternFill("solid", fgColor=DATA_DATE_COLOR)
DRIVING_MARK = "▶"
MILESTONE_MARK = "◆"

# Page setup: margins in inches (about 1 cm at the sides, 1.5 cm top and bottom).
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}


def page_setup(
    ws: Worksheet,
    *,
    title_rows: str,
    title_cols: str | None = None,
    paper: str = Worksheet.PAPERSIZE_A4,
) -> None:
    """Print setup: landscape, one page wide, repeated title rows (and columns).

    Parameters
    ----------
    ws
        The sheet.
    title_rows
        Rows repeated on every printed page, e.g. ``"3:3"``.
    title_cols
        Columns repeated on every printed page, e.g. ``"A:B"`` (Gantt names).
    paper
        Paper size code (``Worksheet.PAPERSIZE_A3`` / ``PAPERSIZE_A4``).
    """
    ps = ws.page_setup
    ps.orientation = "landscape"
    ps.paperSize = paper
    ps.fitToWidth = 1
    ps.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**MARGINS)
    ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    ws.oddFooter.center.text = "&A: page &P of &N"


class Styles:
    """Cell styles built once per workbook and copied onto cells (the fast path).

    Assigning ``cell.font = ...`` makes openpyxl hash the style object on every call,
    which dominates the run time on 10,000 activities. Each combination of shared
    style objects is applied once to a scratch cell (not part of any sheet) and its
    ``StyleArray`` (indices into the workbook's style tables) is copied onto cells.
    """

    def __init__(self, wb: Workbook) -> None:
        ws = wb.active
        assert isinstance(ws, Worksheet)
        self._ws = ws
        self._cache: dict[tuple[Any, ...], StyleArray] = {}
        self._dated: dict[int, bool] = {}

    def get(
        self,
        *,
        font: Font | None = None,
        fill: PatternFill | None = None,
        number_format: str | None = None,
        alignment: Alignment | None = None,
        border: Border | None = None,
    ) -> StyleArray:
        """The style array for this combination (built on first use)."""
        key = (font, fill, number_format, alignment, border)
        arr = self._cache.get(key)
        if arr is None:
            probe = Cell(self._ws)
            if font is not None:
                probe.font = font
            if fill is not None:
                probe.fill = fill
            if number_format is not None:
                probe.number_format = number_format
            if alignment is not None:
                probe.alignment = alignment
            if border is not None:
                probe.border = border
            arr = StyleArray() if probe._style is None else StyleArray(probe._style)
            self._cache[key] = arr
        return arr

    def is_iso_date(self, style: StyleArray) -> bool:
        """Whether ``style``'s number format is :data:`DATE_FMT` (cached per format id)."""
        fid = style.numFmtId
        known = self._dated.get(fid)
        if known is None:
            probe = Cell(self._ws)
            probe._style = StyleArray(style)
            known = self._dated[fid] = probe.number_format == DATE_FMT
        return known

    @staticmethod
    def apply(cell: Any, style: StyleArray) -> None:
        """Give ``cell`` the style ``style`` (a copy: cells never share arrays)."""
        cell._style = StyleArray(style)
