"""Units in scenario files: every spelling of a duration, rate, percentage, cost, length."""

import math

import pytest

from simulation.scenario import units
from simulation.scenario.units import UnitError


@pytest.mark.parametrize(
    "text, hours",
    [
        ("30s", 30 / 3600),
        ("15min", 0.25),
        ("4h", 4.0),
        ("3d", 72.0),
        ("2w", 336.0),
        ("1y", 8760.0),  # a year is 365 days
        ("40ms", 0.04 / 3600),
        ("5us", 5e-6 / 3600),
        ("5µs", 5e-6 / 3600),  # micro sign
        ("5μs", 5e-6 / 3600),  # Greek mu looks the same
        ("1.5h", 1.5),
        (".5h", 0.5),
        ("4 h", 4.0),  # a space between number and unit
        ("2_000h", 2000.0),
        ("1e3h", 1000.0),
        (0, 0.0),  # zero needs no unit
        ("0", 0.0),
        (0.0, 0.0),
        # other spellings people write
        ("90 sec", 0.025),
        ("90secs", 0.025),
        ("1 second", 1 / 3600),
        ("5 mins", 5 / 60),
        ("10 minutes", 10 / 60),
        ("2hr", 2.0),
        ("2 hrs", 2.0),
        ("1 hour", 1.0),
        ("4 hours", 4.0),
        ("1 day", 24.0),
        ("3days", 72.0),
        ("1 week", 168.0),
        ("2 weeks", 336.0),
        ("1yr", 8760.0),
        ("1 year", 8760.0),
        ("2 years", 17520.0),
        ("4H", 4.0),  # letter case carries no meaning
        ("2 Hours", 2.0),
    ],
)
def test_duration(text, hours):
    assert units.duration(text) == pytest.approx(hours)


@pytest.mark.parametrize(
    "text, fragment, hint",
    [
        (30, "duration 30 has no unit", "add a unit, e.g. 30s, 30min or 30h"),
        ("30", "duration 30 has no unit", "add a unit, e.g. 30s, 30min or 30h"),
        (2.5, "duration 2.5 has no unit", "add a unit, e.g. 2.5s, 2.5min or 2.5h"),
        ("4m", "unknown time unit 'm'", "did you mean '4min'?"),  # minutes or months?
        ("4hrz", "unknown time unit 'hrz'", "did you mean '4h'?"),
        ("2 months", "unknown time unit 'months'", "a month has no fixed length; write e.g. '60d'"),
        ("4x", "unknown time unit 'x'", None),
        ("soon", "expected a duration like '4h'", None),
        ("", "expected a duration", None),
        (None, "got nothing (null)", None),
        (True, "expected a duration", None),
        ([1], "expected a duration", None),
    ],
)
def test_bad_duration(text, fragment, hint):
    with pytest.raises(UnitError) as info:
        units.duration(text)
    assert fragment in info.value.message
    assert info.value.hint == hint


@pytest.mark.parametrize(
    "text, per_hour",
    [
        ("1.5/y", 1.5 / 8760),
        ("2/d", 2 / 24),
        ("4/h", 4.0),
        ("1/w", 1 / 168),
        ("10/min", 600.0),
        ("1/30d", 1 / 720),  # a period with a number
        ("3 / y", 3 / 8760),
        ("0/y", 0.0),
    ],
)
def test_rate(text, per_hour):
    assert units.rate(text) == pytest.approx(per_hour)


@pytest.mark.parametrize(
    "text, fragment",
    [
        (2, "a rate needs a time unit"),  # 2 per what?
        ("2/yrz", "unknown time unit 'yrz'"),
        ("1/30", "duration 30 has no unit"),
        ("fast/y", "expected a rate like '2/y'"),
        ("2", "expected a rate"),
        ("-1/y", "a rate must be >= 0"),
    ],
)
def test_bad_rate(text, fragment):
    with pytest.raises(UnitError, match=fragment):
        units.rate(text)


def test_rate_hint_keeps_the_number():
    with pytest.raises(UnitError) as info:
        units.rate("2/ys")
    assert info.value.hint == "did you mean '2/y'?"


def test_rate_takes_the_other_spellings():
    assert units.rate("2/yr") == units.rate("2/year") == units.rate("2/y")
    assert units.rate("4/hour") == 4.0


def test_parse_duration_reads_python_numbers_as_hours():
    """`run(horizon=...)`: a Python number is hours, a string needs its unit."""
    assert units.parse_duration(8760.0) == 8760.0
    assert units.parse_duration(720) == 720.0
    assert units.parse_duration("30d") == 720.0
    with pytest.raises(UnitError, match="has no unit"):
        units.parse_duration("8760")


@pytest.mark.parametrize(
    "text, fraction",
    [
        ("99.9%", 0.999),
        ("99.95 %", 0.9995),
        ("100%", 1.0),
        ("0%", 0.0),
        (0.99, 0.99),
        (1, 1.0),
        (0, 0.0),
        ("0.98", 0.98),
    ],
)
def test_percent(text, fraction):
    assert units.percent(text) == fraction  # exact: '99.9%' is 0.999, not 0.9990000000000001


@pytest.mark.parametrize(
    "text, fragment",
    [
        (1.5, r"must be in \[0, 1\]"),
        ("101%", "between 0% and 100%"),
        ("-1%", "between 0% and 100%"),
        ("high", "expected a probability"),
    ],
)
def test_bad_percent(text, fragment):
    with pytest.raises(UnitError, match=fragment):
        units.percent(text)


def test_target():
    assert units.target("99.9%") == 0.999
    assert units.target(0.999) == 0.999
    with pytest.raises(UnitError) as info:
        units.target(99.9)
    assert info.value.hint == "did you mean '99.9%'?"
    with pytest.raises(UnitError, match="> 0"):
        units.target("0%")


@pytest.mark.parametrize(
    "text, per_year",
    [("1800/y", 1800.0), (1800, 1800.0), ("5/d", 5 * 365.0), ("100/w", 100 * 8760 / 168), ("0", 0.0)],
)
def test_cost(text, per_year):
    assert units.cost(text) == pytest.approx(per_year)


def test_bad_cost():
    with pytest.raises(UnitError, match="cost"):
        units.cost("cheap")
    with pytest.raises(UnitError, match=">= 0"):
        units.cost(-5)


@pytest.mark.parametrize("text, km", [("120km", 120.0), (120, 120.0), ("500m", 0.5), ("1_000 km", 1000.0)])
def test_length(text, km):
    assert units.length(text) == pytest.approx(km)


def test_bad_length():
    with pytest.raises(UnitError) as info:
        units.length("12kms")
    assert info.value.hint == "did you mean '12km'?"


def test_latency():
    assert units.latency("40ms") == pytest.approx(0.04 / 3600)
    assert units.latency("250us") == pytest.approx(250e-6 / 3600)
    with pytest.raises(UnitError) as info:
        units.latency(40)  # 40 what? hours would be absurd for a latency
    assert info.value.hint == "did you mean '40ms'?"


@pytest.mark.parametrize("text, minutes", [("00:00", 0), ("08:00", 480), ("8:30", 510), ("23:59", 1439)])
def test_clock(text, minutes):
    assert units.clock_minutes(text) == minutes


def test_clock_end_of_day():
    assert units.clock_minutes("24:00", end=True) == 1440
    for bad, end in [("24:00", False), ("25:00", True), ("12:60", False), ("noon", False), ("24:30", True)]:
        with pytest.raises(UnitError):
            units.clock_minutes(bad, end=end)


def test_non_finite_is_rejected():
    with pytest.raises(UnitError, match="finite"):
        units.duration(math.inf)
