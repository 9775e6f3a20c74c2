"""Steady-state availability of networks: exact values, bounds, and whole scenarios."""

from __future__ import annotations

import dataclasses
import itertools
import math
import textwrap

import networkx as nx
import pytest

from simulation.analytic import steady_state_availability, unsupported_reason
from simulation.analytic.network import network_availability
from simulation.scenario import loads

P = 0.99


def brute_force(
    graph, source, targets, avail: dict, link_needs: dict, node_needs: dict, need="any", bound=None
):
    """Availability by enumerating every state of the elements (a reference for tests)."""
    elements = list(avail)
    total = 0.0
    for state in itertools.product((True, False), repeat=len(elements)):
        up = {e for e, s in zip(elements, state) if s}
        prob = math.prod(avail[e] if s else 1 - avail[e] for e, s in zip(elements, state))
        g = nx.Graph()
        g.add_nodes_from(n for n in graph.nodes if node_needs.get(n, set()) <= up)
        g.add_edges_from(
            (a, b, d)
            for a, b, d in graph.edges(data=True)
            if a in g and b in g and link_needs.get(frozenset((a, b)), set()) <= up
        )
        if source not in g:
            continue
        reach = nx.single_source_dijkstra_path_length(g, source, cutoff=bound, weight="latency_hours")
        hit = [t in reach for t in targets]
        if all(hit) if need == "all" else any(hit):
            total += prob
    return total


def bridge():
    return nx.Graph([("s", "a"), ("s", "b"), ("a", "b"), ("a", "t"), ("b", "t")])


def test_bridge():
    """Five links of availability 0.99: 2p^2 + 2p^3 - 5p^4 + 2p^5 = 0.99979805."""
    g = bridge()
    result = network_availability(g, "s", ["t"], link_availability=dict.fromkeys(g.edges, P))
    assert result.exact and result.low == result.high
    assert result.value == pytest.approx(0.99979805, abs=5e-9)
    assert result.value == pytest.approx(2 * P**2 + 2 * P**3 - 5 * P**4 + 2 * P**5, rel=1e-14)


def test_ring_against_the_ring_with_a_chord():
    """A four-node ring s-a-t-b is two disjoint two-link paths; the chord a-b makes it the bridge."""
    ring = nx.cycle_graph(["s", "a", "t", "b"])
    plain = network_availability(ring, "s", ["t"], link_availability=dict.fromkeys(ring.edges, P)).value
    assert plain == pytest.approx(1 - (1 - P**2) ** 2, rel=1e-14)
    chord = ring.copy()
    chord.add_edge("a", "b")
    with_chord = network_availability(
        chord, "s", ["t"], link_availability=dict.fromkeys(chord.edges, P)
    ).value
    assert with_chord == pytest.approx(0.99979805, abs=5e-9)
    assert with_chord > plain


def test_shared_risk_group_makes_diverse_paths_what_they_are():
    """Two disjoint paths whose first links share a duct: the duct is in series with both."""
    g = nx.cycle_graph(["s", "a", "t", "b"])
    links = dict.fromkeys(g.edges, P)
    r = 0.999
    without = network_availability(g, "s", ["t"], link_availability=links).value
    shared = network_availability(
        g, "s", ["t"], link_availability=links, risk_groups={"duct-7": (r, [("s", "a"), ("s", "b")])}
    ).value
    assert without == pytest.approx(1 - (1 - P**2) ** 2, rel=1e-14)
    assert shared == pytest.approx(r * (1 - (1 - P**2) ** 2), rel=1e-14)
    # the duct alone is then most of the unavailability
    assert (1 - shared) / (1 - without) > 2


def test_latency_bound_removes_the_only_backup_path():
    """Primary s-a-t is 2 x 100 km; the backup s-b-t is 2 x 2000 km (20 ms): a 5 ms bound
    leaves the primary alone."""
    g = nx.Graph()
    us = 5e-6 / 3600  # hours per km
    for a, b, km in (("s", "a", 100), ("a", "t", 100), ("s", "b", 2000), ("b", "t", 2000)):
        g.add_edge(a, b, latency_hours=km * us)
    links = dict.fromkeys(g.edges, P)
    free = network_availability(g, "s", ["t"], link_availability=links).value
    bounded = network_availability(g, "s", ["t"], link_availability=links, max_latency=5e-3 / 3600).value
    assert free == pytest.approx(1 - (1 - P**2) ** 2, rel=1e-14)
    assert bounded == pytest.approx(P**2, rel=1e-14)
    wide = network_availability(g, "s", ["t"], link_availability=links, max_latency=25e-3 / 3600).value
    assert wide == pytest.approx(free, rel=1e-14)


@pytest.mark.parametrize("need, expected", [("any", 1 - (1 - P) ** 2), ("all", P**2)])
def test_multi_homed_targets(need, expected):
    g = nx.Graph([("s", "t1"), ("s", "t2")])
    result = network_availability(
        g, "s", ["t1", "t2"], link_availability=dict.fromkeys(g.edges, P), need=need
    )
    assert result.value == pytest.approx(expected, rel=1e-14)


def test_failing_nodes_including_the_terminals():
    g = nx.path_graph(["s", "m", "t"])
    q = {"s": 0.999, "m": 0.998, "t": 0.997}
    result = network_availability(
        g, "s", ["t"], node_availability=q, link_availability=dict.fromkeys(g.edges, P)
    )
    assert result.value == pytest.approx(0.999 * 0.998 * 0.997 * P**2, rel=1e-14)


@pytest.mark.parametrize("seed", range(20))
def test_random_small_graphs_against_state_enumeration(seed):
    """Random graphs with failing nodes, links, a risk group, need any/all and a bound."""
    import random

    rng = random.Random(seed)
    g = nx.gnm_random_graph(6, 8, seed=seed)
    for a, b in g.edges:
        g.edges[a, b]["latency_hours"] = rng.uniform(1, 3)
    nodes = {n: rng.uniform(0.8, 0.99) for n in rng.sample(list(g.nodes), 2)}
    links = {e: rng.uniform(0.7, 0.99) for e in rng.sample(list(g.edges), 5)}
    group_links = rng.sample(list(g.edges), 2)
    groups = {"g": (0.9, group_links)}
    need = "all" if seed % 2 else "any"
    bound = 6.0 if seed % 3 == 0 else None
    targets = [4, 5]
    got = network_availability(
        g,
        0,
        targets,
        node_availability=nodes,
        link_availability=links,
        risk_groups=groups,
        need=need,
        max_latency=bound,
    ).value
    avail = {("n", n): a for n, a in nodes.items()} | {("l", frozenset(e)): a for e, a in links.items()}
    avail[("g",)] = 0.9
    node_needs = {n: {("n", n)} for n in nodes}
    link_needs: dict = {}
    for e in g.edges:
        key = frozenset(e)
        link_needs[key] = ({("l", key)} if key in {frozenset(x) for x in links} else set()) | (
            {("g",)} if key in {frozenset(x) for x in group_links} else set()
        )
    expected = brute_force(g, 0, targets, avail, link_needs, node_needs, need, bound)
    assert got == pytest.approx(expected, abs=1e-12)


def test_bounds_when_the_budget_runs_out():
    """A 3 x 4 grid: a small budget gives an interval that holds the exact value and
    narrows as the budget grows."""
    g = nx.convert_node_labels_to_integers(nx.grid_2d_graph(3, 4))
    links = dict.fromkeys(g.edges, 0.95)
    exact = network_availability(g, 0, [11], link_availability=links)
    assert exact.exact
    widths = []
    for budget in (20, 200, 1000):
        b = network_availability(g, 0, [11], link_availability=links, max_branches=budget)
        assert not b.exact and b.branches == budget
        assert b.low <= exact.value <= b.high
        widths.append(b.high - b.low)
    assert widths[0] > widths[1] > widths[2]


def test_errors():
    g = bridge()
    with pytest.raises(ValueError, match="node 'x' not in graph"):
        network_availability(g, "x", ["t"])
    with pytest.raises(ValueError, match="no link between 's' and 't'"):
        network_availability(g, "s", ["t"], link_availability={("s", "t"): 0.9})
    with pytest.raises(ValueError, match=r"must be in \[0, 1\]"):
        network_availability(g, "s", ["t"], node_availability={"a": 1.5})
    with pytest.raises(ValueError, match="need must be"):
        network_availability(g, "s", ["t"], need="most")


# -- whole scenarios ----------------------------------------------------------------------

HEAD = """\
format: slasim/1
name: t
components:
  # MTTF / (MTTF + MTTR) = 0.99 whatever the distributions (alternating renewal)
  fibre: {failure: {mtbf: 99h}, repair: {dist: lognormal, mean: 1h, cv: 2}}
  duct: {failure: {mtbf: 999h}, repair: {mttr: 1h}}
  server: {failure: {dist: weibull, shape: 1.5, mean: 999h}, repair: {mttr: 1h}}
"""

BRIDGE = """\
graph:
  nodes: [s, a, b, t]
  links:
    - {between: [s, a], km: 10}
    - {between: [s, b], km: 10}
    - {between: [a, b], km: 10}
    - {between: [a, t], km: 10}
    - {between: [b, t], km: 10}
source: s
target: t
link: fibre
"""


def scenario(body):
    return loads(HEAD + textwrap.dedent(body), source="t.yaml")


def test_scenario_bridge_in_series_with_a_server():
    s = scenario("service:\n  series:\n    - server\n    - network:\n" + textwrap.indent(BRIDGE, "        "))
    assert steady_state_availability(s) == pytest.approx(0.999 * 0.99979805, abs=1e-8)


def test_scenario_risk_group_cuts_both_links():
    body = BRIDGE.replace(
        "link: fibre\n", "link: fibre\nrisk_groups: {d: {component: duct, links: [[s, a], [s, b]]}}\n"
    )
    s = scenario("service:\n  network:\n" + textwrap.indent(body, "    "))
    assert steady_state_availability(s) == pytest.approx(0.999 * 0.99979805, abs=1e-8)


def test_scenario_per_site_network_is_seen_from_its_first_site():
    """The run's figures are the first site's, and so is the steady state; each site's
    structure (`site_services`) has its own."""
    from simulation.model.network import site_services

    body = BRIDGE.replace("source: s\n", "sources: [s, a]\n")
    s = scenario("service:\n  network:\n" + textwrap.indent(body, "    "))
    assert steady_state_availability(s) == pytest.approx(0.99979805, abs=5e-9)
    assert unsupported_reason(s) is None
    sites = dict(site_services(s.service))
    assert sites["s"] is s.service
    from_a = steady_state_availability(dataclasses.replace(s, service=sites["a"]))
    g = bridge()
    expected = brute_force(
        g, "a", ["t"], {e: P for e in map(frozenset, g.edges)}, {e: {e} for e in map(frozenset, g.edges)}, {}
    )
    assert from_a == pytest.approx(expected, rel=1e-12)


def test_scenario_length_scaled_links_and_latency_bound():
    """Per-km fibre: each link is up 1 / (1 + rate x km x MTTR); the 5 ms bound leaves only
    the 2 x 100 km primary (the 2 x 2000 km backup takes 20 ms)."""
    body = """\
service:
  network:
    graph:
      nodes: [s, a, b, t]
      links:
        - {between: [s, a], km: 100}
        - {between: [a, t], km: 100}
        - {between: [s, b], km: 2000}
        - {between: [b, t], km: 2000}
    source: s
    target: t
    link: cable
"""
    head = HEAD + "  cable: {failure: {rate: 2.5/y, per: 1000km}, repair: {mttr: 12h}}\n"

    def link(km):
        return 1 / (1 + 2.5 / 8760 * km / 1000 * 12)

    free = loads(head + body, source="t.yaml")
    assert steady_state_availability(free) == pytest.approx(
        1 - (1 - link(100) ** 2) * (1 - link(2000) ** 2), rel=1e-12
    )
    bounded = loads(head + body + "    max_latency: 5ms\n", source="t.yaml")
    assert steady_state_availability(bounded) == pytest.approx(link(100) ** 2, rel=1e-12)


def test_site_availability_per_source():
    """One value per customer site: from s the bridge, from a the same graph seen from
    a neighbour of t (checked against state enumeration)."""
    from simulation.analytic.network import network_site_availability

    body = BRIDGE.replace("source: s\n", "sources: [s, a]\n")
    s = scenario("service:\n  network:\n" + textwrap.indent(body, "    "))
    net = s.service
    sites = network_site_availability(net, [0.99] * len(net.members))
    assert list(sites) == ["s", "a"]
    assert sites["s"] == pytest.approx(0.99979805, abs=5e-9)
    g = bridge()
    expected = brute_force(
        g, "a", ["t"], {e: P for e in map(frozenset, g.edges)}, {e: {e} for e in map(frozenset, g.edges)}, {}
    )
    assert sites["a"] == pytest.approx(expected, rel=1e-12)


def test_scenario_on_a_real_topology_is_certified_within_its_bounds():
    """GEANT (22 nodes, 36 links, routers and per-km fibre): too many states to decide
    them all quickly, so the steady state is the midpoint of an interval at most 1e-12
    wide; an independent run with a fixed budget brackets it."""
    from simulation.analytic.network import CERTIFIED_WIDTH

    s = loads(
        HEAD
        + "  cable: {failure: {rate: 2.5/y, per: 1000km}, repair: {mttr: 12h}}\n"
        + "  router: {failure: {mtbf: 50000h}, repair: {mttr: 2h}}\n"
        + "service:\n  network: {topology: sndlib/geant, source: at1.at, target: uk1.uk, "
        "node: router, link: cable}\n",
        source="t.yaml",
    )
    value = steady_state_availability(s)
    spec = s.service.spec
    g = spec.graph.to_networkx()
    links = {(lk.a, lk.b): 1 / (1 + 2.5 / 8760 * lk.km / 1000 * 12) for lk in spec.graph.links if lk.km > 0}
    nodes = dict.fromkeys(g.nodes, 50000 / 50002)
    ref = network_availability(
        g, "at1.at", ["uk1.uk"], node_availability=nodes, link_availability=links, max_branches=2000
    )
    assert not ref.exact and ref.high - ref.low < 1e-9
    assert ref.low - CERTIFIED_WIDTH <= value <= ref.high + CERTIFIED_WIDTH


def test_network_copies_compose_like_any_block():
    """Two copies of a bridge template in parallel: 1 - (1 - A_bridge)^2."""
    s = scenario(
        "blocks:\n  access:\n    network:\n"
        + textwrap.indent(BRIDGE, "      ")
        + "service: {parallel: [{access: 2}]}\n"
    )
    assert {"access-1/network/link/a-b/fibre", "access-2/network/link/a-b/fibre"} <= set(s.instances)
    bridge_value = 2 * P**2 + 2 * P**3 - 5 * P**4 + 2 * P**5
    assert steady_state_availability(s) == pytest.approx(1 - (1 - bridge_value) ** 2, rel=1e-12)


def test_many_risk_groups_are_elements_of_one_factoring(monkeypatch):
    """GEANT with ten ducts, each under two links: solved as one network (the ducts as
    elements, not 2**10 conditioned solutions), equal to the pure function given the
    same elements."""
    import simulation.analytic.network as an

    pairs = [
        ("at1.at", "ch1.ch"),
        ("at1.at", "de1.de"),
        ("be1.be", "fr1.fr"),
        ("be1.be", "nl1.nl"),
        ("ch1.ch", "fr1.fr"),
        ("ch1.ch", "it1.it"),
        ("de1.de", "fr1.fr"),
        ("de1.de", "nl1.nl"),
        ("fr1.fr", "uk1.uk"),
        ("nl1.nl", "uk1.uk"),
        ("es1.es", "fr1.fr"),
        ("de1.de", "it1.it"),
    ]
    groups = {f"duct-{i}": [pairs[i], pairs[(i + 3) % len(pairs)]] for i in range(10)}
    lines = "".join(
        f"      duct-{i}: {{component: duct, links: [[{a[0]}, {a[1]}], [{b[0]}, {b[1]}]]}}\n"
        for i, (a, b) in enumerate(groups.values())
    )
    s = loads(
        HEAD
        + "  cable: {failure: {rate: 2.5/y, per: 1000km}, repair: {mttr: 12h}}\n"
        + "service:\n  network:\n    topology: sndlib/geant\n    source: at1.at\n    target: uk1.uk\n"
        + "    link: cable\n    risk_groups:\n"
        + lines,
        source="t.yaml",
    )
    calls = []
    solve = an.network_availability
    monkeypatch.setattr(an, "network_availability", lambda *a, **k: calls.append(1) or solve(*a, **k))
    value = steady_state_availability(s)
    assert len(calls) == 1
    monkeypatch.undo()
    g = s.service.spec.graph.to_networkx()
    links = {
        (lk.a, lk.b): 1 / (1 + 2.5 / 8760 * lk.km / 1000 * 12)
        for lk in s.service.spec.graph.links
        if lk.km > 0
    }
    duct = 999 / 1000
    ref = network_availability(
        g,
        "at1.at",
        ["uk1.uk"],
        link_availability=links,
        risk_groups={name: (duct, ends) for name, ends in groups.items()},
        tolerance=1e-12,
    )
    assert ref.low - 1e-12 <= value <= ref.high + 1e-12
    without = network_availability(g, "at1.at", ["uk1.uk"], link_availability=links, tolerance=1e-12)
    assert value < without.low  # the shared ducts cost availability


def test_a_network_with_other_members_is_solved_inside_the_structure():
    """A hand-built network whose link is a parallel pair of cables: not the expansion's
    shape, so the solver composes it by its members (generic path)."""
    import dataclasses

    from simulation.model.structure import KofN, Leaf

    s = scenario("service:\n  network:\n" + textwrap.indent(BRIDGE, "    "))
    net = s.service
    pair = KofN(1, (net.members[0], Leaf("spare")), kind="parallel")
    members = (pair, *net.members[1:])
    from simulation.model.structure import Instance

    sc = dataclasses.replace(
        s,
        service=dataclasses.replace(net, members=members),
        instances={**s.instances, "spare": Instance("spare", "fibre")},
    )
    first = 1 - (1 - P) ** 2  # s-a is now two cables in parallel
    # bridge with one link at `first`: condition on s-a
    up = network_availability(
        bridge(), "s", ["t"], link_availability={e: P for e in bridge().edges if set(e) != {"s", "a"}}
    )
    down = network_availability(
        bridge(), "s", ["t"], link_availability={**{e: P for e in bridge().edges}, ("s", "a"): 0.0}
    )
    expected = first * up.value + (1 - first) * down.value
    assert steady_state_availability(sc) == pytest.approx(expected, rel=1e-12)
