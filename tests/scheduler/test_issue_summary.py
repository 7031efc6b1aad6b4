"""Bounded error lists: the first issues of each kind shown, the rest counted; long texts cut."""

from __future__ import annotations

from scheduler.errors import InvalidPlanError, Issue, clip, summarise


def _issues(n: int, sheet: str = "Activities", column: str = "duration") -> list[Issue]:
    return [
        Issue(sheet, r, column, f"{sheet} row {r}: duration 'x' is not a number") for r in range(n)
    ]


def test_the_first_of_each_kind_are_shown_and_the_rest_counted() -> None:
    issues = (
        _issues(45)
        + _issues(3, "Demands", "amount")
        + [Issue("Settings", 2, "plan_start", "Settings row 2: late", severity="warning")]
    )
    summary = summarise(issues, per_kind=20)
    assert (summary.total, summary.errors) == (49, 48)
    assert [i.row for i in summary.shown if i.sheet == "Activities"] == list(range(20))
    assert len(summary.shown) == 20 + 3 + 1
    assert summary.omitted == [
        {"severity": "error", "sheet": "Activities", "column": "duration", "count": 25}
    ]
    assert summary.omitted_lines() == ["… and 25 more errors in Activities, duration"]


def test_a_long_text_is_cut_and_its_length_said() -> None:
    assert clip("abc", 5) == "abc"
    assert clip("K" * 1_000_000, 10) == "KKKKKKKKKK… (1,000,000 characters)"
    huge = Issue("K" * 10_000, None, "C" * 10_000, "unknown sheet " + "K" * 1_000_000)
    (shown,) = summarise([huge]).shown
    assert len(shown.message) < 600 and len(shown.sheet) < 150 and len(shown.column) < 150
    assert len(str(InvalidPlanError([huge]))) < 400
