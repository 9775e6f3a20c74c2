"""The support desk: exact queue stories, outage tickets, Erlang C, and the run's outputs."""

import datetime as dt
import textwrap
from statistics import NormalDist

import jsonschema
import numpy as np
import pytest

import simulation as sim
from simulation.analytic.erlang import MMc, erlang_b, erlang_c
from simulation.model.calendar import Calendar, PublicHolidays, WeeklySchedule
from simulation.model.distributions import Deterministic, Exponential
from simulation.model.operations import Channel, SupportDesk
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, UNPLANNED, Timeline
from simulation.report.json_report import REPORT_SCHEMA
from simulation.scenario import loads
from simulation.support.desk import OUTAGE_SPREAD_HOURS, Desk
from simulation.support.figures import _hist_quantile, _nearest_rank, hist_bins, hist_upper_edges

UTC = Calendar(dt.date(2027, 1, 4), "UTC")  # a Monday
AMS = Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam")
OFFICE = WeeklySchedule("office", (((8 * 60, 18 * 60),),) * 5 + ((),) * 2)
PHONE = Channel("phone", 1.0, Deterministic(0.5), 0.25)


def at(cal: Calendar, *args) -> float:
    return cal.hours(dt.datetime(*args))


# -- the queue, by hand ---------------------------------------------------------------


def test_office_hours_queue_story():
    """One agent, Mon-Fri 08-18, 30 min per ticket.

    Fri 17:50 is picked up at once and handled until 18:20 (a ticket picked up is
    finished); Fri 17:55 waits for Monday 08:00; Sat 10:00 waits for the agent, free at
    Monday 08:30; Mon 08:10 waits until 09:00.
    """
    desk = Desk(SupportDesk(1, (PHONE,), hours=OFFICE), UTC, 24 * 28, seed=1)
    arrival = np.array(
        [
            at(UTC, 2027, 1, 8, 17, 50),
            at(UTC, 2027, 1, 8, 17, 55),
            at(UTC, 2027, 1, 9, 10),
            at(UTC, 2027, 1, 11, 8, 10),
        ]
    )
    response = desk.first_responses(arrival, np.full(4, 0.5))
    assert response.tolist() == pytest.approx([0.0, 62 + 5 / 60, 46.5, 50 / 60])


def test_two_agents_take_the_queue_in_order():
    """24x7, two agents, 1 h each: four tickets at t = 0 are picked up at 0, 0, 1, 1."""
    desk = Desk(SupportDesk(2, (PHONE,)), UTC, 100.0, seed=1)
    response = desk.first_responses(np.zeros(4), np.ones(4))
    assert response.tolist() == [0.0, 0.0, 1.0, 1.0]


def test_kings_day_desk_is_closed():
    """Dutch public holidays off: a ticket on Tuesday 27 April 2027 09:00 waits until
    Wednesday 08:00, 23 hours; the same ticket a day later is answered at once."""
    hours = WeeklySchedule("office", OFFICE.periods, public_holidays=PublicHolidays("NL"))
    desk = Desk(SupportDesk(1, (PHONE,), hours=hours), AMS, 8760.0, seed=1)
    kings_day = at(AMS, 2027, 4, 27, 9)
    assert desk.first_responses(np.array([kings_day]), np.array([0.5])).tolist() == [pytest.approx(23.0)]
    assert desk.first_responses(np.array([kings_day + 24]), np.array([0.5])).tolist() == [0.0]


# -- tickets ------------------------------------------------------------------------------


def outage_desk(per_outage=10.0, rate=0.0):
    return Desk(SupportDesk(3, (PHONE,), rate_per_hour=rate, per_outage=per_outage), UTC, 1000.0, seed=5)


def test_outage_tickets_arrive_in_the_first_half_hour():
    """Touching segments are one outage; one made only of announced maintenance raises none."""
    tl = Timeline.from_lists(
        [100.0, 101.0, 300.0, 500.0],
        [101.0, 102.0, 300.1, 504.0],
        [UNPLANNED, UNPLANNED, UNPLANNED, ANNOUNCED_MAINTENANCE],
        [0, 0, 0, 0],
        1000.0,
    )
    desk = outage_desk()
    counts = []
    for r in range(400):
        t = desk.tickets(r, tl)
        assert t.from_outage.all()
        first = (t.arrival >= 100.0) & (t.arrival < 100.0 + OUTAGE_SPREAD_HOURS)
        short = (t.arrival >= 300.0) & (t.arrival < 300.1)  # shorter than the spread
        assert (first | short).all()
        counts += [first.sum(), short.sum()]
    # Poisson with mean 10 per outage: 800 counts, standard error sqrt(10 / 800)
    assert abs(np.mean(counts) - 10.0) < 3 * np.sqrt(10.0 / 800)


def test_outages_do_not_move_background_tickets():
    """The desk's draws are addressed per ticket: adding outages keeps every background ticket."""
    quiet = outage_desk(rate=0.5).tickets(3, Timeline.empty(1000.0))
    busy = outage_desk(rate=0.5).tickets(3, Timeline.from_lists([10.0], [12.0], [0], [0], 1000.0))
    assert busy.from_outage.sum() > 0
    assert np.array_equal(busy.arrival[~busy.from_outage], quiet.arrival)
    assert np.array_equal(busy.channel[~busy.from_outage], quiet.channel)


def test_channel_shares():
    chans = (Channel("phone", 0.6, Exponential(6.0), 0.25), Channel("email", 0.4, Exponential(3.0)))
    desk = Desk(SupportDesk(5, chans, rate_per_hour=10.0), UTC, 2000.0, seed=2)
    t = desk.tickets(0, Timeline.empty(2000.0))
    share = (t.channel == 0).mean()
    assert abs(share - 0.6) < 3 * np.sqrt(0.24 / len(t))
    assert abs(len(t) - 20000) < 3 * np.sqrt(20000)


# -- Erlang C -----------------------------------------------------------------------------


def test_erlang_formulas():
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_c(1, 0.8) == pytest.approx(0.8)  # M/M/1: P(wait) = rho
    q = MMc(1.0, 1.25, 1)  # M/M/1, rho 0.8: E[W] = rho / (mu - lambda) = 3.2 h
    assert q.mean_wait == pytest.approx(3.2)
    assert q.wait_sf(1.0) == pytest.approx(0.8 * np.exp(-0.25))
    assert q.wait_quantile(0.95) == pytest.approx(np.log(0.8 / 0.05) / 0.25)
    with pytest.raises(ValueError, match="below the 2 servers"):
        erlang_c(2, 2.0)


DESK_24X7 = """\
format: slasim/1
name: desk
run: {horizon: 1y, replications: 20, seed: 11}
components:
  box: {failure: {mtbf: 1000000y}, repair: {mttr: 1h}}
service: box
sla: {target: 99.9%}
support:
  agents: {count: 2}
  tickets: {rate: 3/h}
  target: 60%
  channels:
    phone: {share: 70%, handle: {mean: 30min}, response: 15min}
    email: {share: 30%, handle: {mean: 30min}, response: 1h}
"""


@pytest.fixture(scope="module")
def desk_run():
    return sim.run(loads(DESK_24X7), workers=1, progress=False)


def test_desk_against_erlang_c(desk_run):
    """2 agents, Poisson 3 tickets/h, exponential handling of 30 min, 24x7: M/M/2 with
    a = 1.5. The intervals (20 replications of a year, seed 11) cover the exact mean wait,
    0.642857 h, and P(wait <= t) at both objectives: four checks, so each interval is the
    report's 95 % one widened to 98.75 % (Bonferroni, 95 % jointly)."""
    q = MMc(3.0, 2.0, 2)
    widen = NormalDist().inv_cdf(1 - 0.025 / 4) / NormalDist().inv_cdf(0.975)
    f = desk_run.support_figures
    assert f.analytic_note is None
    for ch, t in zip(f.channels, (0.25, 1.0)):
        exact_within = 1.0 - q.wait_sf(t)
        assert ch.analytic_within_objective == pytest.approx(exact_within)
        assert ch.analytic_mean_response_min == pytest.approx(60 * 9 / 14)
        for (lo, hi), value, exact in (
            (ch.within_objective_ci95, ch.within_objective, exact_within),
            (ch.mean_response_ci95, ch.mean_response_min, 60 * q.mean_wait),
        ):
            half = widen * max(hi - value, value - lo)
            assert abs(value - exact) <= half, (ch.name, value, exact, half)
        # p95 of the pooled histogram (upper bin edge, 1.2 % wide); its standard error over
        # 20 replications is about 1.6 % (seen across replications): 1.2 % + 3 se
        assert ch.p95_response_min == pytest.approx(60 * q.wait_quantile(0.95), rel=0.06)


def test_desk_outputs(desk_run, tmp_path):
    table = desk_run.support
    assert list(table.columns) == [
        "replication",
        "window",
        "channel",
        "tickets",
        "answered_within",
        "within_objective",
        "mean_response_min",
        "p95_response_min",
    ]
    assert len(table) == 20 * 12 * 2
    assert table.tickets.sum() == pytest.approx(20 * 8760 * 3, rel=0.01)
    report = desk_run.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    sup = report["support"]
    assert sup["target"] == 0.6 and sup["windows"] == 240
    assert set(sup["channels"]) == {"phone", "email"}
    phone = sup["channels"]["phone"]
    assert phone["objective_min"] == 15.0 and phone["analytic"]["mean_response_min"] == pytest.approx(
        38.5714, abs=1e-4
    )
    assert 0 <= sup["breach_probability"] <= 1
    text = desk_run.summary()
    assert "support desk      2 agents, hours 24x7" in text and "Erlang C" in text
    assert "240 months measured" in text
    paths = desk_run.save_plots(tmp_path)
    assert tmp_path / "support.png" in paths
    # one queue: the two channels' curves coincide, so they are drawn apart and said so
    from matplotlib.figure import Figure

    ax = desk_run.plot_support(ax=Figure().subplots())
    styles = {ln.get_linestyle() for ln in ax.get_lines() if ln.get_label().startswith(("phone", "email"))}
    assert len(styles) == 2
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "one queue for all channels: the curves coincide" in legend


def test_support_slo_breach_by_window(desk_run):
    """A window breaches the support SLO when under 60 % of its tickets (both channels)
    are answered within their objectives: the figure is read off the table."""
    t = desk_run.support
    per_window = t.groupby(["replication", "window"])[["answered_within", "tickets"]].sum()
    breached = per_window.answered_within < 0.6 * per_window.tickets
    assert desk_run.support_figures.breach_probability == pytest.approx(breached.mean())


def test_desk_is_the_same_with_more_workers(desk_run):
    """Draws are addressed by replication: two workers give the same table."""
    other = sim.run(loads(DESK_24X7), replications=20, workers=2, progress=False)
    assert other.support.equals(desk_run.support)


def test_desk_does_not_change_availability():
    plain = loads(DESK_24X7.split("support:")[0])
    with_desk = loads(DESK_24X7)
    a = sim.run(plain, replications=5, workers=1, progress=False)
    b = sim.run(with_desk, replications=5, workers=1, progress=False)
    assert a.support is None and a.to_dict()["support"] is None
    assert a.per_replication.equals(b.per_replication)


def test_analytic_only_where_exact():
    base = textwrap.dedent(DESK_24X7)
    office = loads(
        base.replace("service: box", 'service: box\nhours: {office: {mon-fri: "08:00-18:00"}}').replace(
            "agents: {count: 2}", "agents: {count: 2, hours: office}"
        )
    )
    from simulation.support.figures import erlang_c_model

    assert erlang_c_model(office.support) == (None, "the desk is not open 24x7")
    outages = loads(base.replace("rate: 3/h", "rate: 3/h, per_outage: 5"))
    assert erlang_c_model(outages.support)[1] == "outage tickets do not arrive as a Poisson process"
    mixed = loads(
        base.replace("email: {share: 30%, handle: {mean: 30min}", "email: {share: 30%, handle: {mean: 40min}")
    )
    assert erlang_c_model(mixed.support)[1] == "handling times are not exponential with one mean"
    full = loads(base.replace("rate: 3/h", "rate: 4/h"))
    assert "no steady state" in erlang_c_model(full.support)[1]


# -- figures helpers ------------------------------------------------------------------------


def test_nearest_rank_p95():
    group = np.array([0, 0, 0, 1, 1] + [2] * 20)
    values = np.array([3.0, 1.0, 2.0, 5.0, 4.0] + list(range(20, 0, -1)), dtype=float)
    out = _nearest_rank(group, values, np.bincount(group, minlength=4), 0.95)
    # ceil(0.95 n)-th smallest: n = 3 -> 3rd, n = 2 -> 2nd, n = 20 -> 19th; no tickets -> NaN
    assert out[:3].tolist() == [3.0, 5.0, 19.0] and np.isnan(out[3])


def test_histogram_bins_and_quantile():
    edges = hist_upper_edges()
    values = np.array([0.0, 0.0, 0.005, 15.0, np.inf])
    bins = hist_bins(values)
    assert bins[0] == bins[1] == 0 and edges[bins[2]] == 0.01
    assert edges[bins[3] - 1] <= 15.0 < edges[bins[3]] <= 15.0 * 1.012
    assert edges[bins[4]] == np.inf
    counts = np.bincount(bins, minlength=edges.size)
    assert _hist_quantile(counts, 0.4) == 0.0 and _hist_quantile(counts, 0.95) == np.inf


def simpy_first_responses(arrival, handle, agents, open_spans):
    """The desk written the textbook way, as an independent check of `Desk.first_responses`:
    agents are a SimPy resource granted first come, first served; an agent who gets a ticket
    while the desk is closed starts on it when the desk opens."""
    import simpy

    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=agents)
    out = np.empty(len(arrival))

    def next_open(t):
        for a, b in open_spans:
            if t < b:
                return max(t, a)
        raise AssertionError("ran out of open hours")

    def ticket(i):
        yield env.timeout(arrival[i] - env.now)
        with desk.request() as req:
            yield req
            yield env.timeout(next_open(env.now) - env.now)
            out[i] = env.now - arrival[i]
            yield env.timeout(handle[i])

    for i in range(len(arrival)):
        env.process(ticket(i))
    env.run()
    return out


@pytest.mark.parametrize("agents", [1, 3])
def test_queue_matches_a_simpy_model(agents):
    """Random tickets through an office-hours desk: the same response times as SimPy's."""
    rng = np.random.default_rng(4)
    arrival = np.sort(rng.uniform(0, 24 * 21, 400))
    handle = rng.exponential(0.6 * agents, 400)
    desk = Desk(SupportDesk(agents, (PHONE,), hours=OFFICE), UTC, 24 * 21, seed=1)
    spans = OFFICE.intervals(UTC, 0.0, 24 * 60)
    expected = simpy_first_responses(arrival, handle, agents, spans)
    assert np.allclose(desk.first_responses(arrival, handle), expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("mean", [0.3, 4.0, 15.0, 900.0])
def test_poisson_ppf_is_scipys(mean):
    from scipy.stats import poisson

    from simulation.support.desk import poisson_ppf

    u = np.random.default_rng(1).uniform(size=2000)
    assert np.array_equal(poisson_ppf(u, mean), poisson.ppf(u, mean).astype(int))


@pytest.mark.parametrize("hours", [WeeklySchedule.always(), OFFICE])
def test_never_answered_tickets(hours):
    """A ticket not picked up within a year after the horizon counts as never answered."""
    desk = Desk(SupportDesk(1, (PHONE,), hours=hours), UTC, 100.0, seed=1)
    response = desk.first_responses(np.zeros(12), np.full(12, 1000.0))
    assert np.isfinite(response[:8]).all() and np.isinf(response[-2:]).all()


def test_desk_hours_follow_the_wall_clock_across_dst():
    """Open daily 08:00-18:00 in Amsterdam. On Sunday 28 March 2027 clocks go from 02:00 to
    03:00: a ticket at Saturday 20:00 waits 11 elapsed hours, until Sunday 08:00 local."""
    daily = WeeklySchedule("daily", (((8 * 60, 18 * 60),),) * 7)
    desk = Desk(SupportDesk(1, (PHONE,), hours=daily), AMS, 8760.0, seed=1)
    saturday = at(AMS, 2027, 3, 27, 20)
    assert at(AMS, 2027, 3, 28, 8) - saturday == 11.0
    assert desk.first_responses(np.array([saturday]), np.array([0.5])).tolist() == [11.0]


def test_no_complete_window():
    """Tickets count per complete window: a two-week run has none to report."""
    with pytest.warns(UserWarning, match="no complete SLA window"):
        r = sim.run(loads(DESK_24X7), replications=2, horizon="2w", workers=1, progress=False)
    assert r.support.empty and r.support_figures.windows == 0
    assert (
        r.summary().splitlines()[-1] == "  support desk      2 agents: no complete month within the horizon"
    )
    report = r.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["support"]["tickets_per_year"] is None
    assert report["support"]["channels"]["phone"]["within_objective"] is None


def test_channel_without_objective():
    """Chat has no response objective: no share within it, and it does not count for the SLO."""
    text = DESK_24X7.replace(
        "email: {share: 30%, handle: {mean: 30min}, response: 1h}",
        "chat: {share: 30%, handle: {mean: 30min}}",
    )
    r = sim.run(loads(text), replications=2, workers=1, progress=False)
    chat = r.support[r.support.channel == "chat"]
    assert chat.tickets.sum() > 0 and chat.within_objective.isna().all() and chat.answered_within.isna().all()
    report = r.to_dict()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["support"]["channels"]["chat"]["within_objective"] is None
    assert report["support"]["channels"]["chat"]["objective_min"] is None
    line = next(x for x in r.summary().splitlines() if x.startswith("  chat"))
    assert "within" not in line and "response mean" in line
    phone = r.support[r.support.channel == "phone"].set_index(["replication", "window"])
    breached = phone.answered_within < 0.6 * phone.tickets
    assert r.support_figures.breach_probability == pytest.approx(breached.mean())


def test_support_window_under_a_sliding_sla_is_the_calendar_month():
    """Tickets of a sliding-window SLA are grouped by the calendar month they arrive in,
    and the label says so rather than repeat the SLA's sliding window."""
    from simulation.model.sla import SLA, Rolling, Sliding
    from simulation.report.summary import support_window_label

    assert support_window_label(SLA(target=0.999, window=Sliding(720.0))) == "calendar month"
    assert support_window_label(SLA(target=0.999, window=Rolling(720.0))) == "rolling 30d"
    assert support_window_label(SLA(target=0.999)) == "month"
    assert support_window_label(None) == "month"
