"""``report.html``: the executed report notebook as a code-free, self-contained HTML page.

nbconvert's ``lab`` template, with input cells and prompts left out, and with every script it
would fetch from the network (require.js, MathJax, the widget manager) removed, so the page
opens offline. It holds the diagrams (real SVG, so their tooltips work; a tooltip over
``rich.LONG_TOOLTIP`` characters is cut to its first line and kept whole, once, in a packed data
block that a click pins), the tables, and one
script: flowatlas's own (``report/static/flowatlas.js``: pan and zoom, sorting and filtering),
inlined once. The Content-Security-Policy allows that script alone, by its hash, and forbids
every fetch: text a map smuggled past escaping could neither run nor call out.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jinja2
import nbformat

from flowatlas.files import write_whole
from flowatlas.inert import terminal_text
from flowatlas.report import rich

TEMPLATE = "flowatlas_report.html.j2"
_TEMPLATE_TEXT = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}
<meta http-equiv="Content-Security-Policy" content="CSP_POLICY">
<style>
  .jp-RenderedSVG img, .jp-RenderedImage img { max-width: 100%; height: auto; }
  .jp-RenderedHTMLCommon table { font-size: 12px; }
  .jp-RenderedHTMLCommon { overflow-x: auto; }
</style>
<style>FLOWATLAS_STYLE</style>
{%- endblock extra_css -%}
"""


def _template() -> str:
    return _TEMPLATE_TEXT.replace("CSP_POLICY", rich.csp()).replace("FLOWATLAS_STYLE", rich.style())


_REMOTE = re.compile(r"""<(script|link)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//[^>]*>(\s*</script>)?""", re.I)


#: The tag of a notebook cell meant for someone working in the notebook (how to use it), left
#: out of report.html.
NOTEBOOK_ONLY = "notebook-only"


def _strip_for_report(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what a reader should not see: cells tagged :data:`NOTEBOOK_ONLY`, stderr streams,
    widget views, error tracebacks of papermill's own banner cells; number the cells (papermill
    gives the cell it injects a random id, which would make two reports of the same map differ)."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if NOTEBOOK_ONLY not in c.get("metadata", {}).get("tags", [])]
    for i, cell in enumerate(nb.cells):
        if "id" in cell:
            cell["id"] = f"cell-{i}"
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                continue
            kept.append(out)
        cell["outputs"] = kept
    nb.metadata.pop("widgets", None)
    return nb


def notebook_to_html(notebook: str | Path | nbformat.NotebookNode, title: str | None = None) -> str:
    """HTML of an executed notebook without code, prompts or remote resources."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4) if not isinstance(notebook, dict) else notebook
    nb = _strip_for_report(nb)
    if title:
        nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({TEMPLATE: _template()})],
        template_file=TEMPLATE,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    body = rich.strip_assets(_REMOTE.sub("", body))  # the copies each output carried for JupyterLab
    body = rich.keep_records(body)  # long tooltips whole once, packed (Absoloop's report 622 -> 602 KB)
    script = f"<script {rich.MARK}>{rich.script()}</script>"
    head, sep, tail = body.rpartition("</body>")
    return head + script + sep + tail if sep else body + script


def write_html(notebook: str | Path, out: str | Path, title: str | None = None) -> Path:
    out = Path(out)
    # control characters from map text (ESC, BEL...) shown as \x1b, never raw in the page
    out.write_text(terminal_text(notebook_to_html(notebook, title)), encoding="utf-8")
    return out


#: An output of the report notebook larger than this is left in ``report.html`` alone.
SLIM_BYTES = 50_000


def slim(notebook: str | Path, html_name: str) -> int:
    """Replace each output of ``notebook`` larger than :data:`SLIM_BYTES` by a line saying it is
    in ``html_name``, the page made from it (the 50,000-flow report notebook: 4.7 MB of tables and
    diagrams that report.html holds); the notebook keeps its cells, parameters, small outputs and
    errors. Returns the bytes taken out. Written whole, or not at all."""
    path = Path(notebook)
    nb = nbformat.read(str(path), as_version=4)
    saved = 0
    for cell in nb.cells:
        for i, out in enumerate(cell.get("outputs", [])):
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            size = sum(len(v) if isinstance(v, str) else len(str(v)) for v in out.get("data", {}).values())
            if size > SLIM_BYTES:
                note = f"({size:,} characters of output: see {html_name}, made from this notebook)"
                cell["outputs"][i] = nbformat.v4.new_output("display_data", data={"text/plain": note})
                saved += size
    if saved:
        nb.metadata["flowatlas"] = {"outputs_in": html_name}
        write_whole(path, nbformat.writes(nb).encode("utf-8"))
    return saved


def slimmed(notebook: str | Path) -> bool:
    """Whether :func:`slim` took outputs out of ``notebook`` (the page made from it before is the
    only whole copy: it is not made again from the notebook)."""
    return "outputs_in" in nbformat.read(str(notebook), as_version=4).metadata.get("flowatlas", {})
