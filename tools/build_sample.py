"""Build the sample national plan workbook ``data/national_plan.xlsx`` (SPEC §3).

Run ``python -m tools.build_sample`` from the repository root. The build is
deterministic (fixed seed, no network, no clock): the same script writes the same
cell values every time. It also writes ``data/regions.csv`` (the reference regions).

The plan: the capital hub (Seoul) and five metropolitan regions, each around one
strategic industry, two dam hubs, and 150–300 work packages over all seven sectors
(road, rail, dam, grid, telecom, gas, water) that link them. The work-package
chains per sector are modelled on real project networks from DSLIB (Batselier &
Vanhoucke 2015, files named in ``data/README.md``); names evoke real Korean
projects, durations and costs are invented but of realistic size.

Before writing, the script checks the feasibility margins of the brief and raises
:class:`SampleCheckError` if one fails:

* the logic critical path (CPM over FS/SS/FF/SF with lags, max lags, release and
  fixed starts; no resources) is at most 60 % of 730 days;
* per resource, the total work ``sum(amount * duration)`` is at most 50 % of
  ``capacity * 730``; no demand is above capacity; milestones demand nothing;
* total cost is at most 85 % of the sum of the budget caps;
* every activity fits in the longest gap between the blackout windows it is
  subject to;
* the project's constructive schedule (:func:`scheduler.solver.constructive_schedule`,
  serial SGS) passes :func:`scheduler.solver.check_schedule` with due dates hard:
  precedences with lags and max lags, resources, budget caps per fiscal year,
  blackouts, release, fixed starts and due dates, inside the 24-month horizon
  (a constructive proof that the plan is feasible).

The checks run on the plan as :func:`scheduler.workbook.read_workbook` reads the
built workbook back (in memory, before anything is written), with the project's
own CPM (:func:`scheduler.cpm.compute_cpm`); the script has no scheduler of its own.

The reference tables are data, not code: ``tools/sample_data/regions.csv`` (regions,
their coordinates and regional crew capacities), ``resources.csv`` (the national crews
and machines) and ``plan.json`` (settings, budget caps per fiscal year, the monsoon and
winter windows). The project templates (a road, a rail line, a dam ... and the links
between projects) stay in this script: they are the generator.

Units: durations in days (``d``), weeks (``w`` = 7 days) or months (``mo`` =
30 days) on a ``calendar`` plan; money in 100M KRW (억원).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from scheduler.cpm import compute_cpm
from scheduler.model import MONEY_SCALE, Blackout, Plan
from scheduler.solver import check_schedule, constructive_schedule
from scheduler.timegrid import add_months
from scheduler.workbook import SHEETS, read_workbook

logger = logging.getLogger(__name__)

__all__ = [
    "HORIZON_DAYS",
    "PLAN_START",
    "REGIONS",
    "SEED",
    "SampleCheckError",
    "SampleData",
    "build",
    "build_data",
    "check_plan",
    "workbook_bytes",
    "write_workbook",
]

SEED = 2027
#: The sample's reference tables (CSV and JSON), read once at import.
SAMPLE_DATA = Path(__file__).resolve().parent / "sample_data"


def _plan_json() -> dict[str, Any]:
    with (SAMPLE_DATA / "plan.json").open(encoding="utf-8") as fh:
        return dict(json.load(fh))


def _csv_rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _windows(pairs: list[list[str]]) -> list[tuple[date, date]]:
    return [(date.fromisoformat(lo), date.fromisoformat(hi)) for lo, hi in pairs]


_PLAN = _plan_json()
#: Settings sheet rows (key → value; plan_start as a date).
SETTINGS: dict[str, Any] = {
    k: date.fromisoformat(v) if k == "plan_start" else v for k, v in _PLAN["settings"].items()
}
PLAN_START: date = SETTINGS["plan_start"]
#: Days from PLAN_START to the horizon end (2029-01-01, exclusive); 2028 is a leap year.
HORIZON_DAYS = (add_months(PLAN_START, SETTINGS["horizon_months"]) - PLAN_START).days
#: Reference length of the margins in the brief (24 months ≈ 730 days).
MARGIN_DAYS = 730
UNIT_DAYS = {"d": 1, "w": 7, "mo": 30}

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_XLSX = DATA_DIR / "national_plan.xlsx"
DEFAULT_REGIONS = DATA_DIR / "regions.csv"

#: (id, name, name_ko, lat, lon, industry). Coordinates: city hall / cluster site,
#: WGS84 degrees, rounded to 4 decimals (about 10 m; the sites are km wide).
REGIONS: list[tuple[str, str, str, float, float, str]] = [
    (r["id"], r["name"], r["name_ko"], float(r["lat"]), float(r["lon"]), r["industry"])
    for r in _csv_rows("regions.csv")
]

#: Budget caps per Korean fiscal year (= calendar year), 100M KRW (억원).
BUDGET_CAPS: dict[int, int] = {int(y): int(c) for y, c in _PLAN["budget_caps"].items()}

# Blackout windows (inclusive dates, clipped to the horizon).
MONSOON = _windows(_PLAN["monsoon"])
WINTER = _windows(_PLAN["winter"])

# Resource ids. Regional civil crews are "CREW-<region>".
TBM = "TBM"
HVL = "HVL"
DCP = "DCP"
TRK = "TRK"
GIS = "GIS"
PWC = "PWC"
FDC = "FDC"
FSP = "FSP"

#: National resources (id, name, capacity per day, unit).
NATIONAL_RESOURCES: list[tuple[str, str, int, str]] = [
    (r["id"], r["name"], int(r["capacity"]), r["unit"]) for r in _csv_rows("resources.csv")
]
#: Civil crews per region (capacity per day of ``CREW-<region>``).
CREW_CAPACITY = {r["id"]: int(r["crew_capacity"]) for r in _csv_rows("regions.csv")}


RD2_NAME = "RD2 Pyeongtaek–Osong National Road 1 widening (국도1호선)"
RL1_NAME = "RL1 Yongin semiconductor cluster line (용인 반도체선)"


class SampleCheckError(AssertionError):
    """A feasibility margin of the sample plan is not met (the message says which)."""


@dataclass(slots=True)
class Act:
    """One sample activity before it is written (durations in the given unit)."""

    id: str
    name: str
    project: str
    sector: str
    region_from: str
    region_to: str
    duration: int
    unit: str
    cost: int
    weight: int = 1
    release: date | None = None
    due: date | None = None
    fixed_start: date | None = None
    earthworks: bool = False
    concrete: bool = False

    @property
    def days(self) -> int:
        """Duration in calendar days."""
        return self.duration * UNIT_DAYS[self.unit]


@dataclass(slots=True)
class SampleData:
    """The eight tables of the sample workbook as plain rows (SPEC §3 columns)."""

    settings: list[tuple[str, object]]
    regions: list[tuple[str, str, float, float, str]]
    activities: list[Act]
    dependencies: list[tuple[str, str, str, int, int | None]]
    resources: list[tuple[str, str, int, str, str]]
    demands: list[tuple[str, str, int]]
    budget: list[tuple[int, int]]
    blackouts: list[tuple[str, date, date, str]]
    meta: dict[str, object] = field(default_factory=dict)


class _Builder:
    """Collects activities, dependencies and demands project by project."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.acts: list[Act] = []
        self.deps: list[tuple[str, str, str, int, int | None]] = []
        self.dems: list[tuple[str, str, int]] = []

    def act(
        self,
        id_: str,
        name: str,
        project: str,
        sector: str,
        rf: str,
        rt: str,
        dur: int,
        unit: str,
        cost: int,
        *,
        crew: str | None = None,
        crew_amt: int = 1,
        special: list[tuple[str, int]] | None = None,
        **kw: Any,
    ) -> str:
        a = Act(id_, name, project, sector, rf, rt, dur, unit, cost, **kw)  # type: ignore[arg-type]
        self.acts.append(a)
        if crew:
            self.dems.append((id_, f"CREW-{crew}", crew_amt))
        for res, amt in special or []:
            self.dems.append((id_, res, amt))
        return id_

    def milestone(
        self, id_: str, name: str, project: str, sector: str, rf: str, rt: str, **kw: Any
    ) -> str:
        return self.act(id_, name, project, sector, rf, rt, 0, "d", 0, **kw)

    def dep(self, p: str, s: str, t: str = "FS", lag: int = 0, max_lag: int | None = None) -> None:
        self.deps.append((p, s, t, lag, max_lag))

    def jit(self, value: float, spread: float = 0.15) -> int:
        """``value`` times a seeded factor in ``[1 - spread, 1 + spread]``, rounded."""
        return max(1, round(value * self.rng.uniform(1 - spread, 1 + spread)))


# ---------------------------------------------------------------------------------------
# Sector chains
# ---------------------------------------------------------------------------------------
def _road(
    b: _Builder,
    pid: str,
    pname: str,
    rf: str,
    rt: str,
    sections: list[tuple[str, str, int]],
    **mob_kw: Any,
) -> dict[str, dict[str, str]]:
    """Road project: mobilisation → per section earthworks A → B → pavement, structures.

    Modelled on DSLIB C2012-04 Asti-Cuneo Highway and C2025-02 Urban Road
    (clearing → earthworks/embankments → culverts and overpasses → base → surface).
    Returns the ids of each section's work packages (for dig-once links).
    """
    proj = pname
    mob = b.act(
        f"{pid}-MOB",
        "Site mobilisation, survey and land handover",
        proj,
        "road",
        rf,
        rt,
        1,
        "mo",
        b.jit(40),
        crew=rf,
        **mob_kw,
    )
    out: dict[str, dict[str, str]] = {}
    pavements = []
    for i, (label, crew, km) in enumerate(sections, start=1):
        s = f"{pid}-S{i}"
        ewa = b.act(
            f"{s}-EWA",
            f"Earthworks stage A, {label} ({km} km)",
            proj,
            "road",
            rf,
            rt,
            b.rng.randint(9, 13),
            "w",
            b.jit(15 * km),
            crew=crew,
            crew_amt=1,
            earthworks=True,
        )
        ewb = b.act(
            f"{s}-EWB",
            f"Earthworks stage B and drainage, {label}",
            proj,
            "road",
            rf,
            rt,
            b.rng.randint(8, 12),
            "w",
            b.jit(15 * km),
            crew=crew,
            earthworks=True,
        )
        st = b.act(
            f"{s}-STR",
            f"Bridges, culverts and retaining walls, {label}",
            proj,
            "road",
            rf,
            rt,
            b.rng.choice([3, 4]),
            "mo",
            b.jit(25 * km),
            crew=crew,
            concrete=True,
        )
        pv = b.act(
            f"{s}-PAV",
            f"Sub-base, base and asphalt pavement, {label}",
            proj,
            "road",
            rf,
            rt,
            b.rng.randint(6, 9),
            "w",
            b.jit(12 * km),
            crew=crew,
        )
        b.dep(mob, ewa)
        b.dep(ewa, ewb, "SS", 4 * 7)  # stage B follows stage A's front by 4 weeks
        b.dep(ewa, st, "FS", 0)
        b.dep(ewb, pv, "FS", 0)
        b.dep(st, pv, "FS", -14)  # paving may start 2 weeks before structures finish (lead)
        pavements.append(pv)
        out[f"S{i}"] = {"EWA": ewa, "EWB": ewb, "STR": st, "PAV": pv}
    its = b.act(
        f"{pid}-ITS",
        "Signs, safety barriers and ITS",
        proj,
        "road",
        rf,
        rt,
        3,
        "w",
        b.jit(80),
        crew=rf,
    )
    for pv in pavements:
        b.dep(pv, its, "FF", 7)  # ITS finishes at least a week after each pavement
    end = b.milestone(f"{pid}-END", "Road open to traffic", proj, "road", rf, rt, weight=2)
    b.dep(its, end)
    for pv in pavements:
        b.dep(pv, end)
    out["END"] = {"END": end}
    return out


def _rail(
    b: _Builder,
    pid: str,
    pname: str,
    rf: str,
    rt: str,
    *,
    tunnel_mo: int,
    open_km: int,
    viaduct: bool,
    weight: int = 1,
    due: date | None = None,
) -> dict[str, str]:
    """Rail project: TBM tunnel and open roadbed → track → electrification ‖ signalling → tests.

    Modelled on DSLIB C2023-12 Railroad construction (engineering → orders → montage
    → pre-SAT → SAT) and C2012-14 Sluiskil Tunnel (TBM mounting → drive → lining).
    """
    proj = pname
    crew = rf
    ids: dict[str, str] = {}
    ids["MOB"] = b.act(
        f"{pid}-MOB",
        "Mobilisation and detailed design release",
        proj,
        "rail",
        rf,
        rt,
        1,
        "mo",
        b.jit(60),
        crew=crew,
    )
    ids["TBA"] = b.act(
        f"{pid}-TBA",
        "TBM assembly and launch shaft",
        proj,
        "rail",
        rf,
        rt,
        6,
        "w",
        b.jit(90),
        special=[(TBM, 1)],
    )
    ids["TBD"] = b.act(
        f"{pid}-TBD",
        "TBM tunnel drive",
        proj,
        "rail",
        rf,
        rt,
        tunnel_mo,
        "mo",
        b.jit(300 * tunnel_mo),
        special=[(TBM, 1)],
    )
    ids["LIN"] = b.act(
        f"{pid}-LIN",
        "Tunnel lining, invert and cross-passages",
        proj,
        "rail",
        rf,
        rt,
        10,
        "w",
        b.jit(450),
    )
    ids["RBA"] = b.act(
        f"{pid}-RBA",
        f"Roadbed earthworks stage A (open section, {open_km} km)",
        proj,
        "rail",
        rf,
        rt,
        b.rng.randint(9, 12),
        "w",
        b.jit(20 * open_km),
        crew=crew,
        crew_amt=1,
        earthworks=True,
    )
    ids["RBB"] = b.act(
        f"{pid}-RBB",
        "Roadbed earthworks stage B and formation",
        proj,
        "rail",
        rf,
        rt,
        b.rng.randint(8, 11),
        "w",
        b.jit(20 * open_km),
        crew=crew,
        earthworks=True,
    )
    b.dep(ids["MOB"], ids["TBA"])
    b.dep(ids["TBA"], ids["TBD"])
    b.dep(ids["TBD"], ids["LIN"], "SS", 28)  # lining follows the drive 4 weeks behind
    b.dep(ids["MOB"], ids["RBA"])
    b.dep(ids["RBA"], ids["RBB"], "FS", -21)  # stage B overlaps stage A by 3 weeks (lead)
    track_preds = [ids["LIN"], ids["RBB"]]
    if viaduct:
        ids["VIA"] = b.act(
            f"{pid}-VIA",
            "Viaduct piers and deck",
            proj,
            "rail",
            rf,
            rt,
            4,
            "mo",
            b.jit(800),
            crew=crew,
            concrete=True,
        )
        b.dep(ids["MOB"], ids["VIA"], "FS", 14)
        track_preds.append(ids["VIA"])
    ids["TRK"] = b.act(
        f"{pid}-TRK",
        "Track laying (slab track and rails)",
        proj,
        "rail",
        rf,
        rt,
        b.rng.randint(9, 12),
        "w",
        b.jit(550),
        special=[(TRK, 1)],
    )
    for p in track_preds:
        b.dep(p, ids["TRK"])
    ids["OCS"] = b.act(
        f"{pid}-OCS",
        "Electrification (overhead catenary, traction substation)",
        proj,
        "rail",
        rf,
        rt,
        2,
        "mo",
        b.jit(350),
    )
    ids["SIG"] = b.act(
        f"{pid}-SIG",
        "Signalling and train control (KTCS-2)",
        proj,
        "rail",
        rf,
        rt,
        7,
        "w",
        b.jit(380),
    )
    b.dep(ids["TRK"], ids["OCS"], "SS", 28)
    b.dep(ids["OCS"], ids["SIG"], "FF", 14)  # signalling finishes 2 weeks after electrification
    ids["TST"] = b.act(
        f"{pid}-TST", "Integrated testing and trial runs", proj, "rail", rf, rt, 5, "w", b.jit(60)
    )
    b.dep(ids["TRK"], ids["TST"])
    b.dep(ids["OCS"], ids["TST"])
    b.dep(ids["SIG"], ids["TST"])
    ids["END"] = b.milestone(
        f"{pid}-END", "Line ready for revenue service", proj, "rail", rf, rt, weight=weight, due=due
    )
    b.dep(ids["TST"], ids["END"])
    return ids


def _dam(b: _Builder, pid: str, pname: str, hub: str, *, scale: float) -> dict[str, str]:
    """Dam project: diversion tunnel → cofferdam → foundation → RCC stages → closure.

    Modelled on DSLIB C2025-01 Water Intake and Canal Rehabilitation (earthworks →
    concrete with overlapping leads → gates) and C2012-14 Sluiskil Tunnel. Every
    concrete stage is shorter than the shortest window between monsoon and winter.
    """
    proj = pname
    ids: dict[str, str] = {}
    ids["MOB"] = b.act(
        f"{pid}-MOB",
        "Site mobilisation and access road",
        proj,
        "dam",
        hub,
        "",
        2,
        "w",
        b.jit(50 * scale),
        crew=hub,
    )
    ids["DIV"] = b.act(
        f"{pid}-DIV",
        "Diversion tunnel excavation and lining",
        proj,
        "dam",
        hub,
        "",
        8,
        "w",
        b.jit(400 * scale),
        crew=hub,
        crew_amt=1,
    )
    ids["COF"] = b.act(
        f"{pid}-COF",
        "Upstream and downstream cofferdams",
        proj,
        "dam",
        hub,
        "",
        4,
        "w",
        b.jit(250 * scale),
        crew=hub,
        earthworks=True,
    )
    ids["FND"] = b.act(
        f"{pid}-FND",
        "Foundation excavation and curtain grouting",
        proj,
        "dam",
        hub,
        "",
        4,
        "w",
        b.jit(300 * scale),
        crew=hub,
        earthworks=True,
    )
    ids["RC1"] = b.act(
        f"{pid}-RC1",
        "RCC dam body placement, stage 1 (to EL. mid)",
        proj,
        "dam",
        hub,
        "",
        6,
        "w",
        b.jit(700 * scale),
        crew=hub,
        special=[(DCP, 1)],
        concrete=True,
    )
    ids["RC2"] = b.act(
        f"{pid}-RC2",
        "RCC dam body placement, stage 2 (to crest)",
        proj,
        "dam",
        hub,
        "",
        6,
        "w",
        b.jit(700 * scale),
        crew=hub,
        special=[(DCP, 1)],
        concrete=True,
    )
    ids["SPW"] = b.act(
        f"{pid}-SPW",
        "Spillway and intake tower concrete",
        proj,
        "dam",
        hub,
        "",
        8,
        "w",
        b.jit(500 * scale),
        concrete=True,
    )
    ids["GAT"] = b.act(
        f"{pid}-GAT",
        "Spillway gates, outlet valves and M&E",
        proj,
        "dam",
        hub,
        "",
        6,
        "w",
        b.jit(350 * scale),
    )
    ids["CLS"] = b.act(
        f"{pid}-CLS",
        "Diversion closure and reservoir impounding",
        proj,
        "dam",
        hub,
        "",
        4,
        "w",
        b.jit(120 * scale),
        crew=hub,
    )
    ids["END"] = b.milestone(
        f"{pid}-END", "Reservoir impounded, water available", proj, "dam", hub, "", weight=3
    )
    b.dep(ids["MOB"], ids["DIV"])
    b.dep(ids["DIV"], ids["COF"])
    b.dep(ids["COF"], ids["FND"])
    b.dep(ids["FND"], ids["RC1"], "FS", 7)  # grout curing before the first lift
    b.dep(ids["RC1"], ids["RC2"], "SS", 28)  # continuous RCC lifts, stage 2 four weeks behind
    b.dep(ids["RC1"], ids["SPW"], "SS", 14)
    b.dep(ids["SPW"], ids["GAT"], "FF", 21)  # gates finish 3 weeks after spillway concrete
    b.dep(ids["RC2"], ids["CLS"])
    b.dep(ids["GAT"], ids["CLS"])
    b.dep(ids["CLS"], ids["END"])
    return ids


def _water_main(
    b: _Builder,
    pid: str,
    pname: str,
    rf: str,
    rt: str,
    *,
    dam_end: str | None,
    sections: list[tuple[str, str, int]],
    tunnel_mo: int = 0,
    due: date | None = None,
    **first_kw: Any,
) -> dict[str, str]:
    """Water main: (TBM conveyance tunnel), pipeline sections, pumping station, tie-in.

    The tie-in and filling needs the dam impounded (FS) — the water main is fed by it.
    Pipe laying follows DSLIB C2024-02 Gas Pipeline (trench → bedding → lay → weld → test).
    """
    proj = pname
    ids: dict[str, str] = {}
    lay = []
    prev = None
    for i, (label, crew, km) in enumerate(sections, start=1):
        kw = first_kw if i == 1 else {}
        a = b.act(
            f"{pid}-P{i}",
            f"Pipeline trench, bedding, laying and welding, {label} ({km} km)",
            proj,
            "water",
            rf,
            rt,
            b.rng.randint(10, 14),
            "w",
            b.jit(28 * km),
            crew=crew,
            special=[(PWC, 1)],
            **kw,
        )
        if prev:
            b.dep(prev, a, "FS", -21)  # next section starts 3 weeks before the previous ends
        prev = a
        lay.append(a)
    if tunnel_mo:
        ids["TUN"] = b.act(
            f"{pid}-TUN",
            "Raw-water conveyance tunnel (TBM drive)",
            proj,
            "water",
            rf,
            rt,
            tunnel_mo,
            "mo",
            b.jit(280 * tunnel_mo),
            special=[(TBM, 1)],
        )
        lay.append(ids["TUN"])
    ids["PSC"] = b.act(
        f"{pid}-PSC",
        "Intake pumping station civil works",
        proj,
        "water",
        rf,
        "",
        3,
        "mo",
        b.jit(300),
        crew=rf,
        concrete=True,
    )
    ids["PSM"] = b.act(
        f"{pid}-PSM",
        "Intake pumping station M&E (pumps, surge vessels, SCADA)",
        proj,
        "water",
        rf,
        "",
        6,
        "w",
        b.jit(250),
    )
    b.dep(ids["PSC"], ids["PSM"], "FS", 0)
    ids["TIE"] = b.act(
        f"{pid}-TIE",
        "Tie-in, disinfection and filling of the main",
        proj,
        "water",
        rf,
        rt,
        3,
        "w",
        b.jit(60),
        crew=rt or rf,
    )
    for a in lay:
        b.dep(a, ids["TIE"])
    b.dep(ids["PSM"], ids["TIE"])
    if dam_end:
        b.dep(dam_end, ids["TIE"])  # the water main is fed by the dam: FS
    ids["END"] = b.milestone(
        f"{pid}-END", "First water delivered", proj, "water", rf, rt, weight=3, due=due
    )
    b.dep(ids["TIE"], ids["END"])
    for i, a in enumerate(lay, start=1):
        ids[f"P{i}"] = a
    return ids


def _grid(
    b: _Builder,
    pid: str,
    pname: str,
    rf: str,
    rt: str,
    *,
    kv: int,
    spans: int,
    weight: int = 1,
    due: date | None = None,
    civ_kw: dict[str, Any] | None = None,
    shared_a: dict[str, str] | None = None,
    split: int | None = None,
) -> dict[str, str]:
    """Transmission project: substations at both ends, towers, stringing, energisation.

    Modelled on DSLIB C2025-11 Power Network (supply of poles and conductors →
    erection → stringing → tests and commissioning). Line stringing of the last span
    needs the end substation's civil works (gantry) finished: FS.
    """
    proj = pname
    ids: dict[str, str] = {}
    scale = 1.0 if kv >= 345 else 0.6
    for end, reg in (("A", rf), ("B", rt or rf)):
        if end == "A" and shared_a:
            # the sending substation is another project's end substation (built once)
            ids["SCA"], ids["SEA"] = shared_a["SCB"], shared_a["SEB"]
            continue
        kw = civ_kw if (end == "A" and civ_kw) else {}
        ids[f"SC{end}"] = b.act(
            f"{pid}-SC{end}",
            f"{kv} kV substation civil works and gantry, {reg}",
            proj,
            "grid",
            reg,
            "",
            4,
            "mo",
            b.jit(350 * scale),
            crew=reg,
            concrete=True,
            **kw,
        )
        ids[f"SE{end}"] = b.act(
            f"{pid}-SE{end}",
            f"{kv} kV GIS and transformers installation, {reg}",
            proj,
            "grid",
            reg,
            "",
            3,
            "mo",
            b.jit(900 * scale),
            special=[(GIS, 1)],
        )
        b.dep(ids[f"SC{end}"], ids[f"SE{end}"], "FS", 0)
    strings = []
    for k in range(1, spans + 1):
        crew = rf if k <= (split if split is not None else (spans + 1) // 2) else (rt or rf)
        f = b.act(
            f"{pid}-TF{k}",
            f"Tower foundations, span {k}",
            proj,
            "grid",
            rf,
            rt,
            2,
            "mo",
            b.jit(250 * scale),
            crew=crew,
            concrete=True,
        )
        e = b.act(
            f"{pid}-TE{k}",
            f"Tower erection, span {k}",
            proj,
            "grid",
            rf,
            rt,
            6,
            "w",
            b.jit(300 * scale),
            special=[(HVL, 1)],
        )
        s = b.act(
            f"{pid}-LS{k}",
            f"Conductor stringing and sagging, span {k}",
            proj,
            "grid",
            rf,
            rt,
            b.rng.randint(5, 7),
            "w",
            b.jit(200 * scale),
            special=[(HVL, 1)],
        )
        b.dep(f, e, "FS", 14)  # foundation concrete cures 2 weeks before erection
        b.dep(e, s)
        strings.append(s)
    b.dep(ids["SCA"], strings[0])  # first span starts at the sending substation's gantry
    b.dep(ids["SCB"], strings[-1])  # line stringing needs its end substation
    ids["EN"] = b.act(
        f"{pid}-EN",
        "Protection tests, energisation and commissioning",
        proj,
        "grid",
        rf,
        rt,
        3,
        "w",
        b.jit(40),
    )
    b.dep(ids["SEA"], ids["EN"])
    b.dep(ids["SEB"], ids["EN"])
    for s in strings:
        b.dep(s, ids["EN"])
    ids["END"] = b.milestone(
        f"{pid}-END", f"{kv} kV line energised", proj, "grid", rf, rt, weight=weight, due=due
    )
    b.dep(ids["EN"], ids["END"])
    return ids


def _fibre_in_trench(
    b: _Builder,
    pid: str,
    pname: str,
    rf: str,
    rt: str,
    road: dict[str, dict[str, str]],
    *,
    extra: list[tuple[str, str, int, str, int]],
) -> dict[str, str]:
    """Fibre backbone laid in the road trench ("dig once"): SS with lag and max_lag.

    Modelled on DSLIB C2011-05 Telecom System Agnes (glass fibre installed → cables
    pulled SS+3d → equipment → tests → delivery).
    """
    proj = pname
    ids: dict[str, str] = {}
    splices = []
    for sec, wp in road.items():
        if not sec.startswith("S"):
            continue
        d = b.act(
            f"{pid}-{sec}-DCT",
            f"Duct bank and fibre cable laid in the road trench, {sec}",
            proj,
            "telecom",
            rf,
            rt,
            b.rng.randint(4, 6),
            "w",
            b.jit(45),
            special=[(FDC, 1)],
        )
        # dig once: the duct goes in 2 weeks after the trench opens and at most 6 weeks after
        b.dep(wp["EWA"], d, "SS", 14, 42)
        sp = b.act(
            f"{pid}-{sec}-SPL",
            f"Fibre splicing and OTDR testing, {sec}",
            proj,
            "telecom",
            rf,
            rt,
            2,
            "w",
            b.jit(20),
            special=[(FSP, 1)],
        )
        b.dep(d, sp)
        splices.append(sp)
        ids[sec] = d
    last = splices
    for code, name, dur, unit, cost in extra:
        a = b.act(
            f"{pid}-{code}",
            name,
            proj,
            "telecom",
            rt or rf,
            "",
            dur,
            unit,
            b.jit(cost),
            special=[(FSP, 1)],
        )
        for p in last:
            b.dep(p, a)
        last = [a]
    ids["END"] = b.milestone(f"{pid}-END", "Backbone in service", proj, "telecom", rf, rt)
    for p in last:
        b.dep(p, ids["END"])
    return ids


def _gas_in_trench(
    b: _Builder,
    pid: str,
    pname: str,
    rf: str,
    rt: str,
    road: dict[str, dict[str, str]],
    *,
    sections: list[str],
) -> dict[str, str]:
    """Gas main laid in the road trench: SS with lag and max_lag on the road earthworks.

    Chain after DSLIB C2024-02 Gas Pipeline: trench and sanding → laying and welding
    → pressure test → commissioning.
    """
    proj = pname
    ids: dict[str, str] = {}
    tests = []
    for sec in sections:
        wp = road[sec]
        t = b.act(
            f"{pid}-{sec}-TRB",
            f"Gas trench bedding and sanding in the road trench, {sec}",
            proj,
            "gas",
            rf,
            rt,
            b.rng.randint(4, 6),
            "w",
            b.jit(80),
            special=[(PWC, 1)],
        )
        b.dep(wp["EWB"], t, "SS", 21, 56)  # dig once: 3 to 8 weeks after stage B opens
        w = b.act(
            f"{pid}-{sec}-LAY",
            f"Steel pipe laying and welding, {sec}",
            proj,
            "gas",
            rf,
            rt,
            b.rng.randint(6, 8),
            "w",
            b.jit(220),
            special=[(PWC, 1)],
        )
        b.dep(t, w, "SS", 7)
        p = b.act(
            f"{pid}-{sec}-HYD",
            f"Radiography and hydrostatic pressure test, {sec}",
            proj,
            "gas",
            rf,
            rt,
            10,
            "d",
            b.jit(20),
        )
        b.dep(w, p)
        tests.append(p)
        ids[sec] = t
    ids["COM"] = b.act(
        f"{pid}-COM",
        "Purging, odorisation and commissioning",
        proj,
        "gas",
        rf,
        rt,
        2,
        "w",
        b.jit(25),
    )
    for p in tests:
        b.dep(p, ids["COM"])
    ids["END"] = b.milestone(f"{pid}-END", "Gas main in service", proj, "gas", rf, rt)
    b.dep(ids["COM"], ids["END"])
    return ids


# ---------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------
def build_data(seed: int = SEED) -> SampleData:
    """Build the sample plan's tables (no I/O).

    Parameters
    ----------
    seed
        Seed of the jitter on durations and costs (``random.Random``).

    Returns
    -------
    SampleData
        Rows of the eight sheets; blackouts derived from the activities' flags.
    """
    b = _Builder(seed)

    # --- roads (5 projects) --------------------------------------------------------------
    rd1 = _road(
        b,
        "RD1",
        "RD1 Semiconductor Expressway Hwaseong–Yongin (반도체고속도로)",
        "SEL",
        "YGI",
        [
            ("Hwaseong–Osan", "SEL", 14),
            ("Osan–Yongin Namsa", "YGI", 12),
            ("Namsa–Wonsam cluster", "YGI", 10),
        ],
        fixed_start=date(2027, 1, 4),
    )
    rd2 = _road(
        b,
        "RD2",
        RD2_NAME,
        "YGI",
        "OSG",
        [("Pyeongtaek–Cheonan", "YGI", 16), ("Cheonan–Osong", "OSG", 14)],
    )
    # Traffic on National Road 1 keeps its temporary diversion lanes until the widened
    # road opens: SF (finish of the diversion >= start of the opening milestone).
    div = b.act(
        "RD2-DIV",
        "Temporary traffic diversion lanes, National Road 1",
        RD2_NAME,
        "road",
        "YGI",
        "OSG",
        6,
        "mo",
        45,
    )
    b.dep(rd2["END"]["END"], div, "SF", 0)
    b.dep(rd2["S1"]["EWA"], div, "SS", -7)  # diversion in place a week before the trench opens
    rd3 = _road(
        b,
        "RD3",
        "RD3 Osong–Saemangeum connector expressway (오송–새만금)",
        "OSG",
        "SMG",
        [("Osong–Nonsan", "OSG", 18), ("Iksan–Saemangeum", "SMG", 16)],
    )
    rd4 = _road(
        b,
        "RD4",
        "RD4 Saemangeum–Gwangju AI cluster access expressway (새만금–광주)",
        "SMG",
        "GWJ",
        [("Gimje–Jeongeup", "SMG", 15), ("Jangseong–Gwangju Cheomdan", "GWJ", 13)],
        release=date(2027, 3, 1),
    )
    _road(
        b,
        "RD5",
        "RD5 Ulsan Outer Ring Expressway (울산외곽순환고속도로)",
        "ULS",
        "",
        [("Beomseo–Gucheon", "ULS", 12), ("Gucheon–Gangdong", "ULS", 10)],
    )

    # --- rail (3 projects) ---------------------------------------------------------------
    rl1 = _rail(
        b,
        "RL1",
        RL1_NAME,
        "SEL",
        "YGI",
        tunnel_mo=4,
        open_km=9,
        viaduct=True,
        weight=3,
        due=date(2028, 11, 30),
    )
    _rail(
        b,
        "RL2",
        "RL2 Chungcheong metropolitan railway, Osong–Cheongju Airport (충청권 광역철도)",
        "OSG",
        "",
        tunnel_mo=3,
        open_km=12,
        viaduct=True,
        weight=2,
    )
    _rail(
        b,
        "RL3",
        "RL3 Ulsan Tram Line 1 and Taehwa River tunnel (울산 트램 1호선)",
        "ULS",
        "",
        tunnel_mo=3,
        open_km=6,
        viaduct=False,
    )

    # --- dams (2) and water mains (3) ----------------------------------------------------
    dm1 = _dam(
        b, "DM1", "DM1 Hwacheon Dam auxiliary dam and intake (화천댐 보조댐)", "HWC", scale=1.2
    )
    dm2 = _dam(b, "DM2", "DM2 Daecheong Dam regulating dam (대청댐 조정지댐)", "DCH", scale=0.9)
    _water_main(
        b,
        "WT1",
        "WT1 Hwacheon–Yongin cluster industrial water main (용인 공업용수)",
        "HWC",
        "YGI",
        dam_end=dm1["END"],
        tunnel_mo=4,
        sections=[("Hwacheon–Gapyeong", "HWC", 14), ("Yangpyeong–Yongin", "YGI", 16)],
        due=date(2028, 10, 31),
    )
    _water_main(
        b,
        "WT2",
        "WT2 Daecheong–Osong bio cluster water main (오송 생명과학단지 용수)",
        "DCH",
        "OSG",
        dam_end=dm2["END"],
        sections=[("Daecheong–Cheongju", "DCH", 12), ("Cheongju–Osong", "OSG", 10)],
    )
    _water_main(
        b,
        "WT3",
        "WT3 Gwangju AI data-centre cooling and reclaimed water (광주 AI 용수)",
        "GWJ",
        "",
        dam_end=None,
        sections=[("Yeongsan River intake–Cheomdan", "GWJ", 9)],
        release=date(2027, 4, 1),
    )

    # --- grid (4 projects) ---------------------------------------------------------------
    gr1 = _grid(
        b,
        "GR1",
        "GR1 West Coast energy highway, Saemangeum–Osong 345 kV (서해안 에너지고속도로)",
        "SMG",
        "OSG",
        kv=345,
        spans=3,
        weight=2,
        civ_kw={"fixed_start": date(2027, 3, 2)},
    )
    _grid(
        b,
        "GR2",
        "GR2 Yongin semiconductor cluster 345 kV supply (용인 클러스터 송전)",
        "OSG",
        "YGI",
        kv=345,
        spans=3,
        weight=3,
        due=date(2028, 9, 30),
        shared_a=gr1,
        split=1,
    )
    _grid(
        b,
        "GR3",
        "GR3 Gwangju AI data-centre 154 kV supply (광주 AI 데이터센터 송전)",
        "SMG",
        "GWJ",
        kv=154,
        spans=2,
        weight=2,
    )
    # Ulsan: a substation pair inside the region (one short span, no corridor)
    _grid(
        b,
        "GR4",
        "GR4 Ulsan future-car complex 154 kV supply (울산 미래차 송전)",
        "ULS",
        "",
        kv=154,
        spans=1,
    )

    # --- telecom (4 projects) ------------------------------------------------------------
    _fibre_in_trench(
        b,
        "TC1",
        "TC1 Seoul–Yongin 400G fibre backbone (dig once)",
        "SEL",
        "YGI",
        rd1,
        extra=[("DWDM", "DWDM terminals and core routers, Yongin", 4, "w", 150)],
    )
    _fibre_in_trench(
        b, "TC2", "TC2 Yongin–Osong fibre backbone (dig once)", "YGI", "OSG", rd2, extra=[]
    )
    _fibre_in_trench(
        b,
        "TC3",
        "TC3 Saemangeum–Gwangju AI backbone (dig once)",
        "SMG",
        "GWJ",
        rd4,
        extra=[
            ("DWDM", "DWDM terminals, national AI computing centre Gwangju", 5, "w", 180),
            ("NOC", "Network operations centre integration and acceptance", 10, "d", 40),
        ],
    )
    tc4 = "TC4 Gwangju–Ulsan southern backbone in existing ducts (남부권 광통신망)"
    c1 = b.act(
        "TC4-CBL",
        "Fibre cable pulling in existing ducts",
        tc4,
        "telecom",
        "GWJ",
        "ULS",
        3,
        "mo",
        90,
        special=[(FDC, 1)],
        release=date(2027, 6, 1),
    )
    c2 = b.act(
        "TC4-SPL",
        "Splicing and OTDR testing",
        tc4,
        "telecom",
        "GWJ",
        "ULS",
        4,
        "w",
        30,
        special=[(FSP, 1)],
    )
    c3 = b.act(
        "TC4-EQP",
        "Optical amplifiers and ROADM nodes",
        tc4,
        "telecom",
        "GWJ",
        "ULS",
        6,
        "w",
        120,
        special=[(FSP, 1)],
    )
    c4 = b.milestone("TC4-END", "Backbone in service", tc4, "telecom", "GWJ", "ULS")
    b.dep(c1, c2, "SS", 21)  # splicing trails pulling by 3 weeks
    b.dep(c2, c3, "FF", 14)
    b.dep(c3, c4)
    b.dep(c2, c4)

    # --- gas (3 projects) ----------------------------------------------------------------
    _gas_in_trench(
        b,
        "GS1",
        "GS1 Yongin cluster LNG supply main (용인 LNG 배관)",
        "YGI",
        "OSG",
        rd2,
        sections=["S1", "S2"],
    )
    _gas_in_trench(
        b,
        "GS2",
        "GS2 Saemangeum hydrogen and LNG main (새만금 가스배관)",
        "OSG",
        "SMG",
        rd3,
        sections=["S1", "S2"],
    )
    gs3 = "GS3 Ulsan hydrogen pipeline network (울산 수소배관망)"
    g = [
        b.act(
            "GS3-ASP",
            "Asphalt cutting and traffic management",
            gs3,
            "gas",
            "ULS",
            "",
            3,
            "w",
            25,
            crew="ULS",
        ),
        b.act(
            "GS3-TRN",
            "Trench excavation",
            gs3,
            "gas",
            "ULS",
            "",
            6,
            "w",
            60,
            crew="ULS",
            earthworks=True,
        ),
        b.act(
            "GS3-SND",
            "Sanding and floor levelling",
            gs3,
            "gas",
            "ULS",
            "",
            3,
            "w",
            20,
            special=[(PWC, 1)],
        ),
        b.act(
            "GS3-LAY",
            "Laying hydrogen-grade pipes",
            gs3,
            "gas",
            "ULS",
            "",
            5,
            "w",
            140,
            special=[(PWC, 1)],
        ),
        b.act(
            "GS3-WLD",
            "Welding and cleaning connections",
            gs3,
            "gas",
            "ULS",
            "",
            6,
            "w",
            90,
            special=[(PWC, 1)],
        ),
        b.act(
            "GS3-TST", "Connect test device and pressure test", gs3, "gas", "ULS", "", 10, "d", 15
        ),
        b.act(
            "GS3-RST",
            "Backfill and asphalt reinstatement",
            gs3,
            "gas",
            "ULS",
            "",
            4,
            "w",
            35,
            crew="ULS",
        ),
    ]
    b.dep(g[0], g[1], "SS", 7)
    b.dep(g[1], g[2], "FS", 7)  # after DSLIB gas pipeline: sanding 3FS+1d
    b.dep(g[2], g[3])
    b.dep(g[3], g[4], "SS", 7)
    b.dep(g[4], g[5], "FS", -3)  # test device connected in the last days of welding (lead)
    b.dep(g[5], g[6])
    end = b.milestone("GS3-END", "Hydrogen pipeline in service", gs3, "gas", "ULS", "")
    b.dep(g[6], end)

    # --- cross-sector links --------------------------------------------------------------
    # Temporary construction power for the RL1 TBM runs until the 345 kV supply of the
    # cluster starts energising: SF (finish of temp power >= start of energisation).
    tmp = b.act(
        "RL1-TPW",
        "Temporary construction power for TBM (diesel and 22.9 kV)",
        RL1_NAME,
        "rail",
        "SEL",
        "YGI",
        6,
        "mo",
        60,
    )
    b.dep("GR2-EN", tmp, "SF", 0)
    b.dep(rl1["MOB"], tmp, "SS", 0)
    # RL1's traction substation is fed from the new Yongin 345 kV substation: the
    # electrification cannot finish before that substation's equipment is in (FF).
    b.dep("GR2-SEB", rl1["OCS"], "FF", 0)
    _ = (rd3, dm2)

    acts = b.acts
    concrete = [a.id for a in acts if a.concrete]
    earth = [a.id for a in acts if a.earthworks and a.sector != "dam"]
    blackouts: list[tuple[str, date, date, str]] = []
    for lo, hi in MONSOON:
        blackouts.append(("dam", lo, hi, "Monsoon (장마): no dam works"))
    for aid in earth:
        for lo, hi in MONSOON:
            blackouts.append((aid, lo, hi, "Monsoon (장마): no earthworks"))
    for aid in concrete:
        for lo, hi in WINTER:
            blackouts.append((aid, lo, hi, "Winter concreting window (동절기 콘크리트 타설 제한)"))

    resources = [(r, n, c, "", u) for r, n, c, u in NATIONAL_RESOURCES]
    for reg in REGIONS:
        rid = reg[0]
        resources.append(
            (
                f"CREW-{rid}",
                f"Civil construction crew, {reg[1]} ({reg[2]})",
                CREW_CAPACITY[rid],
                rid,
                "crew",
            )
        )

    settings: list[tuple[str, object]] = list(SETTINGS.items())
    regions = [(r[0], f"{r[1]} ({r[2]})", r[3], r[4], r[5]) for r in REGIONS]
    budget = sorted(BUDGET_CAPS.items())
    return SampleData(settings, regions, acts, b.deps, resources, b.dems, budget, blackouts)


# ---------------------------------------------------------------------------------------
# Checks (on the plan as read back from the written workbook)
# ---------------------------------------------------------------------------------------
def longest_gap(blackouts: list[Blackout], horizon: int) -> int:
    """Longest run of slots in ``[0, horizon)`` outside every blackout window, in days."""
    best, t = 0, 0
    for b in sorted(blackouts, key=lambda b: (b.start, b.end)):
        best = max(best, b.start - t)
        t = max(t, b.end)
    return max(best, horizon - t)


def check_plan(plan: Plan) -> dict[str, object]:
    """Check the feasibility margins of the brief; return the measured figures.

    ``plan`` is the sample as :func:`scheduler.workbook.read_workbook` reads it back
    (a ``calendar`` plan: one slot is one day; money in 1/100 of 100M KRW). The
    logic critical path is :func:`scheduler.cpm.compute_cpm`'s project finish; the
    constructive schedule is :func:`scheduler.solver.constructive_schedule`,
    verified by :func:`scheduler.solver.check_schedule` (due dates hard).

    Raises
    ------
    SampleCheckError
        Naming the first margin that fails.
    """
    acts = {a.id: a for a in plan.activities}
    figures: dict[str, object] = {"activities": len(acts)}
    if not 150 <= len(acts) <= 300:
        raise SampleCheckError(f"{len(acts)} activities, expected 150–300")
    cp = compute_cpm(plan).project_finish
    figures["logic_critical_path_days"] = cp
    if cp > 0.6 * MARGIN_DAYS:
        raise SampleCheckError(f"logic critical path {cp} d > 60% of {MARGIN_DAYS}")
    cap = {r.id: r.capacity for r in plan.resources}
    work: dict[str, int] = dict.fromkeys(cap, 0)
    for d in plan.demands:
        if d.amount > cap[d.resource]:
            raise SampleCheckError(
                f"{d.activity} demands {d.amount} of {d.resource} > capacity {cap[d.resource]}"
            )
        if acts[d.activity].duration == 0:
            raise SampleCheckError(f"milestone {d.activity} demands {d.resource}")
        work[d.resource] += d.amount * acts[d.activity].duration
    figures["resource_load"] = {r: round(w / (cap[r] * MARGIN_DAYS), 3) for r, w in work.items()}
    for r, w in work.items():
        if w > 0.5 * cap[r] * MARGIN_DAYS:
            raise SampleCheckError(f"resource {r}: work {w} > 50% of {cap[r]} x {MARGIN_DAYS}")
    total, caps = sum(a.cost for a in acts.values()), sum(b.cap for b in plan.budgets)
    figures["total_cost"] = total / MONEY_SCALE
    figures["cost_over_caps"] = round(total / caps, 3)
    if total > 0.85 * caps:
        raise SampleCheckError(f"total cost {total / MONEY_SCALE} > 85% of the caps")
    for a in acts.values():
        windows = plan.blackouts_of(a)
        if windows and a.duration > longest_gap(windows, plan.horizon):
            raise SampleCheckError(
                f"{a.id} ({a.duration} d) is longer than any gap in its blackouts"
            )
    start = constructive_schedule(plan)
    if start is None:
        raise SampleCheckError("constructive schedule: no schedule (max lags not repaired)")
    problems = check_schedule(plan, start)
    if problems:
        raise SampleCheckError(f"constructive schedule: {problems[0]}")
    figures["constructive_makespan_days"] = max(start[i] + acts[i].duration for i in acts)
    return figures


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------
#: Columns of :data:`scheduler.workbook.SHEETS` the sample leaves out (budget by year).
_UNUSED_COLUMNS = {("budget", "from"), ("budget", "to")}

#: Three-point estimates per sector: (optimistic, pessimistic) as multiples of the planned
#: duration, which is the most likely value (``sector_ranges`` of sample_data/plan.json).
#: Assumed ranges, skewed late as infrastructure durations are: Flyvbjerg, Holm & Buhl
#: (2003, "How common and how large are cost overruns in transport infrastructure
#: projects?") find the largest overruns on rail and on tunnels and dams, smaller ones on
#: roads; telecom and grid works are more repetitive.
SECTOR_RANGES: dict[str, tuple[float, float]] = {
    k: (float(v[0]), float(v[1])) for k, v in _PLAN["sector_ranges"].items() if k != "_note"
}

#: Risk events: (id, name, probability, activity-name part, impact min, likely, max days),
#: from ``risks`` of sample_data/plan.json.
RISKS: tuple[tuple[str, str, float, str, int, int, int], ...] = tuple(
    (r["id"], r["name"], r["probability"], r["activities_named"], *r["impact_days"])
    for r in _PLAN["risks"]
)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[tuple[object, ...]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for r in rows:
        ws.append([datetime(v.year, v.month, v.day) if isinstance(v, date) else v for v in r])
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if isinstance(c.value, datetime):
                c.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    for col in ws.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
        ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 70)


def _estimates(a: Act) -> tuple[object, ...]:
    """Activities columns optimistic, most_likely, pessimistic, distribution, risk_group."""
    if a.duration == 0:
        return (None, None, None, None, None)
    lo, hi = SECTOR_RANGES[a.sector]
    return (round(a.duration * lo, 1), a.duration, round(a.duration * hi, 1), "triangular",
            f"{a.sector}-{a.region_from}")  # fmt: skip


def _risks(acts: list[Act]) -> list[tuple[object, ...]]:
    """The Risks sheet: each event on every activity whose name holds its part."""
    rows: list[tuple[object, ...]] = []
    for rid, name, p, part, low, likely, high in RISKS:
        ids = [a.id for a in acts if part.lower() in a.name.lower()]
        if ids:
            rows.append((rid, name, p, ";".join(ids), low, likely, high, None))
    return rows


def workbook_bytes(data: SampleData) -> bytes:
    """The SPEC §3 sheets (and Risks) as ``.xlsx`` bytes (values only, real dates, no formulas).

    Written with openpyxl; zip entries and workbook properties carry a fixed
    timestamp, so the same data gives the same bytes.
    """
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    activities: list[tuple[object, ...]] = [
        (
            a.id,
            a.name,
            a.project,
            a.sector,
            a.region_from,
            a.region_to or None,
            a.duration,
            a.unit,
            a.cost,
            a.weight,
            a.release,
            a.due,
            a.fixed_start,
            *_estimates(a),
        )
        for a in data.activities
    ]
    resources: list[tuple[object, ...]] = [
        (i, n, c, reg or None, u) for i, n, c, reg, u in data.resources
    ]
    rows: dict[str, list[tuple[object, ...]]] = {
        "settings": list(data.settings),
        "regions": list(data.regions),
        "activities": activities,
        "dependencies": list(data.dependencies),
        "resources": resources,
        "demands": list(data.demands),
        "budget": list(data.budget),
        "blackouts": list(data.blackouts),
        "risks": _risks(data.activities),
    }
    for key, sheet_rows in rows.items():
        spec = SHEETS[key]
        # every column of the reader's layout, in its order; Budget by fiscal year only
        header = [c.name for c in spec.columns if (key, c.name) not in _UNUSED_COLUMNS]
        _sheet(wb, spec.title, header, sheet_rows)
    fixed = datetime(2026, 11, 30)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "infraplan tools/build_sample.py"
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_times(buf.getvalue())


def write_workbook(data: SampleData, path: Path) -> None:
    """Write :func:`workbook_bytes` of ``data`` to ``path`` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(data))


def _fixed_zip_times(data: bytes) -> bytes:
    """Re-pack an .xlsx zip with a fixed timestamp on every entry (byte-reproducible)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 30, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2026-11-30T00:00:00Z\g<2>",
                    body,
                )
            dst.writestr(fixed, body)
    return out.getvalue()


def write_regions_csv(path: Path) -> None:
    """Write the reference regions (id, name, name_ko, lat, lon, industry) as UTF-8 CSV."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "name", "name_ko", "lat", "lon", "industry"])
        for row in REGIONS:
            w.writerow(row)


def build(
    xlsx: Path = DEFAULT_XLSX, regions_csv: Path | None = DEFAULT_REGIONS, seed: int = SEED
) -> dict[str, object]:
    """Build, check and write the sample; return the measured figures.

    The workbook is built in memory, read back with
    :func:`scheduler.workbook.read_workbook` and checked by :func:`check_plan`
    before it is written.

    Raises
    ------
    SampleCheckError
        If a feasibility margin fails (nothing is written then).
    InvalidPlanError
        If the built workbook does not read back as a valid plan.
    """
    data = build_data(seed)
    body = workbook_bytes(data)
    figures = check_plan(read_workbook(body))
    xlsx.parent.mkdir(parents=True, exist_ok=True)
    xlsx.write_bytes(body)
    if regions_csv is not None:
        write_regions_csv(regions_csv)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m tools.build_sample [-o XLSX] [--regions CSV]``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_XLSX)
    ap.add_argument("--regions", type=Path, default=DEFAULT_REGIONS)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    figures = build(args.output, args.regions, args.seed)
    logger.info("wrote %s", args.output)
    for k, v in figures.items():
        logger.info("%s: %s", k, v)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
