"""Safe YAML reading with positions.

One concern: turn a file into plain Python data, refuse what is dangerous or ambiguous
(non-safe tags, duplicate keys, alias bombs, absurd sizes), and remember where each value came
from so errors and findings can name file:line:column.

Design: libyaml (PyYAML's C parser) composes the node tree, which carries a start mark for
every node; a small iterative walk turns it into dicts and lists. The node tree is kept, so
:meth:`Document.locate` can answer "where is ``flows[3].types[1]``?" for any path without a
second parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from flowatlas.errors import MapError
from flowatlas.model import Source

try:  # the C parser when PyYAML was built with libyaml
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python fallback
    _Loader = yaml.SafeLoader

#: Refuse files larger than this (bytes). A 100,000-flow map is about 25 MB.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: An alias may expand to at most this many values in total per document (alias-bomb guard).
MAX_ALIAS_EXPANSION = 100_000

_SCALAR_LOADER = _Loader("")  # used only for resolving scalar nodes to Python values


class YamlProblem(Exception):
    """A YAML file that cannot be read; carries :class:`MapError` s."""

    def __init__(self, errors: list[MapError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Document:
    """A parsed YAML file: ``data`` and the node tree that knows positions."""

    file: str
    data: Any
    root: yaml.Node | None = field(default=None, repr=False)

    def locate(self, path: tuple[str | int, ...]) -> Source:
        """Position of the value at ``path`` (or of its deepest existing parent)."""
        node = self.root
        best = node.start_mark if node is not None else None
        key_mark = None
        for step in path:
            if node is None:
                break
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == step:
                        nxt, key_mark = v, k.start_mark
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                nxt, key_mark = node.value[step], node.value[step].start_mark
            if nxt is None:
                break
            node, best = nxt, key_mark
        if best is None:
            return Source(self.file, 1, 1)
        return Source(self.file, best.line + 1, best.column + 1)

    def key_source(self, path: tuple[str | int, ...]) -> Source:
        """Position of the *key* ``path[-1]`` inside the mapping at ``path[:-1]``."""
        return self.locate(path)


def _src(file: str, mark: Any) -> Source:
    return Source(file, mark.line + 1, mark.column + 1)


def read_yaml(path: Path, display: str) -> Document:
    """Read one YAML file safely. ``display`` is the name used in messages."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlProblem([MapError(Source(display, 1), f"cannot read file: {exc.strerror}")]) from None
    if size > MAX_FILE_BYTES:
        raise YamlProblem(
            [
                MapError(
                    Source(display, 1),
                    f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit",
                    "split it into several files",
                )
            ]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(
            [
                MapError(
                    Source(display, 1), f"not UTF-8 text ({exc.reason} at byte {exc.start})", "save the file as UTF-8"
                )
            ]
        ) from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`YamlProblem` on bad input."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        src = _src(display, mark) if mark else Source(display, 1)
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}: {what}"
        raise YamlProblem([MapError(src, f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise YamlProblem([MapError(Source(display, 1), f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    if root is None:
        return Document(display, None, None)
    data = _construct(root, display)
    return Document(display, data, root)


def _construct(root: yaml.Node, file: str) -> Any:
    """Turn a node tree into plain data; refuse duplicate keys, unsafe tags and alias bombs."""
    errors: list[MapError] = []
    seen_ids: dict[int, int] = {}  # id(node) -> times built (aliases reuse nodes)
    budget = [MAX_ALIAS_EXPANSION]

    def build(node: yaml.Node, stack: tuple[int, ...]) -> Any:
        nid = id(node)
        if nid in stack:
            errors.append(MapError(_src(file, node.start_mark), "recursive YAML alias"))
            return None
        if isinstance(node, yaml.ScalarNode):
            try:
                return _SCALAR_LOADER.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError as exc:
                errors.append(
                    MapError(
                        _src(file, node.start_mark),
                        f"unsupported YAML value: {exc.problem}",
                        "use plain strings, numbers, booleans, lists and mappings",
                    )
                )
                return None
        times = seen_ids.get(nid, 0)
        seen_ids[nid] = times + 1
        if times:  # built before: this is an alias expansion
            budget[0] -= _size(node)
            if budget[0] < 0:
                raise YamlProblem(
                    [
                        MapError(
                            _src(file, node.start_mark),
                            "YAML aliases expand too far (possible alias bomb)",
                            "write the values out or use fewer nested aliases",
                        )
                    ]
                )
        sub = (*stack, nid)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                errors.append(MapError(_src(file, node.start_mark), f"unsupported YAML tag {node.tag}"))
            return [build(v, sub) for v in node.value]
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                errors.append(MapError(_src(file, node.start_mark), f"unsupported YAML tag {node.tag}"))
            out: dict[Any, Any] = {}
            first: dict[Any, Any] = {}
            for k, v in node.value:
                if k.tag == "tag:yaml.org,2002:merge":
                    errors.append(
                        MapError(
                            _src(file, k.start_mark), "YAML merge keys (<<) are not supported", "write the keys out"
                        )
                    )
                    continue
                key = build(k, sub)
                if not isinstance(key, str | int | float | bool) or key is None:
                    errors.append(MapError(_src(file, k.start_mark), "mapping keys must be plain strings"))
                    continue
                key = str(key) if not isinstance(key, str) else key
                if key in out:
                    errors.append(
                        MapError(
                            _src(file, k.start_mark),
                            f"duplicate key '{key}' (first at line {first[key].line + 1})",
                            "remove one of them",
                        )
                    )
                    continue
                first[key] = k.start_mark
                out[key] = build(v, sub)
            return out
        return None  # pragma: no cover

    data = build(root, ())
    if errors:
        raise YamlProblem(errors)
    return data


def _size(node: yaml.Node) -> int:
    """Number of nodes under ``node`` (aliases counted every time they occur)."""
    n, stack = 0, [node]
    while stack:
        cur = stack.pop()
        n += 1
        if n > MAX_ALIAS_EXPANSION:
            return n
        if isinstance(cur, yaml.SequenceNode):
            stack.extend(cur.value)
        elif isinstance(cur, yaml.MappingNode):
            for k, v in cur.value:
                stack.append(k)
                stack.append(v)
    return n
