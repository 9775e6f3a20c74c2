"""The structure of a service: which instances must be up for it to be up.

A structure is a tree of blocks whose leaves name instances; an instance named in
several places is one shared instance (a common cause), so the tree is really a DAG
over the instances. Blocks are immutable data; engines compile them.

`parallel` in a scenario file is a `KofN` with ``k = 1``; its `kind` remembers the
spelling so that reports say what the user wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from simulation.model.distributions import Distribution

Mode = Literal["hot", "warm", "cold"]
MODES = ("hot", "warm", "cold")


@dataclass(frozen=True)
class Switchover:
    """The outage paid when a redundant group changes the member in use.

    Attributes
    ----------
    time : Distribution
        Duration of an automatic switchover, hours.
    coverage : float
        Probability that the automatic switchover works.
    manual : Distribution or None
        Duration of the manual switchover that replaces a failed automatic one, hours.
        Required when ``coverage < 1``.
    """

    time: Distribution
    coverage: float = 1.0
    manual: Distribution | None = None

    def __post_init__(self):
        _expect_distribution("time", self.time)
        if not (isinstance(self.coverage, (int, float)) and 0.0 <= self.coverage <= 1.0):
            raise ValueError(f"coverage must be a probability in [0, 1], got {self.coverage!r}")
        if self.manual is not None:
            _expect_distribution("manual", self.manual)
        elif self.coverage < 1.0:
            raise ValueError(
                f"coverage {self.coverage:g} < 1 needs `manual`, the time of the manual switchover "
                "that replaces a failed automatic one"
            )


@dataclass(frozen=True)
class Leaf:
    """One instance, by its id (its path, e.g. ``rack-3/server-12``)."""

    instance: str

    def __post_init__(self):
        if not isinstance(self.instance, str) or not self.instance:
            raise ValueError(f"a Leaf names an instance id (a non-empty str), got {self.instance!r}")

    @property
    def name(self) -> str:
        return self.instance


@dataclass(frozen=True)
class Series:
    """Up while every member is up."""

    members: tuple[Block, ...]
    name: str | None = None

    def __post_init__(self):
        _check_members(self)

    @property
    def tolerance(self) -> int:
        """Member losses the block survives: none."""
        return 0


@dataclass(frozen=True)
class KofN:
    """Up while at least `k` members are up (in use).

    With ``mode="hot"`` every up member is in use. With ``warm``/``cold`` only `k`
    members are in use and the others wait as spares (a cold one cannot fail while it
    waits, a warm one fails at its component's `idle_failure`); a failed member in use
    is replaced by the first up waiting member. `failover`, when given, is the outage
    the block takes when a member in use fails while enough others are up to carry on.

    `demand`, when set, names a demand profile of the scenario (``k_of_n: {demand:
    PROFILE}``): the number of members needed then varies over the day or week, and
    `k` holds the profile's peak, rounded up. Engines that cannot follow a profile
    should reject such a block rather than silently use the peak.
    """

    k: int
    members: tuple[Block, ...]
    mode: Mode = "hot"
    failover: Switchover | None = None
    kind: Literal["parallel", "k_of_n"] = "k_of_n"
    name: str | None = None
    demand: str | None = None

    def __post_init__(self):
        _check_members(self)
        n = len(self.members)
        if isinstance(self.k, bool) or not isinstance(self.k, int) or not 1 <= self.k <= n:
            raise ValueError(f"k must be an integer in 1..{n} (the number of members), got {self.k!r}")
        _check_mode(self.mode)
        if self.kind not in ("parallel", "k_of_n"):
            raise ValueError(f"kind must be 'parallel' or 'k_of_n', got {self.kind!r}")
        if self.failover is not None and not isinstance(self.failover, Switchover):
            raise ValueError(f"failover must be a Switchover, got {self.failover!r}")

    @property
    def tolerance(self) -> int:
        """Member losses the block survives: n - k (with a demand profile, n - its peak)."""
        return len(self.members) - self.k


@dataclass(frozen=True)
class Standby:
    """One member serves, at first the first listed; the next up member takes over.

    Changing the serving member costs `switchover` (when given). With `revert`, the
    block switches back to the first member once it is repaired, at the cost of
    another switchover. A member that returns from repair to a block with no member
    serving starts serving at once: the repair includes putting it back in service.
    """

    members: tuple[Block, ...]
    mode: Mode = "hot"
    switchover: Switchover | None = None
    revert: bool = False
    name: str | None = None

    def __post_init__(self):
        _check_members(self)
        _check_mode(self.mode)
        if self.switchover is not None and not isinstance(self.switchover, Switchover):
            raise ValueError(f"switchover must be a Switchover, got {self.switchover!r}")

    @property
    def tolerance(self) -> int:
        """Member losses the block survives: n - 1."""
        return len(self.members) - 1


Block = Union[Leaf, Series, KofN, Standby, "Network"]


def _expect_distribution(what: str, value) -> None:
    if not isinstance(value, Distribution):
        raise ValueError(
            f"{what} must be a Distribution (hours), e.g. Deterministic(30 / 3600), got {value!r}"
        )


def _check_members(block) -> None:
    """Members are a non-empty tuple of blocks (a list is accepted and kept as a tuple)."""
    if isinstance(block.members, list):
        object.__setattr__(block, "members", tuple(block.members))
    if not isinstance(block.members, tuple) or not block.members:
        raise ValueError(
            f"{type(block).__name__} needs a non-empty tuple of member blocks, got {block.members!r}"
        )
    for member in block.members:
        if not isinstance(member, (Leaf, Series, KofN, Standby, Network)):
            hint = f" (write Leaf({member!r}) for an instance)" if isinstance(member, str) else ""
            raise ValueError(f"a member must be a block, got {member!r}{hint}")


def _check_mode(mode) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")


def iter_blocks(block: Block) -> Iterator[Block]:
    """Yield `block` and every block below it, depth first (shared blocks once per use)."""
    yield block
    for member in getattr(block, "members", ()):
        yield from iter_blocks(member)


def rolling_with_group(rules, instances, service: Block) -> list[bool]:
    """For each maintenance rule of `rules`: True when it is rolling and targets a part
    below a redundant block (a `KofN` or a `Standby`) of `service`, so that its jobs wait
    on a group (`simulation.engine.maintenance`; a rolling rule with none runs its jobs
    as plain ones). `instances` maps instance id -> `Instance`."""
    grouped: set[str] = set()
    for b in iter_blocks(service):
        if isinstance(b, (KofN, Standby)):
            grouped.update(leaves(b))
    return [
        rule.rolling and any(rule.applies_to(iid, instances[iid].component) for iid in grouped)
        for rule in rules
    ]


def leaves(block: Block) -> list[str]:
    """Instance ids below `block`, each once, in first-seen order."""
    seen: dict[str, None] = {}
    for b in iter_blocks(block):
        if isinstance(b, Leaf):
            seen.setdefault(b.instance)
    return list(seen)


@dataclass(frozen=True)
class Instance:
    """One physical thing: an id (its path in the structure) and its component type.

    `stream` keys the instance's random numbers (docs/scenario-format.md, "Random
    streams"): the id with the first copy of a repeated name written as if the name
    were used once (``web-server-1`` draws as ``web-server``), so adding a copy does not
    move the draws of the first. None means the id.
    """

    id: str
    component: str
    shared: bool = field(default=False, compare=False)
    #: This instance's own time to failure, where it differs from its component type's
    #: (a length-scaled part of a network link); None: the type's `failure`.
    failure: Distribution | None = None
    stream: str | None = field(default=None, compare=False)

    def __post_init__(self):
        for what in ("id", "component"):
            value = getattr(self, what)
            if not isinstance(value, str) or not value:
                raise ValueError(f"Instance {what} must be a non-empty str, got {value!r}")

    @property
    def stream_key(self) -> str:
        """The key of the instance's random streams."""
        return self.stream or self.id


@dataclass(frozen=True)
class Network:
    """A graph block: up while an up path joins the source to the target(s).

    `spec` (a `simulation.model.network.NetworkSpec`) is the graph and its rules;
    `members` are ordinary blocks, one per failing graph element (a `Leaf` per
    failing node, a `Series` per link), and ``elements[i]`` names the element of
    ``members[i]``: a node name, or a link's ``(a, b)`` end nodes. Built by
    `simulation.model.network.expand_network`.

    `source` is the node the block is seen from: None for the spec's first source. A
    network with per-site sources is seen from each site in a copy of it that differs
    only in `source` (`simulation.model.network.site_services`): its members are the same
    blocks, so every site reads the same parts.
    """

    spec: Any
    members: tuple[Block, ...] = ()
    elements: tuple[str | tuple[str, str], ...] = ()
    name: str | None = None

    source: str | None = None
    #: With access lines (``access:``): for every site, ``(site, members, elements)`` of
    #: its access lines; `members` ends with those of the site it is seen from, an
    #: element being ``(customer node, node)`` (`simulation.model.network.access_node`).
    access: tuple = ()

    @property
    def tolerance(self) -> int:
        """Member losses the block is sure to survive: none (any member may be on the
        only path)."""
        return 0

    @property
    def site(self) -> str:
        """The node the block is seen from (`source`, else the spec's first source)."""
        return self.source if self.source is not None else self.spec.sources[0]

    def seen_from(self, site: str) -> Network:
        """This block seen from source `site`: the same members, its access lines
        swapped for those of `site`."""
        import dataclasses

        if not self.access:
            return dataclasses.replace(self, source=site)
        lines = {s: (m, e) for s, m, e in self.access}
        n = len(self.members) - len(lines[self.site][0])
        members, elements = lines[site]
        return dataclasses.replace(
            self, source=site, members=self.members[:n] + members, elements=self.elements[:n] + elements
        )
