"""Study plots: a sweep's figure against a varied value with its band; cost against risk."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import simulation as sim  # noqa: E402
from simulation.report.study_plots import plot_sweep  # noqa: E402
from tests.studies import WEB_PAIR  # noqa: E402


@pytest.fixture(scope="module")
def table():
    return sim.sweep(
        sim.loads(WEB_PAIR),
        vary={
            "components.rack-power.failure.rate": ["0.25/y", "0.5/y", "1/y"],
            "service.series[1].of": [{"web-server": 2}, {"web-server": 3}],
        },
        replications=60,
        seed=5,
        workers=1,
        progress=False,
    )


def test_the_sweep_plot_draws_the_figure_and_its_band(table):
    ax = Figure().subplots()
    plot_sweep(table, "components.rack-power.failure.rate", by="service.series[1].of", ax=ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.25/y", "0.5/y", "1/y"]
    assert len(ax.lines) == 2  # one line per value of `by`
    first = table[table["set.service.series[1].of"] == table["set.service.series[1].of"].iloc[0]]
    assert np.allclose(ax.lines[0].get_ydata(), first["sla.breach_probability"])
    assert len(ax.collections) == 2  # a band per line
    ax = plot_sweep(
        table, "components.rack-power.failure.rate", figure="availability.mean", ax=Figure().subplots()
    )
    assert len(ax.collections) >= 1
    with pytest.raises(ValueError, match="not a column"):
        plot_sweep(table, "sla.target", ax=Figure().subplots())
