"""Tables → :class:`~scheduler.model.Plan`: :func:`plan_from_tables` and :func:`read_workbook`.

Steps: normalise sheet and column names, check the layout (missing sheets and
columns), read each sheet (:mod:`scheduler.workbook.sheets`), run the
cross-sheet checks of :mod:`scheduler.validate`, and build the plan on its
time grid.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from scheduler import validate
from scheduler.errors import InvalidPlanError, Issue
from scheduler.model import (
    SECTORS,
    Activity,
    Blackout,
    BudgetPeriod,
    Demand,
    Dependency,
    Plan,
    Region,
    Resource,
    money_to_int,
    weight_to_int,
)
from scheduler.timegrid import UNIT_SLOTS, TimeGrid, add_months
from scheduler.uncertainty import Uncertainty
from scheduler.workbook.cells import _Reader
from scheduler.workbook.layout import _COLUMN_BY_NORM, SHEETS, _canonical_sheet, _norm, _sorted
from scheduler.workbook.progress import build_progress, check_progress, longer_remaining
from scheduler.workbook.risk import check_uncertainty
from scheduler.workbook.safety import DEFAULT_LIMITS, Limits
from scheduler.workbook.sheets import (
    Row,
    Settings,
    read_activities,
    read_blackouts,
    read_budgets,
    read_demands,
    read_dependencies,
    read_progress,
    read_regions,
    read_resources,
    read_risks,
    read_settings,
)
from scheduler.workbook.tables import read_tables

log = logging.getLogger("scheduler.workbook")


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
class _Sheets:
    """Every sheet's rows as read by :mod:`scheduler.workbook.sheets`."""

    settings: Settings
    grid: TimeGrid | None = None
    regions: list[Row] = field(default_factory=list)
    activities: list[Row] = field(default_factory=list)
    dependencies: list[Row] = field(default_factory=list)
    resources: list[Row] = field(default_factory=list)
    demands: list[Row] = field(default_factory=list)
    budgets: list[Row] = field(default_factory=list)
    blackouts: list[Row] = field(default_factory=list)
    risks: list[Row] = field(default_factory=list)
    progress: list[Row] = field(default_factory=list)
    uncertainty: Uncertainty | None = None

    @property
    def plan_start(self) -> date | None:
        return self.settings.plan_start

    @property
    def horizon_end(self) -> date | None:
        """First day after the plan (exclusive end), or None without plan_start."""
        s = self.settings
        return add_months(s.plan_start, s.horizon_months) if s.plan_start else None


def _read_sheets(rows: Mapping[str, list[Row]], broken: set[str], reader: _Reader) -> _Sheets:
    """Read every sheet that is present and readable (a broken sheet reads as empty)."""

    def of(key: str) -> list[Row]:
        return [] if key in broken else rows.get(key, [])

    settings = read_settings(of("settings"), reader)
    kind = settings.calendar
    grid = None
    if settings.plan_start is not None:  # within the years and months infraplan plans
        grid = TimeGrid(settings.plan_start, kind, settings.horizon_months)  # type: ignore[arg-type]
    horizon = grid.horizon if grid is not None else None
    return _Sheets(
        settings=settings,
        grid=grid,
        regions=read_regions(of("regions"), reader),
        activities=read_activities(of("activities"), reader, kind, horizon),
        dependencies=read_dependencies(of("dependencies"), reader, kind, horizon),
        resources=read_resources(of("resources"), reader),
        demands=read_demands(of("demands"), reader),
        budgets=read_budgets(of("budget"), reader),
        blackouts=read_blackouts(of("blackouts"), reader),
        risks=read_risks(of("risks"), reader),
        progress=read_progress(of("progress"), reader),
    )


def _check_plan(
    s: _Sheets, rows: Mapping[str, list[Row]], broken: set[str], reader: _Reader
) -> TimeGrid | None:
    """Cross-sheet checks (:mod:`scheduler.validate`), recorded on ``reader``.

    Returns the plan's time grid, or None when plan_start is unknown.
    """
    plan_start, horizon_end = s.plan_start, s.horizon_end
    activities, dependencies, resources, demands = (
        s.activities,
        s.dependencies,
        s.resources,
        s.demands,
    )
    issues = reader.issues
    region_ids = {r["id"] for r in s.regions if r.get("id")}
    activity_ids = {a["id"] for a in activities if a.get("id")}
    resource_ids = {r["id"] for r in resources if r.get("id")}
    if "activities" not in broken and "activities" in rows and not activities:
        reader.add("Activities", None, "", "the sheet has no activities")
    issues += validate.duplicate_ids("Regions", s.regions, "region")
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
    for b in s.blackouts:
        sc = b.get("scope")
        if sc and sc not in activity_ids and sc not in region_ids and sc.lower() in SECTORS:
            b["scope"] = sc.lower()
    if "activities" not in broken and "regions" not in broken:
        issues += validate.blackout_windows(s.blackouts, scopes, plan_start, horizon_end)
    else:
        issues += validate.blackout_windows(s.blackouts, _Everything(), plan_start, horizon_end)
    issues += validate.budget_periods(s.budgets, plan_start, horizon_end)
    units = UNIT_SLOTS[s.settings.calendar]
    s.uncertainty, found = check_uncertainty(
        activities,
        s.risks,
        activity_ids,
        lambda a: float(units[a["unit"]]),
        s.settings.risk_correlation,
        s.settings.risk_iterations,
    )
    issues += found
    if "activities" not in broken:
        by_id = {a["id"]: a for a in activities if a.get("id")}
        issues += check_progress(
            s.progress,
            s.settings.data_date,
            by_id,
            plan_start,
            horizon_end,
            data_date_row=s.settings.data_date_row,
            data_date_bad=s.settings.data_date_bad,
        )
    grid = s.grid
    if grid is not None and plan_start is not None and horizon_end is not None:
        issues += validate.activity_dates(activities, plan_start, horizon_end)
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
    return grid


def _build_plan(s: _Sheets, grid: TimeGrid, warnings: list[Issue]) -> Plan:
    """The model of checked sheets (every value was checked by :func:`_check_plan`)."""
    plan_start = grid.plan_start
    horizon_end = add_months(plan_start, grid.horizon_months)
    plan_regions = [
        Region(r["id"], r["name"], r.get("lat"), r.get("lon"), r.get("industry") or "")
        for r in s.regions
    ]
    plan_activities = [
        Activity(
            id=a["id"],
            name=a["name"],
            duration=a["duration"],
            sector=a["sector"],
            project=a.get("project") or "",
            region_from=a["region_from"],
            region_to=a.get("region_to") or "",
            cost=money_to_int(a.get("cost") or 0),
            weight=weight_to_int(a.get("weight", 1)),
            release=grid.slot_on_or_after(a["release"]) if a.get("release") else None,
            due=grid.slot_after(a["due"]) if a.get("due") else None,
            fixed_start=grid.slot_on_or_after(a["fixed_start"]) if a.get("fixed_start") else None,
            source_row=a["_row"],
        )
        for a in s.activities
    ]
    plan_dependencies = [
        Dependency(
            d["predecessor"], d["successor"], d["type"], d["lag"], d.get("max_lag"), d["_row"]
        )
        for d in s.dependencies
    ]
    plan_resources = [
        Resource(
            id=r["id"],
            capacity=r["capacity"],
            name=r.get("name") or "",
            region=r.get("region") or "",
            unit=r.get("unit") or "",
        )
        for r in s.resources
    ]
    plan_demands = [Demand(d["activity"], d["resource"], d["amount"], d["_row"]) for d in s.demands]
    last_day = horizon_end - timedelta(days=1)
    plan_budgets = []
    for b in s.budgets:
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
    for w in s.blackouts:
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
    by_id = {a["id"]: a for a in s.activities}
    done = build_progress(s.progress, by_id, grid, s.settings.calendar)
    warnings = [*warnings, *longer_remaining(s.progress, by_id, s.settings.calendar)]
    for act in plan_activities:
        act.progress = done.get(act.id)
    dd = s.settings.data_date
    return Plan(
        name=s.settings.plan_name,
        grid=grid,
        activities=plan_activities,
        dependencies=plan_dependencies,
        resources=plan_resources,
        demands=plan_demands,
        budgets=plan_budgets,
        blackouts=plan_blackouts,
        regions=plan_regions,
        objectives=list(s.settings.objectives),
        time_limit_s=s.settings.time_limit_s,
        warnings=list(warnings),
        uncertainty=s.uncertainty,
        repeatable=s.settings.repeatable,
        data_date=None if dd is None else grid.slot_on_or_after(dd),
        out_of_sequence=s.settings.out_of_sequence,
    )


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
    sheets = _read_sheets(rows, broken, reader)
    grid = _check_plan(sheets, rows, broken, reader)
    issues = reader.issues
    errors = [i for i in issues if i.severity == "error"]
    ordered = _sorted(issues)
    if errors or grid is None:
        if not errors:  # cannot happen: no plan_start is an error
            ordered.append(Issue("Settings", None, "plan_start", "Settings: plan_start is missing"))
        raise InvalidPlanError(ordered)
    plan = _build_plan(sheets, grid, ordered)
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


def read_workbook(
    source: str | Path | bytes | BinaryIO, *, limits: Limits = DEFAULT_LIMITS
) -> Plan:
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
    return plan_from_tables(read_tables(source, limits=limits))
