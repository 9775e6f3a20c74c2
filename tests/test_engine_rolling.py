"""Rolling maintenance: one member of a redundant group at a time, never the last up one."""

import dataclasses
import datetime as dt

import pytest
from helpers import L, det, expo, scenario_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.engine import des
from simulation.engine.maintenance import RollingMaintenance
from simulation.model.calendar import Calendar
from simulation.model.distributions import Deterministic, Exponential
from simulation.model.operations import MaintenanceRule, MaintenanceTime
from simulation.model.structure import KofN, Series
from simulation.model.timeline import MAINTENANCE, UNPLANNED

UTC = Calendar(dt.date(2027, 3, 1))
DAILY_0300 = MaintenanceTime(minute=180)


def maintained(sc, *rules):
    return dataclasses.replace(sc, maintenance=tuple(rules), calendar=UTC)


def daily(targets, hours, rolling=True, minute=180):
    return MaintenanceRule(
        "patch", targets, "day", MaintenanceTime(minute=minute), Deterministic(hours), rolling=rolling
    )


def test_the_second_member_waits_for_the_first_and_a_failure_meanwhile_is_unplanned():
    """1-of-2, both patched daily at 03:00 for 2 h. Rolling: a from 3 to 5, b deferred to
    5 to 7. a (4.5 h of life, not ageing in its job) fails at 6.5 while b is in its job:
    the group is down [6.5, 7) because of a's failure, unplanned. Without rolling both
    jobs run at once: down [3, 5) for maintenance."""
    sc = scenario_of(KofN(1, L("a", "b"), kind="parallel"), {"a": det(4.5, 10), "b": det(1e6, 1)}, 24.0)
    [tl] = des.simulate(maintained(sc, daily(("a", "b"), 2.0)), 0, range(1), 24.0)
    assert tl.start.tolist() == [6.5] and tl.end.tolist() == [7.0]
    assert tl.kind.tolist() == [UNPLANNED] and tl.cause.tolist() == [0]
    assert tl.deferrals == 1
    [plain] = des.simulate(maintained(sc, daily(("a", "b"), 2.0, rolling=False)), 0, range(1), 24.0)
    assert plain.start.tolist()[0] == 3.0 and plain.end.tolist()[0] == 5.0
    assert plain.kind.tolist()[0] == MAINTENANCE and plain.deferrals == 0


def test_the_last_up_member_is_not_taken_down_and_its_job_starts_at_the_repair():
    """a fails at 2 and is repaired at 5; at 03:00 a's job is skipped (a is down) and
    b, the last up member, is deferred; its job starts when a is back (5 to 7): the
    service is never down (a fails again at 7 as b's job ends: down for no time, by the
    tie rule). Without rolling, b's job takes it down [3, 5)."""
    sc = scenario_of(KofN(1, L("a", "b")), {"a": det(2, 3), "b": det(1e6, 1)}, 24.0)
    [tl] = des.simulate(maintained(sc, daily(("a", "b"), 2.0)), 0, range(1), 24.0)
    assert len(tl) == 0 and tl.deferrals == 1
    [plain] = des.simulate(maintained(sc, daily(("a", "b"), 2.0, rolling=False)), 0, range(1), 24.0)
    assert plain.start.tolist()[:1] == [3.0] and plain.end.tolist()[:1] == [5.0]


def test_a_part_without_a_redundant_group_runs_its_rolling_jobs_as_plain_ones():
    sc = scenario_of(Series(L("a")), {"a": det(1e6, 1)}, 48.0)
    [tl] = des.simulate(maintained(sc, daily(("a",), 1.0)), 0, range(1), 48.0)
    assert tl.start.tolist() == [3.0, 27.0] and tl.deferrals == 0


def test_a_group_of_three_patches_one_member_after_the_other_and_counts_deferrals():
    """2-of-3 patched daily at 03:00 for 1 h: a 3-4, b 4-5, c 5-6 each day; two deferrals a
    day over three days; never down."""
    parts = {i: det(1e6, 1) for i in "abc"}
    sc = scenario_of(KofN(2, L("a", "b", "c")), parts, 72.0)
    [tl] = des.simulate(maintained(sc, daily(("a", "b", "c"), 1.0)), 0, range(1), 72.0)
    assert len(tl) == 0 and tl.deferrals == 6


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 4),
    spare=st.integers(1, 3),
    mtbf=st.sampled_from([20.0, 60.0, 200.0]),
    hours=st.sampled_from([0.5, 2.0, 6.0]),
    minutes=st.lists(st.integers(0, 1439), min_size=1, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_random_runs_never_take_a_group_down_for_maintenance(n, spare, mtbf, hours, minutes, seed):
    """Property: a hot k-of-n whose members are patched by rolling rules (several, at
    random times of day, with random lengths) is never down *because of* maintenance:
    every outage of the group starts with a failure (kind unplanned); and no two of its
    members are ever in a job at once."""
    k = max(1, n - spare)
    ids = [f"s{i}" for i in range(n)]
    parts = {i: expo(mtbf, 5.0) for i in ids}
    sc = scenario_of(KofN(k, L(*ids)), parts, 24 * 20.0)
    rules = [
        MaintenanceRule(
            f"r{j}", tuple(ids), "day", MaintenanceTime(minute=m), Exponential.from_mean(hours), rolling=True
        )
        for j, m in enumerate(minutes)
    ]
    started = RollingMaintenance.job_started
    most = []

    def job_started(self, leaf):
        started(self, leaf)
        most.append(sum(1 for count in self.in_job.values() if count > 0))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RollingMaintenance, "job_started", job_started)
        timelines = des.simulate(maintained(sc, *rules), seed, range(3), 24 * 20.0)
    for tl in timelines:
        assert set(tl.kind.tolist()) <= {UNPLANNED}
    assert most and max(most) == 1


def test_rolling_jobs_of_a_part_with_no_group_run_as_plain_ones_in_both_engines():
    """A lone part has nothing to keep up: loading warns, the jobs run as plain ones,
    and the fast engine runs them (the same outages as the SimPy engine)."""
    import warnings

    import numpy as np

    import simulation as sim
    from simulation.engine import des, fast
    from simulation.scenario import ScenarioWarning

    text = """\
format: slasim/1
name: single box
calendar: {start: 2027-01-01, timezone: UTC}
components:
  box: {failure: {mtbf: 8760h}, repair: {mttr: 4h}}
service: {series: [box]}
maintenance:
  - {name: patch, every: week, at: "sun 02:00", duration: 1h, targets: [box], rolling: true}
"""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = sim.loads(text, source="box.yaml")
    assert any(
        issubclass(w.category, ScenarioWarning) and "run as plain ones" in str(w.message) for w in caught
    )
    assert fast.unsupported_reason(s) is None
    a, b = des.simulate(s, 1, range(10), 8760.0), fast.simulate(s, 1, range(10), 8760.0)
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.start, y.start) and np.array_equal(x.end, y.end)
        assert np.array_equal(x.kind, y.kind) and np.array_equal(x.cause, y.cause)
    assert sum(len(x) for x in a) > 10 * 52
