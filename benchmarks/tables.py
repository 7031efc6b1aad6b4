"""The Markdown tables the benchmark commands print (one shape for PSPLIB and national)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

__all__ = ["markdown_table"]


def markdown_table(
    summary: Mapping[str, Mapping[str, float]],
    keys: Sequence[str],
    counts: Collection[str],
    ratios: Collection[str] = (),
) -> str:
    """``summary`` as a Markdown table: one row per figure, one column per solver.

    Parameters
    ----------
    summary
        Column name (a solver, or a ratio such as ``"ours/cpsat"``) → figure → value.
    keys
        The figures, in row order.
    counts
        Figures that are counts, printed as integers (except in ``ratios`` columns).
    ratios
        Columns of ratios between solvers: every figure printed with 3 decimals.

    Returns
    -------
    str
        ``| figure | ours | cpsat |`` rows; ``mean_seconds`` with 2 decimals, other
        non-count figures with 3; an empty cell where a column lacks the figure.
    """
    cols = list(summary)
    lines = ["| figure | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for k in keys:
        cells = []
        for c in cols:
            v = summary[c].get(k)
            if v is None:
                cells.append("")
            elif k in counts and c not in ratios:
                cells.append(str(int(v)))
            else:
                cells.append(f"{v:.2f}" if k == "mean_seconds" else f"{v:.3f}")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
