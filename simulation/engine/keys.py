"""Stream keys: which random streams each instance and block reads.

An instance's streams are keyed by `Instance.stream_key` (its path, with the first copy
of a numbered name written as the name alone). A block that draws (the switchover
durations of a failover, standby or warm/cold block) is keyed by its kind, its label
and the stream keys of the instances below it, in sorted order: never by its position
in the structure, so reordering members, adding parts elsewhere or adding copies keeps
its draws (docs/scenario-format.md, "Random streams").
"""

from __future__ import annotations

from simulation.model.scenario import Scenario
from simulation.model.structure import Leaf, iter_blocks


def block_stream_keys(scenario: Scenario, root=None) -> dict[int, str]:
    """The stream key of every non-leaf block of `scenario.service` (or of `root`, the
    service seen from a customer site), by ``id()``.

    Two distinct blocks that would get the same key (same kind, label and instances, as
    two unlabelled groups of the same shared instances) are told apart by a ``#2``, ``#3``
    in the order they are first met. A block of the service seen from a site
    (`simulation.model.network.site_services`) gets the key of the service's block it
    stands for: the same kind, label, parts and order, so the same draws.
    """
    keys: dict[int, str] = {}
    seen: dict[str, int] = {}
    below: dict[int, frozenset[str]] = {}

    def parts(block) -> frozenset[str]:
        """Stream keys of the instances below `block` (memoised: shared blocks once)."""
        if id(block) not in below:
            if isinstance(block, Leaf):
                below[id(block)] = frozenset((scenario.instances[block.instance].stream_key,))
            else:
                below[id(block)] = frozenset().union(*(parts(m) for m in getattr(block, "members", ())))
        return below[id(block)]

    for block in iter_blocks(scenario.service if root is None else root):
        if isinstance(block, Leaf) or id(block) in keys:
            continue
        key = f"{type(block).__name__.lower()}:{block.name or ''}:{','.join(sorted(parts(block)))}"
        seen[key] = seen.get(key, 0) + 1
        keys[id(block)] = key if seen[key] == 1 else f"{key}#{seen[key]}"
    return keys
