"""Random structures (hypothesis): the two engines must give the same outages.

Both engines read the same random numbers (`engine.streams`), so on any structure the
fast engine supports they must agree outage by outage — a far stronger check than
agreement within confidence intervals, run on structures nobody wrote by hand: nested
series / k-of-n / standby (hot, warm and cold), failover groups, shared instances, and
parts with exponential, Weibull, lognormal and deterministic times.
"""

import dataclasses
import datetime as dt
from collections import Counter

import numpy as np
from helpers import assert_same_timelines, scenario_of
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simulation.engine import des, fast
from simulation.model.calendar import Calendar, WeeklySchedule
from simulation.model.components import ComponentType
from simulation.model.distributions import Deterministic, Exponential, Lognormal, Weibull
from simulation.model.operations import Crew, MaintenanceRule, MaintenanceTime
from simulation.model.structure import KofN, Leaf, Series, Standby, Switchover, iter_blocks, leaves

FAILURES = [Exponential.from_mean(80.0), Weibull.from_mean(0.8, 120.0), Weibull.from_mean(2.0, 60.0)]
REPAIRS = [Exponential.from_mean(6.0), Lognormal.from_median_p95(3.0, 20.0), Deterministic(4.0)]
MODES = ["hot", "hot", "warm", "cold"]
SWITCH = [
    None,
    Switchover(Deterministic(0.25)),
    Switchover(Exponential.from_mean(0.5), coverage=0.8, manual=Exponential.from_mean(3.0)),
]


@st.composite
def structures(draw, depth=0, pool=None):
    pool = pool if pool is not None else []
    if depth >= 2 or draw(st.integers(0, 3)) == 0:
        if pool and draw(st.integers(0, 4)) == 0:
            return Leaf(draw(st.sampled_from(pool)))  # a shared instance
        name = f"p{len(pool)}"
        pool.append(name)
        return Leaf(name)
    members = tuple(draw(structures(depth + 1, pool)) for _ in range(draw(st.integers(2, 3))))
    kind = draw(st.sampled_from(["series", "kofn", "standby"]))
    if kind == "series":
        return Series(members)
    if kind == "kofn":
        k = draw(st.integers(1, len(members)))
        return KofN(k, members, mode=draw(st.sampled_from(MODES)), failover=draw(st.sampled_from(SWITCH)))
    mode = draw(st.sampled_from(MODES))
    return Standby(members, mode=mode, switchover=draw(st.sampled_from(SWITCH)), revert=draw(st.booleans()))


def _spares_have_parts_of_their_own(service) -> bool:
    """A warm or cold block may not hold a shared instance (the scenario format forbids it)."""
    uses = Counter(b.instance for b in iter_blocks(service) if isinstance(b, Leaf))
    return all(
        uses[i] == 1 for b in iter_blocks(service) if getattr(b, "mode", "hot") != "hot" for i in leaves(b)
    )


#: Whole-hour lives and repairs: failures and repairs of different parts meet at one
#: instant, so these structures exercise the tie rule.
DET_UP = [Deterministic(h) for h in (20.0, 30.0, 50.0, 60.0)]
DET_DOWN = [Deterministic(h) for h in (2.0, 3.0, 10.0)]


def _same_outages(
    service, choice, failures, repairs, horizon: float, reps: range, start="new", operations=None
) -> None:
    assume(_spares_have_parts_of_their_own(service))
    ids = sorted({b.instance for b in _leaves(service)})
    parts = {
        i: ComponentType(
            i,
            choice.draw(st.sampled_from(failures)),
            choice.draw(st.sampled_from(repairs)),
            idle_failure=choice.draw(st.sampled_from([None, *failures])),
        )
        for i in ids
    }
    sc = scenario_of(service, parts, horizon=horizon)
    sc = dataclasses.replace(sc, run=dataclasses.replace(sc.run, start=start))
    if operations is not None:
        sc = operations(choice, sc)
    assume(fast.unsupported_reason(sc) is None)
    seed = choice.draw(st.integers(0, 2**32))
    assert_same_timelines(des.simulate(sc, seed, reps, horizon), fast.simulate(sc, seed, reps, horizon))


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(service=structures(), choice=st.data())
def test_fast_and_des_give_identical_outages(service, choice):
    _same_outages(service, choice, FAILURES, REPAIRS, 2000.0, range(8))


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(service=structures(), choice=st.data())
def test_fast_and_des_give_identical_outages_from_a_steady_start(service, choice):
    _same_outages(service, choice, FAILURES, REPAIRS, 1000.0, range(8), start="steady")


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(service=structures(), choice=st.data())
def test_engines_follow_one_tie_rule_on_deterministic_times(service, choice):
    _same_outages(service, choice, DET_UP, DET_DOWN, 500.0, range(2))


def _leaves(block):
    if isinstance(block, Leaf):
        yield block
    for m in getattr(block, "members", ()):
        yield from _leaves(m)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from([0.0, 1.5, 2.0, 7.25, 1e-9, 3.0])), max_size=60))
def test_event_order_is_lexsort_order(pairs):
    """The fast engine's sort (rank times, then sort unique integers) equals np.lexsort:
    by key, time, downs before ups, then input order (the tie rule)."""
    from simulation.engine.fast import _order_by

    key = np.array([p[0] for p in pairs], np.int64)
    t = np.array([p[1] for p in pairs], float)
    up = np.array([i % 3 == 0 for i in range(len(pairs))], bool)
    np.testing.assert_array_equal(_order_by(key, t, up), np.lexsort((up, t, key)))


@settings(max_examples=50, deadline=None, derandomize=True)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.sampled_from([0.0, 1.5, 2.0, 7.25, 1e-9, 3.0])), max_size=60),
    st.integers(0, 54),
)
def test_event_order_with_wide_keys_is_lexsort_order(pairs, shift):
    """Keys too wide to pack with a time tick take the ranking path: the same order."""
    from simulation.engine.fast import _order_by

    key = np.array([p[0] for p in pairs], np.int64) << np.int64(shift)
    t = np.array([p[1] for p in pairs], float)
    up = np.array([i % 3 == 0 for i in range(len(pairs))], bool)
    np.testing.assert_array_equal(_order_by(key, t, up), np.lexsort((up, t, key)))


# -- operations the fast engine runs: crews that never queue, maintenance -------------

#: The week of the spring clock change in Amsterdam (Sunday 28 March 2027), a holiday on
#: the Monday after: shifts start at their wall-clock time on either side of the change.
SPRING = Calendar(dt.date(2027, 3, 22), "Europe/Amsterdam")
EASTER_MONDAY = frozenset({dt.date(2027, 3, 29)})
OFFICE = WeeklySchedule("office", (((480, 1080),),) * 5 + ((),) * 2, holidays=EASTER_MONDAY)
NIGHTS = WeeklySchedule("nights", (((0, 360), (1200, 1440)),) * 7)
CREWS = [
    None,
    ("office", OFFICE, False, None),
    ("office", OFFICE, True, Deterministic(1.0)),
    ("nights", NIGHTS, False, Exponential.from_mean(0.75)),
    ("oncall", WeeklySchedule.always(), True, Exponential.from_mean(0.5)),
]
JOB_TIMES = [
    ("day", MaintenanceTime(minute=180)),
    ("week", MaintenanceTime(weekday=5, minute=22 * 60)),
    (None, (dt.datetime(2027, 3, 28, 2, 30), dt.datetime(2027, 3, 30, 9, 0))),  # 02:30 is skipped: 03:30
]
JOB_LENGTHS = [Deterministic(1.0), Deterministic(3.0), Exponential.from_mean(0.5)]


def _operated(choice, sc):
    """`sc` with a crew (never short of technicians) on some component types and
    maintenance rules (not rolling) on some parts that are not warm or cold spares."""
    crews, comps = {}, dict(sc.components)
    for name, comp in sc.components.items():
        pick = choice.draw(st.sampled_from(CREWS))
        if pick is None:
            continue
        label, hours, overtime, response = pick
        crew_name = f"{label}-{'ot' if overtime else 'no'}"
        crews[crew_name] = Crew(crew_name, len(comps), hours, response=response, overtime=overtime)
        comps[name] = dataclasses.replace(comp, crew=crew_name)
    spares = {i for b in iter_blocks(sc.service) if getattr(b, "mode", "hot") != "hot" for i in leaves(b)}
    plain = sorted(set(sc.instances) - spares)
    rules = []
    for n in range(choice.draw(st.integers(0, 2)) if plain else 0):
        every, at = choice.draw(st.sampled_from(JOB_TIMES))
        targets = choice.draw(st.lists(st.sampled_from(plain), min_size=1, max_size=3, unique=True))
        rules.append(
            MaintenanceRule(
                f"job{n}",
                tuple(targets),
                every,
                at,
                choice.draw(st.sampled_from(JOB_LENGTHS)),
                announced=choice.draw(st.booleans()),
            )
        )
    return dataclasses.replace(sc, components=comps, crews=crews, maintenance=tuple(rules), calendar=SPRING)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(service=structures(), choice=st.data())
def test_engines_agree_with_crews_on_shifts_and_maintenance_on_deterministic_times(service, choice):
    """Whole-hour lives and repairs, crews on office hours (with and without overtime, a
    holiday, the clock change), night shifts and on-call crews with response delays,
    daily, weekly and one-off jobs: the same outages, kinds and causes from both engines."""
    _same_outages(service, choice, DET_UP, DET_DOWN, 400.0, range(2), operations=_operated)


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(service=structures(), choice=st.data())
def test_engines_agree_with_crews_on_shifts_and_maintenance(service, choice):
    _same_outages(service, choice, FAILURES, REPAIRS, 1500.0, range(6), operations=_operated)
