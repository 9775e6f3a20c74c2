"""The fast engine's level sort (packed integer keys) and count blocks, against plain
references: `np.lexsort` for the order, the rules core's `CountRule` stepped one instant
at a time for the blocks' changes (the tie rule of docs/scenario-format.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.engine import fast
from simulation.engine.fast import Events, _count_nodes, _sort_events
from simulation.engine.rules import CountRule
from simulation.model import distributions as d
from simulation.scenario import loads

#: Times from a small set, so events of one member and of several share instants.
TIMES = [0.0, 1e-9, 1.5, 2.0, 2.0 + 1e-12, 7.25, 100.0]


def reference_order(seg, t, up):
    """The tie rule's order: by segment, time, downs before ups, then input row."""
    return np.lexsort((np.arange(t.size), up, t, seg))


def check_sorted(seg, t, up):
    sorted_seg, sorted_up, row, same_next = _sort_events(seg, t, up)
    order = reference_order(seg, t, up)
    np.testing.assert_array_equal(row, order)
    np.testing.assert_array_equal(sorted_seg, seg[order])
    np.testing.assert_array_equal(sorted_up, up[order])
    s, ts = seg[order], t[order]
    at_once = np.zeros(t.size, bool)
    at_once[:-1] = (s[1:] == s[:-1]) & (ts[1:] == ts[:-1])
    np.testing.assert_array_equal(np.zeros(t.size, bool) if same_next is None else same_next, at_once)


events = st.lists(st.tuples(st.integers(0, 6), st.sampled_from(TIMES), st.booleans()), max_size=80)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(events)
def test_packed_sort_is_the_tie_rule_order(rows):
    """Segment, time, downs before ups, input row; and which events share an instant."""
    seg = np.array([r[0] for r in rows], np.int64)
    t = np.array([r[1] for r in rows], float)
    up = np.array([r[2] for r in rows], bool)
    check_sorted(seg, t, up)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(events, st.integers(40, 60))
def test_segments_too_wide_to_pack_take_the_ranking_path(rows, shift):
    """Wide segments: those that leave fewer than MIN_TICK_BITS for the time (the key would
    overflow 64 bits) are ordered by ranking the times instead, the others with coarse
    ticks that many times share: the same order either way, no overflow."""
    seg = np.array([r[0] for r in rows], np.int64) << np.int64(shift)
    t = np.array([r[1] for r in rows], float)
    up = np.array([r[2] for r in rows], bool)
    check_sorted(seg, t, up)


def test_times_closer_than_a_tick_keep_their_exact_order():
    """Many events in a narrow span (one tick holds several times): the exact times
    decide, and only equal times count as one instant."""
    rng = np.random.default_rng(3)
    n = 5000
    seg = rng.integers(0, 3, n)
    t = 1000.0 + rng.integers(0, 50, n) * 2.3e-13  # distinct floats, ticks of ~1e-11 h
    t[0] = 0.0  # a wide span makes the ticks coarse
    up = rng.random(n) < 0.5
    check_sorted(seg, t, up)


def member(rep, t, up, cause):
    return Events(
        np.asarray(rep, np.int64),
        np.asarray(t, float),
        np.asarray(up, bool),
        np.full(len(t), cause, np.int32),
    )


def reference_count(k, members, n_reps):
    """(rep, t, up, cause) of a count block, stepping `CountRule` through each instant."""
    out = []
    for r in range(n_reps):
        rule = CountRule(k)
        rule.start([True] * len(members))
        rows = [
            (float(m.t[i]), pos, bool(m.up[i]), int(m.cause[i]))
            for pos, m in enumerate(members)
            for i in np.flatnonzero(m.rep == r)
        ]
        for now in sorted({row[0] for row in rows}):
            change = rule.instant(now, [(pos, up, cause, 0) for t, pos, up, cause in rows if t == now])
            if change is not None:
                out.append((r, change.t, change.up, change.cause))
    return out


def as_rows(events: Events):
    return list(zip(events.rep.tolist(), events.t.tolist(), events.up.tolist(), events.cause.tolist()))


@st.composite
def member_streams(draw, n_reps):
    """A member's alternating down/up changes per replication, at times from TIMES (a
    down and then an up of one member may share an instant; an up and then a down may
    not: a part's events never hold one, `fast._drop_instant_ups`)."""
    rep, t, up = [], [], []
    for r in range(n_reps):
        times = sorted(draw(st.lists(st.sampled_from(TIMES), max_size=6)))
        last_up = None
        for x in times:
            is_up = len(t) > 0 and rep[-1] == r and not up[-1]
            if not is_up and x == last_up:
                continue
            rep.append(r)
            t.append(x)
            up.append(is_up)
            last_up = x if is_up else last_up
    return rep, t, up


@st.composite
def count_levels(draw):
    n_reps = draw(st.integers(1, 3))
    specs = []
    cause = 0
    for _ in range(draw(st.integers(1, 3))):
        n = draw(st.integers(1, 4))
        k = draw(st.integers(1, n))
        members = []
        for _ in range(n):
            members.append(member(*draw(member_streams(n_reps)), cause))
            cause += 1
        specs.append((k, n, members))
    return n_reps, specs


@settings(max_examples=80, deadline=None, derandomize=True)
@given(count_levels())
def test_count_blocks_follow_the_rules_core(level):
    """Several count blocks and replications in one pass: the same changes, times and
    causes as `CountRule` stepped instant by instant (ties included)."""
    n_reps, specs = level
    for (k, _, members), got in zip(specs, _count_nodes(specs, n_reps)):
        assert as_rows(got) == reference_count(k, members, n_reps)


@pytest.mark.parametrize("slice_events", [1, 4, 1 << 15])
def test_counts_never_join_across_replications_or_blocks(monkeypatch, slice_events):
    """A block left down at the end of one replication (or one block left down before
    the next block's events) does not carry its count into the next: each (block,
    replication) starts from its own state. Also with a level cut in slices."""
    monkeypatch.setattr(fast, "SORT_EVENTS", slice_events)
    # block 0: a series of two; replication 0 ends down, replication 1 has one outage
    a = member([0, 1, 1], [1.0, 2.0, 3.0], [False, False, True], 0)
    b = member([0], [0.5], [False], 1)
    # block 1: a 1-of-2 (down while both are down), only replication 1 has events
    c = member([1, 1], [4.0, 6.0], [False, True], 2)
    d = member([1, 1], [5.0, 7.0], [False, True], 3)
    series, pair = _count_nodes([(2, 2, [a, b]), (1, 2, [c, d])], 2)
    assert as_rows(series) == [(0, 0.5, False, 1), (1, 2.0, False, 0), (1, 3.0, True, 0)]
    assert as_rows(pair) == [(1, 5.0, False, 3), (1, 6.0, True, 2)]


def test_a_down_and_an_up_at_one_instant_are_no_change():
    """A series whose member fails at the instant another is repaired stays down (net
    change judged after the instant); the later repair brings it up."""
    a = member([0, 0], [1.0, 5.0], [False, True], 0)
    b = member([0, 0], [5.0, 6.0], [False, True], 1)
    (series,) = _count_nodes([(2, 2, [a, b])], 1)
    assert as_rows(series) == [(0, 1.0, False, 0), (0, 6.0, True, 1)]


@pytest.mark.parametrize(
    "dist",
    [
        d.Exponential(1 / 500.0),
        d.Weibull(0.7, 300.0),
        d.Weibull(3.0, 900.0),
        d.Lognormal(5.0, 1.2),
        d.Gamma(2.5, 200.0),
        d.Normal(600.0, 250.0),
        d.Deterministic(744.0),
        d.Deterministic(100.0),
        d.Uniform(10.0, 2000.0),
        d.Empirical((5.0, 80.0, 744.0, 744.0, 3000.0)),
    ],
    ids=lambda dist: type(dist).__name__,
)
def test_first_failures_are_computed_wherever_they_can_fall_inside(dist):
    """The fast engine computes a first failure only where the uniform is below the law's
    probability of failing within the horizon plus FIRST_FAILURE_MARGIN: every uniform
    whose failure time is inside the horizon must be among them (here on a fine grid
    around that probability and at random)."""
    horizon = 744.0
    q = float(dist.cdf(horizon))
    grid = np.clip(q + np.linspace(-1e-6, 1e-6, 20001), 1e-300, 1 - 2**-53)
    u = np.concatenate([grid, np.random.default_rng(0).random(100_000)])
    inside = dist.ppf(u) < horizon
    assert np.all(u[inside] < min(1.0, q + fast.FIRST_FAILURE_MARGIN))


PAIR = """
format: slasim/1
name: pair
components:
  server: {failure: {mtbf: 500h}, repair: {mttr: 8h}}
service: {k_of_n: 1, of: {server: 2}}
run: {horizon: 2000h}
"""


def test_a_plan_lives_with_its_scenario():
    """The per-scenario plan is reused while the scenario lives and dropped with it; a
    changed copy of a scenario gets its own plan (and its own outages)."""
    import dataclasses
    import gc

    from simulation.model.structure import Series

    pair = loads(PAIR, source="pair")
    first = fast.simulate(pair, 1, range(50), 2000.0)
    assert fast._plan(pair) is fast._plan(pair)
    single = dataclasses.replace(pair, service=Series(pair.service.members[:1]))
    alone = fast.simulate(single, 1, range(50), 2000.0)
    assert sum(t.outage_count for t in alone) > sum(t.outage_count for t in first)
    again = fast.simulate(pair, 1, range(50), 2000.0)
    assert all(np.array_equal(a.start, b.start) for a, b in zip(first, again))
    key = id(single)
    del single
    gc.collect()
    assert key not in fast._PLANS
