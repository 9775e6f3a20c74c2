"""Random streams: one per batch of replications, one per instance inside a batch.

Replications run in fixed batches of `BATCH_SIZE`. Batch b draws from
``SeedSequence(seed).spawn(...)[b]`` (the same as ``SeedSequence(seed, spawn_key=(b,))``),
and inside the batch every instance has its own stream keyed by a stable hash of its
id. So results do not depend on how many workers ran which batches, and adding a part
to a design does not reshuffle the draws of the others (common random numbers when
designs are compared). A stream per batch rather than per replication keeps the cost
of creating generators (about 10 µs each) small beside the simulation itself.
"""

from __future__ import annotations

import hashlib

import numpy as np

#: Replications per random-stream batch. Changing it changes every result.
BATCH_SIZE = 200


def stable_hash(key: str) -> int:
    """A 64-bit hash of `key` that is the same in every process and Python version."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


def batch_sequence(seed: int, batch: int) -> np.random.SeedSequence:
    """The seed sequence of batch `batch` (child `batch` of ``SeedSequence(seed)``)."""
    return np.random.SeedSequence(seed, spawn_key=(batch,))


def keyed_rng(batch_seq: np.random.SeedSequence, key: str) -> np.random.Generator:
    """An independent generator for `key` (an instance id or block path) in a batch."""
    child = np.random.SeedSequence(
        batch_seq.entropy, spawn_key=tuple(batch_seq.spawn_key) + (stable_hash(key),)
    )
    return np.random.Generator(np.random.PCG64(child))


def batches(replications: int, first: int = 0) -> list[tuple[int, int]]:
    """``(batch_index, size)`` pairs covering `replications` from batch `first` on."""
    out = []
    b, left = first, replications
    while left > 0:
        size = min(BATCH_SIZE, left)
        out.append((b, size))
        b, left = b + 1, left - size
    return out
