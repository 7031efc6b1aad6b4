"""Tests for scheduler.graph: edges, order, named cycles and the start-time passes.

Every expected start is computed by hand in the comments (grid slots; ``E = S + d``).
"""

from __future__ import annotations

import pytest

from scheduler.cpm import compute_cpm
from scheduler.graph import (
    CycleError,
    DependencyGraph,
    Edge,
    WindowError,
    find_cycles,
    named,
    topological_order,
)
from scheduler.model import Activity, Blackout, Dependency, blackout_scope_keys
from scheduler.solver.data import Instance
from tests.plans import tiny_plan


def _graph(durations: dict[str, int], *deps: Dependency) -> DependencyGraph:
    return DependencyGraph(list(durations), list(durations.values()), list(deps))


def _passes(g: DependencyGraph, horizon: int) -> tuple[list[int], list[int]]:
    """Earliest starts from 0 and latest starts from ``horizon - duration``."""
    es = g.earliest([0] * g.n)
    ls = g.latest([horizon - d for d in g.dur])
    return es, ls


# -- one place for each type's inequality ------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "lag", "lo"),
    [
        # A (5) -> B (3): lo = least S(B) - S(A)
        ("FS", 2, 7),  # S(B) >= E(A) + 2 = S(A) + 5 + 2
        ("SS", 2, 2),  # S(B) >= S(A) + 2
        ("FF", 2, 4),  # E(B) >= E(A) + 2  <=>  S(B) + 3 >= S(A) + 5 + 2
        ("SF", 2, -1),  # E(B) >= S(A) + 2  <=>  S(B) + 3 >= S(A) + 2
        ("FS", -2, 3),  # a lead: S(B) >= E(A) - 2
        ("SF", -4, -7),
    ],
)
def test_edge_states_each_type_as_a_start_distance(kind: str, lag: int, lo: int) -> None:
    dep = Dependency("A", "B", kind, lag)  # type: ignore[arg-type]
    e = Edge.of(dep, 0, 0, 1, 5, 3)
    assert (e.lo, e.hi) == (lo, None)
    assert e.slack(10, 10 + lo) == 0
    assert e.slack(10, 10 + lo - 1) == -1


def test_edge_max_lag_is_the_upper_end_of_the_window() -> None:
    # FS lag 1 max_lag 4, A (5): 6 <= S(B) - S(A) <= 6 + (4 - 1) = 9
    e = Edge.of(Dependency("A", "B", "FS", 1, max_lag=4), 3, 0, 1, 5, 2)
    assert (e.pred, e.succ, e.lo, e.hi, e.index) == (0, 1, 6, 9, 3)


# -- forward and backward passes on tiny networks ----------------------------------------------
def test_fs_chain_with_lag() -> None:
    # A (3) FS B (2) lag 1: ES_B = 3 + 1 = 4. Horizon 10: LS_B = 8, LS_A = 8 - 4 = 4.
    g = _graph({"A": 3, "B": 2}, Dependency("A", "B", "FS", 1))
    assert _passes(g, 10) == ([0, 4], [4, 8])


def test_ss_ff_sf_and_a_negative_lag() -> None:
    # A (4); B (2) SS A lag 1 from A; C (3) FF lag 2 from A; D (5) SF lag 3 from A;
    # E (1) FS lag -2 from A.
    # ES: B = 1; C: S(C) >= 4 + 2 - 3 = 3; D: S(D) >= 3 - 5 = -2 -> 0; E: 4 - 2 = 2.
    # Horizon 12: LS_B = 10, LS_C = 9, LS_D = 7, LS_E = 11;
    # LS_A = min(12 - 4, 10 - 1, 9 - 3, 7 + 2, 11 - 2) = 6.
    g = _graph(
        {"A": 4, "B": 2, "C": 3, "D": 5, "E": 1},
        Dependency("A", "B", "SS", 1),
        Dependency("A", "C", "FF", 2),
        Dependency("A", "D", "SF", 3),
        Dependency("A", "E", "FS", -2),
    )
    assert _passes(g, 12) == ([0, 1, 3, 0, 2], [6, 10, 9, 7, 11])


def test_max_lag_pulls_the_predecessor_later() -> None:
    # C (6) FS B (1); A (2) FS B lag 0 max_lag 1: S(B) - S(A) <= 2 + 1 = 3.
    # ES_B = 6 (from C), so ES_A >= 6 - 3 = 3.
    # Horizon 10: LS_B = 9, LS_C = 3; LS_A = min(8, 9 - 2) = 7, and S(B) <= LS_A + 3 = 10.
    g = _graph(
        {"A": 2, "B": 1, "C": 6},
        Dependency("A", "B", "FS", 0, max_lag=1),
        Dependency("C", "B"),
    )
    assert _passes(g, 10) == ([3, 6, 0], [7, 9, 3])


def test_max_lag_pulls_the_successor_earlier_in_the_backward_pass() -> None:
    # A (2) SS B (4) lag 0 max_lag 2: 0 <= S(B) - S(A) <= 2. A must start by 1:
    # LS_B = min(20 - 4, LS_A + 2) = 3.
    g = _graph({"A": 2, "B": 4}, Dependency("A", "B", "SS", 0, max_lag=2))
    assert g.latest([1, 16]) == [1, 3]
    assert g.earliest([0, 0]) == [0, 0]
    assert g.earliest([5, 0]) == [5, 5]
    assert g.earliest([0, 9]) == [7, 9]  # S(A) >= 9 - 2


def test_zero_length_cycle_of_leads_converges() -> None:
    # A (4) SS B (2) lag 1, B SS A lag -1: S(B) = S(A) + 1 exactly, a cycle of length 0.
    g = _graph({"A": 4, "B": 2}, Dependency("A", "B", "SS", 1), Dependency("B", "A", "SS", -1))
    assert not g.acyclic
    # Horizon 10: LS_A = min(10 - 4, LS_B - 1) = 6, LS_B = min(10 - 2, LS_A + 1) = 7.
    assert _passes(g, 10) == ([0, 1], [6, 7])


def test_pinned_start_does_not_move() -> None:
    # A (5) FS B (2); B pinned at 3 (before E(A) = 5): it stays; A stays at 0.
    g = _graph({"A": 5, "B": 2}, Dependency("A", "B"))
    assert g.earliest([0, 3], pinned=[False, True]) == [0, 3]
    # backward from 20: B pinned at 3 keeps LS_B = 3, and A must end by then: LS_A = -2
    assert g.latest([15, 3], pinned=[False, True]) == [-2, 3]


def test_adjust_moves_starts_to_allowed_slots() -> None:
    # B (2) may not start in 4..6 (a blackout): from E(A) = 4 it moves to 7.
    def later(i: int, t: int) -> int:
        return 7 if i == 1 and 4 <= t <= 6 else t

    def earlier(i: int, t: int) -> int:
        return 3 if i == 1 and 4 <= t <= 6 else t

    g = _graph({"A": 4, "B": 2}, Dependency("A", "B"))
    assert g.earliest([0, 0], adjust=later) == [0, 7]
    # backward from horizon 8: LS_B = 6 -> 3 (blackout), LS_A = 3 - 4 = -1
    assert g.latest([4, 6], adjust=earlier) == [-1, 3]


# -- cycles --------------------------------------------------------------------------------
def test_topological_order_puts_a_cycle_last_in_list_order() -> None:
    # 0 -> 1, 2 <-> 3, 3 -> 4: Kahn places 0, 1; the rest (2, 3, 4) follows in index order
    assert topological_order(5, [(0, 1), (2, 3), (3, 2), (3, 4)]) == ([0, 1, 2, 3, 4], False)
    assert topological_order(4, [(2, 0), (0, 1), (3, 1)]) == ([2, 3, 0, 1], True)


def test_cycle_is_named_in_order_from_its_first_dependency() -> None:
    g = _graph(
        {"S": 1, "A": 1, "B": 1, "C": 1},
        Dependency("S", "A"),
        Dependency("B", "C"),  # the cycle's first-listed dependency
        Dependency("A", "B"),
        Dependency("C", "A"),
    )
    assert g.cycle() == ["B", "C", "A"]
    with pytest.raises(CycleError) as exc:
        g.require_acyclic()
    assert str(exc.value) == "the dependencies contain a cycle: B → C → A → B"
    assert exc.value.cycle == ["B", "C", "A"]


def test_acyclic_graph_has_no_cycle() -> None:
    g = _graph({"A": 1, "B": 1, "C": 1}, Dependency("A", "B"), Dependency("A", "C"))
    assert g.cycle() == []
    g.require_acyclic()


def test_solver_instance_names_the_cycle() -> None:
    plan = tiny_plan(
        [Activity("A", "a", 2), Activity("B", "b", 3)],
        [Dependency("A", "B"), Dependency("B", "A", "SS", 0)],
    )
    with pytest.raises(CycleError, match="the dependencies contain a cycle: A → B → A"):
        Instance.from_plan(plan)


def test_find_cycles_one_per_component_lowest_key_first() -> None:
    edges = [
        ("X", "Y", 9),
        ("A", "B", 5),
        ("B", "A", 3),
        ("Y", "X", 4),
        ("A", "B", 2),  # repeated pair: the lowest key is kept
        ("A", "A", 1),  # self-loop: left out
    ]
    assert find_cycles(edges) == [[("A", "B", 2), ("B", "A", 3)], [("Y", "X", 4), ("X", "Y", 9)]]
    assert find_cycles([("A", "B", 1), ("B", "C", 2)]) == []
    assert named(["A", "B"]) == "A → B → A"


def test_positive_cycle_is_named_in_order() -> None:
    # A (3) FS B (max_lag 5): S(B) >= S(A) + 3; B SS A lag 1: S(A) >= S(B) + 1.
    # The cycle B -> A -> B has length 1 + 3 = 4 > 0: no starts exist.
    g = _graph(
        {"A": 3, "B": 2},
        Dependency("A", "B", "FS", 0, max_lag=5),
        Dependency("B", "A", "SS", 1),
    )
    with pytest.raises(CycleError, match="positive length") as exc:
        g.earliest([0, 0])
    assert str(exc.value).endswith("B → A → B")
    assert exc.value.cycle == ["B", "A"]


def test_infeasible_max_lag_window_is_a_positive_cycle() -> None:
    # A (2) FS B lag 0 max_lag 1: S(B) <= S(A) + 3; but A FS C (4) FS B: S(B) >= S(A) + 6.
    # Cycle C -> B -> (max_lag) A -> C: 4 - 3 + 2 = 3 > 0.
    g = _graph(
        {"A": 2, "B": 1, "C": 4},
        Dependency("A", "B", "FS", 0, max_lag=1),
        Dependency("A", "C"),
        Dependency("C", "B"),
    )
    with pytest.raises(CycleError) as exc:
        g.earliest([0, 0, 0])
    assert exc.value.cycle == ["C", "B", "A"]
    assert "C → B → A → C" in str(exc.value)
    with pytest.raises(CycleError):
        g.latest([30, 30, 30])
    plan = tiny_plan(
        [Activity("A", "a", 2), Activity("B", "b", 1), Activity("C", "c", 4)],
        [Dependency("A", "B", "FS", 0, max_lag=1), Dependency("A", "C"), Dependency("C", "B")],
    )
    with pytest.raises(ValueError, match=r"positive length .*: C → B → A → C$"):
        compute_cpm(plan)
    assert Instance.from_plan(plan).start_bounds(plan.horizon) is None


def test_closed_window_is_detected() -> None:
    # A (2) FS B lag 0 max_lag 1: S(A) >= S(B) - 3. B released at 10 -> ES_A = 7,
    # but A must start by 5.
    g = _graph({"A": 2, "B": 1}, Dependency("A", "B", "FS", 0, max_lag=1))
    with pytest.raises(WindowError) as exc:
        g.earliest([0, 10], upper=[5, 50])
    assert exc.value.activity == "A"
    assert (
        str(exc.value) == "the start window of A is empty: earliest start 7 is after latest start 5"
    )
    with pytest.raises(WindowError, match="earliest start 10 is after latest start 4"):
        # backward: A by 1 -> LS_B = min(4, 1 + 3) = 4, below B's earliest 10
        g.latest([1, 50], lower=[0, 10])
    plan = tiny_plan(
        [Activity("A", "a", 2, due=7), Activity("B", "b", 1, release=10)],
        [Dependency("A", "B", "FS", 0, max_lag=1)],
    )
    inst = Instance.from_plan(plan)
    assert inst.start_bounds(plan.horizon) is None
    # without the due date: LS_B = horizon - 1, LS_A = LS_B - 2 (E(A) <= S(B))
    hz = plan.horizon
    assert inst.start_bounds(hz, due=False) == ([7, 10], [hz - 3, hz - 1])


# -- blackout scopes ---------------------------------------------------------------------------
def test_blackout_scope_matching_in_one_place() -> None:
    a = Activity("RD-1", "road", 5, sector="road", region_from="SEL", region_to="BSN")
    m = Activity("M", "milestone", 0)
    assert blackout_scope_keys(a) == {"road", "RD-1", "SEL", "BSN"}
    assert blackout_scope_keys(m) == {"M"}
    plan = tiny_plan(
        [a, m],
        blackouts=[
            Blackout("rail", 0, 5),
            Blackout("BSN", 10, 20),
            Blackout("M", 0, 1),
            Blackout("road", 30, 40),
        ],
    )
    assert plan.blackout_hits() == [[1, 3], [2]]
    assert [b.scope for b in plan.blackouts_of(a)] == ["BSN", "road"]
    assert Instance.from_plan(plan).blackout_hits == [[1, 3], [2]]


# -- the passes against a plain Bellman–Ford on random networks ----------------------------
def _reference(g: DependencyGraph, init: list[int], forward: bool) -> list[int] | None:
    """Every window applied to every edge, round after round, until nothing moves."""
    v = list(init)
    for _ in range(g.n + 2):
        moved = False
        for e in g.edges:
            pairs = [(e.pred, e.succ, e.lo)]  # v[succ] >= v[pred] + lo
            if e.hi is not None:
                pairs.append((e.succ, e.pred, -e.hi))  # v[pred] >= v[succ] - hi
            for a, b, w in pairs:
                if forward and v[a] + w > v[b]:
                    v[b], moved = v[a] + w, True
                if not forward and v[b] - w < v[a]:
                    v[a], moved = v[b] - w, True
        if not moved:
            return v
    return None


@pytest.mark.parametrize("seed", range(60))
def test_passes_match_bellman_ford(seed: int) -> None:
    import random

    rng = random.Random(seed)
    n = rng.randint(2, 12)
    durations = {f"T{i}": rng.randint(0, 6) for i in range(n)}
    deps = []
    for j in range(1, n):
        for i in rng.sample(range(j), k=min(j, rng.randint(0, 3))):
            lag = rng.randint(-3, 3)
            max_lag = lag + rng.randint(0, 6) if rng.random() < 0.3 else None
            kind = rng.choice(["FS", "SS", "FF", "SF"])
            deps.append(Dependency(f"T{i}", f"T{j}", kind, lag, max_lag))  # type: ignore[arg-type]
    g = _graph(durations, *deps)
    init = [rng.randint(0, 5) for _ in range(n)]
    want = _reference(g, init, True)
    if want is None:
        with pytest.raises(CycleError):
            g.earliest(init)
        return
    assert g.earliest(init) == want
    top = [max(want) + 20 - d for d in g.dur]
    assert g.latest(top) == _reference(g, top, False)
