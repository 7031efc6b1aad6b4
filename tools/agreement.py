"""Agreement of our logic CPM with the float and critical flags P6 / MS Project computed.

``python -m tools.agreement [FOLDER]`` prints the table of
``docs/IMPORTS.md`` for the sample files (default ``../shared/samples/schedules``).

For each activity with a value in the file we compare:

* **total float**: ours (grid slots = working days of the project calendar) against
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
    The activity is on a calendar other than the project's. P6 computes it on its
    own calendar; we compute every activity on the project calendar, converting its
    hours with its own hours per day and work-week ratio (see :mod:`.xer`).
``msp-start-links``
    MS Project does not pull a predecessor's late finish back through SS or SF
    links (observed on the MSPDI sample: predecessors whose successors all hang on
    their start show slack to the project end); we do (SPEC §4, Kelley–Walker with
    generalized precedences). Applies to activities all of whose outgoing links are
    SS or SF.

Any other disagreement is *unexplained*; the test asserts there are none.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

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
    explained: dict[str, list[str]] = field(default_factory=dict)
    unexplained: list[str] = field(default_factory=list)
    no_tool_value: list[str] = field(default_factory=list)

    def row(self) -> str:
        """One Markdown table row."""
        why = ", ".join(f"{k}: {', '.join(v)}" for k, v in self.explained.items()) or "—"
        return (
            f"| {self.file} | {self.activities} | {self.relationships} | {self.compared} "
            f"| {self.tf_agree} | {self.critical_agree} | {why} | {len(self.unexplained)} |"
        )


def _explain(plan: Plan, act_id: str) -> str | None:
    a = next(x for x in plan.activities if x.id == act_id)
    if a.extra.get("own_calendar"):
        return "other-calendar"
    out = [d.type for d in plan.dependencies if d.predecessor == act_id]
    if out and all(t in ("SS", "SF") for t in out):
        return "msp-start-links"
    return None


def compare(plan: Plan, name: str) -> Agreement:
    """Compare our CPM with the tool values kept in ``Activity.extra`` by the importers."""
    from scheduler.cpm import compute_cpm

    cpm = compute_cpm(plan)
    res = Agreement(name, len(plan.activities), len(plan.dependencies))
    for a in plan.activities:
        tool_tf = a.extra.get("tool_tf_days")
        tool_crit = a.extra.get("tool_critical")
        if tool_tf is None or tool_crit is None:
            res.no_tool_value.append(a.id)
            continue
        res.compared += 1
        ours = cpm.times[a.id]
        tf_ok = abs(float(tool_tf) - ours.total_float) < 1e-6  # type: ignore[arg-type]
        crit_ok = (ours.total_float <= float(a.extra.get("critical_days", 0.0))) == tool_crit  # type: ignore[arg-type]
        res.tf_agree += tf_ok
        res.critical_agree += crit_ok
        if not (tf_ok and crit_ok):
            rule = _explain(plan, a.id)
            if rule is None:
                res.unexplained.append(a.id)
            else:
                res.explained.setdefault(rule, []).append(a.id)
    return res


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
    print(
        "| file | activities | relationships | compared | TF agree | critical agree "
        "| explained differences | unexplained |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for path in sample_files(folder):
        if path.suffix.lower() == ".mpp" and (reason := mpp_available()):
            print(f"| {path.name} | skipped: {reason} | | | | | | |")
            continue
        print(compare(read_plan(path), path.name).row())
    return 0


if __name__ == "__main__":
    sys.exit(main())
