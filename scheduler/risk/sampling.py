"""Sampling durations for Monte Carlo schedule risk analysis.

Each batch of iterations has its own random stream, ``numpy.random.default_rng(
[seed, batch])``, so the numbers depend on the seed and the batch size only, never
on how many workers simulate them or whether the run stops early.

Durations: the inverse CDF of each activity's distribution (triangular, Beta-PERT or
uniform; see :class:`scheduler.uncertainty.Estimate`) at a uniform ``u``. Within a
risk group, ``u = Phi(sqrt(rho) * z_group + sqrt(1 - rho) * z_own)`` with standard
normal ``z``: a Gaussian copula with correlation ``rho`` between the normal scores
(Iman & Conover 1982 give the same rank structure). Risk events occur with their
probability and add a triangular delay to each listed activity. Sampled durations
are rounded half up to whole slots; work that the plan gives a positive duration
never samples below one slot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from scheduler.model import Plan
from scheduler.uncertainty import Uncertainty

__all__ = ["Draw", "Sampler", "triangular_ppf"]


def triangular_ppf(u: np.ndarray, a: np.ndarray, m: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular distribution ``(a, m, b)`` at ``u`` (broadcast)."""
    width = b - a
    safe = np.where(width > 0, width, 1.0)
    split = np.where(width > 0, (m - a) / safe, 0.0)
    low = a + np.sqrt(u * safe * (m - a))
    high = b - np.sqrt((1 - u) * safe * (b - m))
    return np.where(width > 0, np.where(u < split, low, high), a)


@dataclass(slots=True)
class Draw:
    """The random part of one batch (see :meth:`Sampler.draw`).

    Attributes
    ----------
    values
        Sampled durations before any risk event, float slots, shape ``(size, n)``.
    hits
        Whether each risk event occurred, bool, shape ``(size, events)``.
    impacts
        The delay (slots) each event adds to each of its activities if it occurs,
        shape ``(size, events)``.
    """

    values: np.ndarray
    hits: np.ndarray
    impacts: np.ndarray


@dataclass(slots=True)
class _Columns:
    """The uncertain activities as column arrays."""

    pos: np.ndarray  # activity positions, shape (k,)
    low: np.ndarray
    mode: np.ndarray
    high: np.ndarray
    kind: np.ndarray  # 0 triangular, 1 betapert, 2 uniform
    group: np.ndarray  # group index or -1


class Sampler:
    """Draws duration matrices for one plan.

    Parameters
    ----------
    plan
        The plan (durations in slots).
    uncertainty
        Its estimates and risk events (ids must be activities of the plan).
    seed
        Base seed of every batch's stream.

    Raises
    ------
    KeyError
        If an estimate or a risk names an activity the plan does not have.
    """

    def __init__(self, plan: Plan, uncertainty: Uncertainty, seed: int) -> None:
        self.seed = int(seed)
        self.n = len(plan.activities)
        index = plan.activity_index()
        self.base = np.array([a.duration for a in plan.activities], dtype=np.float64)
        self.positive = self.base > 0
        est = uncertainty.estimates
        ids = [a.id for a in plan.activities if a.id in est]
        groups = sorted({est[i].group for i in ids} - {""})
        gpos = {g: k for k, g in enumerate(groups)}
        kinds = {"triangular": 0, "betapert": 1, "uniform": 2}
        self.cols = _Columns(
            pos=np.array([index[i] for i in ids], dtype=np.int64),
            low=np.array([est[i].optimistic for i in ids], dtype=np.float64),
            mode=np.array([est[i].most_likely for i in ids], dtype=np.float64),
            high=np.array([est[i].pessimistic for i in ids], dtype=np.float64),
            kind=np.array([kinds[est[i].distribution] for i in ids], dtype=np.int64),
            group=np.array([gpos.get(est[i].group, -1) for i in ids], dtype=np.int64),
        )
        self.n_groups = len(groups)
        self.rho = float(uncertainty.correlation)
        self.events = list(uncertainty.events)
        self.event_targets = [np.array([index[a] for a in ev.activities]) for ev in self.events]

    def batch(
        self, batch: int, size: int, disabled: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Durations of one batch of iterations.

        Parameters
        ----------
        batch
            Batch number (selects the random stream).
        size
            Iterations in the batch.
        disabled
            Index of a risk event to leave out (same streams otherwise: common random
            numbers, for the risk-driver tornado), or None.

        Returns
        -------
        (durations, occurred)
            int64 slots of shape ``(size, n)``, and bool of shape ``(size, events)``.
        """
        return self.compose(self.draw(batch, size), disabled)

    def draw(self, batch: int, size: int) -> Draw:
        """The random part of one batch: durations before risk events, and the events."""
        rng = np.random.default_rng([self.seed, int(batch)])
        c = self.cols
        k = c.pos.size
        z_own = rng.standard_normal((size, k))
        z_group = rng.standard_normal((size, max(self.n_groups, 1)))
        if self.n_groups and self.rho > 0:
            shared = np.where(c.group >= 0, z_group[:, np.maximum(c.group, 0)], 0.0)
            weight = np.where(c.group >= 0, np.sqrt(self.rho), 0.0)
            z = weight * shared + np.sqrt(1 - weight**2) * z_own
        else:
            z = z_own
        u = np.clip(special.ndtr(z), 1e-12, 1 - 1e-12)  # the standard normal CDF
        values = np.empty((size, k))
        tri = c.kind == 0
        values[:, tri] = triangular_ppf(u[:, tri], c.low[tri], c.mode[tri], c.high[tri])
        uni = c.kind == 2
        values[:, uni] = c.low[uni] + u[:, uni] * (c.high[uni] - c.low[uni])
        pert = c.kind == 1
        if pert.any():
            a, m, b = c.low[pert], c.mode[pert], c.high[pert]
            width = np.where(b > a, b - a, 1.0)
            alpha = 1 + 4 * (m - a) / width
            beta = 1 + 4 * (b - m) / width
            values[:, pert] = np.where(
                b > a, a + width * special.betaincinv(alpha, beta, u[:, pert]), a
            )
        dur = np.tile(self.base, (size, 1))
        dur[:, c.pos] = values
        hits = np.zeros((size, len(self.events)), dtype=bool)
        impacts = np.zeros((size, len(self.events)))
        for e, ev in enumerate(self.events):
            hits[:, e] = rng.random(size) < ev.probability
            impacts[:, e] = triangular_ppf(
                rng.random(size),
                np.array(ev.impact_min, dtype=np.float64),
                np.array(ev.impact_likely, dtype=np.float64),
                np.array(ev.impact_max, dtype=np.float64),
            )
        return Draw(dur, hits, impacts)

    def compose(
        self, draw: Draw, disabled: int | None = None, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Whole-slot durations of a draw, with every risk event but ``disabled``.

        ``rows`` (iteration indices of the draw) keeps only those iterations; the
        ``occurred`` flags are always of the whole draw. An iteration in which the
        disabled event did not occur gets exactly its durations with every event.
        """
        dur = draw.values if rows is None else draw.values[rows]
        hits = draw.hits if rows is None else draw.hits[rows]
        impacts = draw.impacts if rows is None else draw.impacts[rows]
        dur = dur.copy()
        for e in range(len(self.events)):
            if e != disabled:
                dur[:, self.event_targets[e]] += np.where(hits[:, e], impacts[:, e], 0.0)[:, None]
        whole = np.floor(dur + 0.5).astype(np.int64)
        whole = np.where(self.positive, np.maximum(whole, 1), np.maximum(whole, 0))
        return whole, draw.hits
