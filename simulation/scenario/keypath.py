"""Change a scenario by key path: edit the file's data and read it again.

A `Scenario` holds resolved values (a Weibull given by its mean is stored by its scale,
templates are expanded), so a change cannot be made on it directly. It also keeps the
file's data as read (`Scenario.data`); a change edits a copy of that data and parses it
again, so a changed value is checked exactly as the file is, with the same errors.

Key paths are the paths the parser names in its errors:

- ``sla.target``, ``crews.onsite.size``, ``components.web-server.failure.mtbf``: keys
  joined by dots (a key that itself contains a dot, such as ``db.primary``, is found
  by trying the longest run of parts that the mapping holds);
- ``service.series[2].k_of_n``: ``[i]`` is item i (from 0) of a list.

A key that is absent is added (with any mappings on the way), so ``run.seed`` works in a
file without a ``run`` section; the parser then checks it like any key, so a typo is an
"unknown key" error with the nearest valid key. A path does not go through a name the
file does not define (``components.rack-pwr.failure``, ``crews.night.size``): that is
an error naming the nearest defined name, since such a change could not alter anything
that runs; a whole new entry is set at the name itself (``crews.night={size: 1}``). An
index must name an existing item. Setting a key inside a mapping changes that key only:
to change how a distribution is given, set the whole mapping
(``components.x.failure={mtbf: 20000h}``, not ``components.x.failure.mtbf`` beside a
``rate``).
Values are written as in the file: ``"99.95%"``, ``"20000h"``, ``3``,
``{"dist": "weibull", "shape": 0.8, "mean": "15000h"}``; None removes an optional key.
YAML anchors are expanded when a file is read: a key path changes one place only.

Examples
--------
>>> from simulation.scenario import loads
>>> s = loads('''
... format: slasim/1
... name: one server
... components:
...   server: {failure: {mtbf: 5000h}, repair: {mttr: 4h}}
... service: server
... sla: {target: 99.9%}
... ''')
>>> s.with_({"sla.target": "99.95%"}).sla.target
0.9995
>>> s.with_({"sla.target": "99.95"})
Traceback (most recent call last):
...
simulation.scenario.errors.ScenarioError: <string>: sla.target: ... (set by Scenario.with_)
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from simulation.scenario.errors import ScenarioError, UsageError, did_you_mean
from simulation.scenario.yamlsource import parse_yaml

_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)|(\.)")


def apply_changes(scenario, changes: Mapping[str, Any], origin: str = "a change"):
    """`scenario` with each ``key path -> value`` of `changes` set in its data, parsed again.

    Parameters
    ----------
    scenario : Scenario
        Read from a file or text (`simulation.load` / `loads`), so it has `data`.
    changes : mapping of str to value
        Key paths (module docstring) and values as they would be written in the file.
    origin : str
        Where the changes come from, named in errors instead of a file line
        (e.g. ``"--set"``, ``"variant 'two-crews'"``).

    Returns
    -------
    Scenario
        A new scenario whose `changes` lists these after any earlier ones; `scenario` is
        unchanged.

    Raises
    ------
    ValueError
        When `scenario` was built in Python (it has no file data to change).
    ScenarioError
        For a key path that does not fit the data, and for every problem the parser finds
        in the changed data. An error at or under a changed key has no line (the file's
        line holds the old value) and ends with ``(set by ORIGIN)``.
    """
    from simulation.scenario.parse import parse_data

    if scenario.data is None:
        raise UsageError(
            f"scenario {scenario.name!r} was built in Python, not read from a scenario file: "
            "it has no file data to change by key path (write it as a file, or change the "
            "model objects with dataclasses.replace)"
        )
    source = scenario.source or "<string>"
    if not changes:
        return scenario
    data = copy.deepcopy(scenario.data)
    paths = []
    done = []
    for path, value in changes.items():
        plain = _plain(value)
        paths.append(set_path(data, path, plain, source, origin))
        done.append((paths[-1], plain))
    try:
        changed = parse_data(data, source, scenario.folder)
    except ScenarioError as err:
        raise _blame(err, paths, origin) from None
    return dataclasses.replace(changed, changes=(*scenario.changes, *done))


def set_path(data, path: str, value, file: str = "<string>", origin: str = "a change") -> str:
    """Set `value` at key `path` in `data` (a mapping, changed in place).

    Returns the key path as the parser writes it. Raises `ScenarioError` (naming `file`
    and the path) when the path is malformed or does not fit the data.
    """
    tokens = _tokens(path, file, origin)
    node, where = data, ""
    i = 0
    while True:
        token = tokens[i]
        last = i == len(tokens) - 1
        if isinstance(token, int):
            if not isinstance(node, list):
                raise _path_error(
                    f"{where or 'the top level'} is not a list: no item [{token}]", file, path, origin
                )
            if token >= len(node):
                raise _path_error(
                    f"{where} has {len(node)} items ([0] to [{len(node) - 1}]): no item [{token}]",
                    file,
                    path,
                    origin,
                )
            where = f"{where}[{token}]"
            if last:
                node[token] = value
                return where
            node = _descend(node, token, tokens[i + 1], where, file, path, origin)
            i += 1
            continue
        if not isinstance(node, dict):
            raise _path_error(
                f"{where} is {_kind(node)}, not a mapping: no key '{token}'", file, path, origin
            )
        # the longest run of key parts that the mapping holds (a key may contain '.')
        j = i
        while j + 1 < len(tokens) and isinstance(tokens[j + 1], str) and ".".join(tokens[i : j + 2]) in node:
            j += 1
        key = ".".join(tokens[i : j + 1])
        i = j
        where = f"{where}.{key}" if where else key
        if i == len(tokens) - 1:
            node[key] = value
            return where
        node = _descend(node, key, tokens[i + 1], where, file, path, origin)
        i += 1


#: Sections whose keys are names the file defines (not keys of the format).
NAMED_SECTIONS = (
    "components",
    "crews",
    "spares",
    "hours",
    "blocks",
    "instances",
    "demand",
    "support.channels",
)


def _descend(node, key, next_token, where, file, path, origin):
    if isinstance(node, dict) and node.get(key) is None:
        if isinstance(next_token, int):
            raise _path_error(f"{where} is absent: no item [{next_token}]", file, path, origin)
        section = where[: -len(key) - 1]
        if section in NAMED_SECTIONS:
            hint = did_you_mean(key, [str(k) for k in node])
            raise _path_error(
                f"{section} has no '{key}'"
                + (f" ({hint})" if hint else "")
                + f"; to add one, set the whole entry: {where}={{...}}",
                file,
                path,
                origin,
            )
        node[key] = {}
    return node[key]


def _tokens(path: str, file: str, origin: str) -> list:
    if not isinstance(path, str) or not path:
        raise _path_error(f"a key path is text like 'sla.target', got {path!r}", file, str(path), origin)
    tokens, expect_key, pos = [], True, 0
    for m in _TOKEN.finditer(path):
        if m.start() != pos:
            break
        pos = m.end()
        index, key, dot = m.groups()
        if dot:
            if expect_key:
                break
            expect_key = True
        elif key is not None:
            if not expect_key:
                break
            tokens.append(key.strip())
            expect_key = False
        else:
            if not tokens:
                break
            tokens.append(int(index))
            expect_key = False
    if pos != len(path) or expect_key or not tokens:
        raise _path_error(
            "malformed key path; expected keys joined by dots, with [i] for list items, "
            "e.g. components.web-server.failure.mtbf or service.series[2].k_of_n",
            file,
            path,
            origin,
        )
    return tokens


def _path_error(message: str, file: str, path: str, origin: str) -> ScenarioError:
    return ScenarioError(f"{message} (set by {origin})", file=file, path=path)


def _kind(value) -> str:
    if isinstance(value, list):
        return "a list"
    return f"the value {value!r}"


def _blame(err: ScenarioError, paths: list[str], origin: str) -> ScenarioError:
    """The parser's error, saying which change caused it."""
    for p in paths:
        if err.path == p or err.path.startswith((p + ".", p + "[")):
            return ScenarioError(
                f"{err.message} (set by {origin})", file=err.file, path=err.path, hint=err.hint
            )
    return ScenarioError(
        f"{err.message} (after {origin} changed {', '.join(paths)})",
        file=err.file,
        line=err.line,
        path=err.path,
        hint=err.hint,
    )


def _plain(value):
    """A value as plain YAML data (a copy; no line numbers from where it was written)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# ----------------------------------------------------------------------- values as text
def parse_value(text: str, file: str = "<value>"):
    """A value written on the command line, read as YAML as in a scenario file.

    ``99.95%``, ``4h`` and ``europe`` stay text, ``3`` and ``0.5`` are numbers,
    ``{mean: 4h, cv: 1}`` is a mapping, ``[a, b]`` a list, ``null`` removes a key.
    """
    if not text.strip():
        raise ScenarioError("no value after '='; write null to remove an optional key", file=file)
    return _plain(parse_yaml(text, file))


def parse_assignment(text: str, option: str = "--set") -> tuple[str, Any]:
    """``PATH=VALUE`` -> (path, value)."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError(f"expected PATH=VALUE, e.g. sla.target=99.95%, got {text!r}", file=option)
    return path.strip(), parse_value(value, f"{option} {path.strip()}")


def split_values(text: str) -> list[str]:
    """``v1,v2,{a: 1, b: 2}`` -> the values, split at commas outside brackets and quotes."""
    out, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return out


# ------------------------------------------------------------------------- fingerprints
def canonical_json(data) -> str:
    """File data as canonical JSON (sorted keys, dates as ISO text): equal data, equal text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    raise TypeError(f"cannot fingerprint a value of type {type(value).__name__}: {value!r}")


def fingerprint(payload) -> str:
    """SHA-256 (hex) of `canonical_json(payload)`: a stable name for data across runs and machines."""
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
