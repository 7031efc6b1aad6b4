"""What is uncertain in a plan: three-point duration estimates and risk events.

Plain data, read from the workbook's Activities columns ``optimistic``,
``most_likely``, ``pessimistic``, ``distribution`` and ``risk_group``, its optional
``Risks`` sheet and its Settings ``risk_correlation`` / ``risk_iterations``, or from
the three-point estimates of DSLIB workbooks. :mod:`scheduler.risk` simulates it.

All durations and impacts are grid slots (the plan's days or working days), as
floats: the simulation rounds each sampled duration half up to whole slots.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["DISTRIBUTIONS", "Estimate", "RiskEvent", "Uncertainty"]

#: Distributions a three-point estimate may follow (``triangular`` is the default).
DISTRIBUTIONS = ("triangular", "betapert", "uniform")


def _check_three(what: str, low: float, mode: float, high: float) -> None:
    values = (low, mode, high)
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{what}: estimates must be finite numbers")
    if low < 0:
        raise ValueError(f"{what}: the optimistic value {low:g} is negative")
    if not low <= mode <= high:
        raise ValueError(
            f"{what}: estimates must satisfy optimistic <= most likely <= pessimistic "
            f"(got {low:g}, {mode:g}, {high:g})"
        )


@dataclass(frozen=True, slots=True)
class Estimate:
    """A three-point duration estimate of one activity.

    Parameters
    ----------
    optimistic, most_likely, pessimistic
        Slots, ``0 <= optimistic <= most_likely <= pessimistic``.
    distribution
        One of :data:`DISTRIBUTIONS`. ``betapert`` is the Beta-PERT of Malcolm et al.
        (1959) with shape parameters ``1 + 4 (m - a) / (b - a)`` and
        ``1 + 4 (b - m) / (b - a)``.
    group
        Risk group: activities of one group are correlated (Gaussian copula with the
        plan's ``risk_correlation``); ``""`` for none.

    Raises
    ------
    ValueError
        If the three values are not ordered, negative or not finite, or the
        distribution is unknown.
    """

    optimistic: float
    most_likely: float
    pessimistic: float
    distribution: str = "triangular"
    group: str = ""

    def __post_init__(self) -> None:
        _check_three("three-point estimate", self.optimistic, self.most_likely, self.pessimistic)
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(
                f"distribution {self.distribution!r} is not one of {', '.join(DISTRIBUTIONS)}"
            )

    @property
    def mean(self) -> float:
        """Mean of the distribution (slots, before rounding)."""
        a, m, b = self.optimistic, self.most_likely, self.pessimistic
        if self.distribution == "uniform":
            return (a + b) / 2
        if self.distribution == "betapert":
            return (a + 4 * m + b) / 6
        return (a + m + b) / 3


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """A discrete risk: with ``probability`` it adds a delay to each listed activity.

    Parameters
    ----------
    id, name
        Identifier and display name.
    probability
        Chance of occurring in one iteration, 0-1.
    activities
        Ids of the activities it delays.
    impact_min, impact_likely, impact_max
        Triangular delay (slots) added to each listed activity's duration when it occurs.
    cost_impact
        Extra cost when it occurs (100M KRW); reported, not scheduled.

    Raises
    ------
    ValueError
        On a probability outside 0-1, unordered impacts, or no activity.
    """

    id: str
    name: str
    probability: float
    activities: tuple[str, ...]
    impact_min: float
    impact_likely: float
    impact_max: float
    cost_impact: float = 0.0

    def __post_init__(self) -> None:
        if not (0.0 <= self.probability <= 1.0):
            raise ValueError(f"risk {self.id!r}: probability {self.probability:g} is not in 0-1")
        if not self.activities:
            raise ValueError(f"risk {self.id!r}: it names no activity")
        _check_three(f"risk {self.id!r}", self.impact_min, self.impact_likely, self.impact_max)


@dataclass(slots=True)
class Uncertainty:
    """Everything uncertain about a plan.

    Parameters
    ----------
    estimates
        Activity id → :class:`Estimate` (activities absent are certain).
    events
        The plan's :class:`RiskEvent` list.
    correlation
        Correlation (0-1) between the sampled durations of activities of one risk group.
    iterations
        Default number of Monte Carlo iterations.
    """

    estimates: dict[str, Estimate] = field(default_factory=dict)
    events: list[RiskEvent] = field(default_factory=list)
    correlation: float = 0.0
    iterations: int = 1000

    def __post_init__(self) -> None:
        if not (0.0 <= self.correlation <= 1.0):
            raise ValueError(f"risk_correlation {self.correlation:g} is not in 0-1")
        if self.iterations < 1:
            raise ValueError(f"risk_iterations {self.iterations} must be at least 1")

    @property
    def empty(self) -> bool:
        """True when nothing is uncertain."""
        return not self.estimates and not self.events
