"""Colours, shapes and fonts shared by every view (one place, so the legend never lies)."""

from __future__ import annotations

FONT = "DejaVu Sans"
FONT_SIZE = "11"
EDGE_FONT_SIZE = "10"

#: Edge colour by the worst finding on the edge; ``None`` = no finding.
SEVERITY_COLOUR: dict[str | None, str] = {
    "high": "#c0392b",  # red
    "medium": "#e67e22",  # orange
    "low": "#b7950b",  # dark yellow
    "info": "#2e86c1",  # blue
    None: "#5d6d7e",  # slate grey
}
SEVERITY_TEXT: dict[str | None, str] = {
    "high": "high-severity finding (undeclared transfer, contradiction)",
    "medium": "medium-severity finding",
    "low": "low-severity finding",
    "info": "informational finding only",
    None: "no finding: consistent with the statement",
}

#: Node look by kind. ``external`` = a system or store whose owner is neither the controller
#: nor an affiliate (graph.py ``external``).
NODE_STYLE: dict[str, dict[str, str]] = {
    "subject": {"shape": "ellipse", "style": "filled", "fillcolor": "#fdebd0", "color": "#b9770e"},
    "system": {"shape": "box", "style": "rounded,filled", "fillcolor": "#d6eaf8", "color": "#2471a3"},
    "store": {"shape": "cylinder", "style": "filled", "fillcolor": "#d5f5e3", "color": "#1e8449"},
    "external": {"shape": "box3d", "style": "filled", "fillcolor": "#e8daef", "color": "#6c3483"},
    "external_store": {"shape": "cylinder", "style": "filled,dashed", "fillcolor": "#e8daef", "color": "#6c3483"},
}
NODE_KIND_TEXT: dict[str, str] = {
    "subject": "data subject (person)",
    "system": "system / process (controller or affiliate)",
    "store": "store (database, backup, replica)",
    "external": "external party's system (processor, third party, authority…)",
    "external_store": "external party's store",
}

#: Cluster fills: home jurisdiction vs. elsewhere.
HOME_CLUSTER = {"style": "filled", "fillcolor": "#eafaf1", "color": "#1e8449", "penwidth": "2"}
FOREIGN_CLUSTER = {"style": "filled", "fillcolor": "#fdedec", "color": "#c0392b", "penwidth": "2"}
ORG_CLUSTER = {"style": "rounded,filled", "fillcolor": "#ffffff", "color": "#7f8c8d", "penwidth": "1"}

#: Cross-border flows: thick and dashed, country pair in the label.
CROSS_BORDER = {"penwidth": "3", "style": "bold,dashed"}
DOMESTIC = {"penwidth": "1.3", "style": "solid"}

#: Edge labels list at most this many type lines before grouping under parent types.
MAX_TYPE_LINES = 3
