"""Random streams: every random number has a fixed address.

The j-th time to failure of instance ``rack-3/server-12`` in replication r of a run
with seed s is ``dist.ppf(u)`` of one uniform u that is a pure function of
(s, r, the instance id, "failure", j). So:

- results depend on the seed and the replication index only, never on how many
  workers ran which replications, in what order, or in what batches;
- designs compared with the same seed share their draws part by part (common random
  numbers): adding a part does not move the draws of the others;
- both engines read the same numbers, so on a scenario both can run they produce the
  same outages, which the tests check exactly.

The uniforms come from SplitMix64 [1]_: a stream is a Weyl sequence ``key + (j + 1)·γ``
passed through the SplitMix64 finaliser, with a 64-bit key hashed from (seed, id,
purpose, replication). It is fast in numpy (a dozen integer operations per number,
vectorised over replications, instances and draws) and passes BigCrush as a sequence.

References
----------
.. [1] G. L. Steele, D. Lea, C. H. Flood, "Fast splittable pseudorandom number
   generators", OOPSLA 2014.
"""

from __future__ import annotations

import hashlib

import numpy as np

#: Purposes: each instance or block has one stream per purpose and replication.
FAILURE, REPAIR, IDLE_FAILURE, SWITCHOVER, COVERAGE, MANUAL = 1, 2, 3, 4, 5, 6
#: Operations (engine.crews): a repair's crew response delay and its spare's lead time.
RESPONSE, LEAD_TIME = 7, 8
#: Maintenance (engine.maintenance): the uniform behind the j-th job's duration of a part.
MAINTENANCE = 9
#: 10: a part's steady start (`engine.steady.STEADY`).

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_PURPOSE = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-52


def _mix(z: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser (a bijection of 64-bit words), element-wise, in place."""
    t = z >> np.uint64(30)
    z ^= t
    z *= _M1
    np.right_shift(z, np.uint64(27), out=t)
    z ^= t
    z *= _M2
    np.right_shift(z, np.uint64(31), out=t)
    z ^= t
    return z


def base_key(seed: int, key: str) -> int:
    """The 64-bit key of an instance id or block key under `seed` (stable everywhere)."""
    digest = hashlib.blake2b(f"{int(seed)}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def stream_keys(base: np.ndarray, reps: np.ndarray, purpose: int) -> np.ndarray:
    """Keys of the streams of `base` keys (shape (n,)) in replications `reps`: (len(reps), n)."""
    base = np.asarray(base, dtype=np.uint64)
    reps = np.asarray(reps, dtype=np.uint64)
    with np.errstate(over="ignore"):
        per_purpose = _mix(base + np.uint64(purpose) * _PURPOSE)
        per_rep = _mix((reps + np.uint64(1)) * _GAMMA)
        return _mix(per_purpose[None, :] ^ per_rep[:, None])


def pair_stream_keys(
    base: np.ndarray, reps: np.ndarray, purpose: int, inst: np.ndarray, rep: np.ndarray
) -> np.ndarray:
    """``stream_keys(base, reps, purpose)[rep, inst]`` (index arrays broadcast together),
    without mixing the keys of the other pairs: the keys of the streams an engine reads."""
    base = np.asarray(base, dtype=np.uint64)
    reps = np.asarray(reps, dtype=np.uint64)
    with np.errstate(over="ignore"):
        per_purpose = _mix(base + np.uint64(purpose) * _PURPOSE)
        per_rep = _mix((reps + np.uint64(1)) * _GAMMA)
        return _mix(per_purpose[inst] ^ per_rep[rep])


def single_stream_keys(base: int, reps: np.ndarray, purpose: int) -> np.ndarray:
    """`stream_keys` of one base key: shape (len(reps),)."""
    return stream_keys(np.array([base], dtype=np.uint64), reps, purpose)[:, 0]


def uniforms(keys: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Uniforms in (0, 1): draw `index` of the streams `keys` (broadcast together).

    The top 52 bits of the mixed word with the lowest set give an odd multiple of 2**-52:
    never 0 or 1, so every ppf is finite.
    """
    keys = np.asarray(keys, dtype=np.uint64)
    index = np.asarray(index, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.atleast_1d(keys + (index + np.uint64(1)) * _GAMMA)
        _mix(z)
    z >>= np.uint64(12)
    z |= np.uint64(1)
    u = z.astype(np.float64)
    u *= _TO_UNIT
    return u.reshape(np.broadcast_shapes(keys.shape, index.shape))


def draws(dist, keys: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Durations from `dist` at the addresses (`keys`, `index`), by inverse transform."""
    return dist.ppf(uniforms(keys, index))
