"""Measure one solver switch on a list of instances (ours only), as used for BENCHMARKS.md.

Usage (from the repository root)::

    python -m scheduler.bench.experiment '{"IMPROVE_SHARE": 0.1}' j120 j1201_6,j1206_1 out.csv

The JSON object sets module attributes of :mod:`scheduler.solver.cp_model` for this
process only (``IMPROVE_SHARE``, ``MAKESPAN_IN_CUMULATIVE``, ``SEARCH_PARAMS``), or of
:mod:`scheduler.solver.improve` when prefixed ``improve.`` (``improve.POPULATION``); the
time limit is 10 s (env ``TL`` overrides), 2 workers, wall clock.
"""

from __future__ import annotations

import json
import os
import sys

import scheduler.solver.cp_model as cm
import scheduler.solver.improve as improve
from scheduler.bench.psplib import load_average, run_bench, summarize


def main(argv: list[str]) -> int:
    """Run the experiment; prints the configuration, load average and summary."""
    cfg = json.loads(argv[0])
    set_name, names, out = argv[1], argv[2].split(","), argv[3]
    for k, v in cfg.items():
        mod, name = (improve, k.removeprefix("improve.")) if k.startswith("improve.") else (cm, k)
        if not hasattr(mod, name):
            raise SystemExit(f"unknown switch {k!r}")
        setattr(mod, name, v)
    l0 = load_average()
    rows = run_bench(
        set_name,
        names,
        time_limit=float(os.environ.get("TL", "10")),
        workers=2,
        solvers=["ours"],
        csv_path=out,
    )
    print(argv[0], "load", l0, "->", load_average())
    print({k: round(v, 3) for k, v in summarize(rows)["ours"].items()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
