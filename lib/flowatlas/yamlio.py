"""Safe YAML reading with positions.

One concern: turn a file into plain Python data, refuse what is dangerous or ambiguous
(non-safe tags, duplicate keys, alias bombs, absurd sizes), and remember where each value came
from so errors and findings can name file:line:column.

Two paths, one result (design, for maps of tens of thousands of records):

* **Fast path** (:func:`_fast_document`): ``yaml-rs`` (a Rust YAML parser, about 40× faster than
  composing PyYAML nodes) builds the data, with duplicate keys refused. A cheap *line index*
  then gives every record its position without a node tree: one regex pass over the text finds
  the top-level keys at column 0 and, under each section, the ``- `` lines at the section's item
  indentation. For block-style maps this is exact (an item's start mark is the first character
  after its dash), and it is checked: when the number of dash lines differs from the number of
  records, that section simply has no index. The fast path is taken only for text where the two
  parsers are known to agree; it steps aside (returns None) for anything else: anchors, aliases,
  tags, directives or several documents (so the alias-bomb guard below stays the only one), a
  BOM, control characters or Unicode line breaks, and plain scalars that YAML 1.1 (PyYAML)
  and YAML 1.2 (yaml-rs) resolve differently (``no``/``on``/``off``, octal, ``1e3``,
  sexagesimal ``1:30``, ``=``, ``<<``...). Plain decimal numbers and ``YYYY-MM-DD`` dates agree
  and stay on the fast path.
* **Precise path** (:func:`_precise_document`): libyaml (PyYAML's C parser) composes the node
  tree, which carries a start mark for every node; a small iterative walk turns it into dicts
  and lists. It reports every YAML problem with its position. :meth:`Document.locate` answers
  "where is ``flows[3].types[1]``?" for any path; a fast document composes its node tree
  lazily, the first time a position outside the line index is asked for (that is, when
  something is wrong).

The loader (:func:`flowatlas.loader.load_map`) adds the last guarantee: when a map loaded
through the fast path has any error at all, it is loaded again through the precise path and
*those* errors are reported, so messages never depend on which parser read the file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the fast parser (a required dependency; the precise path alone still works without it)
    import yaml_rs
except ImportError:  # pragma: no cover
    yaml_rs = None  # type: ignore[assignment]

from flowatlas.errors import MapError
from flowatlas.inert import excerpt
from flowatlas.inputs import MAX_INPUT_BYTES, InputProblem, decode, read_bytes
from flowatlas.source import Source

try:  # the C parser when PyYAML was built with libyaml
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python fallback
    _Loader = yaml.SafeLoader

#: Refuse files larger than this (bytes). A 100,000-flow map is about 25 MB.
MAX_FILE_BYTES = MAX_INPUT_BYTES
#: An alias may expand to at most this many values in total per document (alias-bomb guard).
MAX_ALIAS_EXPANSION = 100_000

_SCALAR_LOADER = _Loader("")  # used only for resolving scalar nodes to Python values


class LineIndex(Mapping[tuple[str | int, ...], Source]):
    """The line index of a fast document: ``{(key,): Source, (key, i): Source}`` for each
    top-level key and each item of its block sequence, and ``(key, i, field, j)`` for each item
    of a block sequence held by such an item (a policy's declarations). Stored as one list per
    sequence: the loader hands each record its position straight from the list."""

    __slots__ = ("nested", "sections", "top")

    def __init__(self) -> None:
        self.top: dict[str, Source] = {}  # position of each top-level key
        self.sections: dict[str, list[Source]] = {}
        self.nested: dict[tuple[str, int, str], list[Source]] = {}

    def __getitem__(self, path: tuple[str | int, ...]) -> Source:
        n = len(path)
        head = path[0] if n else None
        if n == 1 and isinstance(head, str) and head in self.top:
            return self.top[head]
        if n == 2 and type(path[1]) is int and isinstance(head, str) and head in self.sections:
            items = self.sections[head]
            if 0 <= path[1] < len(items):
                return items[path[1]]
        if n == 4 and type(path[3]) is int and path[:3] in self.nested:
            items = self.nested[path[:3]]  # type: ignore[index]
            if 0 <= path[3] < len(items):
                return items[path[3]]
        raise KeyError(path)

    def __iter__(self) -> Iterator[tuple[str | int, ...]]:
        for key in self.top:
            yield (key,)
            for i in range(len(self.sections.get(key, ()))):
                yield (key, i)
                for (k, at, field_name), items in self.nested.items():
                    if k == key and at == i:
                        yield from ((key, i, field_name, j) for j in range(len(items)))

    def __len__(self) -> int:
        return len(self.top) + sum(map(len, self.sections.values())) + sum(map(len, self.nested.values()))


@dataclass
class Document:
    """A parsed YAML file: ``data`` and the node tree that knows positions.

    A document read by the fast path has ``text`` and ``index`` (positions of the top-level
    keys and of each record, see the module docstring) instead of a node tree; ``root`` is then
    composed from ``text`` on first need.
    """

    file: str
    data: Any
    root: yaml.Node | None = field(default=None, repr=False)
    text: str | None = field(default=None, repr=False)
    index: LineIndex | None = field(default=None, repr=False)

    @property
    def fast(self) -> bool:
        """True when read by the fast path (yaml-rs and the line index)."""
        return self.text is not None

    def locate(self, path: tuple[str | int, ...]) -> Source:
        """Position of the value at ``path`` (or of its deepest existing parent)."""
        if self.index is not None:
            got = self.index.get(path)
            if got is not None:
                return got
        if self.root is None and self.text is not None:
            self.root = _compose(self.text)
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


def _src(file: str, mark: Any) -> Source:
    return Source(file, mark.line + 1, mark.column + 1)


def read_yaml(path: Path, display: str) -> Document:
    """Read one YAML file safely. ``display`` is the name used in messages."""
    return parse_yaml(read_text(path, display), display)


def read_text(path: Path, display: str) -> str:
    """The text of a YAML file, refusing absurd sizes and text that is not UTF-8."""
    return read_file(path, display)[1]


def read_file(path: Path, display: str) -> tuple[bytes, str]:
    """The bytes of a map file and their UTF-8 text, read once through
    :func:`flowatlas.inputs.read_bytes` (plain files only, the size bounded)."""
    raw = read_bytes(path, display, limit=MAX_FILE_BYTES, what="file")
    return raw, decode(raw, display)


def parse_yaml(text: str, display: str, *, fast: bool = True) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`InputProblem` on bad input.

    ``fast`` tries the fast path first (see the module docstring); it gives the same data, and
    every problem is reported by the precise path.
    """
    if fast:
        doc = _fast_document(text, display)
        if doc is not None:
            return doc
    return _precise_document(text, display)


def _compose(text: str) -> yaml.Node | None:
    """The node tree of text already known to parse (for positions only); None if it does not."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError:  # pragma: no cover - the fast parser accepted it; positions fall back
        return None
    finally:
        loader.dispose()


def _precise_document(text: str, display: str) -> Document:
    """The precise path: libyaml nodes with marks, every problem located."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise InputProblem([_syntax_error(exc, display, text)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, ESC...)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise InputProblem(
            [
                MapError(
                    Source(display, line, column),
                    f"character U+{exc.character:04X} is not allowed in YAML text",
                    "remove it, or write it as an escape inside double quotes (\\x1b, \\0)",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise InputProblem([MapError(Source(display, 1), f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    if root is None:
        return Document(display, None, None)
    data = _construct(root, display)
    return Document(display, data, root)


def _syntax_error(exc: yaml.MarkedYAMLError, display: str, text: str = "") -> MapError:
    """One located message for a libyaml error, saying what to change: an unclosed quote is
    reported where it opens (also when a later quote on another line closes it), a tab where
    it stands, a wrong indentation as such."""
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or str(exc)
    hint = ""
    if exc.context:
        what = f"{exc.context}: {what}"
    opened = _runaway_quote(text, mark) if text and mark is not None else None
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        mark = exc.context_mark
        what = "a quoted value opened here is never closed"
        hint = 'add the closing quote; inside double quotes, write a quote as \\"'
    elif opened is not None:
        mark, end_line = opened
        what = f"a quoted value opened here runs on to line {end_line}: its closing quote is missing"
        hint = 'add the closing quote on this line; inside double quotes, write a quote as \\"'
    elif mark is not None and _char_at(text, mark) == "\t":
        what = "a tab character, where YAML allows only spaces"
        hint = "indent with spaces, not tabs: set your editor to insert spaces"
    elif "found character '\\t' that cannot start any token" in what:
        hint = "indent with spaces, not tabs"
    elif "special characters are not allowed" in what or "control characters are not allowed" in what:
        hint = "remove the control character, or write it as an escape inside double quotes (\\x1b)"
    elif exc.problem in ("mapping values are not allowed here", "mapping values are not allowed in this context"):
        what = f"{what} (a key is indented differently from the keys above it, or a value holds ': ')"
        hint = "indent every key of a record alike, with spaces; put a value that contains ': ' in quotes"
    src = _src(display, mark) if mark else Source(display, 1)
    return MapError(src, f"YAML syntax error: {what}", hint)


def _char_at(text: str, mark: Any) -> str:
    """The character at a libyaml mark (line and column), or ``''``."""
    lines = text.splitlines(keepends=True)
    if mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    return line[mark.column] if mark.column < len(line) else ""


def _runaway_quote(text: str, mark: Any) -> tuple[Any, int] | None:
    """``(where it opens, the line it ends on)`` of the last quoted value before ``mark`` that
    runs over several lines: in a map a value quoted across lines is almost always a closing
    quote forgotten, which a quote further down then closes."""
    found = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            start = token.start_mark
            if (start.line, start.column) >= (mark.line, mark.column):
                break
            quoted = isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
            if quoted and token.end_mark.line > start.line:
                found = (start, token.end_mark.line + 1)
    except yaml.YAMLError:
        pass
    return found


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
            except (ValueError, OverflowError) as exc:  # 2024-13-45 read as a date, a 5,000-digit number
                tag = node.tag.rsplit(":", 1)[-1]
                what = {"timestamp": "date", "int": "number", "float": "number"}.get(tag, "value")
                errors.append(
                    MapError(
                        _src(file, node.start_mark),
                        f"invalid {what} {excerpt(node.value)}: {str(exc).split(';')[0]}",
                        f"write a valid {what}, or put it in quotes to keep it as text",
                    )
                )
                return None
        times = seen_ids.get(nid, 0)
        seen_ids[nid] = times + 1
        if times:  # built before: this is an alias expansion
            budget[0] -= _size(node)
            if budget[0] < 0:
                raise InputProblem(
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
        raise InputProblem(errors)
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


# --------------------------------------------------------------------------- fast path

#: Anchors, aliases and tags at the start of a token, directives and document markers at the
#: start of a line: either parser treats them in a way the other does not (and the alias-bomb
#: guard lives in the precise path). Any match sends the file to the precise path; a false
#: alarm (``R & D`` in a description) only costs time. Plain ``in`` tests go first: they are
#: ten times cheaper than the regex and settle most files.
_FAST_UNSAFE = re.compile(r"(?:^|[ \t\[\{,])[&*!]|^(?:---|\.\.\.|%)", re.M)
#: Characters PyYAML refuses (control characters) or reads as line breaks (YAML 1.1), and
#: the BOM it strips.
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_ODD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
#: A whole plain scalar that starts like a number or a date, or is one of the YAML 1.1
#: booleans, ``=`` or ``<<``: the only plain scalars whose meaning differs between YAML 1.1
#: (PyYAML: ``NO`` is False, ``010`` is 8, ``1:30`` is 90) and YAML 1.2 (yaml-rs). Values come
#: after ``: ``, ``- ``, ``? `` (block) or ``[``, ``{``, ``,`` (flow), possibly on the next
#: line. Keys need no check: a key that is not a plain string is refused by the shape checks,
#: which sends the map to the precise path anyway. A match whose token is not in
#: :func:`_agreed` sends the file to the precise path.
_TOKEN = (
    # the lookahead rejects most candidates with one character-class test before any branch
    r"(?=[-+.0-9yYnNoO=<])(?P<tok>[-+.0-9][^\s,\[\]{}#]*|[yY]es|YES|[nN]o|NO|[oO]n|ON|[oO]ff|OFF|=|<<)"
    r"(?=(?P<time>[ \t]+[0-9])|[ \t\r]*(?:$|[,\]}#]|:\s))"  # time: a date followed by a time
)
#: One pattern per indicator: a literal first character lets the regex engine skip ahead, which
#: makes six scans cheaper than one scan for a character class.
#: Each with the character it needs: a scan is skipped when the text has none (``?`` and ``{``
#: are rare in maps).
_SCALAR_RISKS = tuple(
    (c, re.compile(p + _TOKEN, re.M))
    for c, p in ((":", r":\s+"), ("-", r"-\s+"), ("?", r"\?\s+"), ("[", r"\[\s*"), (",", r",\s*"), ("{", r"\{\s*"))
)
_LEADING_SCALAR_RISK = re.compile(r"\s*" + _TOKEN, re.M)
#: Plain scalars starting like a number that both parsers read the same: decimal integers,
#: decimal fractions, dates, and tokens holding a character no number, date or time can hold
#: (``4G``, ``(2.2).``), which are strings to both.
_AGREED = re.compile(
    r"[-+]?(?:0|[1-9][0-9]*)|[-+]?[0-9]+\.[0-9]+|[0-9]{4}-[0-9]{2}-[0-9]{2}|.*[^-+.0-9a-fA-FxXoObBeE_:TtZziInN].*"
)


def _agreed(token: str) -> bool:
    """True for a plain scalar token that YAML 1.1 and 1.2 read the same (see :data:`_TOKEN`)."""
    return token[0] in "-+.0123456789" and _AGREED.fullmatch(token) is not None


#: A top-level key at the start of a line; searched in "\n" + text (a literal first character
#: makes the scan three times faster than a ``^`` anchor), so ``m.start()`` is its position.
_TOP_KEY = re.compile(r"\n([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(?=[ \t\r\n]|$)")
_FIRST_DASH = re.compile(r"^( *)-[ \t]", re.M)


def _fast_safe(text: str) -> bool:
    """True when yaml-rs and PyYAML are known to read ``text`` to the same data."""
    if text.isascii():  # deleting the printable bytes leaves nothing: ten times cheaper than a regex
        if text.encode("ascii").translate(None, _PRINTABLE_ASCII):
            return False
    elif _ODD_CHARS.search(text):
        return False
    markers = "&" in text or "*" in text or "!" in text or "\n---" in text or "\n..." in text or "\n%" in text
    if (markers or text.startswith(("---", "...", "%"))) and _FAST_UNSAFE.search(text):
        return False
    leading = _LEADING_SCALAR_RISK.match(text)
    if leading and (leading.group("time") or not _agreed(leading.group("tok"))):
        return False
    scans = [rx for c, rx in _SCALAR_RISKS if c in text]
    return not any(m.group("time") or not _agreed(m.group("tok")) for rx in scans for m in rx.finditer(text))


def _fast_document(text: str, display: str, parsed: Future | None = None) -> Document | None:
    """The fast path, or None when the precise path must read this text.

    ``parsed`` is ``yaml_rs`` already at work on ``text`` in another thread (see
    :func:`parse_texts`); it is used only when the text is safe for the fast path.
    """
    if yaml_rs is None or not _fast_safe(text):
        return None
    try:
        data = parsed.result() if parsed is not None else _rs_loads(text)
    except Exception:  # any problem is reported, with its position, by the precise path
        return None
    if data is not None and not isinstance(data, dict | list):
        return None  # a lone scalar: rare, let the precise path handle it
    return Document(display, data, None, text=text, index=_line_index(text, display, data))


def _rs_loads(text: str) -> Any:
    return yaml_rs.loads(text, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)


#: Below this much text, parsing in the calling thread is faster than starting the workers
#: (measured: 3 ms faster on the 0.3 MB 1,000-flow map, 13 ms slower on the 1.5 MB one).
PARALLEL_CHARS = 1_000_000


def parse_texts(items: Sequence[tuple[str, str]], *, fast: bool = True) -> list[Document | InputProblem]:
    """Parse ``(display name, text)`` pairs, in order: a :class:`Document` or the problem for each.

    yaml-rs releases the GIL while it parses, so on the fast path two worker threads parse
    ahead while this thread runs the safety checks and builds the line indexes: on two cores
    that hides most of the checks' cost (above :data:`PARALLEL_CHARS` of text). The result is
    the same as :func:`parse_yaml` on each.
    """
    out: list[Document | InputProblem] = []
    threads = fast and yaml_rs is not None and len(items) > 1 and sum(len(t) for _, t in items) >= PARALLEL_CHARS
    pool = ThreadPoolExecutor(max_workers=2) if threads else None
    try:
        futures = [pool.submit(_rs_loads, text) if pool else None for _, text in items]
        for (name, text), parsed in zip(items, futures, strict=True):
            doc = _fast_document(text, name, parsed) if fast else None
            if doc is None:
                try:
                    doc = _precise_document(text, name)
                except InputProblem as exc:
                    out.append(exc)
                    continue
            out.append(doc)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return out


def _line_index(text: str, file: str, data: Any) -> LineIndex:
    """Positions of the top-level keys and of each item of top-level block sequences.

    Exactly what :meth:`Document.locate` would answer from the node tree, for these paths: a
    top-level key's own position, and the first character after an item's dash. Items are the
    lines that start with the section's item indentation followed by ``- `` (found with
    ``str.find``, the cheapest scan Python has); a section is indexed only when those lines are
    exactly as many as its items and each is followed by content (anything else, e.g. a
    flow-style ``[...]`` list or a dash followed by two spaces, is left to the node tree).
    """
    index = LineIndex()
    if not isinstance(data, dict):
        return index
    keys = [(m.group(1), m.start()) for m in _TOP_KEY.finditer("\n" + text)]
    if [k for k, _ in keys] != list(data):
        return index  # quoted or flow-style top-level keys: positions come from the node tree
    line = 1
    last = 0
    count = text.count
    for i, (key, start) in enumerate(keys):
        line += count("\n", last, start)
        last = start
        index.top[key] = Source(file, line, 1)
        body = data[key]
        if not isinstance(body, list) or not body:
            continue
        end = keys[i + 1][1] if i + 1 < len(keys) else len(text)
        first = _FIRST_DASH.search(text, start, end)
        if first is None:
            continue
        found, starts = _item_positions(text, file, first, end, line, start)
        if len(found) == len(body):
            index.sections[key] = found
            _index_nested(index, text, file, key, body, found, starts, end)
    return index


def _index_nested(
    index: LineIndex, text: str, file: str, key: str, body: list, found: list[Source], starts: list[int], end: int
) -> None:
    """Positions of the records in block sequences held by the items of a top-level section (a
    policy's ``declarations``, for the fields whose value in the section's first item is a list
    of mappings): the ``- `` lines at one indentation between the field's key line
    and the next line indented no deeper than that key. Like the section's own index, a field
    is indexed only when those lines are exactly as many as its items, each followed by content;
    anything else (a flow-style list, a comment at the margin, a sequence not indented under its
    key) is left to the node tree."""
    # the fields that hold records, as the section's first item shows them: a section without
    # any (flows, nodes: their lists hold ids) costs one look at one item
    head = body[0]
    if not isinstance(head, dict):
        return
    fields = [k for k, v in head.items() if isinstance(k, str) and isinstance(v, list) and v and isinstance(v[0], dict)]
    if not fields:
        return
    find = text.find
    col = found[0].col  # an item's first key is on its dash line, the others line up under it
    key_indent = " " * (col - 1)
    for i, item in enumerate(body):
        if not isinstance(item, dict):
            continue
        stop = starts[i + 1] - col if i + 1 < len(starts) else end  # the next item's marker
        for field_name in fields:
            value = item.get(field_name)
            if not isinstance(value, list) or not value:
                continue
            at = find("\n" + key_indent + field_name + ":", starts[i], stop)
            if at == -1:
                continue
            line_end = find("\n", at + 1, stop)
            if line_end == -1:
                continue
            rest = text[at + len(key_indent) + len(field_name) + 2 : line_end].strip()
            if rest and not rest.startswith("#"):
                continue  # the value starts on the key's line: flow style
            block_end = _block_end(len(key_indent)).search(text, line_end, stop)
            block_stop = block_end.start() if block_end else stop
            first = _FIRST_DASH.search(text, line_end + 1, block_stop)
            if first is None or len(first.group(1)) <= len(key_indent):
                continue
            got, _ = _item_positions(text, file, first, block_stop, found[i].line, starts[i])
            if len(got) == len(value):
                index.nested[(key, i, field_name)] = got


def _item_positions(
    text: str, file: str, first: re.Match[str], stop: int, line: int, pos: int
) -> tuple[list[Source], list[int]]:
    """The items of the block sequence whose first ``- `` line is ``first`` (a
    :data:`_FIRST_DASH` match), up to offset ``stop``: each item's position (the first
    character after its dash, lines counted from ``line`` at offset ``pos``) and offset. Empty
    when a marker is followed by a space, a comment or nothing: the node tree places those."""
    needle = "\n" + first.group(1) + "- "
    col = len(needle)  # 1-based column of the character after "- "
    count, find = text.count, text.find
    found: list[Source] = []
    starts: list[int] = []
    at = find(needle, first.start() - 1, stop)
    while at != -1:
        node = at + col
        if node >= len(text) or text[node] in " \t\r\n#":
            return [], []
        line += count("\n", pos, node)
        pos = node
        found.append(Source(file, line, col))
        starts.append(node)
        at = find(needle, node, stop)
    return found, starts


@functools.cache
def _block_end(indent: int) -> re.Pattern[str]:
    """The first line indented no deeper than ``indent`` spaces, with content or a comment."""
    return re.compile(r"\n {0," + str(indent) + r"}[^ \r\n]")
