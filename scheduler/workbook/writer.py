"""Writing plain tables as a workbook in our format."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, time
from pathlib import Path
from typing import Any

from scheduler.workbook.layout import _COLUMN_BY_NORM, SHEETS, _canonical_sheet, _norm


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
