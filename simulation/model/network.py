"""Networks: a graph whose nodes and links are instances of component types.

A `NetworkSpec` is a checked network block of a scenario: the graph (nodes, links with
their lengths and latencies, node positions), the terminals (`sources`, `targets`,
`need`), what nodes and links are made of, the shared risk link groups and the latency
bound. `expand_network` turns it into ordinary blocks and instances, so that instance
ids, random-stream addresses and attribution work for networks as for any block:

- each failing node is one instance, ``NET/node/NODE``;
- each link is a series of its parts, ``NET/link/A-B/fibre``,
  ``NET/link/A-B/line-card-1``, ... (a type used several times in a link is numbered
  from 1, as in any scope);
- each risk group is one shared instance, ``NET/risk/GROUP``, placed at the end of the
  series of every link that runs through it (its failure cuts them all at once).

A part whose component type has a failure rate per length (``failure: {rate: 2.5/y,
per: 1000km}``) gets its own exponential distribution on each link, at the type's rate
per km times the link's length; on a link of length 0 (co-located nodes, common in
real topologies) it never fails and is left out.

References
----------
.. [1] ITU-T G.652 and the common engineering figure for light in single-mode fibre:
   group index about 1.47, i.e. about 4.9 µs per km, rounded to 5 µs/km.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from simulation.model.distributions import Exponential
from simulation.model.structure import Instance, Leaf, Network, Series

if TYPE_CHECKING:  # keep `import simulation.model` free of networkx
    import networkx as nx

    from simulation.model.components import ComponentType

#: Propagation delay of light in fibre, hours per km (5 µs/km, see the module references).
FIBRE_LATENCY_HOURS_PER_KM = 5e-6 / 3600.0
#: Mean Earth radius, km (IUGG), for great-circle lengths.
EARTH_RADIUS_KM = 6371.0088

Need = Literal["any", "all"]
LengthFrom = Literal["given", "great-circle"]


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (longitude, latitude) points in degrees.

    Uses the haversine formula on a sphere of radius `EARTH_RADIUS_KM` (R. W. Sinnott,
    "Virtues of the haversine", Sky and Telescope 68(2), 1984, p. 159).

    >>> round(great_circle_km((8.68, 50.11), (2.35, 48.86)))  # Frankfurt - Paris
    478
    """
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Link:
    """An undirected link between nodes `a` and `b`.

    Attributes
    ----------
    a, b : str
        End nodes, in the order the graph gives them.
    km : float or None
        Length, km; None where neither the graph nor node positions give one.
    km_from : {"given", "great-circle"} or None
        Where `km` comes from: the graph ("given"; a topology from topohub gives the
        great-circle distance between its node positions), or computed here from
        node positions ("great-circle").
    latency_hours : float
        Latency given on the link (equipment, a known detour), hours, added to the
        propagation delay.
    """

    a: str
    b: str
    km: float | None = None
    km_from: LengthFrom | None = None
    latency_hours: float = 0.0

    @property
    def ends(self) -> tuple[str, str]:
        return (self.a, self.b)

    @property
    def key(self) -> str:
        """``A-B``: the link's name in instance ids, its end nodes in sorted order, so that
        a link has one name (and one set of random draws) however its ends are written:
        ``[bru, ams]`` in one file and ``[ams, bru]`` in another are ``ams-bru``."""
        a, b = sorted((self.a, self.b))
        return f"{a}-{b}"

    @property
    def total_latency_hours(self) -> float:
        """5 µs/km times the length (0 when unknown) plus `latency_hours`, hours."""
        return (self.km or 0.0) * FIBRE_LATENCY_HOURS_PER_KM + self.latency_hours


@dataclass(frozen=True)
class Graph:
    """Nodes, links and (where known) node positions of a network.

    Attributes
    ----------
    nodes : tuple of str
    links : tuple of Link
    positions : tuple of (str, float, float)
        ``(node, longitude, latitude)`` in degrees for the nodes whose position is known.
    origin : str
        Where the graph comes from: ``"inline"``, ``"topology sndlib/geant"`` or
        ``"file PATH"``.
    """

    nodes: tuple[str, ...]
    links: tuple[Link, ...]
    positions: tuple[tuple[str, float, float], ...] = ()
    origin: str = "inline"

    def position(self, node: str) -> tuple[float, float] | None:
        """(longitude, latitude) of `node` in degrees, or None."""
        for name, lon, lat in self.positions:
            if name == node:
                return (lon, lat)
        return None

    def link(self, a: str, b: str) -> Link:
        """The link between `a` and `b` (either order); KeyError if there is none."""
        for link in self.links:
            if {link.a, link.b} == {a, b}:
                return link
        raise KeyError(f"no link between {a!r} and {b!r}")

    def to_networkx(self) -> nx.Graph:
        """An undirected `networkx.Graph`; each edge carries its `Link` as ``link``
        and its total latency as ``latency_hours``; nodes carry ``pos`` where known."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(self.nodes)
        for name, lon, lat in self.positions:
            g.nodes[name]["pos"] = (lon, lat)
        for link in self.links:
            g.add_edge(link.a, link.b, link=link, latency_hours=link.total_latency_hours)
        return g


@dataclass(frozen=True)
class RiskGroup:
    """A shared risk link group: one thing (a duct, a bridge crossing, a landing station)
    of component type `component` that every link in `links` runs through."""

    name: str
    component: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class NetworkSpec:
    """A checked network block.

    Attributes
    ----------
    graph : Graph
    sources : tuple of str
        The node the service is reached from, or with `per_site` every customer site.
    targets : tuple of str
        The service's nodes (several for a multi-homed service).
    need : {"any", "all"}
        Up while an up path joins the source to any target / to every target.
    node_types : tuple of (str, str)
        ``(node, component type)`` of every node that can fail; other nodes never fail.
    link : tuple of str
        Component types every link is made of, in series (a type repeated is several
        instances).
    risk_groups : tuple of RiskGroup
    max_latency_hours : float or None
        With a bound, a source counts as connected only over an up path whose latency
        (sum of the links' `Link.total_latency_hours`) is within it.
    per_site : bool
        True when the file gave ``sources:``: each source is a customer site whose
        availability is evaluated on its own.
    access : tuple of str
        Component types an access line is made of, in series; empty: a site is at its
        node and needs no access line.
    homes : tuple of (str, tuple of (str, float))
        With `access`: for each source, the nodes its access lines join and each line's
        length in km, ``(site, ((node, km), ...))``: its own node at 0 km, and when
        dual-homed another node (the nearest) at the great-circle distance.
    """

    graph: Graph
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    need: Need = "any"
    node_types: tuple[tuple[str, str], ...] = ()
    link: tuple[str, ...] = ()
    risk_groups: tuple[RiskGroup, ...] = ()
    max_latency_hours: float | None = None
    per_site: bool = False
    access: tuple[str, ...] = ()
    homes: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()

    def risk_groups_of(self, link: Link) -> tuple[RiskGroup, ...]:
        """The risk groups `link` runs through, in the order they are defined."""
        ends = {link.a, link.b}
        return tuple(g for g in self.risk_groups if any(set(pair) == ends for pair in g.links))


def link_part_names(parts: tuple[str, ...]) -> list[str]:
    """Local names of a link's parts: a type used once by its name, several times
    numbered from 1 in order (``[fibre, line-card-1, line-card-2]``)."""
    counts = Counter(parts)
    used: Counter = Counter()
    out = []
    for part in parts:
        used[part] += 1
        out.append(part if counts[part] == 1 else f"{part}-{used[part]}")
    return out


def expand_network(
    spec: NetworkSpec,
    block_id: str,
    components: Mapping[str, ComponentType],
    *,
    name: str | None = None,
    shared: bool = False,
) -> tuple[Network, tuple[Instance, ...]]:
    """The `Network` block of `spec` and the instances it is made of.

    Parameters
    ----------
    spec : NetworkSpec
    block_id : str
        The block's id, prefix of its instance ids (e.g. ``wan`` or ``site-2/wan``).
    components : mapping of str to ComponentType
        The scenario's component types (for length-scaled failure rates).
    name : str or None
        The block's label.
    shared : bool
        The block belongs to a shared instance (its instances are shared too).

    Returns
    -------
    (Network, tuple of Instance)
        The block's members are the failing elements only: a `Leaf` per failing node,
        then a `Series` per link with at least one part or risk group, named by its
        id ``NET/link/A-B``; `Network.elements` says which graph element each member
        is. Instances come in member order, risk groups after the first link that
        uses them.

    Raises
    ------
    ValueError
        A length-scaled part on a link of unknown length, or two parts whose ids would
        be the same.
    """
    members: list = []
    elements: list = []
    instances: dict[str, Instance] = {}

    def add(instance: Instance) -> None:
        if instance.id in instances:
            raise ValueError(f"instance id {instance.id!r} would name two parts of network {block_id!r}")
        instances[instance.id] = instance

    for node, typ in spec.node_types:
        iid = f"{block_id}/node/{node}"
        add(Instance(iid, typ, shared))
        members.append(Leaf(iid))
        elements.append(node)
    risk_ids = {g.name: f"{block_id}/risk/{g.name}" for g in spec.risk_groups}
    local_names = link_part_names(spec.link)
    for link in spec.graph.links:
        groups = spec.risk_groups_of(link)
        scope = f"{block_id}/link/{link.key}"
        leaves = []
        for part, local in zip(spec.link, local_names, strict=True):
            iid = f"{scope}/{local}"
            per_km = components[part].failure_per_km
            failure = None
            if per_km is not None:
                if link.km is None:
                    raise ValueError(f"link {link.key} has no length, but its part {part!r} fails per km")
                if link.km == 0:
                    continue  # co-located ends: a length-scaled part of no length never fails
                failure = Exponential(per_km * link.km)
            add(Instance(iid, part, shared, failure=failure))
            leaves.append(Leaf(iid))
        for g in groups:
            if risk_ids[g.name] not in instances:
                instances[risk_ids[g.name]] = Instance(risk_ids[g.name], g.component, True)
            leaves.append(Leaf(risk_ids[g.name]))
        if not leaves:
            continue  # a link of nothing that fails never fails
        members.append(Series(tuple(leaves), name=scope))
        elements.append(link.ends)
    access = []
    for site, homes in spec.homes:
        site_members, site_elements = [], []
        for node, km in homes:
            scope = f"{block_id}/access/{site}" if node == site else f"{block_id}/access/{site}-{node}"
            leaves = []
            for part, local in zip(spec.access, link_part_names(spec.access), strict=True):
                per_km = components[part].failure_per_km
                if per_km is not None and km == 0:
                    continue  # a length-scaled part of no length never fails
                failure = None if per_km is None else Exponential(per_km * km)
                add(Instance(f"{scope}/{local}", part, shared, failure=failure))
                leaves.append(Leaf(f"{scope}/{local}"))
            if leaves:
                site_members.append(Series(tuple(leaves), name=scope))
                site_elements.append((access_node(site), node))
        access.append((site, tuple(site_members), tuple(site_elements)))
    if access:  # the block is seen from its first source: with that site's access lines
        first = next(a for a in access if a[0] == spec.sources[0])
        members += first[1]
        elements += first[2]
    block = Network(spec, tuple(members), tuple(elements), name, access=tuple(access))
    return block, tuple(instances.values())


def access_node(site: str) -> str:
    """The name of customer site `site` itself, joined to the graph by its access lines
    (a name no graph node can have: node names hold no ``/``)."""
    return f"{site}/site"


def access_links(block: Network) -> tuple[tuple[str, str, float], ...]:
    """The access lines of the site `block` is seen from, as links ``(customer node, node,
    latency hours)``: every one of them, failing parts or not (a line of parts that never
    fail always joins)."""
    spec = block.spec
    homes = dict(spec.homes).get(block.site, ())
    return tuple((access_node(block.site), node, km * FIBRE_LATENCY_HOURS_PER_KM) for node, km in homes)


def source_node(block: Network) -> str:
    """The node paths start from: the customer site behind its access lines when the
    block has them, else the site's own node."""
    return access_node(block.site) if block.spec.homes else block.site


def network_blocks(service) -> tuple[Network, ...]:
    """The distinct `Network` blocks of a structure, depth first (a shared one once)."""
    from simulation.model.structure import iter_blocks

    return tuple({id(b): b for b in iter_blocks(service) if isinstance(b, Network)}.values())


def sites_of(service) -> tuple[str, ...]:
    """The customer sites of a structure: the sources of its per-site network blocks (one
    list for all of them), or ``()`` when none has per-site sources.

    Raises
    ------
    ValueError
        When two per-site network blocks name different sites.
    """
    per_site = [b for b in network_blocks(service) if b.spec.per_site]
    if not per_site:
        return ()
    sites = per_site[0].spec.sources
    for block in per_site[1:]:
        if block.spec.sources != sites:
            raise ValueError(
                f"network blocks {per_site[0].name or 'network'!r} and {block.name or 'network'!r} "
                "have per-site sources, but not the same sites (one service is seen from one list of sites)"
            )
    return sites


def site_services(service) -> tuple[tuple[str, object], ...]:
    """The service seen from each customer site: ``((site, structure), ...)``.

    For a structure with per-site network blocks (`sites_of`), the structure of site s
    is `service` with every per-site network block seen from s (`Network.source`) and
    the blocks above it rebuilt; every other block is the very same object, and so are
    the networks' members, so all sites read the same parts (one run, shared draws).
    Where a network is already seen from s (the site of the headline figures, the first
    source), its block is kept, and the site whose every network is kept gets `service`
    itself. Empty without per-site sources.

    Raises
    ------
    ValueError
        As `sites_of`.
    """
    out = []
    for site in sites_of(service):
        memo: dict[int, object] = {}

        def seen_from(block, site=site, memo=memo):
            key = id(block)
            if key not in memo:
                if isinstance(block, Network):
                    keep = not block.spec.per_site or block.site == site
                    memo[key] = block if keep else block.seen_from(site)
                elif hasattr(block, "members"):
                    members = tuple(seen_from(m) for m in block.members)
                    same = all(a is b for a, b in zip(members, block.members))
                    memo[key] = block if same else dataclasses.replace(block, members=members)
                else:
                    memo[key] = block
            return memo[key]

        out.append((site, seen_from(service)))
    return tuple(out)
