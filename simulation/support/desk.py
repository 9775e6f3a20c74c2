"""The support desk of one replication: tickets, agents on shifts, first-response times.

The desk does not change availability, so it is simulated after the engine, from the
replication's outage `Timeline`; both engines therefore have it, and it cannot slow the
structure.

Tickets
    - background tickets: a Poisson process of `SupportDesk.rate_per_hour` over
      ``[0, horizon)``;
    - outage tickets: every outage of the service (touching segments are one outage;
      an outage made only of announced maintenance raises none) raises a Poisson number
      of tickets with mean `SupportDesk.per_outage`, arriving uniformly over its first
      `OUTAGE_SPREAD_HOURS` (30 minutes), or over the whole outage if it is shorter;
    - each ticket comes by a channel drawn with the channels' shares and needs a
      handling time drawn from its channel's distribution.

Agents
    `SupportDesk.agents` agents pick up tickets first come, first served (all channels
    in one queue), only while the desk is open (`SupportDesk.hours`, local time,
    holidays off). A ticket picked up is handled to the end even when the desk closes
    meanwhile. A ticket's response time is its wait from arrival until an agent picks
    it up (first response), in elapsed wall-clock hours whether or not the desk is open.
    The desk keeps answering after the horizon (no new tickets then) for up to a year;
    a ticket still waiting then counts as never answered (infinite response).

This is the c-server first-come-first-served queue, computed ticket by ticket: ticket i
is picked up at ``next_open(max(arrival_i, earliest time an agent is free))``. Every
draw has an address in the run's random streams (`simulation.engine.streams`) under
the desk's own key and purposes, so the desk never changes a part's draws, and adding
an outage does not move the draws of the background tickets.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from simulation.engine.streams import base_key, single_stream_keys, uniforms
from simulation.model.calendar import Calendar
from simulation.model.operations import SupportDesk
from simulation.model.timeline import ANNOUNCED_MAINTENANCE, Timeline

#: Outage tickets arrive over the first half hour of an outage (or all of a shorter one).
OUTAGE_SPREAD_HOURS = 0.5

#: The desk answers queued tickets for up to this long after the horizon.
DRAIN_HOURS = 8760.0

#: The desk's stream key and purposes (far from the parts' purposes, 1, 2, ...).
STREAM_KEY = "support desk"
TICKET_GAP, TICKET_CHANNEL, TICKET_HANDLE = 0x5D01, 0x5D02, 0x5D03
OUTAGE_COUNT, OUTAGE_TIME, OUTAGE_CHANNEL, OUTAGE_HANDLE = 0x5D11, 0x5D12, 0x5D13, 0x5D14

#: Outage tickets are addressed by (outage j, ticket k) as draw ``j << 32 | k``.
_OUTAGE_SHIFT = 32


def poisson_ppf(u: np.ndarray, mean: float) -> np.ndarray:
    """The Poisson(`mean`) count of each uniform `u` by inverse transform: the least k
    with P(N <= k) >= u (counts beyond mean + 12 sd + 30, with probability below 1e-30,
    are read as that bound)."""
    top = int(mean + 12.0 * math.sqrt(mean) + 30)
    k = np.arange(top + 1)
    log_pmf = k * math.log(mean) - mean - np.concatenate([[0.0], np.cumsum(np.log(k[1:]))])
    cdf = np.cumsum(np.exp(log_pmf))
    return np.minimum(np.searchsorted(cdf, u, side="left"), top)


@dataclass(frozen=True)
class Tickets:
    """The tickets of one replication, in order of arrival.

    Attributes
    ----------
    arrival : ndarray of float64
        Model hours.
    channel : ndarray of int
        Index into `SupportDesk.channels`.
    response : ndarray of float64
        First-response time, hours (inf: never answered).
    from_outage : ndarray of bool
        Raised by an outage (else a background ticket).
    """

    arrival: np.ndarray
    channel: np.ndarray
    response: np.ndarray
    from_outage: np.ndarray

    def __len__(self) -> int:
        return int(self.arrival.size)


class Desk:
    """A support desk ready to simulate replications of one run.

    Parameters
    ----------
    desk : SupportDesk
    calendar : Calendar
    horizon_hours : float
        Tickets arrive in ``[0, horizon_hours)``.
    seed : int
        The run's seed.
    """

    def __init__(self, desk: SupportDesk, calendar: Calendar, horizon_hours: float, seed: int):
        self.desk = desk
        self.horizon_hours = float(horizon_hours)
        self.base = base_key(seed, STREAM_KEY)
        shares = np.cumsum([c.share for c in desk.channels])
        self._cum_shares = shares / shares[-1]
        self._open: tuple[list[float], list[float]] | None = None
        if not desk.hours.is_always:
            spans = desk.hours.intervals(calendar, 0.0, self.horizon_hours + DRAIN_HOURS)
            self._open = ([a for a, _ in spans], [b for _, b in spans])

    def tickets(self, replication: int, timeline: Timeline) -> Tickets:
        """Simulate the desk in `replication`, whose service outages are `timeline`."""
        reps = np.array([replication])
        key = lambda purpose: single_stream_keys(self.base, reps, purpose)[0]  # noqa: E731
        bg_at = self._background(key(TICKET_GAP))
        bg_index = np.arange(bg_at.size, dtype=np.uint64)
        out_at, out_index = self._outage_tickets(timeline, key(OUTAGE_COUNT), key(OUTAGE_TIME))
        arrival = np.concatenate([bg_at, out_at])
        channel = np.concatenate(
            [self._channel(key(TICKET_CHANNEL), bg_index), self._channel(key(OUTAGE_CHANNEL), out_index)]
        )
        u_handle = np.concatenate(
            [uniforms(key(TICKET_HANDLE), bg_index), uniforms(key(OUTAGE_HANDLE), out_index)]
        )
        handle = np.empty_like(u_handle)
        for i, ch in enumerate(self.desk.channels):
            mine = channel == i
            handle[mine] = ch.handle.ppf(u_handle[mine])
        from_outage = np.concatenate([np.zeros(bg_at.size, bool), np.ones(out_at.size, bool)])
        order = np.argsort(arrival, kind="stable")
        arrival, channel, handle, from_outage = (
            arrival[order],
            channel[order],
            handle[order],
            from_outage[order],
        )
        return Tickets(arrival, channel, self.first_responses(arrival, handle), from_outage)

    # -- arrivals ---------------------------------------------------------------------
    def _background(self, key) -> np.ndarray:
        rate, horizon = self.desk.rate_per_hour, self.horizon_hours
        if rate <= 0:
            return np.empty(0)
        expected = rate * horizon
        chunk = int(expected + 6.0 * math.sqrt(expected) + 16)
        times, last, first = [], 0.0, 0
        while last < horizon:
            u = uniforms(key, np.arange(first, first + chunk, dtype=np.uint64))
            t = last + np.cumsum(-np.log1p(-u) / rate)  # exponential gaps by inverse transform
            times.append(t)
            last, first = float(t[-1]), first + chunk
        t = np.concatenate(times)
        return t[t < horizon]

    def _outage_tickets(self, timeline: Timeline, count_key, time_key) -> tuple[np.ndarray, np.ndarray]:
        mean = self.desk.per_outage
        if mean <= 0 or not len(timeline):
            return np.empty(0), np.empty(0, dtype=np.uint64)
        start, end, kind = timeline.start, timeline.end, timeline.kind
        first = np.flatnonzero(np.r_[True, start[1:] > end[:-1]])  # first segment of each outage
        stop = np.r_[first[1:], start.size]
        o_start = start[first]
        o_end = end[stop - 1]
        announced_only = np.logical_and.reduceat(kind == ANNOUNCED_MAINTENANCE, first)
        u = uniforms(count_key, np.arange(first.size, dtype=np.uint64))
        counts = poisson_ppf(u, mean)
        counts[announced_only] = 0
        outage = np.repeat(np.arange(first.size), counts)
        k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        index = (outage.astype(np.uint64) << np.uint64(_OUTAGE_SHIFT)) | k.astype(np.uint64)
        spread = np.minimum(o_end - o_start, OUTAGE_SPREAD_HOURS)[outage]
        at = o_start[outage] + uniforms(time_key, index) * spread
        return at, index

    def _channel(self, key, index: np.ndarray) -> np.ndarray:
        u = uniforms(key, index)
        return np.minimum(np.searchsorted(self._cum_shares, u, side="right"), len(self._cum_shares) - 1)

    # -- the queue --------------------------------------------------------------------
    def first_responses(self, arrival: np.ndarray, handle: np.ndarray) -> np.ndarray:
        """First-response times (hours) of tickets arriving at `arrival` (sorted, hours)
        with handling times `handle` (hours): first come, first served, by the first free
        agent, picked up in open hours only, handled to the end once picked up."""
        free = [0.0] * self.desk.agents  # a heap of the times agents become free
        response = np.empty(arrival.size)
        if self._open is None:
            for i, (a, h) in enumerate(zip(arrival.tolist(), handle.tolist())):
                t = free[0] if free[0] > a else a
                response[i] = t - a
                heapq.heapreplace(free, t + h)
            response[arrival + response > self.horizon_hours + DRAIN_HOURS] = math.inf
            return response
        starts, ends = self._open
        for i, (a, h) in enumerate(zip(arrival.tolist(), handle.tolist())):
            t = free[0] if free[0] > a else a
            j = bisect_right(ends, t)  # first open span ending after t
            if j == len(ends):
                response[i:] = math.inf  # not answered within the drain time, nor any later ticket
                break
            if starts[j] > t:
                t = starts[j]
            response[i] = t - a
            heapq.heapreplace(free, t + h)
        return response
