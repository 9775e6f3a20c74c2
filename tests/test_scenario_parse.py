"""Scenario files that are right: what they turn into."""

import datetime as dt
import math
import textwrap
import warnings
from pathlib import Path

import pytest

from simulation.engine.support import unsupported_features
from simulation.model import distributions as d
from simulation.model.operations import MaintenanceTime
from simulation.model.sla import Chronic, CreditTier, Fee, IntervalRule, Rolling
from simulation.model.structure import KofN, Leaf, Network, Series, Standby, leaves
from simulation.scenario import ScenarioError, ScenarioWarning, load, loads
from simulation.scenario.yamlsource import parse_yaml

DATA = Path(__file__).parent / "data"


def scenario(body: str, **kw):
    text = "format: slasim/1\nname: t\n" + textwrap.dedent(body)
    return loads(text, source="t.yaml", **kw)


COMPONENTS = """\
components:
  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}
  disk: {failure: {mtbf: 10000h}, repair: {mttr: 2h}}
  feed: {failure: {rate: 2/y}, repair: {mttr: 1h}}
"""


# -- the contract's own example ---------------------------------------------------


@pytest.fixture(scope="module")
def example():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = load(DATA / "format-example.yaml")
    return s, caught


def test_format_example_loads(example):
    s, _ = example
    assert s.name == "Managed web hosting"
    assert s.description.startswith("One web server pair")
    assert s.calendar.start == dt.date(2027, 1, 1) and s.calendar.timezone == "Europe/Amsterdam"
    assert (s.run.horizon_hours, s.run.replications, s.run.seed) == (8760.0, 2000, 7)
    assert s.source == str(DATA / "format-example.yaml")


def test_format_example_instance_ids(example):
    s, _ = example
    assert list(s.instances) == [
        "dc-power/utility-feed",
        "dc-power/generator",
        "edge-pair/tor-switch-1",
        "edge-pair/tor-switch-2",
        "web-server-1",
        "web-server-2",
    ]
    assert s.instances["dc-power/generator"].component == "generator"
    assert s.instances["dc-power/generator"].shared
    assert not s.instances["web-server-1"].shared
    assert s.component_of("edge-pair/tor-switch-2").name == "tor-switch"


def test_format_example_structure(example):
    s, _ = example
    power, edge, web = s.service.members
    assert isinstance(s.service, Series)
    assert isinstance(power, Standby) and power.mode == "cold" and power.revert
    assert power.name == "dc-power"
    assert power.switchover.time == d.Deterministic(15 / 3600)
    assert power.switchover.coverage == 0.98
    assert power.switchover.manual.mean == pytest.approx(20 / 60)
    assert isinstance(edge, KofN) and edge.kind == "parallel" and edge.k == 1 and edge.mode == "hot"
    assert edge.name == "edge-pair"  # an unlabeled template copy is named by its scope id
    assert isinstance(web, KofN) and web.kind == "k_of_n" and web.k == 1
    assert web.failover.time.mean == pytest.approx(30 / 3600) and web.failover.coverage == 0.99


def test_format_example_gives_the_failover_a_manual_time(example):
    s, caught = example
    web = s.service.members[2]
    assert web.failover.manual.mean == pytest.approx(15 / 60)
    assert not [w for w in caught if issubclass(w.category, ScenarioWarning)]


def test_format_example_components(example):
    s, _ = example
    c = s.components
    assert c["utility-feed"].failure == d.Exponential(1.5 / 8760)
    assert c["utility-feed"].repair.median == pytest.approx(0.5)
    assert c["generator"].failure.mean == pytest.approx(2000)
    assert c["generator"].crew == "facilities"
    web = c["web-server"]
    assert isinstance(web.failure, d.Weibull) and web.failure.shape == 1.3
    assert web.failure.mean == pytest.approx(9000)
    assert isinstance(web.repair, d.Lognormal) and web.repair.mean == pytest.approx(3)
    assert web.repair.std / web.repair.mean == pytest.approx(1.0)
    assert (web.crew, web.spares, web.cost_per_year) == ("onsite", "server-spares", 1800.0)


def test_format_example_sla(example):
    s, _ = example
    sla = s.sla
    assert sla.target == 0.999 and sla.window == "month"
    assert sla.service_hours.is_always
    assert sla.exclude == frozenset({"announced_maintenance"})
    assert sla.min_outage_hours == pytest.approx(1 / 60)
    assert sla.interval is None
    assert sla.credits == (CreditTier(0.999, 0.1), CreditTier(0.99, 0.25), CreditTier(0.95, 1.0))
    assert sla.risk == 0.05 and sla.risk_per == "year" and sla.chronic == Chronic(3, 12)
    assert sla.fee == Fee(1200.0, "EUR")


def test_format_example_operations(example):
    s, _ = example
    onsite = s.crews["onsite"]
    assert (
        onsite.size == 2 and onsite.hours.is_always and onsite.overtime and onsite.priority == "criticality"
    )
    assert onsite.response.mean == pytest.approx(0.5)
    business = s.hours["business"]
    assert s.crews["facilities"].hours is business and not s.crews["facilities"].overtime
    assert business.periods[:5] == (((480, 1080),),) * 5 and business.periods[5:] == ((), ())
    assert business.holidays == {dt.date(2027, 12, 25), dt.date(2027, 12, 26)}
    assert s.spares["server-spares"].stock == 1
    assert s.spares["server-spares"].lead_time.mean == pytest.approx(72)
    (rule,) = s.maintenance
    assert rule.name == "monthly patching" and rule.targets == ("web-server",)
    assert rule.every == "month" and rule.duration == d.Deterministic(0.75)
    assert rule.at == MaintenanceTime("first", 6, None, 120)
    assert rule.rolling and rule.announced
    sup = s.support
    assert sup.agents == 3 and sup.hours is business
    assert sup.rate_per_hour == pytest.approx(4 / 24) and sup.per_outage == 15.0
    assert [c.name for c in sup.channels] == ["phone", "email"]
    assert sup.channel("phone").share == 0.6
    assert sup.channel("email").handle.mean == pytest.approx(25 / 60)
    assert sup.channel("email").response_hours == 8.0
    assert unsupported_features(s) == []


# -- instance naming --------------------------------------------------------------


def test_rack_example_ids():
    s = load(DATA / "racks.yaml")
    assert "rack-3/server-12" in s.instances
    assert "rack-20/server-20" in s.instances and "rack-1/pdu-2" in s.instances
    assert len(s.instances) == 2 + 20 * (2 + 2 + 20)
    racks = s.service.members[1]
    assert racks.k == 18 and len(racks.members) == 20
    assert racks.members[2].name == "rack-3"
    assert leaves(racks.members[2])[-1] == "rack-3/server-20"


def test_single_use_is_named_by_its_name_and_repeats_are_numbered():
    s = scenario(
        COMPONENTS
        + """\
service:
  series:
    - server
    - {parallel: [disk, {disk: 2}, disk]}
"""
    )
    assert list(s.instances) == ["server", "disk-1", "disk-2", "disk-3", "disk-4"]


def test_shared_instance_is_one_thing():
    s = scenario(
        COMPONENTS
        + """\
instances:
  power: {parallel: [{feed: 2}]}
  core: server
service:
  parallel:
    - {series: [power, core, disk]}
    - {series: [power, core, disk]}
"""
    )
    a, b = s.service.members
    assert a.members[0] is b.members[0]  # the very same block object
    assert leaves(a.members[0]) == leaves(b.members[0]) == ["power/feed-1", "power/feed-2"]
    assert a.members[1] == b.members[1] == Leaf("core")  # a single type: the key is its id
    assert a.members[2] != b.members[2]
    assert list(s.instances) == ["power/feed-1", "power/feed-2", "core", "disk-1", "disk-2"]
    assert all(s.instances[i].shared for i in ("power/feed-1", "core"))
    assert a.members[0].name == "power"


def test_nested_templates_nest_their_scopes():
    s = scenario(
        COMPONENTS
        + """\
blocks:
  mirror: {parallel: [{disk: 2}]}
  node: {series: [server, mirror]}
  pair: {parallel: [{node: 2}]}
service:
  series: [pair, {parallel: [node]}]
"""
    )
    assert list(s.instances) == [
        "pair/node-1/server",
        "pair/node-1/mirror/disk-1",
        "pair/node-1/mirror/disk-2",
        "pair/node-2/server",
        "pair/node-2/mirror/disk-1",
        "pair/node-2/mirror/disk-2",
        "node/server",
        "node/mirror/disk-1",
        "node/mirror/disk-2",
    ]


def test_template_inside_shared_instance_and_labels():
    s = scenario(
        COMPONENTS
        + """\
blocks:
  psu: {parallel: [{feed: 2}], name: power supply}
instances:
  zone: {series: [psu, server], name: zone A}
service: {parallel: [zone, {series: [zone, disk]}]}
"""
    )
    assert list(s.instances) == ["zone/psu/feed-1", "zone/psu/feed-2", "zone/server", "disk"]
    zone = s.service.members[0]
    assert zone.name == "zone A" and zone.members[0].name == "power supply"


def test_template_that_is_a_single_type_adds_no_level():
    s = scenario(
        COMPONENTS
        + """\
blocks:
  box: server
service: {parallel: [{box: 2}]}
"""
    )
    assert list(s.instances) == ["box-1", "box-2"]
    assert s.instances["box-1"].component == "server"


def test_id_collision_is_an_error():
    from simulation.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="would name two instances"):
        scenario("""\
components:
  a: {failure: {mtbf: 1h}, repair: 1h}
  a-1: {failure: {mtbf: 1h}, repair: 1h}
service: {parallel: [{a: 2}, a-1]}
""")


# -- blocks -------------------------------------------------------------------------


def test_k_of_n_modes_and_standby():
    s = scenario(
        COMPONENTS
        + """\
service:
  series:
    - {k_of_n: 2, of: [server, server, server], mode: cold, name: web}
    - standby: [disk, disk]
      mode: warm
      switchover: {dist: uniform, low: 10s, high: 20s}
      coverage: 95%
      manual_switchover: {mean: 10min}
    - {standby: [feed, feed]}
"""
    )
    web, st, plain = s.service.members
    assert (web.k, web.mode, web.name, len(web.members)) == (2, "cold", "web", 3)
    assert st.mode == "warm" and st.switchover.coverage == 0.95
    assert st.switchover.time.mean == pytest.approx(15 / 3600)
    assert isinstance(st.switchover.manual, d.Exponential)
    assert plain.switchover is None and plain.mode == "hot" and not plain.revert


def test_demand_k_of_n():
    s = scenario(
        COMPONENTS
        + """\
demand:
  office-day: {profile: daily, points: {"00:00": 3, 08:00: 7.5, "18:00": 5, 22:00: 3}}
  week: {profile: weekly, points: {"mon 08:00": 2, "sat 00:00": 1}}
service:
  k_of_n: {demand: office-day}
  of: {server: 10}
"""
    )
    assert s.service.demand == "office-day" and s.service.k == 8
    assert s.demand["office-day"].points == ((0, 3.0), (480, 7.5), (1080, 5.0), (1320, 3.0))
    assert s.demand["week"].points == ((480, 2.0), (5 * 1440, 1.0))


def test_a_demand_profile_on_a_cold_k_of_n_is_refused_where_it_is_written():
    with pytest.raises(ScenarioError) as err:
        scenario(
            COMPONENTS
            + """\
demand:
  office-day: {profile: daily, points: {"00:00": 3, 08:00: 7.5}}
service:
  k_of_n: {demand: office-day}
  of: {server: 10}
  mode: cold
"""
        )
    assert err.value.path == "service.mode" and err.value.line is not None
    assert "runs hot" in str(err.value)


def test_network_block_and_per_km_failure():
    s = scenario(
        COMPONENTS
        + """\
  fibre: {failure: {rate: 2.5/y, per: 1000km}, repair: {mttr: 12h}}
  router: {failure: {mtbf: 50000h}, repair: {mttr: 2h}}
service:
  network:
    graph:
      nodes: [a, b, c]
      links:
        - {between: [a, b], km: 120}
        - {between: [b, c], km: 80, latency: 1ms}
        - {between: [a, c], km: 300}
    source: a
    target: c
    node: router
    link: [fibre, {server: 2}]
    max_latency: 40ms
  name: wan
"""
    )
    fibre = s.components["fibre"]
    assert fibre.failure_per_km == pytest.approx(2.5 / 8760 / 1000)
    net = s.service
    assert isinstance(net, Network) and net.name == "wan"
    spec = net.spec
    assert spec.graph.nodes == ("a", "b", "c")
    bc = spec.graph.links[1]
    assert (bc.ends, bc.km, bc.km_from) == (("b", "c"), 80.0, "given")
    assert bc.latency_hours == pytest.approx(0.001 / 3600)
    assert bc.total_latency_hours == pytest.approx((0.001 + 80 * 5e-6) / 3600)
    assert (spec.sources, spec.targets, spec.need) == (("a",), ("c",), "any")
    assert spec.node_types == (("a", "router"), ("b", "router"), ("c", "router"))
    assert spec.link == ("fibre", "server", "server")
    assert spec.max_latency_hours == pytest.approx(0.04 / 3600)
    # one instance per node, a series per link: 3 + 3 x 3
    assert len(s.instances) == 12
    assert list(s.instances)[3:6] == ["wan/link/a-b/fibre", "wan/link/a-b/server-1", "wan/link/a-b/server-2"]
    assert s.component_of("wan/link/a-b/fibre").failure.rate == pytest.approx(2.5 / 8760 * 120 / 1000)
    assert s.component_of("wan/link/a-c/fibre").failure.rate == pytest.approx(2.5 / 8760 * 300 / 1000)
    assert s.component_of("wan/link/a-c/server-1") == s.components["server"]


def test_network_topology_and_node_map():
    s = scenario(
        COMPONENTS
        + """\
service:
  network: {topology: sndlib/geant, source: at1.at, target: uk1.uk, node: {at1.at: server}}
"""
    )
    spec = s.service.spec
    assert spec.graph.origin == "topology sndlib/geant"
    assert (len(spec.graph.nodes), len(spec.graph.links)) == (22, 36)
    assert spec.node_types == (("at1.at", "server"),)
    assert list(s.instances) == ["network/node/at1.at"]


# -- distributions --------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, cls, mean",
    [
        ("{mtbf: 5000h}", d.Exponential, 5000),
        ("{mttr: 30min}", d.Exponential, 0.5),
        ("{mean: 2d}", d.Exponential, 48),
        ("{rate: 2/y}", d.Exponential, 4380),
        ("15s", d.Deterministic, 15 / 3600),
        ("3h", d.Deterministic, 3),
        (0, d.Deterministic, 0),  # zero needs no unit
        ("{dist: exponential, mean: 4h}", d.Exponential, 4),
        ("{dist: exponential, rate: 1/w}", d.Exponential, 168),
        ("{dist: weibull, shape: 2, scale: 100h}", d.Weibull, 100 * math.gamma(1.5)),
        ("{dist: weibull, shape: 1.3, mean: 9000h}", d.Weibull, 9000),
        ("{dist: lognormal, mu: 1.0, sigma: 0.5}", d.Lognormal, math.exp(1.125)),
        ("{dist: lognormal, mean: 3h, cv: 1.0}", d.Lognormal, 3),
        (
            "{dist: lognormal, median: 30min, p95: 4h}",
            d.Lognormal,
            0.5 * math.exp((math.log(8) / 1.6448536269514722) ** 2 / 2),
        ),
        ("{dist: lognormal, median: 2h, sigma: 0.5}", d.Lognormal, 2 * math.exp(0.125)),
        ("{dist: gamma, shape: 2, scale: 3h}", d.Gamma, 6),
        ("{dist: gamma, mean: 10h, cv: 0.5}", d.Gamma, 10),
        ("{dist: normal, mean: 100h, sd: 10h}", d.Normal, 100),
        ("{dist: deterministic, value: 1d}", d.Deterministic, 24),
        ("{dist: uniform, low: 1h, high: 3h}", d.Uniform, 2),
        ("{dist: empirical, samples: [1h, 30min, 90min]}", d.Empirical, 1),
        ("{dist: Weibull, shape: 1, scale: 5h}", d.Weibull, 5),  # names are not case sensitive
    ],
)
def test_distribution_forms(spec, cls, mean):
    s = scenario(f"components:\n  x: {{failure: {{mtbf: 1h}}, repair: {spec}}}\nservice: x\n")
    dist = s.components["x"].repair
    assert type(dist) is cls
    assert dist.mean == pytest.approx(mean, rel=1e-9)


def test_lognormal_median_p95_parameters():
    s = scenario(
        "components:\n  x: {failure: {mtbf: 1h}, repair: {dist: lognormal, median: 30min, p95: 4h}}\n"
        "service: x\n"
    )
    rep = s.components["x"].repair
    assert rep.median == pytest.approx(0.5)
    assert float(rep.cdf(4.0)) == pytest.approx(0.95)


def test_empirical_csv_relative_to_the_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "times.csv").write_text("repair_time\n30min\n\n1h\n# a comment\n2h\n90min,\n")
    path = tmp_path / "s.yaml"
    path.write_text(
        "format: slasim/1\nname: t\ncomponents:\n"
        "  x: {failure: {mtbf: 1h}, repair: {dist: empirical, csv: sub/times.csv}}\n"
        "service: x\n"
    )
    rep = load(path).components["x"].repair
    assert isinstance(rep, d.Empirical)
    assert sorted(rep.samples) == [0.5, 1.0, 1.5, 2.0]


@pytest.mark.parametrize(
    "header, samples",
    [("repair_h", [0.5, 2.0]), ("minutes", [0.5, 2 / 60]), ("downtime (min)", [0.5, 2 / 60])],
)
def test_empirical_csv_header_gives_the_unit_of_bare_values(tmp_path, header, samples):
    (tmp_path / "t.csv").write_text(f"{header}\n30min\n2\n")
    path = tmp_path / "s.yaml"
    path.write_text(
        "format: slasim/1\nname: t\ncomponents:\n"
        "  x: {failure: {mtbf: 1h}, repair: {dist: empirical, csv: t.csv}}\n"
        "service: x\n"
    )
    assert sorted(load(path).components["x"].repair.samples) == pytest.approx(sorted(samples))


def test_shipped_csv_fixture():
    path = DATA / "repair-times.csv"
    s = loads(
        "format: slasim/1\nname: t\ncomponents:\n"
        f"  x: {{failure: {{mtbf: 1h}}, repair: {{dist: empirical, csv: {path.name}}}}}\n"
        "service: x\n",
        source=str(DATA / "inline.yaml"),
        folder=DATA,
    )
    assert s.components["x"].repair.mean == pytest.approx((0.5 + 1 + 1.5 + 2) / 4)


def test_idle_failure_and_cost_forms():
    s = scenario("""\
components:
  x: {failure: {mtbf: 100h}, repair: 1h, idle_failure: {mtbf: 1000h}, cost: 120}
  y: {failure: {mtbf: 100h}, repair: 1h, cost: 10/d}
service: {parallel: [x, y]}
""")
    assert s.components["x"].idle_failure.mean == pytest.approx(1000)
    assert s.components["x"].cost_per_year == 120 and s.components["y"].cost_per_year == 3650


# -- hours, SLA, calendar, run --------------------------------------------------------


def test_hours_forms():
    s = scenario(
        COMPONENTS
        + """\
hours:
  shop:
    mon-fri: 08:00-12:00, 13:00-18:00
    sat: ["09:00-13:00"]
    sun: []
    holidays: [2027-12-25, "2027-01-01"]
  nights: {daily: "00:00-06:00,22:00-24:00"}
  weekend: {fri-mon: "10:00-11:00"}
service: server
"""
    )
    shop = s.hours["shop"]
    assert shop.periods[0] == ((480, 720), (780, 1080))
    assert shop.periods[5] == ((540, 780),) and shop.periods[6] == ()
    assert shop.holidays == {dt.date(2027, 12, 25), dt.date(2027, 1, 1)}
    assert s.hours["nights"].periods == (((0, 360), (1320, 1440)),) * 7
    assert [bool(p) for p in s.hours["weekend"].periods] == [True, False, False, False, True, True, True]


def test_sla_options():
    s = scenario(
        COMPONENTS
        + """\
hours:
  business: {mon-fri: "08:00-18:00"}
service: server
sla:
  target: 0.995
  window: {rolling: 30d}
  service_hours: business
  exclude: [announced_maintenance, maintenance]
  interval: {length: 5min, rule: majority}
  credits:
    - {below: 95%, credit: 50%}
    - {below: 99.5%, credit: 0.1}
  risk: 1%
"""
    )
    sla = s.sla
    assert sla.target == 0.995 and sla.window == Rolling(720.0)
    assert sla.service_hours is s.hours["business"]
    assert sla.interval == IntervalRule(5 / 60, "majority")
    assert [t.below for t in sla.credits] == [0.995, 0.95]  # sorted, highest first
    assert sla.risk == 0.01 and sla.chronic is None
    assert sla.window_label == "rolling 30d"


def test_defaults():
    s = scenario(COMPONENTS + "service: server\n")
    assert s.calendar.start == dt.date(2027, 1, 1) and s.calendar.timezone == "UTC"
    assert (s.run.horizon_hours, s.run.replications, s.run.seed) == (8760.0, 1000, 0)
    assert s.sla is None and s.support is None and s.maintenance == () and s.crews == {}
    assert unsupported_features(s) == []


def test_maintenance_at_forms():
    s = scenario(
        COMPONENTS
        + """\
instances:
  power: feed
service: {series: [power, server]}
maintenance:
  - {targets: [server], every: week, at: sunday 03:00, duration: 1h}
  - {targets: power, every: month, at: 15 02:00, duration: 30min, announced: true}
  - {targets: [server], every: day, at: 02:00, duration: 10min}
  - {targets: [server], every: 2w, duration: 10min}
  - {targets: [server], every: quarter, at: last friday 23:00, duration: 10min}
"""
    )
    at = [m.at for m in s.maintenance]
    assert at[0] == MaintenanceTime(None, 6, None, 180)
    assert at[1] == MaintenanceTime(None, None, 15, 120)
    assert at[2].minute == 120 and s.maintenance[3].every == 336.0
    assert at[4].ordinal == "last" and at[4].weekday == 4
    assert s.maintenance[1].targets == ("power",) and s.maintenance[1].announced


# -- YAML source -------------------------------------------------------------------------


def test_yaml_keeps_lines_and_reads_times_as_text():
    data = parse_yaml("a:\n  b: 18:00\n  c: [1, 2:30]\nd: 1e3\n")
    assert data["a"]["b"] == "18:00"  # not 1080 (YAML 1.1 sexagesimal)
    assert data["a"]["c"] == [1, "2:30"]
    assert data["d"] == 1000.0
    assert data.key_line("a") == 1 and data["a"].key_line("c") == 3
    assert data["a"]["c"].item_line(1) == 3


def test_yaml_merge_keys():
    data = parse_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert data["other"] == {"x": 1, "y": 3}


def test_public_api():
    import simulation.scenario as sc

    assert set(sc.__all__) == {
        "InputError",
        "ScenarioError",
        "ScenarioWarning",
        "UnsupportedScenario",
        "UsageError",
        "json_schema",
        "load",
        "loads",
    }


def test_sla_risk_and_fee():
    """A bare risk is per contract year; `{value, per}` states it per window; the fee is per window."""
    base = COMPONENTS + "service: server\nsla:\n  target: 99.9%\n"
    sla = scenario(base + "  risk: 5%\n  fee: 1200 EUR\n").sla
    assert (sla.risk, sla.risk_per, sla.fee) == (0.05, "year", Fee(1200.0, "EUR"))
    sla = scenario(base + "  risk: {value: 1%, per: window}\n  fee: 1_500.50 USD\n").sla
    assert (sla.risk, sla.risk_per, sla.fee) == (0.01, "window", Fee(1500.5, "USD"))
    sla = scenario(base).sla
    assert (sla.risk, sla.risk_per, sla.fee) == (0.05, "year", None)


def test_office_hours_holidays_are_the_dutch_public_holidays_of_2027():
    """27 and 28 December 2027 are working days: the Netherlands moves no holiday."""
    office = load(Path(__file__).resolve().parent.parent / "scenarios" / "office-hours.yaml")
    weekdays = sorted(d.isoformat() for d in office.hours["business"].holidays if d.weekday() < 5)
    assert weekdays == ["2027-01-01", "2027-03-29", "2027-04-27", "2027-05-05", "2027-05-06", "2027-05-17"]
