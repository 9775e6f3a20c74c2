"""Random streams that survive design changes (common random numbers).

A part's draws are keyed by its name in its scope, and a switching block's by its kind,
label and the parts below it, never by position: so reordering series members, adding
a server and adding a rack leave the untouched parts' draws and outages identical.
"""

import textwrap

import numpy as np
import pytest

from simulation.engine import des, fast
from simulation.model.structure import iter_blocks
from simulation.scenario import loads

COMPONENTS = """\
format: slasim/1
name: t
run: {horizon: 1y}
components:
  feed: {failure: {mtbf: 300h}, repair: {mttr: 5h}}
  generator: {failure: {mtbf: 400h}, repair: {mttr: 8h}}
  switch: {failure: {mtbf: 900h}, repair: {mttr: 2h}}
  server: {failure: {mtbf: 700h}, repair: {mttr: 6h}}
instances:
  power:
    standby: [feed, generator]
    switchover: 10min
    coverage: 0.9
    manual_switchover: 1h
    revert: true
"""


def design(service: str, blocks: str = ""):
    return loads(
        COMPONENTS + textwrap.dedent(blocks) + "service:\n" + textwrap.indent(textwrap.dedent(service), "  ")
    )


def events(scenario, seed=4, reps=range(30)):
    """Each instance's failure and repair times, by instance id (fast engine's draws)."""
    run = fast._Run(seed, np.asarray(reps, np.int64), scenario.run.horizon_hours)
    out = {}
    for iid, ev in fast._leaf_streams(scenario, run).items():
        order = np.lexsort((ev.t, ev.rep))
        out[iid] = (ev.rep[order], ev.t[order], ev.up[order])
    return out


def block_events(scenario, name, seed=4, reps=range(30)):
    """The changes of the block labelled `name` (fast engine's evaluation)."""
    run = fast._Run(seed, np.asarray(reps, np.int64), scenario.run.horizon_hours)
    evaluator = fast._Evaluator(scenario, run)
    evaluator.evaluate()
    (block,) = {id(b): b for b in iter_blocks(scenario.service) if getattr(b, "name", None) == name}.values()
    ev = evaluator.memo[id(block)]
    return ev.rep, ev.t, ev.up, np.asarray(list(scenario.instances))[ev.cause]


def same_draws(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("engine", [des, fast], ids=["des", "fast"])
def test_reordering_series_members_changes_nothing(engine):
    """A series of the power standby and a server, in either order: the same system, the
    same outages with the same seed."""
    one = design("series: [power, server]\n")
    two = design("series: [server, power]\n")
    h = one.run.horizon_hours
    a, b = engine.simulate(one, 4, range(30), h), engine.simulate(two, 4, range(30), h)
    ids_a, ids_b = list(one.instances), list(two.instances)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.start, y.start)
        np.testing.assert_array_equal(x.end, y.end)
        assert [ids_a[c] for c in x.cause] == [ids_b[c] for c in y.cause]


def test_adding_a_server_keeps_the_first_ones_draws():
    """One `server` is the same stream as `server-1` of two (the names may differ)."""
    one = design("series: [power, server]\n")
    two = design("series: [power, {parallel: [{server: 2}]}]\n")
    assert set(two.instances) >= {"server-1", "server-2"}
    ea, eb = events(one), events(two)
    assert same_draws(ea["server"], eb["server-1"])
    assert not same_draws(ea["server"], eb["server-2"])
    for name in ("power/feed", "power/generator"):
        assert same_draws(ea[name], eb[name])
    assert same_draws(block_events(one, "power"), block_events(two, "power"))


def test_adding_a_rack_keeps_the_other_racks_draws():
    """One rack -> two racks -> three racks: the existing racks' parts keep their draws,
    and the power chain (a switching block keyed by its parts) keeps its outages."""
    rack = """\
    blocks:
      rack:
        series:
          - {parallel: [{switch: 2}]}
          - {k_of_n: 2, of: {server: 3}}
    """
    designs = [
        design("series: [power, rack]\n", rack),
        design("series: [power, {k_of_n: 1, of: {rack: 2}}]\n", rack),
        design("series: [power, {k_of_n: 1, of: {rack: 3}}]\n", rack),
    ]
    draws = [events(d) for d in designs]
    for part in ("switch-1", "switch-2", "server-1", "server-3"):
        assert same_draws(draws[0][f"rack/{part}"], draws[1][f"rack-1/{part}"])
        assert same_draws(draws[1][f"rack-1/{part}"], draws[2][f"rack-1/{part}"])
        assert same_draws(draws[1][f"rack-2/{part}"], draws[2][f"rack-2/{part}"])
        assert not same_draws(draws[2][f"rack-1/{part}"], draws[2][f"rack-2/{part}"])
    first = block_events(designs[0], "power")
    assert len(first[0]) > 30  # the power chain changes often enough to show a difference
    assert all(same_draws(block_events(d, "power"), first) for d in designs[1:])
