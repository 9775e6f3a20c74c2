"""Errors about what a user gave, and warnings about a scenario file.

Every error that is the user's to fix is an `InputError`, and only those: the command
line prints them as one line and exits with status 2, and shows anything else as the
bug it is, with its traceback. There are three kinds:

- `ScenarioError`: a scenario file that cannot be read as written; it names the file,
  line and key path::

      web-hosting.yaml:14: components.web-server.repair.dist: unknown distribution
      'weibul'; expected one of exponential, weibull, ... (did you mean 'weibull'?)

- `UnsupportedScenario`: a valid scenario that this version cannot simulate, or not
  with the engine asked for (raised by `simulation.engine.support.check_supported`,
  the engines and `simulation.study.runner.choose_engine`);
- `UsageError`: an argument of `simulation.run` or a command-line option that cannot
  be used (``replications=0``, ``horizon="720"`` without a unit).

`ScenarioWarning` is the `warnings.warn` category for findings that do not stop a
run (a credit tier that disagrees with the target, an instance defined but unused).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class InputError(Exception):
    """What the user gave cannot be run as given; the message says what to change."""


class UnsupportedScenario(InputError, ValueError):
    """A valid scenario that this version does not simulate (or not with that engine)."""


class UsageError(InputError, ValueError):
    """An argument or command-line option that cannot be used as given."""


class ScenarioError(InputError):
    """A scenario file that cannot be read as written.

    Attributes
    ----------
    file : str
        The file as given to `load` (``"<string>"`` for `loads` by default).
    line : int or None
        1-based line of the offending key or value.
    path : str
        Dotted key path, e.g. ``components.web-server.repair.dist``; list items are
        written ``service.series[2]``. Empty for whole-file problems.
    message : str
        What is wrong and what was expected.
    hint : str or None
        A suggestion, e.g. ``did you mean 'weibull'?``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str = "<string>",
        line: int | None = None,
        path: str = "",
        hint: str | None = None,
    ):
        self.file = file
        self.line = line
        self.path = path
        self.message = message
        self.hint = hint
        super().__init__(format_location(file, line, path, message, hint))

    def __str__(self) -> str:
        return format_location(self.file, self.line, self.path, self.message, self.hint)

    def __reduce__(self):  # keep the fields when sent to another process
        return (_rebuild, (self.message, self.file, self.line, self.path, self.hint))


def _rebuild(message, file, line, path, hint) -> ScenarioError:
    return ScenarioError(message, file=file, line=line, path=path, hint=hint)


class ScenarioWarning(UserWarning):
    """A finding in a scenario file that does not stop it from running."""


def format_location(file: str, line: int | None, path: str, message: str, hint: str | None = None) -> str:
    """``file:line: path: message (hint)``, leaving out what is unknown."""
    where = file if line is None else f"{file}:{line}"
    text = f"{where}: {path}: {message}" if path else f"{where}: {message}"
    return f"{text} ({hint})" if hint else text


def nearest(word: object, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice nearest to `word` (difflib), or None."""
    if not isinstance(word, str):
        return None
    choices = list(choices)
    match = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    if not match:
        match = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=cutoff)
    return match[0] if match else None


def did_you_mean(word: object, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """``did you mean 'x'?`` for the choice nearest to `word`, or None."""
    match = nearest(word, choices, cutoff)
    return f"did you mean '{match}'?" if match else None


def one_of(choices: Iterable[str]) -> str:
    """``a, b or c`` for a message."""
    items = list(choices)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
