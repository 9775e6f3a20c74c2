"""The ``network`` block of a scenario file -> `simulation.model.network.NetworkSpec`.

The graph is read when the scenario is parsed, from one of three sources, so that a
parsed scenario carries it whole (a worker that runs it may not have the file):

- ``graph:`` inline: ``{nodes: [a, b] | {a: {lat: 50.1, lon: 8.7}, ...}, links:
  [{between: [a, b], km: 120, latency: 1ms}, ...]}``;
- ``file:`` a GraphML or networkx node-link JSON file, read with networkx;
- ``topology:`` a real topology by name from the `topohub` package: ``sndlib/NAME``
  (SNDlib) or ``topozoo/NAME`` (the Internet Topology Zoo).

A link without a length gets the great-circle distance between its end nodes where
both positions are known (`Link.km_from` says which). Every node name the block uses
(source, targets, node map, risk group links) must be in the graph; a miss is an error
with the nearest names.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from pathlib import Path

from simulation.model.components import ComponentType
from simulation.model.network import Graph, Link, NetworkSpec, RiskGroup, great_circle_km
from simulation.scenario import units
from simulation.scenario.checks import (
    At,
    check_keys,
    expect_int,
    expect_list,
    expect_map,
    expect_name,
    expect_number,
    expect_str,
    type_name,
)
from simulation.scenario.errors import did_you_mean, nearest, one_of

NETWORK_KEYS = (
    "topology",
    "graph",
    "file",
    "source",
    "sources",
    "target",
    "targets",
    "need",
    "node",
    "link",
    "risk_groups",
    "max_latency",
    "access",
)
GRAPH_SOURCES = ("topology", "graph", "file")
#: topohub collections with real, named topologies.
TOPOLOGY_COLLECTIONS = ("sndlib", "topozoo")
NEEDS = ("any", "all")


def parse_network(value, at: At, components: Mapping[str, ComponentType]) -> NetworkSpec:
    """A checked `NetworkSpec` from the mapping under ``network:``.

    Parameters
    ----------
    value : mapping
        The block's ``network:`` value.
    at : At
        Its position (``...network``).
    components : mapping of str to ComponentType
        The scenario's component types.

    Raises
    ------
    ScenarioError
        Naming the file, line and key path of the first problem.
    """
    net = expect_map(value, at, "a network mapping (topology | graph | file, source, target, ...)")
    check_keys(net, at, NETWORK_KEYS)
    given = [k for k in GRAPH_SOURCES if k in net]
    if len(given) != 1:
        got = one_of(given) if given else "none"
        raise at.error(f"a network needs exactly one of topology, graph or file; got {got}")
    source = given[0]
    if source == "topology":
        graph = _topology(net["topology"], at.key(net, "topology"))
    elif source == "file":
        graph = _file(net["file"], at.key(net, "file"))
    else:
        graph = _inline(net["graph"], at.key(net, "graph"))
    graph = _with_great_circle_lengths(graph)
    targets = _targets(net, at, graph)
    sources, per_site = _sources(net, at, graph, targets)
    need = "any"
    if net.get("need") is not None:
        need = net["need"]
        if need not in NEEDS:
            raise at.key(net, "need").error(
                f"need is any or all (of the targets), got {type_name(need)}", did_you_mean(need, NEEDS)
            )
    node_types = _node_types(net, at, graph, components)
    link = _link_parts(net, at, components)
    risk_groups = _risk_groups(net, at, graph, components)
    spec = NetworkSpec(
        graph=graph,
        sources=sources,
        targets=targets,
        need=need,
        node_types=node_types,
        link=link,
        risk_groups=risk_groups,
        max_latency_hours=_max_latency(net, at, graph),
        per_site=per_site,
        **_access(net, at, graph, sources, components),
    )
    _check_lengths(spec, net, at, components)
    _check_connected(spec, at)
    return spec


# -- graph sources ---------------------------------------------------------------------


def _node_name(value, at: At) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    name = expect_str(value, at, "a node name")
    if "/" in name:
        raise at.error(f"a node name cannot contain '/' (it separates the parts of instance ids): '{name}'")
    return name


def _inline(value, at: At) -> Graph:
    g = expect_map(value, at, "{nodes: [...], links: [{between: [a, b], km: 120}, ...]}")
    check_keys(g, at, ("nodes", "links"), required=("nodes", "links"))
    n_at = at.key(g, "nodes")
    nodes: list[str] = []
    positions: list[tuple[str, float, float]] = []
    raw = g["nodes"]
    if isinstance(raw, dict):
        for key, pos in raw.items():
            name = _node_name(key, n_at.key_itself(raw, key))
            nodes.append(name)
            if pos is not None:
                positions.append((name, *_position(pos, n_at.key(raw, key))))
    else:
        seq = expect_list(raw, n_at, "a list of node names, or a mapping node -> {lat: .., lon: ..}")
        for i, item in enumerate(seq):
            name = _node_name(item, n_at.item(seq, i))
            if name in nodes:
                raise n_at.item(seq, i).error(f"node '{name}' is listed twice")
            nodes.append(name)
    l_at = at.key(g, "links")
    links: list[Link] = []
    seen: dict[frozenset, int] = {}
    lseq = expect_list(g["links"], l_at, "a list of links")
    for i, item in enumerate(lseq):
        sub = l_at.item(lseq, i)
        link = expect_map(item, sub, "{between: [a, b], km: 120, latency: 2ms}")
        check_keys(link, sub, ("between", "km", "latency"), required=("between",))
        b_at = sub.key(link, "between")
        ends = expect_list(link["between"], b_at, "a list of two nodes")
        if len(ends) != 2:
            raise b_at.error(f"a link is between two nodes, got {len(ends)}")
        pair = []
        for j, end in enumerate(ends):
            end = str(end) if isinstance(end, (int, float)) and not isinstance(end, bool) else end
            if end not in nodes:
                raise b_at.item(ends, j).error(
                    f"'{end}' is not a node of the graph", did_you_mean(end, nodes)
                )
            pair.append(end)
        if pair[0] == pair[1]:
            raise b_at.error(f"a link joins two different nodes, got {pair[0]} twice")
        key = frozenset(pair)
        if key in seen:
            raise b_at.error(
                f"a second link between {pair[0]} and {pair[1]} (the first is links[{seen[key]}]); "
                "a network has one link per pair of nodes"
            )
        seen[key] = i
        km = sub.key(link, "km").convert(units.length, link["km"]) if link.get("km") is not None else None
        latency = (
            sub.key(link, "latency").convert(units.latency, link["latency"])
            if link.get("latency") is not None
            else 0.0
        )
        links.append(Link(pair[0], pair[1], km, "given" if km is not None else None, latency))
    return Graph(tuple(nodes), tuple(links), tuple(positions), "inline")


def _position(value, at: At) -> tuple[float, float]:
    pos = expect_map(value, at, "a position {lat: 50.11, lon: 8.68} in degrees")
    check_keys(pos, at, ("lat", "lon"), required=("lat", "lon"))
    lat = expect_number(pos["lat"], at.key(pos, "lat"), what="a latitude in degrees")
    lon = expect_number(pos["lon"], at.key(pos, "lon"), what="a longitude in degrees")
    if not -90 <= lat <= 90:
        raise at.key(pos, "lat").error(f"a latitude is between -90 and 90 degrees, got {lat:g}")
    if not -180 <= lon <= 180:
        raise at.key(pos, "lon").error(f"a longitude is between -180 and 180 degrees, got {lon:g}")
    return (lon, lat)


def _file(value, at: At) -> Graph:
    rel = expect_str(value, at, "a path to a .graphml or node-link .json file")
    path = Path(rel) if Path(rel).is_absolute() else at.folder / rel
    suffix = path.suffix.lower()
    if suffix not in (".graphml", ".json"):
        raise at.error(f"a network file is .graphml or node-link .json, got '{rel}'")
    if not path.is_file():
        raise at.error(f"network file '{rel}' not found ({path})")
    from xml.etree import ElementTree

    import networkx as nx

    try:
        if suffix == ".graphml":
            g = nx.read_graphml(path)
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "nodes" not in data:
                raise ValueError("not a node-link graph (a JSON object with 'nodes' and 'edges' or 'links')")
            g = nx.node_link_graph(data, edges="edges" if "edges" in data else "links")
    except (OSError, ValueError, KeyError, TypeError, nx.NetworkXError, ElementTree.ParseError) as exc:
        raise at.error(f"cannot read network file '{rel}': {exc}") from None
    return graph_from_networkx(g, f"file {rel}", at)


def graph_from_networkx(g, origin: str, at: At) -> Graph:
    """A `Graph` from a networkx graph read from a file or a topology.

    Node names: the nodes' ``name`` (else ``label``) attribute, else their ids; a name
    held by several nodes gets `` (ID)`` appended, and ``/`` in a name becomes ``+``.
    Positions: ``pos`` as (longitude, latitude), or ``lon``/``lat``, or
    ``Longitude``/``Latitude`` (Topology Zoo). Link lengths: the edge's ``km``, else
    ``dist`` (topohub's, in km). Link latency: ``latency`` with a unit, e.g. ``"2ms"``.
    """
    if g.is_multigraph():
        pairs = [(u, v) for u, v, k in g.edges(keys=True) if k != 0]
        if pairs:
            u, v = pairs[0]
            raise at.error(
                f"{origin}: two links between nodes {u} and {v}; a network has one link per pair of nodes"
            )
    label_key = next((k for k in ("name", "label") if all(k in d for _, d in g.nodes(data=True))), None)
    raw = {n: str(d[label_key]) if label_key else str(n) for n, d in g.nodes(data=True)}
    counts: dict[str, int] = {}
    for name in raw.values():
        counts[name] = counts.get(name, 0) + 1
    names = {
        n: (f"{name} ({n})" if counts[name] > 1 else name).strip().replace("/", "+")
        for n, name in raw.items()
    }
    if len(set(names.values())) != len(names) or not all(names.values()):
        names = {n: str(n).replace("/", "+") for n in g.nodes}
    positions = []
    for n, d in g.nodes(data=True):
        pos = _node_position(d)
        if pos is not None:
            positions.append((names[n], *pos))
    links: list[Link] = []
    seen: set[frozenset] = set()
    for u, v, d in g.edges(data=True):
        a, b = names[u], names[v]
        if a == b:
            raise at.error(f"{origin}: a link from node {a} to itself")
        if frozenset((a, b)) in seen:
            continue  # the reverse edge of a directed graph
        seen.add(frozenset((a, b)))
        km = d.get("km", d.get("dist"))
        if km is not None:
            try:
                km = units.length(km)
            except units.UnitError as exc:
                raise at.error(f"{origin}: link {a}-{b}: {exc.message}") from None
        latency = 0.0
        if d.get("latency") is not None:
            try:
                latency = units.latency(d["latency"])
            except units.UnitError as exc:
                raise at.error(f"{origin}: link {a}-{b}: {exc.message}") from None
        links.append(Link(a, b, km, "given" if km is not None else None, latency))
    if not links:
        raise at.error(f"{origin}: the graph has no links")
    return Graph(tuple(names[n] for n in g.nodes), tuple(links), tuple(positions), origin)


def _node_position(d) -> tuple[float, float] | None:
    candidates = []
    if "pos" in d:
        pos = d["pos"]
        if isinstance(pos, str):
            pos = [p for p in pos.replace(",", " ").split() if p]
        if isinstance(pos, (list, tuple)) and len(pos) == 2:
            candidates.append((pos[0], pos[1]))
    for lon_key, lat_key in (("lon", "lat"), ("Longitude", "Latitude")):
        if lon_key in d and lat_key in d:
            candidates.append((d[lon_key], d[lat_key]))
    for lon, lat in candidates:
        try:
            lon, lat = float(lon), float(lat)
        except (TypeError, ValueError):
            continue
        if -180 <= lon <= 180 and -90 <= lat <= 90:
            return (lon, lat)
    return None


@functools.cache
def available_topologies() -> tuple[str, ...]:
    """Names of the topologies `topology:` accepts (``sndlib/geant``, ``topozoo/Abilene``, ...).

    topohub has no listing call; its package ships one JSON file per topology under
    ``topohub/data/<collection>/``, which is what is listed here.

    Raises
    ------
    ModuleNotFoundError
        When topohub is not installed.
    """
    import importlib.resources

    root = importlib.resources.files("topohub") / "data"
    names = []
    for collection in TOPOLOGY_COLLECTIONS:
        for entry in (root / collection).iterdir():
            if entry.name.endswith(".json"):
                names.append(f"{collection}/{entry.name[: -len('.json')]}")
    return tuple(sorted(names))


def _topology(value, at: At) -> Graph:
    name = expect_str(value, at, "a topology name like sndlib/geant or topozoo/Abilene")
    try:
        names = available_topologies()
    except ModuleNotFoundError:
        raise at.error(
            "a named topology needs the topohub package", "install it with 'pip install topohub'"
        ) from None
    if name not in names:
        lower = {k.lower(): k for k in names}
        match = lower.get(name.lower()) or nearest(name, names)
        collection = name.split("/")[0]
        if collection not in TOPOLOGY_COLLECTIONS:
            message = (
                f"unknown topology '{name}'; expected sndlib/NAME or topozoo/NAME "
                f"({len(names)} topologies, e.g. sndlib/geant, topozoo/Abilene)"
            )
        else:
            near = [k for k in names if k.startswith(collection + "/")]
            message = f"unknown topology '{name}' ({len(near)} in {collection}, e.g. {', '.join(near[:3])})"
        raise at.error(message, f"did you mean '{match}'?" if match else None)
    return load_topology(name, at)


def load_topology(name: str, at: At | None = None) -> Graph:
    """The topohub topology `name` (``sndlib/geant``) as a `Graph`, read with
    ``topohub.get``.

    topohub gives node positions (longitude, latitude) and each link's length as the
    great-circle distance between its end nodes (``dist``, km); those are the lengths
    used here.

    Raises
    ------
    KeyError
        For a name that is not in `available_topologies`.

    References
    ----------
    .. [1] P. Jurkiewicz, topohub 1.5 (PyPI), data from SNDlib (Orlowski et al., "SNDlib
       1.0 - Survivable Network Design Library", Networks 55, 2010) and the Internet
       Topology Zoo (Knight et al., IEEE JSAC 29(9), 2011).
    """
    import networkx as nx
    import topohub

    g = nx.node_link_graph(topohub.get(name), edges="edges")
    return graph_from_networkx(g, f"topology {name}", at or At("<topology>"))


def _with_great_circle_lengths(graph: Graph) -> Graph:
    pos = {n: (lon, lat) for n, lon, lat in graph.positions}
    links = []
    changed = False
    for link in graph.links:
        if link.km is None and link.a in pos and link.b in pos:
            km = great_circle_km(pos[link.a], pos[link.b])
            link = Link(link.a, link.b, km, "great-circle", link.latency_hours)
            changed = True
        links.append(link)
    if not changed:
        return graph
    return Graph(graph.nodes, tuple(links), graph.positions, graph.origin)


# -- terminals -------------------------------------------------------------------------


def _graph_node(value, at: At, graph: Graph, what: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    name = expect_str(value, at, f"a {what} node")
    if name not in graph.nodes:
        raise at.error(
            f"{what} '{name}' is not a node of the graph ({len(graph.nodes)} nodes)",
            _nearest_nodes(name, graph.nodes),
        )
    return name


def _nearest_nodes(name: str, nodes) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(nodes), n=3, cutoff=0.5)
    if not close:
        close = difflib.get_close_matches(name.lower(), [n.lower() for n in nodes], n=3, cutoff=0.5)
        by_lower = {n.lower(): n for n in nodes}
        close = [by_lower[c] for c in close]
    if not close:
        names = sorted(nodes)
        more = f", ... ({len(names)} in all)" if len(names) > 12 else ""
        return "nodes: " + ", ".join(names[:12]) + more
    return "nearest: " + ", ".join(f"'{c}'" for c in close)


def _node_list(net, at: At, key: str, graph: Graph, what: str) -> tuple[str, ...]:
    k_at = at.key(net, key)
    seq = expect_list(net[key], k_at, f"a list of {what} nodes")
    out: list[str] = []
    for i, item in enumerate(seq):
        name = _graph_node(item, k_at.item(seq, i), graph, what)
        if name in out:
            raise k_at.item(seq, i).error(f"{what} '{name}' is listed twice")
        out.append(name)
    return tuple(out)


def _targets(net, at: At, graph: Graph) -> tuple[str, ...]:
    if ("target" in net) == ("targets" in net):
        raise at.error(
            "a network needs exactly one of 'target' (a node) or 'targets' (a list of nodes)"
            if "target" in net
            else "missing required key 'target' (or 'targets')"
        )
    if "target" in net:
        return (_graph_node(net["target"], at.key(net, "target"), graph, "target"),)
    return _node_list(net, at, "targets", graph, "target")


def _sources(net, at: At, graph: Graph, targets) -> tuple[tuple[str, ...], bool]:
    if ("source" in net) == ("sources" in net):
        raise at.error(
            "a network needs exactly one of 'source' (a node) or 'sources' (customer sites)"
            if "source" in net
            else "missing required key 'source' (or 'sources')"
        )
    if "source" in net:
        sources = (_graph_node(net["source"], at.key(net, "source"), graph, "source"),)
        per_site = False
    elif net["sources"] == "all":
        sources = tuple(n for n in graph.nodes if n not in targets)
        per_site = True
    else:
        sources = _node_list(net, at, "sources", graph, "source")
        per_site = True
    key = "source" if "source" in net else "sources"
    for s in sources:
        if s in targets:
            raise at.key(net, key).error(f"'{s}' is both a source and a target")
    if not sources:
        raise at.key(net, key).error("every node is a target: no source is left")
    return sources, per_site


# -- what the graph is made of ---------------------------------------------------------


def _length_scaled(components, name) -> bool:
    return getattr(components[name], "failure_per_km", None) is not None


def _node_types(net, at: At, graph: Graph, components) -> tuple[tuple[str, str], ...]:
    if net.get("node") is None:
        return ()
    n_at = at.key(net, "node")
    raw = net["node"]
    if isinstance(raw, dict):
        out = []
        for node, typ in raw.items():
            name = _graph_node(node, n_at.key_itself(raw, node), graph, "node")
            out.append((name, expect_name(typ, n_at.key(raw, node), components, "component type")))
        mapping = dict(out)
        pairs = tuple((n, mapping[n]) for n in graph.nodes if n in mapping)
    else:
        typ = expect_name(raw, n_at, components, "component type")
        pairs = tuple((n, typ) for n in graph.nodes)
    for node, typ in pairs:
        if _length_scaled(components, typ):
            raise n_at.error(
                f"component type '{typ}' fails per km of link and cannot be a node (node '{node}')"
            )
    return pairs


def _link_parts(net, at: At, components) -> tuple[str, ...]:
    if net.get("link") is None:
        return ()
    l_at = at.key(net, "link")
    raw = net["link"]
    items = [(raw, l_at)] if isinstance(raw, (str, dict)) else None
    if items is None:
        seq = expect_list(raw, l_at, "a list of component types, e.g. [fibre, {line-card: 2}]")
        items = [(item, l_at.item(seq, i)) for i, item in enumerate(seq)]
    parts: list[str] = []
    for item, where in items:
        if isinstance(item, dict):
            for name, count in item.items():
                expect_name(name, where.key_itself(item, name), components, "component type")
                n = expect_int(count, where.key(item, name), minimum=1, what="a count")
                parts.extend([name] * n)
        else:
            if not isinstance(item, str):
                raise where.error(f"a link is made of component types (in series), got {type_name(item)}")
            parts.append(expect_name(item, where, components, "component type"))
    return tuple(parts)


def _risk_groups(net, at: At, graph: Graph, components) -> tuple[RiskGroup, ...]:
    if net.get("risk_groups") is None:
        return ()
    r_at = at.key(net, "risk_groups")
    raw = expect_map(net["risk_groups"], r_at, "a mapping name -> {component: TYPE, links: [[a, b], ...]}")
    keys = {frozenset(link.ends): link for link in graph.links}
    out = []
    for name, spec in raw.items():
        g_at = r_at.key(raw, name)
        if "/" in str(name):
            raise r_at.key_itself(raw, name).error("a risk group name cannot contain '/'")
        spec = expect_map(spec, g_at, "{component: TYPE, links: [[a, b], ...]}")
        check_keys(spec, g_at, ("component", "links"), required=("component", "links"))
        comp = expect_name(spec["component"], g_at.key(spec, "component"), components, "component type")
        if _length_scaled(components, comp):
            raise g_at.key(spec, "component").error(
                f"component type '{comp}' fails per km of link; a risk group has no length"
            )
        ls_at = g_at.key(spec, "links")
        seq = expect_list(spec["links"], ls_at, "a list of links [a, b]")
        links: list[tuple[str, str]] = []
        for i, item in enumerate(seq):
            i_at = ls_at.item(seq, i)
            pair = expect_list(item, i_at, "a link [a, b]")
            if len(pair) != 2:
                raise i_at.error(f"a link is [a, b], two nodes; got {len(pair)}")
            a = _graph_node(pair[0], i_at.item(pair, 0), graph, "node")
            b = _graph_node(pair[1], i_at.item(pair, 1), graph, "node")
            link = keys.get(frozenset((a, b)))
            if link is None:
                near = [f"[{x.a}, {x.b}]" for x in graph.links if {x.a, x.b} & {a, b}]
                raise i_at.error(
                    f"no link between '{a}' and '{b}' in the graph",
                    f"links at these nodes: {', '.join(near[:6])}" if near else None,
                )
            if link.ends in links:
                raise i_at.error(f"link [{a}, {b}] is listed twice in risk group '{name}'")
            links.append(link.ends)
        out.append(RiskGroup(str(name), comp, tuple(links)))
    return tuple(out)


#: Access lines per site: 1 (single-homed, to its own node) or 2 (dual-homed, another
#: line to the nearest other node).
HOMES = (1, 2)


def _access(net, at: At, graph: Graph, sources, components) -> dict:
    """``access: {link: [types], homes: 1 | 2}``: the access lines of every site, as the
    `NetworkSpec` fields `access` and `homes` (empty without ``access:``)."""
    if net.get("access") is None:
        return {}
    a_at = at.key(net, "access")
    spec = expect_map(net["access"], a_at, "{link: access-line, homes: 1 | 2}")
    check_keys(spec, a_at, ("link", "homes"), required=("link",))
    parts = _link_parts(spec, a_at, components)
    if not parts:
        raise a_at.key(spec, "link").error("an access line is made of at least one component type")
    homes = 1 if spec.get("homes") is None else spec["homes"]
    if homes not in HOMES or isinstance(homes, bool):
        raise a_at.key(spec, "homes").error(
            f"homes is 1 (one access line, to the site's own node) or 2 (dual-homed: a second line "
            f"to the nearest other node), got {type_name(homes)}"
        )
    pos = {n: (lon, lat) for n, lon, lat in graph.positions}
    out = []
    for site in sources:
        lines = [(site, 0.0)]
        if homes == 2:
            if site not in pos:
                raise a_at.key(spec, "homes").error(
                    "dual-homing joins each site to the nearest other node, "
                    f"but site '{site}' has no position"
                )
            others = [n for n in graph.nodes if n != site and n in pos]
            if not others:
                raise a_at.key(spec, "homes").error("dual-homing needs another node with a position")
            nearest = min(others, key=lambda n: great_circle_km(pos[site], pos[n]))
            lines.append((nearest, great_circle_km(pos[site], pos[nearest])))
        out.append((site, tuple(lines)))
    return {"access": parts, "homes": tuple(out)}


def _max_latency(net, at: At, graph: Graph) -> float | None:
    if net.get("max_latency") is None:
        return None
    m_at = at.key(net, "max_latency")
    hours = m_at.convert(units.latency, net["max_latency"])
    if not hours > 0:
        raise m_at.error(f"max_latency must be > 0, got {net['max_latency']}")
    unknown = [link.key for link in graph.links if link.km is None and link.latency_hours == 0]
    if unknown:
        raise m_at.error(
            f"max_latency needs each link's latency, but {len(unknown)} link(s) have neither a "
            f"length nor a latency (first: {unknown[0]})",
            "give km: or latency: on the links, or node positions",
        )
    return hours


def _check_lengths(spec: NetworkSpec, net, at: At, components) -> None:
    scaled = [p for p in dict.fromkeys(spec.link) if _length_scaled(components, p)]
    if not scaled:
        return
    for link in spec.graph.links:
        if link.km is None:
            raise at.key(net, "link").error(
                f"link {link.key} has no length, but '{scaled[0]}' fails per km of link",
                "give the link a km:, or its end nodes positions",
            )


def _check_connected(spec: NetworkSpec, at: At) -> None:
    """Every source reaches a target (within max_latency) when everything is up."""
    import networkx as nx

    g = spec.graph.to_networkx()
    for s in spec.sources:
        dist = nx.single_source_dijkstra_path_length(g, s, weight="latency_hours")
        missing = [t for t in spec.targets if t not in dist]
        if missing and (spec.need == "all" or len(missing) == len(spec.targets)):
            raise at.error(f"no path joins '{s}' to target '{missing[0]}': the network would never be up")
        bound = spec.max_latency_hours
        if bound is not None:
            fast = [t for t in spec.targets if dist.get(t, math.inf) <= bound]
            if not fast or (spec.need == "all" and len(fast) < len(spec.targets)):
                slow = min(spec.targets, key=lambda t: dist.get(t, math.inf))
                raise at.error(
                    f"the quickest path from '{s}' to '{slow}' takes "
                    f"{dist.get(slow, math.inf) * 3.6e6:.3g} ms, more than max_latency "
                    f"{bound * 3.6e6:.3g} ms: the network would never be up"
                )
