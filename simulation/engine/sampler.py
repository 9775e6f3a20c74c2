"""Readers of the addressable random streams (`engine.streams`) for event-driven code.

Both engines read a block's switchover durations through `SwitchoverDraws`, and the
SimPy engine reads every stream through a `Sampler`, so the k-th draw of a stream is
the same number whichever engine asks for it.
"""

from __future__ import annotations

import numpy as np

from simulation.engine.streams import COVERAGE, MANUAL, SWITCHOVER, draws, single_stream_keys
from simulation.model.distributions import Distribution, Uniform
from simulation.model.structure import Switchover

#: Draws past the prefilled ones are computed in chunks of this many values.
CHUNK = 16

#: Draws of a block's stream computed in bulk for every replication of a batch.
PREFILL = 4

_UNIT = Uniform(0.0, 1.0)


class Sampler:
    """Draws of one stream (an instance's failures, a block's switchovers, ...).

    `prepare` sets the stream keys of a batch of replications (and optionally the first
    draws of each, computed in bulk); `start` selects one replication. A call returns
    the stream's next draw, so draw j of replication r is always the same number.
    """

    __slots__ = ("dist", "base", "purpose", "keys", "prefill", "key", "next_index", "buf")

    def __init__(self, dist: Distribution, base: int, purpose: int):
        self.dist, self.base, self.purpose = dist, base, purpose
        self.keys = self.prefill = None
        self.key, self.next_index, self.buf = None, 0, []

    def prepare(self, keys: np.ndarray, prefill: list[list[float]] | None = None) -> None:
        self.keys, self.prefill = keys, prefill

    def prepare_replications(self, reps: np.ndarray, first: int = PREFILL) -> None:
        """`prepare` with this stream's own keys for replications `reps`, and its first
        `first` draws of each computed in bulk (one array operation)."""
        keys = single_stream_keys(self.base, reps, self.purpose)
        pre = draws(self.dist, keys[:, None], np.arange(first)[None, :])[:, ::-1].tolist() if first else None
        self.prepare(keys, pre)

    def start(self, pos: int) -> None:
        """Select replication `pos` of the prepared batch."""
        self.key = self.keys[pos]
        if self.prefill is None:
            self.buf, self.next_index = [], 0
        else:
            self.buf = self.prefill[pos]  # reversed: pop() gives draw 0 first
            self.next_index = len(self.buf)

    def __call__(self) -> float:
        buf = self.buf
        if not buf:
            j = self.next_index
            buf.extend(draws(self.dist, self.key, np.arange(j, j + CHUNK))[::-1].tolist())
            self.next_index = j + CHUNK
        return buf.pop()


class SwitchoverDraws:
    """Durations of a block's switchovers (hours).

    Switchover j of a replication uses draw j of the block's automatic-time, coverage
    and manual-time streams (all three, whichever is used), keyed by the block's
    stream key `base`.
    """

    __slots__ = ("switchover", "samplers", "_time", "_coverage", "_manual")

    def __init__(self, switchover: Switchover, base: int):
        self.switchover = switchover
        self._time = Sampler(switchover.time, base, SWITCHOVER)
        self._coverage = Sampler(_UNIT, base, COVERAGE)
        self._manual = None if switchover.manual is None else Sampler(switchover.manual, base, MANUAL)
        self.samplers = [s for s in (self._time, self._coverage, self._manual) if s is not None]

    def prepare_replications(self, reps: np.ndarray) -> None:
        for sampler in self.samplers:
            sampler.prepare_replications(reps)

    def start(self, pos: int) -> None:
        for sampler in self.samplers:
            sampler.start(pos)

    def __call__(self) -> float:
        """The next switchover's duration: automatic, or manual when it fails."""
        duration = self._time()
        works = self._coverage() < self.switchover.coverage
        if self._manual is not None:
            manual = self._manual()
            if not works:
                duration = manual
        return duration
