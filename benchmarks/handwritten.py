"""A plain SimPy model of `scenarios/bench-datacenter.yaml`, written by hand.

It knows nothing of scenarios or structures: one process per part, counters in
closures, the site-power standby spelt out. It is the yardstick for the generic SimPy
engine (`make bench` prints the ratio), so it is kept as lean as such a model would be
written by someone who needs exactly this one system.
"""

from __future__ import annotations

import numpy as np
import simpy

HOURS_PER_YEAR = 8760.0
SWITCHOVER_H = 10.0 / 3600.0


def simulate(replications: int, horizon_hours: float, seed: int) -> np.ndarray:
    """Downtime hours of each replication of the benchmark data centre."""
    rng = np.random.default_rng(seed)
    return np.array([_replication(rng.exponential, horizon_hours) for _ in range(replications)])


def _replication(exp, horizon_hours: float) -> float:
    """Downtime hours of one simulated year of the benchmark data centre."""
    env = simpy.Environment()
    st = {
        "racks_up": 20,
        "down_since": None,
        "down": 0.0,
        "switch_token": 0,
        "switching": False,
        "serving": 0,
        "groups_up": [2, 2],
        "singles": 0,
    }
    rack_counts = [[2, 2, 20] for _ in range(20)]
    rack_up = [True] * 20

    def system_up():
        power = (st["groups_up"][st["serving"]] > 0) and not st["switching"]
        return power and st["singles"] == 0 and st["racks_up"] >= 18

    def refresh():
        up = system_up()
        if not up and st["down_since"] is None:
            st["down_since"] = env.now
        elif up and st["down_since"] is not None:
            st["down"] += env.now - st["down_since"]
            st["down_since"] = None

    def end_switch(token):
        if token == st["switch_token"]:
            st["switching"] = False
            refresh()

    def switch_to(group):
        st["serving"] = group
        st["switch_token"] += 1
        st["switching"] = True
        token = st["switch_token"]
        env.timeout(SWITCHOVER_H).callbacks.append(lambda _e: end_switch(token))

    def power_part(group, mtbf, mttr):
        while True:
            yield env.timeout(exp(mtbf))
            st["groups_up"][group] -= 1
            if st["groups_up"][group] == 0 and st["serving"] == group:
                other = 1 - group
                if st["groups_up"][other] > 0:
                    switch_to(other)
            refresh()
            yield env.timeout(exp(mttr))
            st["groups_up"][group] += 1
            if st["groups_up"][group] == 1:
                if st["groups_up"][st["serving"]] == 0:
                    st["serving"] = group  # nothing served: it takes over at once
                    st["switching"] = False
                    st["switch_token"] += 1
                elif group == 0 and st["serving"] == 1:
                    switch_to(0)  # revert to the utility
            refresh()

    def single_part(mtbf, mttr, need_one_of):
        # a part of a parallel pair (need_one_of = shared counter list) or a single part
        while True:
            yield env.timeout(exp(mtbf))
            need_one_of[0] -= 1
            if need_one_of[0] == 0:
                st["singles"] += 1
            refresh()
            yield env.timeout(exp(mttr))
            need_one_of[0] += 1
            if need_one_of[0] == 1:
                st["singles"] -= 1
            refresh()

    def rack_part(rack, kind, need, mtbf, mttr):
        counts = rack_counts[rack]
        while True:
            yield env.timeout(exp(mtbf))
            counts[kind] -= 1
            rack_change(rack)
            yield env.timeout(exp(mttr))
            counts[kind] += 1
            rack_change(rack)

    def rack_change(rack):
        c = rack_counts[rack]
        up = c[0] >= 1 and c[1] >= 1 and c[2] >= 16
        if up != rack_up[rack]:
            rack_up[rack] = up
            st["racks_up"] += 1 if up else -1
            refresh()

    for _ in range(2):
        env.process(power_part(0, 8760.0 / 1.4, 4.0))
        env.process(power_part(1, 1500.0, 8.0))
    ats, ups, chillers = [1], [2], [2]
    env.process(single_part(250000.0, 6.0, ats))
    for _ in range(2):
        env.process(single_part(100000.0, 8.0, ups))
        env.process(single_part(20000.0, 24.0, chillers))
    for rack in range(20):
        for _ in range(2):
            env.process(rack_part(rack, 0, 1, 8760.0 / 0.05, 6.0))
            env.process(rack_part(rack, 1, 1, 171000.0, 1.0))
        for _ in range(20):
            env.process(rack_part(rack, 2, 16, 15800.0, 6.0))
    env.run(until=horizon_hours)
    if st["down_since"] is not None:
        st["down"] += horizon_hours - st["down_since"]
    return st["down"]
