"""End-to-end segments: a service that is a series of named blocks gets its counted
downtime split by segment (summary line, `Result.segments`, JSON ``segments``)."""

import textwrap

import jsonschema
import numpy as np
import pytest

import simulation as sim
from simulation.report.json_report import REPORT_SCHEMA

HEAD = """\
format: slasim/1
name: e2e
components:
  line: {failure: {mtbf: 500h}, repair: {mttr: 10h}}
  router: {failure: {mtbf: 2000h}, repair: {mttr: 5h}}
  app: {failure: {mtbf: 1000h}, repair: {mttr: 2h}}
sla: {target: 99.9%, window: month}
run: {horizon: 1y}
"""


def run(service: str):
    s = sim.loads(HEAD + textwrap.dedent(service), source="e2e.yaml")
    return sim.run(s, replications=60, seed=3, engine="fast", workers=1, progress=False)


def test_segments_split_counted_downtime_by_named_member():
    r = run(
        """\
        service:
          series:
            - {name: access, k_of_n: 1, of: {line: 1}}
            - name: carrier
              network:
                graph: {nodes: [a, b, c], links: [{between: [a, b]}, {between: [b, c]}, {between: [a, c]}]}
                source: a
                target: c
                node: router
            - app
        """
    )
    seg = r.segments
    assert list(seg.segment) == ["access", "carrier", "app"]
    assert seg.downtime_share.sum() == pytest.approx(1.0)
    by_instance = r.attribution.set_index("instance").downtime_min
    assert seg.downtime_min[0] == pytest.approx(by_instance["line"])
    carrier = sum(v for k, v in by_instance.items() if k.startswith("carrier/"))
    assert seg.downtime_min[1] == pytest.approx(carrier)
    years = r.replications * r.horizon_hours / 8760
    np.testing.assert_allclose(seg.hours_per_year, seg.downtime_min / 60 / years)
    report = r.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert [s["segment"] for s in report["segments"]] == ["access", "carrier", "app"]
    assert "segments          of " in r.summary() and "access " in r.summary()


def test_a_shared_instance_is_its_own_segment_and_no_names_no_segments():
    r = run(
        """\
        instances:
          rack-power: {series: [router]}
        service:
          series:
            - {name: front, series: [line, rack-power]}
            - {name: back, series: [app, rack-power]}
        """
    )
    assert list(r.segments.segment) == ["front", "back", "shared (front, back)"]
    assert r.segments.downtime_share.sum() == pytest.approx(1.0)
    plain = run("service:\n  series: [line, app]\n")
    assert plain.segments is None
    assert plain.to_dict()["segments"] is None
