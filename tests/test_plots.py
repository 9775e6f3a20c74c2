"""The plots a manager reads: they render (Agg) and carry the labels that make them
read right. Each check reads the text of titles, legends, axes and annotations."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from helpers import L, det, expo, scenario_of
from matplotlib.figure import Figure

import simulation as sim
from simulation.model.distributions import Deterministic
from simulation.model.sla import SLA, CreditTier
from simulation.model.structure import KofN, Series, Switchover
from simulation.report.plots import (
    _duration_text,
    plot_attribution,
    plot_outage_timeline,
    plot_window_availability,
)

# A credit tier equal to the target (99.9 %), one below, one far off the axis.
SLA_999 = SLA(
    target=0.999,
    credits=(CreditTier(0.999, 0.10), CreditTier(0.99, 0.25), CreditTier(0.50, 1.0)),
    min_outage_hours=1 / 60,
)
REPS = 300


@pytest.fixture(scope="module")
def result():
    """A pair with a fixed 30 s failover (not counted: min_outage 1 min) behind a
    switch, one year."""
    service = Series((KofN(1, L("a", "b"), failover=Switchover(Deterministic(30 / 3600))), *L("switch")))
    parts = {"a": expo(300, 10), "b": expo(300, 10), "switch": expo(3000, 6)}
    sc = scenario_of(service, parts, horizon=8760.0, sla=SLA_999)
    return sim.run(sc, replications=REPS, seed=5, workers=1, progress=False, engine="fast")


def _ax():
    return Figure(figsize=(9, 4.8)).subplots()


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_availability_histogram_reads_right(result):
    ax = plot_window_availability(result, ax=_ax())
    title = ax.get_title()
    assert "counted availability per month" in title
    # the counted (window) mean with its interval, not the clock availability
    ci = result.window_availability_mean_ci()
    assert f"mean {100 * result.window_availability_mean:.4f}".rstrip("0") in title
    assert f"95 % CI {100 * ci.low:.4f}".rstrip("0") in title
    assert f"P(breach per month) {result.breach_probability:.4f}" in title
    assert ax.get_yscale() == "linear" and ax.get_xscale() == "linear"
    assert ax.get_ylabel() == f"share of all {REPS * 12:,} months (%)"
    assert ax.get_xlabel() == "counted availability per month (%, service hours, SLA rules)"
    legend = _legend(ax)
    perfect = 100 * (result.window_availability >= 1.0).mean()
    assert f"at 100 %, no counted downtime (not drawn): {perfect:.1f} % of months" in legend
    assert "target 99.9 %" in legend
    assert "credit 10 % (below 99.9 %)" in legend  # the tier equal to the target: a band
    assert "credit 100 % (below 50 %): off the axis" in legend
    floor = ax.get_xlim()[0]
    off = (100 * result.window_availability < floor).mean()
    piles = [t for t in legend if t.startswith("below ")]
    if off:
        assert piles == [f"below {floor:.3g} % (off the axis): {100 * off:.2g} % of months"]
    else:
        assert piles == []
    # bars: the share of all windows, so they add up to the windows with downtime shown
    heights = sum(bar.get_height() for bars in ax.containers for bar in bars)
    assert heights == pytest.approx(100 - perfect, abs=1e-6)


def test_timeline_shows_the_worst_year_with_real_durations(result):
    ax = plot_outage_timeline(result, ax=_ax())
    worst = int(np.lexsort((np.arange(REPS), -result.window_downtime_min.sum(axis=1)))[0])
    title = ax.get_title()
    assert f"worst of {REPS} simulated years by counted downtime (replication {worst})" in title
    assert f"{_duration_text(result.window_downtime_min[worst].sum() / 60)} counted by the SLA" in title
    assert " down by the clock" in title
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "outage duration"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[:4] == ["1 s", "10 s", "1 min", "10 min"]
    assert _legend(ax) == ["clock duration", "counted by the SLA"]
    # month borders: 13 dotted lines for 12 months
    borders = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert len(borders) == 13
    # labels of outages do not overlap each other
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [
        t.get_window_extent(renderer) for t in ax.texts if t.get_text() and "breached" not in t.get_text()
    ]
    assert boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_timeline_of_any_replication(result):
    ax = plot_outage_timeline(result, replication=7, ax=_ax())
    assert ax.get_title().splitlines()[0].endswith(f"replication 7 of {REPS} simulated years")


@pytest.mark.parametrize(
    "hours, text",
    [(15 / 3600, "15 s"), (30 / 3600, "30 s"), (0.5, "30 min"), (10.7, "10.7 h"), (511.5, "21.3 d")],
)
def test_durations_in_the_unit_a_reader_expects(hours, text):
    assert _duration_text(hours) == text


def test_attribution_per_year_with_breach_shares(result):
    ax = plot_attribution(result, ax=_ax())
    breached = int(result.window_breach.sum())
    assert breached > 0
    assert f"{REPS} simulated years, {breached} breached months" in ax.get_title()
    assert ax.get_xlabel() == "counted downtime per year (min)"
    attr = result.attribution
    # every breached window has one main cause
    assert int(attr.breached_windows.sum()) == breached
    notes = [t.get_text() for t in ax.texts]
    years = REPS * result._window_hours.sum() / 8760.0
    for row in attr.itertuples():
        share = f"{100 * row.breach_share:.0f} %"
        if 0 < row.breach_share < 0.01:
            share = "< 1 %"
        elif 0.99 < row.breach_share < 1:
            share = "> 99 %"
        assert f" {row.downtime_min / years:.3g} min/year; caused {share} of breached months" in notes


def test_save_plots_writes_the_four_files(result, tmp_path):
    paths = result.save_plots(tmp_path)
    assert [p.name for p in paths] == [
        "availability.png",
        "timeline.png",
        "attribution.png",
        "target-risk.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_plots_without_sla():
    sc = scenario_of(KofN(1, L("a", "b")), {"a": expo(300, 10), "b": expo(300, 10)}, horizon=8760.0)
    result = sim.run(sc, replications=20, seed=1, workers=1, progress=False)
    assert plot_window_availability(result, ax=_ax()).texts[0].get_text() == "no SLA windows"
    ax = plot_outage_timeline(result, ax=_ax())
    worst = int(np.argmax(result.per_replication.downtime_hours))
    assert ax.get_title().startswith(f"test: worst of 20 simulated years by downtime (replication {worst})")
    assert plot_attribution(result, ax=_ax()).get_xlabel() == "downtime per year (min)"


def test_breached_labels_of_neighbouring_windows_do_not_overlap():
    """A box down 20 h at the end of every month: every month breached, each label upright
    inside its own month."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    sc = scenario_of(Series(L("box")), {"box": det(700.0, 20.0)}, horizon=8760.0, sla=SLA_999)
    res = sim.run(sc, replications=2, seed=1, workers=1, progress=False)
    ax = plot_outage_timeline(res, ax=_ax())
    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    boxes = [t.get_window_extent(canvas.get_renderer()) for t in ax.texts if "breached" in t.get_text()]
    assert len(boxes) >= 11
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    title = ax.get_title()
    assert all(len(line) <= 100 for line in title.splitlines())  # nothing cut off at 9 inches


def test_target_risk_marks_the_achievable_target_on_the_axis(result):
    from simulation.report.plots import plot_target_risk

    ax = plot_target_risk(result, ax=_ax())
    best = result.achievable_target
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert f"{100 * best:.10g} %" in ticks and len(ticks) >= 4


def test_sliding_window_words_read_as_plurals():
    """'months (sliding 30d)', not 'month (sliding 30d)s'."""
    from simulation.model.sla import Sliding
    from simulation.report.plots import _windows_word

    sla = SLA(target=0.999, window=Sliding(720.0))
    assert _windows_word(sla) == "months (sliding 30d)" and _windows_word(sla, 1) == "month (sliding 30d)"
    assert _windows_word(SLA_999, 3) == "months"
