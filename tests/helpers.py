"""Small builders for tests that construct scenarios in Python."""

import math

import numpy as np

from simulation.model.components import ComponentType
from simulation.model.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Normal,
    Uniform,
    Weibull,
)
from simulation.model.scenario import RunSettings, Scenario
from simulation.model.structure import Instance, Leaf, iter_blocks


def det(up: float, down: float, idle: float | None = None) -> ComponentType:
    """A component that fails after exactly `up` hours in use and is repaired in `down`."""
    return ComponentType(
        "det",
        Deterministic(up),
        Deterministic(down),
        idle_failure=None if idle is None else Deterministic(idle),
    )


def expo(mtbf: float, mttr: float, idle_mtbf: float | None = None) -> ComponentType:
    return ComponentType(
        "exp",
        Exponential.from_mean(mtbf),
        Exponential.from_mean(mttr),
        idle_failure=None if idle_mtbf is None else Exponential.from_mean(idle_mtbf),
    )


def scenario_of(service, parts: dict, horizon: float = 1000.0, sla=None, **kw) -> Scenario:
    """A scenario whose instances are the leaves of `service`; `parts` maps id -> ComponentType."""
    ids = []
    for b in iter_blocks(service):
        if isinstance(b, Leaf) and b.instance not in ids:
            ids.append(b.instance)
    components = {
        iid: ComponentType(iid, parts[iid].failure, parts[iid].repair, parts[iid].idle_failure) for iid in ids
    }
    instances = {iid: Instance(iid, iid) for iid in ids}
    return Scenario(
        "test",
        components,
        instances,
        service,
        sla=sla,
        run=RunSettings(horizon_hours=horizon, replications=1, seed=0),
        **kw,
    )


def L(*ids):
    return tuple(Leaf(i) for i in ids)


#: Every distribution and parameterisation, for the sampling and stream tests.
DISTRIBUTIONS = [
    Exponential(0.25),
    Exponential.from_mean(15800.0),
    Weibull(0.75, 10.0),
    Weibull.from_mean(shape=1.3, mean=9000.0),
    Lognormal(0.5, 0.8),
    Lognormal.from_mean_cv(3.0, 1.0),
    Lognormal.from_median_p95(0.5, 4.0),
    Lognormal.from_median_sigma(2.0, 0.5),
    Gamma(2.5, 3.0),
    Gamma.from_mean_cv(24.0, 0.5),
    Gamma.from_mean_cv(24.0, 2.0),
    Normal(10.0, 2.0),
    Normal(1.0, 2.0),  # truncation at 0 matters here
    Uniform(2.0, 5.0),
    Deterministic(0.25),
    Empirical((1.0, 2.0, 2.0, 7.5)),
]


def assert_moments(x: np.ndarray, dist) -> None:
    """Sample mean and variance of `x` within 4.5 standard errors of `dist`'s.

    The standard error of the variance is estimated from the sample's fourth moment, so
    a correct sampler passes and a wrong parameterisation (off by far more) fails.
    """
    n = x.size
    assert abs(x.mean() - dist.mean) <= 4.5 * math.sqrt(dist.variance / n) + 1e-12
    m4 = np.mean((x - x.mean()) ** 4)
    assert abs(x.var() - dist.variance) <= 4.5 * math.sqrt(max(m4 - x.var() ** 2, 0.0) / n) + 1e-12
    assert np.all(x >= 0)


def assert_same_timelines(one, two) -> None:
    """Two lists of Timelines are equal segment by segment: start, end, kind and cause
    exactly (both engines read the same random numbers and follow one tie rule)."""
    assert len(one) == len(two)
    for r, (a, b) in enumerate(zip(one, two)):
        assert a.horizon_hours == b.horizon_hours, f"replication {r}"
        for column in ("start", "end", "kind", "cause"):
            np.testing.assert_array_equal(
                getattr(a, column), getattr(b, column), err_msg=f"replication {r}: {column}"
            )
