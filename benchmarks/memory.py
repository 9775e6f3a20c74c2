"""Peak memory of a run against its number of replications (run by `make bench`).

``python -m benchmarks.memory N`` runs N replications of a small model (a 1-of-2 server
pair, one year, a monthly 99.9 % SLA, fast engine, two workers), reads the headline
figures and prints one line: replications, seconds, and the peak resident set size of
this process and of its largest worker in MiB (``resource.getrusage``; Linux reports
kibibytes). A fresh process per size, so one size's peak does not hide another's.
"""

from __future__ import annotations

import resource
import sys
import time

import simulation as sim

PAIR = """
format: slasim/1
name: server pair
calendar: {start: 2027-01-01, timezone: UTC}
run: {horizon: 365d, replications: 1000, seed: 1}
components:
  server:
    failure: {mtbf: 2000h}
    repair: {mttr: 8h}
instances:
  pair: {k_of_n: 1, of: {server: 2}}
service:
  series: [pair]
sla:
  target: 99.9%
"""


def main(replications: int, workers: int = 2) -> None:
    scenario = sim.loads(PAIR, source="server-pair")
    started = time.perf_counter()
    result = sim.run(
        scenario, replications=replications, seed=1, engine="fast", workers=workers, progress=False
    )
    result.summary()  # the headline figures, as a user reads them
    elapsed = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{replications} {elapsed:.1f} {own:.0f} {worker:.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]))
