"""Network blocks in a scenario file: graph sources, names, risk groups, length-scaled
failure, and their expansion into ordinary instances."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import networkx as nx
import pytest

from simulation.engine.support import check_supported
from simulation.model import distributions as d
from simulation.model.network import Graph, Link, NetworkSpec, RiskGroup, expand_network, great_circle_km
from simulation.model.structure import Leaf, Network, Series, leaves
from simulation.scenario import ScenarioError, loads

HEAD = """\
format: slasim/1
name: t
components:
  fibre: {failure: {rate: 2.5/y, per: 1000km}, repair: {mttr: 12h}}
  router: {failure: {mtbf: 50000h}, repair: {mttr: 2h}}
  card: {failure: {mtbf: 100000h}, repair: {mttr: 4h}}
  duct: {failure: {rate: 0.5/y}, repair: {mttr: 24h}}
"""

SQUARE = """\
graph:
  nodes: [a, b, c, d]
  links:
    - {between: [a, b], km: 100}
    - {between: [b, d], km: 100}
    - {between: [a, c], km: 100}
    - {between: [c, d], km: 100}
"""


def scenario(body: str, folder=None):
    return loads(HEAD + textwrap.dedent(body), source="t.yaml", folder=folder)


def network(body: str, **kw):
    return scenario("service:\n  network:\n" + textwrap.indent(textwrap.dedent(body), "    "), **kw)


# -- graph sources ----------------------------------------------------------------------


def test_inline_positions_give_great_circle_lengths():
    s = network(
        """\
        graph:
          nodes: {fra: {lat: 50.11, lon: 8.68}, par: {lat: 48.86, lon: 2.35}, ams: null}
          links: [{between: [fra, par]}, {between: [fra, ams], km: 360}, {between: [par, ams], km: 430}]
        source: par
        target: ams
        link: fibre
        """
    )
    g = s.service.spec.graph
    fra_par = g.link("par", "fra")
    assert fra_par.km_from == "great-circle"
    assert fra_par.km == pytest.approx(great_circle_km((8.68, 50.11), (2.35, 48.86)))
    assert fra_par.km == pytest.approx(478, abs=1)
    assert g.link("fra", "ams").km_from == "given"
    assert g.position("ams") is None and g.position("fra") == (8.68, 50.11)


def test_great_circle_quarter_meridian():
    """Pole to equator is a quarter of a great circle."""
    assert great_circle_km((0, 90), (0, 0)) == pytest.approx(3.141592653589793 / 2 * 6371.0088)


@pytest.mark.parametrize("fmt", ["graphml", "json-edges", "json-links"])
def test_graph_file(tmp_path, fmt):
    g = nx.Graph()
    g.add_node("n0", name="Frankfurt", lon=8.68, lat=50.11)
    g.add_node("n1", name="Paris", lon=2.35, lat=48.86)
    g.add_node("n2", name="Amsterdam/Schiphol", lon=4.9, lat=52.37)
    g.add_edge("n0", "n1", km=520.0)
    g.add_edge("n0", "n2", latency="2ms")
    g.add_edge("n1", "n2")
    if fmt == "graphml":
        path = tmp_path / "net.graphml"
        nx.write_graphml(g, path)
    else:
        key = "edges" if fmt == "json-edges" else "links"
        path = tmp_path / "net.json"
        path.write_text(json.dumps(nx.node_link_data(g, edges=key)))
    s = network(
        f"""\
        file: {path.name}
        source: Paris
        target: Amsterdam+Schiphol
        link: fibre
        """,
        folder=tmp_path,
    )
    graph = s.service.spec.graph
    assert graph.nodes == ("Frankfurt", "Paris", "Amsterdam+Schiphol")
    assert graph.origin == f"file {path.name}"
    assert graph.link("Frankfurt", "Paris").km == 520.0
    ams = graph.link("Frankfurt", "Amsterdam+Schiphol")
    assert ams.km_from == "great-circle" and ams.latency_hours == pytest.approx(0.002 / 3600)
    assert "network/link/Amsterdam+Schiphol-Paris/fibre" in s.instances  # ends in sorted order


def test_unreadable_graph_file(tmp_path):
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(ScenarioError, match="cannot read network file 'bad.json'"):
        network("file: bad.json\nsource: a\ntarget: b\n", folder=tmp_path)


def test_topology_by_name_with_spaces_in_node_names():
    s = network(
        """\
        topology: topozoo/Abilene
        source: New York
        target: Los Angeles
        node: router
        """
    )
    spec = s.service.spec
    assert (len(spec.graph.nodes), len(spec.graph.links)) == (11, 14)
    assert all(link.km_from == "given" and link.km > 0 for link in spec.graph.links)
    assert len(s.instances) == 11 and "network/node/New York" in s.instances


# -- names that are not in the graph get the nearest ones ------------------------------------


@pytest.mark.parametrize(
    "body, path, message",
    [
        (
            "topology: sndlib/geantt\nsource: at1.at\ntarget: uk1.uk\n",
            "network.topology",
            "unknown topology 'sndlib/geantt'.*did you mean 'sndlib/geant'",
        ),
        (
            "topology: topozoo/abilene\nsource: a\ntarget: b\n",
            "network.topology",
            "did you mean 'topozoo/Abilene'",
        ),
        (
            "topology: rocketfuel/x\nsource: a\ntarget: b\n",
            "network.topology",
            "expected sndlib/NAME or topozoo/NAME",
        ),
        (
            "topology: sndlib/geant\nsource: at1.at\ntarget: uk.uk\n",
            "network.target",
            "target 'uk.uk' is not a node of the graph.*nearest: 'uk1.uk'",
        ),
        (
            "topology: sndlib/geant\nsource: at.at\ntarget: uk1.uk\n",
            "network.source",
            "source 'at.at' is not a node.*'at1.at'",
        ),
        (
            "topology: sndlib/geant\nsources: [at1.at, frr.fr]\ntarget: uk1.uk\n",
            r"network.sources\[1\]",
            "source 'frr.fr' is not a node.*'fr1.fr'",
        ),
        (
            "topology: sndlib/geant\nsource: at1.at\ntargets: [uk1.uk, de.de]\n",
            r"network.targets\[1\]",
            "target 'de.de' is not a node.*'de1.de'",
        ),
        (
            "topology: sndlib/geant\nsource: at1.at\ntarget: uk1.uk\nnode: {uk.uk: router}\n",
            "network.node.uk.uk",
            "node 'uk.uk' is not a node.*'uk1.uk'",
        ),
        (
            "topology: sndlib/geant\nsource: at1.at\ntarget: uk1.uk\n"
            "risk_groups: {d: {component: duct, links: [[fr1.fr, uk.uk]]}}\n",
            r"network.risk_groups.d.links\[0\]\[1\]",
            "node 'uk.uk' is not a node.*'uk1.uk'",
        ),
        (
            "topology: sndlib/geant\nsource: at1.at\ntarget: uk1.uk\n"
            "risk_groups: {d: {component: duct, links: [[at1.at, uk1.uk]]}}\n",
            r"network.risk_groups.d.links\[0\]",
            "no link between 'at1.at' and 'uk1.uk'",
        ),
    ],
)
def test_names_not_in_the_graph(body, path, message):
    with pytest.raises(ScenarioError, match=message) as info:
        network(body)
    assert info.value.path == "service." + path.replace("\\", "")


@pytest.mark.parametrize(
    "body, message",
    [
        (
            SQUARE + "source: a\ntarget: d\nlink: [fibre]\nnode: fibre\n",
            "fails per km of link and cannot be a node",
        ),
        (
            "graph: {nodes: [a, b], links: [{between: [a, b]}]}\nsource: a\ntarget: b\nlink: fibre\n",
            "link a-b has no length, but 'fibre' fails per km",
        ),
        (
            "graph: {nodes: [a, b], links: [{between: [a, b]}]}\nsource: a\ntarget: b\nmax_latency: 5ms\n",
            "max_latency needs each link's latency",
        ),
        (
            SQUARE + "source: a\ntarget: d\nmax_latency: 1ms\n",
            "quickest path from 'a' to 'd' takes 1 ms, more than max_latency 1 ms"[:40],
        ),
        (
            "graph: {nodes: [a, b, c], links: [{between: [a, b], km: 1}]}\nsource: a\ntarget: c\n",
            "no path joins 'a' to target 'c'",
        ),
        (SQUARE + "source: a\ntarget: a\n", "'a' is both a source and a target"),
        (SQUARE + "source: a\nsources: [b]\ntarget: d\n", "exactly one of 'source'"),
        (SQUARE + "source: a\ntarget: d\nneed: most\n", "need is any or all"),
        (
            "graph: {nodes: [a, b], links: [{between: [a, b], km: 1}, {between: [b, a], km: 2}]}\n"
            "source: a\ntarget: b\n",
            "a second link between b and a",
        ),
        (
            "graph: {nodes: [a, b], links: [{between: [a, b], km: 1}]}\n"
            "file: x.graphml\nsource: a\ntarget: b\n",
            "exactly one of topology, graph or file; got graph or file",
        ),
    ],
)
def test_network_errors(body, message):
    with pytest.raises(ScenarioError, match=message):
        network(body)


def test_length_scaled_type_only_in_links():
    with pytest.raises(
        ScenarioError, match="'fibre' fails per km of link.*only be a part of a network's links"
    ):
        scenario("service: {series: [router, fibre]}\n")


def test_two_unnamed_networks_in_one_scope_need_names():
    net = (
        "{network: {graph: {nodes: [a, b], links: [{between: [a, b], km: 1}]}, "
        "source: a, target: b, node: router}}"
    )
    with pytest.raises(ScenarioError, match="give each network in this scope its own 'name:'"):
        scenario(f"service: {{series: [{net}, {net}]}}\n")


# -- expansion into instances ---------------------------------------------------------------


def test_risk_group_is_one_shared_instance_in_each_link_series():
    s = network(
        SQUARE
        + """\
source: a
target: d
link: [fibre, {card: 2}]
risk_groups:
  duct-7: {component: duct, links: [[a, b], [c, a]]}
"""
    )
    net = s.service
    assert isinstance(net, Network)
    assert net.elements == (("a", "b"), ("b", "d"), ("a", "c"), ("c", "d"))
    ab = net.members[0]
    assert isinstance(ab, Series) and ab.name == "network/link/a-b"
    assert [m.instance for m in ab.members] == [
        "network/link/a-b/fibre",
        "network/link/a-b/card-1",
        "network/link/a-b/card-2",
        "network/risk/duct-7",
    ]
    assert net.members[2].members[-1] == Leaf("network/risk/duct-7")
    assert len(net.members[1].members) == 3  # b-d runs through no duct
    duct = s.instances["network/risk/duct-7"]
    assert duct.shared and duct.component == "duct"
    assert len(s.instances) == 4 * 3 + 1
    assert len(leaves(s.service)) == 13
    assert s.component_of("network/link/b-d/fibre").failure.rate == pytest.approx(2.5 / 8760 / 10)


def test_network_in_template_copies_and_per_site_sources():
    s = scenario(
        """\
blocks:
  access:
    network:
      graph: {nodes: [a, b, c], links: [{between: [a, c], km: 10}, {between: [b, c], km: 20}]}
      sources: all
      targets: [c]
      link: fibre
    name: wan
service: {parallel: [{access: 2}]}
"""
    )
    assert "access-2/wan/link/b-c/fibre" in s.instances
    assert len(s.instances) == 4
    spec = s.service.members[0].spec
    assert spec.per_site and spec.sources == ("a", "b")


def test_nodes_without_types_never_fail_and_links_of_nothing_are_not_members():
    s = network(SQUARE + "source: a\ntarget: d\nnode: {b: router}\n")
    assert s.service.members == (Leaf("network/node/b"),)
    assert s.service.elements == ("b",)
    assert list(s.instances) == ["network/node/b"]


def test_expand_network_is_pure_and_checks_lengths():
    graph = Graph(("a", "b"), (Link("a", "b", None),))
    spec = NetworkSpec(graph, ("a",), ("b",), link=("fibre",))
    comps = scenario("service: router\n").components
    with pytest.raises(ValueError, match="link a-b has no length"):
        expand_network(spec, "wan", comps)
    spec = NetworkSpec(
        Graph(("a", "b"), (Link("a", "b", 200.0),)),
        ("a",),
        ("b",),
        link=("fibre",),
        risk_groups=(RiskGroup("r", "duct", (("a", "b"),)),),
    )
    assert expand_network(spec, "wan", comps) == expand_network(spec, "wan", comps)
    block, instances = expand_network(spec, "wan", comps)
    assert [i.id for i in instances] == ["wan/link/a-b/fibre", "wan/risk/r"]
    assert isinstance(instances[0].failure, d.Exponential)
    assert instances[0].failure.rate == pytest.approx(2.5 / 8760 * 0.2)


def test_engines_run_per_site_sources():
    check_supported(network(SQUARE + "source: a\ntarget: d\nnode: router\n"))
    check_supported(network(SQUARE + "sources: [a, b]\ntarget: d\nnode: router\n"))


def test_per_site_networks_must_name_the_same_sites():
    body = """\
    service:
      series:
        - name: one
          network: {graph: {nodes: [a, b, c], links: [{between: [a, b]}, {between: [b, c]}]},
                    sources: [a, b], target: c, node: router}
        - name: two
          network: {graph: {nodes: [a, b, c], links: [{between: [a, b]}, {between: [b, c]}]},
                    sources: [a], target: c, node: router}
    """
    with pytest.raises(ScenarioError, match="not the same sites"):
        scenario(body)


def test_validate_counts_network_instances(tmp_path):
    path = tmp_path / "geant.yaml"
    path.write_text(
        HEAD + "service:\n  network: {topology: sndlib/geant, source: at1.at, target: uk1.uk, "
        "node: router, link: [fibre, card]}\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "validate", str(path)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "ok (94 instances)" in out.stdout  # 22 nodes + 36 links x 2 parts


def test_the_documented_example_loads():
    """The Networks example of docs/scenario-format.md is a valid block."""
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Networks") :]
    block = section[section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml"))]
    s = loads(
        HEAD
        + "  core-router: {failure: {mtbf: 50000h}, repair: {mttr: 4h}}\n"
        + "  line-card: {failure: {mtbf: 200000h}, repair: {mttr: 4h}}\n"
        + "  access-line: {failure: {mtbf: 8760h}, repair: {mttr: 8h}}\n"
        + "service:\n  series:\n"
        + textwrap.indent(block, "    "),
        source="doc.yaml",
    )
    net = s.service.members[0]
    assert net.name == "wan" and net.spec.graph.origin == "topology sndlib/geant"
    assert s.instances["wan/risk/channel-duct"].shared
    assert len(s.instances) == 22 + 36 * 3 + 1 + 2  # and the site's two access lines
    assert s.instances["wan/access/at1.at-sk1.sk/access-line"]


def test_length_scaled_part_of_a_zero_length_link_never_fails():
    s = network(
        "graph: {nodes: [a, b, c], links: [{between: [a, b], km: 0}, {between: [b, c], km: 50}]}\n"
        "source: a\ntarget: c\nlink: [fibre, card]\n"
    )
    assert list(s.instances) == [
        "network/link/a-b/card",
        "network/link/b-c/fibre",
        "network/link/b-c/card",
    ]


def test_json_schema_knows_the_network_keys():
    """The editor schema takes what the parser takes, and rejects a missing target."""
    import jsonschema
    import yaml

    from simulation.scenario import json_schema
    from simulation.scenario.network import NETWORK_KEYS

    schema = json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    net = schema["$defs"]["block"]["anyOf"]
    props = next(b["properties"]["network"] for b in net if "network" in b.get("properties", {}))
    assert set(props["properties"]) == set(NETWORK_KEYS)
    text = HEAD + textwrap.dedent(
        """\
        service:
          network:
            graph:
              nodes: {a: {lat: 50.1, lon: 8.7}, b: null, c: null}
              links: [{between: [a, b], km: 10}, {between: [b, c], km: 10, latency: 1ms}]
            sources: [a, b]
            targets: [c]
            need: all
            link: fibre
            risk_groups: {d: {component: duct, links: [[a, b]]}}
            max_latency: 10ms
        """
    )
    loads(text, source="t.yaml")
    data = yaml.safe_load(text)
    assert not [e.message for e in validator.iter_errors(data)]
    del data["service"]["network"]["targets"]
    assert not validator.is_valid(data)


def test_broken_graphml(tmp_path):
    (tmp_path / "bad.graphml").write_text("<graphml><graph>")
    with pytest.raises(ScenarioError, match="cannot read network file 'bad.graphml'"):
        network("file: bad.graphml\nsource: a\ntarget: b\n", folder=tmp_path)


def test_a_parsed_network_travels_without_its_file(tmp_path):
    """The graph is read at parse time: the pickled scenario needs no file (a remote worker)."""
    import pickle

    g = nx.cycle_graph(["a", "b", "c"])
    nx.set_edge_attributes(g, 100.0, "km")
    (tmp_path / "ring.json").write_text(json.dumps(nx.node_link_data(g, edges="edges")))
    s = network("file: ring.json\nsource: a\ntarget: c\nlink: fibre\n", folder=tmp_path)
    (tmp_path / "ring.json").unlink()
    copy = pickle.loads(pickle.dumps(s))
    assert copy.service == s.service and copy.instances == s.instances
    assert len(copy.service.spec.graph.links) == 3


def test_a_topohub_json_file_reads_like_the_topology(tmp_path):
    """topohub's own node-link JSON (integer ids, names, pos, dist) read as a file."""
    import topohub

    (tmp_path / "polska.json").write_text(json.dumps(topohub.get("sndlib/polska")))
    from_file = network("file: polska.json\nsource: Gdansk\ntarget: Krakow\n", folder=tmp_path)
    by_name = network("topology: sndlib/polska\nsource: Gdansk\ntarget: Krakow\n")
    a, b = from_file.service.spec.graph, by_name.service.spec.graph
    assert (a.nodes, a.links, a.positions) == (b.nodes, b.links, b.positions)
    named = topohub.get("sndlib/polska", use_names=True)
    dist = next(e["dist"] for e in named["edges"] if {e["source"], e["target"]} == {"Gdansk", "Warsaw"})
    assert b.link("Gdansk", "Warsaw").km == dist  # topohub's great-circle length, as given
    assert b.link("Gdansk", "Warsaw").km_from == "given"
    assert b.position("Gdansk") == tuple(next(n["pos"] for n in named["nodes"] if n["id"] == "Gdansk"))


def test_access_lines_and_their_errors():
    s = network(SQUARE + "sources: [a, b]\ntarget: d\nlink: fibre\naccess: {link: [card, card]}\n")
    spec = s.service.spec
    assert spec.access == ("card", "card") and spec.homes == (("a", (("a", 0.0),)), ("b", (("b", 0.0),)))
    assert [i for i in s.instances if "/access/" in i] == [
        "network/access/a/card-1",
        "network/access/a/card-2",
        "network/access/b/card-1",
        "network/access/b/card-2",
    ]
    with pytest.raises(ScenarioError, match=r"network.access.homes: homes is 1 .* or 2"):
        network(SQUARE + "source: a\ntarget: d\naccess: {link: card, homes: 3}\n")
    with pytest.raises(ScenarioError, match="site 'a' has no position"):
        network(SQUARE + "source: a\ntarget: d\naccess: {link: card, homes: 2}\n")
    with pytest.raises(ScenarioError, match=r"network.access: missing required key 'link'"):
        network(SQUARE + "source: a\ntarget: d\naccess: {homes: 1}\n")


def test_a_link_has_one_name_however_its_ends_are_written():
    """`[b, a]` and `[a, b]` are one link, `a-b`: the same instances and the same draws,
    so a graph written inline and read from a file run alike with one seed."""
    import numpy as np

    from simulation.engine import fast

    runs = []
    for ends in ("[a, b]", "[b, a]"):
        s = network(
            f"""\
            graph:
              nodes: [a, b, c]
              links:
                - {{between: {ends}, km: 900}}
                - {{between: [b, c], km: 800}}
                - {{between: [a, c], km: 2000}}
            source: a
            target: c
            link: fibre
            """
        )
        assert "network/link/a-b/fibre" in s.instances
        runs.append(fast.simulate(s, 3, range(20), 20000.0))
    for x, y in zip(*runs, strict=True):
        assert np.array_equal(x.start, y.start) and np.array_equal(x.end, y.end)
