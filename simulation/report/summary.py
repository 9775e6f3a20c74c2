"""The console summary of a Result.

Every figure carries its scope and its 95 % interval: probabilities say per what
(window, contract year, horizon), a probability without events gives its upper bound,
and an interval that cannot be estimated says why.
"""

from __future__ import annotations

import math

from simulation.model.scenario import HOURS_PER_YEAR


def _pct(x, digits=4) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f} %"


def _p(x) -> str:
    """A probability with three significant digits (``0.370``, ``2.50e-05``, ``0``)."""
    return "0" if x == 0 else f"{x:#.3g}"


def _plural(window_label: str) -> str:
    """``months``, ``months (sliding 30d)``, ``rolling 30d windows``."""
    if window_label in ("month", "quarter", "year", "calendar month"):
        return f"{window_label}s"
    if window_label.startswith("month ("):
        return "months" + window_label[len("month") :]
    return f"{window_label} windows"


def _units(n: int, plural: str) -> str:
    """``1 contract year``, ``2 contract years``, ``1 month (sliding 30d)``: `plural` as the
    count needs it."""
    if n != 1:
        return f"{n:,} {plural}"
    singular = plural.replace("s (", " (", 1) if "s (" in plural else plural.removesuffix("s")
    return f"1 {singular}"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 contract year``, ``6,000 contract years``."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def _num(x: float) -> str:
    """A figure with three significant digits and thousands separators (``1,308``, ``0.490``)."""
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:#.3g}".rstrip(".")


def _count_ci(mean: float, ci, unit: str) -> str:
    """``115.4 jobs/year (95 % CI 115.3 .. 115.4)``: a mean with its interval, in the
    fewest significant digits (3 or more) that keep the interval's ends apart."""
    for digits in range(3, 9):
        low, high = f"{ci.low:.{digits}g}", f"{ci.high:.{digits}g}"
        if low != high or ci.low == ci.high:
            break
    return f"{mean:.{digits}g} {unit} (mean; 95 % CI {low} .. {high})"


def _ci(ci, fmt=None) -> str:
    """``95 % CI lo .. hi``; an open upper end reads "unbounded"."""
    fmt = fmt or _num
    high = "unbounded" if not math.isfinite(ci.high) else fmt(ci.high)
    return f"95 % CI {fmt(ci.low)} .. {high}"


def _span(hours: float) -> str:
    """A horizon in words: ``1 y``, ``2 y``, ``41.7 d``."""
    years = hours / HOURS_PER_YEAR
    if years >= 1:
        return f"{years:.3g} y"
    return f"{hours / 24:.3g} d"


def _proportion(p, ci, n_units: int, unit: str, replications: int, scope: str = "") -> str:
    """``0.0392 per month (95 % CI 0.0383 .. 0.0402)``; ``none in 120,000 months: < 2.5e-05
    per month (95 % upper bound)``; with one replication ``... (95 % CI 0 .. 1: one
    replication cannot measure the spread)``, as `Result.breach_ci` gives it."""
    scope = f" {scope}" if scope else ""
    if p == 0:
        return f"none in {_units(n_units, unit)}: < {_p(ci.high)}{scope} (95 % upper bound)"
    if (ci.low, ci.high) == (0.0, 1.0) and replications < 2:
        return f"{_p(p)}{scope} (95 % CI 0 .. 1: one replication cannot measure the spread)"
    return f"{_p(p)}{scope} (95 % CI {_p(ci.low)} .. {_p(ci.high)})"


def _availability(result) -> str:
    """The clock availability with its interval (`Result.availability_ci`), read right
    when there was no downtime at all or only one replication."""
    ci = result.availability_ci()
    reps = result.replications
    if result.availability == 1.0:
        some = "the only replication" if reps == 1 else f"any of {reps:,} replications"
        share = 1.0 - ci.low  # bound on the share of runs with any downtime
        interval = f"no downtime in {some} x {result.horizon_hours:g} h; "
        if share > 0.01:
            interval += "too few to bound availability: "
        interval += f"at most {100 * share:.3g} % of such runs would have any downtime (95 %)"
        if share <= 0.01:
            interval += f", so availability >= {_pct(ci.low)}"
    elif reps < 2:
        interval = "95 % CI 0 % .. 100 %: one replication cannot measure the spread"
    else:
        interval = f"95 % CI {_pct(ci.low)} .. {_pct(ci.high)}"
    return f"{_pct(result.availability)} of all hours, by the clock  ({interval})"


def _changes_lines(changes) -> list[str]:
    """The key-path changes a run was made with (``--set``, `with_`, a variant), if any."""
    if not changes:
        return []
    from simulation.study.sweep import value_text  # as written in a scenario file

    return ["  changed           " + ", ".join(f"{path}={value_text(v)}" for path, v in changes)]


def summary_text(result) -> str:
    """A few lines a reliability engineer reads first."""
    analytic = result.analytic_availability
    lines = [
        f"{result.scenario.name}",
        f"  {_count(result.replications, 'replication')} x {result.horizon_hours:g} h, "
        f"seed {result.seed}, engine {result.engine}"
        + ("" if result.engine_reason == "chosen" else f" ({result.engine_reason})")
        + f", {result.elapsed_seconds:.1f} s",
        *_changes_lines(result.scenario.changes),
        *_seen_from_lines(result),
        f"  availability      {_availability(result)}"
        + (f"   steady state (analytic) {_pct(analytic)}" if analytic is not None else ""),
        f"  downtime          {_num(result.downtime_min_per_year)} min/year by the clock, all outages "
        f"({_ci(result.downtime_min_per_year_ci())}), "
        f"{_num(result.outages_per_year)} outages/year ({_ci(result.outages_per_year_ci())})",
    ]
    if analytic is None:
        lines.append(f"  steady state      analytic n/a: {result.analytic_reason}")
    stockouts = result.stockouts_per_year()
    if stockouts is not None:
        lines.append(f"  spares            {_count_ci(*stockouts, 'stock-outs/year')}")
    deferrals = result.deferrals_per_year()
    if deferrals is not None:
        lines.append(
            f"  maintenance       {_count_ci(*deferrals, 'rolling jobs deferred/year')}: jobs that "
            "waited, for another member's job or for their group to be able to spare the member"
        )
    shortfall = result.capacity_shortfall()
    if shortfall is not None:
        lines.append(
            "  demand            "
            + _count_ci(shortfall["hours_per_year"], shortfall["ci95"], "h/year down by capacity shortfall")
            + ", "
            f"{100 * shortfall['counted_share']:.3g} % of counted downtime"
        )
    if result.precision is not None:
        lines.append(_precision_line(result.precision))
    sla = result.sla
    if sla is not None and result.window_breach.size:
        lines += _sla_lines(result)
    elif sla is not None:
        lines.append("  SLA               no complete window within the horizon")
    if result.scenario.uncertain:
        lines.append(
            "  uncertain inputs  run at their midpoints (geometric mean of a log range): "
            + ", ".join(f"{i.path} {i.label(i.midpoint)}" for i in result.scenario.uncertain)
            + "; an uncertainty study samples them"
        )
    segments = result.segments
    if segments is not None and segments.downtime_min.sum() > 0:
        lines.append(
            f"  segments          of {segments.hours_per_year.sum():.3g} h/year counted downtime: "
            + ", ".join(
                f"{r.segment} {r.hours_per_year:.3g} h ({_share(r.downtime_share)})"
                for r in segments.itertuples()
            )
        )
    networks = result.network_downtime
    for r in () if networks is None else networks.itertuples():
        latency = f", {r.latency_h_per_year:.3g} h beyond max_latency" if r.latency_h_per_year > 0 else ""
        lines.append(
            f"  network           {r.network}: {r.disconnected_h_per_year + r.latency_h_per_year:.3g} h/year "
            f"down, mean ({r.disconnected_h_per_year:.3g} h disconnected{latency}; the block's own hours)"
        )
    lines += _sites_lines(result)
    if result.cost is not None:
        lines.append(f"  expected cost     {result.cost.summary_line()}")
    portfolio = _portfolio(result)
    if portfolio is not None:
        lines.append(f"  portfolio         {portfolio.summary_line()}")
    lines += _cause_lines(result)
    lines += _support_lines(result)
    return "\n".join(lines)


def _seen_from_lines(result) -> list[str]:
    """With per-site sources: which site the run's figures are seen from."""
    sites = result.sites
    if sites is None:
        return []
    return [
        f"  seen from         site {sites.site.iloc[0]}, the first of {len(sites)} customer sites "
        "(the figures below; every site: the sites line, Result.sites)"
    ]


#: Sites named in the summary's `sites` line, most at risk first.
SITES_SHOWN = 3


def _sites_lines(result) -> list[str]:
    """The customer sites most at risk: by P(breach per window), else by availability."""
    sites = result.sites
    if sites is None:
        return []
    with_sla = result.breach_probability is not None
    key = "breach_probability" if with_sla else "availability"
    worst = sites.sort_values(key, ascending=not with_sla, kind="stable").head(SITES_SHOWN)
    parts = []
    for r in worst.itertuples():
        text = (
            f"{r.site} availability {_pct(r.availability)} "
            f"(95 % CI {_pct(r.availability_ci_low)} .. {_pct(r.availability_ci_high)})"
        )
        if with_sla:
            text += (
                f", P(breach) {_p(r.breach_probability)} per {result.sla.window_label} "
                f"(95 % CI {_p(r.breach_ci_low)} .. {_p(r.breach_ci_high)})"
            )
        parts.append(text)
    line = f"  sites             {len(sites)} customer sites, most at risk: " + "; ".join(parts)
    if with_sla and sites.breach_ci_low.max() <= sites.breach_ci_high.min():
        line += " (every site's 95 % CI overlaps every other's: the order is not significant)"
    return [line]


def _portfolio(result):
    """The portfolio figures when the SLA gives customers and a fee and the run has a
    whole contract year; else None."""
    sla = result.sla
    if sla is None or sla.customers is None or sla.fee is None:
        return None
    try:
        return result.portfolio()
    except ValueError:
        return None


def _share(x: float) -> str:
    """A share in whole percent that never rounds a part away: ``< 1 %``, ``> 99 %``."""
    if 0 < x < 0.005:
        return "< 1 %"
    if 0.995 < x < 1:
        return "> 99 %"
    return f"{100 * x:.0f} %"


def _cause_lines(result) -> list[str]:
    """The parts behind the counted downtime and, beside it, behind the breached windows."""
    attr = result.attribution
    if not len(attr):
        return []
    counted = "counted downtime" if result.sla is not None else "downtime"
    top = attr.head(5)
    lines = [
        f"  top causes        share of {counted}: "
        + ", ".join(f"{r.instance} {_share(r.downtime_share)}" for r in top.itertuples())
    ]
    breached = int(result.window_breach.sum()) if result.window_breach.size else 0
    if breached:
        by_breach = attr[attr.breached_windows > 0].sort_values(
            "breached_windows", ascending=False, kind="stable"
        )
        units = _plural(result.sla.window_label)
        lines.append(
            f"  {'':<17} share of the {_units(breached, 'breached ' + units)} "
            "(part behind most of their downtime): "
            + ", ".join(f"{r.instance} {_share(r.breach_share)}" for r in by_breach.head(5).itertuples())
        )
    return lines


def _precision_line(p) -> str:
    parts = []
    for name, width, bound in (
        ("unavailability", p.unavailability, p.unavailability_bound),
        ("P(breach)", p.breach_probability, p.breach_bound),
    ):
        if bound is not None:
            parts.append(f"{name} none seen, < {_p(bound)}")
        elif width is not None:
            parts.append(f"{name} +/-{100 * width:.1f} %" if math.isfinite(width) else f"{name} n/a")
    return f"  precision         asked +/-{100 * p.target:.1f} % (95 % CI, relative): {', '.join(parts)}" + (
        "" if p.met else "  NOT MET: raise --max-replications"
    )


def _sla_lines(result) -> list[str]:
    sla = result.sla
    n = result.window_breach.size
    label = sla.window_label
    units = _plural(label)
    risk = result.target_risk
    years = risk.yearly_minimum.size if risk.years_counted else None
    q = result.window_availability_quantile
    wci = result.window_availability_mean_ci()
    lines = [
        f"  SLA               {_pct(sla.target, 3)} per {label}, service hours {sla.service_hours.name}, "
        f"{n:,} {units}" + (f" in {_count(years, 'contract year')}" if years else ""),
        "  window avail.     counted (service hours, SLA rules): "
        f"mean {_pct(result.window_availability_mean)} "
        + (
            "(no counted downtime in any window)"
            if result.window_availability_mean == 1.0
            else f"({_ci(wci, _pct)})"
        )
        + f", p05 {_pct(q(0.05))}, "
        f"p01 {_pct(q(0.01))}  (p05: the availability that 95 % of {units} reach)",
        "  P(breach)         "
        + _proportion(
            result.breach_probability, result.breach_ci(), n, units, result.replications, f"per {label}"
        )
        + f", {_num(result.breaches_per_year)} breaches/year ({_ci(result.breaches_per_year_ci())})",
    ]
    p_y, ci_y = risk.year_risk(sla.target)
    lines.append(
        "  P(>=1 breach)     "
        + (
            _proportion(p_y, ci_y, years, "contract years", result.replications, "per contract year")
            if years
            else _proportion(p_y, ci_y, n, units, result.replications, "per year")
            + f", converted from per {label} as if {units} were independent"
        )
    )
    pct = lambda x: f"{x:.3f} %"  # noqa: E731
    credit = (
        f"  expected credit   {pct(result.expected_credit_percent)} of the fee per {label} "
        f"({_ci(result.expected_credit_percent_ci(), pct)})"
    )
    if not sla.credits:
        credit = "  expected credit   none: the SLA has no credit tiers"
    elif sla.fee is not None:
        cur = sla.fee.currency
        money = lambda x: f"{x:,.2f}"  # noqa: E731
        credit += (
            f"; fee {sla.fee.amount:,.2f} {cur}: {money(result.expected_credit_per_year)} {cur}/year "
            f"({_ci(result.expected_credit_per_year_ci(), money)})"
        )
    lines.append(credit)
    lines.append(_achievable_line(result))
    if sla.chronic is not None:
        lines.append(
            f"  chronic breach    P(chronic breach within {_span(result.horizon_hours)}) "
            + _proportion(
                result.chronic_probability, result.chronic_ci(), result.replications, "replications", 2
            )
            + f"; rule: {sla.chronic.breaches} breached {units} within {sla.chronic.within}"
        )
    lines += _table_lines(result)
    return lines


def _achievable_line(result) -> str:
    sla = result.sla
    per = "year" if sla.risk_per == "year" else sla.window_label
    risk_text = f"{100 * sla.risk:g} % risk per {per}"
    table = result.targets
    best = result.achievable_target
    if best is None:
        risk = result.target_risk
        counted = sla.risk_per == "year" and risk.years_counted
        unit = "contract years" if counted else _plural(sla.window_label)
        shown = f"{100 * sla.risk:g} %"
        if sla.risk_per == "year" and not counted:
            shown += f" per year ({100 * risk.risk_per_unit:.3g} % per {sla.window_label})"
        return (
            f"  achievable target below {_pct(table.target.min(), 3)} at {risk_text}: "
            f"{_units(risk.risk_units, unit)} cannot show a risk under {shown} "
            f"with 95 % confidence ({risk.units_needed:,} needed)"
        )
    row = table[table.achievable].iloc[0]
    high = row.breach_year_high if sla.risk_per == "year" else row.breach_window_high
    name = "P(>=1 breach per year)" if sla.risk_per == "year" else f"P(breach per {sla.window_label})"
    return (
        f"  achievable target {_pct(best, 3)} at {risk_text} "
        f"({name} at most {_p(high)} there, 95 % upper bound)"
    )


def _table_lines(result) -> list[str]:
    sla = result.sla
    label = sla.window_label
    fee = sla.fee
    header = ["target", f"P(breach/{label})", "P(>=1 breach/yr)", "breaches/yr", f"credit/{label} (% of fee)"]
    if fee is not None:
        header.append(f"credit/yr ({fee.currency})")
    rows = []
    for r in result.targets.itertuples():
        cells = [
            _pct(r.target, 3),
            f"{_p(r.breach_window)} ({_p(r.breach_window_low)} .. {_p(r.breach_window_high)})",
            f"{_p(r.breach_year)} ({_p(r.breach_year_low)} .. {_p(r.breach_year_high)})",
            f"{_p(r.breaches_per_year)} ({_p(r.breaches_per_year_low)} .. {_p(r.breaches_per_year_high)})",
            f"{r.credit_pct:.3f} ({r.credit_pct_low:.3f} .. {r.credit_pct_high:.3f})",
        ]
        if fee is not None:
            cells.append(
                f"{r.credit_per_year:,.2f} ({r.credit_per_year_low:,.2f} .. {r.credit_per_year_high:,.2f})"
            )
        marks = [name for name, on in (("contract", r.contract), ("achievable", r.achievable)) if on]
        cells.append(" <- " + ", ".join(marks) if marks else "")
        rows.append(cells)
    widths = [max(len(c[i]) for c in [header, *rows]) for i in range(len(header))]
    fmt = lambda cells: "  ".join(c.ljust(wd) for c, wd in zip(cells, widths))  # noqa: E731
    lines = [("  target table      " + fmt(header)).rstrip()]
    lines += ["                    " + (fmt(c[:-1]) + c[-1]).rstrip() for c in rows]
    return lines


def _minutes(x) -> str:
    if x is None:
        return "n/a"
    if x == float("inf"):
        return "never"
    return f"{x:.1f} min" if x < 120 else f"{x / 60:.1f} h"


def support_window_label(sla) -> str:
    """The window support tickets are grouped by: the SLA's, but a sliding window's
    tickets go by the calendar month they arrive in (``"calendar month"``); ``"month"``
    without an SLA."""
    from simulation.model.sla import Sliding

    if sla is None:
        return "month"
    return "calendar month" if isinstance(sla.window, Sliding) else sla.window_label


def _support_lines(result) -> list[str]:
    """The support desk: per channel, share within objective, mean and p95 first response."""
    f = result.support_figures
    if f is None:
        return []
    desk = result.scenario.support
    window = support_window_label(result.sla)
    agents = f"{desk.agents} agent{'s' if desk.agents != 1 else ''}"
    if not f.windows:
        return [f"  support desk      {agents}: no complete {window} within the horizon"]
    lines = [
        f"  support desk      {agents}, hours {desk.hours.name}, "
        f"{f.tickets_per_year:,.0f} tickets/year, {_count(f.windows, window, _plural(window))} measured"
    ]
    if f.breach_probability is not None:
        lo, hi = f.breach_probability_ci95
        lines.append(
            f"  support SLO       {_pct(f.target, 1)} of tickets within objective per {window}: "
            f"P(breach) {f.breach_probability:.4f} (95 % CI {lo:.4f} .. {hi:.4f})"
        )
    for ch in f.channels:
        text = f"{ch.tickets_per_window:.1f} tickets/{window} (mean)"
        if ch.within_objective is not None:
            lo, hi = ch.within_objective_ci95
            text += (
                f", {_pct(ch.within_objective, 1)} within {_minutes(ch.objective_min)}"
                f" (95 % CI {_pct(lo, 1)} .. {_pct(hi, 1)})"
            )
        mean = f", first response mean {_minutes(ch.mean_response_min)}"
        if ch.mean_response_ci95 is not None and all(math.isfinite(x) for x in ch.mean_response_ci95):
            lo, hi = ch.mean_response_ci95
            mean += f" (95 % CI {_minutes(lo)} .. {_minutes(hi)})"
        text += mean + f", p95 {_minutes(ch.p95_response_min)} (over all tickets)"
        lines.append(f"  {ch.name[:16]:<17} {text}")
        if ch.analytic_mean_response_min is not None:
            exact = f"mean {_minutes(ch.analytic_mean_response_min)}"
            if ch.analytic_within_objective is not None:
                exact = f"{_pct(ch.analytic_within_objective, 1)} within objective, " + exact
            lines.append(f"  {'':<17} steady state (analytic, Erlang C): {exact}")
    if f.analytic_note is not None:
        lines.append(f"  {'':<17} analytic n/a: {f.analytic_note}")
    return lines
