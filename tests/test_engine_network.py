"""Network blocks in both engines: the connectivity rule, simulated against the exact
availabilities of `simulation.analytic.network`, and outage-by-outage agreement of the
two engines on a real topology and on random small graphs (hypothesis)."""

from __future__ import annotations

import dataclasses
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_same_timelines
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simulation.analytic.network import network_leaf_availability
from simulation.engine import des, fast
from simulation.engine.rules import CONNECTED, DISCONNECTED, TOO_SLOW, Connectivity, NetworkRule
from simulation.model.components import ComponentType
from simulation.model.distributions import Exponential, Lognormal, Weibull
from simulation.model.network import (
    FIBRE_LATENCY_HOURS_PER_KM,
    Graph,
    Link,
    NetworkSpec,
    RiskGroup,
    expand_network,
)
from simulation.model.scenario import RunSettings, Scenario
from simulation.scenario import loads

YEAR = 8760.0
#: Per-link availability 0.99: MTBF 990 h, MTTR 10 h.
LINE = ComponentType("line", Exponential.from_mean(990.0), Exponential.from_mean(10.0))
DUCT = ComponentType("duct", Exponential.from_mean(2000.0), Exponential.from_mean(20.0))
ROUTER = ComponentType("router", Exponential.from_mean(4000.0), Exponential.from_mean(8.0))


def network_scenario(spec: NetworkSpec, components: dict, *, horizon=YEAR, start="new") -> Scenario:
    block, instances = expand_network(spec, "wan", components)
    return Scenario(
        "net",
        dict(components),
        {i.id: i for i in instances},
        block,
        run=RunSettings(horizon_hours=horizon, replications=1, seed=0, start=start),
    )


def graph(links, km=None) -> Graph:
    nodes = tuple(dict.fromkeys(n for link in links for n in link))
    km = km or {}
    return Graph(nodes, tuple(Link(a, b, km.get((a, b))) for a, b in links))


def availability(scenario: Scenario) -> dict[str, float]:
    """Exact availability of the scenario's network block from its source."""
    a = {}
    for iid in scenario.instances:
        comp = scenario.component_of(iid)
        a[iid] = comp.failure.mean / (comp.failure.mean + comp.repair.mean)
    return network_leaf_availability(scenario.service, a)[scenario.service.spec.sources[0]]


def simulated_unavailability(scenario: Scenario, reps: int, seed: int = 1) -> tuple[float, float]:
    """Mean fraction of time down over `reps` replications (fast engine, steady start),
    and its standard error."""
    timelines = fast.simulate(scenario, seed, range(reps), scenario.run.horizon_hours)
    down = np.array([float(np.sum(tl.end - tl.start)) for tl in timelines]) / scenario.run.horizon_hours
    return float(down.mean()), float(down.std(ddof=1) / math.sqrt(reps))


def assert_exact(scenario: Scenario, exact: float, reps: int = 2000) -> float:
    """The simulated unavailability is within 4 standard errors of the exact one."""
    u, se = simulated_unavailability(scenario, reps)
    assert abs(u - (1 - exact)) <= 4 * se, (u, 1 - exact, se)
    return u


BRIDGE = [("s", "a"), ("s", "b"), ("a", "b"), ("a", "t"), ("b", "t")]


def test_bridge_within_ci_of_exact():
    spec = NetworkSpec(graph(BRIDGE), ("s",), ("t",), link=("line",))
    s = network_scenario(spec, {"line": LINE}, start="steady")
    exact = availability(s)
    assert exact == pytest.approx(0.99979805, abs=5e-9)
    assert_exact(s, exact)


def test_ring_against_ring_with_chord():
    ring = [(f"n{i}", f"n{(i + 1) % 6}") for i in range(6)]
    plain = network_scenario(
        NetworkSpec(graph(ring), ("n0",), ("n3",), link=("line",)), {"line": LINE}, start="steady"
    )
    chord = network_scenario(
        NetworkSpec(graph([*ring, ("n1", "n4")]), ("n0",), ("n3",), link=("line",)),
        {"line": LINE},
        start="steady",
    )
    a_plain, a_chord = availability(plain), availability(chord)
    assert a_chord > a_plain
    u_plain = assert_exact(plain, a_plain)
    u_chord = assert_exact(chord, a_chord)
    assert u_chord < u_plain


def test_paths_sharing_a_risk_group_against_paths_without():
    square = [("a", "b"), ("b", "d"), ("a", "c"), ("c", "d")]
    comps = {"line": LINE, "duct": DUCT}
    apart = network_scenario(
        NetworkSpec(graph(square), ("a",), ("d",), link=("line",)), comps, start="steady"
    )
    shared = network_scenario(
        NetworkSpec(
            graph(square),
            ("a",),
            ("d",),
            link=("line",),
            risk_groups=(RiskGroup("duct", "duct", (("a", "b"), ("a", "c"))),),
        ),
        comps,
        start="steady",
    )
    a_apart, a_shared = availability(apart), availability(shared)
    duct = DUCT.failure.mean / (DUCT.failure.mean + DUCT.repair.mean)
    assert a_shared == pytest.approx(duct * a_apart, rel=1e-12)  # the duct is a cut of its own
    assert_exact(apart, a_apart)
    u_shared = assert_exact(shared, a_shared)
    assert u_shared > 5 * (1 - a_apart)


def test_latency_bound_removes_the_only_backup_path():
    # a-d direct (100 km), backup a-b-d over 2 x 1500 km; bound 2 ms: the backup is too slow
    links = [("a", "d"), ("a", "b"), ("b", "d")]
    km = {("a", "d"): 100.0, ("a", "b"): 1500.0, ("b", "d"): 1500.0}
    bound = 2e-3 / 3600
    assert 3000 * FIBRE_LATENCY_HOURS_PER_KM > bound > 100 * FIBRE_LATENCY_HOURS_PER_KM
    free = network_scenario(
        NetworkSpec(graph(links, km), ("a",), ("d",), link=("line",)), {"line": LINE}, start="steady"
    )
    bounded = network_scenario(
        NetworkSpec(graph(links, km), ("a",), ("d",), link=("line",), max_latency_hours=bound),
        {"line": LINE},
        start="steady",
    )
    a_free, a_bounded = availability(free), availability(bounded)
    assert a_bounded == pytest.approx(0.99, rel=1e-12)  # only the direct link counts
    assert a_free > 0.9998
    assert_exact(free, a_free)
    assert_exact(bounded, a_bounded)


def test_connectivity_states_and_cache():
    links = [("a", "d"), ("a", "b"), ("b", "d")]
    km = {("a", "d"): 100.0, ("a", "b"): 1500.0, ("b", "d"): 1500.0}
    spec = NetworkSpec(graph(links, km), ("a",), ("d",), link=("line",), max_latency_hours=2e-3 / 3600)
    block, _ = expand_network(spec, "wan", {"line": LINE})
    c = Connectivity(block)
    assert [c.state(m) for m in (0b000, 0b001, 0b011, 0b110)] == [
        CONNECTED,
        TOO_SLOW,
        DISCONNECTED,
        CONNECTED,
    ]
    assert (c.hits, c.misses) == (0, 4)
    np.testing.assert_array_equal(
        c.states(np.array([0, 1, 1, 3])), [CONNECTED, TOO_SLOW, TOO_SLOW, DISCONNECTED]
    )
    assert (c.hits, c.misses) == (4, 4)  # four look-ups, every down-set already cached
    rule = NetworkRule(c)
    assert rule.start([False, True, True]) is False and rule.state == TOO_SLOW
    change = rule.instant(5.0, [(0, True, 7, 0)])
    assert change is not None and change.up and change.cause == 7


def test_need_all_targets():
    spec = NetworkSpec(graph([("s", "a"), ("s", "b")]), ("s",), ("a", "b"), need="all", link=("line",))
    block, _ = expand_network(spec, "wan", {"line": LINE})
    c = Connectivity(block)
    assert [c.state(m) for m in (0, 1, 2)] == [CONNECTED, DISCONNECTED, DISCONNECTED]
    any_block, _ = expand_network(dataclasses.replace(spec, need="any"), "wan", {"line": LINE})
    assert Connectivity(any_block).state(1) == CONNECTED


# -- both engines, outage by outage ------------------------------------------------------

GEANT = """\
format: slasim/1
name: geant
components:
  fibre: {failure: {rate: 2.5/y, per: 1000km}, repair: {mttr: 12h}}
  router: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}
  card: {failure: {mtbf: 30000h}, repair: {mttr: 6h}}
  duct: {failure: {rate: 0.5/y}, repair: {mttr: 24h}}
service:
  network:
    topology: sndlib/geant
    source: at1.at
    targets: [de1.de, uk1.uk]
    node: router
    link: [fibre, card]
    risk_groups:
      alps: {component: duct, links: [[at1.at, ch1.ch], [at1.at, si1.si]]}
    max_latency: 9ms
"""


@pytest.mark.parametrize("start", ["new", "steady"])
def test_engines_agree_on_geant(start):
    s = loads(GEANT, source="geant.yaml")
    s = dataclasses.replace(s, run=dataclasses.replace(s.run, start=start))
    assert len(s.service.members) <= 62
    a = des.simulate(s, 3, range(40), YEAR)
    b = fast.simulate(s, 3, range(40), YEAR)
    assert sum(len(tl.start) for tl in a) > 40
    assert_same_timelines(a, b)


FAILURES = [Exponential.from_mean(300.0), Weibull.from_mean(0.8, 400.0), Weibull.from_mean(2.0, 250.0)]
REPAIRS = [Exponential.from_mean(10.0), Lognormal.from_median_p95(5.0, 30.0)]


@st.composite
def networks(draw):
    n = draw(st.integers(3, 6))
    nodes = [f"v{i}" for i in range(n)]
    pairs = [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1 :]]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=2, max_size=min(9, len(pairs)), unique=True))
    km = {p: float(draw(st.integers(0, 2000))) for p in chosen}
    links = tuple(Link(a, b, km[(a, b)], "given", draw(st.sampled_from([0.0, 1e-7]))) for a, b in chosen)
    used = sorted({x for link in chosen for x in link})
    source = draw(st.sampled_from(used))
    targets = tuple(draw(st.lists(st.sampled_from(used), min_size=1, max_size=2, unique=True)))
    comps = {
        name: ComponentType(name, draw(st.sampled_from(FAILURES)), draw(st.sampled_from(REPAIRS)))
        for name in ("node", "part", "duct")
    }
    node_types = tuple((v, "node") for v in used if draw(st.booleans()))
    groups = ()
    if draw(st.booleans()) and len(chosen) >= 2:
        through = tuple(draw(st.lists(st.sampled_from(chosen), min_size=2, max_size=3, unique=True)))
        groups = (RiskGroup("g", "duct", through),)
    bound = draw(st.sampled_from([None, 5e-3 / 3600, 15e-3 / 3600]))
    spec = NetworkSpec(
        Graph(tuple(used), links),
        (source,),
        targets,
        need=draw(st.sampled_from(["any", "all"])),
        node_types=node_types,
        link=tuple(draw(st.lists(st.just("part"), min_size=0, max_size=2))),
        risk_groups=groups,
        max_latency_hours=bound,
    )
    return spec, comps, draw(st.sampled_from(["new", "steady"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.integers(0, 2**16))
def test_engines_agree_on_random_networks(case, seed):
    spec, comps, start = case
    s = network_scenario(spec, comps, horizon=3000.0, start=start)
    assume(s.service.members)  # something fails
    assume(Connectivity(s.service).state(0) == CONNECTED)  # joined while every part is up
    a = des.simulate(s, seed, range(3), 3000.0)
    b = fast.simulate(s, seed, range(3), 3000.0)
    assert_same_timelines(a, b)


def test_large_network_steps_its_rule():
    # more members than a mask holds: the fast engine steps the rule (Python integers)
    n = 50
    links = [(f"v{i}", f"v{i + 1}") for i in range(n)] + [(f"v{i}", f"v{i + 2}") for i in range(0, n - 1, 2)]
    spec = NetworkSpec(graph(links), ("v0",), (f"v{n}",), link=("line",))
    s = network_scenario(spec, {"line": LINE}, horizon=2000.0)
    assert len(s.service.members) > fast.MASK_MEMBERS
    assert_same_timelines(des.simulate(s, 5, range(4), 2000.0), fast.simulate(s, 5, range(4), 2000.0))


def test_yaml_network_runs(tmp_path):
    text = textwrap.dedent(
        """\
        format: slasim/1
        name: square
        components:
          line: {failure: {mtbf: 990h}, repair: {mttr: 10h}}
        service:
          network:
            graph:
              nodes: [a, b, c, d]
              links: [{between: [a, b]}, {between: [b, d]}, {between: [a, c]}, {between: [c, d]}]
            source: a
            target: d
            link: line
        """
    )
    s = loads(text, source="square.yaml")
    assert_same_timelines(des.simulate(s, 0, range(5), YEAR), fast.simulate(s, 0, range(5), YEAR))


def test_saas_europe_variants_load():
    import yaml

    import simulation as sim

    root = Path(__file__).resolve().parent.parent / "scenarios"
    base = sim.load(root / "saas-europe.yaml")
    variants = yaml.safe_load((root / "variants" / "saas-europe.yaml").read_text())
    assert list(variants) == ["single-homed", "dual-homed", "two-data-centres", "dual-homed-two-data-centres"]
    for changes in variants.values():
        s = base.with_(changes) if changes else base
        net = s.service.members[1]
        assert fast.unsupported_reason(s) is None
        assert net.spec.targets in (("de1.de",), ("de1.de", "nl1.nl"))
        assert dict(net.spec.node_types)["nl1.nl"] == (
            "data-centre" if len(net.spec.targets) == 2 else "core-router"
        )


def test_network_downtime_split_into_disconnection_and_latency():
    """The block's hours beyond the bound and disconnected add up to its outages exactly,
    and each is within 4 standard errors of its exact share: beyond the bound while the
    direct link is down and the detour up (0.01 x 0.99^2), disconnected otherwise."""
    links = [("a", "d"), ("a", "b"), ("b", "d")]
    km = {("a", "d"): 100.0, ("a", "b"): 1500.0, ("b", "d"): 1500.0}
    spec = NetworkSpec(graph(links, km), ("a",), ("d",), link=("line",), max_latency_hours=2e-3 / 3600)
    s = network_scenario(spec, {"line": LINE}, start="steady")
    reps = 2000
    [(name, disconnected, slow)] = fast.network_downtime(s, 1, range(reps), YEAR)
    assert name == "network"
    down = np.array([tl.downtime_hours for tl in fast.simulate(s, 1, range(reps), YEAR)])
    np.testing.assert_allclose(disconnected + slow, down, rtol=0, atol=1e-9)
    for hours, exact in ((slow, 0.01 * 0.99**2), (disconnected, 0.01 * (1 - 0.99**2))):
        share = hours / YEAR
        assert abs(share.mean() - exact) <= 4 * share.std(ddof=1) / math.sqrt(reps), (share.mean(), exact)


def test_report_gives_network_downtime_by_reason():
    import jsonschema

    import simulation as sim
    from simulation.report.json_report import REPORT_SCHEMA

    text = GEANT.replace(
        "format: slasim/1\nname: geant\n", "format: slasim/1\nname: geant\nsla: {target: 99.9%}\n"
    )
    r = sim.run(loads(text, source="geant.yaml"), replications=30, seed=2, workers=1, progress=False)
    report = r.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    [row] = report["networks"]
    total = r.per_replication.downtime_hours.mean() * YEAR / r.horizon_hours
    assert row["disconnected_hours_per_year"] + row["latency_hours_per_year"] == pytest.approx(
        total, abs=1e-3
    )
    assert "beyond max_latency" in r.summary()


def test_network_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import simulation as sim

    r = sim.run(loads(GEANT, source="geant.yaml"), replications=20, seed=2, workers=1, progress=False)
    ax = r.plot_network()
    assert ax.get_xlabel() == "longitude (degrees)" and "at1.at to de1.de, uk1.uk" in ax.get_title()
    assert len(ax.lines) == 36 + 2  # every link, and the quickest path to each target
    assert (tmp_path / "network.png") in r.save_plots(tmp_path)
    plain = sim.run(sim.loads(HEAD_PLAIN, source="p.yaml"), replications=5, workers=1, progress=False)
    with pytest.raises(ValueError, match="no network block"):
        plain.plot_network()


HEAD_PLAIN = """\
format: slasim/1
name: plain
components:
  line: {failure: {mtbf: 990h}, repair: {mttr: 10h}}
service: line
"""
