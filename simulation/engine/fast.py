"""The numpy engine (``engine="fast"``) for parts that fail and are repaired independently.

For every instance it draws the up and down durations of a whole batch of replications
as arrays, turns them into transition times by cumulative sums, and then evaluates the
structure bottom-up, one level of the structure at a time, as operations on sorted
event arrays: a series or k-of-n block is down while more than n - k of its members are
down. The count blocks of a level (twenty racks built alike) are evaluated together:
their members' events become 64-bit integer keys (block and replication | time tick |
up | row), one `np.sort` of plain integers per slice of the level puts them in the tie
rule's order, a `numpy.cumsum` of +1 and -1 counts each block's down members, and the
block changes where the count crosses n - k, judged after each instant (`CountRule` of
`engine.rules`, vectorised). The tick only orders: times are read back exactly, and only
at the rows where a block changes (and where ticks tie). Failover and
standby blocks, whose state depends on history, step their rule from `engine.rules`
through their members' events in the order of the tie rule; their events are rare
(power chains, database pairs, failover groups).

Network blocks keep their set of down members as a bit mask along their members' merged
events (a running XOR) and look each distinct mask up once in the block's cached
connectivity (`engine.rules.Connectivity`); a block of more members than a mask holds
steps its rule like a switching block.

Warm and cold blocks, whose waiting members age by the block's use of them, generate
their members' events themselves: the block is simulated alone, online, with the SimPy
engine's nodes and the same rules and streams (`des.block_changes`); its changes then
enter the structure like any member's. Their events are rare (a power chain, a database
pair). Out of scope: everything `engine.support.check_supported` rejects.
The structure may have several roots (the service seen from each customer site of a
network with per-site sources: `simulate_outputs`); a block shared by them is evaluated
once. The output is the same `Timeline` per replication as the SimPy engine's (as one
`TimelineBatch` per root, flat arrays with replication offsets), from the
same random numbers (see `engine.streams`): where both engines apply they give the same
outages, and everything after the Timeline is shared.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np

from simulation.engine import des
from simulation.engine.keys import block_stream_keys
from simulation.engine.nodes import initial_cause
from simulation.engine.rules import (
    CONNECTED,
    DISCONNECTED,
    TOO_SLOW,
    CountRule,
    connectivity_of,
    controls_members,
    rule_for,
    switchover_of,
)
from simulation.engine.sampler import SwitchoverDraws
from simulation.engine.steady import STEADY, steady_start
from simulation.engine.streams import (
    FAILURE,
    REPAIR,
    base_key,
    draws,
    pair_stream_keys,
    stream_keys,
    uniforms,
)
from simulation.engine.support import UnsupportedScenario, check_supported, operated_instances
from simulation.model.components import ComponentType
from simulation.model.demand import has_demand
from simulation.model.network import network_blocks, site_services
from simulation.model.scenario import Scenario
from simulation.model.structure import Leaf, Network
from simulation.model.timeline import UNPLANNED, TimelineBatch


def unsupported_reason(scenario: Scenario) -> str | None:
    """Why the fast engine cannot run `scenario`, or None when it can."""
    try:
        check_supported(scenario)
    except UnsupportedScenario as err:
        return str(err)
    if scenario.maintenance:
        return "maintenance jobs take parts down (the SimPy engine runs them)"
    if has_demand(scenario):
        return "a demand profile changes a block's k over the day (the SimPy engine runs it)"
    operated = operated_instances(scenario)
    if operated:
        return (
            f"repairs of {operated[0]!r}{' and others' if len(operated) > 1 else ''} wait for a "
            "crew or a spare part (the SimPy engine runs repair queues)"
        )
    return None


@dataclass
class Events:
    """State changes of one node over the replications of a call, sorted by (rep, t)
    (an instance's own events are only grouped: they are sorted where they are merged)."""

    rep: np.ndarray  # int64 position of the replication in the call's `reps`
    t: np.ndarray  # float64 hours
    up: np.ndarray  # bool: True = came up, False = went down
    cause: np.ndarray  # int32 instance index that triggered the change
    #: bool per replication: the state at t = 0 (None: up in every replication)
    initial: np.ndarray | None = None
    #: int32 per replication: the cause of a start down (`nodes.initial_cause`)
    initial_cause: np.ndarray | None = None

    def __len__(self):
        return self.t.size


def check_fast(scenario: Scenario) -> None:
    """Raise `UnsupportedScenario` when the fast engine cannot run `scenario`."""
    reason = unsupported_reason(scenario)
    if reason:
        raise UnsupportedScenario(
            f"the fast engine cannot run this scenario: {reason}; use engine des or auto"
        )


def simulate(scenario: Scenario, seed: int, reps: range, horizon_hours: float) -> TimelineBatch:
    """Simulate replications `reps` (e.g. ``range(0, 1000)``) with the fast engine.

    Returns the batch of their timelines (``batch[i]``: the Timeline of ``reps[i]``).
    The numbers depend on (seed, replication index) only, as with the SimPy engine.

    Raises
    ------
    UnsupportedScenario
        When the scenario is outside the fast engine's subset (see `unsupported_reason`).
    """
    return simulate_outputs(scenario, seed, reps, horizon_hours)[0]


def simulate_outputs(scenario: Scenario, seed: int, reps: range, horizon_hours: float) -> list[TimelineBatch]:
    """`simulate` for every output of the scenario, in one evaluation of the structure.

    The outputs are the service, then the service seen from each customer site of its
    per-site network blocks (`simulation.model.network.site_services`): several roots
    over the same blocks and parts, each block evaluated once, so every output reads
    the same draws. The service's timelines carry each network block's hours
    disconnected and beyond its latency bound (`Timeline.network_hours`).

    Returns
    -------
    list of TimelineBatch
        One per output (``[service, site 1, site 2, ...]``), one row per replication
        each; an output that is the service itself is the same batch.

    Raises
    ------
    UnsupportedScenario
        As `simulate`.
    """
    if _plan(scenario).reason is not None:
        check_fast(scenario)
    run = _Run(seed, np.asarray(reps, dtype=np.int64), float(horizon_hours))
    evaluator = _Evaluator(scenario, run)
    tops = evaluator.evaluate()
    roots = evaluator.plan.roots
    nets = network_blocks(scenario.service)
    hours = np.stack([evaluator.network_hours[id(b)] for b in nets], axis=1) if nets else None
    out: dict[int, TimelineBatch] = {}
    for root, top in zip(roots, tops):
        if id(root) not in out:
            out[id(root)] = _timelines(top, len(reps), horizon_hours, hours if root is roots[0] else None)
    return [out[id(root)] for root in roots]


@dataclass(frozen=True)
class _Run:
    seed: int
    reps: np.ndarray  # replication indices; Events.rep holds positions in this array
    horizon: float


class _Plan:
    """What evaluating a scenario needs that no run changes, worked out once per scenario
    (`_plan`): whether the fast engine can run it, the blocks by level with the count
    blocks' k, the blocks' stream keys, and the instances grouped by type."""

    def __init__(self, scenario: Scenario):
        self.reason = unsupported_reason(scenario)
        #: The service, then the service seen from each customer site (their copies of
        #: the blocks above a per-site network, made once: blocks are memoised by identity).
        self.roots = [scenario.service, *(root for _, root in site_services(scenario.service))]
        self.levels = _levels(self.roots)
        self.counts = [
            [
                (b, rule.k)
                for b, rule in ((b, rule_for(b)) for b in level if not isinstance(b, Leaf))
                if isinstance(rule, CountRule)
            ]
            for level in self.levels
        ]
        self.keys = block_stream_keys(scenario)
        for root in self.roots[1:]:  # a site's copy of a block draws as the block does
            for key, value in block_stream_keys(scenario, root).items():
                self.keys.setdefault(key, value)
        self.ids = list(scenario.instances)
        groups: dict[tuple, list[int]] = {}
        for i, iid in enumerate(self.ids):  # by type, and by own failure law (length-scaled parts)
            instance = scenario.instances[iid]
            groups.setdefault((instance.component, instance.failure), []).append(i)
        self.types = [
            (
                scenario.component_of(self.ids[idx[0]]),
                idx,
                [scenario.instances[self.ids[i]].stream_key for i in idx],
            )
            for idx in groups.values()
        ]
        self._bases: dict[int, list[np.ndarray]] = {}

    def bases(self, seed: int) -> list[np.ndarray]:
        """The base keys (`streams.base_key`) of each type's instances under `seed`."""
        if seed not in self._bases:
            if len(self._bases) >= PLAN_SEEDS:
                self._bases.clear()
            self._bases[seed] = [
                np.array([base_key(seed, k) for k in keys], np.uint64) for _, _, keys in self.types
            ]
        return self._bases[seed]


#: Seeds whose base keys a plan keeps.
PLAN_SEEDS = 4

_PLANS: dict[int, tuple[weakref.ref, _Plan]] = {}


def _plan(scenario: Scenario) -> _Plan:
    """The `_Plan` of `scenario`, kept while the scenario lives (a scenario is immutable),
    so the batches of a run do not work it out again."""
    key = id(scenario)
    entry = _PLANS.get(key)
    if entry is not None and entry[0]() is scenario:
        return entry[1]
    plan = _Plan(scenario)

    def forget(ref, key=key):
        if _PLANS.get(key, (None,))[0] is ref:
            del _PLANS[key]

    _PLANS[key] = (weakref.ref(scenario, forget), plan)
    return plan


class _Evaluator:
    """Evaluates the structure bottom-up: count blocks of one level in one pass each."""

    def __init__(self, scenario: Scenario, run: _Run):
        self.scenario, self.run = scenario, run
        self.plan = _plan(scenario)
        self.memo: dict[int, Events] = {}
        self.keys = self.plan.keys
        self.leaf_events = _leaf_streams(scenario, run)
        #: Per network block (by id): hours disconnected and beyond the latency bound,
        #: shape (replications, 2).
        self.network_hours: dict[int, np.ndarray] = {}
        #: A network block's merged member events and down-sets, by ``id(members)``.
        self.down_sets: dict[int, _DownSets] = {}

    def evaluate(self) -> list[Events]:
        """The events of each root of the plan (`_Plan.roots`: the service, then the
        service seen from each customer site), every block evaluated once."""
        memo = self.memo
        for level, counts in zip(self.plan.levels, self.plan.counts):
            if counts:
                specs = [(k, len(b.members), [memo[id(m)] for m in b.members]) for b, k in counts]
                for (b, _), events in zip(counts, _count_nodes(specs, self.run.reps.size)):
                    memo[id(b)] = events
            for b in level:
                if id(b) not in memo:
                    memo[id(b)] = self._evaluate(b)
        tops = []
        for root in self.plan.roots:
            top = memo[id(root)]
            if isinstance(root, Leaf):  # leaf streams are grouped, not sorted
                order = _order_by(top.rep, top.t, top.up)
                top = Events(
                    top.rep[order],
                    top.t[order],
                    top.up[order],
                    top.cause[order],
                    top.initial,
                    top.initial_cause,
                )
            tops.append(top)
        return tops

    def _evaluate(self, block) -> Events:
        if isinstance(block, Leaf):
            return self.leaf_events[block.instance]
        if controls_members(block):
            run = self.run
            return Events(*des.block_changes(self.scenario, block, run.seed, run.reps, run.horizon))
        members = [self.memo[id(m)] for m in block.members]
        if isinstance(block, Network):
            if len(members) <= MASK_MEMBERS:
                key = id(block.members)  # the same tuple in every site's copy of the block
                if key not in self.down_sets:
                    self.down_sets[key] = _down_sets(members, self.run.reps.size)
                events, hours = _network_node(
                    block, members, self.run.reps.size, self.run.horizon, self.down_sets[key]
                )
            else:
                hours = np.zeros((self.run.reps.size, 2))
                events = _switching_node(block, members, self.run, 0, hours)
            self.network_hours[id(block)] = hours
            return events
        return _switching_node(block, members, self.run, base_key(self.run.seed, self.keys[id(block)]))


def _levels(roots: list) -> list[list]:
    """Blocks below any of `roots`, grouped by height (leaves first); a block shared by
    several parents or roots appears once."""
    heights: dict[int, int] = {}
    blocks: dict[int, object] = {}

    def height(block) -> int:
        key = id(block)
        if key not in heights:
            blocks[key] = block
            heights[key] = 1 + max((height(m) for m in getattr(block, "members", ())), default=-1)
        return heights[key]

    for root in roots:
        height(root)
    levels: list[list] = [[] for _ in range(max(heights.values()) + 1)]
    for key, h in heights.items():
        levels[h].append(blocks[key])
    return levels


# --------------------------------------------------------------------------- leaves
def _leaf_streams(scenario: Scenario, run: _Run) -> dict[str, Events]:
    """Failures and repairs of every instance, drawn per component type in bulk.

    Instances of a type are taken in blocks of about `BLOCK_ELEMENTS` (instance,
    replication) pairs, so the arrays of one step stay in cache however large the data
    centre and the run are; an instance's Events are views into its block's arrays."""
    plan = _plan(scenario)
    out: dict[str, Events] = {}
    steady = scenario.run.start == "steady"
    per_block = max(1, BLOCK_ELEMENTS // max(1, run.reps.size))
    for (comp, idx, _), bases in zip(plan.types, plan.bases(run.seed)):
        for first in range(0, len(idx), per_block):
            block, base = idx[first : first + per_block], bases[first : first + per_block]
            start = steady_start(comp, stream_keys(base, run.reps, STEADY).T) if steady else None
            counts, rep, t, up = _block_events(comp, base, run, start)
            cause = np.repeat(np.asarray(block, np.int32), counts)
            bounds = np.zeros(len(block) + 1, np.int64)
            np.cumsum(counts, out=bounds[1:])
            for j, i in enumerate(block):
                a, b = bounds[j], bounds[j + 1]
                initial = None if start is None else ~start[0][j]
                initial_cause = None if start is None else np.full(run.reps.size, i, np.int32)
                out[plan.ids[i]] = Events(rep[a:b], t[a:b], up[a:b], cause[a:b], initial, initial_cause)
    return out


#: (Instance, replication) pairs drawn per block of instances.
BLOCK_ELEMENTS = 1 << 16


def _block_events(comp: ComponentType, base: np.ndarray, run: _Run, start=None):
    """Events of a block of n instances of one type (stream base keys `base`): (events
    per instance, rep, t, up), the arrays grouped by instance. Within an instance the
    events are not in time order (the blocks that evaluate them sort what they merge),
    which saves a sort of every event.

    First every instance's first failure (one draw per instance and replication: most
    parts of a highly available system never fail within the horizon; the failure time
    is computed only where the uniform is below the failure law's probability of a
    failure within the horizon, with a margin, and compared with the horizon there);
    then, for the pairs that did fail, rounds of (repair, failure) cycles until the
    horizon, as many cycles per round as the pairs still inside have, on average, left
    before the horizon (the longer ones go on in the next round; draws past the horizon
    are discarded, and every draw keeps its address, so a round's size changes no
    number). With a steady `start` (starts down, first change; arrays (n, reps)), the
    life in progress replaces failure draw 0, and a part that starts down comes up at
    its first change and its cycles start at draw 1 (as in `engine.steady`).
    """
    horizon, cycle, n_reps = run.horizon, comp.failure.mean + comp.repair.mean, run.reps.size
    rep_bits = max(1, (n_reps - 1).bit_length())
    grid = np.arange(base.size)[:, None], np.arange(n_reps)[None, :]
    kf = pair_stream_keys(base, run.reps, FAILURE, *grid).ravel()  # pair i * n_reps + r
    codes, times, ups = [], [], []  # pair codes (instance << rep_bits | rep), hours, up
    if start is None:
        u = uniforms(kf, np.uint64(0))
        likely = min(1.0, float(comp.failure.cdf(horizon)) + FIRST_FAILURE_MARGIN)
        flat = np.flatnonzero(u < likely)  # sorted by (instance, rep)
        last = comp.failure.ppf(u[flat])
        inside = last < horizon
        flat, last = flat[inside], last[inside]
        index = np.zeros(flat.size, np.int64)
    else:
        down, first = start
        di, dr = np.nonzero(down & (first < horizon))
        codes.append((di << rep_bits) | dr)  # the repair in progress ends
        times.append(first[di, dr])
        ups.append(True)
        first = first.copy()
        first[di, dr] += draws(comp.failure, kf[di * n_reps + dr], 1)  # the same addition as des
        flat = np.flatnonzero(first < horizon)
        last = first.ravel()[flat]
        index = down.ravel()[flat].astype(np.int64)
    inst, rep = np.divmod(flat, n_reps)
    pair = (inst << rep_bits) | rep
    codes.append(pair)
    times.append(last)
    ups.append(False)
    kf, kr = kf[flat], pair_stream_keys(base, run.reps, REPAIR, inst, rep)
    while pair.size:
        m = max(1, math.ceil(float(horizon - last.mean()) / cycle))
        steps = np.empty((2 * m, pair.size))  # row 2j: repair j, row 2j + 1: the failure after it
        cycles = index + np.arange(m)[:, None]
        steps[0::2] = draws(comp.repair, kr, cycles)
        cycles += 1
        steps[1::2] = draws(comp.failure, kf, cycles)
        steps[0] += last
        for j in range(1, 2 * m):  # the same additions, in the same order, as des
            steps[j] += steps[j - 1]
        live = np.arange(pair.size)
        for j in range(2 * m):
            live = live[steps[j, live] < horizon]
            codes.append(pair[live])
            times.append(steps[j, live])
            ups.append(j % 2 == 0)
        pair, last, index, kf, kr = pair[live], steps[-1, live], index[live] + m, kf[live], kr[live]
    # group by instance; within an instance, time order is not needed (merges sort)
    sizes = [c.size for c in codes]
    code = np.concatenate(codes)
    inst = code >> rep_bits
    order = np.argsort(inst, kind="stable")  # a merge of the parts' sorted runs (timsort)
    return (
        np.bincount(inst, minlength=base.size),
        code[order] & ((1 << rep_bits) - 1),
        np.concatenate(times)[order],
        np.repeat(np.array(ups, bool), sizes)[order],
    )


#: Added to a failure law's probability of failing within the horizon to pick the
#: uniforms whose failure time is computed (far above any rounding of cdf and ppf).
FIRST_FAILURE_MARGIN = 1e-9


# ----------------------------------------------------------------------- count blocks
#: Fewest bits of time tick worth packing (else `_order_by` ranks the times instead).
MIN_TICK_BITS = 8


def _order_by(key: np.ndarray, t: np.ndarray, up: np.ndarray) -> np.ndarray:
    """The permutation sorting by (integer `key` >= 0, time `t`, downs before ups), equal
    triples in input order: the tie rule's order when the input is in member order.

    The same order as ``np.lexsort((up, t, key))``, several times faster: one `np.sort`
    of plain 64-bit integers packing (key | time tick | row). The tick only orders (a
    monotone quantisation of `t` into the bits the key and the row leave free, at least
    `MIN_TICK_BITS`); rows that share a key and a tick are then put in exact order by
    one small lexsort. The output keeps the exact float times (the caller indexes them).
    """
    n = t.size
    if n == 0:
        return np.zeros(0, np.int64)
    key = key.astype(np.int64, copy=False)
    row_bits = max(1, (n - 1).bit_length())
    key_bits = max(1, int(key.max()).bit_length())
    tick_bits = min(50, 62 - row_bits - key_bits)  # <= 50: exact in a float's mantissa
    low, span = float(t.min()), float(t.max() - t.min())
    if tick_bits < MIN_TICK_BITS or not np.isfinite(span):
        return _order_by_rank(key, t, up)
    scale = ((1 << tick_bits) - 1) / span if span > 0 else 0.0
    tick = np.minimum(((t - low) * scale).astype(np.int64), (1 << tick_bits) - 1)  # monotone in t
    packed = (key << (tick_bits + row_bits)) | (tick << row_bits) | np.arange(n, dtype=np.int64)
    packed.sort()
    order = packed & ((1 << row_bits) - 1)
    high = packed >> row_bits
    same = high[1:] == high[:-1]
    if same.any():
        tied = np.zeros(n, bool)
        tied[1:] |= same
        tied[:-1] |= same
        first = tied.copy()
        first[1:] &= ~same
        idx = np.flatnonzero(tied)
        rows = order[idx]
        run = np.cumsum(first)[idx]
        order[idx] = rows[np.lexsort((rows, up[rows], t[rows], run))]
    return order


def _order_by_rank(key: np.ndarray, t: np.ndarray, up: np.ndarray) -> np.ndarray:
    """`_order_by` for keys too wide to pack: rank the times (by (t, up), stably, when
    some are equal), then sort the unique integers ``key * n + rank`` (or, where those
    would not fit in 63 bits, sort by (key, rank))."""
    n = t.size
    by_time = np.argsort(t)
    if n > 1 and np.any(t[by_time[1:]] == t[by_time[:-1]]):
        by_time = np.lexsort((up, t))
    rank = np.empty(n, np.int64)
    rank[by_time] = np.arange(n)
    if (int(key.max()) + 1) * n >= 1 << 63:
        return np.lexsort((rank, key))
    return np.argsort(key * n + rank)


def _group_starts(*keys) -> np.ndarray:
    """True where any of the sorted key arrays changes (and at index 0)."""
    n = keys[0].size
    start = np.zeros(n, bool)
    if n:
        start[0] = True
        for k in keys:
            start[1:] |= k[1:] != k[:-1]
    return start


def _transitions(g, rep, t, state_up, start_up=None):
    """Rows where the node's state changes, judged after the last event at each instant,
    and the rows whose cause the change takes: at each instant, the first row after
    which the node is in its final state (the member change that last flipped it: the
    downs of an instant come first, so the count moves one way, then the other)."""
    n = t.size
    last = np.ones(n, bool)
    if n:
        same = (rep[1:] == rep[:-1]) & (t[1:] == t[:-1])
        if g is not None:
            same &= g[1:] == g[:-1]
        last[:-1] = ~same
    idx = np.flatnonzero(last)
    s = state_up[idx]
    prev = np.empty_like(s)
    if idx.size:
        prev[1:] = s[:-1]
        prev[0] = True
        keys = (rep[idx],) if g is None else (g[idx], rep[idx])
        first = _group_starts(*keys)
        prev[first] = True if start_up is None else start_up[idx][first]  # the state at t = 0
    changed = s != prev
    keep = idx[changed]
    if idx.size == n:  # one row per instant
        return keep, keep
    instant = np.zeros(n, np.int64)
    instant[idx[:-1] + 1] = 1
    instant = np.cumsum(instant)
    final = state_up == s[instant]
    rows = np.flatnonzero(final)
    _, first = np.unique(instant[rows], return_index=True)
    return keep, rows[first][changed]


#: Events sorted in one pass when a level's count blocks are evaluated.
SORT_EVENTS = 1 << 15


def _count_nodes(specs, n_reps: int) -> list[Events]:
    """Series / k-of-n blocks: ``specs = [(k, n, member_streams), ...]``, a pass per slice
    of about `SORT_EVENTS` events (sorting slices that fit in cache beats one huge sort)."""
    out: list[Events] = []
    first, size = 0, 0
    for i, (_, _, members) in enumerate(specs):
        size += sum(len(m) for m in members)
        if size >= SORT_EVENTS or i == len(specs) - 1:
            out += _count_slice(specs[first : i + 1], n_reps)
            first, size = i + 1, 0
    return out


def _count_slice(specs, n_reps: int) -> list[Events]:
    """Series / k-of-n blocks, all in one pass.

    A block of n members needing k is down while more than n - k members are down. Its
    members' events are keyed by (block, replication) and put in the tie rule's order by
    one sort of packed integers (`_sort_events`); the number of members down is a
    running sum of +1 (down) and -1 (up) from each (block, replication)'s start, and the
    block changes where that number crosses n - k, judged after each instant. Only the
    rows where a block changes are looked up again (their exact time and cause).
    """
    streams = [s for _, _, ms in specs for s in ms]
    lengths = np.fromiter((len(s) for s in streams), np.int64, len(streams))
    per_block = np.fromiter((len(ms) for _, _, ms in specs), np.int64, len(specs))
    rep = np.concatenate([s.rep for s in streams])
    t = np.concatenate([s.t for s in streams])
    up = np.concatenate([s.up for s in streams])
    seg = np.repeat(np.repeat(np.arange(len(specs), dtype=np.int64) * n_reps, per_block), lengths)
    seg += rep  # (block, replication): block * n_reps + rep
    sorted_seg, sorted_up, row, same_next = _sort_events(seg, t, up)
    n = row.size
    first = np.ones(n, bool)
    first[1:] = sorted_seg[1:] != sorted_seg[:-1]
    starts = np.flatnonzero(first)
    block, block_rep = np.divmod(sorted_seg[starts], n_reps)
    slack = np.array([n_members - k for k, n_members, _ in specs], np.int64)[block]
    initial = [_initial_count(members, n_reps) for _, _, members in specs]
    start_up = init_up = None
    if any(x is not None for x in initial):
        init_down = np.array([np.zeros(n_reps, np.int64) if x is None else x[0] for x in initial])
        init_up = init_down <= np.array([n_members - k for k, n_members, _ in specs])[:, None]
        slack = slack - init_down[block, block_rep]
        start_up = init_up[block, block_rep]
    delta = 1 - 2 * sorted_up.view(np.int8).astype(np.int64)
    down = np.cumsum(delta)
    # up while (members down since the segment's start) + (down at t = 0) <= n - k
    state = down <= np.repeat(slack + down[starts] - delta[starts], np.diff(np.append(starts, n)))
    keep, why = _changes(state, starts, same_next, start_up)
    blocks_kept = sorted_seg[keep] // n_reps
    rep_kept = sorted_seg[keep] - blocks_kept * n_reps
    t_kept = t[row[keep]]
    cause_kept = np.concatenate([s.cause for s in streams])[row[why]] if keep.size else np.zeros(0, np.int32)
    bounds = np.searchsorted(blocks_kept, np.arange(len(specs) + 1))
    out = []
    for i in range(len(specs)):
        a, b = bounds[i], bounds[i + 1]
        steady = initial[i] is not None
        out.append(
            Events(
                rep_kept[a:b],
                t_kept[a:b],
                state[keep[a:b]],
                cause_kept[a:b],
                init_up[i] if steady else None,
                initial[i][1] if steady else None,
            )
        )
    return out


def _sort_events(seg: np.ndarray, t: np.ndarray, up: np.ndarray):
    """Events put in order by (segment, time, downs before ups, input row): the tie rule's
    order when the input is in member order.

    One `np.sort` of plain 64-bit integers packing (segment | time tick | up | row), with
    no gather of the inputs: the segment and the up flag are read back from the sorted
    words. The tick only orders (a monotone quantisation of `t` into the bits the
    segment, the flag and the row leave free, at least `MIN_TICK_BITS`); rows that share
    a segment and a tick are then put in exact order by one small lexsort. Segments too
    wide to leave that many bits take `_order_by_rank`.

    Parameters
    ----------
    seg : ndarray of int64 >= 0, shape (n,)
    t : ndarray of float64, shape (n,)
        Exact times (hours); they are read again only where ticks tie.
    up : ndarray of bool, shape (n,)

    Returns
    -------
    (seg, up, row, same_next)
        Sorted segments (int64) and up flags (bool), the input row of each sorted
        position (int64), and a bool array telling the positions followed by an event
        of the same segment at the same exact time (None when no tick is shared, so no
        two events are at one instant).
    """
    n = t.size
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, np.int64), None
    row_bits = max(1, (n - 1).bit_length())
    seg_bits = max(1, int(seg.max()).bit_length())
    tick_bits = min(50, 62 - row_bits - seg_bits)  # one bit for up; <= 50: exact in a float
    low, span = float(t.min()), float(t.max() - t.min())
    if tick_bits < MIN_TICK_BITS or not np.isfinite(span):
        order = _order_by_rank(seg, t, up)
        sorted_seg, sorted_t = seg[order], t[order]
        same = (sorted_seg[1:] == sorted_seg[:-1]) & (sorted_t[1:] == sorted_t[:-1])
        return sorted_seg, up[order], order, np.append(same, False) if same.any() else None
    scale = ((1 << tick_bits) - 1) / span if span > 0 else 0.0
    packed = t - low
    packed *= scale
    packed = packed.astype(np.int64)
    np.minimum(packed, (1 << tick_bits) - 1, out=packed)  # monotone in t
    packed <<= 1
    packed |= up
    packed <<= row_bits
    packed |= np.arange(n, dtype=np.int64)
    packed |= seg << (tick_bits + 1 + row_bits)
    packed.sort()
    high = packed >> (row_bits + 1)  # segment | tick
    same = high[1:] == high[:-1]
    same_next = None
    if same.any():
        row_mask = (1 << row_bits) - 1
        tied = np.zeros(n, bool)
        tied[1:] |= same
        tied[:-1] |= same
        idx = np.flatnonzero(tied)
        first = np.ones(idx.size, bool)
        first[1:] = ~same[idx[1:] - 1]
        run = np.cumsum(first)
        words = packed[idx]
        rows = words & row_mask
        words = words[np.lexsort((rows, up[rows], t[rows], run))]
        packed[idx] = words
        rows = words & row_mask
        at_once = (run[1:] == run[:-1]) & (t[rows[1:]] == t[rows[:-1]])
        if at_once.any():
            same_next = np.zeros(n, bool)
            same_next[idx[:-1][at_once]] = True
        high = packed >> (row_bits + 1)
    row = packed & ((1 << row_bits) - 1)
    up_sorted = ((packed >> row_bits) & 1).astype(bool)
    return high >> tick_bits, up_sorted, row, same_next


def _changes(state: np.ndarray, starts: np.ndarray, same_next, start_up=None):
    """Where a node's state changes, judged after the last event at each instant, and
    the rows whose cause each change takes.

    Parameters
    ----------
    state : ndarray of bool, shape (n,)
        The node's state after each event (events sorted by segment and time).
    starts : ndarray of int64
        Position of each segment's first event (a segment: one node in one replication).
    same_next : ndarray of bool, shape (n,), or None
        True where the next event is of the same segment at the same instant (None: no
        two events share an instant).
    start_up : ndarray of bool, shape (len(starts),), or None
        Each segment's state at t = 0 (None: up).

    Returns
    -------
    (keep, why) : positions of the changes (the last event of each changing instant) and
    of the events whose cause they take: at each instant, the first event after which
    the node is in its final state (the member change that last flipped it, since the
    downs of an instant come first).
    """
    n = state.size
    if same_next is None:
        prev = np.empty(n, bool)
        prev[1:] = state[:-1]
        prev[starts] = True if start_up is None else start_up
        keep = np.flatnonzero(state != prev)
        return keep, keep
    last = np.flatnonzero(~same_next)  # last event of each instant
    s = state[last]
    instant = np.zeros(n, np.int64)
    instant[last[:-1] + 1] = 1
    instant = np.cumsum(instant)  # instant of each event
    prev = np.empty(s.size, bool)
    prev[1:] = s[:-1]
    prev[instant[starts]] = True if start_up is None else start_up
    changed = s != prev
    final = np.flatnonzero(state == s[instant])
    inst_final = instant[final]
    first_final = final[np.flatnonzero(np.append(True, inst_final[1:] != inst_final[:-1]))]
    return last[changed], first_final[changed]


def _initial_count(members: list[Events], n_reps: int):
    """(members down at t = 0, cause of a start down) per replication, or None when every
    member starts up (the cause: `nodes.initial_cause`, the first member that starts down)."""
    if all(m.initial is None for m in members):
        return None
    down = np.zeros(n_reps, np.int64)
    cause = np.full(n_reps, -1, np.int32)
    for m in members:
        if m.initial is not None:
            first = ~m.initial & (cause < 0)
            cause[first] = m.initial_cause[first]
            down += ~m.initial
    return down, cause


# ------------------------------------------------------------------ network blocks
#: Most members of a network block whose down-set fits an int64 mask; a larger block's
#: rule is stepped like a switching block's (Python integers as masks).
MASK_MEMBERS = 62


@dataclass(frozen=True)
class _DownSets:
    """A network block's members' events merged in the tie rule's order, with the down-set
    (bit mask) after each, and each distinct mask once (`numpy.unique`): shared by the
    copies of a block seen from several sites, which differ only in how a mask is judged."""

    rep: np.ndarray
    t: np.ndarray
    cause: np.ndarray
    mask: np.ndarray
    initial_down: np.ndarray  # (n_reps,) mask at t = 0
    unique: tuple[np.ndarray, np.ndarray]  # distinct masks, and each event's index into them


def _down_sets(members: list[Events], n_reps: int) -> _DownSets:
    """The down-set after each of the members' events: bit i is member i down, kept by a
    running XOR (a member's changes alternate)."""
    pos_all = np.concatenate([np.full(len(m), i, np.int64) for i, m in enumerate(members)])
    rep_all = np.concatenate([m.rep for m in members])
    t_all = np.concatenate([m.t for m in members])
    order = _order_by(rep_all, t_all, np.concatenate([m.up for m in members]))
    rep, t = rep_all[order], t_all[order]
    cause = np.concatenate([m.cause for m in members])[order]
    bit = np.left_shift(np.int64(1), pos_all[order])
    initial_down = np.zeros(n_reps, np.int64)
    for i, m in enumerate(members):
        if m.initial is not None:
            initial_down |= np.where(m.initial, 0, 1 << i).astype(np.int64)
    mask = np.bitwise_xor.accumulate(bit) if bit.size else bit
    starts = np.flatnonzero(_group_starts(rep))
    before = np.zeros(starts.size, np.int64)
    before[1:] = mask[starts[1:] - 1]
    gid = np.cumsum(_group_starts(rep)) - 1
    mask = mask ^ before[gid] ^ initial_down[rep]
    masks, inverse = np.unique(mask, return_inverse=True)
    return _DownSets(rep, t, cause, mask, initial_down, (masks, inverse.reshape(mask.shape)))


def _network_node(
    block: Network, members: list[Events], n_reps: int, horizon: float, down: _DownSets | None = None
) -> tuple[Events, np.ndarray]:
    """A network block: the down-set after each of its members' events is a bit mask
    (`_down_sets`, or `down` when already merged for another site's copy of the block),
    the block's state is its `Connectivity` answer for the mask (each distinct mask
    looked up once), and its changes are where the answer, judged after each instant,
    changes (the tie rule's cause: as for count blocks, the structure being monotone).

    Returns the block's events and its hours `DISCONNECTED` and `TOO_SLOW` per
    replication, shape (n_reps, 2): each stretch between events in the state after the
    first of them, summed in time order (as `engine.rules.NetworkRule` sums them)."""
    connectivity = connectivity_of(block)
    down = down if down is not None else _down_sets(members, n_reps)
    rep, t, cause = down.rep, down.t, down.cause
    answers = connectivity.states(down.mask, down.unique)
    state = answers == CONNECTED
    initial_answers = connectivity.states(down.initial_down)
    hours = _state_hours(rep, t, answers, initial_answers, n_reps, horizon)
    steady = any(m.initial is not None for m in members)
    start_up = initial = initial_causes = None
    if steady:
        initial = initial_answers == CONNECTED
        initial_causes = np.full(n_reps, -1, np.int32)
        for m in reversed(members):  # the first member that starts down (`nodes.initial_cause`)
            if m.initial is not None:
                initial_causes = np.where(~initial & ~m.initial, m.initial_cause, initial_causes)
        start_up = initial[rep]
    keep, why = _transitions(None, rep, t, state, start_up)
    return Events(rep[keep], t[keep], state[keep], cause[why], initial, initial_causes), hours


def _state_hours(rep, t, answers, initial_answers, n_reps: int, horizon: float) -> np.ndarray:
    """Hours `DISCONNECTED` and `TOO_SLOW` per replication, shape (n_reps, 2), from the
    events (sorted by replication and time) and the answer after each, and the answer
    at the start: the stretch before a replication's first event in the starting
    answer, each later stretch in the answer after the event that begins it, the last
    one to the horizon. Summed stretch by stretch in time order, as the SimPy engine
    sums them (`engine.rules.NetworkRule`), so both give the same hours."""
    n = t.size
    end = np.full(n, horizon)
    if n:
        same = rep[1:] == rep[:-1]
        end[:-1][same] = t[1:][same]
    first_t = np.full(n_reps, horizon)
    if n:
        starts = np.flatnonzero(_group_starts(rep))
        first_t[rep[starts]] = t[starts]
    # the stretch before the first event comes first in each replication: its place is
    # after the events of the replications before it (`rep` is sorted)
    at_start = np.searchsorted(rep, np.arange(n_reps)) + np.arange(n_reps)
    at_event = np.arange(n) + rep + 1
    rows = np.empty(n + n_reps, np.int64)
    which = np.empty(n + n_reps, np.int64)
    length = np.empty(n + n_reps)
    rows[at_start], which[at_start], length[at_start] = np.arange(n_reps), initial_answers, first_t
    rows[at_event], which[at_event], length[at_event] = rep, answers, end - t
    sums = np.bincount(rows * 3 + which, weights=length, minlength=3 * n_reps)
    sums = sums.reshape(n_reps, 3)
    return np.stack([sums[:, DISCONNECTED], sums[:, TOO_SLOW]], axis=1)


# ---------------------------------------------------------------- switching blocks
def _switching_node(block, members: list[Events], run: _Run, base: int, network_hours=None) -> Events:
    """Failover, standby and slot blocks: their rule (`engine.rules`) stepped through the
    members' events of each replication, one instant at a time (the tie rule); and a
    network block too large for a mask, whose hours disconnected and beyond the
    latency bound then go into row r of `network_hours` (shape (replications, 2))."""
    switchover = switchover_of(block)
    draw = None if switchover is None else SwitchoverDraws(switchover, base)
    rule = rule_for(block, draw)
    pos_all = np.concatenate([np.full(len(s), i, np.int64) for i, s in enumerate(members)])
    rep_all = np.concatenate([s.rep for s in members])
    t_all = np.concatenate([s.t for s in members])
    up_all = np.concatenate([s.up for s in members])
    order = _order_by(rep_all, t_all, up_all)
    rep, t, up = rep_all[order].tolist(), t_all[order].tolist(), up_all[order].tolist()
    cause = np.concatenate([s.cause for s in members])[order].tolist()
    pos = pos_all[order].tolist()
    if draw is not None:
        draw.prepare_replications(run.reps)
    out_rep, out_t, out_up, out_cause = [], [], [], []

    def emit(r: int, change) -> None:
        if change is not None:
            out_rep.append(r)
            out_t.append(change.t)
            out_up.append(change.up)
            out_cause.append(change.cause)

    steady = any(m.initial is not None for m in members)
    start_up = [np.ones(run.reps.size, bool) if m.initial is None else m.initial for m in members]
    start_cause = [
        np.full(run.reps.size, -1, np.int32) if m.initial is None else m.initial_cause for m in members
    ]
    initial = np.ones(run.reps.size, bool)
    initial_causes = np.full(run.reps.size, -1, np.int32)
    i, total, horizon = 0, len(t), run.horizon
    for r in range(run.reps.size):
        if draw is not None:
            draw.start(r)
        members_up = [bool(x[r]) for x in start_up]
        initial[r] = rule.start(members_up)
        if not initial[r]:
            initial_causes[r] = initial_cause(
                False, [(u, int(c[r])) for u, c in zip(members_up, start_cause)]
            )
        while i < total and rep[i] == r:
            now = t[i]
            if rule.switch_end is not None and rule.switch_end < now:
                emit(r, rule.instant(rule.switch_end, []))
            j = i + 1
            while j < total and rep[j] == r and t[j] == now:
                j += 1
            changes = [(pos[x], up[x], cause[x], 0) for x in range(i, j)]
            emit(r, rule.instant(now, changes))
            i = j
        if rule.switch_end is not None and rule.switch_end < horizon:
            emit(r, rule.instant(rule.switch_end, []))
        if network_hours is not None:
            network_hours[r] = rule.hours_until(horizon)
    return Events(
        np.asarray(out_rep, np.int64),
        np.asarray(out_t, float),
        np.asarray(out_up, bool),
        np.asarray(out_cause, np.int32),
        initial if steady else None,
        initial_causes if steady else None,
    )


# --------------------------------------------------------------------------- output
def _timelines(top: Events, replications: int, horizon: float, network_hours=None) -> TimelineBatch:
    """System outages per replication from the top node's state changes; `network_hours`
    (shape (replications, blocks, 2)) gives each its `Timeline.network_hours`."""
    if top.initial is not None and not top.initial.all():  # down from t = 0: a down at 0
        r0 = np.flatnonzero(~top.initial)
        rep = np.concatenate([r0, top.rep])
        order = np.argsort(rep, kind="stable")
        top = Events(
            rep[order],
            np.concatenate([np.zeros(r0.size), top.t])[order],
            np.concatenate([np.zeros(r0.size, bool), top.up])[order],
            np.concatenate([top.initial_cause[r0], top.cause])[order],
        )
    downs = np.flatnonzero(~top.up & (top.t < horizon))
    nxt = downs + 1
    has_end = nxt < len(top)
    has_end[has_end] = top.rep[nxt[has_end]] == top.rep[downs[has_end]]
    ends = np.full(downs.size, horizon)
    ends[has_end] = np.minimum(top.t[nxt[has_end]], horizon)
    keep = ends > top.t[downs]  # a down and an up at one instant is no outage (as in des)
    downs, ends = downs[keep], ends[keep]
    starts, reps, causes = top.t[downs], top.rep[downs], top.cause[downs]
    # an up of no duration does not end an outage: join outages that touch (as in des)
    joined = np.zeros(downs.size, bool)
    joined[1:] = (reps[1:] == reps[:-1]) & (starts[1:] == ends[:-1])
    if joined.any():
        first = np.flatnonzero(~joined)
        last = np.r_[first[1:], downs.size] - 1
        starts, reps, causes, ends = starts[first], reps[first], causes[first], ends[last]
    bounds = np.searchsorted(reps, np.arange(replications + 1)).astype(np.int64)
    kinds = np.full(starts.size, UNPLANNED, np.int8)
    return TimelineBatch(
        starts,
        ends,
        kinds,
        causes.astype(np.int32, copy=False),
        bounds,
        float(horizon),
        network_hours=network_hours,
    )
