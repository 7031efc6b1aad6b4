"""The Risk sheet: the Monte Carlo result of ``infraplan risk`` (issue 11 item 3).

Top: the probability of finishing within the horizon, the deterministic finish and
the P10/P50/P80/P90 finishes. Below: the makespan histogram with its cumulative
curve (a native bar chart with a line on a second axis), the risk-driver tornado
(a native horizontal bar chart of each risk's effect on P80), and the activities by
criticality with their cruciality and P80 finish.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.report.cells import header, iso, note, put, put_row, widths
from scheduler.report.styles import BOLD, DATE_FMT, PCT_FMT, TITLE, page_setup

if TYPE_CHECKING:
    from scheduler.risk import RiskResult

__all__ = ["write_risk"]

_LEVELED_NOTE = (
    "leveled: every iteration re-schedules the sampled durations under the plan's crews, "
    "budget caps and blackouts, in the solved plan's order; criticality counts resource links"
)
_LOGIC_NOTE = "logic: every iteration is a CPM forward pass over the dependencies alone"


def _summary(ws: Worksheet, doc: dict[str, Any]) -> int:
    put(ws, 1, 1, f"Schedule risk — {doc['plan_name']}").font = TITLE
    note(ws, 2, _LEVELED_NOTE if doc["mode"] == "leveled" else _LOGIC_NOTE)
    rows: list[tuple[str, Any, Any]] = [
        ("probability within the horizon", doc["probability_within_horizon"], None),
        ("horizon ends", iso(doc["horizon_end"]), doc["horizon_days"]),
        (
            "deterministic finish",
            iso(doc["deterministic"]["finish"]),
            doc["deterministic"]["makespan_days"],
        ),
    ]
    for key in ("p10", "p50", "p80", "p90", "mean"):
        rows.append((f"{key.upper()} finish", iso(doc["finish"][key]), doc["makespan_days"][key]))
    rows.append(("iterations", doc["iterations"], doc["stop_reason"]))
    rows.append(("seed", doc["seed"], doc["mode"]))
    if doc.get("data_date"):  # a progressed plan: simulated from its data date
        rows.append(("data date (simulated from)", iso(doc["data_date"]), None))
    header(ws, 4, ("figure", "value", "days"))
    for r, (label, value, days) in enumerate(rows, start=5):
        put(ws, r, 1, label).font = BOLD
        c = put(ws, r, 2, value)
        if r == 5:
            c.number_format = PCT_FMT
        elif hasattr(value, "year"):
            c.number_format = DATE_FMT
        put(ws, r, 3, days)
    return 5 + len(rows) + 1


def _histogram(ws: Worksheet, doc: dict[str, Any], row: int) -> int:
    header(ws, row, ("makespan from", "to", "iterations", "cumulative"))
    bins = doc["histogram"]
    for k, b in enumerate(bins, start=row + 1):
        put_row(
            ws, k, (round(b["from_days"], 1), round(b["to_days"], 1), b["count"], b["cumulative"])
        )
        ws.cell(k, 4).number_format = PCT_FMT
    last = row + len(bins)
    if bins:
        bars = BarChart()
        bars.title = "Makespan distribution (days)"
        bars.y_axis.title = "iterations"
        bars.add_data(Reference(ws, min_col=3, min_row=row, max_row=last), titles_from_data=True)
        bars.set_categories(Reference(ws, min_col=1, min_row=row + 1, max_row=last))
        curve = LineChart()
        curve.add_data(Reference(ws, min_col=4, min_row=row, max_row=last), titles_from_data=True)
        curve.y_axis.axId = 200
        curve.y_axis.title = "cumulative"
        curve.y_axis.crosses = "max"
        bars += curve
        bars.height, bars.width = 8, 16
        ws.add_chart(bars, "G4")
    return last + 2


def _tornado(ws: Worksheet, doc: dict[str, Any], row: int) -> int:
    risks = doc["risks"]
    header(ws, row, ("risk", "name", "occurred", "P80 effect (days)", "mean effect (days)"))
    if not risks:
        put(ws, row + 1, 1, "no risk events in the plan")
        return row + 3
    for k, r in enumerate(risks, start=row + 1):
        put_row(
            ws, k, (r["id"], r["name"], r["occurred"], r["p80_effect_days"], r["mean_effect_days"])
        )
        ws.cell(k, 3).number_format = PCT_FMT
    last = row + len(risks)
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Risk drivers: effect on P80 (days)"
    chart.add_data(Reference(ws, min_col=4, min_row=row, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=row + 1, max_row=last))
    chart.legend = None
    chart.height, chart.width = 8, 16
    ws.add_chart(chart, "G22")
    return last + 2


def _activities(ws: Worksheet, doc: dict[str, Any], row: int) -> None:
    header(ws, row, ("activity", "name", "criticality", "cruciality", "P80 finish"))
    for k, a in enumerate(doc["activities"], start=row + 1):
        put_row(
            ws, k, (a["id"], a["name"], a["criticality"], a["cruciality"], iso(a["finish_p80"]))
        )
        ws.cell(k, 3).number_format = PCT_FMT
        ws.cell(k, 4).number_format = "0.00"
        ws.cell(k, 5).number_format = DATE_FMT


def write_risk(ws: Worksheet, result: RiskResult) -> None:
    """Write the Risk sheet of ``result`` into ``ws`` (an empty sheet).

    Parameters
    ----------
    ws
        The sheet to fill.
    result
        A :class:`scheduler.risk.RiskResult` (days are grid slots of its plan).
    """
    doc = result.to_json()
    row = _summary(ws, doc)
    row = _histogram(ws, doc, row)
    row = _tornado(ws, doc, row)
    _activities(ws, doc, row)
    widths(ws, {1: 30, 2: 40, 3: 12, 4: 16, 5: 16})
    page_setup(ws, title_rows="1:2")
