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
from simulation.model.structure import Leaf, iter_blocks, leaves


def block_stream_keys(scenario: Scenario) -> dict[int, str]:
    """The stream key of every non-leaf block of `scenario.service`, by ``id()``.

    Two distinct blocks that would get the same key (same kind, label and instances, as
    two unlabelled groups of the same shared instances) are told apart by a ``#2``, ``#3``
    in the order they are first met.
    """
    keys: dict[int, str] = {}
    seen: dict[str, int] = {}
    for block in iter_blocks(scenario.service):
        if isinstance(block, Leaf) or id(block) in keys:
            continue
        parts = sorted(scenario.instances[i].stream_key for i in leaves(block))
        key = f"{type(block).__name__.lower()}:{block.name or ''}:{','.join(parts)}"
        seen[key] = seen.get(key, 0) + 1
        keys[id(block)] = key if seen[key] == 1 else f"{key}#{seen[key]}"
    return keys
