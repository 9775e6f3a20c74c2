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
        + (f"   steady state (analytic) {_pct(analytic)}" if analytic is not None else ""),
        f"  downtime          {rep.downtime_hours.mean() * per_year * 60:.1f} min/year mean, "
        f"{rep.outages.mean() * per_year:.2f} outages/year",
    ]
    if analytic is None:
        lines.append(f"  steady state      analytic n/a: {result.analytic_reason}")
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
    if sla is not None and result.window_breach.size:
        bci = result.breach_ci()
        q = result.window_availability_quantile
        lines += [
            f"  SLA               {_pct(sla.target, 3)} per {sla.window_label}, "
            f"service hours {sla.service_hours.name}, {result.window_breach.size} windows",
            f"  window avail.     mean {_pct(result.window_availability_mean)}, "
            f"p05 {_pct(q(0.05))}, p01 {_pct(q(0.01))}",
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
    return "\n".join(lines)
