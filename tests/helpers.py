"""Small builders for tests that construct scenarios in Python."""

from simulation.model.components import ComponentType
from simulation.model.distributions import Deterministic, Exponential
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
