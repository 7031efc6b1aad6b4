"""The workbook's uncertainty inputs: estimate columns, the Risks sheet, risk Settings."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.workbook import plan_from_tables
from tests.scheduler.io.test_workbook import find, issues_of, tiny_tables


def with_risk(**changes: Any) -> dict[str, list[dict[str, Any]]]:
    t = tiny_tables()
    t["Activities"][0].update(optimistic=8, most_likely=10, pessimistic=15)  # row 2, days
    t["Activities"][1].update(
        optimistic=1,
        most_likely=2,
        pessimistic=4,  # row 3, weeks
        distribution="betapert",
        risk_group="fibre",
    )
    t["Risks"] = [
        {
            "id": "R-1",
            "name": "지하수",
            "probability": 0.25,
            "activities": "A-1; A-2",
            "impact_min": 2,
            "impact_likely": 5,
            "impact_max": 12,
        }
    ]
    t["Settings"] += [
        {"key": "risk_correlation", "value": 0.4},
        {"key": "risk_iterations", "value": 2500},
    ]
    for sheet, row, column, value in changes.get("cells", []):
        t[sheet][row - 2][column] = value
    return t  # fmt: skip


def test_estimates_risks_and_settings_are_read() -> None:
    unc = plan_from_tables(with_risk()).uncertainty
    assert unc is not None
    a1, a2 = unc.estimates["A-1"], unc.estimates["A-2"]
    assert (a1.optimistic, a1.most_likely, a1.pessimistic, a1.distribution) == (
        8, 10, 15, "triangular",
    )  # fmt: skip
    assert (a2.optimistic, a2.most_likely, a2.pessimistic) == (7, 14, 28)  # weeks → days
    assert (a2.distribution, a2.group) == ("betapert", "fibre")
    (risk,) = unc.events
    assert (risk.id, risk.probability, risk.activities) == ("R-1", 0.25, ("A-1", "A-2"))
    assert (risk.impact_min, risk.impact_likely, risk.impact_max) == (2, 5, 12)
    assert (unc.correlation, unc.iterations) == (0.4, 2500)


def test_no_estimates_no_uncertainty() -> None:
    assert plan_from_tables(tiny_tables()).uncertainty is None


@pytest.mark.parametrize(
    ("cells", "place", "message"),
    [
        # only two of three estimates
        (
            [("Activities", 2, "pessimistic", None)],
            ("Activities", 2, "optimistic"),
            "give all three of optimistic, most_likely and pessimistic, or none "
            "(pessimistic blank)",
        ),
        # most likely above pessimistic
        (
            [("Activities", 2, "most_likely", 20)],
            ("Activities", 2, "optimistic"),
            "optimistic <= most_likely <= pessimistic (got 8, 20, 15)",
        ),
        # a negative estimate
        (
            [("Activities", 2, "optimistic", -1)],
            ("Activities", 2, "optimistic"),
            "estimates are >= 0",
        ),
        # an unknown distribution
        (
            [("Activities", 3, "distribution", "normal")],
            ("Activities", 3, "distribution"),
            "normal",
        ),
        # a risk on an unknown activity
        (
            [("Risks", 2, "activities", "A-1;A-9")],
            ("Risks", 2, "activities"),
            "activity 'A-9' is not an activity id",
        ),
        # a probability above 1
        (
            [("Risks", 2, "probability", 1.5)],
            ("Risks", 2, "probability"),
            "probability 1.5 is not between 0 and 1",
        ),
        # impacts out of order
        (
            [("Risks", 2, "impact_min", 7)],
            ("Risks", 2, "impact_likely"),
            "impact_min <= impact_likely <= impact_max",
        ),
        # a correlation outside 0-1
        (
            [("Settings", 6, "value", 2)],
            ("Settings", 6, "value"),
            "risk_correlation must be 0 to 1",
        ),
        # no iterations
        (
            [("Settings", 7, "value", 0)],
            ("Settings", 7, "value"),
            "risk_iterations must be 1 to 10,000,000",
        ),
    ],
)
def test_bad_uncertainty_is_placed(
    cells: list[tuple[str, int, str, Any]], place: tuple[str, int, str], message: str
) -> None:
    issue = find(issues_of(with_risk(cells=cells)), *place)
    assert message in issue.message
    assert issue.message.startswith(f"{place[0]} row {place[1]}")


def test_two_risks_with_one_id() -> None:
    t = with_risk()
    t["Risks"].append(dict(t["Risks"][0]))
    issue = find(issues_of(t), "Risks", 3, "id")
    assert "risk id 'R-1' is already used on row 2" in issue.message
