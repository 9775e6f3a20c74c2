"""Window boundaries: the calendar months, quarters, years or rolling blocks of an SLA.

A contract measures availability per window. Calendar windows begin at local
midnight of the 1st of a month in the calendar's time zone, converted to model time
at that instant's UTC offset, so a March in Amsterdam is 743 elapsed hours and an
October 745. A rolling window (`Rolling`) is a block of elapsed hours counted from
model time 0: consecutive blocks, each judged once.

A sliding window (`Sliding`, L elapsed hours) is judged at every instant t over the
trailing window ``[t - L, t)`` and reported per calendar month; its `Windows` are the
reported months. A month is reported only when every instant of it has a complete
trailing window inside the simulated time: it begins at least L hours after model
time 0 (so a 30-day sliding window from 1 January reports February onwards).

Only complete windows inside ``[0, horizon]`` are measured: a first month that
begins before `Calendar.start` (a start that is not the 1st) and a last window that
the horizon cuts are both left out; `Windows.partial_tail` tells the caller to warn
about the second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from simulation.model.calendar import Calendar
from simulation.model.sla import Rolling, Sliding, Window

#: Two model times closer than this (hours, 3.6 microseconds) are the same instant.
EPS_HOURS = 1e-9

_MONTHS_PER_WINDOW = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Windows:
    """Complete SLA windows, in order.

    Attributes
    ----------
    start, end : ndarray of float64
        Model hours; ``end[i] == start[i + 1]`` (windows are contiguous).
    labels : list of str
        ``"2027-01"`` (month, and the reported months of a sliding window),
        ``"2027-Q1"`` (quarter), ``"2027"`` (year) or ``"W1"``, ``"W2"``, ... (rolling).
    partial_tail : bool
        True when the horizon does not end on a window boundary, so time after the
        last complete window is not measured.
    """

    start: np.ndarray
    end: np.ndarray
    labels: list[str]
    partial_tail: bool

    def __len__(self) -> int:
        return int(self.start.size)

    @property
    def hours(self) -> np.ndarray:
        """Elapsed length of each window (hours)."""
        return self.end - self.start


def window_bounds(window: Window, calendar: Calendar, horizon_hours: float) -> Windows:
    """The complete windows of a contract within ``[0, horizon_hours]``.

    Parameters
    ----------
    window : "month", "quarter", "year", Rolling or Sliding
    calendar : Calendar
        Gives model time 0 (local midnight of `calendar.start`) and the time zone of
        calendar windows.
    horizon_hours : float
        End of the simulated time.

    Returns
    -------
    Windows

    Raises
    ------
    ValueError
        For an unknown window name, a rolling or sliding window that is not
        positive, or a negative horizon.

    Examples
    --------
    >>> import datetime as dt
    >>> cal = Calendar(dt.date(2027, 3, 1), "Europe/Amsterdam")
    >>> w = window_bounds("month", cal, 743.0 + 720.0)
    >>> w.labels, w.hours.tolist(), w.partial_tail
    (['2027-03', '2027-04'], [743.0, 720.0], False)
    """
    horizon_hours = float(horizon_hours)
    if not horizon_hours >= 0:
        raise ValueError(f"horizon_hours ({horizon_hours}) must be >= 0")
    if isinstance(window, Rolling):
        return _rolling(float(window.hours), horizon_hours)
    if isinstance(window, Sliding):
        return _sliding_months(float(window.hours), calendar, horizon_hours)
    if window not in _MONTHS_PER_WINDOW:
        raise ValueError(
            f'window {window!r} must be "month", "quarter", "year", Rolling(hours) or Sliding(hours)'
        )
    return _calendar_windows(window, calendar, horizon_hours)


def years_horizon(window: Window | None, calendar: Calendar, years: int) -> float:
    """The horizon (model hours) that holds `years` whole contract years.

    A horizon written in years means calendar years, not 8760-hour blocks: it ends
    `years` calendar years after the start of the first complete SLA window (for
    ``{sliding: L}``, the first month with a full trailing window; for rolling blocks
    or without an SLA, model time 0), so that leap years and a start in mid-month still
    give whole contract years.

    Examples
    --------
    >>> cal = Calendar(dt.date(2027, 1, 1), "UTC")
    >>> years_horizon("month", cal, 2), years_horizon(None, cal, 1)
    (17544.0, 8760.0)
    >>> years_horizon(Sliding(720.0), cal, 1) - years_horizon("month", cal, 1)  # from 1 February
    744.0
    """
    years = int(years)
    if years < 1:
        raise ValueError(f"years ({years}) must be >= 1")
    first = 0.0
    if window is not None and not isinstance(window, Rolling):
        reach = (years + 2) * 8784.0 + (window.hours if isinstance(window, Sliding) else 0.0)
        starts = window_bounds(window, calendar, reach).start
        first = float(starts[0]) if len(starts) else 0.0
    local = calendar.local(first)
    try:
        end = local.replace(year=local.year + years)
    except ValueError:  # 29 February in a year without one
        end = local.replace(year=local.year + years, day=28)
    return float(calendar.hours(end))


def _sliding_months(length_hours: float, calendar: Calendar, horizon_hours: float) -> Windows:
    """The months reported for a sliding window: those beginning at least its length after 0."""
    if not length_hours > 0:
        raise ValueError(f"sliding window length ({length_hours} h) must be > 0")
    months = _calendar_windows("month", calendar, horizon_hours)
    keep = months.start >= length_hours - EPS_HOURS
    return Windows(
        start=months.start[keep],
        end=months.end[keep],
        labels=[label for label, k in zip(months.labels, keep.tolist(), strict=True) if k],
        partial_tail=months.partial_tail,
    )


def _rolling(length_hours: float, horizon_hours: float) -> Windows:
    if not length_hours > 0:
        raise ValueError(f"rolling window length ({length_hours} h) must be > 0")
    n = int(np.floor((horizon_hours + EPS_HOURS) / length_hours))
    start = np.arange(n, dtype=np.float64) * length_hours
    return Windows(
        start=start,
        end=start + length_hours,
        labels=[f"W{i + 1}" for i in range(n)],
        partial_tail=bool(abs(horizon_hours - n * length_hours) > EPS_HOURS),
    )


def _calendar_windows(window: str, calendar: Calendar, horizon_hours: float) -> Windows:
    step = _MONTHS_PER_WINDOW[window]
    # The first window boundary on or after the start: months of a quarter or year
    # are counted from January.
    year, month0 = calendar.start.year, calendar.start.month - 1  # month0: 0-based
    if calendar.start.day != 1 or month0 % step:
        month0 = (month0 // step + 1) * step
    bounds: list[float] = []
    labels: list[str] = []
    while True:
        first = dt.datetime(year + month0 // 12, month0 % 12 + 1, 1)
        h = calendar.hours(first)
        if h > horizon_hours + EPS_HOURS:
            break
        bounds.append(h)
        labels.append(_label(window, first))
        month0 += step
    if not bounds:
        return Windows(np.empty(0), np.empty(0), [], partial_tail=True)
    b = np.asarray(bounds, dtype=np.float64)
    return Windows(
        start=b[:-1],
        end=b[1:],
        labels=labels[:-1],
        partial_tail=bool(abs(horizon_hours - b[-1]) > EPS_HOURS),
    )


def _label(window: str, first: dt.datetime) -> str:
    if window == "month":
        return f"{first.year}-{first.month:02d}"
    if window == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return f"{first.year}"
