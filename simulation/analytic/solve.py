"""The steady-state availability of a whole scenario, where an exact one exists.

`steady_state_availability` composes the closed forms of `rbd` and the Markov chains
of `ctmc` over the service structure:

1. Every repair must start at once (no crew, no spare pool: those queue repairs),
   except for the single k-of-n or standby groups that `analytic.repair` solves with
   shared technicians or a spare pool.
   Under stateless blocks any failure and repair distributions will do: the long-run
   fraction of time an alternating renewal process is up is MTTF / (MTTF + MTTR)
   whatever their shapes, and independent parts combine by the structure function
   (Barlow and Proschan, ch. 7). Members of stateful blocks must be exponential.
2. A block is *stateless* when its state is a function of its members' states:
   a series, a hot k-of-n (parallel) without failover, and the degenerate cases that
   reduce to them (a hot standby without switchover is a parallel group; a k-of-n
   with ``k >= n`` or a standby with one member never switches). Stateless blocks
   compose by the closed forms, whatever their members are. A network block is
   stateless too: it is up while its up members join source and target(s), solved by
   factoring on its graph (`simulation.analytic.network`); one whose instances occur
   nowhere else is solved on its own first, its risk groups included.
3. Any other block (standby, warm/cold k-of-n, hot k-of-n with failover) is
   *stateful*: its members must be single instances (a standby's may be stateless
   blocks) with exponential failure and repair times, and it is solved as a Markov
   chain; an exponential or fixed (deterministic) switchover time keeps it exact
   (`ctmc`), any other switchover distribution does not. It is independent of the
   rest of the structure, so it enters the composition with its chain availability.
4. An instance used in several places (a common cause) is handled by factoring
   (pivotal decomposition): ``A = a_s A(system | s up) + (1 - a_s) A(system | s
   down)``, recursively over the shared instances. This is exact when every use of
   a shared instance lies under stateless blocks only. A whole block used in several
   places (a shared standby power supply, say), whose instances appear nowhere else,
   is first solved on its own and then factored on like one instance.

5. The product rule for independent parts needs their joint long-run state to be the
   product of their own: true when at most one part has a periodic (lattice) up/repair
   cycle. Two parts with fixed up *and* fixed repair times start new together and may
   stay in step for ever (two 9 h up / 1 h down parts in series are up 90 %, not
   81 %), so that case has no analytic value.

Anything else gives no value, with the reason: the solver never guesses.

References
----------
.. [1] K. S. Trivedi, *Probability and Statistics with Reliability, Queuing and
   Computer Science Applications*, 2nd ed., Wiley, 2002, ch. 3.5 (factoring /
   conditioning on a key component) and ch. 8 (Markov availability models).
.. [2] R. E. Barlow and F. Proschan, *Statistical Theory of Reliability and Life
   Testing*, 1975, ch. 2.1 (pivotal decomposition of structure functions).
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulation.analytic import rbd
from simulation.analytic.ctmc import MAX_STATES, NotApplicable, stateful_block_availability
from simulation.analytic.network import network_block_availability, network_leaf_availability
from simulation.model.distributions import Deterministic, Empirical
from simulation.model.structure import Block, KofN, Leaf, Network, Series, Standby, iter_blocks

if TYPE_CHECKING:  # keep `import simulation.analytic` light
    from simulation.model.scenario import Scenario

__all__ = ["Analytic", "steady_state", "steady_state_availability", "unsupported_reason", "MAX_SHARED"]

#: Most shared instances (and shared blocks) factored on; 2**MAX_SHARED evaluations.
MAX_SHARED = 16

_PSEUDO = "\x00shared-block-"  # id prefix of a shared block stood in for by a leaf


@dataclass(frozen=True)
class Analytic:
    """The exact steady-state availability of a scenario, or why there is none.

    Attributes
    ----------
    value : float or None
        Long-run fraction of time the service is up; None when no exact solution
        applies to the distributions and structure given.
    reason : str or None
        Why `value` is None (e.g. "switchover of 'db' is Lognormal(...); ..."); None
        when there is a value.
    """

    value: float | None
    reason: str | None = None


def steady_state(scenario: Scenario, *, max_states: int = MAX_STATES) -> Analytic:
    """Exact long-run availability of `scenario`, or the reason there is none.

    Parameters
    ----------
    scenario : Scenario
    max_states : int
        Largest Markov chain built for one stateful block.

    Returns
    -------
    Analytic
        ``Analytic(value, None)`` where the solvers are exact for the distributions
        given, else ``Analytic(None, reason)``.

    Notes
    -----
    Exact: series / parallel / k-of-n of independent parts with any failure and
    repair distributions (through their means), factoring on shared instances, and
    Markov chains for stateful blocks whose members fail and are repaired at
    exponential times and whose switchover times are exponential or fixed, all with
    repairs starting at once (module docstring). The value is the long-run one:
    parts start new, so a finite horizon may differ from it (a young fleet of
    Weibull shape < 1).

    References
    ----------
    .. [1] Trivedi (2002), ch. 3.5 and ch. 8.

    Examples
    --------
    >>> from simulation.model.components import ComponentType
    >>> from simulation.model.distributions import Exponential
    >>> from simulation.model.scenario import Scenario
    >>> from simulation.model.structure import Instance, KofN, Leaf
    >>> box = ComponentType("box", Exponential.from_mean(99.0), Exponential.from_mean(1.0))
    >>> sc = Scenario("pair", {"box": box},
    ...               {"a": Instance("a", "box"), "b": Instance("b", "box")},
    ...               KofN(1, (Leaf("a"), Leaf("b")), kind="parallel"))
    >>> round(steady_state(sc).value, 12)
    0.9999
    """
    try:
        return Analytic(_Solver(scenario, max_states=max_states).solve())
    except NotApplicable as exc:
        return Analytic(None, str(exc))


def steady_state_availability(scenario: Scenario, *, max_states: int = MAX_STATES) -> float | None:
    """``steady_state(scenario).value``: the exact long-run availability or None."""
    return steady_state(scenario, max_states=max_states).value


def unsupported_reason(scenario: Scenario, *, max_states: int = MAX_STATES) -> str | None:
    """``steady_state(scenario).reason``: why there is no exact value; None when there is."""
    return steady_state(scenario, max_states=max_states).reason


# ------------------------------------------------------------------------ internals


@functools.singledispatch
def _is_stateless(block: Block) -> bool:
    """True for blocks whose up state is a function of their members' up states."""
    return False


@_is_stateless.register(Series)
@_is_stateless.register(Network)
def _(block) -> bool:
    return True  # a network is up while its up members join source and target(s)


@_is_stateless.register
def _(block: KofN) -> bool:
    if not isinstance(block.k, numbers.Integral):
        raise NotApplicable(f"k-of-n {block.name or ''!r} has a non-integer k {block.k!r}")
    if block.mode == "hot" and block.failover is None:
        return True
    # k >= n: no member ever waits and no failover can start (too few stay up).
    # In warm/cold mode only when members are single instances, so that "in use"
    # has no meaning below the block.
    if block.k <= 0 or block.k >= len(block.members):
        return block.mode == "hot" or all(isinstance(m, Leaf) for m in block.members)
    return False


@_is_stateless.register
def _(block: Standby) -> bool:
    if block.mode == "hot" and block.switchover is None:
        return True  # the first up member serves at once: a parallel group
    if len(block.members) == 1:
        return block.mode == "hot" or isinstance(block.members[0], Leaf)
    return False


def _periodic(comp) -> bool:
    """True when a part's up/repair cycle may be lattice (both times discrete)."""
    return isinstance(comp.failure, (Deterministic, Empirical)) and isinstance(
        comp.repair, (Deterministic, Empirical)
    )


@functools.singledispatch
def _combine(block: Block, values: list[float]) -> float:
    """The availability of a stateless `block` from its members' availabilities."""
    raise AssertionError(block)


@_combine.register
def _(block: Series, values):
    return rbd.series(values)


@_combine.register
def _(block: KofN, values):
    return rbd.k_of_n(block.k, values)


@_combine.register
def _(block: Standby, values):
    return rbd.parallel(values)


@_combine.register
def _(block: Network, values):
    return network_block_availability(block, values)


def _rewrite(root: Block, replace) -> Block:
    """`root` with every non-leaf block for which ``replace(block)`` gives a block put in
    its place (outermost first; None: keep it and rewrite its members). Unchanged
    subtrees are returned as they are."""

    def rebuild(b: Block) -> Block:
        if isinstance(b, Leaf):
            return b
        new = replace(b)
        if new is not None:
            return new
        members = tuple(rebuild(m) for m in b.members)
        if all(m is o for m, o in zip(members, b.members, strict=True)):
            return b
        return _replace_members(b, members)

    return rebuild(root)


def _replace_members(block: Block, members: tuple[Block, ...]) -> Block:
    return dataclasses.replace(block, members=members)


class _Solver:
    def __init__(self, scenario: Scenario, *, max_states: int):
        self.scenario = scenario
        self.max_states = max_states
        self.avail: dict[str, float] = {}  # leaf id (or pseudo id) -> availability
        self.n_pseudo = 0

    # -- entry -------------------------------------------------------------------

    def solve(self) -> float:
        sc = self.scenario
        if getattr(sc, "maintenance", None):
            raise NotApplicable("planned maintenance outages are not in the analytic model")
        known = (Leaf, Series, KofN, Standby, Network)
        for b in iter_blocks(sc.service):
            if not isinstance(b, known):
                raise NotApplicable(f"no analytic model for {type(b).__name__} blocks")
            if getattr(b, "demand", None) is not None:
                raise NotApplicable(
                    f"k-of-n {b.name or ''!r} follows demand profile {b.demand!r}: k varies in time"
                )
        used = list(dict.fromkeys(b.instance for b in iter_blocks(sc.service) if isinstance(b, Leaf)))
        operated = [iid for iid in used if sc.component_of(iid).crew or sc.component_of(iid).spares]
        if operated:  # repairs that queue: the chains of analytic.repair, where they apply
            from simulation.analytic.repair import operated_availability

            return operated_availability(sc)
        for iid in used:
            self.avail[iid] = self._instance_availability(iid)
        periodic = [iid for iid in used if _periodic(self.scenario.component_of(iid))]
        if len(periodic) > 1:
            raise NotApplicable(
                f"instances {periodic[0]!r} and {periodic[1]!r} have fixed up and repair times: "
                "their cycles may stay in step from the start, so the long-run state of the "
                "whole is not the product of theirs"
            )
        return self.block_availability(sc.service)

    def _instance_availability(self, iid: str) -> float:
        if iid not in self.scenario.instances:
            raise ValueError(f"instance {iid!r} of the service is not in scenario.instances")
        comp = self.scenario.component_of(iid)
        if getattr(comp, "crew", None) is not None:
            raise NotApplicable(f"instance {iid!r} needs crew {comp.crew!r}: repairs may queue")
        if getattr(comp, "spares", None) is not None:
            raise NotApplicable(f"instance {iid!r} needs spares {comp.spares!r}: repairs may wait")
        # Under stateless blocks only the means matter (an alternating renewal process
        # is up a fraction MTTF / (MTTF + MTTR) of the time, whatever the distributions),
        # so only the members of stateful blocks must be exponential; the chains check it.
        return rbd.instance_availability(comp.failure.mean, comp.repair.mean)

    # -- one (sub)structure, with shared parts -----------------------------------

    def block_availability(self, root: Block) -> float:
        """Availability of `root`: shared blocks, then shared instances factored on."""
        root = self._substitute_networks(root)
        root = self._substitute_shared_blocks(root)
        counts = Counter(b.instance for b in iter_blocks(root) if isinstance(b, Leaf))
        shared = [iid for iid, c in counts.items() if c > 1]
        if shared:
            self._check_shared_paths(root, set(shared))
        if len(shared) > MAX_SHARED:
            raise NotApplicable(f"{len(shared)} shared instances, more than {MAX_SHARED} to factor on")
        has_shared: dict[int, bool] = {}

        def mark(b: Block) -> bool:
            if isinstance(b, Leaf):
                out = b.instance in shared_set
            else:
                out = any([mark(m) for m in b.members])
            has_shared[id(b)] = out
            return out

        shared_set = set(shared)
        mark(root)
        cache: dict[int, float] = {}

        def evaluate(b: Block, fixed: dict[str, float]) -> float:
            if isinstance(b, Leaf):
                return fixed.get(b.instance, self.avail[b.instance])
            key = id(b)
            if not has_shared[key] and key in cache:
                return cache[key]
            if _is_stateless(b):
                value = _combine(b, [evaluate(m, fixed) for m in b.members])
            else:  # stateful: no shared leaves below (checked), independent of `fixed`
                value = stateful_block_availability(b, self._component_of, max_states=self.max_states)
            if not has_shared[key]:
                cache[key] = value
            return value

        def factor(i: int, fixed: dict[str, float]) -> float:
            if i == len(shared):
                return evaluate(root, fixed)
            s = shared[i]
            a = self.avail[s]
            up = factor(i + 1, {**fixed, s: 1.0}) if a > 0 else 0.0
            down = factor(i + 1, {**fixed, s: 0.0}) if a < 1 else 0.0
            return a * up + (1.0 - a) * down

        return factor(0, {})

    def _component_of(self, iid: str):
        if iid.startswith(_PSEUDO):
            raise NotApplicable("a block used in several places is a member of a stateful block")
        return self.scenario.component_of(iid)

    def _check_shared_paths(self, root: Block, shared: set[str]) -> None:
        """Every use of a shared instance must have only stateless blocks above it."""

        def walk(b: Block, stateful_above: str | None) -> None:
            if isinstance(b, Leaf):
                if b.instance in shared and stateful_above is not None:
                    what = (
                        "a block used in several places"
                        if b.instance.startswith(_PSEUDO)
                        else (f"shared instance {b.instance!r}")
                    )
                    raise NotApplicable(f"{what} is below stateful block {stateful_above!r}")
                return
            here = stateful_above
            if here is None and not _is_stateless(b):
                here = b.name or type(b).__name__
            for m in b.members:
                walk(m, here)

        walk(root, None)

    def _pseudo_leaf(self, availability: float) -> Leaf:
        """A new leaf standing in for a block solved on its own, with its availability."""
        self.n_pseudo += 1
        pseudo = Leaf(f"{_PSEUDO}{self.n_pseudo}")
        self.avail[pseudo.instance] = availability
        return pseudo

    def _substitute_networks(self, root: Block) -> Block:
        """Stand a leaf in for each network block whose instances occur nowhere else.

        Such a network is independent of the rest: it is solved on its own, its shared
        risk groups as elements of its own factoring (not one whole-network solution
        per group, as factoring on them from outside would take).
        """
        counts = Counter(b.instance for b in iter_blocks(root) if isinstance(b, Leaf))

        def replace(b: Block) -> Block | None:
            if not isinstance(b, Network):
                return None
            inner = Counter(x.instance for x in iter_blocks(b) if isinstance(x, Leaf))
            if not all(counts[i] == c for i, c in inner.items()):
                return None
            try:
                (value,) = network_leaf_availability(b, self.avail, (b.site,)).values()
            except NotApplicable:
                return b  # solved with the structure around it, by `_combine`
            return self._pseudo_leaf(value)

        return _rewrite(root, replace)

    def _substitute_shared_blocks(self, root: Block) -> Block:
        """Stand a leaf in for each outermost block used several times on its own.

        A non-leaf block that occurs more than once (equal by value) and whose
        instances occur nowhere but inside its copies is one shared thing,
        independent of everything else: it is solved on its own and the structure
        sees it as one shared instance with that availability.
        """
        block_counts: Counter = Counter()
        leaf_counts: Counter = Counter()
        for b in iter_blocks(root):
            if isinstance(b, Leaf):
                leaf_counts[b.instance] += 1
            else:
                block_counts[b] += 1
        if not any(c > 1 for c in block_counts.values()):
            return root
        replaced: dict[Block, Leaf] = {}

        def self_contained(b: Block) -> bool:
            inner = Counter(x.instance for x in iter_blocks(b) if isinstance(x, Leaf))
            return all(leaf_counts[i] == block_counts[b] * c for i, c in inner.items())

        def replace(b: Block) -> Block | None:
            if b in replaced:
                return replaced[b]
            if block_counts[b] > 1 and self_contained(b):
                replaced[b] = self._pseudo_leaf(self.block_availability(b))
                return replaced[b]
            return None

        return _rewrite(root, replace)
