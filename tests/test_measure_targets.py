"""The target table on hand-made window availabilities: contract years, risks, credits."""

import dataclasses
import datetime as dt

import numpy as np
import pytest

from simulation.measure.stats import clustered_proportion_ci, zero_event_upper_bound
from simulation.measure.targets import TargetRisk, contract_years, target_grid
from simulation.measure.windows import window_bounds
from simulation.model.calendar import Calendar
from simulation.model.sla import SLA, CreditTier, Fee, Rolling

UTC = Calendar(dt.date(2027, 1, 1), "UTC")
TWO_YEARS = 8760.0 + 8784.0  # 2027 and the leap year 2028
SLA_999 = SLA(target=0.999, credits=(CreditTier(0.999, 0.10), CreditTier(0.99, 0.25)), fee=Fee(1000.0, "EUR"))


def _hand_made():
    """Three replications of 24 months (two contract years):
    replication 0: one month at 99.8 % in the first year;
    replication 1: 99.5 % and 99.95 % in the first year, 98 % in the second;
    replication 2: never down."""
    a = np.ones((3, 24))
    a[0, 3] = 0.998
    a[1, 1], a[1, 7], a[1, 20] = 0.995, 0.9995, 0.98
    windows = window_bounds("month", UTC, TWO_YEARS)
    return a, windows


def _risk(sla=SLA_999):
    a, windows = _hand_made()
    return TargetRisk(a, sla, windows.hours, contract_years(UTC, windows, TWO_YEARS))


# -- contract years --------------------------------------------------------------------


def test_contract_years_of_months_quarters_and_blocks():
    months = window_bounds("month", UTC, TWO_YEARS)
    assert contract_years(UTC, months, TWO_YEARS).tolist() == [0] * 12 + [1] * 12
    quarters = window_bounds("quarter", UTC, TWO_YEARS + 100.0)
    assert contract_years(UTC, quarters, TWO_YEARS + 100.0).tolist() == [0] * 4 + [1] * 4
    # 30-day blocks: a block belongs to the year in which it ends; 12 end within 2027
    # (the 13th ends on day 390), 12 more within 2028; the 25th ends after the horizon
    blocks = window_bounds(Rolling(720.0), UTC, TWO_YEARS)
    assert contract_years(UTC, blocks, TWO_YEARS).tolist() == [0] * 12 + [1] * 12


def test_contract_years_from_the_first_complete_window():
    """A calendar starting on 15 March: the first complete month is April, contract years run
    from 1 April; the second contract year does not end within the horizon."""
    cal = Calendar(dt.date(2027, 3, 15), "Europe/Amsterdam")
    horizon = cal.hours(dt.datetime(2028, 6, 1))
    months = window_bounds("month", cal, horizon)
    assert months.labels[0] == "2027-04"
    assert contract_years(cal, months, horizon).tolist() == [0] * 12 + [-1] * 2


def test_no_contract_year_to_count():
    half = window_bounds("month", UTC, 4344.0)  # January to June
    assert contract_years(UTC, half, 4344.0) is None
    long = window_bounds(Rolling(2 * 8760.0), UTC, 4 * 8760.0)  # windows longer than a year
    assert contract_years(UTC, long, 4 * 8760.0) is None


# -- the figures of a target -----------------------------------------------------------


def test_risks_breaches_and_credits_by_hand():
    risk = _risk()
    window_years = 3 * TWO_YEARS / 8760.0
    cases = [
        # target, breached windows per replication, breached years per replication, credits
        (0.999, [1, 2, 0], [1, 2, 0], 0.10 + 0.10 + 0.25),
        (0.9996, [1, 3, 0], [1, 2, 0], 0.10 + 0.10 + 0.10 + 0.25),  # 99.95 % breaches too
        (0.99, [0, 1, 0], [0, 1, 0], 0.25),  # tiers at 99 % and 98.1 %: 98 % earns 25 %
    ]
    for target, windows, years, credits in cases:
        row = risk.row(target)
        assert row["breach_window"] == sum(windows) / 72
        ci = clustered_proportion_ci(windows, 24)
        assert (row["breach_window_low"], row["breach_window_high"]) == ci
        assert row["breach_year"] == sum(years) / 6
        ci = clustered_proportion_ci(years, 2)
        assert (row["breach_year_low"], row["breach_year_high"]) == ci
        assert row["breaches_per_year"] == pytest.approx(sum(windows) / window_years, rel=1e-12)
        assert row["credit_pct"] == pytest.approx(100 * credits / 72, rel=1e-12)
        assert row["credit_per_year"] == pytest.approx(1000.0 * credits / window_years, rel=1e-12)


def test_six_contract_years_cannot_show_a_five_percent_risk():
    risk = _risk()
    assert (risk.risk_units, risk.units_needed) == (6, 59)
    assert risk.achievable() is None
    table = risk.table()
    assert not table.within_risk.any() and not table.achievable.any()
    assert table.contract.sum() == 1 and table[table.contract].target.iloc[0] == 0.999


def test_achievable_per_window():
    """72 windows: no breach at all would be bounded by 4.1 % < 5 %; at 98 % nothing is
    breached, above it the one window at 98 % is, and 1 in 72 cannot be bounded within 5 %."""
    risk = _risk(dataclasses.replace(SLA_999, risk_per="window"))
    assert zero_event_upper_bound(72) < 0.05
    assert risk.achievable() == 0.98
    table = risk.table()
    assert table[table.achievable].within_risk.all()
    assert not table[table.target > 0.98].within_risk.any()


def test_achievable_is_rounded_down_to_a_thousandth_of_a_percent():
    a = np.ones((400, 12))
    a[:100, 0] = 0.9  # 100 windows in 4800 below any target above 90 %: 2.1 %
    a[100:300, 0] = 0.99912345  # 200 more below any target above 99.912345 %: 6.3 %
    sla = SLA(target=0.999, risk=0.05, risk_per="window")
    risk = TargetRisk(a, sla, np.full(12, 730.0), None)
    assert risk.achievable() == 0.99912


def test_per_year_converted_when_no_contract_year_is_complete():
    a, _ = _hand_made()
    half = window_bounds("month", UTC, 4344.0)
    risk = TargetRisk(a[:, :6], SLA_999, half.hours, None)
    k = 8760.0 / half.hours.mean()
    p_w, ci_w = risk.window_risk(0.999)
    p_y, ci_y = risk.year_risk(0.999)
    assert p_w == 2 / 18  # 99.8 % and 99.5 % in the first half year
    assert p_y == pytest.approx(1 - (1 - p_w) ** k, rel=1e-12)
    assert ci_y.high == pytest.approx(1 - (1 - ci_w.high) ** k, rel=1e-12)
    assert not risk.years_counted


# -- credits at another target ---------------------------------------------------------


def test_credit_tiers_keep_their_distance_below_the_target():
    sla = SLA(target=0.999, credits=(CreditTier(0.999, 0.1), CreditTier(0.99, 0.25), CreditTier(0.95, 1.0)))
    assert sla.tiers_at(0.999) == sla.credits
    assert [(round(t.below, 9), t.credit) for t in sla.tiers_at(0.9)] == [
        (0.9, 0.1),
        (0.891, 0.25),
        (0.851, 1.0),
    ]
    # a tier moved to 0 % or below never applies
    assert [t.credit for t in sla.tiers_at(0.04)] == [0.1, 0.25]
    assert sla.credit_for(0.85, target=0.9) == 1.0
    assert (
        sla.credit_for(0.85) == 1.0 and sla.credit_for(0.9985) == 0.1 and sla.credit_for(0.9985, 0.998) == 0.0
    )


def test_target_grid_holds_the_contract_and_achievable_targets():
    grid = target_grid(0.999, 0.85055)
    assert 0.999 in grid and 0.85055 in grid
    assert [round(100 * t, 4) for t in grid] == [
        80.0,
        85.055,
        90.0,
        95.0,
        98.0,
        99.0,
        99.5,
        99.8,
        99.9,
        99.95,
    ]
    assert target_grid(0.999, 1.0)[-1] == 1.0
