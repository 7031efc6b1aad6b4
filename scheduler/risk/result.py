"""What a risk run tells the planner: percentiles, probability, drivers.

Definitions (as in Safran Risk / Primavera Risk Analysis):

- a P-value ``pX`` is the smallest makespan that at least X % of iterations do not
  exceed (:func:`scheduler.risk.simulate.percentile`);
- ``probability_within_horizon`` is the share of iterations that end within the
  plan's horizon (its 24 months);
- an activity's ``criticality`` is the share of iterations in which it lies on the
  driving chain to the finish of that iteration (through resource links in
  leveled mode);
- its ``cruciality`` is the Spearman rank correlation of its sampled duration with
  the makespan (Williams 1992: "criticality and cruciality");
- a risk event's ``p80_effect_days`` is how much P80 drops when the same iterations
  are re-run without it (common random numbers: the same sampled durations, the risk
  switched off): the risk-driver tornado. It is exact, not an estimate from a share
  of the iterations: an iteration in which the risk did not occur has the very same
  durations without it, so only those it occurred in are simulated again (a risk of
  probability p costs p x the iterations). It is not the P80 of the iterations in
  which the risk did not occur, which would compare two different sets of iterations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scheduler.model import Plan
from scheduler.risk.simulate import Simulation, percentile
from scheduler.uncertainty import Uncertainty

__all__ = ["PERCENTILES", "ActivityRisk", "EventRisk", "RiskResult", "average_ranks", "summarise"]

#: The percentiles every distribution is reported at.
PERCENTILES = (10, 50, 80, 90)


@dataclass(frozen=True, slots=True)
class ActivityRisk:
    """Per-activity figures: criticality (0-1), cruciality (-1..1), P80 finish slot."""

    id: str
    name: str
    criticality: float
    cruciality: float
    finish_p80: int


@dataclass(frozen=True, slots=True)
class EventRisk:
    """Per-risk figures: how often it occurred (0-1) and its effect on P80 (slots)."""

    id: str
    name: str
    occurred: float
    p80_effect: int
    mean_effect: float


@dataclass(slots=True)
class RiskResult:
    """The outcome of :func:`scheduler.risk.analyse`.

    Attributes
    ----------
    plan
        The plan simulated.
    mode, seed, iterations, stop_reason, seconds
        How the run went (``stop_reason``: ``iterations``, ``converged`` or ``time limit``).
    convergence
        The stopping rule: ``{"tolerance": share of P80, "window": iterations}`` (empty
        when it was off).
    deterministic_makespan
        The solved plan's makespan (slots).
    makespans
        Simulated makespans, shape ``(iterations,)`` (slots).
    activities, events
        Per-activity and per-risk figures (activities by criticality, risks by effect).
    data_date
        Slot of the progressed plan's data date (the simulation starts there: complete
        work is not sampled, work in progress only its remaining duration), or None.
    """

    plan: Plan
    mode: str
    seed: int
    iterations: int
    stop_reason: str
    seconds: float
    deterministic_makespan: int
    makespans: np.ndarray
    activities: list[ActivityRisk] = field(default_factory=list)
    events: list[EventRisk] = field(default_factory=list)
    convergence: dict[str, float] = field(default_factory=dict)
    data_date: int | None = None

    def p(self, q: float) -> int:
        """Makespan percentile ``q`` (slots)."""
        return percentile(self.makespans, q)

    @property
    def probability_within_horizon(self) -> float:
        """Share of iterations that end within the plan's horizon."""
        return float(np.mean(self.makespans <= self.plan.horizon))

    def finish(self, slots: int) -> str:
        """ISO date of the finish of a makespan of ``slots``."""
        return self.plan.grid.finish_date(0, int(slots)).isoformat()

    def histogram(self, bins: int = 20) -> list[dict[str, Any]]:
        """Histogram of makespans with the cumulative share: ``[{from, to, count, cumulative}]``."""
        lo, hi = int(self.makespans.min()), int(self.makespans.max())
        edges = np.linspace(lo, hi + 1, min(bins, hi - lo + 1) + 1)
        counts, edges = np.histogram(self.makespans, bins=edges)
        total = max(1, int(counts.sum()))
        out, running = [], 0
        for k, c in enumerate(counts):
            running += int(c)
            out.append(
                {
                    "from_days": float(edges[k]),
                    "to_days": float(edges[k + 1]),
                    "count": int(c),
                    "cumulative": running / total,
                }
            )
        return out

    def to_json(self) -> dict[str, Any]:
        """The risk document (CLI ``--json`` and the API)."""
        ms = self.makespans
        makespan: dict[str, Any] = {
            "mean": round(float(ms.mean()), 3),
            "std": round(float(ms.std()), 3),
            "min": int(ms.min()),
            "max": int(ms.max()),
        }
        makespan.update({f"p{q}": self.p(q) for q in PERCENTILES})
        finish = {k: self.finish(v) for k, v in makespan.items() if k not in ("mean", "std")}
        finish["mean"] = self.finish(round(float(ms.mean())))
        return {
            "plan_name": self.plan.name,
            "data_date": (
                None
                if self.data_date is None
                else self.plan.grid.date_of(self.data_date).isoformat()
            ),
            "mode": self.mode,
            "seed": self.seed,
            "iterations": self.iterations,
            "stop_reason": self.stop_reason,
            "convergence": dict(self.convergence),
            "seconds": round(self.seconds, 3),
            "horizon_days": self.plan.horizon,
            "horizon_end": self.finish(self.plan.horizon),
            "deterministic": {
                "makespan_days": self.deterministic_makespan,
                "finish": self.finish(self.deterministic_makespan),
            },
            "makespan_days": makespan,
            "finish": finish,
            "probability_within_horizon": round(self.probability_within_horizon, 4),
            "histogram": self.histogram(),
            "activities": [
                {
                    "id": a.id,
                    "name": a.name,
                    "criticality": round(a.criticality, 4),
                    "cruciality": round(a.cruciality, 4),
                    "finish_p80": self.finish(a.finish_p80),
                }
                for a in self.activities
            ],
            "risks": [
                {
                    "id": e.id,
                    "name": e.name,
                    "occurred": round(e.occurred, 4),
                    "p80_effect_days": e.p80_effect,
                    "mean_effect_days": round(e.mean_effect, 3),
                }
                for e in self.events
            ],
        }


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..m of each column of ``x`` (shape ``(m, k)``), ties given their average rank.

    ``scipy.stats.rankdata(x, axis=0)`` (method ``average``) in numpy alone: importing
    scipy.stats costs the command seconds on a busy machine.
    """
    m = x.shape[0]
    order = np.argsort(x, axis=0, kind="stable")
    xs = np.take_along_axis(x, order, axis=0)
    pos = np.arange(m)[:, None]
    new = np.ones(xs.shape, dtype=bool)
    new[1:] = xs[1:] != xs[:-1]
    last = np.ones(xs.shape, dtype=bool)
    last[:-1] = new[1:]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=0)
    end = np.flip(np.minimum.accumulate(np.flip(np.where(last, pos, m), axis=0), axis=0), axis=0)
    ranks = np.empty(x.shape)
    np.put_along_axis(ranks, order, (first + end) / 2 + 1, axis=0)
    return ranks


def _spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman correlation of each column of ``x`` with ``y`` (0 where a column is constant)."""
    if x.shape[0] < 2:
        return np.zeros(x.shape[1])
    rx = average_ranks(x)
    ry = average_ranks(y[:, None])[:, 0]
    rx = rx - rx.mean(axis=0)
    ry = ry - ry.mean()
    den = np.sqrt((rx**2).sum(axis=0) * (ry**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (rx * ry[:, None]).sum(axis=0) / den
    return np.where(den > 0, rho, 0.0)


def summarise(
    plan: Plan,
    sim: Simulation,
    uncertainty: Uncertainty,
    *,
    mode: str,
    seed: int,
    deterministic_makespan: int,
    convergence: dict[str, float] | None = None,
    data_date: int | None = None,
) -> RiskResult:
    """Turn a :class:`~scheduler.risk.simulate.Simulation` into a :class:`RiskResult`.

    ``data_date``: the progressed plan's data date slot (the remaining plan simulated
    has none of its own), or None.
    """
    ends = sim.starts + sim.durations
    crit = sim.critical.mean(axis=0)
    cruc = _spearman(sim.durations, sim.makespans)
    p80_end = np.percentile(ends, 80, axis=0, method="inverted_cdf").astype(int)
    acts = [
        ActivityRisk(a.id, a.name, float(crit[i]), float(cruc[i]), int(p80_end[i]))
        for i, a in enumerate(plan.activities)
    ]
    acts.sort(key=lambda r: (-r.criticality, -abs(r.cruciality), r.id))
    base_p80 = percentile(sim.makespans, 80)
    events = []
    for e, ev in enumerate(uncertainty.events):
        without = sim.without.get(e)
        if without is None:
            continue
        events.append(
            EventRisk(
                ev.id,
                ev.name,
                float(sim.occurred[:, e].mean()) if sim.occurred.size else 0.0,
                base_p80 - percentile(without, 80),
                float(sim.makespans.mean() - without.mean()),
            )
        )
    events.sort(key=lambda r: (-r.p80_effect, -r.mean_effect, r.id))
    return RiskResult(
        plan=plan,
        mode=mode,
        seed=seed,
        iterations=int(sim.makespans.size),
        stop_reason=sim.stop_reason,
        seconds=sim.seconds,
        deterministic_makespan=deterministic_makespan,
        makespans=sim.makespans,
        activities=acts,
        events=events,
        convergence=dict(convergence or {}),
        data_date=data_date,
    )
