"""`make bench`: speed of the engines as ratios, on the benchmark data centre.

Prints, for `scenarios/bench-datacenter.yaml` (about 500 parts, 1 year):
- the SimPy engine against a hand-written SimPy model of the same system
  (`benchmarks/handwritten.py`): goal at most 3x.

Ratios come from one run on this machine; absolute seconds are shown for context.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import simulation as sim
from benchmarks import handwritten

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "scenarios" / "bench-datacenter.yaml"


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def des_vs_handwritten(replications: int) -> dict:
    scenario = sim.load(BENCH)
    horizon = scenario.run.horizon_hours
    hand, t_hand = _timed(lambda: handwritten.simulate(replications, horizon, seed=1))
    result, t_des = _timed(lambda: sim.run(scenario, replications=replications, engine="des",
                                           workers=1, progress=False))
    return {
        "replications": replications,
        "handwritten_s": t_hand,
        "des_s": t_des,
        "ratio": t_des / t_hand,
        "availability_des": result.availability,
        "availability_handwritten": 1.0 - float(np.mean(hand)) / horizon,
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--replications", type=int, default=200, help="replications for the SimPy comparison")
    args = p.parse_args(argv)
    r = des_vs_handwritten(args.replications)
    print(f"bench-datacenter.yaml, {r['replications']} replications x 1 y, 1 worker")
    print(f"  hand-written SimPy model  {r['handwritten_s']:7.2f} s   availability {r['availability_handwritten']:.6f}")
    print(f"  slasim des engine         {r['des_s']:7.2f} s   availability {r['availability_des']:.6f}")
    print(f"  des / hand-written        {r['ratio']:7.2f} x   (goal: <= 3x)")


if __name__ == "__main__":
    main()
