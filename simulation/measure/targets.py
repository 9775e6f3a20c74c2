"""The target table: what any availability target would risk and cost, per window and per year.

A contract writer picks a target by the risk it carries: the chance that a window is
breached and -- as providers budget it -- the chance that a contract year holds at
least one breached window. `TargetRisk` computes both, with their clustered 95 %
intervals, the breaches per year and the expected credit for any target, from the
window availabilities of a run; the achievable target is read off the same figures.

Contract years
    counted from the start of the first complete window (the calendar start when it
    is the 1st of a month), one calendar year each in the calendar's time zone. A
    window belongs to the contract year in which it ends; a contract year counts when
    it ends within the horizon. A contract year breaches a target when its worst
    window does.

No contract year to count
    when the horizon is shorter than a contract year, or a contract year holds no
    window end (windows longer than a year), the per-year figures are converted from
    the per-window ones as if windows were independent:
    ``P(year) = 1 - (1 - P(window)) ** k`` with ``k = 8760 h / mean window length``
    (interval ends alike), and an accepted risk per year r is read per window as
    ``1 - (1 - r) ** (1 / k)``.

Credits at another target
    the contract's tiers moved with the target (`SLA.tiers_at`): each tier keeps its
    distance below the target, so a contract at 99.9 % with 10 % below 99.9 % and 25 %
    below 99 % reads, at 99.5 %, as 10 % below 99.5 % and 25 % below 98.6 %.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from simulation.measure.stats import (
    ConfidenceInterval,
    achievable_target,
    clustered_proportion_ci,
    replication_mean_ci,
    zero_event_upper_bound,
)
from simulation.measure.windows import EPS_HOURS, Windows
from simulation.model.calendar import Calendar
from simulation.model.scenario import HOURS_PER_YEAR
from simulation.model.sla import SLA

#: Resolution of an achievable target (a fraction): 0.001 %, rounded down.
TARGET_RESOLUTION = 1e-5

#: Columns of `TargetRisk.table`.
TABLE_COLUMNS = (
    "target",
    "breach_window",
    "breach_window_low",
    "breach_window_high",
    "breach_year",
    "breach_year_low",
    "breach_year_high",
    "breaches_per_year",
    "breaches_per_year_low",
    "breaches_per_year_high",
    "credit_pct",
    "credit_pct_low",
    "credit_pct_high",
    "credit_per_year",
    "credit_per_year_low",
    "credit_per_year_high",
    "within_risk",
    "contract",
    "achievable",
)


def contract_years(calendar: Calendar, windows: Windows, horizon_hours: float) -> np.ndarray | None:
    """The contract year of every window, or None where no contract year can be counted.

    Parameters
    ----------
    calendar : Calendar
    windows : Windows
        The complete windows measured (contiguous, in order).
    horizon_hours : float

    Returns
    -------
    ndarray of int, shape (windows,), or None
        Index of the contract year in which each window ends (from 0); -1 for windows
        after the last contract year that ends within the horizon. None when no
        contract year ends within the horizon or one of them holds no window end.

    Examples
    --------
    >>> from simulation.measure.windows import window_bounds
    >>> cal = Calendar(dt.date(2027, 1, 1), "Europe/Amsterdam")
    >>> months = window_bounds("month", cal, 17544.0)  # 2027 and 2028 (a leap year)
    >>> contract_years(cal, months, 17544.0).tolist() == [0] * 12 + [1] * 12
    True
    >>> contract_years(cal, window_bounds("month", cal, 6000.0), 6000.0) is None
    True
    """
    if not len(windows):
        return None
    first = calendar.local(float(windows.start[0]))
    bounds = [float(windows.start[0])]
    while True:
        nxt = calendar.hours(_years_after(first, len(bounds)))
        if nxt > horizon_hours + EPS_HOURS:
            break
        bounds.append(nxt)
    if len(bounds) < 2:
        return None
    edges = np.asarray(bounds)
    year = np.searchsorted(edges, windows.end - EPS_HOURS, side="left") - 1
    year[year >= len(edges) - 1] = -1
    counted = np.bincount(year[year >= 0], minlength=len(edges) - 1)
    if np.any(counted == 0):
        return None
    return year


def _years_after(local: dt.datetime, years: int) -> dt.datetime:
    """The same local date and time `years` later (29 February becomes the 28th)."""
    try:
        return local.replace(year=local.year + years)
    except ValueError:
        return local.replace(year=local.year + years, day=28)


class TargetRisk:
    """Breach risk, breaches and credits of any target, from one run's window availabilities.

    Parameters
    ----------
    availability : ndarray of float, shape (replications, windows)
        Availability of every complete window of every replication.
    sla : SLA
        Gives the contract's target and credit tiers, the accepted risk and the fee.
    window_hours : ndarray of float, shape (windows,)
        Elapsed length of each window.
    year_of_window : ndarray of int, shape (windows,), or None
        From `contract_years`; None converts the per-year figures from the per-window
        ones (see the module notes).
    confidence : float
        Two-sided level of the intervals (`clustered_proportion_ci`, clustered by
        replication).
    """

    def __init__(self, availability, sla: SLA, window_hours, year_of_window, confidence: float = 0.95):
        self.availability = np.asarray(availability, dtype=np.float64)
        if self.availability.ndim != 2 or not self.availability.size:
            raise ValueError("availability must be a non-empty (replications, windows) array")
        self.sla = sla
        self.confidence = confidence
        hours = np.asarray(window_hours, dtype=np.float64)
        #: Windows per year (8760 h over the mean window length).
        self.windows_per_year = HOURS_PER_YEAR / float(hours.mean())
        self._window_years = self.availability.shape[0] * float(hours.sum()) / HOURS_PER_YEAR
        self.yearly_minimum = None
        if year_of_window is not None:
            inside = np.asarray(year_of_window) >= 0
            starts = np.flatnonzero(np.r_[True, np.diff(year_of_window[inside]) != 0])
            #: Worst window of each (replication, contract year), or None (converted).
            self.yearly_minimum = np.minimum.reduceat(self.availability[:, inside], starts, axis=1)

    # ------------------------------------------------------------------ risks
    @property
    def years_counted(self) -> bool:
        """True when P(>= 1 breach per year) is measured on contract years, not converted."""
        return self.yearly_minimum is not None

    @property
    def risk_units(self) -> int:
        """Units the accepted risk is judged on: contract years (or windows, when the risk
        is per window or the per-year figure is converted)."""
        if self.sla.risk_per == "year" and self.years_counted:
            return int(self.yearly_minimum.size)
        return int(self.availability.size)

    @property
    def units_needed(self) -> int:
        """Units needed before zero breaches can show a risk within the accepted one."""
        risk = self.risk_per_unit
        return math.ceil(math.log1p(-self.confidence) / math.log1p(-risk))

    def window_risk(self, target: float) -> tuple[float, ConfidenceInterval]:
        """P(a window is breached) at `target` and its interval."""
        counts = (self.availability < target).sum(axis=1)
        p = float(counts.sum() / self.availability.size)
        return p, clustered_proportion_ci(counts, self.availability.shape[1], self.confidence)

    def year_risk(self, target: float) -> tuple[float, ConfidenceInterval]:
        """P(at least one breached window in a contract year) at `target` and its interval."""
        if self.yearly_minimum is None:
            p, ci = self.window_risk(target)
            k = self.windows_per_year
            return _per_year(p, k), ConfidenceInterval(_per_year(ci.low, k), _per_year(ci.high, k))
        counts = (self.yearly_minimum < target).sum(axis=1)
        p = float(counts.sum() / self.yearly_minimum.size)
        return p, clustered_proportion_ci(counts, self.yearly_minimum.shape[1], self.confidence)

    @property
    def risk_per_unit(self) -> float:
        """The accepted risk per unit of `risk_units`: `SLA.risk`, or its per-window
        reading when a per-year risk is converted."""
        risk = self.sla.risk
        if self.sla.risk_per == "year" and not self.years_counted:
            risk = -math.expm1(math.log1p(-risk) / self.windows_per_year)
        return risk

    # ------------------------------------------------------------- achievable
    def achievable(self) -> float | None:
        """The highest target whose risk's upper 95 % bound is within the accepted risk.

        The risk is read per `SLA.risk_per`; the upper bound is that of the clustered
        interval (`achievable_target`), so the claim holds with 95 % confidence, not
        merely on the point estimate. Rounded down to `TARGET_RESOLUTION`. None when
        the run has too few units to show the risk at all (`units_needed`).
        """
        if self.sla.risk_per == "year" and self.years_counted:
            values = self.yearly_minimum
        else:
            values = self.availability
        best = achievable_target(values, self.risk_per_unit, self.confidence)
        if best is None:
            return None
        # round() absorbs the float noise of the division only (the availabilities are
        # multiples of 1e-12), so a target is never rounded up past a window's value
        steps = round(1 / TARGET_RESOLUTION)
        return math.floor(round(best * steps, 7)) / steps

    # ------------------------------------------------------------------ table
    def row(self, target: float) -> dict:
        """The figures of one target (the columns of `table` but the markers)."""
        p_w, ci_w = self.window_risk(target)
        p_y, ci_y = self.year_risk(target)
        credit = self.sla.credit_for(self.availability, target)
        high = ci_y.high if self.sla.risk_per == "year" else ci_w.high
        fee = self.sla.fee
        credit_ci = self.credit_ci(credit)
        # windows per year of window time: breaches and credit per window, scaled
        per_year = self.availability.size / self._window_years
        money = math.nan if fee is None else fee.amount / 100.0
        return {
            "target": float(target),
            "breach_window": p_w,
            "breach_window_low": ci_w.low,
            "breach_window_high": ci_w.high,
            "breach_year": p_y,
            "breach_year_low": ci_y.low,
            "breach_year_high": ci_y.high,
            "breaches_per_year": float((self.availability < target).sum() / self._window_years),
            "breaches_per_year_low": ci_w.low * per_year,
            "breaches_per_year_high": ci_w.high * per_year,
            "credit_pct": 100.0 * float(credit.mean()),
            "credit_pct_low": credit_ci.low,
            "credit_pct_high": credit_ci.high,
            "credit_per_year": (
                math.nan if fee is None else fee.amount * float(credit.sum()) / self._window_years
            ),
            "credit_per_year_low": money * credit_ci.low * per_year,
            "credit_per_year_high": money * credit_ci.high * per_year,
            # a relative tolerance absorbs the rounding of the per-year conversion
            "within_risk": bool(high <= self.sla.risk * (1 + 1e-9)),
        }

    def credit_ci(self, credit: np.ndarray) -> ConfidenceInterval:
        """95 % interval of the expected credit per window, in % of the fee.

        `credit` holds the credit fraction of every window, shape (replications,
        windows). The t-interval of the replications' mean credits
        (`replication_mean_ci`), within 0 and the largest tier's credit; without any
        credit, the largest credit times the zero-event bound on the share of windows
        that earn one (`zero_event_upper_bound` over all windows).
        """
        top = 100.0 * max((t.credit for t in self.sla.credits), default=0.0)
        zero = top * zero_event_upper_bound(credit.size, self.confidence)
        return replication_mean_ci(100.0 * credit.mean(axis=1), self.confidence, top, zero)

    def table(self, targets=None) -> pd.DataFrame:
        """The target table, strictest target first.

        Parameters
        ----------
        targets : sequence of float, optional
            Default: `target_grid` around the contract's target and the achievable one.

        Returns
        -------
        DataFrame
            Columns `TABLE_COLUMNS`: ``target``; ``breach_window`` with its interval
            (``_low``, ``_high``); ``breach_year`` = P(>= 1 breached window in a
            contract year) with its interval; ``breaches_per_year`` with its interval
            (the clustered interval of ``breach_window`` times the windows per year);
            ``credit_pct``, the expected credit in % of the fee per window, and
            ``credit_per_year``, the expected credit per year in the fee's currency
            (NaN without a fee), each with its interval (`credit_ci`, scaled);
            ``within_risk``, whether the upper end of the risk's interval (per
            `SLA.risk_per`) is within the accepted risk; ``contract`` and
            ``achievable`` mark those two targets' rows.
        """
        achievable = self.achievable()
        if targets is None:
            targets = target_grid(self.sla.target, achievable)
        rows = []
        for t in sorted(set(targets), reverse=True):
            row = self.row(t)
            row["contract"] = t == self.sla.target
            row["achievable"] = achievable is not None and t == achievable
            rows.append(row)
        return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def _per_year(p: float, k: float) -> float:
    """P(>= 1 of k independent windows breached), each with probability p."""
    return float(-math.expm1(k * math.log1p(-p))) if p < 1 else 1.0


def target_grid(contract: float, achievable: float | None = None, span: float = 2.5) -> list[float]:
    """Targets for the target table: the contract's, the achievable one and round ones near.

    The round targets have an unavailability of 1, 2 or 5 times a power of ten (99 %,
    99.5 %, 99.8 %, 99.9 %, 99.95 % ...) within a factor `span` of the two given
    targets' unavailabilities, between 50 % and 99.9999 %.

    Examples
    --------
    >>> [round(100 * t, 4) for t in target_grid(0.999, 0.995)]
    [99.0, 99.5, 99.8, 99.9, 99.95]
    """
    unavailability = [1.0 - contract]
    if achievable is not None and achievable < 1.0:
        unavailability.append(1.0 - achievable)
    low = max(min(unavailability) / span, 1e-6)
    high = min(max(unavailability) * span, 0.5)
    round_ones = [m * 10.0**e for e in range(-6, 0) for m in (1, 2, 5)]
    grid = {round(1.0 - u, 10) for u in round_ones if low <= u * (1 + 1e-9) and u <= high * (1 + 1e-9)}
    grid.add(contract)
    if achievable is not None:
        grid.add(achievable)
    return sorted(grid)
