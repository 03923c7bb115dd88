"""What changed between two versions of a map: flows, recipients, countries, types and findings.

:func:`diff_findings` compares two runs' findings by their stable ids (the report's
"since the last run"); :func:`diff_maps` compares two maps and their audits (``flowatlas diff
OLD NEW``, where each side is a folder or a git revision of one, ``REV:PATH``). Both are plain
data; :func:`diff_markdown` and :func:`diff_text` say it in sentences.

>>> from flowatlas.analysis import Analysis
>>> from flowatlas.audit import audit
>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> old = Analysis(load_texts(EXAMPLE))
>>> new = Analysis(load_texts({k: v.replace("types: [email], purposes: [advertising]", "types: [email, name], "
...                                         "purposes: [advertising]") for k, v in EXAMPLE.items()}))
>>> d = diff_maps(old, new, audit(old), audit(new))
>>> [(c["id"], c["fields"]) for c in d["flows"]["changed"]], d["types"]
([('f-mail', ['types'])], {'added': [], 'removed': []})
>>> sentences(d)[-1]
'flow f-mail changed: types email → email, name'

"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from flowatlas.analysis import Analysis
from flowatlas.assess import assess
from flowatlas.atlas import Map
from flowatlas.errors import UsageError
from flowatlas.findings import DEFAULT_FAIL_ON, FAIL_ON_CHOICES, SEVERITIES, SEVERITY_RANK, Finding
from flowatlas.inert import markdown_text, terminal_text
from flowatlas.loader import load_map

#: Fields compared to tell a finding "changed" between two runs (its id is the same).
DIFF_FIELDS: tuple[str, ...] = (
    "severity",
    "disclosure",
    "dimension",
    "message",
    "remedy",
    "types",
    "organisations",
    "countries",
    "clauses",
)
#: Fields of a flow compared between two versions of a map.
FLOW_FIELDS: tuple[str, ...] = (
    "source",
    "target",
    "types",
    "purposes",
    "subjects",
    "context",
    "sharing_basis",
    "transfer_basis",
    "lawful_basis",
    "in_transit",
    "encrypted",
)


def diff_findings(previous: list[dict] | None, current: list[dict]) -> dict[str, Any]:
    """Compare two runs' findings (as in ``findings.json``) by id.

    Returns ``{"previous": bool, "new": [...], "resolved": [...], "changed": [...], "counts": {...}}``;
    a changed entry holds the id, the fields that changed and their ``before``/``after`` values.
    With no previous run every finding is new and ``previous`` is False.

    >>> d = diff_findings([{"id": "a", "severity": "low"}], [{"id": "a", "severity": "high"}])
    >>> d["counts"], d["changed"][0]["fields"]
    ({'new': 0, 'resolved': 0, 'changed': 1, 'unchanged': 0}, ['severity'])
    """
    prev = {d["id"]: d for d in previous or []}
    cur = {d["id"]: d for d in current}
    new = [cur[i] for i in sorted(cur.keys() - prev.keys())]
    resolved = [prev[i] for i in sorted(prev.keys() - cur.keys())]
    changed = []
    unchanged = 0
    for i in sorted(cur.keys() & prev.keys()):
        fields = [k for k in DIFF_FIELDS if prev[i].get(k) != cur[i].get(k)]
        if fields:
            changed.append(
                {
                    "id": i,
                    "rule": cur[i].get("rule"),
                    "severity": cur[i].get("severity"),
                    "fields": fields,
                    "before": {k: prev[i].get(k) for k in fields},
                    "after": {k: cur[i].get(k) for k in fields},
                }
            )
        else:
            unchanged += 1
    return {
        "previous": previous is not None,
        "new": new,
        "resolved": resolved,
        "changed": changed,
        "counts": {"new": len(new), "resolved": len(resolved), "changed": len(changed), "unchanged": unchanged},
    }


# --------------------------------------------------------------------------- two maps


def _flow_data(m: Map) -> dict[str, dict[str, Any]]:
    out = {}
    for f in m.flows.values():
        out[f.id] = {k: (list(v) if isinstance(v := getattr(f, k), tuple) else v) for k in FLOW_FIELDS}
    return out


def recipients(m: Map) -> dict[str, str]:
    """Organisations other than the controller that flows reach: ``{id: name}``."""
    out = {}
    for f in m.flows.values():
        org = m.nodes[f.target].owner
        if org and org != m.info.controller and org in m.organisations:
            out[org] = m.organisations[org].name
    return dict(sorted(out.items()))


def countries(a: Analysis) -> list[str]:
    """Countries data reaches: the countries at both ends of every flow, as the analysis decides
    them (:attr:`~flowatlas.analysis.Analysis.flow_facts`: a person is where they are collected)."""
    return sorted({c for x in a.flow_facts.values() for c in (x.source_country, x.target_country) if c})


def carried_types(m: Map) -> list[str]:
    """The information types flows carry."""
    return sorted({t for f in m.flows.values() for t in f.types})


def _sets(old: Iterable[str], new: Iterable[str]) -> dict[str, list[str]]:
    a, b = set(old), set(new)
    return {"added": sorted(b - a), "removed": sorted(a - b)}


def diff_maps(
    old_analysis: Analysis,
    new_analysis: Analysis,
    old_findings: Sequence[Finding],
    new_findings: Sequence[Finding],
    *,
    labels: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """What changed from the map ``old_analysis`` analyses to ``new_analysis``'s: flows (added,
    removed, changed with their fields), recipients, countries and types (added, removed), and
    the findings given for each (:func:`diff_findings`). ``labels`` name the two sides (default:
    their folders)."""
    old, new = old_analysis.map, new_analysis.map
    fo, fn = _flow_data(old), _flow_data(new)
    changed = []
    for i in sorted(fo.keys() & fn.keys()):
        fields = [k for k in FLOW_FIELDS if fo[i][k] != fn[i][k]]
        if fields:
            changed.append(
                {
                    "id": i,
                    "fields": fields,
                    "before": {k: fo[i][k] for k in fields},
                    "after": {k: fn[i][k] for k in fields},
                }
            )
    ro, rn = recipients(old), recipients(new)
    return {
        "old": {"map": old.info.id, "root": labels[0] if labels else old.root, "digest": old.digest},
        "new": {"map": new.info.id, "root": labels[1] if labels else new.root, "digest": new.digest},
        "flows": {
            "added": [{"id": i, **fn[i]} for i in sorted(fn.keys() - fo.keys())],
            "removed": [{"id": i, **fo[i]} for i in sorted(fo.keys() - fn.keys())],
            "changed": changed,
        },
        "recipients": {
            "added": [{"id": i, "name": rn[i]} for i in sorted(rn.keys() - ro.keys())],
            "removed": [{"id": i, "name": ro[i]} for i in sorted(ro.keys() - rn.keys())],
        },
        "countries": _sets(countries(old_analysis), countries(new_analysis)),
        "types": _sets(carried_types(old), carried_types(new)),
        "findings": diff_findings(
            [_in_its_folder(f.to_dict(), old.root) for f in old_findings],
            [_in_its_folder(f.to_dict(), new.root) for f in new_findings],
        ),
    }


def _in_its_folder(finding: dict, root: Any) -> dict:
    """A finding as its map's folder sees it: the folder's own path (where the map's evidence
    files were read from) taken out of its text, so that one map in two places gives one finding.

    >>> _in_its_folder({"message": "seen at /tmp/m/evidence/a.json:3:1"}, "/tmp/m")["message"]
    'seen at evidence/a.json:3:1'
    """
    if not root:
        return finding
    prefix = str(root).rstrip("/") + "/"
    texts = {k: v.replace(prefix, "") for k in ("message", "remedy") if isinstance(v := finding.get(k), str)}
    return {**finding, **texts}


def reaching(diff: dict[str, Any], severity: str) -> list[dict]:
    """New findings at or above ``severity``, and findings whose severity rose to it (none for ``none``)."""
    if severity == "none":
        return []
    floor = SEVERITY_RANK[severity]
    f = diff["findings"]
    out = [d for d in f["new"] if SEVERITY_RANK.get(d.get("severity", "info"), 0) >= floor]
    for c in f["changed"]:
        before, after = c["before"].get("severity"), c["after"].get("severity")
        if after and before and SEVERITY_RANK[after] >= floor > SEVERITY_RANK[before]:
            out.append({"id": c["id"], "rule": c["rule"], "severity": after, "message": "(severity rose)"})
    return out


# --------------------------------------------------------------------------- in words


def _val(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join(map(str, v)) or "none"
    return "none" if v is None else str(v)


def _counts(diff: dict[str, Any]) -> str:
    by = {s: 0 for s in SEVERITIES}
    for d in diff["findings"]["new"]:
        by[d.get("severity", "info")] = by.get(d.get("severity", "info"), 0) + 1
    parts = [f"+{by[s]} {s}" for s in reversed(SEVERITIES) if by[s]]
    n = diff["findings"]["counts"]
    return ", ".join([*parts, f"{n['resolved']} resolved", f"{n['changed']} changed"])


def sentences(diff: dict[str, Any]) -> list[str]:
    """The diff as one sentence per change, most consequential first: new findings (by
    severity), resolved and changed findings, then flows, recipients, countries and types."""
    out: list[str] = []
    f = diff["findings"]
    for d in sorted(f["new"], key=lambda d: (-SEVERITY_RANK.get(d.get("severity", "info"), 0), d["id"])):
        out.append(f"+1 {d.get('severity', '')}: {d.get('message', '')} ({d['id']})")
    for d in f["resolved"]:
        out.append(f"resolved ({d.get('severity', '')}): {d.get('message', '')} ({d['id']})")
    for c in f["changed"]:
        out.append(changed_sentence(c))
    if "flows" in diff:
        for d in diff["flows"]["added"]:
            out.append(f"flow {d['id']} added: {d['source']} \u2192 {d['target']} ({_val(d['types'])})")
        for d in diff["flows"]["removed"]:
            out.append(f"flow {d['id']} removed: {d['source']} \u2192 {d['target']}")
        for c in diff["flows"]["changed"]:
            what = "; ".join(f"{k} {_val(c['before'][k])} \u2192 {_val(c['after'][k])}" for k in c["fields"])
            out.append(f"flow {c['id']} changed: {what}")
        for kind in ("added", "removed"):
            for r in diff["recipients"][kind]:
                out.append(f"recipient {r['name']} ({r['id']}) {kind}")
            for c in diff["countries"][kind]:
                out.append(f"country {c} {'now reached' if kind == 'added' else 'no longer reached'}")
            for t in diff["types"][kind]:
                out.append(f"type {t} {'now carried' if kind == 'added' else 'no longer carried'}")
    return out


def changed_sentence(change: dict[str, Any]) -> str:
    """One finding that stays but changed: what it says now and what it said (when its message
    changed), then its other changed fields.

    >>> changed_sentence({"id": "r-1", "severity": "high", "fields": ["message"],
    ...                   "before": {"message": "no basis"}, "after": {"message": "no SCCs"}})
    'changed r-1 (high): now no SCCs (was no basis)'
    """
    before, after = change["before"], change["after"]
    severity = change.get("severity") or after.get("severity") or ""
    head = f"changed {change['id']}" + (f" ({severity})" if severity else "")
    parts = []
    if "message" in change["fields"]:
        parts.append(f"now {after['message']} (was {before['message']})")
    parts += [
        f"{k} {_val(before[k])} \u2192 {_val(after[k])}"
        for k in change["fields"]
        if k != "message" and before.get(k) != after.get(k)
    ]
    return f"{head}: {'; '.join(parts) or 'reworded'}"


def diff_text(diff: dict[str, Any]) -> str:
    """The diff for a terminal: a summary line, then :func:`sentences`."""
    lines = sentences(diff)
    head = f"{diff['old']['root']} \u2192 {diff['new']['root']}: {_counts(diff)}" if "old" in diff else _counts(diff)
    return "\n".join([head, *(f"  {s}" for s in lines)] if lines else [head, "  no changes"]) + "\n"


_md = markdown_text


def diff_markdown(diff: dict[str, Any]) -> str:
    """The diff as Markdown for a pull-request comment: a summary, a table of new and resolved
    findings, and the changes to flows, recipients, countries and types as a list. Text from
    the maps is escaped (it renders as text, never as links or HTML)."""
    f = diff["findings"]
    lines = [
        f"### flowatlas: {_md(diff['new']['map'])}" if "new" in diff else "### flowatlas",
        "",
        f"**{_counts(diff)}**",
        "",
    ]
    rows = [("new", d) for d in f["new"]] + [("resolved", d) for d in f["resolved"]]
    if rows:
        lines += ["| change | severity | rule | finding |", "| --- | --- | --- | --- |"]
        rows.sort(key=lambda r: (r[0] != "new", -SEVERITY_RANK.get(r[1].get("severity", "info"), 0), r[1]["id"]))
        for kind, d in rows:
            lines.append(
                f"| {kind} | {_md(d.get('severity', ''))} | `{_md(d.get('rule', ''))}` | {_md(d.get('message', ''))} |"
            )
        lines.append("")
    rest = [s for s in sentences(diff) if not s.startswith(("+1 ", "resolved ("))]
    lines += [f"- {_md(s)}" for s in rest] or ["No change to flows, recipients, countries or types."]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- git revisions


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed: give two map folders instead") from None
    if r.returncode != 0:
        raise UsageError(f"git {' '.join(args)}: {r.stderr.decode('utf-8', 'replace').strip()}")
    return r.stdout


def load_side(spec: str, workdir: Path) -> Map:
    """A map from a folder, or from ``REV:PATH`` (a git revision of a map folder of the repository
    the current folder is in), extracted into ``workdir``. Files are named ``REV:PATH/file`` in
    every file:line."""
    if Path(spec).exists() or ":" not in spec:
        return load_map(spec)
    rev, path = spec.split(":", 1)
    cwd = Path.cwd()
    prefix = _git(["rev-parse", "--show-prefix"], cwd).decode().strip()
    inside = (prefix + path).strip("/") or "."
    data = _git(
        ["archive", "--format=tar", f"{rev}", "--", inside],
        Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip()),
    )
    target = workdir / rev.replace("/", "_").replace("~", "_").replace("^", "_")
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(target, filter="data")
    folder = target / inside
    if not folder.exists():
        raise UsageError(f"{spec}: no such folder in revision {rev}")
    return load_map(folder, display=spec)


def load_pair(old: str, new: str) -> tuple[Map, Map, tempfile.TemporaryDirectory]:
    """Both sides (:func:`load_side`); the temporary folder holds git revisions until closed."""
    tmp = tempfile.TemporaryDirectory(prefix="flowatlas-diff-")
    try:
        return load_side(old, Path(tmp.name)), load_side(new, Path(tmp.name)), tmp
    except BaseException:
        tmp.cleanup()
        raise


# --------------------------------------------------------------------------- the command


def add_arguments(p: Any) -> None:
    p.add_argument(
        "old", help="the earlier map: a folder, or REV:PATH (a git revision, e.g. HEAD~1:dataflows/absoloop)"
    )
    p.add_argument("new", help="the later map: a folder, or REV:PATH")
    p.add_argument("--format", choices=["table", "json", "markdown"], default="table", help="output format (table)")
    p.add_argument(
        "--fail-on",
        choices=list(FAIL_ON_CHOICES),
        default=DEFAULT_FAIL_ON,
        help="exit 1 when a new finding (or one whose severity rose) is at least this severe (none: never)",
    )


def main(args: Any) -> int:
    old, new, tmp = load_pair(args.old, args.new)
    with tmp:  # the evidence a side names is read from its folder
        old_analysis, new_analysis = Analysis(old), Analysis(new)
        diff = diff_maps(
            old_analysis, new_analysis, assess(old_analysis), assess(new_analysis), labels=(args.old, args.new)
        )
    if args.format == "json":
        sys.stdout.write(json.dumps(diff, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(diff_markdown(diff))
    else:
        sys.stdout.write(terminal_text(diff_text(diff)))
    return 1 if reaching(diff, args.fail_on) else 0


__all__ = [
    "DIFF_FIELDS",
    "carried_types",
    "changed_sentence",
    "countries",
    "diff_findings",
    "diff_maps",
    "diff_markdown",
    "diff_text",
    "load_pair",
    "reaching",
    "recipients",
    "sentences",
]
