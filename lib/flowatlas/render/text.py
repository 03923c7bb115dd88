"""Map text to DOT strings that graphviz draws as the same text, never as DOT or HTML.

Every label and tooltip a view writes goes through :func:`dot_text`. It

* replaces characters XML cannot hold (C0 controls except newline and tab, lone surrogates,
  U+FFFE/U+FFFF) with U+FFFD, so the SVG graphviz writes always parses;
* escapes ``&`` as ``&amp;`` (graphviz decodes HTML entities in every label, so a name
  ``&lt;`` would otherwise be drawn as ``<``);
* doubles backslashes (``\\N``, ``\\G``, ``\\l`` are graphviz escapes) and turns newlines into
  graphviz's ``\\n``; tooltips (:func:`dot_tooltip`) go through graphviz's unescaping twice,
  so there a backslash is written four times (checked against real SVG output in the tests);
* wraps the result in :func:`graphviz.nohtml`, so a name such as ``<b>x</b>`` is quoted as a
  string and never parsed as an HTML-like label. Quotes are escaped by graphviz's own quoting.

>>> str(dot_text('a "b" & <c>\\\\'))
'a "b" &amp; <c>\\\\\\\\'
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

import graphviz

_BAD_XML = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
#: The most bytes one DOT string (label, tooltip) may have once escaped: graphviz refuses
#: strings of more than 16,384. Longer text is cut, with an ellipsis; the full text stays in
#: the findings and the inventory.
MAX_DOT_BYTES = 15_000


def clean(text: object) -> str:
    """``text`` as a string XML can hold (bad characters become U+FFFD, CR/LF become LF)."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _BAD_XML.sub("\ufffd", s)


def _fitted(text: str, escape: Callable[[str], str]) -> str:
    """``escape(text)``, with ``text`` cut (ending in an ellipsis) until it fits :data:`MAX_DOT_BYTES`."""
    out = escape(text)
    size = len(out.encode("utf-8"))
    while size > MAX_DOT_BYTES:
        keep = max(int(len(text) * MAX_DOT_BYTES / size) - 2, 0)
        text = text[:keep] + "…"
        out = escape(text)
        size = len(out.encode("utf-8"))
    return out


def _escape_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("\\", "\\\\").replace("\n", "\\n")


def _escape_tooltip(s: str) -> str:
    return s.replace("&", "&amp;").replace("\\", "\\" * 4).replace("\n", "\\n")


def dot_text(text: object) -> graphviz.quoting.NoHtml:
    """A DOT string (label, tooltip) that graphviz renders as exactly ``text`` (cut to fit
    graphviz's limit, :data:`MAX_DOT_BYTES`)."""
    return graphviz.nohtml(_fitted(clean(text), _escape_text))


def dot_tooltip(text: object) -> graphviz.quoting.NoHtml:
    """A DOT ``tooltip`` value that shows exactly ``text`` in the SVG (``xlink:title``), cut to
    fit graphviz's limit."""
    return graphviz.nohtml(_fitted(clean(text), _escape_tooltip))


def shorten(text: object, width: int = 60) -> str:
    """One line of at most ``width`` characters, ending in an ellipsis when cut."""
    s = " ".join(clean(text).split())
    return s if len(s) <= width else s[: width - 1].rstrip() + "…"


def wrap(text: object, width: int = 22, lines: int = 3) -> str:
    """Wrap ``text`` for a node label: at most ``lines`` lines of about ``width`` characters."""
    s = " ".join(clean(text).split())
    out = textwrap.wrap(s, width=width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = shorten(out[-1] + " …", width)
        if not out[-1].endswith("…"):
            out[-1] = out[-1][: width - 1] + "…"
    return "\n".join(out)
