"""Agreement of our logic CPM with the dates, float and critical flags P6 / MS Project computed.

``python -m tools.agreement [FOLDER]`` prints the table of
``docs/IMPORTS.md`` for the sample files (default ``../shared/samples/schedules``).

Our CPM is that of the plan's remaining work (P6's progress rules from the data date,
:mod:`scheduler.progress`), as P6's dates are: for a plan that carries its file's
calendars (P6 XER) the hour CPM on each activity's own calendar
(:func:`scheduler.calendar_cpm.calendar_cpm`, its dates put on the grid by the same
rule as the tool's, its float in days of the activity's calendar); else the day-grid
CPM of :func:`scheduler.progress.remaining_plan`. For each activity with a value in
the file (P6 leaves completed activities without float) we compare:

* **dates within a day**: our early start, early finish, late start and late finish
  (grid slots, ends exclusive) against the tool's (``Activity.extra["tool_slots"]``:
  the file's date and time on the grid, a start at or after the day's end being the
  next slot and a finish at or before its first hour the end of the day before);
  agree when they differ by at most 1 slot;
* **total float within a day**: agree when within 1 day;

* **total float**: ours (hour CPM: days of the activity's calendar; day grid: grid
  slots = working days of the project calendar) against
  the file's (``total_float_hr_cnt`` / the activity calendar's hours per day; MSPDI
  ``TotalSlack`` / (MinutesPerDay × 10)); equal within 1e-6 day;
* **critical**: ours = ``TF <= threshold`` with the file's own threshold (P6
  ``critical_drtn_hr_cnt`` in days, MS Project ``CriticalSlackLimit``) against the
  file's flag (P6: TF <= threshold; MSPDI ``Critical``).

Each disagreement is classified by the first documented rule that explains it:

``no-tool-value``
    The file has no float for the activity (P6 leaves it empty on completed
    activities): nothing to compare; counted apart, not as agreement.
``other-calendar``
    The activity is on a calendar other than the project's and the plan has no file
    calendars (day-grid CPM). P6 computes it on its own calendar; the day grid
    computes every activity on the project calendar, converting its hours with its
    own hours per day and work-week ratio (see :mod:`scheduler.importers.xer`).
``msp-start-links``
    MS Project does not pull a predecessor's late finish back through SS or SF
    links (observed on the MSPDI sample: predecessors whose successors all hang on
    their start show slack to the project end); we do (SPEC §4, Kelley–Walker with
    generalized precedences). Applies to MSPDI tasks all of whose outgoing links are
    SS or SF.
Any other disagreement is *unexplained*; the test asserts each file's count (none on
the samples, see ``docs/IMPORTS.md``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.calendar_cpm import calendar_cpm, describes
from scheduler.model import Plan

__all__ = ["Agreement", "compare", "main", "sample_files"]

RULES = ("other-calendar", "msp-start-links")


@dataclass
class Agreement:
    """Per-file result of :func:`compare` (counts of activities)."""

    file: str
    activities: int
    relationships: int
    compared: int = 0
    tf_agree: int = 0
    critical_agree: int = 0
    #: Agreements within a day: early start, early finish, late start, late finish, TF.
    es_day: int = 0
    ef_day: int = 0
    ls_day: int = 0
    lf_day: int = 0
    tf_day: int = 0
    #: Activities whose four dates the file gives (the dates' denominator).
    dated: int = 0
    explained: dict[str, list[str]] = field(default_factory=dict)
    unexplained: list[str] = field(default_factory=list)
    no_tool_value: list[str] = field(default_factory=list)

    def row(self) -> str:
        """One Markdown table row (``HEADER``'s columns)."""
        why = "; ".join(_shorten(k, v) for k, v in self.explained.items()) or "—"

        def pct(n: int, of: int) -> str:
            return f"{n} ({100 * n / of:.0f} %)" if of else "—"

        return (
            f"| {self.file} | {self.activities} | {self.relationships} | {self.compared} "
            f"| {pct(self.es_day, self.dated)} | {pct(self.ef_day, self.dated)} "
            f"| {pct(self.ls_day, self.dated)} | {pct(self.lf_day, self.dated)} "
            f"| {pct(self.tf_day, self.compared)} | {self.tf_agree} | {self.critical_agree} "
            f"| {why} | {len(self.unexplained)} |"
        )


#: The table's header rows (Markdown).
HEADER = (
    "| file | activities | relationships | compared | ES ±1 d | EF ±1 d | LS ±1 d | LF ±1 d "
    "| TF ±1 d | TF exact | critical agree | explained differences | unexplained |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def _shorten(rule: str, ids: list[str], shown: int = 5) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return f"{rule} ({len(ids)}): {', '.join(ids[:shown])}{more}"


def _explain(plan: Plan, act_id: str, hours: bool) -> str | None:
    a = next(x for x in plan.activities if x.id == act_id)
    if a.extra.get("own_calendar") and not hours:
        return "other-calendar"
    out = [d.type for d in plan.dependencies if d.predecessor == act_id]
    if "uid" in a.extra and out and all(t in ("SS", "SF") for t in out):
        return "msp-start-links"  # an MS Project rule: MSPDI tasks only
    return None


def compare(plan: Plan, name: str) -> Agreement:
    """Compare our CPM with the tool values kept in ``Activity.extra`` by the importers.

    An activity counts as explained (or unexplained) when its TF or critical flag
    disagrees exactly, or any of its dates or its TF is more than a day off.
    """
    hours = plan.calendars is not None and describes(plan.calendars, plan)
    dates, floats, status = _ours(plan, hours)
    res = Agreement(name, len(plan.activities), len(plan.dependencies))
    for a in plan.activities:
        tool_tf = a.extra.get("tool_tf_days")
        tool_crit = a.extra.get("tool_critical")
        if tool_tf is None or tool_crit is None or status[a.id] == "complete":
            res.no_tool_value.append(a.id)
            continue
        res.compared += 1
        ours_tf = floats[a.id]
        tf = float(tool_tf)  # type: ignore[arg-type]
        tf_ok = abs(tf - ours_tf) < 1e-6
        crit_ok = (ours_tf <= float(a.extra.get("critical_days", 0.0))) == tool_crit  # type: ignore[arg-type]
        res.tf_agree += tf_ok
        res.critical_agree += crit_ok
        day_ok = abs(tf - ours_tf) <= 1 + 1e-6
        res.tf_day += day_ok
        slots = a.extra.get("tool_slots")
        if isinstance(slots, list) and None not in slots:
            res.dated += 1
            near = [abs(x - y) <= 1 for x, y in zip(dates[a.id], slots, strict=True)]
            res.es_day += near[0]
            res.ef_day += near[1]
            res.ls_day += near[2]
            res.lf_day += near[3]
            day_ok = day_ok and all(near)
        if not (tf_ok and crit_ok and day_ok):
            rule = _explain(plan, a.id, hours)
            if rule is None:
                res.unexplained.append(a.id)
            else:
                res.explained.setdefault(rule, []).append(a.id)
    return res


def _ours(
    plan: Plan, hours: bool
) -> tuple[dict[str, tuple[int, ...]], dict[str, float], dict[str, str]]:
    """Our remaining work's ``(es, ef, ls, lf)`` slots, total float (days) and status.

    The hour CPM (:mod:`scheduler.calendar_cpm`) when the plan carries its file's
    calendars, its float in days of each activity's calendar; else the day-grid CPM
    of the remaining plan (:func:`scheduler.progress.remaining_plan`).
    """
    from scheduler.cpm import compute_cpm
    from scheduler.progress import remaining_plan

    if hours and plan.calendars is not None:
        hour = calendar_cpm(plan)
        slots = hour.slots(plan.grid, plan.calendars)
        return (
            {k: tuple(v) for k, v in slots.items()},
            {k: t.total_float or 0.0 for k, t in hour.times.items()},
            dict(hour.progress.status),
        )
    remaining, progress = remaining_plan(plan)
    cpm = compute_cpm(remaining)
    return (
        {k: (t.es, t.ef, t.ls, t.lf) for k, t in cpm.times.items()},
        {k: float(t.total_float) for k, t in cpm.times.items()},
        dict(progress.status),
    )


def sample_files(folder: Path) -> list[Path]:
    """The schedule samples (``.xer``, ``.xml``, ``.mpp``) in ``folder``, sorted."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".xer", ".xml", ".mpp"))


def main(argv: list[str] | None = None) -> int:
    """Print the agreement table for every sample file (MPP skipped without MPXJ)."""
    from scheduler.importers import read_plan
    from scheduler.importers.mpp import mpp_available

    args = sys.argv[1:] if argv is None else argv
    folder = (
        Path(args[0])
        if args
        else Path(__file__).resolve().parents[1].parent / "shared/samples/schedules"
    )
    print(HEADER)
    for path in sample_files(folder):
        if path.suffix.lower() == ".mpp" and (reason := mpp_available()):
            print(f"| {path.name} | skipped: {reason} |" + " |" * 11)
            continue
        print(compare(read_plan(path), path.name).row())
    return 0


if __name__ == "__main__":
    sys.exit(main())
