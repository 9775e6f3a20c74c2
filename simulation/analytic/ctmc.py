"""Continuous-time Markov chains for blocks that remember something.

A standby group, or a k-out-of-n group with warm/cold spares or a failover outage, is
not a function of its members' states alone: who serves, which spares wait, and
whether a switchover is running all matter. When its members' failure and repair times
are exponential the block is a continuous-time Markov chain. This module builds that
chain by exploring, from the initial state, the *same* event rules that the
simulation engine applies, and solves it for its stationary distribution.

The generic part is small: a state is any hashable value, ``transitions(state)``
returns ``[(rate, next_state), ...]``, `explore` collects the reachable states into a
generator matrix ``Q``, and `stationary_distribution` solves ``pi Q = 0``,
``sum(pi) = 1``; `chain_availability` adds a timer for fixed-length delays. The
block builders (`standby_availability`, `kofn_spares_availability`,
`kofn_failover_availability`) only write the rules.

A switchover or failover outage is exact in two cases. An exponential (or zero)
switchover time is one more exponential transition of the CTMC. A fixed
(deterministic) one, such as 15 s, is a delay that the chain's other events may restart
or cancel: the block is then a Markov regenerative process, solved exactly by
`regenerative_availability`. Any other switchover distribution raises `NotApplicable`:
entering it by its mean would be an approximation (a deterministic 10 h switchover in a
hot pair of MTBF 200 h, MTTR 4 h is up 90.61 % of the time, its exponential stand-in
91.0 %).

References
----------
.. [1] K. S. Trivedi, *Probability and Statistics with Reliability, Queuing and
   Computer Science Applications*, 2nd ed., Wiley, 2002, ch. 8 (continuous-time
   Markov chains; availability of standby and k-out-of-n systems with repair,
   imperfect coverage).
.. [2] W. J. Stewart, *Introduction to the Numerical Solution of Markov Chains*,
   Princeton University Press, 1994, section 2.3 (direct solution of
   ``pi Q = 0`` by replacing one equation with the normalisation).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from simulation.model.distributions import Deterministic
from simulation.model.structure import KofN, Leaf, Series, Standby, Switchover, leaves

__all__ = [
    "NotApplicable",
    "SwitchRates",
    "explore",
    "stationary_distribution",
    "chain_availability",
    "regenerative_availability",
    "standby_availability",
    "kofn_spares_availability",
    "kofn_failover_availability",
    "stateful_block_availability",
]

#: Largest chain `explore` builds by default; beyond it the analytic value is None.
MAX_STATES = 200_000

#: Chains up to this size are solved densely; larger ones with scipy.sparse.
_DENSE_LIMIT = 2_000

# Switchover phases carried in a state: none running, automatic, manual.
_NONE, _AUTO, _MANUAL = 0, 1, 2

Transitions = Callable[[Hashable], Sequence[tuple]]
Timer = Callable[[Hashable], "tuple[float, Hashable] | None"]


class NotApplicable(Exception):
    """The analytic solver does not cover this scenario; the message says why."""


# --------------------------------------------------------------------------- generic


def explore(
    initial: Hashable, transitions: Transitions, *, max_states: int = MAX_STATES
) -> tuple[list[Hashable], np.ndarray]:
    """Collect the states reachable from `initial` and the generator matrix.

    Parameters
    ----------
    initial : hashable
        The state at time 0.
    transitions : callable
        ``transitions(state) -> [(rate, next_state), ...]``. Rates of the same target
        add up; zero rates and self-loops are ignored. A third element (the restart
        flag of `chain_availability`) may follow and is ignored here.
    max_states : int
        Raise `NotApplicable` when more states are reachable.

    Returns
    -------
    states : list
        Reachable states in discovery order (``states[0] is initial``).
    Q : ndarray or scipy.sparse matrix, shape (n, n)
        Generator: ``Q[i, j]`` the rate from state i to j, rows sum to 0. Dense for
        up to 2000 states, else CSR.
    """
    index = {initial: 0}
    states = [initial]
    rows: list[int] = []
    cols: list[int] = []
    rates: list[float] = []
    i = 0
    while i < len(states):
        state = states[i]
        for rate, nxt, *_ in transitions(state):
            if rate < 0:
                raise ValueError(f"negative rate {rate} from state {state!r}")
            if rate == 0 or nxt == state:
                continue
            j = index.get(nxt)
            if j is None:
                if len(states) >= max_states:
                    raise NotApplicable(f"Markov chain has more than {max_states} states")
                j = index[nxt] = len(states)
                states.append(nxt)
            rows.append(i)
            cols.append(j)
            rates.append(rate)
        i += 1
    n = len(states)
    if n <= _DENSE_LIMIT:
        Q = np.zeros((n, n))
        np.add.at(Q, (rows, cols), rates)
        Q[np.diag_indices(n)] = -Q.sum(axis=1)
        return states, Q
    from scipy import sparse  # only large chains need it

    off = sparse.coo_matrix((rates, (rows, cols)), shape=(n, n)).tocsr()
    out = -np.asarray(off.sum(axis=1)).ravel()
    return states, (off + sparse.diags(out)).tocsr()


def stationary_distribution(Q) -> np.ndarray:
    """Solve ``pi Q = 0``, ``sum(pi) = 1`` for a chain with one recurrent class.

    The last balance equation is replaced by the normalisation: the balance
    equations are linearly dependent (the columns of ``Q^T`` sum to zero), and when
    the stationary distribution is unique the replaced system is non-singular [1]_.
    Transient states get probability 0. A least-squares solve is the fallback if the
    direct solve fails numerically. Large (sparse) chains instead fix ``pi[0] = 1``,
    solve the other balance equations and normalise, which keeps the LU sparse; state
    0 must then be recurrent (the initial state of every block chain here is).

    Parameters
    ----------
    Q : ndarray or scipy.sparse matrix, shape (n, n)

    Returns
    -------
    ndarray, shape (n,)

    References
    ----------
    .. [1] Stewart (1994), section 2.3.1.
    """
    n = Q.shape[0]
    if isinstance(Q, np.ndarray):
        A = Q.T.copy()
        A[-1, :] = 1.0
        b = np.zeros(n)
        b[-1] = 1.0
        try:
            pi = np.linalg.solve(A, b)
        except np.linalg.LinAlgError:
            pi = np.linalg.lstsq(A, b, rcond=None)[0]
    else:
        # A dense row of ones would fill in the sparse LU factors; instead fix
        # pi[0] = 1 (state 0, the initial state, is recurrent for the block chains
        # here), solve the other n - 1 balance equations and normalise after.
        from scipy.sparse.linalg import spsolve

        A = Q.T.tocsc()
        rest = np.arange(1, n)
        # MMD on A^T + A keeps the LU fill-in of these hypercube-like chains lowest.
        x = spsolve(A[rest][:, rest].tocsc(), -A[rest][:, [0]].toarray().ravel(), permc_spec="MMD_AT_PLUS_A")
        pi = np.concatenate(([1.0], np.atleast_1d(x)))
        pi = pi / pi.sum()
        scale = abs(Q.diagonal()).max()
        if not np.all(np.isfinite(pi)) or np.abs(Q.T @ pi).max() > 1e-9 * scale:
            raise NotApplicable("the Markov chain has no unique stationary distribution")
    pi = np.where(np.abs(pi) < 1e-300, 0.0, pi)
    if not np.all(np.isfinite(pi)) or pi.min() < -1e-9:
        raise NotApplicable("the Markov chain has no unique stationary distribution")
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def chain_availability(
    initial: Hashable,
    transitions: Transitions,
    is_up: Callable[[Hashable], bool],
    *,
    timer: Timer | None = None,
    max_states: int = MAX_STATES,
) -> float:
    """Long-run fraction of time in up states of the chain explored from `initial`.

    Computed as ``1 - sum(pi over down states)`` so that a tiny unavailability keeps
    its digits.

    Parameters
    ----------
    initial, transitions, max_states
        As for `explore`. A transition ``(rate, next, True)`` *restarts* the timer
        (a new switchover begins); ``(rate, next)`` keeps a running timer running
        when `next` has the same timer, else it cancels it.
    is_up : callable
        ``is_up(state) -> bool``.
    timer : callable, optional
        ``timer(state) -> (hours, next_state)`` for states in which a fixed-length
        delay runs (a deterministic switchover), None for the others: the delay ends
        `hours` after it started (or restarted), in `next_state`. Without a timer the
        chain is a CTMC; with one it is a Markov regenerative process, solved by
        `regenerative_availability`.
    """
    if timer is not None:
        return regenerative_availability(
            initial, transitions, is_up, timer, max_states=min(max_states, MAX_TIMER_STATES)
        )
    states, Q = explore(initial, transitions, max_states=max_states)
    pi = stationary_distribution(Q)
    down = [i for i, s in enumerate(states) if not is_up(s)]
    return float(1.0 - pi[down].sum()) if down else 1.0


#: Largest chain solved with a fixed-length (deterministic) delay; also bounds the
#: states sharing one delay, whose matrix exponential is dense.
MAX_TIMER_STATES = _DENSE_LIMIT


def regenerative_availability(
    initial: Hashable,
    transitions: Transitions,
    is_up: Callable[[Hashable], bool],
    timer: Timer,
    *,
    max_states: int = MAX_TIMER_STATES,
) -> float:
    """Long-run fraction of time up of a chain with exponential events and one
    fixed-length delay at a time (a deterministic switchover): exact.

    The process is Markov regenerative [1]_: it regenerates at every exponential
    event outside a delay, at every start or restart of a delay, and when a delay
    ends or is cancelled. From a state entered with a fresh delay of ``d`` hours, the
    exponential events that keep the delay running form a subordinated CTMC with
    generator ``Omega`` (its diagonal holds all exponential outflow); events that
    restart or cancel the delay leave it with rates ``Delta``. Then, with
    ``E(d) = expm(Omega d)`` and ``I(d) = int_0^d expm(Omega t) dt`` (both from one
    matrix exponential of ``[[Omega, 1], [0, 0]] d``, [2]_):

    - the embedded chain moves to ``expiry(s)`` with probability ``E(d)[i, s]`` and to
      ``j`` by a restart or cancel with probability ``(I(d) Delta)[i, j]``;
    - the expected time spent in state ``s`` before the next regeneration is
      ``I(d)[i, s]``.

    States without a delay contribute ``1 / q_i`` (their mean sojourn) and jump by
    ``Q[i, j] / q_i``. With ``nu`` the stationary distribution of the embedded chain
    and ``C`` those expected times, the long-run fraction of time in state ``s`` is
    ``(nu C)[s] / sum(nu C)`` (the Markov renewal reward theorem).

    Parameters
    ----------
    initial, transitions, is_up, timer
        As for `chain_availability`.
    max_states : int
        The embedded chain is solved densely: more reachable states raise
        `NotApplicable`.

    References
    ----------
    .. [1] H. Choi, V. G. Kulkarni and K. S. Trivedi, "Markov regenerative stochastic
       Petri nets", *Performance Evaluation* 20 (1994) 337-357; R. German, *Performance
       Analysis of Communication Systems with Non-Markovian Stochastic Petri Nets*,
       Wiley, 2000, ch. 8 (stationary analysis of DSPNs, at most one deterministic
       transition enabled).
    .. [2] C. F. Van Loan, "Computing integrals involving the matrix exponential",
       *IEEE Trans. Automatic Control* 23 (1978) 395-404.
    """
    from scipy.linalg import expm

    index = {initial: 0}
    states = [initial]
    arcs: list[list[tuple[float, int, bool]]] = []
    expiry: dict[int, tuple[float, int]] = {}

    def at(state) -> int:
        j = index.get(state)
        if j is None:
            if len(states) >= max_states:
                raise NotApplicable(
                    f"the Markov regenerative chain of a fixed-length switchover has more than "
                    f"{max_states} states"
                )
            j = index[state] = len(states)
            states.append(state)
        return j

    i = 0
    while i < len(states):
        state = states[i]
        out = []
        for rate, nxt, *flag in transitions(state):
            restart = bool(flag and flag[0])
            if rate < 0:
                raise ValueError(f"negative rate {rate} from state {state!r}")
            if rate == 0 or (nxt == state and not restart):
                continue
            out.append((rate, at(nxt), restart))
        arcs.append(out)
        fixed = timer(state)
        if fixed is not None:
            expiry[i] = (float(fixed[0]), at(fixed[1]))
        i += 1

    n = len(states)
    P = np.zeros((n, n))  # embedded chain at regeneration epochs
    C = np.zeros((n, n))  # expected time in each state until the next regeneration
    for i in range(n):
        if i in expiry:
            continue
        q = sum(r for r, _, _ in arcs[i])
        if q <= 0:
            raise NotApplicable(f"state {states[i]!r} of the chain is absorbing")
        for r, j, _ in arcs[i]:
            P[i, j] += r / q
        C[i, i] = 1.0 / q
    groups: dict[float, list[int]] = {}
    for i, (d, _) in expiry.items():
        groups.setdefault(d, []).append(i)
    for d, group in groups.items():
        pos = {s: k for k, s in enumerate(group)}
        m = len(group)
        omega = np.zeros((m, m))
        leave = np.zeros((m, n))
        for k, s in enumerate(group):
            for r, j, restart in arcs[s]:
                omega[k, k] -= r
                if not restart and j in pos:
                    omega[k, pos[j]] += r
                else:
                    leave[k, j] += r
        big = np.zeros((2 * m, 2 * m))
        big[:m, :m] = omega * d
        big[:m, m:] = np.eye(m) * d
        X = expm(big)
        survive, occupy = X[:m, :m], X[:m, m:]
        ends = np.zeros((m, n))
        for k, s in enumerate(group):
            ends[k, expiry[s][1]] = 1.0
        P[group, :] = survive @ ends + occupy @ leave
        C[np.ix_(group, group)] = occupy
    nu = stationary_distribution(P - np.eye(n))
    time = nu @ C
    down = [i for i, s in enumerate(states) if not is_up(s)]
    return float(1.0 - time[down].sum() / time.sum()) if down else 1.0


# ----------------------------------------------------------------- switchover phases


@dataclass(frozen=True)
class SwitchRates:
    """A switchover as the chain sees it.

    Attributes
    ----------
    coverage : float
        Probability that the automatic switchover is the one that runs.
    auto_rate, manual_rate : float or None
        1 / duration (mean duration) of the automatic and of the manual switchover, per
        hour; None for a zero-length one (it ends at once). `manual_rate` is unused when
        ``coverage == 1``.
    auto_fixed, manual_fixed : bool
        True when that switchover lasts exactly ``1 / rate`` hours (deterministic)
        rather than an exponential time; the chain is then solved as a Markov
        regenerative process (`chain_availability` with a timer).
    """

    coverage: float = 1.0
    auto_rate: float | None = None
    manual_rate: float | None = None
    auto_fixed: bool = False
    manual_fixed: bool = False

    @classmethod
    def from_switchover(cls, switchover: Switchover | None, label: str = "the block") -> SwitchRates | None:
        """Rates from a model `Switchover` (None stays None: changes are instant).

        Exponential and deterministic durations are exact; any other distribution
        raises `NotApplicable` naming `label` (the block), since the value would only
        be an approximation.
        """
        if switchover is None:
            return None
        c = float(switchover.coverage)
        if not 0.0 <= c <= 1.0:
            raise NotApplicable(f"switchover coverage of {label} must be in [0, 1], got {c}")

        def rate(dist, what):
            mean = dist.mean
            if mean == 0:
                return None, False
            fixed = isinstance(dist, Deterministic)
            if not (fixed or dist.is_exponential):
                raise NotApplicable(
                    f"{what} of {label} is {dist.describe()}; the Markov chain is exact only for "
                    "exponential or fixed (deterministic) switchover times"
                )
            return 1.0 / mean, fixed

        auto, auto_fixed = rate(switchover.time, "switchover")
        manual, manual_fixed = None, False
        if c < 1.0:
            if switchover.manual is None:
                raise NotApplicable(f"coverage {c} < 1 of {label} but no manual switchover time")
            manual, manual_fixed = rate(switchover.manual, "manual switchover")
        return cls(c, auto, manual, auto_fixed, manual_fixed)

    def starts(self) -> list[tuple[float, int]]:
        """``[(probability, phase), ...]`` entered when a switchover starts."""
        auto = _NONE if self.auto_rate is None else _AUTO
        manual = _NONE if self.manual_rate is None else _MANUAL
        out = [(self.coverage, auto), (1.0 - self.coverage, manual)]
        return [(p, ph) for p, ph in out if p > 0]

    def end_rate(self, phase: int) -> float:
        """Exponential rate at which `phase` ends; 0 for a fixed one (it ends by the timer)."""
        if self.fixed_duration(phase) is not None:
            return 0.0
        return self.auto_rate if phase == _AUTO else self.manual_rate

    def fixed_duration(self, phase: int) -> float | None:
        """Hours a fixed-length `phase` lasts; None for an exponential (or no) phase."""
        if phase == _AUTO and self.auto_fixed:
            return 1.0 / self.auto_rate
        if phase == _MANUAL and self.manual_fixed:
            return 1.0 / self.manual_rate
        return None

    def timer(self) -> Timer | None:
        """The timer of `chain_availability` for states whose last element is the phase."""
        if not (self.auto_fixed or self.manual_fixed):
            return None

        def timer(state):
            d = self.fixed_duration(state[-1])
            return None if d is None else (d, state[:-1] + (_NONE,))

        return timer


def _timer(sw: SwitchRates | None) -> Timer | None:
    return None if sw is None else sw.timer()


def _starts(sw: SwitchRates | None) -> list[tuple[float, int]]:
    return [(1.0, _NONE)] if sw is None else sw.starts()


def _exposure(mode, failure, idle):
    """Failure rates of a waiting member: warm -> idle (default failure), cold -> 0."""
    n = len(failure)
    if mode == "hot":
        return list(failure)
    if mode == "cold":
        return [0.0] * n
    if mode == "warm":
        return (
            list(failure)
            if idle is None
            else [f if r is None else r for f, r in zip(failure, idle, strict=True)]
        )
    raise ValueError(f"mode must be 'hot', 'warm' or 'cold', got {mode!r}")


def _check_rates(failure, repair):
    if len(failure) != len(repair) or not failure:
        raise ValueError("need one failure and one repair rate per member, at least one member")
    for r in list(failure) + list(repair):
        if not (r > 0 and np.isfinite(r)):
            raise ValueError(f"rates must be positive numbers, got {r}")


# ------------------------------------------------------------------------- standby


def standby_availability(
    failure: Sequence[float],
    repair: Sequence[float],
    *,
    mode: str = "hot",
    idle: Sequence[float | None] | None = None,
    switchover: SwitchRates | None = None,
    revert: bool = False,
    max_states: int = MAX_STATES,
) -> float:
    """Steady-state availability of a standby group of exponential members.

    One member serves, at first member 0. The rules, event by event (those of the
    simulation engine):

    - the serving member fails: the first other up member in list order serves at
      once and a switchover starts (restarting one in progress); if no member is up,
      none serves and any switchover is dropped;
    - a member is repaired while none serves: it serves at once, no switchover;
    - with `revert`, member 0 is repaired while another serves (or is being switched
      to): member 0 serves and a new switchover starts;
    - a switchover starts in the automatic phase with probability ``coverage``, else
      in the manual phase, and ends at that phase's rate.

    Up iff a member serves and no switchover runs. In ``warm``/``cold`` mode only the
    serving member fails at its `failure` rate; a waiting one fails at its `idle`
    rate (warm; None = its failure rate) or not at all (cold). Repairs always run.

    State: (member up flags, serving index or -1, switchover phase).

    Parameters
    ----------
    failure, repair : sequence of float
        Per-member exponential rates, per hour.
    mode : {"hot", "warm", "cold"}
    idle : sequence of float or None, optional
        Warm-spare failure rates (None entries or None: the failure rate).
    switchover : SwitchRates or None
        None: changes of serving member are instant.
    revert : bool

    Returns
    -------
    float

    References
    ----------
    .. [1] Trivedi (2002), section 8.4.2 (two-unit warm/cold standby with repair) and
       8.4.3 (imperfect coverage).
    """
    _check_rates(failure, repair)
    n = len(failure)
    waiting = _exposure(mode, failure, idle)
    starts = _starts(switchover)

    def transitions(state):
        up, serving, phase = state
        out = []
        for i in range(n):
            if up[i]:
                rate = failure[i] if i == serving else waiting[i]
                down = up[:i] + (False,) + up[i + 1 :]
                if i != serving:
                    out.append((rate, (down, serving, phase)))
                    continue
                nxt = next((j for j in range(n) if j != i and up[j]), -1)
                if nxt < 0:
                    out.append((rate, (down, -1, _NONE)))
                else:
                    out.extend((rate * p, (down, nxt, ph), True) for p, ph in starts)
            else:
                back = up[:i] + (True,) + up[i + 1 :]
                if serving < 0:
                    out.append((repair[i], (back, i, _NONE)))
                elif revert and i == 0:
                    out.extend((repair[i] * p, (back, 0, ph), True) for p, ph in starts)
                else:
                    out.append((repair[i], (back, serving, phase)))
        if phase != _NONE:
            out.append((switchover.end_rate(phase), (up, serving, _NONE)))
        return out

    def is_up(state):
        _, serving, phase = state
        return serving >= 0 and phase == _NONE

    return chain_availability(
        ((True,) * n, 0, _NONE), transitions, is_up, timer=_timer(switchover), max_states=max_states
    )


# ----------------------------------------------------------------- k-of-n with spares


def _identical(*seqs) -> bool:
    return all(len(set(s)) <= 1 for s in seqs)


def kofn_spares_availability(
    k: int,
    failure: Sequence[float],
    repair: Sequence[float],
    *,
    mode: str = "warm",
    idle: Sequence[float | None] | None = None,
    failover: SwitchRates | None = None,
    max_states: int = MAX_STATES,
) -> float:
    """Steady-state availability of k-out-of-n with k members in use and spares waiting.

    The in-use set is at first members ``0..k-1``. Rules (the engine's):

    - a member in use fails: it leaves the set; the first up waiting member in list
      order enters, and a failover switchover starts (restarting one in progress);
      if no waiting member is up the slot stays vacant and a switchover in
      progress is cancelled (as in `Standby`);
    - a member is repaired while fewer than k are in use: it enters at once, no
      switchover.

    Up iff k members are in use and no switchover runs. Members in use fail at their
    `failure` rate; waiting ones at their `idle` rate (warm) or not at all (cold).
    Also valid for ``mode="hot"`` (waiting members fail at their normal rate), though
    hot k-of-n is normally `kofn_failover_availability`.

    With identical members the chain is lumped to (in use, waiting up, phase), so
    large groups (16 of 20) stay small; otherwise the state is (member up flags,
    in-use flags, phase).

    References
    ----------
    .. [1] Trivedi (2002), section 8.4 (k-out-of-n systems with warm spares and
       repair).
    """
    _check_rates(failure, repair)
    n = len(failure)
    if not 1 <= k <= n:
        raise ValueError(f"k must be in 1..{n}, got {k}")
    waiting = _exposure(mode, failure, idle)
    starts = _starts(failover)

    def phase_end(phase):
        return failover.end_rate(phase)

    if _identical(failure, repair, waiting):
        lam, mu, nu = failure[0], repair[0], waiting[0]

        def transitions(state):
            used, spare, phase = state
            downs = n - used - spare
            out = []
            if used:
                if spare:
                    out.extend((used * lam * p, (used, spare - 1, ph), True) for p, ph in starts)
                else:  # a vacancy cancels a switchover in progress
                    out.append((used * lam, (used - 1, 0, _NONE)))
            if spare:
                out.append((spare * nu, (used, spare - 1, phase)))
            if downs:
                nxt = (used + 1, spare) if used < k else (used, spare + 1)
                out.append((downs * mu, (*nxt, phase)))
            if phase != _NONE:
                out.append((phase_end(phase), (used, spare, _NONE)))
            return out

        def is_up(state):
            return state[0] == k and state[2] == _NONE

        return chain_availability(
            (k, n - k, _NONE), transitions, is_up, timer=_timer(failover), max_states=max_states
        )

    def transitions(state):
        up, used, phase = state
        count = sum(used)
        out = []
        for i in range(n):
            if up[i]:
                down = up[:i] + (False,) + up[i + 1 :]
                if not used[i]:
                    out.append((waiting[i], (down, used, phase)))
                    continue
                left = used[:i] + (False,) + used[i + 1 :]
                nxt = next((j for j in range(n) if up[j] and not used[j]), -1)
                if nxt < 0:  # a vacancy cancels a switchover in progress
                    out.append((failure[i], (down, left, _NONE)))
                else:
                    enter = left[:nxt] + (True,) + left[nxt + 1 :]
                    out.extend((failure[i] * p, (down, enter, ph), True) for p, ph in starts)
            else:
                back = up[:i] + (True,) + up[i + 1 :]
                if count < k:
                    out.append((repair[i], (back, used[:i] + (True,) + used[i + 1 :], phase)))
                else:
                    out.append((repair[i], (back, used, phase)))
        if phase != _NONE:
            out.append((phase_end(phase), (up, used, _NONE)))
        return out

    def is_up(state):
        return sum(state[1]) == k and state[2] == _NONE

    initial = ((True,) * n, (True,) * k + (False,) * (n - k), _NONE)
    return chain_availability(initial, transitions, is_up, timer=_timer(failover), max_states=max_states)


# -------------------------------------------------------------- hot k-of-n, failover


def kofn_failover_availability(
    k: int,
    failure: Sequence[float],
    repair: Sequence[float],
    *,
    failover: SwitchRates | None,
    max_states: int = MAX_STATES,
) -> float:
    """Steady-state availability of hot k-out-of-n that pays a failover outage.

    All members are in use. When a member fails and at least `k` members are still
    up, a switchover starts (restarting one in progress); with fewer than `k` up none
    starts (one in progress runs on). Up iff at least `k` members are up and no
    switchover runs. With ``failover=None`` this is the binomial closed form.

    With identical members the state is (number up, phase); otherwise (member up
    flags, phase).

    References
    ----------
    .. [1] Trivedi (2002), section 8.4.3 (parallel redundancy with imperfect coverage
       and reconfiguration delay).
    """
    _check_rates(failure, repair)
    n = len(failure)
    if not 1 <= k <= n:
        raise ValueError(f"k must be in 1..{n}, got {k}")
    starts = _starts(failover)

    def phase_end(phase):
        return failover.end_rate(phase)

    if _identical(failure, repair):
        lam, mu = failure[0], repair[0]

        def transitions(state):
            m, phase = state
            out = []
            if m:
                if m - 1 >= k:
                    out.extend((m * lam * p, (m - 1, ph), True) for p, ph in starts)
                else:
                    out.append((m * lam, (m - 1, phase)))
            if m < n:
                out.append(((n - m) * mu, (m + 1, phase)))
            if phase != _NONE:
                out.append((phase_end(phase), (m, _NONE)))
            return out

        def is_up(state):
            return state[0] >= k and state[1] == _NONE

        return chain_availability(
            (n, _NONE), transitions, is_up, timer=_timer(failover), max_states=max_states
        )

    def transitions(state):
        up, phase = state
        m = sum(up)
        out = []
        for i in range(n):
            if up[i]:
                down = up[:i] + (False,) + up[i + 1 :]
                if m - 1 >= k:
                    out.extend((failure[i] * p, (down, ph), True) for p, ph in starts)
                else:
                    out.append((failure[i], (down, phase)))
            else:
                out.append((repair[i], (up[:i] + (True,) + up[i + 1 :], phase)))
        if phase != _NONE:
            out.append((phase_end(phase), (up, _NONE)))
        return out

    def is_up(state):
        return sum(state[0]) >= k and state[1] == _NONE

    return chain_availability(
        ((True,) * n, _NONE), transitions, is_up, timer=_timer(failover), max_states=max_states
    )


# ------------------------------------------------------- standby of whole blocks


def _structure_function(block, index: dict[str, int]) -> Callable[[tuple], bool]:
    """Up/down of a stateless block as a function of its instances' up flags."""
    if isinstance(block, Leaf):
        i = index[block.instance]
        return lambda up: up[i]
    if isinstance(block, Series) or (
        isinstance(block, KofN) and block.mode == "hot" and block.failover is None
    ):
        parts = [_structure_function(m, index) for m in block.members]
        k = len(parts) if isinstance(block, Series) else block.k
        return lambda up: sum(f(up) for f in parts) >= k
    raise NotApplicable(f"a standby member holds a {type(block).__name__} block with state of its own")


def standby_blocks_availability(
    block: Standby,
    component_of: Callable[[str], object],
    *,
    switchover: SwitchRates | None = None,
    max_states: int = MAX_STATES,
) -> float:
    """A `Standby` whose members are stateless blocks (a pair of utility feeds standing by
    for a pair of generators): a chain over the members' instances.

    The rules are those of `standby_availability`, applied to the members' up/down
    states as their instances fail and are repaired; in warm and cold mode every
    instance of a waiting member is idle (its `idle_failure` rate, or none). The
    members may not share instances.

    State: (instance up flags, serving member or -1, switchover phase).
    """
    groups = [leaves(m) for m in block.members]
    ids = [i for g in groups for i in g]
    if len(ids) != len(set(ids)):
        raise NotApplicable("standby members share an instance")
    index = {iid: j for j, iid in enumerate(ids)}
    member_of = [m for m, g in enumerate(groups) for _ in g]
    member_up = [_structure_function(m, index) for m in block.members]
    comps = [component_of(i) for i in ids]
    fail = [_rate(c.failure, f"failure of {i!r}") for c, i in zip(comps, ids)]
    rep = [_rate(c.repair, f"repair of {i!r}") for c, i in zip(comps, ids)]
    if block.mode == "hot":
        waiting = fail
    elif block.mode == "cold":
        waiting = [0.0] * len(ids)
    else:
        waiting = [
            f if c.idle_failure is None else _rate(c.idle_failure, f"idle failure of {i!r}")
            for f, c, i in zip(fail, comps, ids)
        ]
    n = len(block.members)
    starts = _starts(switchover)

    def transitions(state):
        up, serving, phase = state
        out = []
        for j, m in enumerate(member_of):
            new = up[:j] + (not up[j],) + up[j + 1 :]
            rate = (fail[j] if m == serving else waiting[j]) if up[j] else rep[j]
            if rate == 0.0:
                continue
            was, now = member_up[m](up), member_up[m](new)
            if was and not now and m == serving:
                nxt = next((i for i in range(n) if i != m and member_up[i](new)), -1)
                if nxt < 0:
                    out.append((rate, (new, -1, _NONE)))
                else:
                    out.extend((rate * p, (new, nxt, ph), True) for p, ph in starts)
            elif now and not was and serving < 0:
                out.append((rate, (new, m, _NONE)))
            elif now and not was and block.revert and m == 0 and serving != 0:
                out.extend((rate * p, (new, 0, ph), True) for p, ph in starts)
            else:
                out.append((rate, (new, serving, phase)))
        if phase != _NONE:
            out.append((switchover.end_rate(phase), (up, serving, _NONE)))
        return out

    def is_up(state):
        return state[1] >= 0 and state[2] == _NONE

    return chain_availability(
        ((True,) * len(ids), 0, _NONE), transitions, is_up, timer=_timer(switchover), max_states=max_states
    )


# ------------------------------------------------------------------- model blocks


def _rate(dist, what: str) -> float:
    if not dist.is_exponential:
        raise NotApplicable(
            f"{what} is {dist.describe()}; the Markov chain of a standby, spare or failover group is exact "
            "only for exponential failure and repair times"
        )
    return 1.0 / dist.mean


def stateful_block_availability(
    block: Standby | KofN,
    component_of: Callable[[str], object],
    *,
    max_states: int = MAX_STATES,
) -> float:
    """Availability of a `Standby`, or of a `KofN` with spares or failover: exact.

    Parameters
    ----------
    block : Standby or KofN
        Its members must be `Leaf` instances, except that a `Standby`'s members may be
        stateless blocks (series, hot k-of-n without failover) of instances of their own
        (see `standby_blocks_availability`).
    component_of : callable
        Instance id -> `ComponentType` (e.g. ``scenario.component_of``).
    max_states : int
        Largest chain built.

    Raises
    ------
    NotApplicable
        A member is not a leaf, a failure or repair distribution is not exponential, a
        switchover time is neither exponential nor fixed, the coverage needs a missing
        manual time, or the chain is too large.
    """
    kind = type(block).__name__
    label = block.name or kind
    if isinstance(block, Standby) and not all(isinstance(m, Leaf) for m in block.members):
        return standby_blocks_availability(
            block,
            component_of,
            switchover=SwitchRates.from_switchover(block.switchover, repr(label)),
            max_states=max_states,
        )
    failure, repair, idle = [], [], []
    for member in block.members:
        if not isinstance(member, Leaf):
            raise NotApplicable(f"{kind} {label!r} has a member that is not a single instance")
        comp = component_of(member.instance)
        failure.append(_rate(comp.failure, f"failure of {member.instance!r}"))
        repair.append(_rate(comp.repair, f"repair of {member.instance!r}"))
        if block.mode == "warm" and comp.idle_failure is not None:
            idle.append(_rate(comp.idle_failure, f"idle failure of {member.instance!r}"))
        else:
            idle.append(None)
    if isinstance(block, Standby):
        return standby_availability(
            failure,
            repair,
            mode=block.mode,
            idle=idle,
            switchover=SwitchRates.from_switchover(block.switchover, repr(label)),
            revert=block.revert,
            max_states=max_states,
        )
    if isinstance(block, KofN):
        failover = SwitchRates.from_switchover(block.failover, repr(label))
        if block.mode == "hot":
            return kofn_failover_availability(
                block.k, failure, repair, failover=failover, max_states=max_states
            )
        return kofn_spares_availability(
            block.k,
            failure,
            repair,
            mode=block.mode,
            idle=idle,
            failover=failover,
            max_states=max_states,
        )
    raise NotApplicable(f"no Markov model for block type {kind}")
