"""Where the time of a fast run goes: draws, sort, rules, timelines, measure.

``python -m benchmarks.split [replications]`` prints the split for the benchmark data
centre (`make bench` prints it too). The engine's phases are timed by wrapping its
functions (CPU time of this process, best of a few runs):

- draws: every part's failures and repairs (`fast._leaf_streams`: the random streams,
  the inverse transforms, the cumulative sums, grouping by instance);
- sort: putting a level's events in order (`fast._sort_events`, `fast._order_by`);
- rules: the rest of the engine (count blocks' running sums and changes, switching and
  network blocks, the per-scenario plan);
- timelines: system outages per replication from the top block's changes;
- measure: the rest of a whole run (`sim.run`, one worker): the SLA meter, the Result.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import simulation as sim
from simulation.engine import fast
from simulation.study import batch

BENCH = Path(__file__).resolve().parent.parent / "scenarios" / "bench-datacenter.yaml"

#: The engine's functions timed as a phase (those the running engine has).
PHASES = {"draws": ("_leaf_streams",), "sort": ("_sort_events", "_order_by"), "timelines": ("_timelines",)}

#: Reference: the same split of the engine before the packed-key level evaluator (the
#: previous `simulation/engine/fast.py` run through `split`, 1000 replications, CPU time
#: on the machine the goals were set on): engine 88 us per replication, whole run 130 us.
BEFORE = {"draws": 46.0, "sort": 13.0, "rules": 25.0, "timelines": 1.4, "measure": 42.0}


@contextmanager
def _timed(module, names, acc: Counter, key: str):
    """Wrap `module`'s functions `names` so their CPU time adds up in ``acc[key]``
    (outermost calls only, so nested phases are not counted twice)."""
    saved = {}
    depth = [0]
    for name in names:
        if not hasattr(module, name):
            continue
        saved[name] = original = getattr(module, name)

        def timed(*args, _original=original, **kwargs):
            if depth[0]:
                return _original(*args, **kwargs)
            depth[0] += 1
            start = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                acc[key] += time.process_time() - start
                depth[0] -= 1

        setattr(module, name, timed)
    try:
        yield
    finally:
        for name, original in saved.items():
            setattr(module, name, original)


def split(scenario, replications: int = 1000, repeat: int = 3) -> dict[str, float]:
    """CPU microseconds per replication of each phase of a whole fast run of `scenario`
    (one worker), the least over `repeat` runs; keys: draws, sort, rules, timelines,
    measure, engine (the sum of the first four) and run (the whole run)."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        acc: Counter = Counter()
        with (
            _timed(fast, PHASES["draws"], acc, "draws"),
            _timed(fast, PHASES["sort"], acc, "sort"),
            _timed(fast, PHASES["timelines"], acc, "timelines"),
            _timed(batch, ("simulate_outputs",), acc, "engine"),
        ):
            start = time.process_time()
            sim.run(scenario, replications=replications, seed=1, engine="fast", workers=1, progress=False)
            acc["run"] = time.process_time() - start
        acc["rules"] = acc["engine"] - acc["draws"] - acc["sort"] - acc["timelines"]
        acc["measure"] = acc["run"] - acc["engine"]
        for key, value in acc.items():
            best[key] = min(best.get(key, float("inf")), value / replications * 1e6)
    return best


def print_split(replications: int = 1000) -> dict[str, float]:
    """Print the split of a whole fast run of the benchmark data centre, now and before."""
    now = split(sim.load(BENCH), replications)
    before_engine = sum(v for k, v in BEFORE.items() if k != "measure")
    print(
        f"  profile of a whole fast run ({replications} replications, CPU us per replication; "
        "before = the engine before the packed-key level evaluator, measured the same way):"
    )
    for key in ("draws", "sort", "rules", "timelines", "measure"):
        print(f"      {key:<10} {BEFORE[key]:7.1f} -> {now[key]:7.1f}")
    print(
        f"      {'engine':<10} {before_engine:7.1f} -> {now['engine']:7.1f}   "
        f"whole run {before_engine + BEFORE['measure']:7.1f} -> {now['run']:7.1f}"
    )
    return now


if __name__ == "__main__":
    print_split(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
