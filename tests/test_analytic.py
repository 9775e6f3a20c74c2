"""Analytic solvers against hand-derived values and brute-force enumeration.

Every expected value here is either a textbook closed form, the expectation of the
structure function over all 2**n independent leaf states, or the stationary
distribution of a small chain written out state by state in the test (a second,
independent derivation of the rules the engines implement).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import simulation.analytic as an
from simulation.analytic import ctmc
from simulation.model.components import ComponentType
from simulation.model.distributions import Deterministic, Exponential, Gamma, Weibull
from simulation.model.scenario import Scenario
from simulation.model.structure import Instance, KofN, Leaf, Series, Standby, Switchover

# ----------------------------------------------------------------------- helpers


def comp(name, mtbf, mttr, idle=None, **kw):
    return ComponentType(
        name,
        Exponential.from_mean(mtbf),
        Exponential.from_mean(mttr),
        idle_failure=None if idle is None else Exponential.from_mean(idle),
        **kw,
    )


def scenario(service, parts, comps=None):
    """A scenario whose instance `id` is of component type `parts[id]`."""
    comps = comps or {}
    return Scenario(
        "test",
        comps,
        {iid: Instance(iid, c) for iid, c in parts.items()},
        service,
    )


def solve_chain(n, edges, up):
    """Stationary availability of a hand-written chain: edges {(i, j): rate}."""
    Q = np.zeros((n, n))
    for (i, j), r in edges.items():
        Q[i, j] += r
    Q[np.diag_indices(n)] = -Q.sum(axis=1)
    A = np.vstack([Q.T, np.ones(n)])
    b = np.zeros(n + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(A, b, rcond=None)[0]
    return float(pi[list(up)].sum())


def structure_up(block, state):
    """The structure function of a stateless structure, for a dict id -> bool."""
    if isinstance(block, Leaf):
        return state[block.instance]
    ups = [structure_up(m, state) for m in block.members]
    if isinstance(block, Series):
        return all(ups)
    if isinstance(block, KofN):
        return sum(ups) >= block.k
    if isinstance(block, Standby):
        return any(ups)
    raise AssertionError(block)


def brute_force(block, avail):
    """E[phi(X)] with X_i ~ Bernoulli(avail[i]) independent: the exact time average."""
    ids = list(avail)
    total = 0.0
    for bits in itertools.product((False, True), repeat=len(ids)):
        p = math.prod(avail[i] if b else 1.0 - avail[i] for i, b in zip(ids, bits, strict=True))
        total += p * structure_up(block, dict(zip(ids, bits, strict=True)))
    return total


# ------------------------------------------------------------------ closed forms


def test_all_names_exist():
    """The front door lists exactly what it exports."""
    for name in an.__all__:
        assert hasattr(an, name), name
    assert len(set(an.__all__)) == len(an.__all__)


def test_instance_availability():
    """A = MTBF / (MTBF + MTTR)."""
    assert an.instance_availability(999.0, 1.0) == pytest.approx(0.999, abs=1e-15)


def test_series_and_parallel_by_hand():
    assert an.series([0.9, 0.8, 0.5]) == pytest.approx(0.36, abs=1e-15)
    assert an.series([]) == 1.0
    a = 0.97
    assert an.parallel([a, a]) == pytest.approx(1 - (1 - a) ** 2, abs=1e-15)
    assert an.parallel([]) == 0.0


@pytest.mark.parametrize(
    "k, n, a, expected",
    [
        (2, 3, 0.9, 3 * 0.9**2 * 0.1 + 0.9**3),  # 2-of-3, 0.972
        (1, 2, 0.9, 1 - 0.1**2),  # parallel pair
        (2, 2, 0.9, 0.81),  # series pair
        (0, 3, 0.2, 1.0),  # nothing needed
        (4, 3, 0.99, 0.0),  # more needed than present
        (3, 4, 0.5, 5 / 16),  # C(4,3)/16 + 1/16
    ],
)
def test_k_of_n_identical_by_hand(k, n, a, expected):
    assert an.k_of_n_identical(k, n, a) == pytest.approx(expected, abs=1e-15)
    assert an.k_of_n(k, [a] * n) == pytest.approx(expected, abs=1e-15)


def test_k_of_n_keeps_tiny_unavailability():
    """1-of-3 of 0.9999 parts: unavailability 1e-12 keeps its digits."""
    assert 1 - an.k_of_n_identical(1, 3, 0.9999) == pytest.approx(1e-12, rel=1e-3)
    assert 1 - an.k_of_n(1, [0.9999] * 3) == pytest.approx(1e-12, rel=1e-3)


@pytest.mark.parametrize("avails", [[0.9, 0.8, 0.7], [0.5, 0.99, 0.3, 0.95, 0.61], [0.2] * 6 + [0.999]])
def test_k_of_n_non_identical_against_enumeration(avails):
    n = len(avails)
    for k in range(0, n + 2):
        expected = 0.0
        for bits in itertools.product((0, 1), repeat=n):
            if sum(bits) >= k:
                expected += math.prod(a if b else 1 - a for a, b in zip(avails, bits, strict=True))
        assert an.k_of_n(k, avails) == pytest.approx(expected, abs=1e-14), k


def test_closed_forms_reject_bad_availability():
    with pytest.raises(ValueError, match="availability must be in"):
        an.series([1.2])


# ----------------------------------------------------------------- generic chain


def test_two_state_chain():
    """One repairable unit: pi_up = mu / (lambda + mu)."""
    lam, mu = 0.01, 0.5

    def transitions(up):
        return [(lam, False)] if up else [(mu, True)]

    states, Q = an.explore(True, transitions)
    pi = an.stationary_distribution(Q)
    assert states == [True, False]
    assert pi[0] == pytest.approx(mu / (lam + mu), abs=1e-15)
    assert an.chain_availability(True, transitions, bool) == pytest.approx(mu / (lam + mu))


def test_explore_refuses_huge_chain():
    with pytest.raises(an.NotApplicable, match="more than 10 states"):
        an.explore(0, lambda s: [(1.0, s + 1)], max_states=10)


def test_sparse_path_matches_closed_form():
    """A chain above the dense limit (birth-death of 3000 states) is solved sparsely."""
    n, lam, mu = 3000, 1.0, 2.0

    def transitions(i):
        out = [(mu, i - 1)] if i else []
        return out + ([(lam, i + 1)] if i < n - 1 else [])

    rho = lam / mu
    p0 = (1 - rho) / (1 - rho**n)
    assert an.chain_availability(0, transitions, lambda i: i == 0) == pytest.approx(p0, rel=1e-9)


# --------------------------------------------------------------- standby chains

LAM, MU, NU = 1 / 500.0, 1 / 8.0, 1 / 2000.0


def test_cold_standby_pair_instant_switchover():
    """Trivedi's cold pair, one repair per unit: states by number failed.

    0 -> 1 at lambda (only the serving unit fails), 1 -> 2 at lambda, 1 -> 0 at mu,
    2 -> 1 at 2 mu. A = 1 - p2 with p1 = rho p0, p2 = rho^2 / 2 p0.
    """
    rho = LAM / MU
    expected = 1 - (rho**2 / 2) / (1 + rho + rho**2 / 2)
    got = an.standby_availability([LAM, LAM], [MU, MU], mode="cold")
    assert got == pytest.approx(expected, abs=1e-14)


def test_hot_standby_pair_without_switchover_is_parallel():
    lam, mu = [1 / 300.0, 1 / 700.0], [1 / 5.0, 1 / 12.0]
    a = [m / (f + m) for f, m in zip(lam, mu, strict=True)]
    for revert in (False, True):
        got = an.standby_availability(lam, mu, mode="hot", revert=revert)
        assert got == pytest.approx(an.parallel(a), abs=1e-14)


def test_warm_standby_pair_with_idle_rate():
    """0 -> 1 at lambda + nu, 1 -> 2 at lambda, 1 -> 0 at mu, 2 -> 1 at 2 mu."""
    p1 = (LAM + NU) / MU
    p2 = p1 * LAM / (2 * MU)
    expected = 1 - p2 / (1 + p1 + p2)
    got = an.standby_availability([LAM, LAM], [MU, MU], mode="warm", idle=[NU, NU])
    assert got == pytest.approx(expected, abs=1e-14)
    # warm without an idle rate fails at the normal rate: the hot pair, i.e. parallel
    a = MU / (LAM + MU)
    got = an.standby_availability([LAM, LAM], [MU, MU], mode="warm", idle=[None, None])
    assert got == pytest.approx(an.parallel([a, a]), abs=1e-14)


def test_hot_standby_with_switchover_and_coverage():
    """Hot pair, identical units, switchover auto at rate alpha (coverage c) or manual.

    States (units up, phase): 0=(2,-) 1=(1,-) 2=(1,A) 3=(1,M) 4=(2,A) 5=(2,M) 6=(0).
    """
    lam, mu, alpha, beta, c = 1 / 100.0, 1 / 4.0, 60.0, 2.0, 0.9
    e = {
        (0, 1): lam,  # the waiting unit fails
        (0, 2): c * lam,  # the serving unit fails, automatic switchover
        (0, 3): (1 - c) * lam,  # ... manual switchover
        (1, 6): lam,  # the only unit, serving, fails
        (1, 0): mu,  # the other is repaired and waits
        (2, 1): alpha,
        (2, 6): lam,
        (2, 4): mu,
        (3, 1): beta,
        (3, 6): lam,
        (3, 5): mu,
        (4, 0): alpha,
        (4, 2): c * lam + lam,  # switched-to unit fails (new switchover) or the other
        (4, 3): (1 - c) * lam,
        (5, 0): beta,
        (5, 2): c * lam,
        (5, 3): (1 - c) * lam + lam,
        (6, 1): 2 * mu,  # a repaired unit serves at once
    }
    expected = solve_chain(7, e, up=[0, 1])
    sw = an.SwitchRates(c, alpha, beta)
    got = an.standby_availability([lam, lam], [mu, mu], mode="hot", switchover=sw)
    assert got == pytest.approx(expected, abs=1e-13)
    # The same through the model objects: means 1/alpha and 1/beta.
    model = Switchover(Exponential(alpha), c, Exponential(beta))
    assert an.SwitchRates.from_switchover(model) == sw


def test_standby_revert():
    """Hot pair, distinct units, switchover rate alpha, revert to unit 0.

    States (up0, up1, serving, switching): 0=(1,1,0,-) 1=(0,1,1,A) 2=(0,1,1,-)
    3=(1,0,0,-) 4=(0,0,none) 5=(1,1,0,A) 6=(1,0,0,A).
    """
    l0, l1, m0, m1, alpha = 1 / 200.0, 1 / 300.0, 1 / 10.0, 1 / 3.0, 4.0
    e = {
        (0, 1): l0,
        (0, 3): l1,
        (1, 2): alpha,
        (1, 4): l1,
        (1, 5): m0,  # unit 0 back while switching to 1: revert, switchover restarts
        (2, 4): l1,
        (2, 5): m0,  # unit 0 back while 1 serves: revert
        (3, 4): l0,
        (3, 0): m1,
        (4, 3): m0,
        (4, 2): m1,
        (5, 0): alpha,
        (5, 1): l0,
        (5, 6): l1,
        (6, 3): alpha,
        (6, 4): l0,
        (6, 5): m1,
    }
    expected = solve_chain(7, e, up=[0, 2, 3])
    sw = an.SwitchRates(1.0, alpha)
    got = an.standby_availability([l0, l1], [m0, m1], mode="hot", switchover=sw, revert=True)
    assert got == pytest.approx(expected, abs=1e-13)
    without = an.standby_availability([l0, l1], [m0, m1], mode="hot", switchover=sw)
    assert without > got  # reverting costs a second switchover


def test_zero_length_switchover_is_instant():
    sw = an.SwitchRates.from_switchover(Switchover(Deterministic(0.0)))
    assert sw == an.SwitchRates(1.0, None, None)
    got = an.standby_availability([LAM, LAM], [MU, MU], mode="cold", switchover=sw)
    assert got == pytest.approx(an.standby_availability([LAM, LAM], [MU, MU], mode="cold"))


def test_coverage_without_manual_time_is_refused_by_the_model():
    """The model refuses it when it is made, so no solver ever sees it."""
    with pytest.raises(ValueError, match="needs `manual`"):
        Switchover(Exponential(10.0), coverage=0.9)


# ----------------------------------------------------------------- k-of-n chains


def test_hot_kofn_failover_two_members():
    """1-of-2 hot, identical, failover at alpha (coverage c) or beta.

    States (units up, phase), phase 0 none / 1 auto / 2 manual; index 3 m + phase.
    """
    lam, mu, alpha, beta, c = 1 / 50.0, 1 / 6.0, 30.0, 1.5, 0.8
    idx = lambda m, ph: 3 * m + ph  # noqa: E731
    e = {}
    for ph in (0, 1, 2):
        e[(idx(2, ph), idx(1, 1))] = e.get((idx(2, ph), idx(1, 1)), 0) + c * 2 * lam
        e[(idx(2, ph), idx(1, 2))] = e.get((idx(2, ph), idx(1, 2)), 0) + (1 - c) * 2 * lam
        e[(idx(1, ph), idx(0, ph))] = lam  # too few left: no new switchover
        e[(idx(1, ph), idx(2, ph))] = mu
        e[(idx(0, ph), idx(1, ph))] = 2 * mu
        if ph:
            rate = alpha if ph == 1 else beta
            for m in (0, 1, 2):
                e[(idx(m, ph), idx(m, 0))] = rate
    e = {k: v for k, v in e.items() if k[0] != k[1]}
    expected = solve_chain(9, e, up=[idx(2, 0), idx(1, 0)])
    sw = an.SwitchRates(c, alpha, beta)
    got = an.kofn_failover_availability(1, [lam, lam], [mu, mu], failover=sw)
    assert got == pytest.approx(expected, abs=1e-13)
    # Without failover it is the closed form.
    a = mu / (lam + mu)
    got = an.kofn_failover_availability(1, [lam, lam], [mu, mu], failover=None)
    assert got == pytest.approx(an.parallel([a, a]), abs=1e-14)


@pytest.mark.parametrize("k, n", [(1, 2), (2, 3), (2, 4)])
def test_kofn_full_state_agrees_with_lumped(k, n):
    """Distinct-member chains (full state) agree with the identical-member lumping."""
    lam, mu, nu = [1 / 80.0] * n, [1 / 5.0] * n, [1 / 400.0] * n
    sw = an.SwitchRates(0.95, 20.0, 1.0)
    nudge = [1 + 1e-9 * i for i in range(n)]  # distinct by a hair: takes the full path
    lam2 = [x * f for x, f in zip(lam, nudge, strict=True)]
    lumped = an.kofn_failover_availability(k, lam, mu, failover=sw)
    full = an.kofn_failover_availability(k, lam2, mu, failover=sw)
    assert full == pytest.approx(lumped, abs=1e-8)
    for mode in ("warm", "cold"):
        lumped = an.kofn_spares_availability(k, lam, mu, mode=mode, idle=nu, failover=sw)
        full = an.kofn_spares_availability(k, lam2, mu, mode=mode, idle=nu, failover=sw)
        assert full == pytest.approx(lumped, abs=1e-8), mode


def test_large_distinct_chain_takes_the_sparse_path():
    """3-of-8 warm, members distinct by a hair: 5487 states, sparse solve = lumped."""
    lam, mu, nu = 1 / 300.0, 1 / 5.0, 1 / 1200.0
    sw = an.SwitchRates(0.99, 240.0, 3.0)
    lumped = an.kofn_spares_availability(3, [lam] * 8, [mu] * 8, idle=[nu] * 8, failover=sw)
    nudged = [lam * (1 + 1e-9 * i) for i in range(8)]
    full = an.kofn_spares_availability(3, nudged, [mu] * 8, idle=[nu] * 8, failover=sw)
    assert full == pytest.approx(lumped, abs=1e-8)


def test_warm_kofn_one_slot_is_warm_standby():
    """1-of-2 warm with instant failover is the warm standby pair (hand formula)."""
    p1 = (LAM + NU) / MU
    p2 = p1 * LAM / (2 * MU)
    expected = 1 - p2 / (1 + p1 + p2)
    got = an.kofn_spares_availability(1, [LAM, LAM], [MU, MU], mode="warm", idle=[NU, NU])
    assert got == pytest.approx(expected, abs=1e-14)


def test_cold_two_of_three_by_hand():
    """2-of-3 cold, instant failover: states by number down d, in use min(2, 3 - d).

    d=0 -> 1 at 2 lambda (only the two in use fail); d=1 -> 2 at 2 lambda; d=2 -> 3 at
    lambda; repairs d mu. Up iff d <= 1.
    """
    lam, mu = 1 / 100.0, 1 / 10.0
    e = {(0, 1): 2 * lam, (1, 2): 2 * lam, (2, 3): lam, (1, 0): mu, (2, 1): 2 * mu, (3, 2): 3 * mu}
    expected = solve_chain(4, e, up=[0, 1])
    got = an.kofn_spares_availability(2, [lam] * 3, [mu] * 3, mode="cold")
    assert got == pytest.approx(expected, abs=1e-14)


# ------------------------------------------------------------- whole scenarios

COMPS = {
    "box": comp("box", 999.0, 1.0),
    "psu": comp("psu", 4000.0, 12.0),
    "srv": comp("srv", 2000.0, 6.0, idle=8000.0),
    "net": comp("net", 20000.0, 3.0),
}


def avail(c):
    return COMPS[c].failure.mean / (COMPS[c].failure.mean + COMPS[c].repair.mean)


def test_single_instance():
    sc = scenario(Leaf("a"), {"a": "box"}, COMPS)
    assert an.steady_state_availability(sc) == pytest.approx(0.999, abs=1e-15)


def test_gamma_shape_one_counts_as_exponential():
    comps = {"g": ComponentType("g", Gamma(1.0, 99.0), Exponential.from_mean(1.0))}
    sc = scenario(Leaf("a"), {"a": "g"}, comps)
    assert an.steady_state_availability(sc) == pytest.approx(0.99, abs=1e-15)


def test_tree_of_closed_forms():
    service = Series(
        (
            Leaf("n"),
            KofN(1, (Leaf("p1"), Leaf("p2")), kind="parallel"),
            KofN(2, (Leaf("s1"), Leaf("s2"), Leaf("s3"))),
        )
    )
    parts = {"n": "net", "p1": "psu", "p2": "psu", "s1": "srv", "s2": "srv", "s3": "srv"}
    sc = scenario(service, parts, COMPS)
    expected = avail("net") * an.parallel([avail("psu")] * 2) * an.k_of_n_identical(2, 3, avail("srv"))
    assert an.steady_state_availability(sc) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize(
    "service",
    [
        # one power feed behind two servers, and also in series (a common cause)
        KofN(1, (Series((Leaf("p"), Leaf("a"))), Series((Leaf("p"), Leaf("b")))), kind="parallel"),
        # two shared instances, one of them three times, inside a 2-of-3
        Series(
            (
                KofN(
                    2,
                    (
                        Series((Leaf("p"), Leaf("a"))),
                        Series((Leaf("p"), Leaf("q"), Leaf("b"))),
                        Series((Leaf("q"), Leaf("c"))),
                    ),
                ),
                KofN(1, (Leaf("p"), Leaf("d")), kind="parallel"),
            )
        ),
        # a hot standby without switchover counts as a parallel group
        Standby((Series((Leaf("p"), Leaf("a"))), Series((Leaf("p"), Leaf("b"))))),
    ],
)
def test_factoring_against_enumeration(service):
    parts = {"p": "psu", "q": "net", "a": "srv", "b": "srv", "c": "box", "d": "box"}
    parts = {i: parts[i] for i in _ids(service)}
    sc = scenario(service, parts, COMPS)
    expected = brute_force(service, {i: avail(c) for i, c in parts.items()})
    assert an.steady_state_availability(sc) == pytest.approx(expected, abs=1e-14)


def _ids(block):
    from simulation.model.structure import leaves

    return leaves(block)


def test_stateful_block_in_series():
    """A cold standby pair in series with a leaf: the product."""
    sw = Switchover(Exponential.from_mean(0.01), 0.98, Exponential.from_mean(0.5))
    pair = Standby((Leaf("a"), Leaf("b")), mode="cold", switchover=sw, revert=True)
    sc = scenario(Series((Leaf("n"), pair)), {"n": "net", "a": "psu", "b": "psu"}, COMPS)
    lam, mu = 1 / 4000.0, 1 / 12.0
    chain = an.standby_availability(
        [lam, lam], [mu, mu], mode="cold", switchover=an.SwitchRates(0.98, 100.0, 2.0), revert=True
    )
    assert an.steady_state_availability(sc) == pytest.approx(avail("net") * chain, abs=1e-15)


def test_warm_standby_uses_idle_failure():
    pair = Standby((Leaf("a"), Leaf("b")), mode="warm")
    sc = scenario(pair, {"a": "srv", "b": "srv"}, COMPS)
    lam, mu, nu = 1 / 2000.0, 1 / 6.0, 1 / 8000.0
    expected = an.standby_availability([lam, lam], [mu, mu], mode="warm", idle=[nu, nu])
    assert an.steady_state_availability(sc) == pytest.approx(expected, abs=1e-15)


def test_shared_stateful_block_is_factored_as_one_part():
    """A standby power supply feeding two servers: A = A_power * parallel(a, b)."""
    power = Standby((Leaf("u"), Leaf("g")), mode="cold", switchover=Switchover(Exponential(240.0)))
    service = KofN(1, (Series((power, Leaf("a"))), Series((power, Leaf("b")))), kind="parallel")
    sc = scenario(service, {"u": "psu", "g": "net", "a": "srv", "b": "srv"}, COMPS)
    a_power = an.steady_state_availability(scenario(power, {"u": "psu", "g": "net"}, COMPS))
    expected = a_power * an.parallel([avail("srv")] * 2)
    assert an.steady_state_availability(sc) == pytest.approx(expected, abs=1e-15)


def test_large_identical_warm_kofn_is_lumped():
    """16 of 20 warm servers: the lumped chain is small; cold beats warm beats hot."""
    members = tuple(Leaf(f"s{i}") for i in range(20))
    parts = {f"s{i}": "srv" for i in range(20)}
    values = {
        mode: an.steady_state_availability(scenario(KofN(16, members, mode=mode), parts, COMPS))
        for mode in ("hot", "warm", "cold")
    }
    assert values["hot"] == pytest.approx(an.k_of_n_identical(16, 20, avail("srv")), abs=1e-15)
    assert values["hot"] < values["warm"] < values["cold"] < 1.0


# ------------------------------------------------------------- not applicable


def _weibull_scenario():
    comps = dict(COMPS, old=ComponentType("old", Weibull.from_mean(1.3, 9000.0), Exponential(0.5)))
    return scenario(Standby((Leaf("a"), Leaf("w")), mode="cold"), {"a": "box", "w": "old"}, comps)


def test_stateless_structures_need_only_the_means():
    """Insensitivity: in a series, a Weibull part counts by MTTF / (MTTF + MTTR)."""
    comps = dict(COMPS, old=ComponentType("old", Weibull.from_mean(1.3, 9000.0), Exponential(0.5)))
    sc = scenario(Series((Leaf("a"), Leaf("w"))), {"a": "box", "w": "old"}, comps)
    box = COMPS["box"]
    a_box = box.failure.mean / (box.failure.mean + box.repair.mean)
    assert an.steady_state_availability(sc) == pytest.approx(a_box * 9000.0 / 9002.0, rel=1e-12)


@pytest.mark.parametrize(
    "make, reason",
    [
        # a Weibull time to failure inside a stateful block has no Markov description here
        (_weibull_scenario, "exact only for exponential failure and repair times"),
        # a warm standby whose member holds a failover group (state of its own)
        (
            lambda: scenario(
                Standby(
                    (KofN(1, (Leaf("a"), Leaf("b")), failover=Switchover(Exponential(2.0))), Leaf("c")),
                    mode="warm",
                ),
                {"a": "box", "b": "box", "c": "box"},
                COMPS,
            ),
            "state of its own",
        ),
        # a shared instance below a stateful block: factoring would be wrong
        (
            lambda: scenario(
                Series((Leaf("p"), Standby((Leaf("p"), Leaf("b")), mode="cold"))),
                {"p": "psu", "b": "box"},
                COMPS,
            ),
            "below stateful block",
        ),
        # repairs that wait for a crew are not modelled
        (
            lambda: scenario(
                Leaf("a"), {"a": "crewed"}, {"crewed": comp("crewed", 100.0, 1.0, crew="onsite")}
            ),
            "crew",
        ),
    ],
)
def test_returns_none_outside_scope(make, reason):
    sc = make()
    assert an.steady_state_availability(sc) is None
    assert reason in an.unsupported_reason(sc)


def _erlang_failover_pair(lam, mu, d, stages):
    """Hot 1-of-2 with failover whose switchover is Erlang(stages, mean d): a plain CTMC
    written out here (state: members up, stage of the switchover, 0 = none running)."""
    rate = stages / d

    def transitions(state):
        m, stage = state
        out = []
        if m:  # a failure; with one still up a switchover (re)starts at stage 1
            out.append((m * lam, (m - 1, 1 if m - 1 >= 1 else stage)))
        if m < 2:
            out.append(((2 - m) * mu, (m + 1, stage)))
        if stage:
            out.append((rate, (m, stage + 1 if stage < stages else 0)))
        return out

    return ctmc.chain_availability((2, 0), transitions, lambda s: s[0] >= 1 and s[1] == 0)


def test_fixed_switchover_is_solved_exactly():
    """The issue's case: hot 1-of-2, MTBF 200 h, MTTR 4 h, a fixed 10 h switchover. The
    Markov regenerative solution equals the limit of Erlang(K) switchovers as K grows
    (Richardson extrapolation of K = 1000 and 2000: error O(1/K**2)); the exponential
    stand-in (K = 1) is 0.4 % off."""
    parts = {"a": "box", "b": "box"}
    comps = {"box": comp("box", 200.0, 4.0)}
    fixed = scenario(KofN(1, (Leaf("a"), Leaf("b")), failover=Switchover(Deterministic(10.0))), parts, comps)
    result = an.steady_state(fixed)
    assert result.reason is None
    limit = 2 * _erlang_failover_pair(1 / 200, 1 / 4, 10.0, 2000) - _erlang_failover_pair(
        1 / 200, 1 / 4, 10.0, 1000
    )
    assert result.value == pytest.approx(limit, abs=1e-7)
    assert result.value == pytest.approx(0.906122, abs=1e-6)
    exponential = _erlang_failover_pair(1 / 200, 1 / 4, 10.0, 1)
    assert exponential == pytest.approx(0.909953, abs=1e-6)
    expo_sc = scenario(
        KofN(1, (Leaf("a"), Leaf("b")), failover=Switchover(Exponential.from_mean(10.0))), parts, comps
    )
    assert an.steady_state(expo_sc).value == pytest.approx(exponential, abs=1e-12)


def test_fixed_switchover_of_15_seconds_in_a_cold_standby():
    """A short fixed switchover: exact, and between no switchover and the exponential one
    only by the chance of a second failure during it (tiny here)."""
    sw = Switchover(Deterministic(15 / 3600))
    sc = scenario(
        Standby((Leaf("a"), Leaf("b")), mode="cold", switchover=sw), {"a": "psu", "b": "psu"}, COMPS
    )
    result = an.steady_state(sc)
    assert result.value is not None and result.reason is None
    no_switch = an.steady_state_availability(
        scenario(Standby((Leaf("a"), Leaf("b")), mode="cold"), {"a": "psu", "b": "psu"}, COMPS)
    )
    # To first order each switchover (a failure of the serving member while the other
    # is up) costs its 15 s: lam * P(both up) switchovers an hour, P(both up) from the
    # cold pair's birth-death chain (2 up -> 1 at lam, 1 -> 0 at lam, repairs in parallel).
    lam, mu = 1 / 4000, 1 / 12
    p2 = 1 / (1 + lam / mu + lam**2 / (2 * mu**2))
    assert no_switch - result.value == pytest.approx(lam * p2 * 15 / 3600, rel=1e-3)


@pytest.mark.parametrize(
    "switchover, words",
    [
        (
            Switchover(Weibull(1.5, 0.01)),
            ["switchover of 'pair'", "weibull (mean 32.5 s, shape 1.5)", "exponential or fixed"],
        ),
        (
            Switchover(Exponential.from_mean(0.1), coverage=0.9, manual=Gamma(2.0, 1.0)),
            ["manual switchover of 'pair'", "gamma (mean 2 h, cv 0.71)"],
        ),
    ],
)
def test_other_switchover_distributions_have_no_value_and_a_reason(switchover, words):
    """A Weibull or gamma switchover has no exact chain: no value, a reason naming the block."""
    sc = scenario(
        Standby((Leaf("a"), Leaf("b")), mode="cold", switchover=switchover, name="pair"),
        {"a": "psu", "b": "psu"},
        COMPS,
    )
    result = an.steady_state(sc)
    assert result.value is None
    assert an.steady_state_availability(sc) is None
    for w in words:
        assert w in result.reason
    assert an.unsupported_reason(sc) == result.reason


def test_two_parts_with_fixed_cycles_have_no_value():
    """Two parts up exactly 9 h and down 1 h, in series, fail together for ever (the
    series is up 90 %, not 0.9 ** 2): no analytic value. One such part is exact."""
    clock = ComponentType("clock", Deterministic(9.0), Deterministic(1.0))
    comps = {"clock": clock, "box": comp("box", 100.0, 1.0)}
    two = scenario(Series((Leaf("a"), Leaf("b"))), {"a": "clock", "b": "clock"}, comps)
    result = an.steady_state(two)
    assert result.value is None and "'a' and 'b' have fixed up and repair times" in result.reason
    one = scenario(Series((Leaf("a"), Leaf("b"))), {"a": "clock", "b": "box"}, comps)
    assert an.steady_state(one).value == pytest.approx(0.9 * 100.0 / 101.0, rel=1e-14)


def test_chain_too_large_is_not_applicable():
    members = tuple(Leaf(f"s{i}") for i in range(6))
    service = Standby(members, mode="cold", switchover=Switchover(Exponential(100.0)))
    sc = scenario(service, {f"s{i}": "psu" for i in range(6)}, COMPS)
    assert an.steady_state_availability(sc) is not None
    assert an.steady_state_availability(sc, max_states=10) is None
    assert "more than 10 states" in an.unsupported_reason(sc, max_states=10)


def test_fixed_switchover_chain_too_large_is_not_applicable():
    """The regenerative solution is dense: beyond `MAX_TIMER_STATES` there is a reason."""
    members = tuple(Leaf(f"s{i}") for i in range(9))
    service = Standby(members, mode="cold", switchover=Switchover(Deterministic(0.01)), revert=True)
    result = an.steady_state(scenario(service, {f"s{i}": "psu" for i in range(9)}, COMPS))
    assert result.value is None
    assert result.reason == (
        "the Markov regenerative chain of a fixed-length switchover has more than "
        f"{ctmc.MAX_TIMER_STATES} states"
    )


def test_hot_kofn_failover_of_blocks_is_not_applicable():
    sw = Switchover(Exponential(100.0))
    service = KofN(1, (Series((Leaf("a"),)), Leaf("b")), failover=sw)
    sc = scenario(service, {"a": "box", "b": "box"}, COMPS)
    assert an.steady_state_availability(sc) is None


def test_result_says_why_there_is_no_analytic_value():
    """Summary and JSON report: no number where none is exact, and the reason instead."""
    import json

    import jsonschema

    import simulation as sim
    from simulation.report.json_report import REPORT_SCHEMA

    sw = Switchover(Weibull(2.0, 0.05))
    sc = scenario(
        Standby((Leaf("a"), Leaf("b")), mode="hot", switchover=sw, name="dc-power"),
        {"a": "psu", "b": "psu"},
        COMPS,
    )
    result = sim.run(sc, replications=4, seed=1, horizon=1000.0, workers=1, progress=False)
    assert result.analytic_availability is None
    assert result.analytic_reason.startswith("switchover of 'dc-power' is weibull (")
    assert f"analytic n/a: {result.analytic_reason}" in result.summary()
    assert "steady state (analytic)" not in result.summary()
    report = json.loads(result.to_json())
    assert report["availability"]["analytic"] is None
    assert report["availability"]["analytic_note"] == result.analytic_reason
    jsonschema.validate(report, REPORT_SCHEMA)


def test_result_shows_the_exact_value_of_a_fixed_switchover():
    """The issue's pair with a fixed 10 h switchover: 90.6122 %, not the exponential 90.995 %."""
    import json

    import simulation as sim

    sc = scenario(
        KofN(1, (Leaf("a"), Leaf("b")), failover=Switchover(Deterministic(10.0))),
        {"a": "box", "b": "box"},
        {"box": comp("box", 200.0, 4.0)},
    )
    result = sim.run(sc, replications=4, seed=1, horizon=1000.0, workers=1, progress=False)
    assert "steady state (analytic) 90.6122 %" in result.summary()
    report = json.loads(result.to_json())
    assert report["availability"]["analytic"] == pytest.approx(0.9061218, abs=1e-7)
    assert report["availability"]["analytic_note"] is None
