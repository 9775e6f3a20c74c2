"""Engines: a scenario and a seed -> one outage `Timeline` per replication.

- `des`: SimPy, one process per instance; simulates everything the model holds.
- `fast`: numpy, whole batches of replications as arrays; independent parts with hot,
  warm and cold redundancy, failover and standby.
- `rules`: the block rules (one state machine per kind of block) and the tie rule, the
  same in both engines; `nodes` drives them online for `des`.
- `streams`, `sampler`, `keys`: the addressable random numbers both engines read and
  how instances and blocks are keyed, so that where both apply they give the same
  outages and design changes keep the untouched parts' draws.
- `steady`: the steady start (`run: {start: steady}`).
- `support`: what the engines simulate in this version.
"""
