"""The :class:`Diagram` every view returns: a :class:`graphviz.Digraph` that displays safely.

JupyterLab shows a Digraph by calling ``_repr_image_svg_xml``; graphviz's default runs ``dot``
with no time limit and no edge check. A Diagram routes display through
:func:`flowatlas.render.to_svg`, so notebooks get the same timeout, fallback layouts and
honest-edge check as the CLI.
"""

from __future__ import annotations

import graphviz

from flowatlas.render.files import to_png, to_svg


class Diagram(graphviz.Digraph):
    """A :class:`graphviz.Digraph` rendered through flowatlas' checked runner in notebooks.

    ``title`` is the text of its caption (set by the view), so that the caption can say which
    layout was used when a cheaper one is chosen for a large diagram.
    """

    title: str = ""
    #: The folder of the pages its boxes link to (``"atlas"``), or "" when it links to none: who
    #: writes the diagram writes those pages beside it (:mod:`flowatlas.render.atlas`).
    opens: str = ""

    #: The whole records of its arrows whose tooltips only begin them, by the arrow's DOT ``id``,
    #: when the page that shows it keeps them beside the drawing (the atlas's pages): a click in
    #: the viewer pins them (:func:`flowatlas.render.parts.tooltip`). None: tooltips hold all.
    records: dict[str, str] | None = None

    def _repr_image_svg_xml(self) -> str:
        return to_svg(self)

    def _repr_image_png(self) -> bytes:
        return to_png(self)
