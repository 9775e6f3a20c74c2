"""Bad scenario files: each error names the file, the line, the key path and the problem.

Each row of `CASES` is a short story: the file as a user might mistype it, the line
and key path the error must point at, and a fragment of the message (and hint).
"""

import warnings

import pytest

from simulation.scenario import ScenarioError, ScenarioWarning, load, loads

HEAD = """\
format: slasim/1
name: t
components:
  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}
"""  # lines 1-4; cases continue at line 5

CASES = [
    # (id, text after HEAD or a whole file, line, path, message fragment)
    (
        "top-level typo",
        HEAD + "servise: server\n",
        5,
        "servise",
        "unknown top-level key 'servise'",
        "did you mean 'service'?",
    ),
    (
        "distribution typo",
        "format: slasim/1\nname: t\ncomponents:\n  server:\n"
        "    failure: {dist: weibul, shape: 1.3, mean: 9000h}\n    repair: {mttr: 4h}\nservice: server\n",
        5,
        "components.server.failure.dist",
        "unknown distribution 'weibul'; expected one of exponential, weibull, lognormal",
        "did you mean 'weibull'?",
    ),
    (
        "missing failure",
        "format: slasim/1\nname: t\ncomponents:\n  server:\n    repair: {mttr: 4h}\nservice: server\n",
        4,
        "components.server",
        "missing required key 'failure'",
        None,
    ),
    (
        "undefined component in service",
        HEAD + "service:\n  series: [server, sever-2, database]\n",
        6,
        "service.series[1]",
        "undefined block 'sever-2'",
        "did you mean 'server'?",
    ),
    (
        "negative count",
        HEAD + "service:\n  parallel: [{server: -2}]\n",
        6,
        "service.parallel[0].server",
        "expected a count >= 1, got -2",
        None,
    ),
    (
        "k > n",
        HEAD + "service:\n  k_of_n: 3\n  of: {server: 2}\n",
        6,
        "service.k_of_n",
        "k = 3, more than the 2 members",
        None,
    ),
    (
        "k = 0",
        HEAD + "service:\n  k_of_n: 0\n  of: {server: 2}\n",
        6,
        "service.k_of_n",
        "k (members needed) >= 1",
        None,
    ),
    (
        "coverage 1.5",
        HEAD + "service:\n  standby: [{server: 2}]\n  switchover: 30s\n"
        "  coverage: 1.5\n  manual_switchover: 10min\n",
        8,
        "service.coverage",
        "coverage must be in [0, 1]",
        None,
    ),
    (
        "coverage without manual switchover",
        HEAD + "service:\n  standby: [{server: 2}]\n  switchover: 30s\n  coverage: 90%\n",
        8,
        "service.coverage",
        "needs 'manual_switchover'",
        None,
    ),
    (
        "bad duration unit",
        "format: slasim/1\nname: t\ncomponents:\n  server: {failure: {mtbf: 5000h}, repair: {mttr: 4hrz}}\n"
        "service: server\n",
        4,
        "components.server.repair.mttr",
        "unknown time unit 'hrz' in '4hrz'",
        "did you mean '4h'?",
    ),
    (
        "duration without a unit",
        HEAD + "service:\n  standby: [{server: 2}]\n  switchover: 30\n",
        7,
        "service.switchover",
        "duration 30 has no unit",
        "add a unit, e.g. 30s, 30min or 30h",
    ),
    (
        "min_outage without a unit",
        HEAD + "service: server\nsla:\n  target: 99.9%\n  min_outage: 1\n",
        8,
        "sla.min_outage",
        "duration 1 has no unit",
        "add a unit, e.g. 1s, 1min or 1h",
    ),
    (
        "failover coverage without manual switchover",
        HEAD + "service:\n  parallel: [{server: 2}]\n  failover: {switchover: 30s, coverage: 99%}\n",
        7,
        "service.failover.coverage",
        "needs 'manual_switchover'",
        None,
    ),
    (
        "target without %",
        HEAD + "service: server\nsla:\n  target: 99.9\n",
        7,
        "sla.target",
        "target 99.9 is not a fraction",
        "did you mean '99.9%'?",
    ),
    (
        "unknown window",
        HEAD + "service: server\nsla: {target: 99.9%, window: mnth}\n",
        6,
        "sla.window",
        "unknown window 'mnth'",
        "did you mean 'month'?",
    ),
    (
        "credit above 100%",
        HEAD + "service: server\nsla:\n  target: 99.9%\n  credits:\n"
        "    - {below: 99.9%, credit: 10%}\n    - {below: 99%, credit: 150%}\n",
        10,
        "sla.credits[1].credit",
        "a credit cannot exceed 100%",
        None,
    ),
    (
        "undefined hours schedule",
        HEAD + 'hours:\n  business: {mon-fri: "08:00-18:00"}\n'
        "service: server\nsla: {target: 99.9%, service_hours: busines}\n",
        8,
        "sla.service_hours",
        "undefined hours schedule 'busines'",
        "did you mean 'business'?",
    ),
    (
        "duplicate key",
        HEAD + "  server: {failure: {mtbf: 1h}, repair: {mttr: 1h}}\nservice: server\n",
        5,
        "components.server",
        "key 'server' is given twice (lines 4 and 5)",
        None,
    ),
    ("YAML syntax error", HEAD + "service: {series: [server}\n", 5, "", "YAML syntax error", None),
    (
        "wrong format version",
        "format: slasim/2\nname: t\nservice: server\n",
        1,
        "format",
        "unsupported format 'slasim/2'",
        "write 'format: slasim/1'",
    ),
    ("missing format", "name: t\nservice: server\n", 1, "", "missing 'format: slasim/1'", None),
    (
        "bad timezone",
        "format: slasim/1\nname: t\ncalendar: {start: 2027-01-01, timezone: Europe/Amsterdan}\n"
        "components:\n  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}\nservice: server\n",
        3,
        "calendar.timezone",
        "unknown time zone 'Europe/Amsterdan'",
        "did you mean 'Europe/Amsterdam'?",
    ),
    (
        "bad time range",
        HEAD + 'hours:\n  night: {daily: "25:00-26:00"}\nservice: server\n',
        6,
        "hours.night.daily",
        "'25:00' is not a time of day",
        None,
    ),
    (
        "range across midnight",
        HEAD + 'hours:\n  night: {daily: "22:00-06:00"}\nservice: server\n',
        6,
        "hours.night.daily",
        "must start before it ends",
        "write '22:00-24:00'",
    ),
    (
        "day given twice",
        HEAD + 'hours:\n  b:\n    mon-fri: "08:00-18:00"\n    fri: "09:00-10:00"\nservice: server\n',
        8,
        "hours.b.fri",
        "fri is already given by 'mon-fri' (line 7)",
        None,
    ),
    (
        "cycle between templates",
        HEAD + "blocks:\n  rack: {series: [server, row]}\n  row: {parallel: [{rack: 2}]}\nservice: rack\n",
        7,
        "blocks.row.parallel[0].rack",
        "cycle: rack -> row -> rack",
        None,
    ),
    (
        "chronic breaches > within",
        HEAD + "service: server\nsla:\n  target: 99.9%\n  chronic: {breaches: 5, within: 3}\n",
        8,
        "sla.chronic.breaches",
        "breaches (5) cannot exceed within (3)",
        None,
    ),
    (
        "crew not defined",
        "format: slasim/1\nname: t\ncrews:\n  onsite: {size: 2}\ncomponents:\n"
        "  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}, crew: onsight}\nservice: server\n",
        6,
        "components.server.crew",
        "undefined crew 'onsight'",
        "did you mean 'onsite'?",
    ),
    (
        "lognormal with mean and p95",
        "format: slasim/1\nname: t\ncomponents:\n  server:\n    failure: {mtbf: 5000h}\n"
        "    repair: {dist: lognormal, mean: 3h, p95: 10h}\nservice: server\n",
        6,
        "components.server.repair",
        "lognormal takes mu and sigma | mean and cv | median and p95 | median and sigma; got mean and p95",
        None,
    ),
    (
        "warm mode over shared instance",
        HEAD + "  feed: {failure: {mtbf: 500h}, repair: {mttr: 4h}}\n"
        "instances:\n  power: feed\nservice:\n  k_of_n: 1\n  mode: warm\n"
        "  of: [{series: [power, server]}, {series: [power, server]}]\n",
        10,
        "service.mode",
        "mode warm needs members of its own",
        None,
    ),
    ("empty file", "", 1, "", "the file is empty", None),
    ("only a comment", "# nothing yet\n", 1, "", "the file is empty", None),
    (
        "string where a mapping is expected",
        HEAD.replace("{failure: {mtbf: 5000h}, repair: {mttr: 4h}}", "fast") + "service: server\n",
        4,
        "components.server",
        "expected {failure: ..., repair: ...}, got 'fast'",
        None,
    ),
    (
        "zero mtbf",
        HEAD.replace("5000h", "0h") + "service: server\n",
        4,
        "components.server.failure.mtbf",
        "expected a duration > 0",
        None,
    ),
    (
        "negative spare stock",
        HEAD + "spares:\n  pool: {stock: -1, lead_time: 3d}\nservice: server\n",
        6,
        "spares.pool.stock",
        "expected a stock count >= 0, got -1",
        None,
    ),
    (
        "count outside a list",
        HEAD + "service: {server: 2}\n",
        5,
        "service",
        "allowed only inside a list or 'of:'",
        None,
    ),
    (
        "block keyword typo",
        HEAD + "service:\n  seires: [server]\n",
        6,
        "service.seires",
        "unknown block key 'seires'",
        "did you mean 'series'?",
    ),
    (
        "count of a shared instance",
        HEAD + "instances:\n  power: server\nservice:\n  parallel: [{power: 2}]\n",
        8,
        "service.parallel[0].power",
        "shared instance, one thing that cannot be counted",
        None,
    ),
    (
        "shares not 100%",
        HEAD + "service: server\nsupport:\n  agents: {count: 2}\n  channels:\n"
        "    phone: {share: 60%, handle: {mean: 12min}}\n    email: {share: 30%, handle: {mean: 25min}}\n",
        8,
        "support.channels",
        "channel shares add up to 90%",
        None,
    ),
    (
        "undefined demand profile",
        HEAD + 'demand:\n  day: {profile: daily, points: {"08:00": 8}}\n'
        "service:\n  k_of_n: {demand: dy}\n  of: {server: 10}\n",
        8,
        "service.k_of_n.demand",
        "undefined demand profile 'dy'",
        "did you mean 'day'?",
    ),
    (
        "unknown maintenance target",
        HEAD + "service: server\nmaintenance:\n  - targets: [servr]\n"
        "    every: month\n    at: first sunday 02:00\n    duration: 1h\n",
        7,
        "maintenance[0].targets[0]",
        "unknown maintenance target 'servr'",
        "did you mean 'server'?",
    ),
    (
        "maintenance ordinal without a month",
        HEAD + "service: server\nmaintenance:\n"
        "  - {targets: server, every: week, at: first sunday 02:00, duration: 1h}\n",
        7,
        "maintenance[0].at",
        "needs every: month, quarter or year",
        None,
    ),
    (
        "zero horizon",
        HEAD + "service: server\nrun: {horizon: 0, replications: 10}\n",
        6,
        "run.horizon",
        "expected a duration > 0",
        None,
    ),
    (
        "network link to an unknown node",
        HEAD + "service:\n  network:\n"
        "    graph: {nodes: [a, b], links: [{between: [a, c], km: 100}]}\n    source: a\n    target: b\n",
        7,
        "service.network.graph.links[0].between[1]",
        "'c' is not a node of the graph",
        None,
    ),
    (
        "name in two sections",
        HEAD + "blocks:\n  server: {parallel: [server]}\nservice: server\n",
        6,
        "blocks.server",
        "defined in both 'components' and 'blocks'",
        None,
    ),
    (
        "unknown component key",
        HEAD.replace("repair:", "repiar:") + "service: server\n",
        4,
        "components.server.repiar",
        "unknown key 'repiar'",
        "did you mean 'repair'?",
    ),
    (
        "interval rule typo",
        HEAD + "service: server\nsla:\n  target: 99.9%\n  interval: {length: 5min, rule: majorty}\n",
        8,
        "sla.interval.rule",
        "unknown interval rule 'majorty'",
        "did you mean 'majority'?",
    ),
    (
        "exclude typo",
        HEAD + "service: server\nsla: {target: 99.9%, exclude: [announced-maintenance]}\n",
        6,
        "sla.exclude[0]",
        "cannot exclude 'announced-maintenance'",
        "did you mean 'announced_maintenance'?",
    ),
    (
        "lognormal p95 below median",
        HEAD + "  db: {failure: {mtbf: 1h}, repair: {dist: lognormal, median: 4h, p95: 1h}}\nservice: db\n",
        5,
        "components.db.repair.p95",
        "p95 (1h) must be greater than the median (4h)",
        None,
    ),
    (
        "parameters without dist",
        HEAD + "  db: {failure: {shape: 1.3, scale: 1000h}, repair: 1h}\nservice: db\n",
        5,
        "components.db.failure",
        "shape, scale without 'dist'",
        "add 'dist: weibull'",
    ),
    (
        "bad start date",
        "format: slasim/1\nname: t\ncalendar: {start: 2027-13-01}\n"
        "components:\n  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}\nservice: server\n",
        3,
        "calendar.start",
        "expected a date like 2027-01-01",
        None,
    ),
    (
        "scalar where a list is expected",
        HEAD + "service: {series: server}\n",
        5,
        "service.series",
        "expected a list of blocks, got 'server'",
        None,
    ),
    (
        "replications not an integer",
        HEAD + "service: server\nrun: {replications: many}\n",
        6,
        "run.replications",
        "expected a number of replications",
        None,
    ),
]


@pytest.mark.parametrize(
    "text, line, path, fragment, hint", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(text, line, path, fragment, hint):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        with pytest.raises(ScenarioError) as info:
            loads(text, source="bad.yaml")
    err = info.value
    assert err.file == "bad.yaml"
    assert err.line == line, str(err)
    assert err.path == path, str(err)
    assert fragment in err.message, str(err)
    if hint is None:
        assert err.hint is None or "did you mean" not in err.hint, str(err)
    else:
        assert hint in (err.hint or ""), str(err)
    text = str(err)
    assert "\n" not in text and "Traceback" not in text
    assert text.startswith(f"bad.yaml:{line}: ")


def test_enough_different_cases():
    assert len({c[0] for c in CASES}) >= 20


def test_str_is_one_line_in_the_documented_shape():
    text = (
        "format: slasim/1\nname: t\ncomponents:\n  web-server:\n    failure: {mtbf: 5000h}\n"
        "    repair: {dist: weibul, shape: 1.3, mean: 3h}\nservice: web-server\n"
    )
    with pytest.raises(ScenarioError) as info:
        loads(text, source="web-hosting.yaml")
    assert str(info.value) == (
        "web-hosting.yaml:6: components.web-server.repair.dist: unknown distribution 'weibul'; "
        "expected one of exponential, weibull, lognormal, gamma, normal, deterministic, uniform, "
        "empirical (did you mean 'weibull'?)"
    )


def test_yaml_error_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("format: slasim/1\nname: t\nservice: [a\n")
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert info.value.file == str(path)
    assert info.value.line is not None and info.value.line >= 3
    assert "\n" not in str(info.value)


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load(tmp_path / "nope.yaml")


def test_missing_csv_names_the_csv(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(HEAD.replace("{mttr: 4h}", "{dist: empirical, csv: gone.csv}") + "service: server\n")
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert info.value.path == "components.server.repair.csv"
    assert "gone.csv" in info.value.message


def test_bad_value_in_csv_names_its_line(tmp_path):
    (tmp_path / "t.csv").write_text("duration\n1h\n2hs\n")
    path = tmp_path / "s.yaml"
    path.write_text(HEAD.replace("{mttr: 4h}", "{dist: empirical, csv: t.csv}") + "service: server\n")
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert "t.csv:3:" in info.value.message and info.value.line == 4


def test_credit_tier_that_disagrees_with_the_target_warns():
    text = HEAD + "service: server\nsla:\n  target: 99.9%\n  credits:\n    - {below: 99.5%, credit: 10%}\n"
    with pytest.warns(
        ScenarioWarning, match=r"bad.yaml:8: sla.credits: the highest credit tier is below 99.5%"
    ):
        loads(text, source="bad.yaml")


def test_unused_shared_instance_warns():
    text = HEAD + "instances:\n  spare-box: server\nservice: server\n"
    with pytest.warns(ScenarioWarning, match="shared instance 'spare-box' is not used"):
        loads(text, source="bad.yaml")


def test_duplicate_key_deep_in_a_list():
    text = HEAD + "service:\n  series:\n    - {parallel: [server], name: a, name: b}\n"
    with pytest.raises(ScenarioError) as info:
        loads(text, source="bad.yaml")
    assert (info.value.line, info.value.path) == (7, "service.series[0].name")
    assert "given twice" in info.value.message


def test_several_documents_are_an_error():
    with pytest.raises(ScenarioError, match="YAML syntax error"):
        loads(HEAD + "service: server\n---\nname: other\n", source="bad.yaml")


def test_error_survives_pickling():
    import pickle

    err = ScenarioError("bad", file="f.yaml", line=3, path="a.b", hint="did you mean 'c'?")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.file, copy.line, copy.path, copy.message, copy.hint) == (
        "f.yaml",
        3,
        "a.b",
        "bad",
        "did you mean 'c'?",
    )
    assert str(copy) == "f.yaml:3: a.b: bad (did you mean 'c'?)"


@pytest.mark.parametrize(
    "sla, line, path, fragment, hint",
    [
        ("  risk: {value: 5%, per: month}\n", 8, "sla.risk.per", "expected year or window", "per: window"),
        ("  risk: {per: year}\n", 8, "sla.risk", "value", None),
        ("  risk: 150%\n", 8, "sla.risk", "between 0% and 100%", None),
        ("  fee: 1200\n", 8, "sla.fee", "a fee needs a currency, e.g. '1200 EUR'", None),
        ("  fee: 1200 eur\n", 8, "sla.fee", "capitals: '1200 EUR'", None),
        ("  fee: EUR\n", 8, "sla.fee", "expected a fee per window like '1200 EUR'", None),
    ],
)
def test_bad_risk_and_fee(sla, line, path, fragment, hint):
    text = HEAD + "service: server\nsla:\n  target: 99.9%\n" + sla
    with pytest.raises(ScenarioError) as info:
        loads(text, source="bad.yaml")
    err = info.value
    assert (err.line, err.path) == (line, path), str(err)
    assert fragment in err.message, str(err)
    if hint is not None:
        assert hint in (err.hint or ""), str(err)


def test_csv_value_without_a_unit_is_an_error(tmp_path):
    (tmp_path / "t.csv").write_text("repair_time\n1h\n2\n")
    path = tmp_path / "s.yaml"
    path.write_text(HEAD.replace("{mttr: 4h}", "{dist: empirical, csv: t.csv}") + "service: server\n")
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert "t.csv:3: duration 2 has no unit" in info.value.message
    assert "name the unit in a header" in info.value.hint


def test_switchover_longer_than_the_repair_warns():
    """switchover: 30h meant 30s: a switchover longer than repairing the member."""
    text = HEAD + "service:\n  standby: [{server: 2}]\n  switchover: 30h\n"
    with pytest.warns(ScenarioWarning) as caught:
        loads(text, source="bad.yaml")
    messages = [str(w.message) for w in caught]
    assert messages == [
        "bad.yaml:7: service.switchover: switchover 30h is longer than the mean repair time "
        "of member 'server-1' (4h); did you mean 30s or 30min?"
    ]


def test_manual_switchover_longer_than_the_repair_warns_once_per_template():
    text = HEAD + (
        "blocks:\n  pair:\n    parallel: [{server: 2}]\n"
        "    failover: {switchover: 30s, coverage: 99%, manual_switchover: 2d}\n"
        "service: {series: [{pair: 3}]}\n"
    )
    with pytest.warns(ScenarioWarning) as caught:
        loads(text, source="bad.yaml")
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1
    assert "blocks.pair.failover.manual_switchover: manual_switchover 48h is longer" in messages[0]


def test_plausible_switchover_and_min_outage_do_not_warn():
    text = HEAD + (
        "service:\n  standby: [{server: 2}]\n  switchover: 3h\nsla:\n  target: 99.9%\n  min_outage: 59min\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loads(text)


def test_min_outage_of_an_hour_warns():
    text = HEAD + "service: server\nsla:\n  target: 99.9%\n  min_outage: 1h\n"
    with pytest.warns(ScenarioWarning, match=r"bad.yaml:8: sla.min_outage: min_outage 1h ignores every"):
        loads(text, source="bad.yaml")


def test_count_beyond_the_instance_limit_names_its_key():
    text = HEAD + "service:\n  k_of_n: 1\n  of: {server: 1e15}\n"
    with pytest.raises(ScenarioError) as info:
        loads(text, source="bad.yaml")
    assert str(info.value) == (
        "bad.yaml:7: service.of.server: a count of 1e+15 is more than the 100,000 instances "
        "a scenario may have"
    )


@pytest.mark.parametrize("depth", [80, 5000])  # beyond our limit; beyond Python's recursion limit
def test_deep_nesting_is_refused(depth):
    text = HEAD + "service: server\ndescription: " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(ScenarioError, match="nested more than 64 levels deep"):
        loads(text, source="bad.yaml")


def test_file_larger_than_the_limit_is_refused_before_parsing():
    text = HEAD + "service: server\n" + "# padding\n" * 120_000
    with pytest.raises(ScenarioError, match=r"the file has 1,200,108 bytes, more than the 1,048,576"):
        loads(text, source="big.yaml")


def test_aliases_that_repeat_a_little_are_fine():
    text = HEAD.replace("{mttr: 4h}", "&repair {mttr: 4h}") + (
        "  disk: {failure: {mtbf: 9000h}, repair: *repair}\nservice: {series: [server, disk]}\n"
    )
    assert loads(text).components["disk"].repair.mean == 4.0
