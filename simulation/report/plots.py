"""Plots of a Result. Each takes ``ax=None`` and returns the Axes; none calls show()."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4.5))
    return ax


def plot_window_availability(result, ax=None):
    """Histogram of window availability (%) with the target and credit tiers marked."""
    ax = _axes(ax)
    sla = result.sla
    if sla is None or result.windows.empty:
        ax.text(0.5, 0.5, "no SLA windows", ha="center", va="center", transform=ax.transAxes)
        return ax
    avail = 100.0 * result.windows.availability.to_numpy()
    floor = min(np.percentile(avail, 0.5), 100.0 * sla.target) - 0.02
    clipped = np.clip(avail, floor, 100.0)
    ax.hist(clipped, bins=60, range=(floor, 100.0), color="#4c72b0", alpha=0.85)
    ax.set_yscale("log")
    ax.axvline(100.0 * sla.target, color="#c44e52", lw=2, label=f"target {100 * sla.target:g} %")
    for tier in sla.credits:
        if 100.0 * tier.below >= floor:
            ax.axvline(
                100.0 * tier.below,
                color="#dd8452",
                ls="--",
                lw=1,
                label=f"< {100 * tier.below:g} %: credit {100 * tier.credit:g} %",
            )
    ax.set_xlabel(f"availability per {sla.window_label} (%)  [values below {floor:.2f} % shown at the edge]")
    ax.set_ylabel("windows")
    ax.set_title(f"{result.scenario.name}: P(breach) = {result.breach_probability:.4f}")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_outage_timeline(result, replication: int = 0, ax=None):
    """The outages of one replication on the calendar, with its breached windows shaded.

    Outages are drawn at least a few hours wide so that short ones stay visible; the
    label gives the cause and the real duration.
    """
    import matplotlib.dates as mdates

    ax = _axes(ax)
    tl = result.timelines[replication]
    cal = result.scenario.calendar
    ids = list(result.scenario.instances)
    to_num = lambda h: mdates.date2num(cal.local(h))  # noqa: E731
    span = to_num(result.horizon_hours) - to_num(0.0)
    if not result.windows.empty:
        rows = result.windows[result.windows.replication == replication]
        for start, breach in zip(rows.start, rows.breach):
            if breach:
                begin = mdates.date2num(start.to_pydatetime())
                end = begin + (mdates.date2num((start + _window_offset(result.sla)).to_pydatetime()) - begin)
                ax.axvspan(begin, end, color="#c44e52", alpha=0.12, lw=0)
    width = span / 250.0
    bars = [(to_num(s), max(to_num(e) - to_num(s), width)) for s, e in zip(tl.start, tl.end)]
    ax.broken_barh(bars, (0.2, 0.5), color="#c44e52")
    longest = np.argsort(tl.start - tl.end)[:8]
    for i in longest:
        hours = tl.end[i] - tl.start[i]
        text = (
            f"{ids[tl.cause[i]]} {hours:.1f} h" if hours >= 1 else f"{ids[tl.cause[i]]} {60 * hours:.0f} min"
        )
        ax.annotate(text, (to_num(tl.start[i]), 0.75), fontsize=7, rotation=30)
    ax.set_xlim(to_num(0.0), to_num(result.horizon_hours))
    ax.set_ylim(0, 1.5)
    ax.set_yticks([])
    ax.xaxis_date()
    n = len(tl)
    ax.set_title(
        f"replication {replication}: {n} outage{'s' if n != 1 else ''}, {tl.downtime_hours * 60:.0f} min down"
        + ("; breached windows shaded" if not result.windows.empty else "")
    )
    return ax


def _window_offset(sla):
    """Length of a window as a pandas offset (for shading)."""
    import pandas as pd

    from simulation.model.sla import Sliding

    if isinstance(sla.window, Sliding):  # reported per calendar month
        return pd.DateOffset(months=1)
    if isinstance(sla.window, str):
        return {
            "month": pd.DateOffset(months=1),
            "quarter": pd.DateOffset(months=3),
            "year": pd.DateOffset(years=1),
        }[sla.window]
    return pd.Timedelta(hours=sla.window.hours)


def plot_attribution(result, ax=None, top: int = 15):
    """Pareto chart: counted downtime by instance, with the cumulative share."""
    ax = _axes(ax)
    attr = result.attribution.head(top)
    if attr.empty:
        ax.text(0.5, 0.5, "no counted downtime", ha="center", va="center", transform=ax.transAxes)
        return ax
    x = np.arange(len(attr))
    per_rep = attr.downtime_min.to_numpy() / result.replications
    ax.bar(x, per_rep, color="#4c72b0")
    ax.set_xticks(x, attr.instance, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("counted downtime per replication (min)")
    twin = ax.twinx()
    twin.plot(x, 100.0 * np.cumsum(attr.downtime_share.to_numpy()), color="#c44e52", marker="o")
    twin.set_ylim(0, 105)
    twin.set_ylabel("cumulative share (%)")
    ax.set_title("downtime attribution")
    ax.figure.tight_layout()
    return ax


def plot_target_risk(result, ax=None, points: int = 120):
    """Risk of every target on a continuous axis, with the accepted risk and the expected credit.

    The x axis is the target, spaced by its unavailability on a log scale (99 %, 99.9 %,
    99.99 % equally apart) across the range of the target table (`Result.targets`).
    Two curves with their clustered 95 % bands: P(breach per window) and P(>= 1
    breached window per contract year); the accepted risk as a dashed line in the
    unit it is stated in; the contract's and the achievable target marked; the
    expected credit (per year in the fee's currency, or in % of the fee per window
    without a fee) on the second axis. `points` targets are evaluated.
    """
    ax = _axes(ax)
    sla = result.sla
    risk = result.target_risk
    if sla is None or risk is None:
        ax.text(0.5, 0.5, "no SLA windows", ha="center", va="center", transform=ax.transAxes)
        return ax
    table = result.targets
    u_low, u_high = _unavailability_range(table.target.to_numpy())
    targets = 1.0 - np.geomspace(u_high, u_low, points)
    rows = [risk.row(t) for t in targets]
    u = 1.0 - targets
    label = sla.window_label
    for key, color, name in (
        ("breach_window", "#4c72b0", f"P(breach per {label})"),
        ("breach_year", "#55a868", "P(>= 1 breach per contract year)"),
    ):
        ax.plot(u, [r[key] for r in rows], color=color, lw=2, label=name)
        ax.fill_between(
            u,
            [r[f"{key}_low"] for r in rows],
            [r[f"{key}_high"] for r in rows],
            color=color,
            alpha=0.2,
            lw=0,
            label="95 % CI",
        )
    per = "year" if sla.risk_per == "year" else label
    ax.axhline(
        sla.risk, color="#c44e52", ls="--", lw=1.2, label=f"accepted risk {100 * sla.risk:g} % per {per}"
    )
    ax.axvline(1.0 - sla.target, color="#c44e52", lw=1, label=f"contract target {100 * sla.target:g} %")
    best = result.achievable_target
    if best is not None and best < 1.0:
        ax.axvline(1.0 - best, color="#8172b3", lw=1, ls=":", label=f"achievable target {100 * best:.3f} %")
    ax.set_xscale("log")
    ax.set_xlim(u_high, u_low)  # stricter targets to the right
    ax.xaxis.set_major_formatter(_target_formatter())
    ax.xaxis.set_minor_formatter(_target_formatter(minor=True))
    ax.set_xlabel(f"target availability per {label} (spaced by log of 100 % - target)")
    ax.set_ylabel("probability")
    top = max(max(r["breach_year_high"] for r in rows), sla.risk)
    ax.set_ylim(0, min(1.0, top * 1.1))
    twin = ax.twinx()
    if sla.fee is not None:
        twin.plot(u, [r["credit_per_year"] for r in rows], color="#dd8452", lw=1.5, ls="-.")
        twin.set_ylabel(f"expected credit per year ({sla.fee.currency})", color="#dd8452")
    else:
        twin.plot(u, [r["credit_pct"] for r in rows], color="#dd8452", lw=1.5, ls="-.")
        twin.set_ylabel(f"expected credit (% of the fee per {label})", color="#dd8452")
    twin.set_ylim(bottom=0)
    twin.plot([], [], color="#dd8452", ls="-.", label="expected credit (right axis)")
    handles, labels = ax.get_legend_handles_labels()
    extra_h, extra_l = twin.get_legend_handles_labels()
    ax.legend(handles + extra_h, labels + extra_l, fontsize=7, loc="upper left")
    ax.set_title(f"{result.scenario.name}: risk and credit by target ({result.replications:,} replications)")
    return ax


def _unavailability_range(targets: np.ndarray) -> tuple[float, float]:
    """The unavailabilities spanned by the target table's targets, widened a little."""
    u = 1.0 - targets[targets < 1.0]
    if not u.size:
        return 1e-5, 1e-2
    return max(u.min() / 1.5, 1e-7), min(u.max() * 1.5, 1.0)


def _target_formatter(minor: bool = False):
    """Tick labels of an unavailability axis, written as targets (``99.9 %``)."""
    from matplotlib.ticker import FuncFormatter

    def fmt(u, _pos):
        mantissa = u / 10 ** np.floor(np.log10(u))
        if minor and not np.isclose(mantissa, 5.0):
            return ""
        return f"{100 * (1 - u):.10g} %"

    return FuncFormatter(fmt)


def plot_support_response(result, ax=None):
    """Share of tickets answered within t, per support channel (t on a log axis), with
    each channel's response objective marked."""
    from simulation.support.figures import hist_upper_edges

    ax = _axes(ax)
    f = result.support_figures
    if f is None:
        ax.text(0.5, 0.5, "no support desk", ha="center", va="center", transform=ax.transAxes)
        return ax
    edges = hist_upper_edges()
    finite = np.isfinite(edges)
    lowest = 0.01
    for i, ch in enumerate(f.channels):
        counts = f.histogram[i]
        if not counts.sum():
            continue
        cdf = np.cumsum(counts) / counts.sum()
        x = np.maximum(edges[finite], lowest)
        (line,) = ax.step(x, 100.0 * cdf[finite], where="post", label=f"{ch.name} ({ch.tickets} tickets)")
        if ch.objective_min is not None:
            ax.axvline(ch.objective_min, color=line.get_color(), ls="--", lw=1)
            ax.annotate(
                f"{ch.name} objective {ch.objective_min:g} min",
                (ch.objective_min, 2),
                rotation=90,
                fontsize=7,
                color=line.get_color(),
                va="bottom",
                ha="right",
            )
    ax.set_xscale("log")
    ax.set_xlim(lowest, None)
    ax.set_ylim(0, 101)
    ax.set_xlabel("first-response time (minutes, log scale; picked up at once shown at 0.01)")
    ax.set_ylabel("tickets answered within (%)")
    ax.set_title(f"{result.scenario.name}: support response times, {result.replications} replications")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def save_plots(result, directory) -> list[Path]:
    """Write availability.png, timeline.png, attribution.png and target-risk.png into `directory`
    (and support.png when the scenario has a support desk)."""
    from matplotlib.figure import Figure  # no pyplot: works under any backend, leaks no figures

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, draw in (
        ("availability", plot_window_availability),
        ("timeline", lambda r, ax: plot_outage_timeline(r, _worst_replication(r), ax)),
        ("attribution", plot_attribution),
        ("target-risk", plot_target_risk),
        *([("support", plot_support_response)] if result.support is not None else []),
    ):
        fig = Figure(figsize=(9, 4.8))
        draw(result, ax=fig.subplots())
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths


def _worst_replication(result) -> int:
    """The replication with the most downtime: the interesting one to look at."""
    return int(result.per_replication.downtime_hours.idxmax())
