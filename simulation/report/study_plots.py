"""Plots of studies: a figure against a varied value (sweeps), cost against risk (optimise).

Each takes ``ax=None`` and returns the Axes; none calls show().
"""

from __future__ import annotations

import numpy as np


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4.5))
    return ax


def plot_sweep(table, x: str, figure: str = "sla.breach_probability", by: str | None = None, ax=None):
    """A figure of a sweep against one varied value, with its 95 % CI as a band.

    Parameters
    ----------
    table : DataFrame
        `simulation.sweep`'s table.
    x : str
        The varied key path (its column ``set.<x>``). Values are placed in the order of
        the table, labelled as given (``10000h``, ``99.9%``), evenly spaced.
    figure : str
        A column of the table, drawn with its interval where the table has one
        (``<figure>_ci95.low``/``.high``, as ``sla.breach_probability`` and
        ``cost.total`` have; ``availability.ci95.*`` for ``availability.mean``);
        default P(breach per window).
    by : str, optional
        Another varied key path: one line per value of it.

    Raises
    ------
    ValueError
        When `x`, `by` or `figure` is not a column of the table.
    """
    ax = _axes(ax)
    col = f"set.{x}"
    for c in (col, figure) + ((f"set.{by}",) if by else ()):
        if c not in table.columns:
            raise ValueError(f"{c!r} is not a column of the sweep table")
    stem = figure.removesuffix(".mean")  # availability.mean -> availability.ci95
    tried = (f"{figure}_ci95.low", f"{figure}.ci95.low", f"{stem}.ci95.low")
    low = next((c for c in tried if c in table.columns), None)
    from simulation.study.sweep import value_text

    labels = list(dict.fromkeys(value_text(v) for v in table[col]))
    pos = {label: i for i, label in enumerate(labels)}
    if by is None:
        groups = [(None, table)]
    else:  # values may be mappings ({web-server: 3}): group by their text
        from simulation.study.sweep import value_text

        keys = table[f"set.{by}"].map(value_text)
        groups = [(key, table[keys == key]) for key in dict.fromkeys(keys)]
    for key, rows in groups:
        xs = np.array([pos[value_text(v)] for v in rows[col]])
        ys = rows[figure].to_numpy(dtype=float)
        line = ax.plot(xs, ys, marker="o", label=None if by is None else f"{by} = {key}")[0]
        if low is not None:
            high = low[: -len(".low")] + ".high"
            ax.fill_between(
                xs,
                rows[low].to_numpy(dtype=float),
                rows[high].to_numpy(dtype=float),
                color=line.get_color(),
                alpha=0.2,
                label="95 % CI" if by is None else None,
            )
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlabel(x)
    ax.set_ylabel(figure)
    ax.set_ylim(bottom=0)
    reps = table["replications"].iloc[0] if "replications" in table.columns else None
    ax.set_title(
        f"{figure} against {x}" + (f"\n{reps} replications each, one seed" if reps else ""), fontsize=10
    )
    ax.legend(fontsize=8)
    return ax


def plot_cost_risk(optimisation, ax=None):
    """Expected cost per year against breach risk of every design an optimisation ran.

    Each design is a point with its 95 % intervals as error bars; the Pareto front (no
    design cheaper and less risky) is a line, the accepted risk a dashed vertical line,
    and the chosen design a star.
    """
    ax = _axes(ax)
    t = optimisation.table
    accepted = optimisation.evaluations[0].accepted
    err = lambda mid, lo, hi: np.vstack([mid - lo, hi - mid]).clip(min=0)  # noqa: E731
    ax.errorbar(
        t.risk,
        t.cost,
        xerr=err(t.risk, t.risk_low, t.risk_high),
        yerr=err(t.cost, t.cost_low, t.cost_high),
        fmt="o",
        color="#999999",
        ms=4,
        lw=0.8,
        label=f"evaluated designs ({len(t)} of {optimisation.grid_size})",
    )
    front = t[t.pareto].sort_values("risk")
    ax.plot(front.risk, front.cost, "-o", color="#4c72b0", ms=5, label="Pareto front")
    ax.axvline(accepted, color="#c44e52", ls="--", lw=1, label=f"accepted risk {100 * accepted:g} %")
    if optimisation.chosen is not None:
        c = optimisation.chosen
        ax.plot(c.risk, c.cost, "*", color="#dd8452", ms=16, label=f"chosen: {c.name}")
    unit = f" ({optimisation.currency})" if optimisation.currency else ""
    ax.set_xlabel(optimisation.risk_label + " (95 % CI)")
    ax.set_ylabel(f"expected cost per year{unit}")
    ax.set_title("Cost against risk of the evaluated designs")
    ax.legend(fontsize=7, loc="best")
    return ax


def plot_tornado(study, ax=None):
    """The tornado chart of an uncertainty study: per input a bar from the risk with the
    input at its low end to the risk at its high end (the others at their midpoints),
    largest swing on top, a line at the risk with every input at its midpoint, and the
    5-95 % band of the risk over the samples shaded."""
    ax = _axes(ax)
    t = study.tornado.iloc[::-1]  # largest swing on top
    by_path = {i.path: i for i in study.inputs}
    ys = np.arange(len(t))
    lo = np.minimum(t.risk_at_low, t.risk_at_high).to_numpy(dtype=float)
    hi = np.maximum(t.risk_at_low, t.risk_at_high).to_numpy(dtype=float)
    ax.barh(ys, hi - lo, left=lo, color="#4c72b0", height=0.5)
    for y, r in zip(ys, t.itertuples()):
        inp = by_path[r.input]
        ax.annotate(
            inp.label(r.low),
            (r.risk_at_low, y),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
        ax.annotate(
            inp.label(r.high),
            (r.risk_at_high, y),
            xytext=(0, -14),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    ax.axvline(
        study.midpoint_risk, color="#333333", lw=1, label=f"all at midpoints: {study.midpoint_risk:.3g}"
    )
    b_lo, _, b_hi = study.band("risk")
    ax.axvspan(b_lo, b_hi, color="#dd8452", alpha=0.15, label=f"5-95 % over {len(study.samples)} samples")
    ax.set_yticks(ys, list(t.input))
    ax.set_xlabel(study.risk_label)
    ax.set_title("Which uncertain input moves the breach risk most")
    ax.legend(fontsize=7, loc="lower right")
    return ax
