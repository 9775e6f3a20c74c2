"""`Result`: the figures of a run, as tables, a summary, plots and the JSON report."""

from __future__ import annotations

import json
from functools import cached_property

import numpy as np
import pandas as pd

from simulation.measure.stats import ConfidenceInterval
from simulation.model.scenario import HOURS_PER_YEAR, Scenario

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
        One row per replication: ``availability``, ``downtime_hours``, ``outages``.
    windows : DataFrame
        One row per (replication, SLA window): ``window``, ``start``, ``service_min``,
        ``downtime_min``, ``availability``, ``breach``, ``credit_pct``. For a sliding
        window a row is a calendar month, and ``service_min`` and ``downtime_min``
        are those of the trailing window where its lowest availability is reached.
    attribution : DataFrame
        Counted downtime by instance, largest first: ``instance``, ``component``,
        ``downtime_min``, ``downtime_share``.
    targets : DataFrame
        The target table (`simulation.measure.targets.TargetRisk.table`): risk per
        window and per contract year, breaches per year and expected credit of a range
        of targets around the contract's and the achievable one.
    timelines : list of Timeline
        The outage segments of every replication.
    precision : Precision or None
        For a precision-driven run: the relative CI half-widths achieved.
    support : DataFrame or None
        With a support desk: one row per (replication, window, channel), see
        `simulation.support.figures.support_table`; `support_figures` sums it up.
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
        windows,
        attribution,
        timelines,
        window_hours,
        precision=None,
        support_data=None,
    ):
        self.scenario: Scenario = scenario
        self.engine, self.engine_reason = engine, engine_reason
        self.seed, self.horizon_hours = seed, horizon_hours
        self.elapsed_seconds = elapsed_seconds
        self.per_replication: pd.DataFrame = per_replication
        self.windows: pd.DataFrame = windows
        self.attribution: pd.DataFrame = attribution
        self.timelines = timelines
        self._window_hours = window_hours  # length of each SLA window, hours
        self.precision = precision
        self._support = support_data  # (table, histogram, measured hours per replication) or None
        self.support: pd.DataFrame | None = None if support_data is None else support_data[0]

    # ----------------------------------------------------------------- building
    @classmethod
    def from_batches(
        cls, scenario, outputs, *, engine, engine_reason, seed, horizon_hours, elapsed_seconds, precision=None
    ) -> Result:
        outputs = sorted(outputs, key=lambda o: o.batch)
        down = np.concatenate([o.downtime_hours for o in outputs])
        per_rep = pd.DataFrame(
            {
                "replication": np.arange(down.size),
                "availability": 1.0 - down / horizon_hours,
                "downtime_hours": down,
                "outages": np.concatenate([o.outages for o in outputs]),
            }
        )
        timelines = [t for o in outputs for t in o.timelines]
        ids = list(scenario.instances)
        attr_min = np.sum([o.attribution_min for o in outputs], axis=0)
        total = attr_min.sum()
        attribution = pd.DataFrame(
            {
                "instance": ids,
                "component": [scenario.instances[i].component for i in ids],
                "downtime_min": attr_min,
                "downtime_share": attr_min / total if total > 0 else np.zeros_like(attr_min),
            }
        )
        attribution = (
            attribution[attribution.downtime_min > 0]
            .sort_values("downtime_min", ascending=False, kind="stable")
            .reset_index(drop=True)
        )
        windows, window_hours = _window_table(scenario, outputs, horizon_hours)
        from simulation.support.figures import run_support

        return cls(
            scenario,
            engine,
            engine_reason,
            seed,
            horizon_hours,
            elapsed_seconds,
            per_rep,
            windows,
            attribution,
            timelines,
            window_hours,
            precision,
            run_support(scenario, outputs, horizon_hours),
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
        """Fraction of all simulated time the service was up."""
        return float(self.per_replication.availability.mean())

    def availability_ci(self, confidence: float = 0.95) -> ConfidenceInterval:
        """Interval of the mean availability over replications, within [0, 1].

        The t-interval of the replications' availabilities, clipped to [0, 1]; when no
        replication had any downtime, the zero-event bound on the share of replications
        with downtime (`simulation.measure.stats.fraction_mean_ci`); ``(0, 1)`` for a
        single replication with downtime. Unpacks as ``lo, hi = result.availability_ci()``.
        """
        from simulation.measure.stats import fraction_mean_ci

        return fraction_mean_ci(self.per_replication.availability.to_numpy(), confidence)

    @cached_property
    def analytic_availability(self) -> float | None:
        """Steady-state availability from the analytic solvers, or None where none applies."""
        from simulation.analytic import steady_state_availability

        return steady_state_availability(self.scenario)

    @cached_property
    def breach_probability(self) -> float | None:
        """P(a window is breached), over all windows of all replications."""
        if self.windows.empty:
            return None
        return float(self.windows.breach.mean())

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

        if self.windows.empty:
            return None
        breach = self.windows.breach.to_numpy().reshape(self.replications, -1)
        return clustered_proportion_ci(breach.sum(axis=1), breach.shape[1], confidence)

    @cached_property
    def expected_credit_percent(self) -> float | None:
        return None if self.windows.empty else float(self.windows.credit_pct.mean())

    @cached_property
    def breaches_per_year(self) -> float | None:
        """Breached windows per year of complete windows."""
        if self.windows.empty:
            return None
        window_years = self._window_hours.sum() / HOURS_PER_YEAR
        return float(self.windows.breach.sum() / (self.replications * window_years))

    @cached_property
    def expected_credit_per_year(self) -> float | None:
        """Expected credit per year in the currency of `SLA.fee`; None without a fee."""
        if self.windows.empty or self.sla.fee is None:
            return None
        window_years = self.replications * self._window_hours.sum() / HOURS_PER_YEAR
        return float(self.sla.fee.amount * self.windows.credit_pct.sum() / 100.0 / window_years)

    @cached_property
    def target_risk(self):
        """`simulation.measure.targets.TargetRisk` of this run (None without SLA windows)."""
        from simulation.measure.targets import TargetRisk, contract_years
        from simulation.measure.windows import window_bounds

        if self.windows.empty:
            return None
        windows = window_bounds(self.sla.window, self.scenario.calendar, self.horizon_hours)
        return TargetRisk(
            self.windows.availability.to_numpy().reshape(self.replications, -1),
            self.sla,
            self._window_hours,
            contract_years(self.scenario.calendar, windows, self.horizon_hours),
        )

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

        if self.windows.empty or self.sla.chronic is None:
            return None
        breach = self.windows.breach.to_numpy().reshape(self.replications, -1)
        return chronic_triggered(breach, self.sla.chronic.breaches, self.sla.chronic.within)

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
        """Distribution of window availability with target and credit tiers marked."""
        from simulation.report.plots import plot_window_availability

        return plot_window_availability(self, ax=ax)

    def plot_timeline(self, replication: int = 0, ax=None):
        """The outages of one replication on the calendar."""
        from simulation.report.plots import plot_outage_timeline

        return plot_outage_timeline(self, replication, ax=ax)

    def plot_attribution(self, ax=None, top: int = 15):
        """Pareto chart of counted downtime by instance."""
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

    def save_plots(self, directory) -> list:
        """Write the standard plots as PNG files into `directory`; return the paths."""
        from simulation.report.plots import save_plots

        return save_plots(self, directory)


def _window_table(scenario, outputs, horizon_hours):
    if scenario.sla is None:
        return pd.DataFrame(
            columns=[
                "replication",
                "window",
                "start",
                "service_min",
                "downtime_min",
                "availability",
                "breach",
                "credit_pct",
            ]
        ), None
    from simulation.measure import SlaMeter

    meter = SlaMeter(scenario.sla, scenario.calendar, horizon_hours)
    wins = meter.windows
    n_w = len(wins.labels)
    avail = np.concatenate([o.window_availability for o in outputs])
    reps = avail.shape[0]
    starts = [scenario.calendar.local(s) for s in wins.start]
    table = pd.DataFrame(
        {
            "replication": np.repeat(np.arange(reps), n_w),
            "window": np.tile(np.asarray(wins.labels, dtype=object), reps),
            "start": np.tile(np.asarray(starts, dtype="datetime64[s]"), reps),
            "service_min": np.concatenate([o.window_service_min for o in outputs]).ravel(),
            "downtime_min": np.concatenate([o.window_downtime_min for o in outputs]).ravel(),
            "availability": avail.ravel(),
            "breach": np.concatenate([o.window_breach for o in outputs]).ravel(),
            "credit_pct": 100.0 * np.concatenate([o.window_credit for o in outputs]).ravel(),
        }
    )
    return table, np.asarray(wins.end) - np.asarray(wins.start)
