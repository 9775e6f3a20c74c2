"""Plots of a Result. Each takes ``ax=None`` and returns the Axes; none calls show()."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulation.model.scenario import HOURS_PER_YEAR
from simulation.model.timeline import cause_labels


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4.5))
    return ax


def _window_word(sla) -> str:
    """'month', 'quarter', 'year', 'month (sliding 30d)' or 'rolling 30d window' as a noun."""
    from simulation.model.sla import Rolling

    return f"{sla.window_label} window" if isinstance(sla.window, Rolling) else sla.window_label


def _windows_word(sla, n: int = 2) -> str:
    """The plural of `_window_word` (singular when `n` is 1): 'months (sliding 30d)'."""
    from simulation.report.summary import _plural

    return _plural(sla.window_label) if n != 1 else _window_word(sla)


def _pct_text(x: float) -> str:
    """A percentage with the digits that matter near 100 % (99.9848 %, 99.5 %)."""
    return f"{100 * x:.4f}".rstrip("0").rstrip(".") + " %"


def _interval_text(ci, fmt) -> str:
    return "n/a" if ci is None else f"{fmt(ci.low)} .. {fmt(ci.high)}"


def plot_window_availability(result, ax=None):
    """Histogram of window availability, on linear axes, with the target and credit tiers.

    Windows without counted downtime (availability exactly 100 %) are not drawn as a bar,
    which would dwarf the rest; the legend gives their share. The x axis runs from just
    below the lowest of the target, the credit tiers and the 0.5th percentile up to
    100 %; windows below it are piled in a hatched bar at the left edge, labelled with
    their share. Credit tiers are shaded bands (a tier equal to the target stays
    visible). The title gives the window, the mean counted availability per window
    (`Result.window_availability_mean`: service hours, the SLA's rules) and P(breach)
    with their 95 % confidence intervals.

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    sla = result.sla
    n = result.window_breach.size
    if sla is None or not n:
        ax.text(0.5, 0.5, "no SLA windows", ha="center", va="center", transform=ax.transAxes)
        return ax
    word = _window_word(sla)
    # the windows with counted downtime; every other window is at 100 %
    shown = 100.0 * result.windows_with_downtime().availability.to_numpy()
    shown = shown[shown < 100.0]
    perfect_share = 1.0 - shown.size / n
    floor = min(100.0 * sla.target, 100.0 * result.window_availability_quantile(0.005))
    floor = max(0.0, floor - 0.25 * (100.0 - floor))
    below = shown < floor
    bins = np.linspace(floor, 100.0, 51)
    weights = np.full(shown.size, 100.0 / n)  # bar height: share of all windows (%)
    ax.hist(
        shown[~below],
        bins=bins,
        weights=weights[~below],
        color="#4c72b0",
        label=f"{_windows_word(sla)} with counted downtime",
    )
    if below.any():
        share = 100.0 * below.sum() / n
        ax.bar(
            bins[0],
            share,
            width=bins[1] - bins[0],
            align="edge",
            color="#8c8c8c",
            hatch="///",
            edgecolor="white",
            label=f"below {floor:.3g} % (off the axis): {share:.2g} % of {_windows_word(sla)}",
        )
    # credit tiers as bands, deepest credit darkest; a tier off the axis says so
    tiers = sorted(sla.credits, key=lambda t: t.below, reverse=True)
    for i, tier in enumerate(tiers):
        left = 100.0 * tiers[i + 1].below if i + 1 < len(tiers) else floor
        label = f"credit {100 * tier.credit:g} % (below {100 * tier.below:g} %)"
        if 100.0 * tier.below <= floor:
            ax.plot([], [], " ", label=label + ": off the axis")
            continue
        ax.axvspan(
            max(left, floor), 100.0 * tier.below, color="#dd8452", alpha=0.15 + 0.15 * i, lw=0, label=label
        )
    ax.axvline(100.0 * sla.target, color="#c44e52", lw=2, label=f"target {100 * sla.target:g} %")
    ax.plot(
        [],
        [],
        " ",
        label=f"at 100 %, no counted downtime (not drawn): {100 * perfect_share:.1f} % "
        f"of {_windows_word(sla)}",
    )
    ax.set_xlim(floor, 100.0)
    ax.set_xlabel(f"counted availability per {word} (%, service hours, SLA rules)")
    ax.set_ylabel(f"share of all {n:,} {_windows_word(sla, n)} (%)")
    ax.ticklabel_format(axis="x", useOffset=False, style="plain")
    ci = result.window_availability_mean_ci()
    bci = result.breach_ci()
    ax.set_title(
        f"{result.scenario.name}: counted availability per {word}\n"
        f"mean {_pct_text(result.window_availability_mean)} (95 % CI {_interval_text(ci, _pct_text)})\n"
        f"P(breach per {word}) {result.breach_probability:.4f} "
        f"(95 % CI {_interval_text(bci, lambda x: f'{x:.4f}')})",
        fontsize=9,
    )
    ax.legend(fontsize=8, loc="upper left")
    return ax


def _duration_text(hours: float) -> str:
    """15 s, 12 min, 3.4 h, 21.3 d: the unit a reader expects for each length."""
    seconds = hours * 3600.0
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if hours < 72:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def _outages(tl):
    """Touching segments joined: (start, end, index of the longest segment) per outage."""
    if not len(tl):
        return np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64)
    new = np.ones(len(tl), dtype=bool)
    new[1:] = tl.start[1:] > tl.end[:-1]
    first = np.flatnonzero(new)
    last = np.r_[first[1:] - 1, len(tl) - 1]
    seg = tl.end - tl.start
    longest = np.array([a + np.argmax(seg[a : b + 1]) for a, b in zip(first, last)], dtype=np.int64)
    return tl.start[first], tl.end[last], longest


def plot_outage_timeline(result, replication: int | None = None, ax=None):
    """The outages of one replication on the calendar: the worst one by default.

    Each outage is a vertical bar at its start whose height is its duration, on a
    logarithmic axis labelled in seconds, minutes, hours and days (a 15 s switchover
    and a 9 h repair are both readable). The part the SLA counts (inside service hours, not
    excluded, not below `min_outage`; before interval rounding) is drawn over the
    clock duration. SLA window borders are drawn and breached windows shaded. Labels
    name the cause and duration of the longest outages, without overlapping.

    Parameters
    ----------
    replication : int, optional
        Default: the replication with the most counted downtime (the worst simulated
        year for a one-year horizon).

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.dates as mdates
    from matplotlib.ticker import FixedLocator, NullLocator

    ax = _axes(ax)
    worst = replication is None
    r = result.worst_timelines[0][0] if worst else int(replication)
    tl = result.timeline(r)
    cal = result.scenario.calendar
    sla = result.sla
    ids = cause_labels(result.scenario.instances)
    to_num = lambda h: mdates.date2num(cal.local(h))  # noqa: E731
    start, end, longest = _outages(tl)
    cause = tl.cause[longest]
    clock = end - start
    counted = _counted(result, tl, start)
    floor_h = 1.0 / 3600.0  # bars start at 1 s
    x = np.array([to_num(h) for h in start])
    ax.vlines(x, floor_h, np.maximum(clock, floor_h), color="#c5c5c5", lw=3, label="clock duration")
    if counted is not None:
        ax.vlines(
            x,
            floor_h,
            np.maximum(counted, floor_h),
            color="#c44e52",
            lw=3,
            label="counted by the SLA",
        )
    ax.set_yscale("log")
    ticks = {1 / 3600: "1 s", 10 / 3600: "10 s", 1 / 60: "1 min", 10 / 60: "10 min", 1.0: "1 h"}
    ticks.update({10.0: "10 h", 240.0: "10 d", 2400.0: "100 d"})
    top = max(10.0, 3 * float(clock.max())) if clock.size else 10.0
    ax.set_ylim(floor_h, top)
    ax.yaxis.set_major_locator(FixedLocator([t for t in ticks if t <= top]))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_yticklabels([text for t, text in ticks.items() if t <= top])
    ax.set_ylabel("outage duration")
    # windows: borders, breached ones shaded with their availability
    breached_n = 0
    if sla is not None and result.window_breach.size:
        from simulation.measure.windows import window_bounds

        wins = window_bounds(sla.window, cal, result.horizon_hours)
        avail, counted_min, breach = result.window_figures(r)
        for i, (a, b) in enumerate(zip(wins.start, wins.end, strict=True)):
            ax.axvline(to_num(a), color="#999999", lw=0.5, ls=":")
            if breach[i]:
                breached_n += 1
                ax.axvspan(to_num(a), to_num(b), color="#c44e52", alpha=0.10, lw=0)
                # upright inside its own window, so neighbouring breached windows never overlap
                ax.text(
                    (to_num(a) + to_num(b)) / 2,
                    floor_h * 1.3,
                    f"breached {_pct_text(avail[i])}",
                    rotation=90,
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color="#c44e52",
                    bbox={"fc": "white", "alpha": 0.8, "lw": 0, "pad": 1},
                )
        ax.axvline(to_num(wins.end[-1]), color="#999999", lw=0.5, ls=":")
    # labels: longest outages first, skipping any too close to one already placed
    span = to_num(result.horizon_hours) - to_num(0.0)
    placed: list[float] = []
    for i in np.argsort(-clock, kind="stable")[:12]:
        if any(abs(x[i] - p) < span / 14 for p in placed) or len(placed) == 6:
            continue
        placed.append(x[i])
        ax.annotate(
            f"{ids[cause[i]]}\n{_duration_text(clock[i])}",
            (x[i], clock[i]),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
        )
    ax.set_xlim(to_num(0.0), to_num(result.horizon_hours))
    ax.xaxis_date()
    years = result.horizon_hours / HOURS_PER_YEAR
    runs = "years" if abs(years - 1.0) < 0.01 else f"{years:.3g}-year runs"
    head = (
        f"worst of {result.replications:,} simulated {runs} by {'counted ' if sla else ''}downtime "
        f"(replication {r})"
        if worst
        else f"replication {r} of {result.replications:,} simulated {runs}"
    )
    n = start.size
    detail = f"{n} outage{'s' if n != 1 else ''}, {_duration_text(clock.sum())} down by the clock"
    if sla is not None and result.window_breach.size:
        detail += (
            f", {_duration_text(counted_min.sum() / 60)} counted by the SLA; "
            f"{breached_n} breached {_windows_word(sla, breached_n)} shaded"
        )
    ax.set_title(f"{result.scenario.name}: {head}\n{detail.replace('; ', chr(10))}", fontsize=9)
    # below the axes, where no outage or label can hide under it
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    return ax


def _counted(result, tl, start):
    """Hours of each outage (starting at `start`) that the SLA counts: its counted
    segments (exclusions, `min_outage`) inside service hours, before interval
    rounding; None without an SLA."""
    if result.sla is None:
        return None
    from simulation.measure import SlaMeter
    from simulation.measure.meter import covered_length

    meter = SlaMeter(result.sla, result.scenario.calendar, result.horizon_hours)
    a, b, _ = meter.counted_segments(tl)
    # service hours of each counted segment
    hours = covered_length(meter.period_start, meter.period_end, b) - covered_length(
        meter.period_start, meter.period_end, a
    )
    outage = np.searchsorted(start, a, side="right") - 1
    return np.bincount(outage, weights=hours, minlength=start.size)


def plot_attribution(result, ax=None, top: int = 12):
    """Which parts cause the trouble: counted downtime per year, and the share of breached
    windows each part caused, per instance (horizontal bars, largest first).

    Bars: counted downtime per year of SLA windows (raw downtime per simulated year
    without an SLA). Beside each bar: that figure and the share of breached windows
    whose counted downtime came mostly from the instance. Parts are ordered by the
    larger of their downtime share and breach share.

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    attr = result.attribution
    if attr.empty:
        ax.text(0.5, 0.5, "no counted downtime", ha="center", va="center", transform=ax.transAxes)
        return ax
    key = np.maximum(attr.downtime_share.to_numpy(), attr.breach_share.to_numpy())
    attr = attr.iloc[np.argsort(-key, kind="stable")[:top]]
    hours = result.horizon_hours if result._window_hours is None else float(result._window_hours.sum())
    years = result.replications * hours / HOURS_PER_YEAR
    y = np.arange(len(attr))
    per_year = attr.downtime_min.to_numpy() / years
    ax.barh(y, per_year, height=0.6, color="#4c72b0")
    breached = int(result.window_breach.sum()) if result.window_breach.size else 0
    words = _windows_word(result.sla) if result.sla is not None else "windows"
    for yi, v, share in zip(y, per_year, attr.breach_share.to_numpy(), strict=True):
        text = f" {v:.3g} min/year"
        if breached:
            pct = f"{100 * share:.0f} %"
            if 0 < share < 0.01:
                pct = "< 1 %"
            elif 0.99 < share < 1:
                pct = "> 99 %"
            text += f"; caused {pct} of breached {words}"
        ax.annotate(text, (v, yi), va="center", fontsize=8)
    ax.set_yticks(y, attr.instance, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, per_year.max() * 1.9)
    counted = "counted downtime" if result.sla is not None else "downtime"
    ax.set_xlabel(f"{counted} per year (min)")
    runs = "years" if abs(result.horizon_hours - HOURS_PER_YEAR) < 1 else "runs"
    scope = f"{result.replications:,} simulated {runs}"
    if breached:
        scope += f", {breached:,} breached {_windows_word(result.sla, breached)}"
    ax.set_title(f"{result.scenario.name}: what causes the downtime and the breaches\n({scope})", fontsize=10)
    return ax


def plot_target_risk(result, ax=None, points: int = 120):
    """Risk of every target on a continuous axis, with the accepted risk and the expected credit.

    The x axis is the target, spaced by its unavailability on a log scale (99 %, 99.9 %,
    99.99 % equally apart) across the range of the target table (`Result.targets`),
    with a tick at each of its targets (the achievable one labelled with its value).
    Two curves with their clustered 95 % bands: P(breach per window) and P(>= 1
    breached window per contract year); the accepted risk as a dashed line in the
    unit it is stated in; the contract's and the achievable target marked; the
    expected credit (per year in the fee's currency, or in % of the fee per window
    without a fee) on the second axis, scaled to its lower half so that it does not
    lie on the probability curves. `points` targets are evaluated.
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
    _target_ticks(ax, table.target.to_numpy(), best)
    ax.set_xlabel(f"target availability per {label} (spaced by log of 100 % - target)")
    ax.set_ylabel("probability")
    top = max(max(r["breach_year_high"] for r in rows), sla.risk)
    ax.set_ylim(0, min(1.0, top * 1.1))
    twin = ax.twinx()
    key = "credit_per_year" if sla.fee is not None else "credit_pct"
    credit = np.array([r[key] for r in rows])
    twin.plot(u, credit, color="#dd8452", lw=1.5, ls="-.", marker="o", markevery=10, ms=3)
    if sla.fee is not None:
        twin.set_ylabel(f"expected credit per year ({sla.fee.currency})", color="#dd8452")
    else:
        twin.set_ylabel(f"expected credit (% of the fee per {label})", color="#dd8452")
    # the credit often grows like P(>= 1 breach per year): on its own scale (the curve
    # in the lower half) it would lie on top of that curve
    twin.set_ylim(0, 2.2 * max(float(np.nanmax(credit)), 1e-9))
    twin.plot([], [], color="#dd8452", ls="-.", marker="o", ms=3, label="expected credit (right axis)")
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


def _target_ticks(ax, targets: np.ndarray, achievable: float | None) -> None:
    """Ticks at the target table's targets (round ones, the contract's, the achievable
    one with its value), labelled as targets; none closer than a tenth of the axis to a
    tick already placed, the achievable one first."""
    from matplotlib.ticker import FixedLocator, NullLocator

    lo, hi = ax.get_xlim()
    span = np.log10(lo) - np.log10(hi)  # the axis runs from lo (left) to hi
    order = sorted(set(targets[targets < 1.0]), key=lambda t: (t != achievable, -t))
    placed: list[float] = []
    for t in order:
        u = 1.0 - t
        if not min(lo, hi) <= u <= max(lo, hi):
            continue
        if all(abs(np.log10(u) - np.log10(p)) > abs(span) / 14 for p in placed):
            placed.append(u)
    ax.xaxis.set_major_locator(FixedLocator(sorted(placed)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{100 * (1 - u):.10g} %" for u in sorted(placed)], fontsize=8)
    if achievable is not None and 1.0 - achievable in placed:
        i = sorted(placed).index(1.0 - achievable)
        ax.get_xticklabels()[i].set_color("#8172b3")


def plot_support_response(result, ax=None):
    """Share of tickets answered within t, per support channel (t on a log axis), with
    each channel's response objective marked.

    All channels wait in the desk's one queue, so their curves coincide: each is drawn
    in its own line style (the first wide and pale beneath the others) and the legend
    says so."""
    from simulation.support.figures import hist_upper_edges

    ax = _axes(ax)
    f = result.support_figures
    if f is None:
        ax.text(0.5, 0.5, "no support desk", ha="center", va="center", transform=ax.transAxes)
        return ax
    edges = hist_upper_edges()
    finite = np.isfinite(edges)
    lowest = 0.01
    styles = ("-", "--", ":", "-.")
    drawn = sum(1 for i in range(len(f.channels)) if f.histogram[i].sum())
    for i, ch in enumerate(f.channels):
        counts = f.histogram[i]
        if not counts.sum():
            continue
        cdf = np.cumsum(counts) / counts.sum()
        x = np.maximum(edges[finite], lowest)
        # every channel waits in the desk's one queue, so the curves lie on each other:
        # the first drawn wide and pale, the next ones narrower and dashed over it
        (line,) = ax.step(
            x,
            100.0 * cdf[finite],
            where="post",
            ls=styles[i % len(styles)],
            lw=max(4.0 - 1.5 * i, 1.2),
            alpha=0.55 if i == 0 and drawn > 1 else 1.0,
            label=f"{ch.name} ({ch.tickets:,} tickets)",
        )
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
    ax.set_title(f"{result.scenario.name}: support response times, {result.replications:,} replications")
    if drawn > 1:
        ax.plot([], [], " ", label="one queue for all channels: the curves coincide")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def _first_network(service):
    from simulation.model.structure import Network, iter_blocks

    return next((b for b in iter_blocks(service) if isinstance(b, Network)), None)


def plot_network(result, ax=None):
    """The first network block of the service at its nodes' geographic positions.

    Links are coloured by their share of the run's counted downtime (the summed
    `Result.attribution` shares of the link's own parts and risk groups: its
    criticality), nodes by theirs; the quickest path (by latency) from the source to
    each target is drawn underneath, wider. With per-site sources (`Result.sites`), the
    sites are coloured instead by their P(breach) per SLA window (without SLA windows:
    their unavailability) on a colour bar of their own spanning the sites' range, the
    targets drawn as black squares and the other nodes small and grey, and the paths
    shaded are those of the first site (the run's own figures).
    Nodes without a position are laid out by networkx's spring layout (seed 0). Raises
    ValueError when the service has no network block.
    """
    import networkx as nx
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    from simulation.model.structure import leaves

    block = _first_network(result.scenario.service)
    if block is None:
        raise ValueError("the service has no network block")
    ax = _axes(ax)
    spec = block.spec
    g = spec.graph.to_networkx()
    pos = nx.get_node_attributes(g, "pos")
    if len(pos) < g.number_of_nodes():
        pos = nx.spring_layout(g, pos=pos or None, fixed=list(pos) or None, seed=0)
    sites = result.sites
    share = _downtime_share(result)
    element_share = {}
    for element, member in zip(block.elements, block.members):
        key = frozenset(element) if isinstance(element, tuple) else element
        if sites is None or isinstance(element, tuple):
            element_share[key] = sum(share.get(i, 0.0) for i in dict.fromkeys(leaves(member)))
    drawn = [frozenset(e) for e in g.edges] + ([] if sites is not None else list(g.nodes))
    # the scale spans what is drawn (a site's access line, not drawn, would flatten it)
    top = max([*(element_share.get(k, 0.0) for k in drawn), 1e-12])
    cmap, norm = colormaps["viridis_r"], Normalize(0.0, top)
    for target in spec.targets:
        path = nx.shortest_path(g, spec.sources[0], target, weight="latency_hours")
        ax.plot(
            *zip(*(pos[n] for n in path)), color="orange", lw=7, alpha=0.35, zorder=1, solid_capstyle="round"
        )
    for a, b in g.edges:
        c = cmap(norm(element_share.get(frozenset((a, b)), 0.0)))
        ax.plot(*zip(pos[a], pos[b]), color=c, lw=2.2, zorder=2)
    if sites is None:
        xs, ys = zip(*(pos[n] for n in g.nodes))
        colours = [cmap(norm(element_share.get(n, 0.0))) for n in g.nodes]
        ax.scatter(xs, ys, c=colours, s=40, zorder=3, edgecolors="black", linewidths=0.5)
    else:
        _site_nodes(ax, result, sites, pos, g, spec.targets)
    for n in g.nodes:
        weight = "bold" if n in spec.sources or n in spec.targets else "normal"
        ax.annotate(n, pos[n], fontsize=7, xytext=(3, 3), textcoords="offset points", weight=weight)
    ax.figure.colorbar(
        ScalarMappable(norm=norm, cmap=cmap),
        ax=ax,
        label="links: share of all sites' counted downtime"
        if sites is not None
        else "share of counted downtime",
    )
    seen = f"{len(sites)} sites; from {spec.sources[0]}" if sites is not None else spec.sources[0]
    ax.set_title(f"{block.name or 'network'}: {seen} to {', '.join(spec.targets)} (quickest paths shaded)")
    if len(nx.get_node_attributes(g, "pos")) == len(g):
        ax.set_xlabel("longitude (degrees)")
        ax.set_ylabel("latitude (degrees)")
    return ax


def _downtime_share(result) -> dict[str, float]:
    """Instance -> share of the counted downtime: of the run's, or with per-site sources
    of all sites' together."""
    if not result.site_results:
        return dict(zip(result.attribution.instance, result.attribution.downtime_share))
    minutes: dict[str, float] = {}
    for r in result.site_results.values():
        for iid, m in zip(r.attribution.instance, r.attribution.downtime_min):
            minutes[iid] = minutes.get(iid, 0.0) + float(m)
    total = sum(minutes.values())
    return {iid: m / total for iid, m in minutes.items()} if total > 0 else {}


def _site_nodes(ax, result, sites, pos, g, targets) -> None:
    """Customer sites coloured by P(breach per window) (else unavailability), with a
    colour bar from 0 to the largest; the targets as black squares, the other nodes
    small and grey."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    if result.breach_probability is not None:
        values = sites.breach_probability.to_numpy()
        label = f"sites: P(breach per {result.sla.window_label})"
    else:
        values = 1.0 - sites.availability.to_numpy()
        label = "sites: unavailability"
    ax.scatter(*zip(*(pos[n] for n in targets)), marker="s", c="black", s=60, zorder=4)
    others = [n for n in g.nodes if n not in set(sites.site) and n not in targets]
    if others:
        ax.scatter(
            *zip(*(pos[n] for n in others)), c="lightgrey", s=18, zorder=3, edgecolors="grey", linewidths=0.5
        )
    # the colour scale starts at 0, so that sites that differ by little (often by less
    # than their intervals: the summary's sites line says so) look alike
    high = max(float(values.max()), 1e-12)
    cmap, norm = colormaps["Reds"], Normalize(0.0, high)
    xs, ys = zip(*(pos[n] for n in sites.site))
    ax.scatter(xs, ys, c=cmap(norm(values)), s=70, zorder=4, edgecolors="black", linewidths=0.6)
    ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=label)


def save_plots(result, directory) -> list[Path]:
    """Write availability.png, timeline.png, attribution.png and target-risk.png into `directory`
    (and support.png when the scenario has a support desk, network.png when it has a
    network block)."""
    from matplotlib.figure import Figure  # no pyplot: works under any backend, leaks no figures

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, draw in (
        ("availability", plot_window_availability),
        ("timeline", plot_outage_timeline),
        ("attribution", plot_attribution),
        ("target-risk", plot_target_risk),
        *([("support", plot_support_response)] if result.support is not None else []),
        *([("network", plot_network)] if _first_network(result.scenario.service) is not None else []),
    ):
        fig = Figure(figsize=(9, 4.8))
        draw(result, ax=fig.subplots())
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths
