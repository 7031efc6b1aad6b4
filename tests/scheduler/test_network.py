"""Tests of scheduler.network: corridor graph and connection months (SPEC §4)."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.model import Activity, Plan, Region
from scheduler.network import (
    connection_months,
    connection_slots,
    corridor_graph,
    link_finish_slots,
)
from scheduler.solution import Schedule
from scheduler.timegrid import TimeGrid


@pytest.fixture
def corridor_plan() -> Plan:
    """Four regions; road SEL-DJN (two sections), road DJN-BSN, telecom SEL-GWJ, point works."""
    regions = [
        Region("SEL", "서울", 37.57, 126.98, "AI"),
        Region("DJN", "대전", 36.35, 127.38, "bio"),
        Region("BSN", "부산", 35.18, 129.08, "energy"),
        Region("GWJ", "광주", 35.16, 126.85, "future cars"),
    ]
    acts = [
        Activity("R1", "경부 1공구", 20, sector="road", region_from="SEL", region_to="DJN"),
        Activity("R2", "경부 2공구", 30, sector="road", region_from="DJN", region_to="SEL"),
        Activity("R3", "대전-부산", 50, sector="road", region_from="DJN", region_to="BSN"),
        Activity("T1", "광케이블", 10, sector="telecom", region_from="SEL", region_to="GWJ"),
        Activity("D1", "댐", 40, sector="dam", region_from="BSN"),  # point work
        Activity("W1", "정수장", 5, sector="water", region_from="GWJ", region_to="GWJ"),
        Activity("M1", "개통", 0, sector="rail", region_from="SEL", region_to="BSN"),
    ]
    return Plan("회랑 계획", TimeGrid(date(2027, 1, 1)), acts, regions=regions)


@pytest.fixture
def corridor_schedule(corridor_plan: Plan) -> Schedule:
    """R1 ends in Jan, R2 in Feb (slot 58 = 2027-02-28), R3 in May, T1 in Mar, M1 in Jul."""
    starts = {"R1": 0, "R2": 29, "R3": 100, "T1": 60, "D1": 0, "W1": 0, "M1": 200}
    return Schedule(corridor_plan, "feasible", starts=starts)


def test_graph_nodes_carry_region_attributes(corridor_plan: Plan) -> None:
    g = corridor_graph(corridor_plan)
    assert sorted(g.nodes) == ["BSN", "DJN", "GWJ", "SEL"]
    assert g.nodes["SEL"]["lat"] == 37.57
    assert g.nodes["DJN"]["industry"] == "bio"
    assert g.nodes["BSN"]["name"] == "부산"


def test_graph_edges_carry_activity_ids(corridor_plan: Plan) -> None:
    g = corridor_graph(corridor_plan)
    assert g.edges["SEL", "DJN"]["activities"] == ["R1", "R2"]
    assert g.edges["SEL", "BSN"]["sectors"] == ["rail"]
    # point work D1 and the in-region work W1 make no edge
    assert g.number_of_edges() == 4
    assert not g.has_edge("GWJ", "GWJ")


def test_graph_filtered_by_sector(corridor_plan: Plan) -> None:
    g = corridor_graph(corridor_plan, sector="road")
    assert sorted(tuple(sorted(e)) for e in g.edges) == [("BSN", "DJN"), ("DJN", "SEL")]
    assert g.number_of_nodes() == 4  # every region stays a node


def test_link_finishes_on_its_last_activity(corridor_plan: Plan, corridor_schedule: Schedule):
    finish = link_finish_slots(corridor_plan, corridor_schedule.ends())
    assert finish[("road", "DJN", "SEL")] == 58  # R2: [29, 59), last day 58
    assert finish[("road", "BSN", "DJN")] == 149  # R3: [100, 150)
    # a milestone at slot 200 is shown on 2027-07-19 (slot 199), and completes its link then
    assert finish[("rail", "BSN", "SEL")] == 199


def test_connection_through_intermediate_region(corridor_plan: Plan, corridor_schedule):
    slots = connection_slots(corridor_plan, corridor_schedule.ends())
    # SEL-BSN by road only once both SEL-DJN (58) and DJN-BSN (149) are done
    assert slots[("road", "BSN", "SEL")] == 149
    assert slots[("road", "GWJ", "SEL")] is None


def test_connection_months_rows(corridor_schedule: Schedule) -> None:
    rows = connection_months(corridor_schedule)
    by_key = {(r["sector"], r["region_a"], r["region_b"]): r["connected_from"] for r in rows}
    assert by_key[("road", "DJN", "SEL")] == "2027-02"  # 2027-02-28
    assert by_key[("road", "BSN", "DJN")] == "2027-05"  # slot 149 = 2027-05-30
    assert by_key[("road", "BSN", "SEL")] == "2027-05"
    assert by_key[("telecom", "GWJ", "SEL")] == "2027-03"  # T1 [60, 70): 2027-03-11
    assert by_key[("telecom", "DJN", "SEL")] is None
    assert by_key[("rail", "BSN", "SEL")] == "2027-07"  # M1 at slot 200 shown 2027-07-19
    # sectors without links (dam point work, water inside one region) get no rows
    assert {r["sector"] for r in rows} == {"rail", "road", "telecom"}
    # 6 pairs of 4 regions for each of the three sectors, sorted
    assert len(rows) == 18
    keys = [(r["sector"], r["region_a"], r["region_b"]) for r in rows]
    assert keys == sorted(keys)
    assert all(r["region_a"] < r["region_b"] for r in rows)


def test_connection_months_empty_without_plan(corridor_plan: Plan) -> None:
    infeasible = Schedule(corridor_plan, "infeasible")
    assert connection_months(infeasible) == []
    assert connection_months(Schedule(None, "invalid")) == []
