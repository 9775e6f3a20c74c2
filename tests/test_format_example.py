"""The complete example at the top of docs/scenario-format.md runs exactly as written."""

import re
import warnings
from pathlib import Path

import jsonschema

import simulation as sim
from simulation.report.json_report import REPORT_SCHEMA

PAGE = Path(__file__).parent.parent / "docs" / "scenario-format.md"


def complete_example() -> str:
    """The first YAML block under "## A complete example" on the format page."""
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(r"^## A complete example\n\n```yaml\n(.*?)^```", text, re.S | re.M)
    assert found, f"{PAGE}: no YAML block under '## A complete example'"
    return found.group(1)


def test_the_complete_example_runs_as_written_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scenario = sim.loads(complete_example(), source=str(PAGE))
        result = sim.run(scenario, replications=8, workers=1, progress=False)
    assert result.engine == "des"
    assert result.replications == 8 and result.window_breach.shape == (8, 12)
    # both web servers are patched on the first Sunday: the second waits for the first
    assert result.deferrals_per_year()[0] == 12.0
    assert result.stockouts_per_year() is not None and result.support is not None
    assert result.portfolio(40) is not None
    report = result.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    # 12 in every replication: no spread seen, so the exact Poisson interval, not [12, 12]
    assert report["maintenance"] == {"deferrals_per_year": {"mean": 12.0, "ci95": [9.72, 14.6541]}}
    assert report["capacity_shortfall"] is None
    assert "12 rolling jobs deferred/year" in result.summary()
