"""The additive ``custom`` grid kind of scheduler.timegrid (work week + exceptions)."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.timegrid import CALENDAR_KINDS, TimeGrid


def test_custom_grid_skips_weekend_and_holiday_and_adds_working_saturday() -> None:
    grid = TimeGrid(
        date(2025, 12, 24),  # Wednesday
        "custom",
        workweek=frozenset({0, 1, 2, 3, 4}),
        holidays_extra=frozenset({date(2025, 12, 25)}),
        workdays_extra=frozenset({date(2025, 12, 27)}),  # a working Saturday
    )
    assert [grid.date_of(i) for i in range(4)] == [
        date(2025, 12, 24),
        date(2025, 12, 26),
        date(2025, 12, 27),
        date(2025, 12, 29),
    ]
    assert grid.slot_on_or_after(date(2025, 12, 25)) == 1
    assert grid.finish_date(0, 3) == date(2025, 12, 27)
    assert grid.units("w") == 5


def test_seven_day_custom_grid_counts_every_day() -> None:
    grid = TimeGrid(date(2026, 1, 1), "custom", workweek=frozenset(range(7)))
    assert grid.date_of(10) == date(2026, 1, 11)
    assert grid.units("w") == 7


def test_settings_kinds_unchanged_and_empty_week_refused() -> None:
    assert CALENDAR_KINDS == ("calendar", "workdays-kr")
    assert TimeGrid(date(2026, 1, 1)).date_of(3) == date(2026, 1, 4)
    with pytest.raises(ValueError, match="working weekday"):
        TimeGrid(date(2026, 1, 1), "custom", workweek=frozenset())
