"""Result, JSON report and console summary on small Python-built scenarios."""

import dataclasses
import json
import math

import jsonschema
import numpy as np
import pytest
from helpers import L, det, expo, scenario_of

import simulation as sim
from simulation.measure.stats import clustered_proportion_ci, zero_event_upper_bound
from simulation.model.sla import SLA, Chronic, CreditTier, Fee
from simulation.model.structure import KofN, Series
from simulation.report.json_report import REPORT_SCHEMA

SLA_999 = SLA(target=0.999, credits=(CreditTier(0.999, 0.10), CreditTier(0.99, 0.25)), chronic=Chronic(2, 6))


@pytest.fixture(scope="module")
def result():
    service = Series((KofN(1, L("a", "b"), kind="parallel"), *L("c")))
    sc = scenario_of(
        service, {"a": expo(500, 20), "b": expo(500, 20), "c": expo(4000, 3)}, horizon=8760.0, sla=SLA_999
    )
    return sim.run(sc, replications=120, seed=3, workers=1, progress=False)


def test_json_report_matches_its_schema(result):
    report = json.loads(result.to_json())
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["schema"] == "slasim.report/1"
    assert report["engine"] == "fast"  # auto: the scenario is inside the fast subset
    assert report["sla"]["windows"] == 120 * 12
    assert report["sla"]["chronic"]["breaches"] == 2


def test_report_figures_are_consistent_with_the_tables(result):
    report = result.to_dict()
    w = result.windows
    assert report["sla"]["breach_probability"] == pytest.approx(w.breach.mean(), abs=1e-6)
    assert report["sla"]["expected_credit_percent"] == pytest.approx(w.credit_pct.mean(), abs=1e-4)
    assert report["sla"]["breaches_per_year"]["mean"] == pytest.approx(w.breach.sum() / 120, abs=1e-4)
    # a breach is exactly availability below target, and credit follows the tiers
    assert (w.breach == (w.availability < 0.999)).all()
    assert set(np.unique(w.credit_pct)) <= {0.0, 10.0, 25.0}


def test_summary_and_repr_show_the_key_figures(result):
    text = result.summary()
    assert "P(breach)         0.213 per month (95 % CI 0.192 .. 0.235)" in text
    assert "availability" in text and "achievable target" in text
    assert "p05: the availability that 95 % of months reach" in text
    assert "P(chronic breach within 1 y)" in text and "target table" in text
    assert "Result 'test'" in repr(result)
    assert result._repr_html_().startswith("<pre>")


@pytest.mark.parametrize("engine", ["des", "fast"])
def test_same_numbers_for_any_worker_count(engine):
    """Three batches of replications, run in one process or spread over two."""
    from simulation.study.batch import BATCH_SIZE

    parts = {"a": expo(300, 10), "b": expo(300, 10)}
    sc = scenario_of(KofN(1, L("a", "b")), parts, horizon=8760.0, sla=SLA_999)
    n = 2 * BATCH_SIZE + 50
    one = sim.run(sc, replications=n, seed=9, engine=engine, workers=1, progress=False).to_dict()
    two = sim.run(sc, replications=n, seed=9, engine=engine, workers=2, progress=False).to_dict()
    for d in (one, two):
        d.pop("elapsed_seconds")
    assert one == two


def test_plots_are_written(result, tmp_path):
    paths = result.save_plots(tmp_path)
    assert [p.name for p in paths] == [
        "availability.png",
        "timeline.png",
        "attribution.png",
        "target-risk.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_a_horizon_that_cuts_a_window_warns():
    sc = scenario_of(Series(L("c")), {"c": expo(4000, 3)}, horizon=1000.0, sla=SLA_999)
    with pytest.warns(UserWarning, match="does not end on a window boundary"):
        result = sim.run(sc, replications=5, workers=1, progress=False)
    assert result.to_dict()["sla"]["windows"] == 5  # January only (744 h)
    with pytest.warns(UserWarning, match="no complete SLA window"):
        sim.run(sc, replications=5, horizon=500.0, workers=1, progress=False)


def test_precision_driven_run_reaches_its_target_and_is_reproducible():
    parts = {"a": expo(300, 10), "b": expo(300, 10)}
    sc = scenario_of(KofN(1, L("a", "b")), parts, horizon=8760.0, sla=SLA_999)
    runs = [sim.run(sc, replications=100, seed=4, precision=0.05, workers=w, progress=False) for w in (1, 2)]
    p = runs[0].precision
    assert p.met and p.unavailability <= 0.05 and p.breach_probability <= 0.05
    assert runs[0].replications > 100  # it had to add replications
    report = [r.to_dict() for r in runs]
    for d in report:
        d.pop("elapsed_seconds")
    assert report[0] == report[1]
    assert report[0]["precision"]["met"] is True


def test_precision_not_met_within_the_limit_says_so():
    parts = {"a": expo(300, 10), "b": expo(300, 10)}
    sc = scenario_of(KofN(1, L("a", "b")), parts, horizon=8760.0, sla=SLA_999)
    result = sim.run(
        sc, replications=50, seed=4, precision=0.01, max_replications=120, workers=1, progress=False
    )
    assert result.replications == 120 and not result.precision.met
    assert "NOT MET" in result.summary()


# -- figures with known values --------------------------------------------------------


def test_deterministic_run_known_figures():
    """a fails every 100 h for 1 h, b every 160 h for 3 h, in series, over January (744 h):
    a is down 7 times (from 100, 201, ... 706 h), b 4 times (from 160, 323, 486, 649 h),
    never at once: 7 h + 12 h down, the same in every replication."""
    sc = scenario_of(Series(L("a", "b")), {"a": det(100, 1), "b": det(160, 3)}, horizon=744.0, sla=SLA_999)
    result = sim.run(sc, replications=4, seed=1, workers=1, progress=False)
    availability = 1 - 19 / 744
    assert result.availability == pytest.approx(availability, rel=1e-12)
    lo, hi = result.availability_ci()  # a deterministic model: nothing to be uncertain about
    assert (lo, hi) == pytest.approx((availability, availability), rel=1e-12)
    attr = result.attribution
    assert attr.instance.tolist() == ["b", "a"]
    assert attr.downtime_min.tolist() == pytest.approx([4 * 12 * 60, 4 * 7 * 60])
    assert attr.downtime_share.tolist() == pytest.approx([12 / 19, 7 / 19])
    # every month breached (97.4 % < 99.9 %, below the 99 % tier too): P = 1, bounded by 4 windows
    assert result.breach_probability == 1.0 and result.expected_credit_percent == 25.0
    assert result.breach_ci() == (1 - zero_event_upper_bound(4), 1.0)


def _rare(mtbf=2 * 8760.0, mttr=48.0, sla=SLA_999):
    return scenario_of(Series(L("box")), {"box": expo(mtbf, mttr)}, horizon=8760.0, sla=sla)


def test_availability_interval_stays_in_bounds_and_widens_with_fewer_replications():
    full = sim.run(_rare(), replications=300, seed=5, workers=1, progress=False)
    widths = []
    for n in (3, 30, 300):
        lo, hi = sim.run(_rare(), replications=n, seed=5, workers=1, progress=False).availability_ci()
        assert 0.0 <= lo <= hi <= 1.0
        widths.append(hi - lo)
    assert widths[0] > widths[1] > widths[2] > 0
    assert full.availability_ci() == pytest.approx(
        sim.run(_rare(), replications=300, seed=5, workers=1, progress=False).availability_ci()
    )


def test_three_replications_without_downtime_do_not_give_a_zero_width_interval():
    result = sim.run(_rare(mtbf=1e12, mttr=1.0), replications=3, seed=1, workers=1, progress=False)
    assert result.availability == 1.0
    lo, hi = result.availability_ci()
    assert hi == 1.0 and lo == pytest.approx(0.05 ** (1 / 3))  # 36.8 %: three years say little
    text = result.summary()
    # the bound is on the share of runs with any downtime, and it is said so
    assert (
        "no downtime in any of 3 replications x 8760 h; too few to bound availability: "
        "at most 63.2 % of such runs would have any downtime (95 %)"
    ) in text
    report = json.loads(result.to_json())
    assert report["availability"]["ci95"] == [pytest.approx(lo), 1.0]
    assert report["availability"]["replications_with_downtime"] == 0
    jsonschema.validate(report, REPORT_SCHEMA)
    # no outage: the outage rate is bounded by the Poisson zero-event bound, -ln(0.05) / 3 a year
    assert result.outages_per_year_ci() == (0.0, pytest.approx(-math.log(0.05) / 3))
    assert "0 outages/year (95 % CI 0 .. 0.999)" in text


def test_many_replications_without_downtime_bound_availability():
    result = sim.run(_rare(mtbf=1e12, mttr=1.0), replications=400, seed=1, workers=1, progress=False)
    lo, _ = result.availability_ci()
    assert lo == pytest.approx(0.05 ** (1 / 400))
    assert (
        "no downtime in any of 400 replications x 8760 h; at most 0.746 % of such runs would have "
        f"any downtime (95 %), so availability >= {100 * lo:.4f} %"
    ) in result.summary()


def test_one_replication_gives_no_nan():
    result = sim.run(_rare(mtbf=2000.0, mttr=10.0), replications=1, seed=2, workers=1, progress=False)
    assert result.availability < 1.0 and result.breach_probability > 0
    text = result.summary()
    assert "nan" not in text.lower()
    # Python and the summary give the same interval: (0, 1), no spread to measure
    assert tuple(result.availability_ci()) == (0.0, 1.0)
    assert "(95 % CI 0 % .. 100 %: one replication cannot measure the spread)" in text
    report = result.to_json()
    assert "NaN" not in report
    jsonschema.validate(json.loads(report), REPORT_SCHEMA)
    assert json.loads(report)["availability"]["ci95"] == [0.0, 1.0]
    assert json.loads(report)["outages_per_year"]["mean_ci95"] is None  # unbounded


def test_no_breach_gives_the_upper_bound():
    """Outages of a minute or so every 100 h: about 7 minutes a month, never 44."""
    sc = scenario_of(Series(L("box")), {"box": expo(100.0, 1 / 60)}, horizon=8760.0, sla=SLA_999)
    result = sim.run(sc, replications=500, seed=3, workers=1, progress=False)
    n = len(result.windows)
    assert result.breach_probability == 0 and n == 6000
    lo, hi = result.breach_ci()
    assert lo == 0.0 and hi == pytest.approx(1 - 0.05 ** (1 / n), rel=0.01)
    assert f"none in 6,000 months: < {hi:#.3g} per month (95 % upper bound)" in result.summary()
    assert result.to_dict()["sla"]["breach_probability_ci95"] == [0.0, pytest.approx(hi, rel=1e-6)]


def test_breach_interval_is_clustered_by_replication(result):
    breach = result.windows.breach.to_numpy().reshape(result.replications, -1)
    assert result.breach_ci() == clustered_proportion_ci(breach.sum(axis=1), 12)
    lo, hi = result.breach_ci()
    assert 0.0 < lo < result.breach_probability < hi < 1.0


# -- the achievable target and the target table ------------------------------------------


def test_single_box_cannot_sell_99_9():
    """MTBF 2 y, MTTR 48 h: up 99.74 % of the time, and about 39 % of contract years hold a
    failure whose 48 h (on average) breach 99.9 % in that month. At 5 % risk per year the
    achievable target is far below 99.9 %; per month, where only about 4 % of months see
    any downtime, every target up to 100 % passes -- the reading the ladder used to give."""
    result = sim.run(_rare(), replications=2000, seed=1, workers=1, progress=False)
    assert result.availability == pytest.approx(0.9974, abs=0.0005)
    assert result.achievable_target < 0.95
    table = result.targets
    best = table[table.achievable].iloc[0]
    assert best.target == result.achievable_target and best.within_risk and best.breach_year_high <= 0.05
    assert not table[table.target > best.target].within_risk.any()
    per_window = dataclasses.replace(SLA_999, risk_per="window")
    result = sim.run(_rare(sla=per_window), replications=2000, seed=1, workers=1, progress=False)
    assert result.achievable_target == 1.0
    assert "achievable target 100.000 % at 5 % risk per month" in result.summary()


def test_target_table_agrees_with_the_contract_figures():
    sla = dataclasses.replace(SLA_999, fee=Fee(1200.0, "EUR"))
    result = sim.run(
        _rare(mtbf=4000.0, mttr=8.0, sla=sla), replications=200, seed=4, workers=1, progress=False
    )
    table = result.targets
    row = table[table.contract].iloc[0]
    assert row.target == 0.999
    assert row.breach_window == pytest.approx(result.breach_probability, rel=1e-12)
    assert (row.breach_window_low, row.breach_window_high) == tuple(result.breach_ci())
    assert row.breaches_per_year == pytest.approx(result.breaches_per_year, rel=1e-12)
    assert row.credit_pct == pytest.approx(result.expected_credit_percent, rel=1e-12)
    # 2027 has 8760 h: twelve months are one year, so money = 12 x fee x mean credit
    assert row.credit_per_year == pytest.approx(12 * 1200.0 * result.expected_credit_percent / 100, rel=1e-12)
    assert result.expected_credit_per_year == pytest.approx(row.credit_per_year, rel=1e-12)
    years = result.windows.breach.to_numpy().reshape(200, 12).any(axis=1)
    assert row.breach_year == years.mean()
    assert table.target.is_monotonic_decreasing and table.breach_year.is_monotonic_decreasing
    report = json.loads(result.to_json())
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["sla"]["fee"] == {"amount": 1200.0, "currency": "EUR"}
    assert len(report["sla"]["targets"]) == len(table)
    assert report["sla"]["achievable_target"]["per"] == "year"
    assert "1,200.00 EUR" in result.summary()


def test_too_few_contract_years_say_below():
    result = sim.run(_rare(mtbf=4000.0, mttr=8.0), replications=20, seed=4, workers=1, progress=False)
    assert result.achievable_target is None
    lowest = result.targets.target.min()
    assert f"achievable target below {100 * lowest:.3f} % at 5 % risk per year: 20 contract years" in (
        result.summary()
    )
    assert result.to_dict()["sla"]["achievable_target"]["below"] == lowest


def test_chronic_probability_says_its_horizon():
    sla = dataclasses.replace(SLA_999, chronic=Chronic(2, 6))
    result = sim.run(
        _rare(mtbf=4000.0, mttr=8.0, sla=sla),
        replications=20,
        horizon=17544.0,
        seed=4,
        workers=1,
        progress=False,
    )
    assert "P(chronic breach within 2 y)" in result.summary()
    assert result.to_dict()["sla"]["chronic"]["horizon_hours"] == 17544.0  # 2027 and 2028


def test_intervals_unpack():
    result = sim.run(_rare(mtbf=4000.0, mttr=8.0), replications=20, seed=4, workers=1, progress=False)
    lo, hi = result.availability_ci()
    assert lo < result.availability < hi
    lo, hi = result.breach_ci()
    assert (lo, hi) == (result.breach_ci().low, result.breach_ci().high)


def test_precision_run_without_breaches_stops_on_the_upper_bound():
    """No breach ever (outages of about a minute): the run stops once the zero-event bound
    of P(breach) is within 10 % of the accepted risk per month, 1 - 0.95 ** (1 / 12), instead
    of running to its limit."""
    sc = scenario_of(Series(L("box")), {"box": expo(100.0, 1 / 60)}, horizon=8760.0, sla=SLA_999)
    result = sim.run(
        sc, replications=100, seed=3, precision=0.1, max_replications=5000, workers=1, progress=False
    )
    p = result.precision
    goal = 0.1 * (1 - 0.95 ** (1 / 12))
    assert p.met and result.breach_probability == 0
    assert p.breach_bound == pytest.approx(zero_event_upper_bound(len(result.windows)))
    assert p.breach_bound <= goal
    assert 12 * 100 < len(result.windows) < 5000 * 12
    assert zero_event_upper_bound(len(result.windows) - 12 * 100) > goal  # one round less was not enough
    assert "P(breach) none seen" in result.summary()
    assert result.to_dict()["precision"]["breach_probability_upper_bound"] == pytest.approx(p.breach_bound)


def test_target_risk_plot_has_a_continuous_axis_with_bands(result):
    from matplotlib.figure import Figure

    from simulation.report.plots import plot_target_risk

    ax = plot_target_risk(result, ax=Figure().subplots(), points=40)
    assert ax.get_xscale() == "log"  # unavailability, written as targets
    assert len(ax.collections) == 2  # the 95 % bands per month and per contract year
    assert [len(line.get_xdata()) for line in ax.get_lines()[:2]] == [40, 40]
    labels = ax.get_legend_handles_labels()[1]
    assert "accepted risk 5 % per year" in labels and "contract target 99.9 %" in labels


def test_per_year_figures_carry_intervals_over_replications():
    """Each per-year figure's interval is the t-interval of the replications' own values
    (written out here from the window table), clipped at 0; breaches per year are the
    clustered breach interval times the 12 months of a year."""
    from simulation.measure.stats import mean_ci

    sla = dataclasses.replace(SLA_999, fee=Fee(1200.0, "EUR"))
    result = sim.run(
        _rare(mtbf=3000.0, mttr=12.0, sla=sla), replications=60, seed=8, workers=1, progress=False
    )
    w = result.windows
    by_rep = w.groupby("replication")
    _, lo, hi = mean_ci(by_rep.credit_pct.mean())
    assert result.expected_credit_percent_ci() == (pytest.approx(max(lo, 0.0)), pytest.approx(hi))
    assert result.expected_credit_per_year_ci() == (
        pytest.approx(max(lo, 0.0) / 100 * 1200 * 12),
        pytest.approx(hi / 100 * 1200 * 12),
    )
    _, lo, hi = mean_ci(by_rep.availability.mean())
    assert result.window_availability_mean_ci() == (pytest.approx(lo), pytest.approx(min(hi, 1.0)))
    _, lo, hi = mean_ci(result.per_replication.downtime_hours * 60)
    assert result.downtime_min_per_year_ci() == (pytest.approx(max(lo, 0.0)), pytest.approx(hi))
    b_lo, b_hi = result.breach_ci()
    assert result.breaches_per_year_ci() == (pytest.approx(12 * b_lo), pytest.approx(12 * b_hi))
    # the contract's row of the target table carries the same intervals
    row = result.targets[result.targets.contract].iloc[0]
    assert (row.credit_pct_low, row.credit_pct_high) == pytest.approx(
        tuple(result.expected_credit_percent_ci())
    )
    assert (row.breaches_per_year_low, row.breaches_per_year_high) == pytest.approx(
        tuple(result.breaches_per_year_ci())
    )
    report = json.loads(result.to_json())
    jsonschema.validate(report, REPORT_SCHEMA)
    s = report["sla"]
    assert s["expected_credit_percent_ci95"] == pytest.approx(
        list(result.expected_credit_percent_ci()), abs=1e-6
    )
    assert s["breaches_per_year"]["mean_ci95"] == pytest.approx(list(result.breaches_per_year_ci()), abs=1e-6)
    assert s["window_kind"] == "month" and s["window_hours"] is None
    text = result.summary()
    ci = result.expected_credit_per_year_ci()
    assert f"EUR/year (95 % CI {ci.low:,.2f} .. {ci.high:,.2f})" in text
    assert "credit/month (% of fee)" in text and "credit/yr (EUR)" in text
    assert "% of all hours, by the clock" in text and "min/year by the clock, all outages" in text


def test_causes_say_what_they_measure():
    result = sim.run(_rare(mtbf=3000.0, mttr=12.0), replications=30, seed=8, workers=1, progress=False)
    text = result.summary()
    breached = int(result.window_breach.sum())
    assert "top causes        share of counted downtime: box 100 %" in text
    assert (
        f"share of the {breached:,} breached months (part behind most of their downtime): box 100 %" in text
    )


def test_distributions_describe_themselves_readably():
    assert sim.Lognormal.from_median_p95(3.0, 12.0).describe() == "lognormal (median 3 h, sigma 0.84)"
    assert sim.Exponential.from_mean(2 * 8760.0).describe() == "exponential (mean 2 y)"
    assert sim.Deterministic(10 / 60).describe() == "fixed 10 min"


def test_outages_table_reads_in_local_time():
    """Two fixed outages: 2 h up, 30 min down, in a calendar starting 2027-01-01 (UTC+1)."""
    sc = scenario_of(Series(L("box")), {"box": det(2.0, 0.5)}, horizon=6.0)
    result = sim.run(sc, replications=1, seed=1, workers=1, progress=False)
    table = result.outages(0)
    assert table.start.astype(str).tolist()[:2] == ["2027-01-01 02:00:00", "2027-01-01 04:30:00"]
    assert table.duration_min.tolist()[:2] == [30.0, 30.0]
    assert table.kind.tolist()[0] == "unplanned" and table.cause.tolist()[0] == "box"
    assert table.counted_min.isna().all()  # no SLA: nothing is counted
    with pytest.raises(IndexError):
        result.outages(1)
