"""One reader per sheet: raw rows → checked values, every problem recorded on the reader.

Each ``read_<sheet>`` takes the sheet's rows (canonical column names, ``"_row"``)
and returns one dict per row with the converted values; a row with a bad cell
keeps its good values and is marked ``"_bad"``. Cross-sheet checks (unknown ids,
cycles, dates against the plan) are in :mod:`scheduler.workbook.reader`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from scheduler.errors import Issue
from scheduler.model import DEPENDENCY_TYPES, OBJECTIVES, OUT_OF_SEQUENCE, SECTORS
from scheduler.timegrid import CALENDAR_KINDS, UNIT_SLOTS
from scheduler.uncertainty import DISTRIBUTIONS
from scheduler.workbook.cells import (
    CellError,
    _at_most,
    _enum,
    _nonneg,
    _Reader,
    _Skip,
    _whole,
    _year,
    read_date,
    read_number,
    show_number,
)
from scheduler.workbook.layout import _SETTING_BY_NORM, SETTINGS_KEYS, _norm
from scheduler.workbook.risk import ESTIMATE_COLUMNS

Row = dict[str, Any]
Fields = Callable[[Row, _Reader], Row]

#: Longest plan: 1,200 months (100 years, as for foreign files).
MAX_HORIZON_MONTHS = 1200
#: Years a plan may start in.
FIRST_YEAR, LAST_YEAR = 1900, 2199
#: Largest money in a cell (cost, cap) in 100M KRW: 10 quadrillion KRW, about
#: four times Korea's yearly GDP.
MAX_MONEY = 100_000_000
#: Largest priority weight.
MAX_WEIGHT = 1_000_000
#: Largest capacity or demand (units a day).
MAX_UNITS = 1_000_000
#: Longest solver time limit (seconds): a week.
MAX_TIME_LIMIT_S = 604_800
#: Degrees of latitude and longitude.
MAX_LAT, MAX_LON = 90, 180


@dataclass(slots=True)
class Settings:
    """The Settings sheet's values (defaults where a key is not given)."""

    plan_name: str = "plan"
    plan_start: date | None = None
    horizon_months: int = 24
    calendar: str = "calendar"
    objectives: tuple[str, ...] = ("makespan",)
    time_limit_s: float = 30.0
    risk_correlation: float = 0.0
    risk_iterations: int = 1000
    repeatable: bool = False
    data_date: date | None = None
    out_of_sequence: str = "retained_logic"
    #: Settings row of the data_date key (None when the key is not given), and whether
    #: its value cell was already reported as not a date.
    data_date_row: int | None = None
    data_date_bad: bool = False


#: Words the ``repeatable`` setting accepts (lower case), and what they mean.
_YES_NO = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


def read_settings(rows: list[dict[str, Any]], reader: _Reader) -> Settings:
    """Settings rows → :class:`Settings`; problems recorded on ``reader``."""
    s = Settings()
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
                start = reader.get(sheet, value_row, key, read_date, required=True)
                if not FIRST_YEAR <= start.year <= LAST_YEAR:
                    reader.add(
                        sheet,
                        row["_row"],
                        "value",
                        f"plan_start {start.isoformat()} is outside the years infraplan plans "
                        f"({FIRST_YEAR} to {LAST_YEAR})",
                    )
                else:
                    s.plan_start = start
            elif key == "data_date":
                s.data_date_row = row["_row"]
                s.data_date_bad = True  # until the cell reads as a date or a blank
                s.data_date = reader.get(sheet, value_row, key, read_date)
                s.data_date_bad = False
            elif key == "out_of_sequence":
                s.out_of_sequence = reader.get(
                    sheet,
                    value_row,
                    key,
                    _enum(OUT_OF_SEQUENCE, "progress option"),
                    default="retained_logic",
                )
            elif key == "horizon_months":
                n = reader.get(sheet, value_row, key, _whole, default=24)
                if n < 1:
                    reader.add(sheet, row["_row"], "value", "horizon_months must be at least 1")
                elif n > MAX_HORIZON_MONTHS:
                    reader.add(
                        sheet,
                        row["_row"],
                        "value",
                        f"horizon_months {show_number(n)} is more than {MAX_HORIZON_MONTHS} "
                        f"({MAX_HORIZON_MONTHS // 12} years), the longest plan infraplan reads",
                    )
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
                elif t > MAX_TIME_LIMIT_S:
                    reader.add(
                        sheet,
                        row["_row"],
                        "value",
                        f"time_limit_s {show_number(t)} is more than {MAX_TIME_LIMIT_S:,} (a week)",
                    )
                else:
                    s.time_limit_s = float(t)
            elif key == "risk_correlation":
                rho = reader.get(sheet, value_row, key, read_number, default=0.0)
                if not 0 <= rho <= 1:
                    reader.add(sheet, row["_row"], "value", "risk_correlation must be 0 to 1")
                else:
                    s.risk_correlation = float(rho)
            elif key == "risk_iterations":
                n = reader.get(sheet, value_row, key, _whole, default=1000)
                if not 1 <= n <= 10_000_000:
                    reader.add(
                        sheet, row["_row"], "value", "risk_iterations must be 1 to 10,000,000"
                    )
                else:
                    s.risk_iterations = n
            elif key == "repeatable":
                raw = row.get("value")
                word = str(raw).strip().lower() if raw is not None else ""
                if isinstance(raw, bool):
                    s.repeatable = raw
                elif word in _YES_NO:
                    s.repeatable = _YES_NO[word]
                elif word:
                    reader.add(sheet, row["_row"], "value", f"repeatable is '{raw}'; use yes or no")
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


def _longest(horizon: int | None) -> int:
    """Slots of the plan, or (unknown plan) days of the longest plan infraplan reads."""
    return horizon if horizon is not None else MAX_HORIZON_MONTHS * 31


def _slot_unit(kind: str) -> str:
    return "days" if kind == "calendar" else "working days"


def _plan_length(horizon: int | None, unit: str) -> str:
    if horizon is None:
        return f"the longest plan infraplan reads ({MAX_HORIZON_MONTHS} months)"
    return f"the whole plan ({horizon} {unit})"


def _collect(steps: Iterable[tuple[str, Callable[[], Any]]]) -> Row:
    """Run each ``(column, read)`` step of one row; ``{column: value}``.

    A step that raises :class:`_Skip` (its problem already recorded) leaves its
    column out and marks the row ``"_bad"``; the other steps still run, so every
    problem of the row is reported.
    """
    out: Row = {}
    for col, fn in steps:
        try:
            out[col] = fn()
        except _Skip:
            out["_bad"] = True
    return out


def _parse_rows(rows: list[Row], reader: _Reader, fields: Fields) -> list[Row]:
    """Apply ``fields`` to each row; a row with a bad cell keeps its good values."""
    out = []
    for row in rows:
        parsed = fields(row, reader)
        parsed["_row"] = row["_row"]
        out.append(parsed)
    return out


_LAT = _at_most(read_number, MAX_LAT, " (degrees of latitude)", low=-MAX_LAT)
_LON = _at_most(read_number, MAX_LON, " (degrees of longitude)", low=-MAX_LON)
_MONEY = _at_most(_nonneg(read_number), MAX_MONEY, " (100M KRW), the most infraplan reads")
_WEIGHT = _at_most(_nonneg(read_number), MAX_WEIGHT, ", the most infraplan reads")
_UNITS = _at_most(_nonneg(_whole), MAX_UNITS, " units a day, the most infraplan reads")


def _region_fields(row: Row, reader: _Reader) -> Row:
    sh = "Regions"
    return _collect(
        (
            ("id", lambda: reader.ident(sh, row, "id", required=True)),
            ("name", lambda: reader.text(sh, row, "name", required=True)),
            ("lat", lambda: reader.get(sh, row, "lat", _LAT)),
            ("lon", lambda: reader.get(sh, row, "lon", _LON)),
            ("industry", lambda: reader.text(sh, row, "industry")),
        )
    )


def read_regions(rows: list[Row], reader: _Reader) -> list[Row]:
    """Regions rows: id, name, lat, lon, industry."""
    return _parse_rows(rows, reader, _region_fields)


def _activity_fields(row: Row, reader: _Reader, kind: str, horizon: int | None) -> Row:
    sh = "Activities"
    units = UNIT_SLOTS[kind]
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
        ("cost", lambda: reader.get(sh, row, "cost", _MONEY, default=0)),
        ("weight", lambda: reader.get(sh, row, "weight", _WEIGHT, default=1)),
        ("release", lambda: reader.get(sh, row, "release", read_date)),
        ("due", lambda: reader.get(sh, row, "due", read_date)),
        ("fixed_start", lambda: reader.get(sh, row, "fixed_start", read_date)),
        *activity_estimate_steps(row, reader),
    ]
    out = _collect(steps)
    if out.get("raw_duration") is not None and out.get("unit") is not None:
        exact = out["raw_duration"] * units[out["unit"]]
        longest = _longest(horizon)
        if not math.isfinite(exact) or exact - 1e-9 > longest:
            unit = _slot_unit(kind)
            shown = (
                f"{show_number(exact)} {unit}"
                if math.isfinite(exact)
                else f"{show_number(out['raw_duration'])} {out['unit']}"
            )
            reader.add(
                sh,
                row["_row"],
                "duration",
                f"duration of '{out.get('id')}' is {shown}, longer than "
                + _plan_length(horizon, unit)
                + "; check the number and its duration_unit",
            )
            out["_bad"] = True
            return out
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


def read_activities(
    rows: list[Row], reader: _Reader, kind: str, horizon: int | None = None
) -> list[Row]:
    """Activities rows; ``duration`` in grid slots of the calendar ``kind`` (rounded up).

    A duration longer than the plan (``horizon`` slots; the longest plan when
    None) is an error on its cell, and the row has no ``duration``.
    """
    return _parse_rows(rows, reader, lambda row, r: _activity_fields(row, r, kind, horizon))


def _dependency_fields(row: Row, reader: _Reader, kind: str, horizon: int | None) -> Row:
    sh = "Dependencies"
    longest, unit = _longest(horizon), _slot_unit(kind)

    def lag(col: str) -> Callable[[object], int | None]:
        def conv(value: object) -> int | None:
            n = _whole(value)
            if n is not None and abs(n) > longest:
                raise CellError(
                    f"{show_number(n)} {unit} is longer than {_plan_length(horizon, unit)}"
                )
            return n

        return conv

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
            ("lag", lambda: reader.get(sh, row, "lag", lag("lag"), default=0)),
            ("max_lag", lambda: reader.get(sh, row, "max_lag", lag("max_lag"))),
        )
    )


def read_dependencies(
    rows: list[Row], reader: _Reader, kind: str = "calendar", horizon: int | None = None
) -> list[Row]:
    """Dependencies rows: predecessor, successor, type (default FS), lag, max_lag.

    A lag or max lag longer than the plan (``horizon`` slots of the calendar
    ``kind``; the longest plan when None), either way, is an error on its cell.
    """
    return _parse_rows(rows, reader, lambda row, r: _dependency_fields(row, r, kind, horizon))


def _resource_fields(row: Row, reader: _Reader) -> Row:
    sh = "Resources"
    return _collect(
        (
            ("id", lambda: reader.ident(sh, row, "id", required=True)),
            ("name", lambda: reader.text(sh, row, "name")),
            ("capacity", lambda: reader.get(sh, row, "capacity", _UNITS, True)),
            ("region", lambda: reader.ident(sh, row, "region")),
            ("unit", lambda: reader.text(sh, row, "unit")),
        )
    )


def read_resources(rows: list[Row], reader: _Reader) -> list[Row]:
    """Resources rows: id, name, capacity, region, unit."""
    return _parse_rows(rows, reader, _resource_fields)


def _demand_fields(row: Row, reader: _Reader) -> Row:
    sh = "Demands"
    return _collect(
        (
            ("activity", lambda: reader.ident(sh, row, "activity", required=True)),
            ("resource", lambda: reader.ident(sh, row, "resource", required=True)),
            ("amount", lambda: reader.get(sh, row, "amount", _UNITS, True)),
        )
    )


def read_demands(rows: list[Row], reader: _Reader) -> list[Row]:
    """Demands rows: activity, resource, amount."""
    return _parse_rows(rows, reader, _demand_fields)


def _budget_fields(row: Row, reader: _Reader) -> Row:
    sh = "Budget"
    out = _collect(
        (
            ("year", lambda: reader.get(sh, row, "year", _year)),
            ("from", lambda: reader.get(sh, row, "from", read_date)),
            ("to", lambda: reader.get(sh, row, "to", read_date)),
            ("cap", lambda: reader.get(sh, row, "cap", _MONEY, True)),
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
        reader.add(sh, row["_row"], missing, "give a year, or both from and to dates, for the cap")
        out["_bad"] = True
    return out


def read_budgets(rows: list[Row], reader: _Reader) -> list[Row]:
    """Budget rows: a cap per year or per from/to period (``first_day``, ``last_day``, label)."""
    return _parse_rows(rows, reader, _budget_fields)


def _blackout_fields(row: Row, reader: _Reader) -> Row:
    sh = "Blackouts"
    return _collect(
        (
            ("scope", lambda: reader.ident(sh, row, "scope", required=True)),
            ("from", lambda: reader.get(sh, row, "from", read_date, True)),
            ("to", lambda: reader.get(sh, row, "to", read_date, True)),
            ("reason", lambda: reader.text(sh, row, "reason")),
        )
    )


def read_blackouts(rows: list[Row], reader: _Reader) -> list[Row]:
    """Blackouts rows: scope, from, to (inclusive), reason."""
    return _parse_rows(rows, reader, _blackout_fields)


def activity_estimate_steps(row: Row, reader: _Reader) -> list[tuple[str, Callable[[], Any]]]:
    """The Activities row's reading steps for the uncertainty columns (raw values)."""
    sh = "Activities"
    estimate = _nonneg(read_number, "; estimates are >= 0")
    steps: list[tuple[str, Callable[[], Any]]] = [
        (f"raw_{c}", functools.partial(reader.get, sh, row, c, estimate)) for c in ESTIMATE_COLUMNS
    ]
    steps.append(
        (
            "distribution",
            lambda: reader.get(
                sh, row, "distribution", _enum(DISTRIBUTIONS, "distribution"), default="triangular"
            ),
        )
    )
    steps.append(("risk_group", lambda: reader.text(sh, row, "risk_group")))
    return steps


def _risk_fields(row: Row, reader: _Reader) -> Row:
    sh = "Risks"
    out: Row = {"_row": row["_row"]}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("id", lambda: reader.ident(sh, row, "id", required=True)),
        ("name", lambda: reader.text(sh, row, "name", required=True)),
        ("probability", lambda: reader.get(sh, row, "probability", read_number, True)),
        ("activities", lambda: reader.text(sh, row, "activities", required=True)),
        (
            "cost_impact",
            lambda: reader.get(sh, row, "cost_impact", _nonneg(read_number), default=0),
        ),
    ]
    impact = _nonneg(read_number, "; impacts are >= 0")
    for c in ("impact_min", "impact_likely", "impact_max"):
        steps.append((c, functools.partial(reader.get, sh, row, c, impact, True)))
    out.update(_collect(steps))
    p = out.get("probability")
    if p is not None and not 0 <= p <= 1:
        reader.add(sh, row["_row"], "probability", f"probability {p:g} is not between 0 and 1")
        out["_bad"] = True
    impacts = [out.get(c) for c in ("impact_min", "impact_likely", "impact_max")]
    if all(v is not None for v in impacts) and not impacts[0] <= impacts[1] <= impacts[2]:  # type: ignore[operator]
        reader.add(
            sh,
            row["_row"],
            "impact_likely",
            "impacts must satisfy impact_min <= impact_likely <= impact_max",
        )
        out["_bad"] = True
    return out


def _percent(value: object) -> float | None:
    """A percent complete, 0 to 100."""
    n = read_number(value)
    if n is not None and not 0 <= n <= 100:
        raise CellError(f"{show_number(n)} is not between 0 and 100")
    return n


def _progress_fields(row: Row, reader: _Reader) -> Row:
    sh = "Progress"
    out = _collect(
        (
            ("activity", lambda: reader.ident(sh, row, "activity", required=True)),
            ("actual_start", lambda: reader.get(sh, row, "actual_start", read_date)),
            ("actual_finish", lambda: reader.get(sh, row, "actual_finish", read_date)),
            (
                "raw_remaining",
                lambda: reader.get(
                    sh, row, "remaining_duration", _nonneg(read_number, "; it is >= 0")
                ),
            ),
            ("percent_complete", lambda: reader.get(sh, row, "percent_complete", _percent)),
        )
    )
    return out


def read_progress(rows: list[Row], reader: _Reader) -> list[Row]:
    """Progress rows: activity, actual_start, actual_finish (dates), ``raw_remaining``
    (remaining_duration in the activity's duration_unit), percent_complete (0-100).

    Checks against the activities and the data date are
    :func:`scheduler.workbook.progress.check_progress`'s.
    """
    return _parse_rows(rows, reader, _progress_fields)


def read_risks(rows: list[Row], reader: _Reader) -> list[Row]:
    """Risks rows: id, name, probability, activities (``;``-separated ids), impacts."""
    return [_risk_fields(row, reader) for row in rows]
