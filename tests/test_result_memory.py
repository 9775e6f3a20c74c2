"""What a Result keeps: per-replication and per-window figures as arrays, the worst
timelines only, and any other timeline simulated again on demand."""

import numpy as np
import pytest
from helpers import L, assert_same_timelines, expo, scenario_of

import simulation as sim
from simulation.engine import des, fast
from simulation.model.sla import SLA
from simulation.model.structure import KofN, Series, Standby
from simulation.study.batch import WORST_KEPT

REPS = 450  # three batches of 200, the last one short


@pytest.fixture(scope="module")
def scenario():
    service = Series((KofN(1, L("a", "b")), *L("c")))
    parts = {"a": expo(300, 10), "b": expo(300, 10), "c": expo(2000, 8)}
    return scenario_of(service, parts, horizon=8760.0, sla=SLA(target=0.999))


@pytest.fixture(scope="module")
def result(scenario):
    return sim.run(scenario, replications=REPS, seed=9, workers=1, progress=False)


def test_the_worst_replications_are_kept_worst_first(result):
    counted = result.window_downtime_min.sum(axis=1)
    expected = np.lexsort((np.arange(REPS), -counted))[:WORST_KEPT]
    assert [r for r, _ in result.worst_timelines] == expected.tolist()
    for r, tl in result.worst_timelines:
        assert tl.downtime_hours == pytest.approx(result.per_replication.downtime_hours[r], abs=0)


def test_the_worst_do_not_depend_on_workers(scenario, result):
    other = sim.run(scenario, replications=REPS, seed=9, workers=2, progress=False)
    assert [r for r, _ in other.worst_timelines] == [r for r, _ in result.worst_timelines]


@pytest.mark.parametrize("replication", [0, 201, REPS - 1])
def test_any_timeline_is_simulated_again_alone(scenario, result, replication):
    """`timeline(r)` equals replication r of a run of all replications."""
    every = fast.simulate(scenario, 9, range(REPS), 8760.0)
    assert_same_timelines([result.timeline(replication)], [every[replication]])


def test_kept_timelines_are_returned_as_kept(result):
    r, tl = result.worst_timelines[0]
    assert result.timeline(r) is tl


def test_timeline_of_a_des_run():
    sc = scenario_of(
        Standby(L("a", "b"), mode="cold"), {"a": expo(300, 10), "b": expo(300, 10)}, horizon=2000.0
    )
    res = sim.run(sc, replications=30, seed=2, engine="des", workers=1, progress=False)
    assert res.engine == "des"
    assert_same_timelines([res.timeline(17)], [des.simulate(sc, 2, range(30), 2000.0)[17]])


def test_timeline_out_of_range(result):
    with pytest.raises(IndexError, match=f"replication {REPS} not in range"):
        result.timeline(REPS)


def test_windows_table_is_built_from_the_arrays(result):
    w = result.windows
    assert len(w) == REPS * 12
    np.testing.assert_array_equal(w.availability.to_numpy(), result.window_availability.ravel())
    np.testing.assert_array_equal(w.downtime_min.to_numpy(), result.window_downtime_min.ravel())
    np.testing.assert_array_equal(w.breach.to_numpy(), result.window_breach.ravel())
    np.testing.assert_array_equal(w.breach.to_numpy(), w.availability.to_numpy() < 0.999)
    assert w.replication.iloc[13] == 1 and w.window.iloc[13] == "2027-02"
    assert result.expected_credit_percent == pytest.approx(w.credit_pct.mean(), abs=0)


def test_figures_from_the_stored_windows_equal_those_of_the_full_table(result):
    """Only windows with downtime are stored; every figure equals the full table's."""
    dense = result.window_availability
    assert dense.shape == (REPS, 12)
    assert result._w.flat.size < dense.size / 2  # most months have no counted downtime
    assert result.window_availability_mean == pytest.approx(dense.mean(), rel=1e-15)
    for q in (0.0, 0.005, 0.01, 0.05, 0.5, 1.0):
        assert result.window_availability_quantile(q) == pytest.approx(np.quantile(dense, q), abs=1e-15)
    assert result.breach_probability == (dense < result.sla.target).mean()
    assert result.expected_credit_per_year is None  # no fee
    assert result.expected_credit_percent == pytest.approx(
        100 * np.mean(result.sla.credit_for(dense)), rel=1e-12
    )
    some = result.windows_with_downtime()
    np.testing.assert_array_equal(
        some.availability, dense[some.replication, [int(w[-2:]) - 1 for w in some.window]]
    )
    assert (some.downtime_min > 0).all() and len(some) == np.count_nonzero(result.window_downtime_min)
    r = int(some.replication.iloc[0])
    avail, down, breach = result.window_figures(r)
    np.testing.assert_array_equal(avail, dense[r])
    np.testing.assert_array_equal(down, result.window_downtime_min[r])
    np.testing.assert_array_equal(breach, result.window_breach[r])
