"""Rolling maintenance in the SimPy engine: one member of a redundant group at a time.

A maintenance rule with ``rolling: true`` never takes a redundant group down, nor takes
more than one of its members down for maintenance at a time. The **group** of a part
is its nearest redundant ancestor: going up from the part through series and network
blocks, the first ``k_of_n``, ``parallel`` or ``standby`` block; the part's **member**
is the member of that block that holds it. A shared part has one group per path (the
nearest on each); a part without a redundant ancestor has none, and its rolling jobs
run as plain ones.

A rolling job due at time t **may start** when, for each of its part's groups, the
part is up, no other member of the group is in a maintenance job (rolling or not), and
the group is up and would stay up with the part's member down
(`engine.rules.Rule.up_without`: for a k-of-n, the up members other than it are at
least k at that moment; for a standby, another member is up). It is judged after
every change of instant t (the tie rule: failures and repairs of t come first). A job
that may not start is **deferred**: it waits, and is judged again at the end of every
later instant with a change anywhere in the structure (a member repaired, another
job's end, a switchover's end, a demand change), until it may start; it then starts at
that instant. Jobs that may start at one instant start in order of their due time,
then instance order (the first one takes the group's one place). The part ages while a
job waits and may fail; its job still waits (it starts only while the part is up).
Later jobs of the part due while one waits are skipped, as are jobs due while the part
is down. The report counts the deferred jobs (`Timeline.deferrals`).

The group's rules are judged at the start only: a failure of another member during a
job may still take the group down (with the failure as its cause), as may a demand
rise; and a job on the member in use of a standby or failover group pays the
switchover outage a failure would.
"""

from __future__ import annotations

import simpy
from simpy.events import NORMAL

#: SimPy priority of the decision on waiting jobs: after the flush of the instant
#: (`engine.nodes.FLUSH` = NORMAL + 1).
DECIDE = NORMAL + 2


def rolling_groups(leaves) -> dict[int, list[tuple[object, int]]]:
    """The groups of every part (see the module docstring): part index -> list of
    (group node, position of the member that holds the part)."""
    out: dict[int, list[tuple[object, int]]] = {}
    for leaf in leaves:
        groups: list[tuple[object, int]] = []
        seen: set[tuple[int, int]] = set()
        stack = list(leaf.parents)
        while stack:
            node, pos = stack.pop()
            if not hasattr(node, "rule"):  # an output: no group on this path
                continue
            if node.redundant:
                if (id(node), pos) not in seen:
                    seen.add((id(node), pos))
                    groups.append((node, pos))
                continue
            stack.extend(node.parents)
        if groups:
            out[leaf.index] = groups
    return out


def _member_up(member) -> bool:
    rule = getattr(member, "rule", None)
    return member.up if rule is None else rule.up


class RollingMaintenance:
    """The groups' maintenance state during one replication, and the waiting jobs.

    Parameters
    ----------
    groups : dict
        `rolling_groups` of the structure's parts.
    """

    def __init__(self, groups: dict[int, list[tuple[object, int]]]):
        self.groups = groups
        self.reset(None)

    def reset(self, env: simpy.Environment | None) -> None:
        """No job running or waiting: the start of a replication."""
        self.env = env
        self.in_job: dict[tuple[int, int], int] = {}  # (id(group), member) -> parts in a job
        self.waiting: list[list] = []  # [due, part index, part, event, judged]
        self.scheduled = False
        self.deferrals = 0

    def request(self, leaf) -> simpy.Event:
        """A rolling job of `leaf` is due now: the event that succeeds when it may start."""
        event = simpy.Event(self.env)
        self.waiting.append([self.env.now, leaf.index, leaf, event, False])
        self._schedule()
        return event

    def has_groups(self, leaf) -> bool:
        return leaf.index in self.groups

    def job_started(self, leaf) -> None:
        """A job of `leaf` starts (rolling or not): its members are in maintenance."""
        for node, pos in self.groups.get(leaf.index, ()):
            key = (id(node), pos)
            self.in_job[key] = self.in_job.get(key, 0) + 1

    def job_ended(self, leaf) -> None:
        for node, pos in self.groups.get(leaf.index, ()):
            self.in_job[(id(node), pos)] -= 1
        self.changed()

    def changed(self) -> None:
        """Something changed at this instant: judge the waiting jobs after it."""
        if self.waiting:
            self._schedule()

    def _schedule(self) -> None:
        if self.scheduled:
            return
        self.scheduled = True
        event = simpy.Event(self.env)
        event._ok, event._value = True, None
        event.callbacks.append(self._decide)
        self.env.schedule(event, DECIDE)

    def may_start(self, leaf) -> bool:
        """True when a rolling job of `leaf` may start now (the module docstring)."""
        if not leaf.up:
            return False
        for node, pos in self.groups.get(leaf.index, ()):
            gid = id(node)
            if any(self.in_job.get((gid, q), 0) for q in range(len(node.members)) if q != pos):
                return False
            if not node.rule.up_without(pos, _member_up(node.members[pos])):
                return False
        return True

    def _decide(self, _event) -> None:
        self.scheduled = False
        self.waiting.sort(key=lambda w: (w[0], w[1]))
        still = []
        for w in self.waiting:
            leaf = w[2]
            if self.may_start(leaf):
                self.job_started(leaf)
                w[3].succeed()
                continue
            if not w[4]:
                w[4] = True
                self.deferrals += 1
            still.append(w)
        self.waiting = still
