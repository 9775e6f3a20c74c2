"""YAML scenario files (format ``slasim/1``) -> `simulation.model.scenario.Scenario`.

The format is specified in docs/scenario-format.md. Every problem is a `ScenarioError`
that names the file, the line, the key path, what was expected and, for a typo, the
nearest valid key; findings that do not stop a run are `ScenarioWarning`s.

Examples
--------
>>> s = loads('''
... format: slasim/1
... name: one server
... components:
...   server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}
... service: server
... ''')
>>> list(s.instances)
['server']
"""

from simulation.scenario.errors import (
    InputError,
    ScenarioError,
    ScenarioWarning,
    UnsupportedScenario,
    UsageError,
)
from simulation.scenario.parse import load, loads
from simulation.scenario.schema import json_schema

__all__ = [
    "InputError",
    "ScenarioError",
    "ScenarioWarning",
    "UnsupportedScenario",
    "UsageError",
    "json_schema",
    "load",
    "loads",
]
