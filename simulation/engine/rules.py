"""The block rules: one pure state machine per kind of block, shared by both engines.

A block's state follows from its members' changes. Each rule here is a small state
machine that takes the changes of its members at one instant and emits the block's
own change, if any; it computes its initial state from its members' initial states
(nothing is assumed up). The SimPy engine (`engine.nodes`) drives the machines online;
the fast engine (`engine.fast`) drives the switching machines over sorted event arrays
and evaluates count blocks with the vectorised equivalent of `CountRule`.

The tie rule (docs/scenario-format.md, "Events at the same instant"): the changes of
one instant are applied as a batch, level by level from the parts up. A block takes
the changes of its members at that instant in this order: a switchover that ends then,
then the members that go down, then the members that come up, each in member order.
A block judges its state after the whole batch, and tells its parents only a net
change; the cause of its change is that of the member change that last flipped its
state in the batch (a switchover's end carries the cause of the switchover).

`rule_for` is the one place that maps a kind of block to its rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import singledispatch

from simulation.engine.timeline import UNPLANNED
from simulation.model.structure import KofN, Series, Standby, Switchover


@dataclass(frozen=True, slots=True)
class Change:
    """A change of state of an instance or block.

    Attributes
    ----------
    t : float
        Hours from the start of the run.
    up : bool
        The new state.
    cause : int
        Index of the instance whose change caused this one.
    kind : int
        Outage kind of a change to down (`engine.timeline` kinds: unplanned,
        announced maintenance, maintenance).
    """

    t: float
    up: bool
    cause: int
    kind: int = UNPLANNED


#: A member change as the rules take it: (member position, up, cause, kind).
MemberChange = tuple[int, bool, int, int]


def tie_order(changes: list[MemberChange]) -> list[MemberChange]:
    """The changes of one instant in the order of the tie rule: downs first, then ups,
    each in member order (a member that changes twice keeps its own order)."""
    return sorted(changes, key=lambda c: (c[1], c[0]))


class Rule:
    """The state machine of one block (see the module docstring)."""

    __slots__ = ("up",)

    #: Outstanding switchover end (hours), for the driver to wake the rule; None if none.
    switch_end: float | None = None

    def start(self, members_up: Sequence[bool]) -> bool:
        """Reset to the initial state given the members' initial states; returns it."""
        raise NotImplementedError

    def _member(self, t: float, pos: int, up: bool, cause: int, kind: int) -> None:
        raise NotImplementedError

    def _is_up(self) -> bool:
        raise NotImplementedError

    def _end_switchover(self) -> tuple[int, int] | None:
        """End the switchover due at or before this instant; its (cause, kind), or None."""
        return None

    def instant(self, t: float, changes: list[MemberChange]) -> Change | None:
        """Apply the member changes of instant `t` (any order); the block's net change."""
        was = self.up
        flip: tuple[int, int] | None = None
        ended = self._end_switchover() if self.switch_end is not None and self.switch_end <= t else None
        if ended is not None:
            flip = self._judge(ended, flip)
        for pos, up, cause, kind in tie_order(changes) if len(changes) > 1 else changes:
            self._member(t, pos, up, cause, kind)
            flip = self._judge((cause, kind), flip)
        if self.up == was:
            return None
        return Change(t, self.up, *flip)

    def _judge(self, why: tuple[int, int], flip):
        now = self._is_up()
        if now != self.up:
            self.up = now
            return why
        return flip


class CountRule(Rule):
    """Series (k = n) and hot k-of-n without failover: up while at least k members are up."""

    __slots__ = ("k", "n_up")

    def __init__(self, k: int):
        self.k = k

    def start(self, members_up):
        self.n_up = sum(members_up)
        self.up = self.n_up >= self.k
        return self.up

    def _member(self, t, pos, up, cause, kind):
        self.n_up += 1 if up else -1

    def _is_up(self):
        return self.n_up >= self.k


class SwitchingRule(Rule):
    """A rule whose block can be down for a switchover.

    A switchover of no duration is no switchover (the block is not down for it).
    `switch_token` changes whenever a switchover starts or is cancelled, so an online
    driver can tell a stale wake-up from a due one.
    """

    __slots__ = ("draw", "switch_end", "switch_duration", "switch_cause", "switch_token")

    def __init__(self, draw: Callable[[], float] | None):
        self.draw = draw
        self.switch_token = 0

    def _reset_switchover(self) -> None:
        self.switch_end = self.switch_duration = None
        self.switch_cause = None

    def _start_switchover(self, t: float, cause: int, kind: int) -> None:
        """Begin (or restart) a switchover; the block is down until it ends."""
        if self.draw is None:
            return
        self.switch_token += 1
        duration = self.draw()
        if duration > 0:
            self.switch_end, self.switch_duration = t + duration, duration
            self.switch_cause = (cause, kind)
        else:
            self.switch_end = None

    def _cancel_switchover(self) -> None:
        if self.switch_end is not None:
            self.switch_token += 1
            self.switch_end = None

    def _end_switchover(self):
        self.switch_end = None
        return self.switch_cause


class FailoverRule(SwitchingRule):
    """Hot k-of-n (or parallel) with `failover`: every member is in use. When a member
    fails and at least k members are still up, the block is down for a switchover (a
    new one restarts any switchover in progress)."""

    __slots__ = ("k", "n_up")

    def __init__(self, k: int, draw):
        super().__init__(draw)
        self.k = k

    def start(self, members_up):
        self._reset_switchover()
        self.n_up = sum(members_up)
        self.up = self.n_up >= self.k
        return self.up

    def _member(self, t, pos, up, cause, kind):
        if up:
            self.n_up += 1
        else:
            self.n_up -= 1
            if self.n_up >= self.k:
                self._start_switchover(t, cause, kind)

    def _is_up(self):
        return self.n_up >= self.k and self.switch_end is None


class SlotRule(SwitchingRule):
    """Standby (k = 1) and warm/cold k-of-n: k members are in use, the others wait.

    At first the first k up members are in use. When a member in use fails, the first
    up waiting member in list order takes its place, and the block is down during the
    switchover. If none is up, the place stays vacant (any switchover in progress is
    cancelled) and the block is down until a member is repaired, which then goes into
    use at once. With `revert`, member 0 takes over again when it is repaired, at the
    cost of a switchover. Every change of use is recorded in `usage` as ``(member,
    in_use)`` for the driver (warm and cold spares age differently while waiting).
    """

    __slots__ = ("k", "n", "revert", "in_use", "n_in_use", "member_up", "usage")

    def __init__(self, k: int, n: int, revert: bool, draw):
        super().__init__(draw)
        self.k, self.n, self.revert = k, n, revert
        self.usage: list[tuple[int, bool]] = []

    def start(self, members_up):
        self._reset_switchover()
        self.member_up = list(members_up)
        self.in_use = [False] * self.n
        self.n_in_use = 0
        for pos, up in enumerate(self.member_up):
            if up and self.n_in_use < self.k:
                self.in_use[pos] = True
                self.n_in_use += 1
        self.usage = []
        self.up = self.n_in_use == self.k
        return self.up

    def _use(self, pos: int, in_use: bool) -> None:
        self.in_use[pos] = in_use
        self.n_in_use += 1 if in_use else -1
        self.usage.append((pos, in_use))

    def _member(self, t, pos, up, cause, kind):
        self.member_up[pos] = up
        if not up:
            if self.in_use[pos]:
                self._use(pos, False)
                for j in range(self.n):
                    if self.member_up[j] and not self.in_use[j]:
                        self._use(j, True)
                        self._start_switchover(t, cause, kind)
                        break
                else:
                    self._cancel_switchover()
        elif self.n_in_use < self.k:
            self._use(pos, True)
        elif self.revert and pos == 0 and not self.in_use[0]:
            self._use(self.in_use.index(True), False)
            self._use(0, True)
            self._start_switchover(t, cause, kind)

    def _is_up(self):
        return self.n_in_use == self.k and self.switch_end is None


@singledispatch
def rule_for(block, draw: Callable[[], float] | None = None) -> Rule:
    """The rule of `block` (a model block); `draw` gives its switchover durations.

    Raises
    ------
    TypeError
        For a kind of block without a rule (networks are not simulated yet).
    """
    raise TypeError(f"no engine rule for a {type(block).__name__} block")


@rule_for.register
def _series(block: Series, draw=None) -> Rule:
    return CountRule(len(block.members))


@rule_for.register
def _k_of_n(block: KofN, draw=None) -> Rule:
    if block.mode != "hot":
        return SlotRule(block.k, len(block.members), False, draw)
    if block.failover is not None:
        return FailoverRule(block.k, draw)
    return CountRule(block.k)


@rule_for.register
def _standby(block: Standby, draw=None) -> Rule:
    return SlotRule(1, len(block.members), block.revert, draw)


def switchover_of(block) -> Switchover | None:
    """The switchover a block pays when it changes members, or None."""
    if isinstance(block, Standby):
        return block.switchover
    return getattr(block, "failover", None)


def controls_members(block) -> bool:
    """True for warm/cold blocks, whose waiting members age differently."""
    return getattr(block, "mode", "hot") != "hot"
