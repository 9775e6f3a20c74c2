"""`Result`: the figures of a run, as tables, a summary, plots and the JSON report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from simulation.measure.stats import ConfidenceInterval
from simulation.model.demand import has_demand
from simulation.model.scenario import HOURS_PER_YEAR, Scenario
from simulation.model.timeline import DEMAND, cause_labels

__all__ = ["ConfidenceInterval", "Result"]


class Result:
    """What a run of a scenario produced.

    Attributes
    ----------
    scenario : Scenario
    engine : str
        The engine that ran (``"des"`` or ``"fast"``); `engine_reason` says why.
    replications, seed : int
    horizon_hours, elapsed_seconds : float
    per_replication : DataFrame
        One row per replication: ``availability``, ``downtime_hours``, ``outages``, and
        ``stockouts`` (repairs that found their spare pool empty) when the scenario has
        spare pools, ``deferrals`` (rolling maintenance jobs that could not start when
        due) when it has rolling maintenance, and ``shortfall_hours`` (raw downtime
        caused by a demand change) when a block follows a demand profile.
    window_breach : ndarray of bool, shape (replications, windows)
        Breach of every SLA window (no columns without an SLA).
    window_availability, window_downtime_min : ndarray of float64, shape (replications, windows)
        Availability and counted downtime (minutes) of every SLA window, built from the
        stored windows with downtime each time they are read (8 bytes a window).
    windows : DataFrame
        One row per (replication, SLA window), built when first read (about 100 bytes a
        row: prefer `windows_with_downtime` or the figures for large runs): ``window``,
        ``start``, ``service_min``, ``downtime_min``, ``availability``, ``breach``,
        ``credit_pct``. For a sliding window a row is a calendar month, and
        ``service_min`` and ``downtime_min`` are those of the trailing window where its
        lowest availability is reached (for a month without counted downtime,
        ``service_min`` is the month's own).
    attribution : DataFrame
        Counted downtime by instance, largest first: ``instance``, ``component``,
        ``downtime_min``, ``downtime_share``, and ``breached_windows`` /
        ``breach_share``: the breached windows whose counted downtime came mostly from
        the instance, as a count and as a share of all breached windows. Downtime that
        a demand change caused (a capacity shortfall) has the row ``demand`` (its
        ``component`` too).
    targets : DataFrame
        The target table (`simulation.measure.targets.TargetRisk.table`): risk per
        window and per contract year, breaches per year and expected credit (% of the
        fee per window, money per year), each with its 95 % interval, of a range of
        targets around the contract's and the achievable one.
    worst_timelines : list of (int, Timeline)
        The outage segments of the `WORST_KEPT` replications with the most counted
        downtime, worst first, with their replication index. Other timelines are not
        kept (memory stays flat in the number of replications); `timeline(r)`
        simulates any replication again, and `outages(r)` lists its outages as a
        table in local time.
    precision : Precision or None
        For a precision-driven run: the relative CI half-widths achieved.
    support : DataFrame or None
        With a support desk: one row per (replication, window, channel), see
        `simulation.support.figures.support_table`; `support_figures` sums it up.
    site_results : dict of str to Result
        With per-site network sources: each customer site's own Result from the same
        run (`sites` tabulates them); the figures above are the first site's.
    """

    def __init__(
        self,
        scenario,
        engine,
        engine_reason,
        seed,
        horizon_hours,
        elapsed_seconds,
        per_replication,
        window_figures,
        attribution,
        worst_timelines,
        precision=None,
        support_data=None,
    ):
        self.scenario: Scenario = scenario
        self.engine, self.engine_reason = engine, engine_reason
        self.seed, self.horizon_hours = seed, horizon_hours
        self.elapsed_seconds = elapsed_seconds
        self.per_replication: pd.DataFrame = per_replication
        self._w: _WindowFigures = window_figures
        self.window_breach: np.ndarray = window_figures.breach
        self._window_hours = window_figures.hours  # length of each SLA window, hours
        self.attribution: pd.DataFrame = attribution
        self.worst_timelines = worst_timelines
        self.precision = precision
        self._support = support_data  # (table, histogram, measured hours per replication) or None
        self.support: pd.DataFrame | None = None if support_data is None else support_data[0]
        #: The customer site this Result is seen from (an entry of `site_results`, whose
        #: `scenario` has the service seen from the site), or None.
        self.site: str | None = None
        #: With per-site network sources: each site's own Result, by site, from the same
        #: run (the same replications and draws); empty otherwise.
        self.site_results: dict[str, Result] = {}
        self._network_hours = None  # (blocks, 2) hours summed over the replications, or None

    # ----------------------------------------------------------------- building
    @classmethod
    def from_batches(
        cls,
        scenario,
        outputs,
        *,
        engine,
        engine_reason,
        seed,
        horizon_hours,
        elapsed_seconds,
        precision=None,
        site=None,
    ) -> Result:
        from simulation.support.figures import run_support

        support = (
            None
            if site is not None
            else run_support(scenario, sorted(outputs, key=lambda o: o.batch), horizon_hours)
        )
        outputs.sort(key=lambda o: o.batch)
        site_outputs = (
            [[o.sites[i] for o in outputs] for i in range(len(outputs[0].sites))] if outputs else []
        )
        network_hours = None
        if outputs and outputs[0].network_hours is not None:
            network_hours = sum(o.network_hours.sum(axis=0) for o in outputs)
        gathered = _gather(outputs)
        down = gathered["downtime_hours"]
        per_rep = pd.DataFrame(
            {
                "replication": np.arange(down.size),
                "availability": 1.0 - down / horizon_hours,
                "downtime_hours": down,
                "outages": gathered["outages"],
            }
        )
        if scenario.spares:
            per_rep["stockouts"] = gathered["stockouts"]
        if any(rule.rolling for rule in scenario.maintenance):
            per_rep["deferrals"] = gathered["deferrals"]
        if has_demand(scenario):
            per_rep["shortfall_hours"] = gathered["shortfall_hours"]
        worst = gathered["worst"]
        ids = cause_labels(scenario.instances)
        attr_min, breached = gathered["attribution_min"], gathered["breach_cause"]
        total = attr_min.sum()
        attribution = pd.DataFrame(
            {
                "instance": ids,
                "component": [scenario.instances[i].component if i in scenario.instances else i for i in ids],
                "downtime_min": attr_min,
                "downtime_share": attr_min / total if total > 0 else np.zeros_like(attr_min),
                "breached_windows": breached,
                "breach_share": breached / breached.sum() if breached.sum() else np.zeros(len(ids)),
            }
        )
        attribution = (
            attribution[attribution.downtime_min > 0]
            .sort_values("downtime_min", ascending=False, kind="stable")
            .reset_index(drop=True)
        )
        figures = _window_figures(scenario, gathered, horizon_hours)
        result = cls(
            scenario,
            engine,
            engine_reason,
            seed,
            horizon_hours,
            elapsed_seconds,
            per_rep,
            figures,
            attribution,
            worst,
            precision,
            support,
        )
        result.site = site
        result._network_hours = network_hours
        if site_outputs:  # each site's Result: the scenario whose service is seen from it
            import dataclasses

            from simulation.model.network import site_services

            common = dict(engine=engine, engine_reason=engine_reason, seed=seed, horizon_hours=horizon_hours)
            result.site_results = {
                name: cls.from_batches(
                    dataclasses.replace(scenario, service=root),
                    outs,
                    elapsed_seconds=elapsed_seconds,
                    site=name,
                    **common,
                )
                for (name, root), outs in zip(site_services(scenario.service), site_outputs)
            }
        return result

    @cached_property
    def windows(self) -> pd.DataFrame:
        """One row per (replication, SLA window), built from the arrays when first read."""
        return self._w.table()

    def stockouts_per_year(self, confidence: float = 0.95) -> tuple[float, ConfidenceInterval] | None:
        """Mean spare-pool stock-outs (repairs that found their pool empty) per year of
        simulated time, with its interval over replications
        (`simulation.measure.stats.count_mean_ci`); None without spare pools."""
        return self._count_per_year("stockouts", confidence)

    def deferrals_per_year(self, confidence: float = 0.95) -> tuple[float, ConfidenceInterval] | None:
        """Mean rolling maintenance jobs deferred (not started when due because their
        group could not spare the member, `simulation.engine.maintenance`) per year of
        simulated time, with its interval over replications
        (`simulation.measure.stats.count_mean_ci`); None without rolling maintenance."""
        return self._count_per_year("deferrals", confidence)

    def _count_per_year(self, column: str, confidence: float) -> tuple[float, ConfidenceInterval] | None:
        """Mean of a per-replication count column per year, with `count_mean_ci`; None
        when the run has no such column."""
        if column not in self.per_replication:
            return None
        from simulation.measure.stats import count_mean_ci

        counts = self.per_replication[column].to_numpy()
        return float(counts.mean() * self._per_year), count_mean_ci(counts, self._per_year, confidence)

    def capacity_shortfall(self, confidence: float = 0.95) -> dict | None:
        """How much downtime was capacity shortfall: outages that a demand change caused
        (the up members of a block could not carry the new demand; cause ``demand``).

        Returns
        -------
        dict or None
            ``hours_per_year``: mean raw downtime per year of simulated time caused by
            demand, with ``ci95`` its t-interval over replications (`confidence`;
            without any shortfall, the bound of the raw downtime);
            ``counted_share``: its share of the counted downtime (SLA rules applied; of
            the raw downtime without an SLA), over all replications. None when no block
            follows a demand profile.
        """
        if "shortfall_hours" not in self.per_replication:
            return None
        from simulation.measure.stats import replication_mean_ci

        per_rep = self.per_replication.shortfall_hours.to_numpy() * self._per_year
        # no shortfall at all: bounded by the raw downtime's bound (shortfall is part of it)
        zero = self.downtime_min_per_year_ci(confidence).high / 60.0
        mean = float(per_rep.mean())
        low, high = replication_mean_ci(per_rep, confidence, HOURS_PER_YEAR, zero)
        attr = self.attribution
        total = float(attr.downtime_min.sum())
        demand = float(attr.downtime_min[attr.instance == DEMAND].sum())
        return {
            "hours_per_year": mean,
            "ci95": ConfidenceInterval(low, high),
            "counted_share": demand / total if total > 0 else 0.0,
        }

    @property
    def window_availability(self) -> np.ndarray:
        """Availability of every window, shape (replications, windows); built on each read."""
        return self._w.dense(self._w.availability, 1.0)

    @property
    def window_downtime_min(self) -> np.ndarray:
        """Counted downtime (minutes) of every window, shape (replications, windows); built
        on each read."""
        return self._w.dense(self._w.downtime_min, 0.0)

    def windows_with_downtime(self) -> pd.DataFrame:
        """The windows with counted downtime, one row each (every other window has
        availability 1): ``replication``, ``window``, ``downtime_min``, ``availability``,
        ``breach``. Small even for a million replications of a reliable service."""
        rep, col = np.divmod(self._w.flat, max(self._w.labels.size, 1))
        return pd.DataFrame(
            {
                "replication": rep,
                "window": self._w.labels[col],
                "downtime_min": self._w.downtime_min,
                "availability": self._w.availability,
                "breach": self.window_breach.ravel()[self._w.flat],
            }
        )

    def window_figures(self, replication: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(availability, downtime_min, breach)`` of the windows of one replication,
        each of shape (windows,)."""
        w = self._w.labels.size
        lo, hi = np.searchsorted(self._w.flat, [replication * w, (replication + 1) * w])
        avail, down = np.ones(w), np.zeros(w)
        avail[self._w.flat[lo:hi] - replication * w] = self._w.availability[lo:hi]
        down[self._w.flat[lo:hi] - replication * w] = self._w.downtime_min[lo:hi]
        return avail, down, self.window_breach[replication].copy()

    @cached_property
    def window_availability_mean(self) -> float | None:
        """Unweighted mean of the window availabilities (None without SLA windows)."""
        if not self.window_breach.size:
            return None
        perfect = self.window_breach.size - self._w.flat.size
        return float((self._w.availability.sum() + perfect) / self.window_breach.size)

    def window_availability_quantile(self, q: float) -> float | None:
        """The `q` quantile of the window availabilities (linear interpolation, as
        `numpy.quantile`), from the stored windows with downtime and the count of the
        others (availability 1)."""
        n = self.window_breach.size
        if not n:
            return None
        low = np.sort(self._w.availability)  # every other window is 1, above all of these
        h = (n - 1) * float(q)
        i = int(np.floor(h))
        at = lambda j: float(low[j]) if j < low.size else 1.0  # noqa: E731
        return at(i) + (h - i) * (at(min(i + 1, n - 1)) - at(i))

    def timeline(self, replication: int):
        """The outage `Timeline` of one replication, simulated again on its own when it
        is not among `worst_timelines` (the random streams make any replication
        reproducible alone, with the run's seed, horizon and engine).

        Raises
        ------
        IndexError
            `replication` is not in ``range(replications)``.
        """
        from simulation.study.batch import simulate

        r = int(replication)
        if not 0 <= r < self.replications:
            raise IndexError(f"replication {replication} not in range({self.replications})")
        for i, tl in self.worst_timelines:
            if i == r:
                return tl
        return simulate(self.scenario, self.seed, range(r, r + 1), self.horizon_hours, self.engine)[0]

    def outages(self, replication: int) -> pd.DataFrame:
        """The outages of one replication, one row each, in local time.

        Touching segments of the `Timeline` are one outage. Columns: ``start`` and
        ``end`` (local datetimes in the calendar's time zone, to the second), ``duration_min`` (by the
        clock), ``counted_min`` (the part the SLA counts: inside service hours, not
        excluded, not under `min_outage`; before interval rounding; NaN without an
        SLA), ``counted`` (``counted_min > 0``), ``kind`` (``"unplanned"``,
        ``"announced maintenance"`` or ``"maintenance"``) and ``cause`` (the instance
        id behind the longest segment of the outage).

        Raises
        ------
        IndexError
            `replication` is not in ``range(replications)``.

        Examples
        --------
        One outage of the flagship's replication 3 (``result.outages(3)``)::

                            start                 end  duration_min  counted_min  counted       kind  ...
            0 2027-02-11 04:13:51 2027-02-11 06:02:40         108.8        108.8     True  unplanned  ...
        """
        from simulation.model.timeline import ANNOUNCED_MAINTENANCE, MAINTENANCE, UNPLANNED
        from simulation.report.plots import _counted, _outages

        tl = self.timeline(replication)
        start, end, longest = _outages(tl)
        counted = _counted(self, tl, start)
        names = {
            UNPLANNED: "unplanned",
            ANNOUNCED_MAINTENANCE: "announced maintenance",
            MAINTENANCE: "maintenance",
        }
        labels = cause_labels(self.scenario.instances)
        local = self.scenario.calendar.local
        counted_min = np.full(start.size, np.nan) if counted is None else 60.0 * counted
        return pd.DataFrame(
            {
                "start": pd.to_datetime([local(float(h)) for h in start]).round("s"),
                "end": pd.to_datetime([local(float(h)) for h in end]).round("s"),
                "duration_min": 60.0 * (end - start),
                "counted_min": counted_min,
                "counted": counted_min > 0,
                "kind": [names[int(tl.kind[i])] for i in longest],
                "cause": [labels[int(tl.cause[i])] for i in longest],
            }
        )

    # ------------------------------------------------------------------ figures
    @property
    def replications(self) -> int:
        return len(self.per_replication)

    @property
    def sla(self):
        return self.scenario.sla

    @cached_property
    def availability(self) -> float:
        """Fraction of all simulated time the service was up: clock time, all hours, all
        outages (the SLA's figures count service hours only: `window_availability_mean`)."""
        return float(self.per_replication.availability.mean())

    def availability_ci(self, confidence: float = 0.95) -> ConfidenceInterval:
        """Interval of the mean availability over replications, within [0, 1].

        The t-interval of the replications' availabilities, clipped to [0, 1]
        (`simulation.measure.stats.fraction_mean_ci`). Two cases say little, and the
        interval is wide to show it:

        - no replication had any downtime: ``(1 - b, 1)`` with ``b = 1 - 0.05 ** (1 /
          replications)`` at 95 %, the exact bound on the share of such runs that have
          any downtime at all (a run with downtime could in principle be down all of
          its time). Valid, but it bounds availability only with many replications:
          the summary says so rather than print it as an availability;
        - one replication with downtime: ``(0, 1)``, as no spread can be measured
          (the summary prints it as "0 % .. 100 %: one replication").

        Unpacks as ``lo, hi = result.availability_ci()``.
        """
        from simulation.measure.stats import fraction_mean_ci

        return fraction_mean_ci(self.per_replication.availability.to_numpy(), confidence)

    @property
    def _per_year(self) -> float:
        """Years per replication's horizon, inverted: multiplies a per-replication figure."""
        return HOURS_PER_YEAR / self.horizon_hours

    @cached_property
    def downtime_min_per_year(self) -> float:
        """Mean downtime by the clock (all outages, all hours, before any SLA rule), in
        minutes per year."""
        return float(self.per_replication.downtime_hours.mean() * self._per_year * 60.0)

    def downtime_min_per_year_ci(self, confidence: float = 0.95) -> ConfidenceInterval:
        """Interval of `downtime_min_per_year`: the t-interval over replications
        (`simulation.measure.stats.replication_mean_ci`), within 0 and a year of
        minutes. Without any downtime, the zero-event bound of `availability_ci` as
        minutes; ``(0, 525600)`` for one replication."""
        from simulation.measure.stats import replication_mean_ci

        year_min = HOURS_PER_YEAR * 60.0
        per_rep = self.per_replication.downtime_hours.to_numpy() * self._per_year * 60.0
        zero = (1.0 - self.availability_ci(confidence).low) * year_min
        return replication_mean_ci(per_rep, confidence, year_min, zero)

    @cached_property
    def outages_per_year(self) -> float:
        """Mean number of outages per year (touching segments count as one), all hours."""
        return float(self.per_replication.outages.mean() * self._per_year)

    def outages_per_year_ci(self, confidence: float = 0.95) -> ConfidenceInterval:
        """Interval of `outages_per_year`: the t-interval over replications; without any
        spread, the exact Poisson interval (`simulation.measure.stats.count_mean_ci`: the
        bound ``-ln(0.05) / replications`` per horizon without any outage, at 95 %);
        ``(0, inf)`` for one replication."""
        from simulation.measure.stats import count_mean_ci

        return count_mean_ci(self.per_replication.outages.to_numpy(), self._per_year, confidence)

    @cached_property
    def _analytic(self):
        from simulation.analytic import steady_state

        return steady_state(self.scenario)

    @property
    def analytic_availability(self) -> float | None:
        """Exact steady-state availability, or None where no exact solution applies to the
        distributions given (`analytic_reason` says why)."""
        return self._analytic.value

    @property
    def analytic_reason(self) -> str | None:
        """Why `analytic_availability` is None; None when there is a value."""
        return self._analytic.reason

    @cached_property
    def breach_probability(self) -> float | None:
        """P(a window is breached), over all windows of all replications."""
        if not self.window_breach.size:
            return None
        return float(self.window_breach.mean())

    def breach_ci(self, confidence: float = 0.95) -> ConfidenceInterval | None:
        """Interval of `breach_probability`, clustered by replication.

        The windows of one replication are not independent (one long repair can
        breach two months, a bad year several): this is the Korn-Graubard interval at
        the effective number of windows measured between replications
        (`simulation.measure.stats.clustered_proportion_ci`). With no breach it is
        ``(0, 1 - 0.05 ** (1 / windows))`` at 95 %, the exact one-sided bound. None
        without SLA windows.
        """
        from simulation.measure.stats import clustered_proportion_ci

        if not self.window_breach.size:
            return None
        breach = self.window_breach
        return clustered_proportion_ci(breach.sum(axis=1), breach.shape[1], confidence)

    @cached_property
    def _credit_total(self) -> float:
        """Sum of the credit fractions of every window (those not stored have availability 1)."""
        perfect = self.window_breach.size - self._w.flat.size
        return float(np.sum(self.sla.credit_for(self._w.availability)) + perfect * self.sla.credit_for(1.0))

    @cached_property
    def expected_credit_percent(self) -> float | None:
        """Expected credit per window, in % of the fee."""
        n = self.window_breach.size
        return None if not n else 100.0 * self._credit_total / n

    @cached_property
    def breaches_per_year(self) -> float | None:
        """Breached windows per year of complete windows."""
        if not self.window_breach.size:
            return None
        window_years = self._window_hours.sum() / HOURS_PER_YEAR
        return float(self.window_breach.sum() / (self.replications * window_years))

    def breaches_per_year_ci(self, confidence: float = 0.95) -> ConfidenceInterval | None:
        """Interval of `breaches_per_year`: `breach_ci` times the windows per year (the
        same clustered interval, so the two never disagree). None without SLA windows."""
        ci = self.breach_ci(confidence)
        if ci is None:
            return None
        per_year = self.window_breach.size / (self.replications * self._window_hours.sum() / HOURS_PER_YEAR)
        return ConfidenceInterval(ci.low * per_year, ci.high * per_year)

    def expected_credit_percent_ci(self, confidence: float = 0.95) -> ConfidenceInterval | None:
        """Interval of `expected_credit_percent` (% of the fee per window): the t-interval
        of the replications' mean credit, within 0 and the largest tier
        (`simulation.measure.targets.TargetRisk.credit_ci`). None without SLA windows."""
        risk = self.target_risk
        if risk is None:
            return None
        if confidence == risk.confidence:
            return self._credit_ci
        from simulation.measure.targets import TargetRisk

        other = TargetRisk(risk.availability, self.sla, self._window_hours, None, confidence)
        return other.credit_ci(self.sla.credit_for(risk.availability))

    @cached_property
    def _credit_ci(self) -> ConfidenceInterval:
        return self.target_risk.credit_ci(self.sla.credit_for(self.target_risk.availability))

    def expected_credit_per_year_ci(self, confidence: float = 0.95) -> ConfidenceInterval | None:
        """Interval of `expected_credit_per_year` (money per year): that of
        `expected_credit_percent` times the fee and the windows per year. None without
        a fee or SLA windows."""
        ci = self.expected_credit_percent_ci(confidence)
        if ci is None or self.sla.fee is None:
            return None
        window_years = self.replications * self._window_hours.sum() / HOURS_PER_YEAR
        scale = self.sla.fee.amount / 100.0 * self.window_breach.size / window_years
        return ConfidenceInterval(ci.low * scale, ci.high * scale)

    def window_availability_mean_ci(self, confidence: float = 0.95) -> ConfidenceInterval | None:
        """Interval of `window_availability_mean`: that of the replications' mean window
        availability (`simulation.measure.stats.fraction_mean_ci`: a t-interval within
        [0, 1]; the zero-event bound when no window has counted downtime; ``(0, 1)`` for
        one replication). None without SLA windows."""
        from simulation.measure.stats import fraction_mean_ci

        if not self.window_breach.size:
            return None
        n_w = self.window_breach.shape[1]
        lost = np.zeros(self.replications)
        np.add.at(lost, self._w.flat // n_w, 1.0 - self._w.availability)
        return fraction_mean_ci(np.clip(1.0 - lost / n_w, 0.0, 1.0), confidence)

    @cached_property
    def expected_credit_per_year(self) -> float | None:
        """Expected credit per year in the currency of `SLA.fee`; None without a fee."""
        if not self.window_breach.size or self.sla.fee is None:
            return None
        window_years = self.replications * self._window_hours.sum() / HOURS_PER_YEAR
        return float(self.sla.fee.amount * self._credit_total / window_years)

    @cached_property
    def cost(self):
        """Expected cost per year of the design: components, crews, spares and SLA credits
        (`simulation.study.cost.Cost`, total with its 95 % CI over replications); None
        when the scenario states no cost and no fee."""
        from simulation.study.cost import run_cost

        return run_cost(self)

    def importance(self, top: int = 3, progress: bool | None = None, workers: int | None = None):
        """Downtime share, Birnbaum and criticality importance per instance and component
        type, and the one change among the `top` types (repair time halved, time to
        failure doubled) that most reduces P(breach), from paired runs with this run's
        seed (`simulation.study.importance.Importance`)."""
        from simulation.study.importance import importance

        return importance(self, top=top, progress=progress, workers=workers)

    def portfolio(self, customers: int | None = None):
        """Credits per year across `customers` identical contracts (default
        `SLA.customers`), breaching together on shared infrastructure, and if independent
        for contrast (`simulation.study.portfolio.Portfolio`: mean, p95, p99).

        Raises
        ------
        ValueError
            Without a number of customers or a fee, or without a whole contract year.
        """
        from simulation.study.portfolio import portfolio

        if customers is None:
            customers = None if self.sla is None else self.sla.customers
            if customers is None:
                raise ValueError("give the number of customers (or sla.customers in the scenario)")
        return portfolio(self, customers)

    @cached_property
    def contract_years(self) -> np.ndarray | None:
        """The contract year of each SLA window (shape (windows,), -1 after the last
        whole one), or None without SLA windows or a whole contract year
        (`simulation.measure.targets.contract_years`)."""
        from simulation.measure.targets import contract_years
        from simulation.measure.windows import window_bounds

        if not self.window_breach.size:
            return None
        windows = window_bounds(self.sla.window, self.scenario.calendar, self.horizon_hours)
        return contract_years(self.scenario.calendar, windows, self.horizon_hours)

    @cached_property
    def target_risk(self):
        """`simulation.measure.targets.TargetRisk` of this run (None without SLA windows)."""
        from simulation.measure.targets import TargetRisk

        if not self.window_breach.size:
            return None
        return TargetRisk(self.window_availability, self.sla, self._window_hours, self.contract_years)

    @cached_property
    def achievable_target(self) -> float | None:
        """The highest target whose risk is within `SLA.risk` with 95 % confidence.

        The risk is P(>= 1 breached window in a contract year) or, with ``risk_per ==
        "window"``, P(a window is breached); the upper end of its clustered 95 %
        interval must be within the accepted risk, for this target and every lower
        one (`simulation.measure.targets.TargetRisk.achievable`). Rounded down to
        0.001 %. None without SLA windows, or when the run is too short to show the
        risk at all (see `targets`).
        """
        return None if self.target_risk is None else self.target_risk.achievable()

    @cached_property
    def targets(self) -> pd.DataFrame:
        """The target table: one row per target, strictest first (see the class attributes)."""
        from simulation.measure.targets import TABLE_COLUMNS

        if self.target_risk is None:
            return pd.DataFrame(columns=list(TABLE_COLUMNS))
        return self.target_risk.table()

    @cached_property
    def _chronic(self) -> np.ndarray | None:
        from simulation.measure.stats import chronic_triggered

        if not self.window_breach.size or self.sla.chronic is None:
            return None
        return chronic_triggered(self.window_breach, self.sla.chronic.breaches, self.sla.chronic.within)

    @cached_property
    def chronic_probability(self) -> float | None:
        """P(the chronic-breach rule triggers within the horizon), per replication.

        It grows with the horizon: read it as "within `horizon_hours`"."""
        return None if self._chronic is None else float(self._chronic.mean())

    def chronic_ci(self, confidence: float = 0.95) -> ConfidenceInterval | None:
        """Interval of `chronic_probability` over the independent replications
        (`clustered_proportion_ci` with one trial each; the exact one-sided bound when
        the rule never triggered)."""
        from simulation.measure.stats import clustered_proportion_ci

        if self._chronic is None:
            return None
        return clustered_proportion_ci(self._chronic.astype(int), 1, confidence)

    @cached_property
    def support_figures(self):
        """The support desk's figures per channel and its SLO (`SupportFigures`), or None."""
        from simulation.support.figures import support_figures

        if self._support is None:
            return None
        table, histogram, hours = self._support
        return support_figures(self.scenario.support, table, histogram, hours, self.replications)

    # ------------------------------------------------------------------ outputs
    def to_dict(self) -> dict:
        """The JSON report (schema ``slasim.report/1``) as a dict."""
        from simulation.report.json_report import report_dict

        return report_dict(self)

    def to_json(self, path=None, indent: int = 2) -> str:
        """The JSON report as text; also written to `path` when given."""
        text = json.dumps(self.to_dict(), indent=indent)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        return text

    def summary(self) -> str:
        """A console summary of the run."""
        from simulation.report.summary import summary_text

        return summary_text(self)

    def __repr__(self) -> str:
        sla = ""
        if self.breach_probability is not None:
            sla = f", P(breach per {self.sla.window_label})={self.breach_probability:.4f}"
        return (
            f"<Result {self.scenario.name!r}: {self.replications} replications x "
            f"{self.horizon_hours:g} h, engine={self.engine}, availability={self.availability:.6f}{sla}>"
        )

    def _repr_html_(self) -> str:
        from html import escape

        return f"<pre>{escape(self.summary())}</pre>"

    def plot_availability(self, ax=None):
        """Distribution of window availability with the target and credit tiers, and the
        mean availability and P(breach) with their confidence intervals in the title."""
        from simulation.report.plots import plot_window_availability

        return plot_window_availability(self, ax=ax)

    def plot_timeline(self, replication: int | None = None, ax=None):
        """The outages of one replication on the calendar (default: the worst one)."""
        from simulation.report.plots import plot_outage_timeline

        return plot_outage_timeline(self, replication, ax=ax)

    @cached_property
    def network_downtime(self) -> pd.DataFrame | None:
        """Each network block's own downtime split by reason, or None.

        Carried out of the engine with each replication (`Timeline.network_hours`): the
        hours a block had no up path (``disconnected``) and the hours it had up paths but
        none within its ``max_latency`` (``latency``: a reroute over a detour too long).
        Raw hours of the block, before the SLA's rules, whatever the rest of the service
        did.

        Returns
        -------
        DataFrame or None
            ``network``, ``disconnected_h_per_year``, ``latency_h_per_year`` (means over
            the replications); None without network blocks.
        """
        from simulation.model.network import network_blocks

        if self._network_hours is None:
            return None
        names = [b.name or "network" for b in network_blocks(self.scenario.service)]
        years = self.replications * self.horizon_hours / HOURS_PER_YEAR
        return pd.DataFrame(
            {
                "network": names,
                "disconnected_h_per_year": self._network_hours[:, 0] / years,
                "latency_h_per_year": self._network_hours[:, 1] / years,
            }
        )

    @cached_property
    def sites(self) -> pd.DataFrame | None:
        """Each customer site's figures, or None without per-site network sources.

        A network block with ``sources:`` is seen from each site in the same run (the
        same replications and draws); each site's outages are measured against the SLA
        as the service's are (`site_results` holds each site's whole `Result`). The
        run's own figures are those of the first site.

        Returns
        -------
        DataFrame or None
            One row per site, in the order of ``sources``: ``site``, ``availability``
            with ``availability_ci_low`` / ``availability_ci_high`` (95 %, over
            replications, as `availability_ci`), ``downtime_h_per_year``,
            ``breach_probability`` with ``breach_ci_low`` / ``breach_ci_high`` (per SLA
            window, as `breach_ci`) and ``expected_credit_percent`` (of the fee per
            window), and ``analytic``, the site's steady-state availability where it has
            one (`analytic_availability`); NaN where a figure does not apply.
        """
        if not self.site_results:
            return None
        rows = []
        for name, r in self.site_results.items():
            ci = r.availability_ci()
            breach = r.breach_ci()
            rows.append(
                {
                    "site": name,
                    "availability": r.availability,
                    "availability_ci_low": ci.low,
                    "availability_ci_high": ci.high,
                    "downtime_h_per_year": r.downtime_min_per_year / 60.0,
                    "breach_probability": np.nan if r.breach_probability is None else r.breach_probability,
                    "breach_ci_low": np.nan if breach is None else breach.low,
                    "breach_ci_high": np.nan if breach is None else breach.high,
                    "expected_credit_percent": (
                        np.nan if r.expected_credit_percent is None else r.expected_credit_percent
                    ),
                    "analytic": np.nan if r.analytic_availability is None else r.analytic_availability,
                }
            )
        return pd.DataFrame(rows)

    @cached_property
    def segments(self) -> pd.DataFrame | None:
        """Counted downtime by segment of an end-to-end service, or None.

        A service that is a series with at least one named member (``name:``: customer
        access, carrier, data-centre edge, ...) has segments: each member of the series
        is one, named by its ``name`` (a part alone by its instance id, else its position
        ``series[i]``). An instance's counted downtime (`attribution`) goes to the segment
        that holds it; an instance in several segments to ``shared (a, b)``; a capacity
        shortfall (cause ``demand``) to the segment that holds the demand block(s).

        Returns
        -------
        DataFrame or None
            ``segment``, ``downtime_min`` (over all replications), ``downtime_share`` (of
            all counted downtime) and ``hours_per_year`` (mean counted downtime per year
            of the run), in series order; None for a service without named segments.
        """
        from simulation.model.structure import Leaf, Series, iter_blocks, leaves

        service = self.scenario.service
        if not isinstance(service, Series) or not any(
            not isinstance(m, Leaf) and getattr(m, "name", None) for m in service.members
        ):
            return None
        names = [m.name or f"series[{i}]" for i, m in enumerate(service.members)]
        held: dict[str, list[str]] = {}
        for name, member in zip(names, service.members):
            for iid in dict.fromkeys(leaves(member)):
                held.setdefault(iid, []).append(name)
            if any(getattr(b, "demand", None) is not None for b in iter_blocks(member)):
                held.setdefault(DEMAND, []).append(name)  # a capacity shortfall of its block
        minutes: dict[str, float] = dict.fromkeys(names, 0.0)
        for row in self.attribution.itertuples():
            where = held.get(row.instance, [])
            key = where[0] if len(where) == 1 else f"shared ({', '.join(where)})"
            minutes[key] = minutes.get(key, 0.0) + float(row.downtime_min)
        total = sum(minutes.values())
        years = self.replications * self.horizon_hours / HOURS_PER_YEAR
        return pd.DataFrame(
            {
                "segment": list(minutes),
                "downtime_min": list(minutes.values()),
                "downtime_share": [m / total if total > 0 else 0.0 for m in minutes.values()],
                "hours_per_year": [m / 60.0 / years for m in minutes.values()],
            }
        )

    def plot_attribution(self, ax=None, top: int = 12):
        """Counted downtime per year and share of breached windows caused, by instance."""
        from simulation.report.plots import plot_attribution

        return plot_attribution(self, ax=ax, top=top)

    def plot_target_risk(self, ax=None):
        """Risk per window and per contract year of every target, with the accepted risk
        and the expected credit."""
        from simulation.report.plots import plot_target_risk

        return plot_target_risk(self, ax=ax)

    def plot_support(self, ax=None):
        """Distribution of first-response times per support channel, with the objectives."""
        from simulation.report.plots import plot_support_response

        return plot_support_response(self, ax=ax)

    def plot_network(self, ax=None):
        """The service's network at its geographic positions, links and nodes coloured
        by their share of counted downtime (`simulation.report.plots.plot_network`)."""
        from simulation.report.plots import plot_network

        return plot_network(self, ax=ax)

    def save_plots(self, directory) -> list:
        """Write the standard plots as PNG files into `directory`; return the paths."""
        from simulation.report.plots import save_plots

        return save_plots(self, directory)


@dataclass(frozen=True)
class _WindowFigures:
    """Per-window figures: breaches dense, the rest only for windows with downtime."""

    sla: object
    labels: np.ndarray  # (w,) object
    start: np.ndarray  # (w,) datetime64[s], local
    service_min: np.ndarray  # (w,)
    hours: np.ndarray | None  # (w,) window lengths; None without an SLA
    breach: np.ndarray  # (r, w) bool
    flat: np.ndarray  # (k,) int64 flat index (row * w + window), ascending
    downtime_min: np.ndarray  # (k,)
    availability: np.ndarray  # (k,)
    stored_service_min: np.ndarray  # (k,) service minutes of the stored windows

    def dense(self, values: np.ndarray, fill: float) -> np.ndarray:
        out = np.full(self.breach.shape, fill)
        out.ravel()[self.flat] = values
        return out

    def dense_service_min(self) -> np.ndarray:
        out = np.tile(self.service_min, (self.breach.shape[0], 1)).astype(np.float64)
        out.ravel()[self.flat] = self.stored_service_min
        return out

    def table(self) -> pd.DataFrame:
        reps, n_w = self.breach.shape
        avail = self.dense(self.availability, 1.0)
        return pd.DataFrame(
            {
                "replication": np.repeat(np.arange(reps), n_w),
                "window": np.tile(self.labels, reps),
                "start": np.tile(self.start, reps),
                "service_min": self.dense_service_min().ravel(),
                "downtime_min": self.dense(self.downtime_min, 0.0).ravel(),
                "availability": avail.ravel(),
                "breach": self.breach.ravel(),
                "credit_pct": (
                    100.0 * np.asarray(self.sla.credit_for(avail)).ravel()
                    if self.sla is not None
                    else np.zeros(0)
                ),
            }
        )


def _gather(outputs: list) -> dict:
    """The batches' figures joined in replication order; `outputs` is emptied and each
    batch freed once copied, so the peak memory is the joined arrays plus one batch.

    Returns a dict of the `BatchOutput` fields: per-replication arrays stacked (rows =
    replications), the sparse window arrays joined (flat indices shifted to the run's
    rows), `attribution_min` and `breach_cause` summed, `worst` the run's `WORST_KEPT`
    worst (replication, Timeline) pairs, worst first (ties: the lower replication),
    merged batch by batch, and `counted` the counted downtime of each replication.
    """
    from simulation.study.batch import WORST_KEPT, worst_replications

    ordered = sorted(outputs, key=lambda o: o.batch, reverse=True)
    outputs.clear()
    reps = sum(o.downtime_hours.size for o in ordered)
    last = ordered[-1]
    n_w = last.window_breach.shape[1]
    stacked = ("downtime_hours", "outages", "window_breach", "stockouts", "deferrals", "shortfall_hours")
    out = {f: np.empty((reps, *getattr(last, f).shape[1:]), getattr(last, f).dtype) for f in stacked}
    sparse = ("window_flat", "window_downtime_min", "window_availability", "window_service_min")
    parts: dict[str, list] = {f: [] for f in sparse}
    out["attribution_min"] = np.zeros_like(last.attribution_min)
    out["breach_cause"] = np.zeros_like(last.breach_cause)
    out["counted"] = np.zeros(reps)
    out["worst"] = []
    row = 0
    while ordered:
        o = ordered.pop()
        n = o.downtime_hours.size
        for f in stacked:
            out[f][row : row + n] = getattr(o, f)
        parts["window_flat"].append(o.window_flat + row * n_w)
        parts["window_downtime_min"].append(o.window_downtime_min)
        parts["window_availability"].append(o.window_availability)
        parts["window_service_min"].append(o.window_service_min)
        if n_w:
            np.add.at(out["counted"], row + o.window_flat // n_w, o.window_downtime_min)
        else:
            out["counted"][row : row + n] = o.downtime_hours
        out["attribution_min"] += o.attribution_min
        out["breach_cause"] += o.breach_cause
        row += n
        # candidates in replication order, so that ties go to the lower one
        kept = sorted(out["worst"] + list(o.worst), key=lambda w: w[0])
        counted = np.array([out["counted"][r] for r, _ in kept], dtype=float)
        out["worst"] = [kept[i] for i in worst_replications(counted, WORST_KEPT)]
    for f in sparse:
        out[f] = np.concatenate(parts[f])
    return out


def _window_figures(scenario, gathered: dict, horizon_hours) -> _WindowFigures:
    sparse = (gathered["window_breach"], gathered["window_flat"])
    sparse += (gathered["window_downtime_min"], gathered["window_availability"])
    sparse += (gathered["window_service_min"],)
    if scenario.sla is None:
        return _WindowFigures(
            None, np.zeros(0, dtype=object), np.zeros(0, dtype="datetime64[s]"), np.zeros(0), None, *sparse
        )
    from simulation.measure import SlaMeter

    meter = SlaMeter(scenario.sla, scenario.calendar, horizon_hours)
    wins = meter.windows
    starts = [scenario.calendar.local(s) for s in wins.start]
    return _WindowFigures(
        scenario.sla,
        np.asarray(wins.labels, dtype=object),
        np.asarray(starts, dtype="datetime64[s]"),
        meter.service_min,
        np.asarray(wins.end) - np.asarray(wins.start),
        *sparse,
    )
