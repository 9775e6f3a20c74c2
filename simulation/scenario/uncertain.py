"""Uncertain inputs: a scenario value given as a range instead of one number.

Field MTBFs are often known only to a factor of two. Any value of a scenario file that is
a duration, a rate, a percentage or a plain number may be written as a range::

    failure: {mtbf: {between: [8000h, 30000h]}}            # log-uniform (the default)
    repair: {mttr: {between: [2h, 6h], scale: linear}}      # uniform

``{between: [LOW, HIGH]}`` means the true value is somewhere in the range: log-uniform
(every factor equally likely, the reading of "known to a factor of two"), or uniform
with ``scale: linear``. Both ends are written as the value would be (same unit kind),
with LOW < HIGH, and for a log scale LOW > 0.

A range is the value of a key, never an item of a list (a network link is an item
written ``{between: [a, b]}``).

A plain run uses the **midpoint** of each range: the geometric mean sqrt(LOW x HIGH) of
a log-uniform range (its median), the mean (LOW + HIGH) / 2 of a uniform one; the summary
says so. An uncertainty study (`simulation.study.uncertainty`) samples the ranges
instead. The scenario's file data keeps the ranges, so key paths and sweeps see them as
written; setting a path to a plain value fixes that input.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from simulation.scenario import units
from simulation.scenario.errors import ScenarioError

SCALES = ("log", "linear")

#: How each kind of value is read and written back (a value the parser reads as written).
_KINDS = {
    "duration": (units.duration, lambda x: f"{x!r}h"),
    "rate": (units.rate, lambda x: f"{x!r}/h"),
    "percent": (lambda v: units.percent(v), lambda x: f"{100 * x!r}%"),
    "number": (float, repr),
}


@dataclass(frozen=True)
class UncertainInput:
    """One value given as a range.

    Attributes
    ----------
    path : str
        Its key path (``components.web-server.failure.mtbf``).
    low, high : float
        The ends in model units (hours, per hour, fraction, number).
    scale : "log" or "linear"
    kind : "duration", "rate", "percent" or "number"
    written : tuple of two
        The ends as written in the file.
    """

    path: str
    low: float
    high: float
    scale: str
    kind: str
    written: tuple

    def value(self, u: float) -> float:
        """The value at quantile `u` in [0, 1] of the range's distribution."""
        if self.scale == "log":
            return math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self.low + u * (self.high - self.low)

    @property
    def midpoint(self) -> float:
        """The median: geometric mean for a log range, mean for a linear one."""
        return self.value(0.5)

    def text(self, x: float):
        """`x` (model units) written as the file would write it."""
        return _KINDS[self.kind][1](float(x))

    def label(self, x: float) -> str:
        """`x` for people: in the unit of the file's ends where that is easy."""
        if self.kind == "duration":
            return f"{x:,.0f} h" if x >= 1000 else f"{x:.4g} h"
        if self.kind == "rate":
            return f"{x * 8760:.4g}/y"
        if self.kind == "percent":
            return f"{100 * x:.4g} %"
        return f"{x:.4g}"


def is_range(value) -> bool:
    """True for a mapping ``{between: [...]}`` (with optional ``scale``)."""
    return isinstance(value, dict) and "between" in value and set(value) <= {"between", "scale"}


def resolve(data, source: str = "<string>"):
    """File data with every range replaced by its midpoint, and the ranges found.

    Returns
    -------
    (data, inputs) : (a copy of the data, or `data` itself when it has no range;
        tuple of UncertainInput in file order)

    Raises
    ------
    ScenarioError
        For a malformed range, naming its key path.
    """
    found: list[tuple[str, dict, int | None]] = []
    _walk(data, "", found)
    if not found:
        return data, ()
    out = copy.deepcopy(data)
    inputs = []
    for path, spec, line in found:
        inp = _read(path, spec, source, line)
        inputs.append(inp)
        _set(out, path, inp.text(inp.midpoint))
    return out, tuple(inputs)


def _walk(node, path: str, found: list) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            if is_range(value):
                line = node.key_line(key) if hasattr(node, "key_line") else None
                found.append((sub, value, line))
            else:
                _walk(value, sub, found)
    elif isinstance(node, list):
        # a list item is never a range: a network link is written {between: [a, b]}
        for i, value in enumerate(node):
            _walk(value, f"{path}[{i}]", found)


def _error(message: str, source: str, path: str, line) -> ScenarioError:
    return ScenarioError(message, file=source, line=line, path=path)


def _read(path: str, spec: dict, source: str, line) -> UncertainInput:
    ends = spec["between"]
    if not isinstance(ends, list) or len(ends) != 2:
        raise _error(
            "expected a range like {between: [8000h, 30000h]} (two ends, low first)", source, path, line
        )
    scale = spec.get("scale", "log")
    if scale not in SCALES:
        raise _error(f"scale must be log or linear, got {scale!r}", source, path, line)
    kind = _kind(ends[0])
    if kind == "invalid":
        raise _error(f"the ends of a range are values (4h, 2/y, 99%, 3), got {ends[0]!r}", source, path, line)
    if kind != _kind(ends[1]):
        raise _error(
            f"both ends of a range need the same kind of value, got {ends[0]!r} and {ends[1]!r}",
            source,
            path,
            line,
        )
    try:
        low, high = (_KINDS[kind][0](e) for e in ends)
    except (units.UnitError, ValueError) as exc:
        raise _error(f"in range {ends}: {getattr(exc, 'message', exc)}", source, path, line) from None
    if not low < high:
        raise _error(f"a range needs low < high, got {ends[0]} and {ends[1]}", source, path, line)
    if scale == "log" and not low > 0:
        raise _error(
            f"a log range needs low > 0, got {ends[0]} (use scale: linear for a range from 0)",
            source,
            path,
            line,
        )
    return UncertainInput(path, float(low), float(high), scale, kind, tuple(ends))


def _kind(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "invalid"
    if not isinstance(value, str):
        return "number"
    text = value.strip()
    if "/" in text:
        return "rate"
    if text.endswith("%"):
        return "percent"
    return "duration"


def _set(data, path: str, value) -> None:
    from simulation.scenario.keypath import set_path

    set_path(data, path, value)
