"""`make bench`: speed of the engines as ratios, on the benchmark data centre.

Prints, for `scenarios/bench-datacenter.yaml` (about 500 parts, 1 year), one worker:

1. the SimPy engine against a hand-written SimPy model of the same system
   (`benchmarks/handwritten.py`); goal: at most 3x;
2. the fast engine against the SimPy engine, engine alone and end to end (a whole run:
   simulation and SLA measurement), with the events per second of each; goal: at least
   150x end to end;
3. the fast engine against the RNG floor: the time numpy alone takes to draw as many
   up and down durations as the run uses (one call per component type); goal: the
   engine alone within 8x, a whole `slasim run --engine fast` (in process) within 10x;
   slasim's time per replication-year beside RePyability's numba engine (a quoted
   figure); where the time of a whole fast run goes, before and after the packed-key
   level evaluator (`benchmarks/split.py`: draws, sort, rules, timelines, measure); the
   flagship scenario's time per replication on the fast path; and the SLA measurement
   alone (one batch) on both;
4. scaling of the fast engine with the number of racks (1x, 2x, 4x, 8x) and the
   horizon (1x, 4x); goal: 8x the racks costs at most 10x the time;
5. peak memory of the largest run (tracemalloc: numpy's allocations); goal: < 2 GiB;
6. that the hand-written model and slasim simulate the same system (availability);
7. peak memory of whole runs (`sim.run`, headline figures read) of a small model, a
   1-of-2 server pair for one year, at 10,000 and 1,000,000 replications, each in a
   fresh process (`benchmarks/memory.py`); goal: flat in the number of replications;
8. a network: GEANT (`sndlib/geant`) with every node and link an instance, 1 year:
   time per replication of both engines (and whether they give the same outages), the
   cost per event against a series chain of the same parts, and the hit rate of the
   connectivity cache (look-ups answered without a graph search); and the same network
   seen from every node (``sources: all``) in one run, against one site. ``--network``
   runs only this case.

Engine-only times (simulation to outage timelines), best of a few repeats; ratios come
from one run on this machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

import simulation as sim
from benchmarks import handwritten, split
from simulation.engine import des, fast

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "scenarios" / "bench-datacenter.yaml"

#: RePyability's numba engine on this data centre, microseconds per replication-year, and
#: its compile time in seconds: quoted figures (the package is not a dependency), shown
#: beside ours for scale.
REPYABILITY_US, REPYABILITY_COMPILE_S = 278.0, 37.0


def _best(fn, repeat: int = 3, clock=time.perf_counter):
    """(result, best time in seconds) of `fn()` over `repeat` runs: wall time, or the
    process's CPU time with ``clock=time.process_time`` (which other work on the
    machine barely moves)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = clock()
        out = fn()
        best = min(best, clock() - t)
    return out, best


def scaled_scenario(racks: int):
    """The benchmark data centre with `racks` racks, 90 % of them needed."""
    text = BENCH.read_text()
    text = re.sub(
        r"\{k_of_n: 18, of: \{rack: 20\}\}", f"{{k_of_n: {int(0.9 * racks)}, of: {{rack: {racks}}}}}", text
    )
    return sim.loads(text, source=f"bench-datacenter x{racks // 20}")


def leaf_events(timelines_scenario, reps: int, horizon: float) -> tuple[int, int]:
    """(events, durations drawn): failures + repairs inside the horizon, and draws used."""
    from simulation.engine.fast import _leaf_streams, _Run

    streams = _leaf_streams(timelines_scenario, _Run(1, np.arange(reps), horizon))
    events = sum(len(e) for e in streams.values())
    return events, events + reps * len(streams)  # each stream also draws the one past the horizon


def rng_floor(scenario, draws_needed: int, clock=time.perf_counter) -> float:
    """Seconds numpy takes to draw `draws_needed` durations, split over types as the run does."""
    rng = np.random.default_rng(0)
    comps = [scenario.component_of(i) for i in scenario.instances]
    per_comp: dict[str, int] = {}
    for c in comps:
        per_comp[c.name] = per_comp.get(c.name, 0) + 1
    total = len(comps)

    def draw():
        for name, count in per_comp.items():
            comp = scenario.components[name]
            n = draws_needed * count // total // 2
            comp.failure.sample(n, rng)
            comp.repair.sample(n, rng)

    return _best(draw, clock=clock)[1]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--replications", type=int, default=1000)
    p.add_argument(
        "--des-replications",
        type=int,
        default=200,
        help="replications for the SimPy timings (scaled to --replications)",
    )
    p.add_argument("--network", action="store_true", help="run only the network case")
    args = p.parse_args(argv)
    reps, des_reps = args.replications, args.des_replications
    if args.network:
        run_network(reps, des_reps)
        return
    scenario = sim.load(BENCH)
    horizon = scenario.run.horizon_hours
    print(f"bench-datacenter.yaml: {len(scenario.instances)} instances, 1 year, 1 worker")

    _, t_hand = _best(lambda: handwritten.simulate(des_reps, horizon, seed=1), 2)
    des_tl, t_des = _best(lambda: des.simulate(scenario, 1, range(des_reps), horizon), 2)
    print(
        f"  SimPy engine vs hand-written SimPy model ({des_reps} replications): "
        f"{t_des:.2f} s vs {t_hand:.2f} s = {t_des / t_hand:.2f}x   (goal <= 3x)"
    )

    events, drawn = leaf_events(scenario, reps, horizon)
    fast_tl, t_fast = _best(lambda: fast.simulate(scenario, 1, range(reps), horizon))
    t_des_all = t_des * reps / des_reps
    same = all(np.array_equal(a.start, b.start) for a, b in zip(des_tl, fast_tl))
    print(
        f"  fast vs SimPy engine alone ({reps} replications): {t_fast:.3f} s vs {t_des_all:.1f} s "
        f"(scaled from {des_reps}) = {t_des_all / t_fast:.0f}x"
    )
    _, t_run_fast = _best(lambda: _whole_run(scenario, reps, "fast"), 2)
    _, t_run_des = _best(lambda: _whole_run(scenario, des_reps, "des"), 1)
    t_run_des *= reps / des_reps
    print(
        f"  fast vs SimPy end to end (whole run, {reps} replications): {t_run_fast:.3f} s vs "
        f"{t_run_des:.1f} s (scaled from {des_reps}) = {t_run_des / t_run_fast:.0f}x   (goal >= 150x)"
    )
    print(
        f"      events/s: fast {events / t_fast:,.0f}, SimPy {events / t_des_all:,.0f}; "
        f"identical outages on the common replications: {same}"
    )

    floor = rng_floor(scenario, drawn)
    cpu = time.process_time
    floor_cpu = rng_floor(scenario, drawn, cpu)
    _, t_fast_cpu = _best(lambda: fast.simulate(scenario, 1, range(reps), horizon), clock=cpu)
    _, t_run_cpu = _best(lambda: _whole_run(scenario, reps, "fast"), 2, clock=cpu)
    print(
        f"  fast engine alone vs RNG floor ({drawn:,} durations): {t_fast:.3f} s vs {floor:.4f} s = "
        f"{t_fast / floor:.1f}x; CPU time {t_fast_cpu / floor_cpu:.1f}x   (goal <= 8x)"
    )
    print(
        f"  whole run --engine fast vs RNG floor: {t_run_fast:.3f} s vs {floor:.4f} s = "
        f"{t_run_fast / floor:.1f}x; CPU time {t_run_cpu / floor_cpu:.1f}x   (goal <= 10x)"
    )
    print(
        f"  side by side, engine alone per replication-year of this data centre: slasim fast "
        f"{t_fast / reps * 1e6 / (horizon / 8760.0):.0f} us; RePyability's numba engine "
        f"{REPYABILITY_US:.0f} us (quoted reference figure, after a {REPYABILITY_COMPILE_S:.0f} s "
        "compile; not run here)"
    )
    split.print_split(reps)
    flagship = sim.load(ROOT / "scenarios" / "web-hosting.yaml")
    fh = flagship.run.horizon_hours
    _, t_flag = _best(lambda: fast.simulate(flagship, 7, range(reps), fh))
    flag_run, t_flag_run = _best(lambda: _whole_run(flagship, reps, "auto"), 2)
    print(
        f"  flagship (web-hosting.yaml, engine auto = {flag_run.engine}): "
        f"{t_flag / reps * 1e6:.0f} us per replication-year engine alone, "
        f"{t_flag_run / reps * 1e6:.0f} us whole run"
    )
    print(
        f"  SLA measurement alone (one batch of {reps} replications): data centre "
        f"{_meter_seconds(scenario, fast_tl) / reps * 1e6:.1f} us, flagship "
        f"{_meter_seconds(flagship, fast.simulate(flagship, 7, range(reps), fh)) / reps * 1e6:.1f} us "
        f"per replication"
    )

    base = None
    line = []
    for factor in (1, 2, 4, 8):
        sc = scaled_scenario(20 * factor)
        _, t = _best(lambda sc=sc: fast.simulate(sc, 1, range(reps), horizon), 2)
        base = base or t
        line.append(f"{factor}x {t / base:.1f}")
    print(f"  scaling with racks (time relative to 20 racks): {', '.join(line)}   (goal: 8x <= 10)")
    _, t4 = _best(lambda: fast.simulate(scenario, 1, range(reps), 4 * horizon), 2)
    print(f"  scaling with horizon: 4x the horizon takes {t4 / t_fast:.1f}x the time   (linear: 4)")

    sc8 = scaled_scenario(160)
    tracemalloc.start()
    fast.simulate(sc8, 1, range(reps), horizon)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  peak memory, 160 racks x {reps} replications: {peak / 2**20:.0f} MiB   (goal < 2048 MiB)")
    check = 2000  # rare site events (the ATS): enough replications to compare the two models
    hand = handwritten.simulate(check, horizon, seed=2)
    ours = np.array([t.downtime_hours for t in fast.simulate(scenario, 2, range(check), horizon)])
    print(
        f"  same system? availability, hand-written {_mean_ci(1 - hand / horizon)}, "
        f"slasim {_mean_ci(1 - ours / horizon)}"
    )
    run_network(reps, des_reps)
    run_memory()


#: GEANT with every node (a core router) and every link (fibre per km, two line cards)
#: an instance; Vienna to a service homed in Frankfurt and London.
GEANT = """\
format: slasim/1
name: bench-geant
components:
  fibre: {failure: {rate: 2.5/y, per: 1000km}, repair: {mttr: 12h}}
  router: {failure: {mtbf: 20000h}, repair: {mttr: 4h}}
  line-card: {failure: {mtbf: 50000h}, repair: {mttr: 6h}}
service:
  network:
    topology: sndlib/geant
    source: at1.at
    targets: [de1.de, uk1.uk]
    node: router
    link: [fibre, {line-card: 2}]
run: {horizon: 1y}
"""


def run_network(reps: int, des_reps: int) -> None:
    """The network case (item 8 of the module docstring)."""
    from simulation.engine.rules import connectivity_of
    from simulation.model.structure import Series

    scenario = sim.loads(GEANT, source="bench-geant")
    block = scenario.service
    horizon = scenario.run.horizon_hours
    links = sum(isinstance(e, tuple) for e in block.elements)
    print(
        f"network: GEANT, {len(block.spec.graph.nodes)} nodes and {links} links "
        f"({len(scenario.instances)} instances), 1 year, 1 worker"
    )
    cache = connectivity_of(block)
    cache.cache.clear()
    cache.hits = cache.misses = 0
    des_tl, t_des = _best(lambda: des.simulate(scenario, 1, range(des_reps), horizon), 1)
    des_hits, des_looks = cache.hits, cache.hits + cache.misses
    cache.cache.clear()
    cache.hits = cache.misses = 0
    fast_tl, t_fast = _best(lambda: fast.simulate(scenario, 1, range(reps), horizon), 1)
    fast_hits, fast_looks = cache.hits, cache.hits + cache.misses
    same = all(
        np.array_equal(a.start, b.start) and np.array_equal(a.end, b.end) for a, b in zip(des_tl, fast_tl)
    )
    events, _ = leaf_events(scenario, reps, horizon)
    chain = dataclasses.replace(scenario, service=Series(block.members))
    _, t_chain = _best(lambda: fast.simulate(chain, 1, range(reps), horizon), 1)
    print(
        f"  per replication: des {t_des / des_reps * 1e3:.2f} ms ({des_reps} replications), "
        f"fast {t_fast / reps * 1e3:.3f} ms ({reps} replications); same outages: {same}"
    )
    print(
        f"  fast, per event ({events / reps:.0f} part events per replication): network "
        f"{t_fast / events * 1e6:.2f} us, series chain of the same parts {t_chain / events * 1e6:.2f} us "
        f"({t_fast / t_chain:.1f}x)"
    )
    print(
        f"  connectivity cache hit rate: des {des_hits / max(des_looks, 1):.1%} of {des_looks:,} look-ups, "
        f"fast {fast_hits / max(fast_looks, 1):.1%} of {fast_looks:,} look-ups "
        f"({len(cache.cache):,} distinct down-sets searched)"
    )
    sites = sim.loads(GEANT.replace("source: at1.at", "sources: all"), source="bench-geant-sites")
    n_sites = len(sites.service.spec.sources)
    des_out, t_des_sites = _best(lambda: des.simulate_outputs(sites, 1, range(des_reps), horizon), 1)
    fast_out, t_fast_sites = _best(lambda: fast.simulate_outputs(sites, 1, range(reps), horizon), 1)
    same = all(
        np.array_equal(a.start, b.start) and np.array_equal(a.end, b.end)
        for x, y in zip(des_out, fast_out)
        for a, b in zip(x, y)
    )
    print(
        f"  per-site sources (sources: all, {n_sites} sites in one run), per replication: "
        f"des {t_des_sites / des_reps * 1e3:.2f} ms ({t_des_sites / t_des:.1f}x one site), "
        f"fast {t_fast_sites / reps * 1e3:.3f} ms ({t_fast_sites / t_fast:.1f}x one site); "
        f"same outages at every site: {same}"
    )


def run_memory(sizes=(10_000, 1_000_000)) -> None:
    """Peak RSS of whole runs of the small pair model, one fresh process per size."""
    rows = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.memory", str(n)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        rows.append((int(out[0]), float(out[1]), float(out[2]), float(out[3])))
    print(
        "  peak memory of whole runs, 1-of-2 pair x 1 year, fast engine, 2 workers: "
        + ", ".join(f"{n:,} replications {own:.0f} MiB ({sec:.0f} s)" for n, sec, own, _ in rows)
        + f"; largest worker {max(r[3] for r in rows):.0f} MiB   (goal: flat)"
    )


def _meter_seconds(scenario, timelines) -> float:
    """Best wall time of measuring a batch of timelines against the scenario's SLA."""
    from simulation.measure import SlaMeter

    meter = SlaMeter(scenario.sla, scenario.calendar, timelines.horizon_hours)
    return _best(lambda: meter.measure_batch(timelines))[1]


def _whole_run(scenario, reps: int, engine: str):
    """A whole run in this process, one worker: simulation, SLA measurement, Result."""
    return sim.run(scenario, replications=reps, seed=1, engine=engine, workers=1, progress=False)


def _mean_ci(x: np.ndarray) -> str:
    half = 1.96 * x.std(ddof=1) / np.sqrt(x.size)
    return f"{x.mean():.6f} +/- {half:.6f} ({x.size} replications)"


if __name__ == "__main__":
    main()
