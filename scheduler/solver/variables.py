"""CP-SAT variables: one fixed-size interval per activity, starts on the grid."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.solver.data import Instance

__all__ = ["Vars", "make_variables"]


@dataclass(slots=True)
class Vars:
    """Start variables and intervals of all activities, shape ``(n,)``.

    ``end(i)`` is the linear expression ``start(i) + duration(i)`` (exclusive end slot).
    ``lo``/``hi`` are the start bounds the domains were built from.
    """

    starts: list[cp_model.IntVar]
    intervals: list[cp_model.IntervalVar]
    dur: list[int]
    lo: list[int]
    hi: list[int]

    def end(self, i: int) -> cp_model.LinearExprT:
        """Exclusive end slot of activity ``i``."""
        return self.starts[i] + self.dur[i]


def make_variables(
    model: cp_model.CpModel,
    inst: Instance,
    lo: list[int],
    hi: list[int],
    *,
    blackouts: bool = True,
) -> Vars:
    """Create start variables with domains ``[lo, hi]`` less blackout starts.

    Parameters
    ----------
    model
        The CP-SAT model.
    inst
        The indexed plan.
    lo, hi
        Earliest and latest start slots, shape ``(n,)`` (from :meth:`Instance.start_bounds`).
    blackouts
        Remove the forbidden start slots ``(a - d, b)`` of every blackout ``[a, b)``
        from the domain (a start there would make the activity run in the window).
    """
    starts: list[cp_model.IntVar] = []
    intervals: list[cp_model.IntervalVar] = []
    for i in range(inst.n):
        a, b = lo[i], max(lo[i], hi[i])
        forb = inst.forbidden[i] if blackouts else []
        if forb and any(f_hi >= a and f_lo <= b for f_lo, f_hi in forb):
            parts: list[list[int]] = []
            cur = a
            for f_lo, f_hi in forb:
                if f_hi < cur or f_lo > b:
                    continue
                if f_lo > cur:
                    parts.append([cur, f_lo - 1])
                cur = max(cur, f_hi + 1)
            if cur <= b:
                parts.append([cur, b])
            if not parts:  # every start is blacked out: the model is infeasible
                parts = [[a, a]]
                model.add_bool_or([])
            dom = cp_model.Domain.from_intervals(parts)
            s = model.new_int_var_from_domain(dom, f"S_{inst.ids[i]}")
        else:
            s = model.new_int_var(a, b, f"S_{inst.ids[i]}")
        starts.append(s)
        intervals.append(model.new_fixed_size_interval_var(s, inst.dur[i], f"I_{inst.ids[i]}"))
    return Vars(starts, intervals, inst.dur, lo, hi)
