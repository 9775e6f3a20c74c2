"""Quantities with units, as written in scenario files, converted to model units.

Model time is hours and fractions are 0..1, so:

==============  ==========================================  =====================
kind            written                                     result
==============  ==========================================  =====================
duration        ``30s 15min 4h 3d 2w 1y 40ms 5us 5µs`` (also  hours (1y = 8760 h)
                ``sec mins hours hr days weeks years``);
                a number without a unit is an error, 0 aside
rate            ``1.5/y 2/d 4/h 1/w 10/min`` (also ``1/30d``)  per hour
percent         ``99.9%`` or a number in [0, 1]             fraction
target          like percent; ``99.9`` (no %) is an error   fraction
cost            ``1800/y`` ``5/d``; bare number = per year   per year
length          ``120km`` ``500m``; bare number = km         km
latency         ``40ms`` (a unit is required)               hours
==============  ==========================================  =====================

Each function raises `UnitError` (a ValueError with a `hint`) on bad input; the
parser adds the file, line and key path.

Examples
--------
>>> duration("15min")
0.25
>>> rate("2/d")
0.08333333333333333
>>> percent("99.9%")
0.999
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from decimal import Decimal

HOURS_PER_YEAR = 8760.0

#: Hours per duration unit.
DURATION_UNITS = {
    "us": 1e-6 / 3600.0,
    "µs": 1e-6 / 3600.0,
    "ms": 1e-3 / 3600.0,
    "s": 1.0 / 3600.0,
    "min": 1.0 / 60.0,
    "h": 1.0,
    "d": 24.0,
    "w": 168.0,
    "y": HOURS_PER_YEAR,
}
#: Kilometres per length unit.
LENGTH_UNITS = {"km": 1.0, "m": 1e-3}

#: Other spellings of the duration units that are accepted (any letter case).
DURATION_SPELLINGS = {
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "day": "d",
    "days": "d",
    "week": "w",
    "weeks": "w",
    "yr": "y",
    "yrs": "y",
    "year": "y",
    "years": "y",
    "msec": "ms",
    "msecs": "ms",
}

# Spellings that are not accepted because they are ambiguous (``m`` is minutes or
# months, ``a`` is the Latin year), for the hint of an unknown unit.
_UNIT_ALIASES = {"m": "min", "a": "y"}

_NUMBER = r"[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*([^\d\s.+\-][^\s]*)?\s*$")


class UnitError(ValueError):
    """A quantity that cannot be read; `hint` may suggest the intended spelling."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message + (f" ({hint})" if hint else ""))
        self.message = message
        self.hint = hint


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(x: float, text) -> float:
    if not math.isfinite(x):
        raise UnitError(f"expected a finite number, got {text}")
    return float(x)


def _split(value, kind: str, example: str) -> tuple[float, str | None]:
    """A number and its unit (None when bare) from a number or a string."""
    if _is_number(value):
        return _finite(float(value), value), None
    if not isinstance(value, str):
        shown = "nothing (null)" if value is None else repr(value)
        raise UnitError(f"expected {kind} like '{example}', got {shown}")
    m = _QUANTITY.match(value)
    if not m:
        raise UnitError(f"expected {kind} like '{example}', got '{value}'")
    return _finite(float(m.group(1).replace("_", "")), value), m.group(2)


def _unit_hint(number_text: str, unit: str, known) -> str | None:
    target = _UNIT_ALIASES.get(unit.lower()) if known is DURATION_UNITS else None
    if target is None:
        close = difflib.get_close_matches(unit.lower(), list(known), n=1, cutoff=0.5)
        target = close[0] if close else None
    return f"did you mean '{number_text}{target}'?" if target in known else None


def _number_text(x: float) -> str:
    return f"{x:g}"


def duration(value) -> float:
    """Hours in a duration: ``30s``, ``15min``, ``4h``, ``3d``, ``2w``, ``1y``, ``40ms``,
    ``5us``, or a spelling in `DURATION_SPELLINGS` (``90 sec``, ``2 hours``).

    A number without a unit (``30``) is an error that lists its likely readings: a
    bare 30 meant as seconds but read as hours would be a silent, large mistake.
    Zero needs no unit.

    Raises
    ------
    UnitError
        For a missing or unknown unit, or a value that is not a finite number.
    """
    number, unit = _split(value, "a duration", "4h")
    if unit is None:
        if number == 0:
            return 0.0
        n = _number_text(number)
        raise UnitError(f"duration {n} has no unit", f"add a unit, e.g. {n}s, {n}min or {n}h")
    unit = unit.replace("\u03bc", "\u00b5")  # Greek mu and the micro sign look alike
    canonical = unit if unit in DURATION_UNITS else DURATION_SPELLINGS.get(unit.lower())
    if canonical is None and unit.lower() in DURATION_UNITS:
        canonical = unit.lower()  # 4H, 2D: the letter case carries no meaning here
    if canonical is None:
        hint = (
            f"a month has no fixed length; write e.g. '{_number_text(30 * number)}d'"
            if unit.lower() in ("mo", "mon", "month", "months")
            else _unit_hint(_number_text(number), unit, DURATION_UNITS)
        )
        raise UnitError(
            f"unknown time unit '{unit}' in '{value}'; expected one of {', '.join(DURATION_UNITS)}", hint
        )
    return number * DURATION_UNITS[canonical]


def rate(value) -> float:
    """Events per hour in a rate: ``1.5/y``, ``2/d``, ``4/h``, ``1/w``, ``10/min``, ``1/30d``."""
    if _is_number(value):
        raise UnitError(
            f"a rate needs a time unit, e.g. '{_number_text(value)}/y' or "
            f"'{_number_text(value)}/h'; got {value}"
        )
    if not isinstance(value, str) or "/" not in value:
        shown = "nothing (null)" if value is None else f"'{value}'"
        raise UnitError(f"expected a rate like '2/y', got {shown}")
    numerator, _, per = value.partition("/")
    try:
        count = float(numerator.strip().replace("_", ""))
    except ValueError:
        raise UnitError(f"expected a rate like '2/y', got '{value}'") from None
    count = _finite(count, value)
    per = per.strip()
    try:
        hours = duration(per if per[:1].isdigit() or per[:1] == "." else "1" + per)
    except UnitError as exc:
        raise UnitError(
            f"in rate '{value}': {exc.message}", exc.hint and exc.hint.replace("'1", f"'{numerator.strip()}/")
        ) from None
    if not hours > 0:
        raise UnitError(f"the period of rate '{value}' must be > 0")
    if count < 0:
        raise UnitError(f"a rate must be >= 0, got '{value}'")
    return count / hours


def percent(value, what: str = "probability") -> float:
    """A fraction in [0, 1] from ``99.9%`` or a plain number in [0, 1]."""
    if _is_number(value):
        x = _finite(float(value), value)
        if not 0.0 <= x <= 1.0:
            hint = f"did you mean '{_number_text(x)}%'?" if 2.0 <= x <= 100.0 else None
            raise UnitError(f"a {what} must be in [0, 1] or a percentage, got {value}", hint)
        return x
    if isinstance(value, str):
        m = re.match(rf"^\s*({_NUMBER})\s*%\s*$", value)
        if m:
            # Decimal keeps '99.9%' exactly 0.999 (99.9 / 100 is 0.9990000000000001).
            x = float(Decimal(m.group(1).replace("_", "")) / 100)
            if not 0.0 <= x <= 1.0:
                raise UnitError(f"a {what} must be between 0% and 100%, got '{value}'")
            return x
        try:
            return percent(float(value), what)
        except ValueError:
            pass
    shown = "nothing (null)" if value is None else f"'{value}'"
    raise UnitError(f"expected a {what} like '99%' or 0.99, got {shown}")


def target(value) -> float:
    """An availability target: ``99.9%`` or a fraction like 0.999; ``99.9`` is an error."""
    if _is_number(value) and value > 1.0:
        raise UnitError(
            f"target {value} is not a fraction; write a percentage with '%'",
            f"did you mean '{_number_text(value)}%'?",
        )
    x = percent(value, "target")
    if not x > 0.0:
        raise UnitError(f"a target must be > 0, got {value}")
    return x


def cost(value) -> float:
    """Currency units per year: ``1800/y``, ``150/w``, ``5/d``; a bare number is per year."""
    if _is_number(value):
        x = _finite(float(value), value)
    elif isinstance(value, str) and "/" in value:
        try:
            x = rate(value) * HOURS_PER_YEAR
        except UnitError as exc:
            raise UnitError(exc.message.replace("rate", "cost"), exc.hint) from None
    else:
        try:
            x = float(str(value).replace("_", ""))
        except ValueError:
            shown = "nothing (null)" if value is None else f"'{value}'"
            raise UnitError(f"expected a cost like '1800/y' or 1800 (per year), got {shown}") from None
    if x < 0:
        raise UnitError(f"a cost must be >= 0, got {value}")
    return x


def length(value) -> float:
    """Kilometres: ``120km``, ``500m``; a bare number is km."""
    number, unit = _split(value, "a length", "120km")
    if unit is not None:
        if unit not in LENGTH_UNITS:
            raise UnitError(
                f"unknown length unit '{unit}' in '{value}'; expected km or m",
                _unit_hint(_number_text(number), unit, LENGTH_UNITS),
            )
        number *= LENGTH_UNITS[unit]
    if number < 0:
        raise UnitError(f"a length must be >= 0, got {value}")
    return number


def latency(value) -> float:
    """Hours in a latency such as ``40ms``; a unit is required (a bare 40 is ambiguous)."""
    number, unit = _split(value, "a latency", "40ms")
    if unit is None:
        raise UnitError(
            f"a latency needs a time unit, got {value}", f"did you mean '{_number_text(number)}ms'?"
        )
    hours = duration(value)
    if hours < 0:
        raise UnitError(f"a latency must be >= 0, got {value}")
    return hours


_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def clock_minutes(value, *, end: bool = False) -> int:
    """Minutes after midnight of a local time ``HH:MM``; ``24:00`` only when `end`."""
    text = value if isinstance(value, str) else str(value)
    m = _CLOCK.match(text)
    if not m:
        raise UnitError(f"expected a time of day like '08:00', got '{text}'")
    h, mins = int(m.group(1)), int(m.group(2))
    if mins >= 60 or h > 24 or (h == 24 and (mins or not end)):
        allowed = "00:00 to 24:00" if end else "00:00 to 23:59"
        raise UnitError(f"'{text}' is not a time of day ({allowed})")
    return h * 60 + mins


def whole_years(value) -> int | None:
    """The number of years in a duration written in whole years (``2y``, ``1 year``), else
    None. A horizon written so means calendar years (see `measure.windows.years_horizon`).

    >>> whole_years("2y"), whole_years("1 Year"), whole_years("1.5y"), whole_years(8760)
    (2, 1, None, None)
    """
    if not isinstance(value, str):
        return None
    m = _QUANTITY.match(value)
    if not m or m.group(2) is None:
        return None
    unit = m.group(2).lower()
    if DURATION_SPELLINGS.get(unit, unit) != "y":
        return None
    number = float(m.group(1).replace("_", ""))
    return int(number) if number.is_integer() and number >= 1 else None


def parse_duration(value) -> float:
    """Hours in a duration given in Python: a number is hours, a string follows the
    rules of `duration` (``"2y"``; ``"8760"`` without a unit is an error).

    Used by `simulation.run` for its ``horizon`` argument.
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return _finite(float(value), value)
    return duration(value)
