"""The benchmark commands' Markdown table (:mod:`benchmarks.tables`)."""

from __future__ import annotations

from benchmarks.tables import markdown_table


def test_counts_are_integers_except_in_ratio_columns_and_seconds_have_two_decimals() -> None:
    summary = {
        "ours": {"plans": 12.0, "mean_dev_best": 1.616, "mean_seconds": 10.2},
        "cpsat": {"plans": 12.0, "mean_dev_best": 22.264},
        "ours/cpsat": {"plans": 1.0, "mean_dev_best": 0.0726},
    }
    text = markdown_table(
        summary, ["plans", "mean_dev_best", "mean_seconds"], ["plans"], ratios=["ours/cpsat"]
    )
    assert text.split("\n") == [
        "| figure | ours | cpsat | ours/cpsat |",
        "|---|---|---|---|",
        "| plans | 12 | 12 | 1.000 |",
        "| mean_dev_best | 1.616 | 22.264 | 0.073 |",
        "| mean_seconds | 10.20 |  |  |",
    ]
