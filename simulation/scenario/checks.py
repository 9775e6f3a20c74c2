"""Where we are in a scenario file, and the typed getters that check what is there.

An `At` is a position: the file, a dotted key path and a line. Parsing functions take
the value and its `At`; every error they raise goes through `At.error`, so it names the
file, the line and the key path.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from simulation.scenario import units
from simulation.scenario.errors import ScenarioError, ScenarioWarning, did_you_mean, format_location
from simulation.scenario.yamlsource import YList, YMap


@dataclass(frozen=True)
class At:
    """A position in a scenario file."""

    file: str
    path: str = ""
    line: int | None = None
    folder: Path = field(default_factory=Path.cwd, compare=False)

    def key(self, mapping: YMap, key: str) -> At:
        """The position of ``mapping[key]``.

        The line is the key's: for a nested mapping the value starts on the next line
        (at its first key), but "components.server: missing 'failure'" belongs on the
        line that says ``server:``. A key that is absent gives the mapping's position.
        """
        if isinstance(mapping, YMap) and key in mapping.key_lines:
            line = mapping.key_line(key)
        else:
            line = self.line
        return At(self.file, self._join(key), line, self.folder)

    key_itself = key

    def item(self, seq: YList, i: int) -> At:
        line = seq.item_line(i) if isinstance(seq, YList) else self.line
        return At(self.file, f"{self.path}[{i}]", line, self.folder)

    def _join(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    def error(self, message: str, hint: str | None = None) -> ScenarioError:
        return ScenarioError(message, file=self.file, line=self.line, path=self.path, hint=hint)

    def warn(self, message: str) -> None:
        warnings.warn(
            ScenarioWarning(format_location(self.file, self.line, self.path, message)),
            stacklevel=_caller_level(),
        )

    def convert(self, fn: Callable, value, *args, **kwargs):
        """``fn(value, ...)``, turning a `units.UnitError` into a located error."""
        try:
            return fn(value, *args, **kwargs)
        except units.UnitError as exc:
            raise self.error(exc.message, exc.hint) from None


def _caller_level() -> int:
    """`stacklevel` for `warnings.warn` in `At.warn` that points at the first frame
    outside this package (the user's `load` call), so the warning shows their code."""
    here = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1  # frame of At.warn is stacklevel 1
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == here:
        frame, level = frame.f_back, level + 1
    return level


def type_name(value) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value}"
    return f"'{value}'"


def expect_map(value, at: At, what: str = "a mapping") -> YMap:
    if not isinstance(value, dict):
        raise at.error(f"expected {what}, got {type_name(value)}")
    return value


def expect_list(value, at: At, what: str = "a list", *, nonempty: bool = True) -> YList:
    if not isinstance(value, list):
        raise at.error(f"expected {what}, got {type_name(value)}")
    if nonempty and not value:
        raise at.error(f"expected {what}, got an empty list")
    return value


def check_keys(
    mapping: YMap, at: At, allowed: Iterable[str], required: Iterable[str] = (), what: str = "key"
) -> None:
    """Unknown keys (with the nearest allowed one) and missing required keys."""
    allowed = list(allowed)
    for key in mapping:
        if key not in allowed:
            raise at.key_itself(mapping, key).error(
                f"unknown {what} '{key}'; expected one of {', '.join(allowed)}", did_you_mean(key, allowed)
            )
    for key in required:
        if key not in mapping:
            raise at.error(f"missing required key '{key}'")


def expect_str(value, at: At, what: str = "a name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise at.error(f"expected {what}, got {type_name(value)}")
    return value.strip()


def expect_bool(value, at: At) -> bool:
    if not isinstance(value, bool):
        raise at.error(f"expected true or false, got {type_name(value)}")
    return value


#: Integers in a scenario (counts, seeds) stay within the doubles' exact integers.
MAX_INT = 2**53


def expect_int(value, at: At, *, minimum: int | None = None, what: str = "an integer") -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise at.error(f"expected {what}, got {type_name(value)}, which is too large (more than 2**53)")
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise at.error(f"expected {what}, got {type_name(value)}")
    if minimum is not None and value < minimum:
        raise at.error(f"expected {what} >= {minimum}, got {value}")
    return value


def expect_number(
    value, at: At, *, positive: bool = False, minimum: float | None = None, what: str = "a number"
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise at.error(f"expected {what}, got {type_name(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise at.error(f"expected a finite number, got {value}")
    if positive and not value > 0:
        raise at.error(f"expected {what} > 0, got {value:g}")
    if minimum is not None and value < minimum:
        raise at.error(f"expected {what} >= {minimum:g}, got {value:g}")
    return value


def expect_name(value, at: At, names: Iterable[str], what: str) -> str:
    """A reference to one of `names` (e.g. a crew), with the nearest name on a miss."""
    name = expect_str(value, at, f"the name of {what}")
    names = list(names)
    if name not in names:
        known = f"; defined: {', '.join(names)}" if names else "; none is defined"
        raise at.error(f"undefined {what} '{name}'{known}", did_you_mean(name, names))
    return name


def expect_date(value, at: At) -> dt.date:
    if isinstance(value, dt.datetime):
        raise at.error(f"expected a date like 2027-01-01, got the date-time {value}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise at.error(f"expected a date like 2027-01-01, got {type_name(value)}")


def duration(value, at: At, *, positive: bool = False) -> float:
    """A duration in hours; `positive` demands > 0."""
    hours = at.convert(units.duration, value)
    if positive and not hours > 0:
        raise at.error(f"expected a duration > 0, got {value}")
    if not positive and hours < 0:
        raise at.error(f"expected a duration >= 0, got {value}")
    return hours


def duration_text(hours: float) -> str:
    """A duration for a message in the unit a person would use: ``30s``, ``15min``, ``4h``."""
    if hours < 1 / 60:
        return f"{hours * 3600:.3g}s"
    if hours < 1:
        return f"{hours * 60:.3g}min"
    return f"{hours:.4g}h"
