"""Runs: replications in batches on local worker processes, precision-driven stopping."""
