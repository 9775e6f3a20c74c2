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
from hypothesis import HealthCheck, assume, event, given, settings
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
    for name, changes in variants.items():
        s = base.with_(changes) if changes else base
        net = s.service
        assert fast.unsupported_reason(s) is None
        assert len(net.spec.sources) == 18 and net.spec.sources[0] == "pt1.pt"
        assert net.spec.targets in (("de1.de",), ("de1.de", "nl1.nl"))
        assert dict(net.spec.node_types)["nl1.nl"] == (
            "data-centre" if len(net.spec.targets) == 2 else "core-router"
        )
        homes = dict(net.spec.homes)
        assert len(homes["pt1.pt"]) == (2 if name.startswith("dual-homed") else 1)
        if name.startswith("dual-homed"):  # Lisbon's second line goes to Madrid, another PoP
            assert homes["pt1.pt"][1][0] == "es1.es"


def test_network_downtime_split_into_disconnection_and_latency():
    """The block's hours beyond the bound and disconnected add up to its outages exactly,
    and each is within 4 standard errors of its exact share: beyond the bound while the
    direct link is down and the detour up (0.01 x 0.99^2), disconnected otherwise."""
    links = [("a", "d"), ("a", "b"), ("b", "d")]
    km = {("a", "d"): 100.0, ("a", "b"): 1500.0, ("b", "d"): 1500.0}
    spec = NetworkSpec(graph(links, km), ("a",), ("d",), link=("line",), max_latency_hours=2e-3 / 3600)
    s = network_scenario(spec, {"line": LINE}, start="steady")
    reps = 2000
    timelines = fast.simulate(s, 1, range(reps), YEAR)
    hours = np.stack([tl.network_hours for tl in timelines])
    assert hours.shape == (reps, 1, 2)
    disconnected, slow = hours[:, 0, 0], hours[:, 0, 1]
    down = np.array([tl.downtime_hours for tl in timelines])
    np.testing.assert_allclose(disconnected + slow, down, rtol=0, atol=1e-9)
    # the SimPy engine carries the very same hours
    same = np.stack([tl.network_hours for tl in des.simulate(s, 1, range(50), YEAR)])
    np.testing.assert_array_equal(same, hours[:50])
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


# -- per-site sources: several outputs of one run ----------------------------------------


def seen_from(scenario: Scenario, site: str) -> Scenario:
    """`scenario` with its per-site network block seen from `site` alone (``source:``;
    the instances of every site's access lines stay, so causes keep their indices)."""
    from simulation.model.network import site_services

    root = dict(site_services(scenario.service))[site]
    plain = dataclasses.replace
    if isinstance(root, type(scenario.service)) and hasattr(root, "spec"):
        spec = plain(root.spec, sources=(site,), per_site=False)
        return plain(scenario, service=plain(root, spec=spec, source=None))
    raise AssertionError("the helper takes a network block as the service")


GEANT_SITES = GEANT.replace("    source: at1.at\n", "    sources: [at1.at, fr1.fr, pl1.pl, es1.es]\n")


@pytest.mark.parametrize("start", ["new", "steady"])
def test_engines_agree_on_every_site_of_geant(start):
    """One run gives each site's outages: the same from both engines, and the same as a
    run of the network seen from that site alone (the same draws)."""
    s = loads(GEANT_SITES, source="geant.yaml")
    s = dataclasses.replace(s, run=dataclasses.replace(s.run, start=start))
    a = des.simulate_outputs(s, 3, range(30), YEAR)
    b = fast.simulate_outputs(s, 3, range(30), YEAR)
    assert len(a) == len(b) == 1 + 4
    assert a[0] is a[1] and b[0] is b[1]  # the headline is the first site
    downs = []
    for i, site in enumerate(("at1.at", "fr1.fr", "pl1.pl", "es1.es"), start=1):
        assert_same_timelines(a[i], b[i])
        alone = seen_from(s, site)
        assert_same_timelines(b[i], fast.simulate(alone, 3, range(30), YEAR))
        downs.append(sum(tl.downtime_hours for tl in b[i]))
    assert len(set(downs)) == 4  # the sites do see different outages
    np.testing.assert_array_equal(
        np.stack([tl.network_hours for tl in a[0]]), np.stack([tl.network_hours for tl in b[0]])
    )


SITES_BEHIND_STANDBY = """\
format: slasim/1
name: sites behind a switch
components:
  line: {failure: {mtbf: 700h}, repair: {mttr: 20h}}
  satellite: {failure: {mtbf: 500h}, repair: {mttr: 30h}}
  app: {failure: {mtbf: 2000h}, repair: {mttr: 3h}}
service:
  series:
    - app
    - standby:
        - name: wan
          network:
            graph:
              nodes: [a, b, c, d, e]
              links:
                - {between: [a, b]}
                - {between: [b, c]}
                - {between: [c, d]}
                - {between: [d, a]}
                - {between: [e, c]}
            sources: [a, b, e]
            target: c
            link: line
        - satellite
      switchover: {dist: lognormal, median: 10min, p95: 1h}
"""


def test_sites_behind_a_switching_block_draw_as_the_service():
    """A standby above the network is copied per site, with the stream key of the
    service's: each site's switchovers are those of a run seen from that site alone."""
    s = loads(SITES_BEHIND_STANDBY, source="s.yaml")
    a = des.simulate_outputs(s, 4, range(20), 5000.0)
    b = fast.simulate_outputs(s, 4, range(20), 5000.0)
    for i in range(4):
        assert_same_timelines(a[i], b[i])
    text = SITES_BEHIND_STANDBY.replace("sources: [a, b, e]", "source: e")
    alone = fast.simulate(loads(text, source="s.yaml"), 4, range(20), 5000.0)
    assert_same_timelines(b[3], alone)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.integers(0, 2**16), st.data())
def test_engines_agree_on_every_site_of_random_networks(case, seed, data):
    spec, comps, start = case
    others = [v for v in spec.graph.nodes if v not in spec.targets]
    assume(len(others) >= 2)
    sites = tuple(data.draw(st.lists(st.sampled_from(others), min_size=2, max_size=4, unique=True)))
    spec = dataclasses.replace(spec, sources=sites, per_site=True)
    if data.draw(st.booleans()):  # each site behind its access lines, some dual-homed
        homes = []
        for site in sites:
            lines = [(site, 0.0)]
            if data.draw(st.booleans()):
                other = data.draw(st.sampled_from([v for v in spec.graph.nodes if v != site]))
                lines.append((other, float(data.draw(st.integers(0, 1500)))))
            homes.append((site, tuple(lines)))
        spec = dataclasses.replace(spec, access=("part",), homes=tuple(homes))
        event("access lines")
    s = network_scenario(spec, comps, horizon=3000.0, start=start)
    assume(s.service.members)
    for site in sites:
        assume(Connectivity(s.service, site).state(0) == CONNECTED)
    a = des.simulate_outputs(s, seed, range(3), 3000.0)
    b = fast.simulate_outputs(s, seed, range(3), 3000.0)
    assert len(a) == len(b) == 1 + len(sites)
    for i, site in enumerate(sites, start=1):
        assert_same_timelines(a[i], b[i])
        assert_same_timelines(b[i], fast.simulate(seen_from(s, site), seed, range(3), 3000.0))


# -- access lines: single- and dual-homed customer sites ---------------------------------

ACCESS = GEANT_SITES.replace(
    "    max_latency: 9ms\n", "    max_latency: 12ms\n    access: {link: [line, card], homes: 2}\n"
).replace("  card: {", "  line: {failure: {mtbf: 3000h}, repair: {mttr: 8h}}\n  card: {")


def test_access_lines_of_every_site_in_both_engines():
    """Each site reaches the backbone through its own access lines (dual-homed: its own
    node and the nearest other one); one run, the same outages from both engines and
    from a run seen from the site alone."""
    s = loads(ACCESS, source="geant.yaml")
    ids = [i for i in s.instances if "/access/" in i]
    assert ids[:4] == [
        "network/access/at1.at/line",
        "network/access/at1.at/card",
        "network/access/at1.at-sk1.sk/line",
        "network/access/at1.at-sk1.sk/card",
    ]
    assert len(ids) == 4 * 4
    a = des.simulate_outputs(s, 6, range(25), YEAR)
    b = fast.simulate_outputs(s, 6, range(25), YEAR)
    for x, y in zip(a, b):
        assert_same_timelines(x, y)
    ids = list(s.instances)
    for i, site in enumerate(("at1.at", "fr1.fr", "pl1.pl", "es1.es"), start=1):
        alone = loads(
            ACCESS.replace("sources: [at1.at, fr1.fr, pl1.pl, es1.es]", f"source: {site}"), "g.yaml"
        )
        own = list(alone.instances)  # fewer access lines: causes are compared by instance id
        for x, y in zip(b[i], fast.simulate(alone, 6, range(25), YEAR)):
            np.testing.assert_array_equal(x.start, y.start)
            np.testing.assert_array_equal(x.end, y.end)
            assert [ids[c] for c in x.cause] == [own[c] for c in y.cause]


def test_dual_homed_site_exact():
    """A site dual-homed onto a two-node backbone: up while (its line to a is up, or its
    line to b and the a-b link are up); a target at a. Exact: 1 - (1 - p)(1 - p^2)."""
    from simulation.analytic import steady_state_availability

    text = """\
format: slasim/1
name: dual
components:
  line: {failure: {mtbf: 990h}, repair: {mttr: 10h}}
service:
  network:
    graph:
      nodes: {s: {lat: 50.0, lon: 8.0}, a: {lat: 52.0, lon: 4.0}, t: {lat: 48.0, lon: 2.0}}
      links: [{between: [s, a]}, {between: [a, t]}]
    sources: [s, a]
    target: t
    link: line
    access: {link: line, homes: 2}
"""
    s = loads(text, source="dual.yaml")
    p = 0.99
    # from s: access s-s or s-a; then s-a-t or a-t; s's own line: s-a link and a-t
    from_s = (1 - (1 - p * p) * (1 - p)) * p  # (own line & s-a link, or line to a) then a-t
    assert steady_state_availability(s) == pytest.approx(from_s, rel=1e-12)
    # the simulated value agrees within its error (2000 replications, steady start)
    s = dataclasses.replace(s, run=dataclasses.replace(s.run, start="steady"))
    assert_exact(s, from_s)


def test_result_sites_summary_report_and_plot(tmp_path):
    """`Result.sites` gives each site's figures from one run; the run's own figures are
    the first site's; the summary names the sites most at risk; the JSON report lists
    them; the plot colours them."""
    import jsonschema
    import matplotlib

    matplotlib.use("Agg")
    import simulation as sim
    from simulation.report.json_report import REPORT_SCHEMA

    text = GEANT_SITES.replace(
        "format: slasim/1\nname: geant\n",
        "format: slasim/1\nname: geant\nsla: {target: 99.9%, credits: [{below: 99.9%, credit: 10%}]}\n",
    )
    r = sim.run(loads(text, source="geant.yaml"), replications=60, seed=2, workers=1, progress=False)
    sites = r.sites
    assert list(sites.site) == ["at1.at", "fr1.fr", "pl1.pl", "es1.es"]
    first = r.site_results["at1.at"]
    assert sites.availability[0] == r.availability == first.availability
    assert sites.breach_probability[0] == r.breach_probability
    assert (sites.availability_ci_low <= sites.availability).all()
    assert (sites.availability <= sites.availability_ci_high).all()
    worst = sites.site[sites.breach_probability.idxmax()]
    summary = r.summary()
    assert "seen from         site at1.at, the first of 4 customer sites" in summary
    assert f"most at risk: {worst} " in summary
    report = r.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert [row["site"] for row in report["sites"]] == list(sites.site)
    assert report["sites"][0]["availability"] == round(r.availability, 6)
    # a site's timeline simulated again (one not kept) is that site's
    kept = {i for i, _ in r.site_results["pl1.pl"].worst_timelines}
    rep = next(i for i in range(60) if i not in kept)
    again = r.site_results["pl1.pl"].timeline(rep)
    direct = fast.simulate_outputs(r.scenario, 2, range(rep, rep + 1), r.horizon_hours)[3][0]
    np.testing.assert_array_equal(again.start, direct.start)
    ax = r.plot_network()
    assert "4 sites; from at1.at" in ax.get_title()
    labels = [a.get_ylabel() for a in ax.figure.axes]
    assert "sites: P(breach per month)" in labels
    plain = sim.run(loads(GEANT, source="geant.yaml"), replications=5, workers=1, progress=False)
    assert plain.sites is None and plain.to_dict()["sites"] is None
