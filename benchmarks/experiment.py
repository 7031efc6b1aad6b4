"""Measure one solver switch on a list of instances (ours only), as used for BENCHMARKS.md.

Usage (from the repository root)::

    python -m benchmarks.experiment '{"improve_share": 0.1}' j120 j1201_6,j1206_1 out.csv

The JSON object gives :class:`scheduler.solver.SolveOptions` fields for this run
(``improve_share``, ``makespan_in_cumulative``, ``search_params``, ...), or module
attributes of :mod:`scheduler.solver.improve` when prefixed ``improve.``
(``improve.POPULATION``); the time limit is 10 s (env ``TL`` overrides), 2 workers,
wall clock.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys

import scheduler.solver.improve as improve
from benchmarks.psplib import load_average, run_bench, summarize
from scheduler.solver import SolveOptions


def main(argv: list[str]) -> int:
    """Run the experiment; prints the configuration, load average and summary."""
    cfg = json.loads(argv[0])
    set_name, names, out = argv[1], argv[2].split(","), argv[3]
    fields = {f.name for f in dataclasses.fields(SolveOptions)}
    switches = {}
    for k, v in cfg.items():
        if k.startswith("improve."):
            name = k.removeprefix("improve.")
            if not hasattr(improve, name):
                raise SystemExit(f"unknown switch {k!r}")
            setattr(improve, name, v)
        elif k in fields - {"time_limit_s", "deadline", "workers"}:
            switches[k] = v
        else:
            raise SystemExit(f"unknown switch {k!r}; use a SolveOptions field or improve.NAME")
    l0 = load_average()
    rows = run_bench(
        set_name,
        names,
        time_limit=float(os.environ.get("TL", "10")),
        workers=2,
        solvers=["ours"],
        csv_path=out,
        switches=switches,
    )
    print(argv[0], "load", l0, "->", load_average())
    print({k: round(v, 3) for k, v in summarize(rows)["ours"].items()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
