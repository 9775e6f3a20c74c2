"""The console summary of a Result."""

from __future__ import annotations

from simulation.model.scenario import HOURS_PER_YEAR


def _pct(x, digits=4) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f} %"


def summary_text(result) -> str:
    """A few lines a reliability engineer reads first."""
    ci = result.availability_ci()
    analytic = result.analytic_availability
    per_year = HOURS_PER_YEAR / result.horizon_hours
    rep = result.per_replication
    lines = [
        f"{result.scenario.name}",
        f"  {result.replications} replications x {result.horizon_hours:g} h, seed {result.seed}, "
        f"engine {result.engine}"
        + ("" if result.engine_reason == "chosen" else f" ({result.engine_reason})")
        + f", {result.elapsed_seconds:.1f} s",
        f"  availability      {_pct(result.availability)}  (95 % CI {_pct(ci.low)} .. {_pct(ci.high)})"
        + (f"   steady state (analytic) {_pct(analytic)}" if analytic is not None else "   analytic n/a"),
        f"  downtime          {rep.downtime_hours.mean() * per_year * 60:.1f} min/year mean, "
        f"{rep.outages.mean() * per_year:.2f} outages/year",
    ]
    if result.precision is not None:
        p = result.precision
        got = f"unavailability +/-{100 * p.unavailability:.1f} %"
        if p.breach_probability is not None:
            got += f", P(breach) +/-{100 * p.breach_probability:.1f} %"
        lines.append(
            f"  precision         asked +/-{100 * p.target:.1f} % (95 % CI, relative): {got}"
            + ("" if p.met else "  NOT MET: raise --max-replications")
        )
    sla = result.sla
    if sla is not None and not result.windows.empty:
        bci = result.breach_ci()
        w = result.windows
        lines += [
            f"  SLA               {_pct(sla.target, 3)} per {sla.window_label}, "
            f"service hours {sla.service_hours.name}, {len(w)} windows",
            f"  window avail.     mean {_pct(w.availability.mean())}, "
            f"p05 {_pct(w.availability.quantile(0.05))}, p01 {_pct(w.availability.quantile(0.01))}",
            f"  P(breach)         {result.breach_probability:.4f} per {sla.window_label} "
            f"(95 % CI {bci.low:.4f} .. {bci.high:.4f}), {result.breaches_per_year:.3f} breaches/year",
            f"  expected credit   {result.expected_credit_percent:.3f} % of the fee per {sla.window_label}",
            f"  achievable target {_pct(result.achievable_target, 3)} at {_pct(sla.risk, 0)} risk"
            + (
                ""
                if result.achievable_target is None
                else f" (P(breach) {result.breach_probability_at(result.achievable_target):.4f} there)"
            ),
        ]
        if sla.chronic is not None:
            lines.append(
                f"  chronic breach    P = {result.chronic_probability:.4f} "
                f"({sla.chronic.breaches} in {sla.chronic.within} windows)"
            )
    elif sla is not None:
        lines.append("  SLA               no complete window within the horizon")
    top = result.attribution.head(5)
    if len(top):
        lines.append(
            "  top causes        "
            + ", ".join(f"{r.instance} {100 * r.downtime_share:.0f} %" for r in top.itertuples())
        )
    lines += _support_lines(result)
    return "\n".join(lines)


def _minutes(x) -> str:
    if x is None:
        return "n/a"
    if x == float("inf"):
        return "never"
    return f"{x:.1f} min" if x < 120 else f"{x / 60:.1f} h"


def _support_lines(result) -> list[str]:
    """The support desk: per channel, share within objective, mean and p95 first response."""
    f = result.support_figures
    if f is None:
        return []
    desk = result.scenario.support
    window = result.sla.window_label if result.sla is not None else "month"
    agents = f"{desk.agents} agent{'s' if desk.agents != 1 else ''}"
    if not f.windows:
        return [f"  support desk      {agents}: no complete {window} within the horizon"]
    lines = [
        f"  support desk      {agents}, hours {desk.hours.name}, "
        f"{f.tickets_per_year:.0f} tickets/year, {f.windows} windows ({window})"
    ]
    if f.breach_probability is not None:
        lo, hi = f.breach_probability_ci95
        lines.append(
            f"  support SLO       {_pct(f.target, 1)} of tickets within objective per {window}: "
            f"P(breach) {f.breach_probability:.4f} (95 % CI {lo:.4f} .. {hi:.4f})"
        )
    for ch in f.channels:
        text = f"{ch.tickets_per_window:.1f} tickets/{window}"
        if ch.within_objective is not None:
            lo, hi = ch.within_objective_ci95
            text += (
                f", {_pct(ch.within_objective, 1)} within {_minutes(ch.objective_min)}"
                f" (95 % CI {_pct(lo, 1)} .. {_pct(hi, 1)})"
            )
        text += f", response mean {_minutes(ch.mean_response_min)}, p95 {_minutes(ch.p95_response_min)}"
        lines.append(f"  {ch.name[:16]:<17} {text}")
        if ch.analytic_mean_response_min is not None:
            exact = f"mean {_minutes(ch.analytic_mean_response_min)}"
            if ch.analytic_within_objective is not None:
                exact = f"{_pct(ch.analytic_within_objective, 1)} within objective, " + exact
            lines.append(f"  {'':<17} steady state (analytic, Erlang C): {exact}")
    if f.analytic_note is not None:
        lines.append(f"  {'':<17} analytic n/a: {f.analytic_note}")
    return lines
