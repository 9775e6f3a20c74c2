"""Golden numbers: a short run of the flagship scenario, pinned.

Every random number has a fixed address (engine.streams, the stream keys of
engine.keys), so a change to the streams, their keys, the draws or the engines' rules
changes these figures and fails here: such a change must be deliberate, and update them.
"""

from pathlib import Path

import pytest

import simulation as sim
from simulation.engine import des, fast
from simulation.study.runner import choose_engine

FLAGSHIP = "scenarios/web-hosting.yaml"


@pytest.fixture(scope="module")
def timelines():
    scenario = sim.load(Path(__file__).resolve().parent.parent / FLAGSHIP)
    engine = {"des": des, "fast": fast}[choose_engine(scenario, "auto")[0]]
    return scenario, engine.simulate(scenario, 7, range(50), scenario.run.horizon_hours)


def test_flagship_downtime_is_pinned(timelines):
    """50 replications of one year, seed 7: 231 outages, 60.149955836 h down in all."""
    scenario, tls = timelines
    down = sum(t.downtime_hours for t in tls)
    assert sum(t.outage_count for t in tls) == 231
    assert down == pytest.approx(60.149955836409774, rel=1e-12)
    assert 1 - down / (50 * scenario.run.horizon_hours) == pytest.approx(0.9998626713337069, rel=1e-14)
    assert [round(t.downtime_hours, 6) for t in tls[:5]] == [0.033333, 2.114079, 0.0, 0.025, 0.025]


def test_flagship_attribution_is_pinned(timelines):
    """Downtime by the instance that caused it (hours, all 50 replications)."""
    scenario, tls = timelines
    ids = list(scenario.instances)
    by_cause: dict[str, float] = {}
    for t in tls:
        for s, e, c in zip(t.start, t.end, t.cause):
            by_cause[ids[c]] = by_cause.get(ids[c], 0.0) + float(e - s)
    assert by_cause == pytest.approx(
        {
            "rack-power": 58.95551139197528,
            "dc-power/utility-feed": 0.7527777777721951,
            "web-server-1": 0.2499999999974989,
            "web-server-2": 0.19166666666480126,
        },
        rel=1e-9,
    )
