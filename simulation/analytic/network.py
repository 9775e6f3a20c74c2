"""Steady-state availability of a network: an up path from a source to the target(s).

The network's parts (nodes, links, shared risk groups) are independent two-state
elements with availabilities; a link is usable while it and every risk group it runs
through are up, and its end nodes are up. The network is up while an up path joins
the source to any target (``need="any"``) or to every target (``need="all"``), and
with a latency bound only paths whose summed link latency is within it count.

`network_availability` computes it by factoring (pivotal decomposition) on the
elements, which is exact for any monotone structure function:
``A = p_e A(e up) + (1 - p_e) A(e down)``. A branch stops as soon as its fixed
elements decide the answer: up when the elements fixed up already give a path (within
the bound) whatever the others do, down when no path is left even with every
undecided element up. The element to branch on is an undecided element of the
quickest path that is still possible, so each branch either uses or breaks a path.

Branches are explored most probable first. When a budget of branches runs out, the
unexplored probability mass is unknown, and the answer is the interval [up mass,
1 - down mass], which contains the availability (the bounds of partial state-space
decomposition); for small graphs the branches run out first and the interval is a
point. Both ends are rigorous bounds whatever the budget. In a highly available
network the probable states are decided first, so the interval narrows fast: on
GEANT (22 nodes, 36 links) it is below 1e-12 wide after a few thousand branches,
where deciding every state takes some 100 000.

References
----------
.. [1] R. E. Barlow and F. Proschan, *Statistical Theory of Reliability and Life
   Testing*, 1975, ch. 2 (pivotal decomposition; coherent structures).
.. [2] C. J. Colbourn, *The Combinatorics of Network Reliability*, Oxford University
   Press, 1987, ch. 3 (factoring) and ch. 7 (bounds).
.. [3] W. P. Dotson and J. O. Gobien, "A new analysis technique for probabilistic
   graphs", IEEE Transactions on Circuits and Systems 26(10), 1979, pp. 855-865
   (disjoint decomposition of the state space, with bounds when it is cut short).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulation.analytic.ctmc import NotApplicable
from simulation.model.network import access_links, source_node
from simulation.model.structure import Leaf, Series

if TYPE_CHECKING:
    import networkx as nx

    from simulation.model.structure import Network

__all__ = [
    "AvailabilityBounds",
    "network_availability",
    "network_block_availability",
    "network_site_availability",
    "network_leaf_availability",
    "MAX_BRANCHES",
    "CERTIFIED_WIDTH",
]

#: Branches explored before `network_availability` stops with bounds.
MAX_BRANCHES = 100_000
#: Width of the interval within which a network block's availability is taken as
#: known (the value is its midpoint, so within half of this of the exact value): far
#: below any figure reported, and it spares the long tail of improbable states.
CERTIFIED_WIDTH = 1e-12


@dataclass(frozen=True)
class AvailabilityBounds:
    """An interval that contains the steady-state availability.

    Attributes
    ----------
    low, high : float
        Rigorous lower and upper bounds (equal, up to rounding, when `exact`).
    exact : bool
        True when every branch was decided.
    branches : int
        Branches explored.
    """

    low: float
    high: float
    exact: bool
    branches: int

    @property
    def value(self) -> float:
        """The availability when `exact`; otherwise raises ValueError."""
        if not self.exact:
            raise ValueError(f"only bounds are known: [{self.low}, {self.high}]")
        return self.low


def _edge(a, b) -> frozenset:
    return frozenset((a, b))


def network_availability(
    graph: nx.Graph,
    source: Hashable,
    targets: Iterable[Hashable],
    *,
    node_availability: Mapping[Hashable, float] | None = None,
    link_availability: Mapping[tuple, float] | None = None,
    risk_groups: Mapping[str, tuple[float, Iterable[tuple]]] | None = None,
    need: str = "any",
    max_latency: float | None = None,
    weight: str = "latency_hours",
    max_branches: int = MAX_BRANCHES,
    tolerance: float = 0.0,
) -> AvailabilityBounds:
    """Steady-state availability of an up path from `source` to the targets.

    Parameters
    ----------
    graph : networkx.Graph
        Undirected; with `max_latency`, each edge's latency is its `weight` attribute.
    source : node
    targets : iterable of nodes
    node_availability : mapping node -> float, optional
        Nodes not given never fail.
    link_availability : mapping (a, b) -> float, optional
        Links not given never fail (either end order).
    risk_groups : mapping name -> (availability, iterable of (a, b)), optional
        Shared risk link groups: one element that every listed link needs.
    need : {"any", "all"}
        Up while some target / every target is joined to the source.
    max_latency : float, optional
        Only paths whose summed `weight` is at most this count.
    weight : str
        The edge attribute holding a link's latency (same unit as `max_latency`).
    max_branches : int
        Budget of branches; beyond it the answer is an interval.
    tolerance : float
        Stop as soon as the interval is at most this wide (0: only when every branch is
        decided).

    Returns
    -------
    AvailabilityBounds

    Raises
    ------
    ValueError
        For an unknown node or link, an availability outside [0, 1], or `need` other
        than any / all.

    Notes
    -----
    Elements must be independent. For alternating renewal parts (any failure and
    repair distributions), part availability is MTTF / (MTTF + MTTR), and the long-run
    availability of a coherent structure of independent parts is its reliability
    function at those values (Barlow and Proschan, 1975, ch. 7).

    Examples
    --------
    The bridge network: five links of availability 0.99 between s and t.

    >>> import networkx as nx
    >>> g = nx.Graph([("s", "a"), ("s", "b"), ("a", "b"), ("a", "t"), ("b", "t")])
    >>> links = {e: 0.99 for e in g.edges}
    >>> round(network_availability(g, "s", ["t"], link_availability=links).value, 8)
    0.99979805
    """
    if need not in ("any", "all"):
        raise ValueError(f"need must be 'any' or 'all', got {need!r}")
    targets = tuple(dict.fromkeys(targets))
    if not targets:
        raise ValueError("no target")
    for n in (source, *targets):
        if n not in graph:
            raise ValueError(f"node {n!r} not in graph")
    p: dict[Hashable, float] = {}
    node_elements: dict[Hashable, tuple] = {n: () for n in graph.nodes}
    link_elements: dict[frozenset, list] = {_edge(a, b): [] for a, b in graph.edges}

    def element(key, value) -> None:
        value = float(value)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"availability of {key!r} must be in [0, 1], got {value}")
        p[key] = value

    for n, a in (node_availability or {}).items():
        if n not in graph:
            raise ValueError(f"node {n!r} not in graph")
        element(("node", n), a)
        node_elements[n] = (("node", n),)
    for (a, b), value in (link_availability or {}).items():
        e = _edge(a, b)
        if e not in link_elements:
            raise ValueError(f"no link between {a!r} and {b!r}")
        element(("link", e), value)
        link_elements[e].append(("link", e))
    for name, (value, links) in (risk_groups or {}).items():
        element(("group", name), value)
        for a, b in links:
            e = _edge(a, b)
            if e not in link_elements:
                raise ValueError(f"risk group {name!r}: no link between {a!r} and {b!r}")
            link_elements[e].append(("group", name))
    solver = _Factoring(graph, source, targets, need, max_latency, weight, node_elements, link_elements, p)
    return solver.run(max_branches, tolerance)


class _Factoring:
    """Best-first factoring on the elements; a state is a pair of bit masks (fixed up,
    fixed down) over the elements, numbered in `p` order."""

    def __init__(self, graph, source, targets, need, max_latency, weight, node_elements, link_elements, p):
        index = {x: i for i, x in enumerate(p)}
        self.q = [p[x] for x in p]
        self.nodes = list(graph.nodes)
        at = {n: i for i, n in enumerate(self.nodes)}
        self.node_mask = [sum(1 << index[x] for x in node_elements[n]) for n in self.nodes]
        # adjacency: node -> [(neighbour, mask of the link's elements, latency)]
        self.adj: list[list[tuple[int, int, float]]] = [[] for _ in self.nodes]
        for a, b, data in graph.edges(data=True):
            mask = sum(1 << index[x] for x in link_elements[_edge(a, b)])
            lat = float(data.get(weight, 0.0)) if max_latency is not None else 1.0
            if max_latency is not None and not lat >= 0:
                raise ValueError(f"link {a!r}-{b!r} has no valid {weight!r} latency")
            self.adj[at[a]].append((at[b], mask, lat))
            self.adj[at[b]].append((at[a], mask, lat))
        self.source = at[source]
        self.targets = [at[t] for t in targets]
        self.need_all = need == "all"
        self.bound = max_latency
        self.n = len(self.q)

    def _search(self, usable: int) -> tuple[dict[int, float], dict[int, tuple[int, int]]]:
        """Quickest usable paths from the source: (distance, parent and link mask)."""
        s = self.source
        if self.node_mask[s] & ~usable:
            return {}, {}
        dist = {s: 0.0}
        parent: dict[int, tuple[int, int]] = {}
        heap = [(0.0, s)]
        bound = self.bound
        done = set()
        while heap:
            d, u = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            for v, mask, lat in self.adj[u]:
                if mask & ~usable or self.node_mask[v] & ~usable:
                    continue
                nd = d + lat
                if bound is not None and nd > bound:
                    continue
                if nd < dist.get(v, math.inf):
                    dist[v] = nd
                    parent[v] = (u, mask)
                    heapq.heappush(heap, (nd, v))
        return dist, parent

    def _up(self, dist) -> bool:
        found = [t in dist for t in self.targets]
        return all(found) if self.need_all else any(found)

    def run(self, max_branches: int, tolerance: float) -> AvailabilityBounds:
        full = (1 << self.n) - 1
        up0 = sum(1 << i for i, q in enumerate(self.q) if q == 1.0)
        down0 = sum(1 << i for i, q in enumerate(self.q) if q == 0.0)
        up_mass: list[float] = []
        down_mass: list[float] = []
        heap = [(-1.0, 0, up0, down0)]
        counter = branches = 0
        open_mass = 1.0  # probability of the states not decided yet
        while heap and branches < max_branches and open_mass > tolerance:
            neg_mass, _, up, down = heapq.heappop(heap)
            branches += 1
            dist, parent = self._search(full & ~down)
            if not self._up(dist):
                down_mass.append(-neg_mass)
                open_mass += neg_mass
                continue
            secured, _ = self._search(up)
            if self._up(secured):
                up_mass.append(-neg_mass)
                open_mass += neg_mass
                continue
            x = self._branch_element(dist, parent, secured, up)
            q = self.q[x]
            counter += 1
            heapq.heappush(heap, (neg_mass * q, counter, up | (1 << x), down))
            counter += 1
            heapq.heappush(heap, (neg_mass * (1.0 - q), counter, up, down | (1 << x)))
        low = math.fsum(up_mass)
        high = 1.0 - math.fsum(down_mass)
        return AvailabilityBounds(low, max(low, high), exact=not heap, branches=branches)

    def _branch_element(self, dist, parent, secured, up: int) -> int:
        """An undecided element on the quickest possible path to a target not secured."""
        pending = [t for t in self.targets if t not in secured and t in dist]
        t = min(pending, key=lambda v: dist[v])
        masks = [self.node_mask[t]]
        v = t
        while v != self.source:
            u, mask = parent[v]
            masks += [mask, self.node_mask[u]]
            v = u
        for mask in reversed(masks):
            free = mask & ~up
            if free:
                return (free & -free).bit_length() - 1
        raise AssertionError("a possible path with every element up is a secured path")


def network_block_availability(block: Network, member_availability: Iterable[float]) -> float:
    """Availability of a `Network` block from its members' availabilities.

    ``member_availability[i]`` is the availability of ``block.members[i]`` (a failing
    node, or a link's series of parts and risk groups), the members independent (risk
    groups shared by several links are factored on by the caller). The block's
    `NetworkSpec` gives the graph, source, targets, `need` and latency bound.

    With per-site sources, the block is seen from its `Network.site` (every site at
    once: `network_site_availability`).

    Raises
    ------
    NotApplicable
        For a graph too large to bound within `CERTIFIED_WIDTH` in `MAX_BRANCHES`
        branches (the message gives the bounds).

    Notes
    -----
    The value is the midpoint of an interval at most `CERTIFIED_WIDTH` wide that
    contains the exact availability (exact for small graphs, where every branch is
    decided).
    """
    nodes, links = _elements(block, member_availability)
    return _sites(block, nodes, links, {}, (block.site,))[block.site]


def _elements(block: Network, member_availability: Iterable[float]) -> tuple[dict, dict]:
    """(node -> availability, link ends -> availability) of a block's members."""
    nodes: dict = {}
    links: dict = {}
    for element, a in zip(block.elements, member_availability, strict=True):
        if isinstance(element, tuple):
            links[element] = a
        else:
            nodes[element] = a
    return nodes, links


def network_site_availability(block: Network, member_availability: Iterable[float]) -> dict[str, float]:
    """Availability of a `Network` block seen from each of its sources (customer sites).

    Parameters and independence as in `network_block_availability`.

    Returns
    -------
    dict of str to float
        Source node -> availability, in the order of ``block.spec.sources``.

    Raises
    ------
    NotApplicable
        When a site's availability cannot be bounded within `CERTIFIED_WIDTH` in
        `MAX_BRANCHES` branches.
    """
    nodes, links = _elements(block, member_availability)
    return _sites(block, nodes, links, {})


def network_leaf_availability(
    block: Network, availability: Mapping[str, float], sources: tuple[str, ...] | None = None
) -> dict[str, float]:
    """Availability of a `Network` block from each source, from its instances' availabilities.

    For a block as `simulation.model.network.expand_network` builds it: each member a
    `Leaf` (a node) or a `Series` of leaves (a link); a leaf in several links is a
    shared risk group, solved as one element of the factoring (rather than by
    conditioning the whole network on it, once per group).

    Parameters
    ----------
    block : Network
    availability : mapping of str to float
        Instance id -> availability, for every leaf of the block.
    sources : tuple of str, optional
        The sources to solve for (default: every source of the block's spec).

    Returns
    -------
    dict of str to float
        Source node -> availability.

    Raises
    ------
    NotApplicable
        For members of another shape, a node shared with another member, or a network
        that cannot be bounded within `CERTIFIED_WIDTH`.
    """
    if block.spec.homes:  # each site with its own access lines
        return {
            s: _leaf_sites(block if s == block.site else block.seen_from(s), availability, (s,))[s]
            for s in (block.spec.sources if sources is None else sources)
        }
    return _leaf_sites(block, availability, sources)


def _leaf_sites(block: Network, availability: Mapping[str, float], sources) -> dict[str, float]:
    ids: list[list[str]] = []
    for member in block.members:
        if isinstance(member, Leaf):
            ids.append([member.instance])
        elif isinstance(member, Series) and all(isinstance(m, Leaf) for m in member.members):
            ids.append([m.instance for m in member.members])
        else:
            raise NotApplicable(
                f"network {block.name or ''!r} has a member that is not a node or a link series"
            )
    uses = Counter(i for member_ids in ids for i in set(member_ids))
    nodes: dict = {}
    links: dict = {}
    groups: dict[str, tuple[float, list]] = {}
    for element, member_ids in zip(block.elements, ids, strict=True):
        own = math.prod(availability[i] for i in member_ids if uses[i] == 1)
        shared = [i for i in dict.fromkeys(member_ids) if uses[i] > 1]
        if isinstance(element, tuple):
            links[element] = own
            for i in shared:
                groups.setdefault(i, (availability[i], []))[1].append(element)
        elif shared:
            raise NotApplicable(f"node {element!r} of network {block.name or ''!r} shares an instance")
        else:
            nodes[element] = own
    return _sites(block, nodes, links, groups, sources)


def _sites(block: Network, nodes: dict, links: dict, groups: dict, sources=None) -> dict[str, float]:
    spec = block.spec
    graph = spec.graph.to_networkx()
    for a, b, latency in access_links(block):  # the site behind its access lines
        graph.add_edge(a, b, latency_hours=latency)
    out = {}
    for source in spec.sources if sources is None else sources:
        if spec.homes and source != block.site:
            raise NotApplicable(f"network {block.name or ''!r} is seen from {block.site!r}, not {source!r}")
        bounds = network_availability(
            graph,
            source_node(block) if source == block.site else source,
            spec.targets,
            node_availability=nodes,
            link_availability=links,
            risk_groups=groups,
            need=spec.need,
            max_latency=spec.max_latency_hours,
            tolerance=CERTIFIED_WIDTH,
        )
        if bounds.high - bounds.low > CERTIFIED_WIDTH:
            raise NotApplicable(
                f"network {block.name or ''!r} from {source!r} is too large to solve in "
                f"{bounds.branches} branches; its availability is within "
                f"[{bounds.low:.12g}, {bounds.high:.12g}]"
            )
        out[source] = (bounds.low + bounds.high) / 2
    return out
