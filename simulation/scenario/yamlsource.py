"""YAML text -> plain Python data that remembers the line of every key and item.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last of two
equal keys. Here the document is composed into nodes and converted by hand:

- a mapping becomes a `YMap` (a dict) with ``line``, ``key_lines`` and ``value_lines``;
- a sequence becomes a `YList` (a list) with ``line`` and ``item_lines``;
- mapping keys are the key's text as written (``22:00``, ``2``, ``web-server``);
- a key given twice is a `ScenarioError` naming both lines;
- YAML 1.1 sexagesimal numbers are switched off, so an unquoted ``18:00`` stays the
  string ``"18:00"`` instead of becoming the integer 1080; ``1e3`` is a float.

A file that would take unbounded time or memory is refused with a `ScenarioError`
before it does: more than `MAX_BYTES` of text, nesting deeper than `MAX_DEPTH`, or
aliases (``*name``) that repeat more than `MAX_ALIAS_NODES` nodes in all (a "billion
laughs" file of nine aliases nested eight levels deep would expand to 43 million).

Lines are 1-based.
"""

from __future__ import annotations

import re

import yaml

from simulation.scenario.errors import ScenarioError

#: The largest scenario file read (large data belongs in a CSV or network file).
MAX_BYTES = 1 << 20
#: The deepest nesting of mappings and lists.
MAX_DEPTH = 64
#: The most nodes that aliases may add to the document by repeating anchored parts.
MAX_ALIAS_NODES = 20_000


class YMap(dict):
    """A mapping from the file, with the line of every key and value."""

    line: int = 0
    key_lines: dict
    value_lines: dict

    def key_line(self, key) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key) -> int:
        return self.value_lines.get(key, self.key_line(key))


class YList(list):
    """A sequence from the file, with the line of every item."""

    line: int = 0
    item_lines: list

    def item_line(self, i: int) -> int:
        return self.item_lines[i] if 0 <= i < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    """SafeLoader without sexagesimal numbers (``18:00`` is a string, not 1080)."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
        |[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def parse_yaml(text: str, file: str = "<string>"):
    """The document in `text` as `YMap` / `YList` / scalars.

    Raises
    ------
    ScenarioError
        On a YAML syntax error (with the line YAML reports), a key given twice, an
        empty document, or a document beyond the bounds above.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        raise ScenarioError(
            f"the file has {size:,} bytes, more than the {MAX_BYTES:,} a scenario file may have; "
            "put long lists of data in a CSV file (empirical: {csv: ...})",
            file=file,
        )
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise ScenarioError(
                f"the document is nested more than {MAX_DEPTH} levels deep", file=file
            ) from None
        if node is None:
            raise ScenarioError(
                "the file is empty; a scenario starts with 'format: slasim/1'", file=file, line=1
            )
        return _Converter(loader, file).convert(node, "")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(exc.problem or "invalid YAML").split())
        context = " ".join(str(exc.context).split()) if exc.context else ""
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        raise ScenarioError(message, file=file, line=line) from None
    except yaml.YAMLError as exc:  # reader errors (bad bytes) carry no mark
        raise ScenarioError(f"YAML error: {' '.join(str(exc).split())}", file=file) from None
    finally:
        loader.dispose()


class _Converter:
    def __init__(self, loader: _Loader, file: str):
        self.loader = loader
        self.file = file
        self.active: set[int] = set()
        self.seen: set[int] = set()
        self.repeated = 0  # nodes converted again because an alias repeats them

    def convert(self, node, path: str):
        if id(node) in self.seen:
            self.repeated += 1
            if self.repeated > MAX_ALIAS_NODES:
                raise ScenarioError(
                    f"YAML aliases (*name) repeat more than {MAX_ALIAS_NODES:,} nodes of the document; "
                    "write the repeated parts out, or use blocks templates and counts",
                    file=self.file,
                    line=node.start_mark.line + 1,
                    path=path,
                )
        else:
            self.seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.loader.construct_object(node)
            except ValueError:  # e.g. 2027-13-01 looks like a date but is not one
                return node.value
        if id(node) in self.active:
            raise ScenarioError(
                "recursive YAML alias", file=self.file, line=node.start_mark.line + 1, path=path
            )
        if len(self.active) >= MAX_DEPTH:
            raise ScenarioError(
                f"the document is nested more than {MAX_DEPTH} levels deep",
                file=self.file,
                line=node.start_mark.line + 1,
                path=path,
            )
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path)
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _sequence(self, node, path):
        out = YList()
        out.line = node.start_mark.line + 1
        out.item_lines = []
        for i, item in enumerate(node.value):
            out.append(self.convert(item, f"{path}[{i}]"))
            out.item_lines.append(item.start_mark.line + 1)
        return out

    def _mapping(self, node, path):
        out = YMap()
        out.line = node.start_mark.line + 1
        out.key_lines, out.value_lines = {}, {}
        merges = []
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError(
                    "a key must be a plain name, not a list or mapping", file=self.file, line=line, path=path
                )
            key = key_node.value
            sub = f"{path}.{key}" if path else key
            if key in out:
                raise ScenarioError(
                    f"key '{key}' is given twice (lines {out.key_lines[key]} and {line}); "
                    "YAML would silently keep only the last one",
                    file=self.file,
                    line=line,
                    path=sub,
                )
            out[key] = self.convert(value_node, sub)
            out.key_lines[key] = line
            out.value_lines[key] = value_node.start_mark.line + 1
        # YAML merge keys (`<<: *anchor`): explicit keys win, as in YAML.
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src in sources:
                merged = self.convert(src, path)
                if not isinstance(merged, YMap):
                    raise ScenarioError(
                        "'<<' must merge a mapping", file=self.file, line=src.start_mark.line + 1, path=path
                    )
                for key, value in merged.items():
                    if key not in out:
                        out[key] = value
                        out.key_lines[key] = merged.key_line(key)
                        out.value_lines[key] = merged.value_line(key)
        return out
