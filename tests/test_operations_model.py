"""The operations sections as frozen model objects, and schedules with public holidays."""

import dataclasses
import datetime as dt
import pickle
import textwrap
import warnings
from pathlib import Path

import pytest

from simulation.engine.support import unsupported_features
from simulation.measure import SlaMeter
from simulation.model import distributions as d
from simulation.model.calendar import Calendar, PublicHolidays, WeeklySchedule
from simulation.model.operations import (
    Channel,
    Crew,
    DemandProfile,
    FrozenMap,
    MaintenanceRule,
    MaintenanceTime,
    SparePool,
    SupportDesk,
)
from simulation.model.sla import SLA
from simulation.model.timeline import Timeline
from simulation.scenario import ScenarioError, load, loads

DATA = Path(__file__).parent / "data"
WORKDAYS = (((8 * 60, 18 * 60),),) * 5 + ((),) * 2


def scenario(*parts: str):
    text = "format: slasim/1\nname: t\n" + "".join(textwrap.dedent(p) for p in parts)
    return loads(text, source="t.yaml")


def example():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load(DATA / "format-example.yaml")


SERVER = """\
components:
  server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}
service: server
"""


# -- a scenario does not change once built -----------------------------------------


def test_sections_cannot_be_changed_through_the_scenario():
    s = example()
    with pytest.raises(TypeError):
        s.crews["onsite"] = Crew("onsite", size=9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.crews["onsite"].size = 9
    with pytest.raises(TypeError):
        s.components["web-server"] = None
    with pytest.raises(TypeError):
        del s.hours["business"]
    with pytest.raises(AttributeError):
        s.support.channels.append(None)  # a tuple
    assert s.crews["onsite"].size == 2


def test_frozen_scenario_survives_pickling():
    """Worker processes receive the scenario pickled."""
    s = example()
    back = pickle.loads(pickle.dumps(s))
    assert isinstance(back.crews, FrozenMap)
    assert back.crews == s.crews and back.support == s.support and back.maintenance == s.maintenance
    assert dict(back.instances) == dict(s.instances)


# -- invariants checked by the model classes -----------------------------------------


EXP = d.Exponential(1.0)
JAN1 = dt.datetime(2027, 1, 1)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Crew("c", size=0), "size must be >= 1"),
        (lambda: Crew("c", priority="random"), "priority must be one of criticality, fifo"),
        (lambda: SparePool("p", -1, EXP), "stock must be >= 0"),
        (lambda: MaintenanceTime(minute=1440), "minute must be in 0..1439"),
        (lambda: MaintenanceTime(ordinal="first"), "an ordinal needs a weekday"),
        (lambda: MaintenanceRule("m", (), "month"), "needs at least one target"),
        (lambda: MaintenanceRule("m", ("x",), "fortnight"), "every must be one of"),
        (lambda: MaintenanceRule("m", ("x",)), "a recurring job needs every"),
        (lambda: MaintenanceRule("m", ("x",), "week", at=(JAN1,)), "listed times take no every"),
        (lambda: MaintenanceRule("m", ("x",), None, at=()), "at least one start time"),
        (lambda: MaintenanceRule("m", ("x",), "week", duration=d.Deterministic(0)), "mean > 0"),
        (lambda: Channel("phone", 0.0, EXP), "share must be in"),
        (lambda: Channel("phone", 1.0, EXP, response_hours=0.0), "response objective must be > 0"),
        (lambda: SupportDesk(0, (Channel("a", 1.0, EXP),)), "agents must be >= 1"),
        (lambda: SupportDesk(1, ()), "at least one channel"),
        (lambda: SupportDesk(1, (Channel("a", 0.5, EXP),)), "add up to 50%"),
        (lambda: SupportDesk(1, (Channel("a", 0.5, EXP), Channel("a", 0.5, EXP))), "distinct"),
        (lambda: SupportDesk(1, (Channel("a", 1.0, EXP),), rate_per_hour=-1), "ticket rate"),
        (lambda: SupportDesk(1, (Channel("a", 1.0, EXP),), target=1.5), "support target"),
        (lambda: DemandProfile("p", "daily", ((600, 2), (60, 1))), "sorted"),
        (lambda: DemandProfile("p", "daily", ((1440, 2),)), "sorted"),
        (lambda: DemandProfile("p", "hourly", ((0, 2),)), "daily or weekly"),
    ],
)
def test_model_classes_check_their_invariants(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_crew_overtime_defaults_by_hours():
    """On call around the clock a repair just continues; an office-hours crew stops."""
    assert Crew("a").overtime is True
    assert Crew("b", hours=WeeklySchedule("office", WORKDAYS)).overtime is False
    assert Crew("c", hours=WeeklySchedule("office", WORKDAYS), overtime=True).overtime is True


def test_demand_profile_peak_members():
    p = DemandProfile("p", "weekly", ((0, 2.5), (5 * 1440, 1)))
    assert p.peak == 2.5 and p.peak_members == 3


# -- new keys ------------------------------------------------------------------------


def test_crew_overtime_and_priority_keys():
    s = scenario(
        """\
        hours:
          office: {mon-fri: "08:00-18:00"}
        crews:
          day: {size: 2, hours: office, overtime: true, priority: fifo}
          night: {hours: office}
        """,
        SERVER,
    )
    assert s.crews["day"] == Crew("day", 2, s.hours["office"], None, True, "fifo")
    assert s.crews["night"].overtime is False and s.crews["night"].priority == "criticality"


@pytest.mark.parametrize(
    "crew, where, message",
    [
        ("{priority: random}", "t.yaml:4: crews.c.priority", "unknown priority 'random'"),
        ("{overtime: sometimes}", "t.yaml:4: crews.c.overtime", "true or false"),
    ],
)
def test_crew_key_errors(crew, where, message):
    with pytest.raises(ScenarioError) as err:
        scenario(f"crews:\n  c: {crew}\n" + SERVER)
    assert str(err.value).startswith(where) and message in str(err.value)


def test_support_target_key():
    s = scenario(
        SERVER,
        """\
        support:
          agents: {count: 2}
          tickets: {rate: 2/h}
          target: 95%
          channels:
            phone: {share: 100%, handle: {mean: 10min}, response: 15min}
        """,
    )
    assert s.support.target == pytest.approx(0.95) and s.support.agents == 2
    assert s.support.hours.is_always and s.support.rate_per_hour == 2.0
    assert unsupported_features(s) == []


def test_support_target_out_of_range():
    with pytest.raises(ScenarioError, match=r"support.target: a support target is a share"):
        scenario(
            SERVER
            + "support:\n  agents: {count: 1}\n  target: 0%\n"
            + "  channels: {phone: {share: 100%, handle: 10min}}\n"
        )


# -- public holidays by country ------------------------------------------------------

HOLIDAY_HOURS = """\
hours:
  office: {mon-fri: "08:00-18:00", holidays: {country: NL, dates: [2027-12-24]}}
"""


def test_public_holidays_are_read_and_resolved():
    s = scenario(HOLIDAY_HOURS + SERVER)
    office = s.hours["office"]
    assert office.public_holidays == PublicHolidays("NL")
    assert office.holidays == {dt.date(2027, 12, 24)}
    assert not office.is_always
    off = office.days_off(dt.date(2027, 1, 1), dt.date(2028, 12, 31))
    assert dt.date(2027, 4, 27) in off  # King's Day
    assert dt.date(2028, 4, 27) in off  # and the next year's, for a horizon of two years
    assert dt.date(2027, 12, 24) in off and dt.date(2027, 12, 27) not in off
    assert dt.date(2027, 4, 28) not in off


def test_kings_day_is_skipped_by_a_business_hours_sla():
    """Tuesday 27 April 2027 is a Dutch public holiday: no service hours, no counted downtime."""
    cal = Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam")
    office = WeeklySchedule("office", WORKDAYS, public_holidays=PublicHolidays("NL"))
    meter = SlaMeter(SLA(target=0.999, service_hours=office), cal, 8760.0)
    kings_day = cal.hours(dt.datetime(2027, 4, 27, 9))
    next_day = cal.hours(dt.datetime(2027, 4, 28, 9))
    april = 3
    # April 2027 has 22 weekdays; Easter Monday (29 March) is in March, King's Day in April
    assert meter.service_min[april] == 21 * 600
    figures = meter.measure(Timeline.from_lists([kings_day], [kings_day + 2], [0], [0], 8760.0))
    assert figures.downtime_min[april] == 0
    figures = meter.measure(Timeline.from_lists([next_day], [next_day + 2], [0], [0], 8760.0))
    assert figures.downtime_min[april] == 120


@pytest.mark.parametrize(
    "holidays, where, message",
    [
        ("{country: XX}", "hours.office.holidays.country", "no public holidays known for country 'XX'"),
        ("{country: nl}", "hours.office.holidays.country", "did you mean 'NL'?"),
        ("{country: DE, subdivision: ZZ}", "hours.office.holidays.subdivision", "unknown subdivision 'ZZ'"),
        ("{dates: [2027-12-24]}", "hours.office.holidays", "missing required key 'country'"),
        ("{country: NL, region: x}", "hours.office.holidays", "unknown key 'region'"),
    ],
)
def test_public_holiday_errors(holidays, where, message):
    with pytest.raises(ScenarioError) as err:
        scenario(f'hours:\n  office: {{mon-fri: "08:00-18:00", holidays: {holidays}}}\n' + SERVER)
    text = str(err.value)
    assert text.startswith(f"t.yaml:4: {where}") and message in text, text


def test_norway_needs_quotes():
    """YAML reads a bare NO as false; the error says to quote it."""
    with pytest.raises(ScenarioError, match="quote it: country: 'NO'"):
        scenario('hours:\n  office: {mon-fri: "08:00-18:00", holidays: {country: NO}}\n', SERVER)
    s = scenario("hours:\n  office: {mon-fri: \"08:00-18:00\", holidays: {country: 'NO'}}\n", SERVER)
    assert dt.date(2027, 5, 17) in s.hours["office"].days_off(dt.date(2027, 1, 1), dt.date(2027, 12, 31))


def test_schema_knows_the_new_keys():
    """Editors validate the new keys as the parser reads them."""
    import jsonschema

    from simulation.scenario import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    data = {
        "format": "slasim/1",
        "name": "t",
        "components": {"server": {"failure": {"mtbf": "5000h"}, "repair": {"mttr": "4h"}, "crew": "day"}},
        "hours": {
            "office": {"mon-fri": "08:00-18:00", "holidays": {"country": "NL", "dates": ["2027-12-24"]}}
        },
        "crews": {"day": {"size": 2, "hours": "office", "overtime": False, "priority": "fifo"}},
        "service": "server",
        "support": {
            "agents": {"count": 1},
            "target": "95%",
            "channels": {"phone": {"share": "100%", "handle": "10min", "response": "15min"}},
        },
    }
    assert not [e.message for e in validator.iter_errors(data)]
    data["crews"]["day"]["priority"] = "random"
    data["hours"]["office"]["holidays"]["region"] = "x"
    assert len(list(validator.iter_errors(data))) == 2


def test_maintenance_at_listed_times_and_distributed_duration():
    s = scenario(
        SERVER,
        """\
        maintenance:
          - targets: server
            at: [2027-09-04 02:00, 2027-03-06, "2027-06-05  23:30"]
            duration: {dist: lognormal, median: 1h, p95: 3h}
        """,
    )
    (rule,) = s.maintenance
    assert rule.every is None
    assert rule.at == (dt.datetime(2027, 3, 6), dt.datetime(2027, 6, 5, 23, 30), dt.datetime(2027, 9, 4, 2))
    assert isinstance(rule.duration, d.Lognormal) and rule.duration.median == pytest.approx(1.0)


@pytest.mark.parametrize(
    "rule, where, message",
    [
        (
            "{targets: server, every: week, at: [2027-03-06], duration: 1h}",
            "maintenance[0].every",
            "remove 'every'",
        ),
        ("{targets: server, duration: 1h}", "maintenance[0]", "missing required key 'every'"),
        (
            "{targets: server, at: [next monday], duration: 1h}",
            "maintenance[0].at[0]",
            "like '2027-03-06 02:00'",
        ),
        ("{targets: server, at: [], duration: 1h}", "maintenance[0].at", "at least one start time"),
        ("{targets: server, every: day, duration: 0min}", "maintenance[0].duration", "duration > 0"),
    ],
)
def test_maintenance_errors(rule, where, message):
    with pytest.raises(ScenarioError) as err:
        scenario(SERVER, f"maintenance:\n  - {rule}\n")
    text = str(err.value)
    assert f": {where}:" in text and message in text, text
