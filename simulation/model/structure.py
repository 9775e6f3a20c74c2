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


@dataclass(frozen=True)
class Leaf:
    """One instance, by its id (its path, e.g. ``rack-3/server-12``)."""

    instance: str

    @property
    def name(self) -> str:
        return self.instance


@dataclass(frozen=True)
class Series:
    """Up while every member is up."""

    members: tuple[Block, ...]
    name: str | None = None


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


Block = Union[Leaf, Series, KofN, Standby, "Network"]


def iter_blocks(block: Block) -> Iterator[Block]:
    """Yield `block` and every block below it, depth first (shared blocks once per use)."""
    yield block
    for member in getattr(block, "members", ()):
        yield from iter_blocks(member)


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
    stream: str | None = field(default=None, compare=False)

    @property
    def stream_key(self) -> str:
        """The key of the instance's random streams."""
        return self.stream or self.id


@dataclass(frozen=True)
class Network:
    """A graph block: up while an up path joins `source` and `target`.

    Kept as checked data (`spec`, the block's mapping from the file) until the
    engines simulate networks.
    """

    spec: Any
    name: str | None = None
