"""Domain checks of a plan's tables: every problem at once, in the planner's words.

:mod:`scheduler.workbook` reads cells (numbers, dates, enums, text) into *parsed
rows*; the functions here check what those rows say about the plan as a whole:
duplicate and unknown ids, cyclic dependencies, lags, demands against capacities,
dates against the horizon. Each function returns a ``list[Issue]`` and never
raises, so :func:`scheduler.workbook.plan_from_tables` can run them all and report
every problem in one go (SPEC §8).

Parsed rows
-----------
A parsed row is a mapping of canonical column name → converted value (``str`` for
ids and text, ``int`` for durations in grid slots, lags in days, capacities and
amounts, ``datetime.date`` for dates) plus ``"_row"``, the row number as Excel
shows it. A value that could not be read is absent or ``None``; the checks here
skip it (its cell error was already reported), so one bad cell gives one issue.

Messages start with ``"<Sheet> row <n>: "`` and name the ids involved, e.g.
``"Dependencies row 14: successor 'RL-07' is not an activity id"``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from scheduler.errors import Issue, Place
from scheduler.graph import find_cycles
from scheduler.timegrid import TimeGrid

__all__ = [
    "activity_dates",
    "blackout_windows",
    "budget_periods",
    "demand_capacity",
    "dependency_cycles",
    "dependency_lags",
    "duplicate_demands",
    "duplicate_ids",
    "durations_fit",
    "fixed_starts_fit",
    "lags_fit",
    "place_of",
    "unknown_id_text",
    "unknown_ids",
    "where",
]

log = logging.getLogger(__name__)

Row = Mapping[str, Any]


def where(sheet: str, row: int | None) -> str:
    """Message prefix naming a place: ``"Activities row 5"`` (or ``"Activities"``)."""
    return f"{sheet} row {row}" if row is not None else sheet


def place_of(sheet: str, r: Row) -> Place:
    """The place of a parsed row: its ``"_place"``, else ``sheet`` and its ``"_row"``."""
    place = r.get("_place")
    return place if isinstance(place, Place) else Place(sheet, r.get("_row"))


def _issue(sheet: str, r: Row, column: str, text: str, warning: bool = False) -> Issue:
    return place_of(sheet, r).issue(column, text, warning=warning)


def _there(place: Place) -> str:
    """A place named inside a sentence: ``"row 4"``, ``"line 40"``, ``"Task 7"``."""
    if place.label or place.row is None:
        return place.where
    return f"{place.unit} {place.row}"


def _day(d: date) -> str:
    return d.isoformat()


# -- ids ---------------------------------------------------------------------------------------
def duplicate_ids(sheet: str, rows: Sequence[Row], what: str, column: str = "id") -> list[Issue]:
    """Ids that appear on more than one row; each repeat names the first row.

    Parameters
    ----------
    sheet
        Sheet name for messages (``"Activities"``).
    rows
        Parsed rows with ``column`` holding the id.
    what
        The thing the id names, for the message (``"activity"``).
    column
        Column holding the id.

    Returns
    -------
    list[Issue]
        One error per repeated row, e.g.
        ``"Activities row 9: activity id 'A-1' is already used on row 4"``.
    """
    first: dict[str, Place] = {}
    out: list[Issue] = []
    for r in rows:
        key = r.get(column)
        if not key:
            continue
        if key in first:
            out.append(
                _issue(
                    sheet,
                    r,
                    column,
                    f"{what} id '{key}' is already used on {_there(first[key])}; "
                    "ids must be unique",
                )
            )
        else:
            first[key] = place_of(sheet, r)
    return out


def unknown_ids(
    sheet: str, rows: Sequence[Row], column: str, known: Collection[str], what: str
) -> list[Issue]:
    """References to ids that do not exist.

    Returns
    -------
    list[Issue]
        One error per row, e.g.
        ``"Dependencies row 14: successor 'RL-07' is not an activity id"``.
    """
    out: list[Issue] = []
    for r in rows:
        key = r.get(column)
        if key and key not in known:
            out.append(_issue(sheet, r, column, unknown_id_text(column, key, what)))
    return out


def unknown_id_text(field: str, key: object, what: str = "an activity id") -> str:
    """The sentence of a reference to a missing id: ``"successor 'RL-07' is not an activity id"``.

    Shared by every reader that resolves references itself (P6, MS Project, DSLIB).
    """
    return f"{field} '{key}' is not {what}"


# -- dependencies ------------------------------------------------------------------------------
def dependency_lags(rows: Sequence[Row], sheet: str = "Dependencies") -> list[Issue]:
    """Self-dependencies and ``max_lag < lag`` (no start could satisfy both bounds)."""
    out: list[Issue] = []
    for r in rows:
        pred, succ = r.get("predecessor"), r.get("successor")
        if pred and pred == succ:
            out.append(_issue(sheet, r, "successor", f"activity '{pred}' depends on itself"))
        lag, max_lag = r.get("lag"), r.get("max_lag")
        if lag is not None and max_lag is not None and max_lag < lag:
            out.append(
                _issue(
                    sheet,
                    r,
                    "max_lag",
                    f"max_lag {max_lag} days is smaller than lag {lag} days "
                    f"({pred} → {succ}); no date can satisfy both",
                )
            )
    return out


def dependency_cycles(rows: Sequence[Row], sheet: str = "Dependencies") -> list[Issue]:
    """Cyclic dependencies, each named by its activities in order.

    Each strongly connected component of the predecessor → successor graph with
    more than one activity holds at least one cycle; one cycle per component is
    reported (:func:`scheduler.graph.find_cycles`), starting at the dependency
    read first (lowest row, else first in the file), e.g.
    ``"Dependencies: cyclic dependencies A-1 → A-2 → A-3 → A-1 (rows 2, 3, 4);
    remove or reverse one of them"`` or, in a P6 export, ``"plan.xer: TASKPRED:
    cyclic dependencies A1010 → A1020 → A1010 (lines 41, 40); ..."``. The
    issue's row is that first dependency's row. Self-dependencies are reported
    by :func:`dependency_lags`, not here.
    """
    linked = [r for r in rows if r.get("predecessor") and r.get("successor")]
    # rank the dependencies in reading order: by row, else by their place in the file
    order = sorted(range(len(linked)), key=lambda n: (linked[n].get("_row") or 0, n))
    rank = {n: k for k, n in enumerate(order)}
    triples = [(r["predecessor"], r["successor"], rank[n]) for n, r in enumerate(linked)]
    out: list[Issue] = []
    for cycle in find_cycles(triples):
        names = [cycle[0][0], *(v for _, v, _ in cycle)]
        places = [place_of(sheet, linked[order[k]]) for _, _, k in cycle]
        head = places[0]
        text = (
            f"cyclic dependencies {' → '.join(names)} ({_places(places)}); "
            "remove or reverse one of them"
        )
        issue = head.sheet_only().issue("successor", text)
        out.append(Issue(issue.sheet, head.row, issue.column, issue.message))
    return out


def _places(places: Sequence[Place]) -> str:
    """Places in a sentence: ``"rows 2, 3, 4"`` when all are rows of one sheet."""
    first = places[0]
    if all(
        not p.label and p.row is not None and (p.sheet, p.unit) == (first.sheet, first.unit)
        for p in places
    ):
        return f"{first.unit}s {', '.join(str(p.row) for p in places)}"
    return ", ".join(p.where for p in places)


def lags_fit(
    rows: Sequence[Row], horizon: int, unit: str, sheet: str = "Dependencies"
) -> list[Issue]:
    """Lags and max lags longer than the whole plan (no schedule can honour them).

    ``lag`` and ``max_lag`` are grid slots, ``horizon`` the plan's slots and
    ``unit`` their word (``"days"``, ``"working days"``), e.g.
    ``"Dependencies row 5: lag 1000000 days of A-1 → A-2 is longer than the whole
    plan (730 days)"``. A lead (negative lag) is measured by its size.
    """
    out: list[Issue] = []
    for r in rows:
        for col in ("lag", "max_lag"):
            value = r.get(col)
            if isinstance(value, int) and abs(value) > horizon:
                out.append(
                    _issue(
                        sheet,
                        r,
                        col,
                        f"{col} {value} {unit} of {r.get('predecessor')} → {r.get('successor')} "
                        f"is longer than the whole plan ({horizon} {unit})",
                    )
                )
    return out


# -- demands -----------------------------------------------------------------------------------
def duplicate_demands(rows: Sequence[Row], sheet: str = "Demands") -> list[Issue]:
    """The same activity × resource pair listed twice (amounts would be ambiguous)."""
    first: dict[tuple[str, str], Place] = {}
    out: list[Issue] = []
    for r in rows:
        key = (r.get("activity"), r.get("resource"))
        if not key[0] or not key[1]:
            continue
        if key in first:
            out.append(
                _issue(
                    sheet,
                    r,
                    "resource",
                    f"activity '{key[0]}' already demands '{key[1]}' on {_there(first[key])}; "
                    "give one row with the total amount",
                )
            )
        else:
            first[key] = place_of(sheet, r)  # type: ignore[index]
    return out


def demand_capacity(
    rows: Sequence[Row],
    capacity: Mapping[str, int],
    durations: Mapping[str, int],
    sheet: str = "Demands",
) -> list[Issue]:
    """Demands above the resource's capacity, and milestones that demand anything.

    Parameters
    ----------
    capacity
        Resource id → capacity per day (units of the resource).
    durations
        Activity id → duration in grid slots (0 = milestone).
    """
    out: list[Issue] = []
    for r in rows:
        act, res, amount = r.get("activity"), r.get("resource"), r.get("amount")
        if amount is None or act is None or res is None:
            continue
        if res in capacity and amount > capacity[res]:
            out.append(
                _issue(
                    sheet,
                    r,
                    "amount",
                    f"activity '{act}' demands {amount} of '{res}', "
                    f"above its capacity of {capacity[res]} per day",
                )
            )
        if act in durations and durations[act] == 0 and amount > 0:
            out.append(
                _issue(
                    sheet,
                    r,
                    "activity",
                    f"'{act}' is a milestone (duration 0) and may not demand a resource",
                )
            )
    return out


# -- dates -------------------------------------------------------------------------------------
def activity_dates(
    rows: Sequence[Row], plan_start: date, horizon_end: date, sheet: str = "Activities"
) -> list[Issue]:
    """Release, due and fixed_start against the horizon and each other.

    Every date must lie in ``[plan_start, horizon_end)`` (calendar dates; the
    horizon end is exclusive). ``due`` may not be before ``release``; a
    ``fixed_start`` may not be before ``release`` nor after ``due``.
    """
    out: list[Issue] = []
    last = horizon_end - timedelta(days=1)
    for r in rows:
        for col in ("release", "due", "fixed_start"):
            d = r.get(col)
            if d is not None and not plan_start <= d < horizon_end:
                out.append(
                    _issue(
                        sheet,
                        r,
                        col,
                        f"{col} {_day(d)} of '{r.get('id')}' is outside the plan "
                        f"({_day(plan_start)} to {_day(last)})",
                    )
                )
        rel, due, fix = r.get("release"), r.get("due"), r.get("fixed_start")
        if rel is not None and due is not None and due < rel:
            out.append(
                _issue(
                    sheet,
                    r,
                    "due",
                    f"due {_day(due)} of '{r.get('id')}' is before its release {_day(rel)}",
                )
            )
        if fix is not None and rel is not None and fix < rel:
            out.append(
                _issue(
                    sheet,
                    r,
                    "fixed_start",
                    f"fixed_start {_day(fix)} of '{r.get('id')}' is before its release {_day(rel)}",
                )
            )
        if fix is not None and due is not None and fix > due:
            out.append(
                _issue(
                    sheet,
                    r,
                    "fixed_start",
                    f"fixed_start {_day(fix)} of '{r.get('id')}' is after its due date {_day(due)}",
                )
            )
    return out


def fixed_starts_fit(rows: Sequence[Row], grid: TimeGrid, sheet: str = "Activities") -> list[Issue]:
    """A committed start whose work cannot end by the due date or the horizon.

    ``duration`` is in grid slots; ``fixed_start`` and ``due`` are dates mapped
    with :meth:`TimeGrid.slot_on_or_after` and :meth:`TimeGrid.slot_after`.
    """
    out: list[Issue] = []
    for r in rows:
        fix, dur = r.get("fixed_start"), r.get("duration")
        if fix is None or dur is None:
            continue
        first = grid.slot_on_or_after(fix)
        if grid.date_of(first) != fix:  # a weekend or public holiday on a workday plan
            out.append(
                _issue(
                    sheet,
                    r,
                    "fixed_start",
                    f"fixed_start {_day(fix)} of '{r.get('id')}' is not a working day; "
                    f"it will start on {_day(grid.date_of(first))}",
                    warning=True,
                )
            )
        end = first + dur
        due = r.get("due")
        if due is not None and end > grid.slot_after(due):
            out.append(
                _issue(
                    sheet,
                    r,
                    "fixed_start",
                    f"'{r.get('id')}' fixed to start {_day(fix)} cannot finish by its due "
                    f"date {_day(due)} ({dur} days of work)",
                )
            )
        elif end > grid.horizon:
            out.append(
                _issue(
                    sheet,
                    r,
                    "fixed_start",
                    f"'{r.get('id')}' fixed to start {_day(fix)} runs past the end of the plan "
                    f"({_day(grid.horizon_end_date - timedelta(days=1))})",
                )
            )
    return out


def durations_fit(rows: Sequence[Row], grid: TimeGrid, sheet: str = "Activities") -> list[Issue]:
    """An activity longer than the whole plan can never be scheduled.

    ``duration`` is in grid slots (days, or working days on a workday plan).
    """
    unit = "days" if grid.kind == "calendar" else "working days"
    return [
        _issue(
            sheet,
            r,
            "duration",
            f"duration of '{r.get('id')}' is {r['duration']} {unit}, longer than the whole "
            f"plan ({grid.horizon} {unit}); check the number and its duration_unit",
        )
        for r in rows
        if r.get("duration") is not None and r["duration"] > grid.horizon
    ]


def _to_before_from(sheet: str, r: Row, first: date, last: date) -> Issue:
    """Error: an inclusive date window ``[first, last]`` ends before it starts."""
    return _issue(sheet, r, "to", f"to {_day(last)} is before from {_day(first)}")


def _outside_plan(
    first: date, last: date, plan_start: date | None, horizon_end: date | None
) -> bool:
    """Whether the inclusive window ``[first, last]`` misses ``[plan_start, horizon_end)``.

    False when either bound of the plan is unknown.
    """
    if plan_start is None or horizon_end is None:
        return False
    return last < plan_start or first >= horizon_end


def blackout_windows(
    rows: Sequence[Row],
    scopes: Collection[str],
    plan_start: date | None,
    horizon_end: date | None,
    sheet: str = "Blackouts",
) -> list[Issue]:
    """Unknown scopes, windows that end before they start, windows outside the plan.

    ``scopes`` holds every valid scope (sector names, activity ids, region ids).
    A window entirely outside ``[plan_start, horizon_end)`` is a warning (it is
    dropped: it cannot affect the plan).
    """
    out: list[Issue] = []
    for r in rows:
        scope = r.get("scope")
        if scope and scope not in scopes:
            out.append(
                _issue(
                    sheet,
                    r,
                    "scope",
                    f"scope '{scope}' is not a sector, an activity id or a region id",
                )
            )
        a, b = r.get("from"), r.get("to")
        if a is None or b is None:
            continue
        if b < a:
            out.append(_to_before_from(sheet, r, a, b))
        elif _outside_plan(a, b, plan_start, horizon_end):
            out.append(
                _issue(
                    sheet,
                    r,
                    "from",
                    f"blackout {_day(a)} to {_day(b)} lies outside the plan; it is ignored",
                    warning=True,
                )
            )
    return out


def budget_periods(
    rows: Sequence[Row], plan_start: date | None, horizon_end: date | None, sheet: str = "Budget"
) -> list[Issue]:
    """Periods that end before they start or lie outside the plan (warning; ignored).

    Parsed budget rows carry ``first_day`` and ``last_day`` (inclusive dates,
    from ``year`` or ``from``/``to``) and ``label``.
    """
    out: list[Issue] = []
    seen: dict[str, Place] = {}
    for r in rows:
        a, b = r.get("first_day"), r.get("last_day")
        if a is None or b is None:
            continue
        label = r.get("label", "")
        if b < a:
            out.append(_to_before_from(sheet, r, a, b))
            continue
        if label in seen:
            out.append(
                _issue(
                    sheet,
                    r,
                    "cap",
                    f"budget {label} is already capped on {_there(seen[label])}",
                )
            )
        seen.setdefault(label, place_of(sheet, r))
        if _outside_plan(a, b, plan_start, horizon_end):
            out.append(
                _issue(
                    sheet,
                    r,
                    "year" if r.get("year") is not None else "from",
                    f"budget {label} lies outside the plan; it is ignored",
                    warning=True,
                )
            )
    return out
