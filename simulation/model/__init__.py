"""What a scenario is, as immutable data: distributions, components, structure, SLA."""
