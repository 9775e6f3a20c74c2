"""The two shipped operations designs of one hosted service, side by side.

scenarios/ops-office-hours.yaml (one technician on office hours, an email desk on office
hours) and scenarios/ops-24x7.yaml (two technicians on call, a 24x7 phone desk) differ only
in their operations. Run with one seed (common random numbers), the 24x7 design must be
better on every figure the README gives, each by non-overlapping 95 % intervals.
"""

from pathlib import Path

import pytest

import simulation as sim

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def results():
    return {
        name: sim.run(sim.load(SCENARIOS / f"ops-{name}.yaml"), replications=200, workers=1, progress=False)
        for name in ("office-hours", "24x7")
    }


def test_the_designs_differ_only_in_operations():
    office, oncall = (sim.load(SCENARIOS / f"ops-{n}.yaml") for n in ("office-hours", "24x7"))
    assert office.service == oncall.service and office.components == oncall.components
    assert office.sla == oncall.sla and office.maintenance == oncall.maintenance
    assert office.crews != oncall.crews and office.support != oncall.support


def test_24x7_operations_breach_less_and_pay_less_credit(results):
    office, oncall = results["office-hours"], results["24x7"]
    assert office.engine == oncall.engine == "des"
    assert oncall.breach_ci().high < office.breach_ci().low
    assert oncall.expected_credit_percent_ci().high < office.expected_credit_percent_ci().low
    assert oncall.availability_ci().low > office.availability_ci().high


def test_24x7_phone_desk_meets_its_objective_more_often_than_the_office_hours_email_desk(results):
    office, oncall = (results[n].support_figures for n in ("office-hours", "24x7"))
    [email], [phone] = office.channels, oncall.channels
    assert (email.name, phone.name) == ("email", "phone")
    assert phone.within_objective_ci95[0] > email.within_objective_ci95[1]
    assert oncall.breach_probability_ci95[1] < office.breach_probability_ci95[0]
