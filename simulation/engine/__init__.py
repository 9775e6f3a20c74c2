"""Engines: a scenario and a seed -> one outage `Timeline` per replication.

- `des`: SimPy, one process per instance; simulates everything the model holds.
- `fast`: numpy, whole batches of replications as arrays; independent parts with hot
  redundancy, failover and hot standby.
- `streams`: the addressable random numbers both engines read, so that where both
  apply they give the same outages.
- `support`: what the engines simulate in this version.
"""
