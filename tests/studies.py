"""A small scenario for sweep and comparison tests: fast to run, with an SLA that breaches."""

WEB_PAIR = """\
format: slasim/1
name: web pair
calendar: {start: 2027-01-01, timezone: UTC}
run: {horizon: 1y, replications: 400, seed: 5}
components:
  rack-power: {failure: {rate: 0.5/y}, repair: {dist: lognormal, median: 2h, p95: 6h}}
  web-server: {failure: {mtbf: 15800h}, repair: {mttr: 6h}}
service:
  series:
    - rack-power
    - k_of_n: 1
      of: {web-server: 2}
      failover: {switchover: 30s, coverage: 0.99, manual_switchover: 15min}
sla:
  target: 99.9%
  window: month
  min_outage: 1min
  credits: [{below: 99.9%, credit: 10%}, {below: 99%, credit: 25%}]
"""

#: A faster rack power repair: the design change the comparisons measure.
FASTER_RACK_REPAIR = {"components.rack-power.repair": {"dist": "lognormal", "median": "1h", "p95": "3h"}}
