"""The workbook's layout (SPEC §3): its sheets, their columns, and how names match."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from scheduler.errors import Issue
from scheduler.model import (
    OBJECTIVES,
    OUT_OF_SEQUENCE,
    SECTORS,
)


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
                "objective, time_limit_s, repeatable, data_date, out_of_sequence.",
            ),
            Column(
                "value",
                False,
                "plan_start: first day (date). horizon_months: whole months (default 24). "
                "calendar: calendar | workdays-kr. objective: comma-separated "
                f"{', '.join(OBJECTIVES)} (default makespan). time_limit_s: seconds (default 30). "
                "repeatable: yes | no (default no). data_date: date of the progress "
                "(Progress sheet). out_of_sequence: retained_logic | progress_override.",
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
            Column(
                "optimistic",
                False,
                "Risk: shortest likely duration, in duration_unit (give all three or none).",
            ),
            Column("most_likely", False, "Risk: most likely duration, in duration_unit."),
            Column("pessimistic", False, "Risk: longest likely duration, in duration_unit."),
            Column(
                "distribution",
                False,
                "Risk: triangular (default), betapert or uniform over the three durations.",
            ),
            Column(
                "risk_group",
                False,
                "Risk: activities of one group vary together (Settings risk_correlation).",
            ),
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
    "risks": Sheet(
        "Risks",
        False,
        (
            Column("id", True, "Required. Risk id, unique (e.g. R-01)."),
            Column("name", True, "Required. What may happen (Korean is fine)."),
            Column("probability", True, "Required. Chance it happens, 0 to 1."),
            Column("activities", True, "Required. Activity ids it delays, separated by ;"),
            Column("impact_min", True, "Required. Least delay, days added to each activity."),
            Column("impact_likely", True, "Required. Most likely delay, days."),
            Column("impact_max", True, "Required. Largest delay, days."),
            Column("cost_impact", False, "Extra cost when it happens, 100M KRW (reported only)."),
        ),
    ),
    "progress": Sheet(
        "Progress",
        False,
        (
            Column(
                "activity",
                True,
                "Required. Activity id (Activities sheet) that has started, one row each. "
                "Progress is as of Settings data_date, the first day of the remaining work.",
            ),
            Column(
                "actual_start",
                False,
                "Date: first day worked, on or before data_date. Required on every row.",
            ),
            Column(
                "actual_finish",
                False,
                "Date: last day worked, before data_date; blank while in progress.",
            ),
            Column(
                "remaining_duration",
                False,
                "In progress: work left at data_date, in the activity's duration_unit. "
                "Blank: from percent_complete, else duration less the days since "
                "actual_start (at least 1 day).",
            ),
            Column(
                "percent_complete",
                False,
                "0 to 100. In progress, with remaining_duration blank, the work left is "
                "the rest of the duration.",
            ),
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
    "risk_correlation": "Risk: correlation 0-1 within a risk_group (default 0).",
    "risk_iterations": "Risk: Monte Carlo iterations of infraplan risk (default 1000).",
    "repeatable": "yes: the same file, seed and workers give the same plan (default no).",
    "data_date": "Progress: the date the Progress sheet is as of (P6's data date): work "
    "before it is history, remaining work and unstarted activities start on or after it.",
    "out_of_sequence": "Progress: an activity started before its predecessors allowed: "
    f"{' or '.join(OUT_OF_SEQUENCE)} (default retained_logic: its remaining work still "
    "waits for them; progress_override: it goes on from data_date).",
}

_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "activities": ("release", "due", "fixed_start"),
    "budget": ("from", "to"),
    "blackouts": ("from", "to"),
    "progress": ("actual_start", "actual_finish"),
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


#: Sheet of a workbook written by ``infraplan convert`` that lists the conversion
#: warnings for the planner. Reading skips it without a warning (it is ours).
NOTES_SHEET = "Notes"
_NOTES_NORM = _norm(NOTES_SHEET)


def _is_notes_sheet(name: object) -> bool:
    """True for the :data:`NOTES_SHEET` (matched loosely, as other sheet names)."""
    return _norm(name) == _NOTES_NORM


_ORDER = {spec.title: i for i, spec in enumerate(SHEETS.values())}


def _sorted(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (_ORDER.get(i.sheet, -1), i.row or 0))
