"""Support-desk figures: per replication, SLA window and channel, and over a whole run.

Tickets belong to the window in which they arrive (only complete windows count, as for
the SLA; a scenario without an SLA is measured per calendar month). Per (replication,
window, channel): tickets, tickets answered within the channel's response objective,
mean and p95 (nearest rank) first-response time.

Across a run, per channel: tickets per window, the share answered within the objective
(all tickets pooled), the mean response and the p95 response (from a histogram of every
response, bins 1.2 % wide from 0.01 min: the figure is the upper edge of its bin).

The support SLO (`SupportDesk.target`, e.g. 95 %): a window breaches it when fewer than
that share of its tickets (over the channels with an objective) are answered within
their channel's objective; a window without such tickets does not breach.

Intervals: tickets of one replication are not independent (they share a queue), so a
95 % interval is the wider of the Wilson interval over tickets (or windows) and the
t-interval of the ratio estimator over replications, clipped to [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.model.operations import SupportDesk
from simulation.model.scenario import HOURS_PER_YEAR, Scenario
from simulation.model.timeline import TimelineBatch
from simulation.support.desk import Desk

#: Histogram of response times (minutes): bin 0 holds exact zeros (picked up at once),
#: bin 1 (0, 0.01 min), then 200 bins a decade up to 10^6 min, and a last bin for longer
#: (and never answered) ones. `hist_upper_edges` gives each bin's upper edge.
HIST_EDGES_MIN = np.logspace(-2, 6, 8 * 200 + 1)
HIST_BINS = HIST_EDGES_MIN.size + 2
P95 = 0.95


def hist_bins(response_min: np.ndarray) -> np.ndarray:
    """The histogram bin of each response time (minutes)."""
    return np.where(response_min > 0, 1 + np.searchsorted(HIST_EDGES_MIN, response_min, side="right"), 0)


def hist_upper_edges() -> np.ndarray:
    """Upper edge (minutes) of each histogram bin: 0, 0.01, ..., 10^6, inf."""
    return np.concatenate([[0.0], HIST_EDGES_MIN, [math.inf]])


@dataclass(frozen=True)
class SupportBatch:
    """Support figures of the replications of one batch.

    Attributes
    ----------
    tickets, within : ndarray of int64, shape (r, w, c)
        Tickets, and tickets answered within their objective (0 where the channel has
        none), per replication, window and channel.
    response_sum_min, p95_min : ndarray of float64, shape (r, w, c)
        Sum and p95 (nearest rank; NaN without tickets) of the response times, minutes.
    histogram : ndarray of int64, shape (c, bins)
        Response times of every ticket in a complete window, binned by `hist_bins`.
    """

    tickets: np.ndarray
    within: np.ndarray
    response_sum_min: np.ndarray
    p95_min: np.ndarray
    histogram: np.ndarray


class SupportMeter:
    """Simulates and measures the support desk of a scenario's replications."""

    def __init__(self, scenario: Scenario, seed: int, horizon_hours: float):
        from simulation.measure.windows import window_bounds

        desk = scenario.support
        if desk is None:
            raise ValueError("the scenario has no support desk")
        window = scenario.sla.window if scenario.sla is not None else "month"
        self.windows = window_bounds(window, scenario.calendar, horizon_hours)
        self.desk = desk
        self.sim = Desk(desk, scenario.calendar, horizon_hours, seed)
        self.objective_min = np.array(
            [math.inf if c.response_hours is None else 60.0 * c.response_hours for c in desk.channels]
        )
        self.has_objective = np.array([c.response_hours is not None for c in desk.channels])

    def measure(self, first_replication: int, timelines: TimelineBatch) -> SupportBatch:
        """Figures of replications ``first_replication, first_replication + 1, ...``
        (row i of `timelines`, or any sequence of Timelines)."""
        r, w, c = len(timelines), len(self.windows), len(self.desk.channels)
        tickets = np.zeros((r, w, c), dtype=np.int64)
        within = np.zeros((r, w, c), dtype=np.int64)
        resp_sum = np.zeros((r, w, c))
        p95 = np.full((r, w, c), np.nan)
        hist = np.zeros((c, HIST_BINS), dtype=np.int64)
        for i, timeline in enumerate(timelines):
            t = self.sim.tickets(first_replication + i, timeline)
            win = np.searchsorted(self.windows.start, t.arrival, side="right") - 1
            keep = win >= 0
            keep[keep] &= t.arrival[keep] < self.windows.end[win[keep]]
            win, ch, resp = win[keep], t.channel[keep], 60.0 * t.response[keep]
            group = win * c + ch
            n = np.bincount(group, minlength=w * c)
            tickets[i] = n.reshape(w, c)
            met = (resp <= self.objective_min[ch]) & self.has_objective[ch]
            within[i] = np.bincount(group, weights=met, minlength=w * c).reshape(w, c)
            resp_sum[i] = np.bincount(group, weights=resp, minlength=w * c).reshape(w, c)
            p95[i] = _nearest_rank(group, resp, n, P95).reshape(w, c)
            np.add.at(hist, (ch, hist_bins(resp)), 1)
        return SupportBatch(tickets, within, resp_sum, p95, hist)


def _nearest_rank(group: np.ndarray, values: np.ndarray, counts: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile (nearest rank: the ceil(q·n)-th smallest) of `values` per group."""
    out = np.full(counts.size, np.nan)
    if not values.size:
        return out
    order = np.lexsort((values, group))
    offsets = np.cumsum(counts) - counts
    has = counts > 0
    rank = np.ceil(q * counts[has]).astype(np.int64) - 1
    out[has] = values[order][offsets[has] + np.maximum(rank, 0)]
    return out


# -- a whole run ------------------------------------------------------------------------

TABLE_COLUMNS = [
    "replication",
    "window",
    "channel",
    "tickets",
    "answered_within",
    "within_objective",
    "mean_response_min",
    "p95_response_min",
]


def support_table(desk: SupportDesk, labels: list[str], batches: list[SupportBatch]) -> pd.DataFrame:
    """One row per (replication, window, channel), replications in order.

    Columns: ``replication``, ``window`` (label), ``channel``, ``tickets``,
    ``answered_within`` (tickets answered within the objective), ``within_objective``
    (their share; NaN without tickets or without an objective), ``mean_response_min``,
    ``p95_response_min`` (NaN without tickets).
    """
    tickets = np.concatenate([b.tickets for b in batches])
    r, w, c = tickets.shape
    within = np.concatenate([b.within for b in batches]).astype(float)
    resp = np.concatenate([b.response_sum_min for b in batches])
    has_obj = np.array([ch.response_hours is not None for ch in desk.channels])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(has_obj[None, None, :], within / tickets, np.nan)
        mean = resp / tickets
    return pd.DataFrame(
        {
            "replication": np.repeat(np.arange(r), w * c),
            "window": np.tile(np.repeat(np.asarray(labels, dtype=object), c), r),
            "channel": np.tile(np.asarray([ch.name for ch in desk.channels], dtype=object), r * w),
            "tickets": tickets.ravel(),
            "answered_within": np.where(has_obj[None, None, :], within, np.nan).ravel(),
            "within_objective": share.ravel(),
            "mean_response_min": mean.ravel(),
            "p95_response_min": np.concatenate([b.p95_min for b in batches]).ravel(),
        }
    )


@dataclass(frozen=True)
class ChannelFigures:
    """Figures of one channel over a run (minutes; shares as fractions).

    `within_objective` and its interval are None for a channel without an objective;
    response figures are None when no ticket came by the channel. `analytic_*` hold the
    Erlang C values where `analytic_note` is None.
    """

    name: str
    objective_min: float | None
    tickets: int
    tickets_per_window: float
    within_objective: float | None
    within_objective_ci95: tuple[float, float] | None
    mean_response_min: float | None
    mean_response_ci95: tuple[float, float] | None
    p95_response_min: float | None
    analytic_within_objective: float | None
    analytic_mean_response_min: float | None


@dataclass(frozen=True)
class SupportFigures:
    """The support desk over a run.

    Attributes
    ----------
    target : float or None
        The support SLO (share within objective per window).
    windows : int
        Windows measured (replications x windows per replication).
    tickets_per_year : float or None
        Tickets arriving in complete windows, per year of them (None without windows).
    breach_probability : float or None
        P(a window breaches the support SLO); None without a target.
    breach_probability_ci95 : tuple or None
    channels : tuple of ChannelFigures
    analytic_note : str or None
        Why no Erlang C value is shown (None when it is).
    histogram : ndarray, shape (channels, bins)
        Response times of every ticket, binned by `hist_bins`.
    """

    target: float | None
    windows: int
    tickets_per_year: float | None
    breach_probability: float | None
    breach_probability_ci95: tuple[float, float] | None
    channels: tuple[ChannelFigures, ...]
    analytic_note: str | None
    histogram: np.ndarray


def support_figures(
    desk: SupportDesk, table: pd.DataFrame, histogram: np.ndarray, window_hours: float, replications: int
) -> SupportFigures:
    """Reduce the `support_table` of a run of `replications` to its headline figures.

    `window_hours` is the total length of the complete windows of one replication.
    """
    from simulation.measure.stats import wilson_interval

    c = len(desk.channels)
    reps = int(replications)
    n_windows = len(table) // (reps * c) if reps else 0
    shape = (reps, n_windows, c)
    tickets = table.tickets.to_numpy().reshape(shape)
    within = np.nan_to_num(table.answered_within.to_numpy()).reshape(shape)
    mean = table.mean_response_min.to_numpy().reshape(shape)
    resp_sum = np.where(tickets > 0, mean * np.maximum(tickets, 1), 0.0)  # inf stays inf
    mmc, note = erlang_c_model(desk)
    channels = []
    for i, ch in enumerate(desk.channels):
        n_r, in_r, s_r = tickets[:, :, i].sum(1), within[:, :, i].sum(1), resp_sum[:, :, i].sum(1)
        total = int(n_r.sum())
        has_obj = ch.response_hours is not None
        share = ci = mean = mean_ci = p95 = None
        if total:
            mean, mean_ci = _ratio(s_r, n_r)
            mean_ci = (max(0.0, mean_ci[0]), mean_ci[1])
            p95 = _hist_quantile(histogram[i], P95)
            if has_obj:
                share, ci = _ratio(in_r, n_r)
                lo, hi = wilson_interval(int(in_r.sum()), total)
                ci = (max(0.0, min(ci[0], lo)), min(1.0, max(ci[1], hi)))
        a_within = a_mean = None
        if mmc is not None:
            a_mean = 60.0 * mmc.mean_wait
            a_within = float(1.0 - mmc.wait_sf(ch.response_hours)) if has_obj else None
        channels.append(
            ChannelFigures(
                name=ch.name,
                objective_min=60.0 * ch.response_hours if has_obj else None,
                tickets=total,
                tickets_per_window=total / (reps * n_windows) if reps * n_windows else 0.0,
                within_objective=share,
                within_objective_ci95=ci,
                mean_response_min=mean,
                mean_response_ci95=mean_ci,
                p95_response_min=p95,
                analytic_within_objective=a_within,
                analytic_mean_response_min=a_mean,
            )
        )
    breach = breach_ci = None
    has_obj = np.array([ch.response_hours is not None for ch in desk.channels])
    if desk.target is not None and reps and n_windows and has_obj.any():
        n_w = tickets[:, :, has_obj].sum(2)
        in_w = within[:, :, has_obj].sum(2)
        breached = (n_w > 0) & (in_w < desk.target * n_w - 1e-9)
        breach, breach_ci = _ratio(breached.sum(1).astype(float), np.full(reps, float(n_windows)))
        lo, hi = wilson_interval(int(breached.sum()), breached.size)
        breach_ci = (max(0.0, min(breach_ci[0], lo)), min(1.0, max(breach_ci[1], hi)))
    years = reps * window_hours / HOURS_PER_YEAR
    return SupportFigures(
        target=desk.target,
        windows=reps * n_windows,
        tickets_per_year=float(tickets.sum() / years) if years else None,
        breach_probability=breach,
        breach_probability_ci95=breach_ci,
        channels=tuple(channels),
        analytic_note=note,
        histogram=histogram,
    )


def _ratio(num: np.ndarray, den: np.ndarray) -> tuple[float, tuple[float, float]]:
    """Σnum/Σden over replications and its 95 % t-interval (ratio estimator, by replication).

    The interval is (-inf, inf) with fewer than two replications: nothing is known of
    the spread.
    """
    from scipy.stats import t as student

    est = float(num.sum() / den.sum())
    r = num.size
    if r < 2:
        return est, (-math.inf, math.inf)
    resid = num - est * den
    se = math.sqrt(r / (r - 1) * float(np.sum(resid**2))) / float(den.sum())
    half = float(student.ppf(0.975, r - 1)) * se
    return est, (est - half, est + half)


def _hist_quantile(counts: np.ndarray, q: float) -> float:
    """Upper edge (minutes) of the histogram bin holding the q-quantile (inf if unanswered)."""
    cum = np.cumsum(counts)
    k = int(np.searchsorted(cum, q * cum[-1] - 1e-9))
    return float(hist_upper_edges()[k])


def erlang_c_model(desk: SupportDesk):
    """The M/M/c model of `desk` where it is exact in steady state, else (None, why not).

    It applies to a desk open 24x7 with only background (Poisson) tickets and the same
    exponential handling time on every channel, below full load.
    """
    from simulation.analytic.erlang import MMc

    rates = {round(1.0 / ch.handle.mean, 12) for ch in desk.channels}
    if not desk.hours.is_always:
        return None, "the desk is not open 24x7"
    if desk.per_outage > 0:
        return None, "outage tickets do not arrive as a Poisson process"
    if desk.rate_per_hour <= 0:
        return None, "no background tickets"
    if not all(ch.handle.is_exponential for ch in desk.channels) or len(rates) != 1:
        return None, "handling times are not exponential with one mean"
    mu = 1.0 / desk.channels[0].handle.mean
    if desk.rate_per_hour >= desk.agents * mu:
        return None, "tickets arrive faster than the agents can handle them (no steady state)"
    return MMc(desk.rate_per_hour, mu, desk.agents), None


def run_support(scenario: Scenario, batches: list, horizon_hours: float):
    """The support table, histogram and measured hours per replication of a run's batches
    (`BatchOutput` in replication order), or None when the scenario has no desk."""
    from simulation.measure.windows import window_bounds

    desk = scenario.support
    if desk is None:
        return None
    window = scenario.sla.window if scenario.sla is not None else "month"
    windows = window_bounds(window, scenario.calendar, horizon_hours)
    parts = [b.support for b in batches]
    table = support_table(desk, windows.labels, parts)
    histogram = np.sum([p.histogram for p in parts], axis=0)
    return table, histogram, float(windows.hours.sum())
