"""The hostile corpus: broken and hostile maps, each built in a folder of its own.

Every case is a :class:`Case`: a name, a category, a function that writes the map (or other
input) into a folder, the commands to run on it, and what must happen: the exit code of each
command and, for a rejected map, the ``file:line`` the message must name. Valid hostile maps
(injection text, control characters, huge strings, odd Unicode) must be audited and drawn, and
what they produce must be inert.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: A small, valid map (SG controller, US processor) that cases mutate: one file per section.
BASE: dict[str, str] = {
    "map.yaml": "map: {id: hostile, name: Hostile Co, controller: co, home: SG, policy: pol}\n",
    "orgs.yaml": """\
organisations:
  - {id: co, name: Hostile Co Pte Ltd, role: controller, jurisdiction: SG}
  - {id: mailco, name: MailCo Inc, role: processor, jurisdiction: US}
""",
    "nodes.yaml": """\
nodes:
  - {id: buyer, name: Buyers, kind: subject, subject: account-holder}
  - {id: web, name: Web shop, kind: system, owner: co, jurisdiction: SG}
  - id: orders
    name: Order database
    kind: store
    owner: co
    jurisdiction: SG
    retention: P1Y
    encrypted_at_rest: true
    erase: true
    export: true
  - {id: mailer, name: Mail service, kind: system, owner: mailco, jurisdiction: US}
""",
    "flows.yaml": """\
flows:
  - {id: f-1, from: buyer, to: web, types: [email, name], purposes: [provide-service], context: registration}
  - {id: f-2, from: web, to: orders, types: [email, name], purposes: [provide-service]}
  - {id: f-3, from: web, to: mailer, types: [email], purposes: [provide-service], sharing_basis: on_instruction}
""",
    "policy.yaml": """\
policies:
  - id: pol
    title: Hostile Co privacy statement
    version: "1"
    controller: co
    declarations:
      - {id: c1, kind: collection, clause: "1", quote: "we collect your email and name",
         subjects: [account-holder], contexts: [registration], types: [email, name]}
      - {id: s1, kind: storage, clause: "2", quote: we store your data in Singapore, locations: [SG]}
      - {id: p1, kind: purpose, clause: "3", quote: to provide the service, purposes: [provide-service]}
""",
}

VALIDATE, AUDIT, RENDER = ("validate",), ("audit", "--format", "csv"), ("render", "--view", "overview,findings")


@dataclass(frozen=True)
class Case:
    """One hostile input. ``build(folder)`` writes it and returns the map path to pass."""

    name: str
    category: str
    build: Callable[[Path], Path]
    #: exit code expected of validate, audit and render (2: refused), or of the audit (0/1) for a
    #: map that is accepted (the base map has high findings: 1)
    exit: int = 2
    #: text the first error line must contain, usually ``file:line`` (None: not checked)
    where: str | None = None
    #: extra commands, each (argv after ``flowatlas``, expected exit, text expected in stderr); ``{map}``,
    #: ``{dir}`` are replaced by the map path and the case folder
    extra: tuple[tuple[tuple[str, ...], int, str], ...] = ()
    #: run validate, audit and render on the map
    map_commands: bool = True
    #: may take longer (large inputs): run in the slow group
    slow: bool = False
    #: run as an unprivileged user (root reads and writes everything: a permission case needs one)
    as_nobody: bool = False
    notes: str = field(default="", compare=False)


def _files(folder: Path, files: dict[str, str | bytes]) -> Path:
    root = folder / "map"
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
    return root


def with_files(**changes: str | bytes | None) -> Callable[[Path], Path]:
    """The base map with files replaced (``None`` removes one); keys use ``__`` for ``/`` and
    ``_dot_`` for ``.``, e.g. ``nodes_dot_yaml``."""

    def build(folder: Path) -> Path:
        files: dict[str, str | bytes] = dict(BASE)
        for key, text in changes.items():
            name = key.replace("__", "/").replace("_dot_", ".")
            if text is None:
                files.pop(name, None)
            else:
                files[name] = text
        return _files(folder, files)

    return build


def replace(file: str, old: str, new: str) -> Callable[[Path], Path]:
    """The base map with one text substitution in ``file`` (which must match)."""

    def build(folder: Path) -> Path:
        assert old in BASE[file], (file, old)
        return _files(folder, {**BASE, file: BASE[file].replace(old, new, 1)})

    return build


def add_line(file: str, line: str) -> Callable[[Path], Path]:
    return lambda folder: _files(folder, {**BASE, file: BASE[file] + line})


def node_field(text: str) -> Callable[[Path], Path]:
    """The base map with ``text`` (one YAML line, indented as a field) added to node ``orders``."""
    return replace("nodes.yaml", "    export: true\n", "    export: true\n" + text)


def flow(text: str) -> Callable[[Path], Path]:
    """The base map with one more flow (``text`` is its flow mapping)."""
    return add_line("flows.yaml", f"  - {text}\n")


# --------------------------------------------------------------------------- builders


def _deep_block(depth: int) -> str:
    return "description:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(depth)) + "  " * (depth + 1) + "x\n"


def deep_block(folder: Path) -> Path:
    body = "".join("    " + ln + "\n" for ln in _deep_block(5000).splitlines())
    return replace("nodes.yaml", "    export: true\n", "    export: true\n" + body)(folder)


def many_files(folder: Path) -> Path:
    root = with_files()(folder)
    (root / "flows.yaml").unlink()
    for i in range(5000):
        (root / f"f{i:04d}.yaml").write_text(
            f"flows:\n  - {{id: g-{i}, from: web, to: orders, types: [email], purposes: [provide-service]}}\n",
            encoding="utf-8",
        )
    (root / "f-base.yaml").write_text(BASE["flows.yaml"], encoding="utf-8")
    return root


def symlink_loop(folder: Path) -> Path:
    root = with_files()(folder)
    (root / "sub").mkdir()
    (root / "sub" / "loop").symlink_to("..", target_is_directory=True)
    return root


def symlink_outside(folder: Path) -> Path:
    root = with_files()(folder)
    outside = folder / "elsewhere.yaml"
    outside.write_text("flows: []\n", encoding="utf-8")
    (root / "extra.yaml").symlink_to(outside)
    return root


def symlink_inside(folder: Path) -> Path:
    """flows.yaml is a link to a file inside the map (not itself a .yaml file, so read once)."""
    root = with_files(flows_dot_yaml=None)(folder)
    (root / "real").mkdir()
    (root / "real" / "flows.txt").write_text(BASE["flows.yaml"], encoding="utf-8")
    (root / "flows.yaml").symlink_to(Path("real") / "flows.txt")
    return root


def dangling_symlink(folder: Path) -> Path:
    root = with_files()(folder)
    (root / "gone.yaml").symlink_to(folder / "no-such-file.yaml")
    return root


def fifo(folder: Path) -> Path:
    root = with_files()(folder)
    os.mkfifo(root / "pipe.yaml")
    return root


def unreadable_folder(folder: Path) -> Path:
    """A sub-folder nobody but its owner may read; run as another user when root (see the test)."""
    root = with_files(flows_dot_yaml=None)(folder)
    (root / "locked").mkdir()
    (root / "locked" / "flows.yaml").write_text(BASE["flows.yaml"], encoding="utf-8")
    os.chmod(root / "locked", 0o000)
    return root


def unreadable_file(folder: Path) -> Path:
    root = with_files()(folder)
    os.chmod(root / "flows.yaml", 0o000)
    return root


def empty_folder(folder: Path) -> Path:
    (folder / "map").mkdir()
    return folder / "map"


def empty_subfolder(folder: Path) -> Path:
    root = with_files()(folder)
    (root / "nothing-here").mkdir()
    return root


def billion_laughs(folder: Path) -> Path:
    lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lol.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return with_files(bomb_dot_yaml="\n".join(lol) + "\n")(folder)


def huge_unknown_types(folder: Path) -> Path:
    types = ", ".join(f"t{i}" for i in range(200_000))
    return flow(f"{{id: f-9, from: web, to: orders, types: [{types}], purposes: [provide-service]}}")(folder)


def one_type_many_times(folder: Path) -> Path:
    types = ", ".join(["email"] * 200_000)
    return flow(f"{{id: f-9, from: web, to: orders, types: [{types}], purposes: [provide-service]}}")(folder)


def huge_string(folder: Path) -> Path:
    return node_field("    description: " + "A" * 17_000 + "\n")(folder)


def huge_valid_map(folder: Path) -> Path:
    """The largest valid case: 5,000 flows between the base nodes."""
    flows = ["flows:\n"] + [
        f"  - {{id: h-{i}, from: web, to: orders, types: [email, name], purposes: [provide-service]}}\n"
        for i in range(5000)
    ]
    return with_files(more_dot_yaml="".join(flows))(folder)


def params_file(text: bytes, name: str = "params.yaml") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        root = with_files()(folder)
        (folder / name).write_bytes(text)
        return root

    return build


def previous_run(findings: bytes | None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        root = with_files()(folder)
        prev = folder / "prev"
        prev.mkdir()
        if findings is not None:
            (prev / "findings.json").write_bytes(findings)
        return root

    return build


def out_is_file(folder: Path) -> Path:
    root = with_files()(folder)
    (folder / "out-file").write_text("not a folder", encoding="utf-8")
    return root


def out_path_is_dir(folder: Path) -> Path:
    root = with_files()(folder)
    (folder / "diagrams" / "overview.dot").mkdir(parents=True)
    return root


# --------------------------------------------------------------------------- the corpus

INJECTIONS = {
    "dot-quote": 'Shop" ]; evil [label="x',
    "dot-braces": "} digraph evil { a -> b",
    "html-tags": "<b>bold</b> <img src=x onerror=alert(1)>",
    "script": "</script><script>alert(1)</script>",
    "ampersand": "R&D &amp; &lt;lab&gt;",
    "newlines": "line one\\nline two\\r\\nthree",
    "rtl": "\u202eevil\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "zero-width": "we\u200bb\u200d sh\u2060op\ufeff",
    "emoji": "shop \U0001f6d2\U0001f469\u200d\U0001f4bb \U0001f1f8\U0001f1ec",
    "formula-eq": '=HYPERLINK("http://x.invalid","click")',
    "formula-plus": "+1+cmd|' /C calc'!A0",
    "formula-minus": "-2+3",
    "formula-at": "@SUM(A1:A9)",
    "formula-tab": "\\tleading tab",
    "formula-cr": "\\rleading cr",
    "control-esc": "\\e[31mred\\e[0m",
    "control-bel": "bell\\a\\a",
    "control-mixed": "\\x01\\x02\\x7f\\x9b[2J",
    "jinja": "{{ 7*7 }} {% raw %}",
    "backslashes": "C:\\\\temp\\\\x \\\\N",
    "graphviz-record": "{a|b}|<p>c",
    "long-word": "W" * 3000,
}


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (the INJECTIONS values use YAML escapes)."""
    return '"' + text.replace('"', '\\"') + '"'


def injection(text: str) -> Callable[[Path], Path]:
    """The text as a node name, an organisation name, a type name (map-defined), a flow
    description and a declaration quote."""
    q = _quoted(text)
    return with_files(
        orgs_dot_yaml=BASE["orgs.yaml"].replace("name: MailCo Inc", f"name: {q}"),
        nodes_dot_yaml=BASE["nodes.yaml"].replace("name: Mail service", f"name: {q}"),
        types_dot_yaml=f"information_types:\n  - {{id: custom-thing, name: {q}, parent: contact}}\n",
        flows_dot_yaml=BASE["flows.yaml"].replace(
            "sharing_basis: on_instruction}", f"sharing_basis: on_instruction, description: {q}}}"
        )
        + f"  - {{id: f-4, from: web, to: mailer, types: [custom-thing], purposes: [advertising], "
        f"sharing_basis: on_instruction, description: {q}}}\n",
    )


# --------------------------------------------------------------------------- round three: the newer surfaces
# (JSON maps, evidence, Fides import, notebooks copy): issue 29's list, one builder each


def _with_evidence(files: dict[str, str | bytes], folder: Path) -> Path:
    """The base map naming its evidence (``evidence/<name>``: the files given), the web shop's
    code linked to the scans."""
    named = ", ".join(f"evidence/{n}" for n in sorted(files))
    head = BASE["map.yaml"].replace("policy: pol}", f"policy: pol, evidence: [{named}]}}")
    nodes = BASE["nodes.yaml"].replace(
        "{id: web, name: Web shop, kind: system, owner: co, jurisdiction: SG}",
        "{id: web, name: Web shop, kind: system, owner: co, jurisdiction: SG, evidence: {repository: [web]}}",
    )
    evidence = {f"evidence/{n}": t for n, t in files.items()}
    return _files(folder, {**BASE, "map.yaml": head, "nodes.yaml": nodes, **evidence})


def map_links_to_each_other(folder: Path) -> Path:
    root = with_files()(folder)
    (root / "a.yaml").symlink_to("b.yaml")
    (root / "b.yaml").symlink_to("a.yaml")
    return root


def evidence_fifo(folder: Path) -> Path:
    root = _with_evidence({"web.bearer.json": ""}, folder)
    (root / "evidence" / "web.bearer.json").unlink()
    os.mkfifo(root / "evidence" / "web.bearer.json")
    return root


def evidence_dev_zero(folder: Path) -> Path:
    root = with_files()(folder)
    (folder / "zero.json").symlink_to("/dev/zero")
    return root


def bearer_report(entries: int) -> str:
    """A Bearer privacy report of ``entries`` third parties, one line each (the same names
    repeating: evidence of many scans of the same code)."""
    rows = ",\n".join(
        f'{{"third_party": "Vendor {i % 50}", "data_types": ["Email Address", "Phone Number"]}}' for i in range(entries)
    )
    return '{"third_party": [\n' + rows + "\n]}"


def evidence_large(folder: Path) -> Path:
    """About 20 MB of evidence: read in time linear in its size."""
    return _with_evidence({"web.bearer.json": bearer_report(240_000)}, folder)


def evidence_deep(folder: Path) -> Path:
    return _with_evidence({"web.bearer.json": '{"third_party": ' + "[" * 100_000 + "]" * 100_000 + "}"}, folder)


def terraform_deep_modules(folder: Path) -> Path:
    module = '{"resources": [], "child_modules": [%s]}'
    nested = ""
    for _ in range(3000):
        nested = module % nested
    plan = '{"format_version": "1.0", "values": {"root_module": ' + nested + "}}"
    return _with_evidence({"infra.tfstate.json": plan}, folder)


def evidence_long_number(folder: Path) -> Path:
    return _with_evidence({"web.bearer.json": '{"third_party": [], "version": ' + "9" * 10_000 + "}"}, folder)


def evidence_duplicate_key(folder: Path) -> Path:
    return _with_evidence({"web.bearer.json": '{"third_party": [],\n "third_party": [{"third_party": "X"}]}'}, folder)


def evidence_utf16(folder: Path) -> Path:
    """A scan saved by PowerShell: UTF-16 with its byte-order mark, read as such."""
    text = '{"third_party": [{"third_party": "Sentry", "data_types": ["Email Address"]}]}'
    return _with_evidence({"web.bearer.json": text.encode("utf-16")}, folder)


def json_map(text: str) -> Callable[[Path], Path]:
    """The base map with one more file, ``more.json``."""
    return with_files(more_dot_json=text)


FIDES_SYSTEM = """\
system:
  - fides_key: {key}
    name: {name}
    system_type: Service
    privacy_declarations:
      - data_categories: [user.contact.email]
        data_use: essential.service
        data_subjects: [customer]
"""


def manifests(files: dict[str, str | bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        root = folder / "manifests"
        for name, text in files.items():
            p = root / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        root.mkdir(parents=True, exist_ok=True)
        return root

    return build


def self_egress(folder: Path) -> Path:
    text = FIDES_SYSTEM.format(key="c", name="C") + "    egress:\n      - {fides_key: c, type: system}\n"
    return manifests({"c.yml": text})(folder)


def deep_category(folder: Path) -> Path:
    key = ".".join(["user", *["detail"] * 300])  # every level named alike: the ids would grow with the depth
    text = FIDES_SYSTEM.format(key="app", name="App").replace("user.contact.email", key)
    text += "    ingress:\n      - {fides_key: user, type: user}\n"  # people give it: a flow
    return manifests({"app.yml": text})(folder)


def out_dangling_link(folder: Path) -> Path:
    root = manifests({"a.yml": FIDES_SYSTEM.format(key="a", name="A")})(folder)
    (folder / "new-map").symlink_to(folder / "nowhere")
    return root


def unwritable_copy(folder: Path) -> Path:
    locked = folder / "locked"
    locked.mkdir()
    os.chmod(locked, 0o555)
    return with_files()(folder)


def latest_corrupt(folder: Path) -> Path:
    root = with_files()(folder)
    run = folder / "outputs" / "hostile" / "20260101T000000Z"
    run.mkdir(parents=True)
    (run / "findings.json").write_text('{"findings": [{"id": "a"', "utf-8")
    (run / "run.json").write_text('{"status": "findings"}', "utf-8")
    (folder / "outputs" / "hostile" / "latest").symlink_to(run.name)
    return root


def control_in_names(folder: Path) -> Path:
    """Terminal control sequences (clear screen, set title, bell) in a name that findings quote,
    of the audit and of reconcile."""
    root = _with_evidence({"web.bearer.json": '{"third_party": []}'}, folder)
    nodes = (root / "nodes.yaml").read_text("utf-8")
    hostile = '"Mail\\e[2J\\e]0;pwned\\a service"'
    (root / "nodes.yaml").write_text(nodes.replace("name: Mail service", f"name: {hostile}"), "utf-8")
    return root


def quote_closed_later(folder: Path) -> Path:
    nodes = BASE["nodes.yaml"].replace("name: Web shop", 'name: "Web shop')
    nodes += '  - {id: z, name: "Zed", kind: system, owner: co, jurisdiction: SG}\n'
    return _files(folder, {**BASE, "nodes.yaml": nodes})


def three_letter_country(folder: Path) -> Path:
    """One wrong code, on an organisation the policy names: one error, no cascade."""
    orgs = BASE["orgs.yaml"].replace("jurisdiction: US", "jurisdiction: USA")
    sharing = (
        "      - {id: sh, kind: sharing, clause: '5', quote: mail, bases: [on_instruction], recipients: [mailco]}\n"
    )
    return _files(folder, {**BASE, "orgs.yaml": orgs, "policy.yaml": BASE["policy.yaml"] + sharing})


def round_three() -> list[Case]:
    """Issue 29: the surfaces added since the first hardening, and a new user's first hour."""
    out: list[Case] = []
    add = out.append
    recon, audit_map = ("reconcile", "{map}"), ("audit", "{map}")
    add(Case("map-files-link-to-each-other", "folder", map_links_to_each_other, where="a.yaml"))
    add(Case("evidence-fifo", "evidence", evidence_fifo, map_commands=False, extra=(
        (("validate", "{map}"), 0, ""),
        (recon, 2, "not a plain file (a pipe)"),
        (audit_map, 2, "not a plain file (a pipe)"),
        (("report", "{map}"), 2, "not a plain file (a pipe)"),
    )))  # fmt: skip
    add(Case("evidence-dev-zero", "evidence", evidence_dev_zero, map_commands=False, extra=(
        (("reconcile", "{map}", "--evidence", "{dir}/zero.json"), 2, "not a plain file (a device)"),
    )))  # fmt: skip
    add(Case("evidence-20mb", "evidence", evidence_large, map_commands=False, slow=True,
             extra=((recon, 1, ""),)))  # fmt: skip
    add(Case("evidence-nested-100000", "evidence", evidence_deep, map_commands=False,
             extra=((recon, 2, "nested deeper than"), (audit_map, 2, "web.bearer.json:1:"))))  # fmt: skip
    add(Case("terraform-modules-3000-deep", "evidence", terraform_deep_modules, map_commands=False,
             extra=((recon, 2, "nested deeper than"),)))  # fmt: skip
    add(Case("evidence-10000-digits", "evidence", evidence_long_number, map_commands=False,
             extra=((recon, 2, "a number of 10,000 digits"),)))  # fmt: skip
    add(Case("evidence-duplicate-key", "evidence", evidence_duplicate_key, map_commands=False,
             extra=((recon, 2, 'web.bearer.json:2:2: the key "third_party" appears twice'),)))  # fmt: skip
    add(Case("evidence-utf16-bom", "evidence", evidence_utf16, map_commands=False, extra=((recon, 1, ""),)))
    add(Case("json-map-nested-100000", "json-map", json_map('{"flows": ' + "[" * 100_000 + "]" * 100_000 + "}"),
             where="more.json:1:"))  # fmt: skip
    add(Case("json-map-10000-digits", "json-map", json_map('{"flows": [], "x": ' + "1" * 10_000 + "}"),
             where="more.json:1:"))  # fmt: skip
    add(Case("json-map-duplicate-key", "json-map",
             json_map('{"flows": [],\n "flows": [{"id": "f-9", "from": "web", "to": "orders", "types": ["email"]}]}'),
             where="more.json:2:2"))  # fmt: skip
    fides = ("import", "fides", "{map}", "--out", "{dir}/new-map")
    add(Case("fides-duplicate-key-in-a-list", "fides",
             manifests({"s.yml": FIDES_SYSTEM.format(key="app", name="One")
                        + FIDES_SYSTEM.format(key="app", name="Two").replace("system:\n", "")}),
             map_commands=False, extra=((fides, 2, "s.yml:9:5: system fides_key 'app' is given twice"),)))  # fmt: skip
    add(Case("fides-duplicate-key-across-files", "fides",
             manifests({"a.yml": FIDES_SYSTEM.format(key="app", name="One"),
                        "b.yml": FIDES_SYSTEM.format(key="app", name="Two")}),
             map_commands=False, extra=((fides, 2, "given twice (first at"),)))  # fmt: skip
    add(Case("fides-no-manifests", "fides", manifests({"README.txt": "nothing here"}), map_commands=False,
             extra=((fides, 2, "no Fides manifests"),)))  # fmt: skip
    add(Case("fides-self-egress", "fides", self_egress, map_commands=False, extra=(
        (fides, 0, ""),
        (("validate", "{dir}/new-map"), 2, "'home' is still TODO"),
    )))  # fmt: skip
    add(Case("fides-category-300-levels", "fides", deep_category, map_commands=False, extra=(
        (fides, 0, ""),
        (("validate", "{dir}/new-map"), 2, "'home' is still TODO"),
    )))  # fmt: skip
    add(Case("fides-out-dangling-link", "fides", out_dangling_link, map_commands=False,
             extra=((fides, 2, "is a file or a link"),)))  # fmt: skip
    add(Case("fides-not-utf8", "fides",
             manifests({"m.yml": FIDES_SYSTEM.format(key="app", name="Caf\xe9").encode("latin-1")}),
             map_commands=False, extra=((fides, 2, "m.yml:3:14: not UTF-8 text"),)))  # fmt: skip
    add(Case("notebooks-copy-unwritable", "output", unwritable_copy, map_commands=False, as_nobody=True,
             extra=((("notebooks", "--copy", "{dir}/locked/nb"), 2, "cannot copy the notebooks"),)))  # fmt: skip
    add(Case("csv-control-characters", "inert-text", control_in_names, exit=1,
             extra=((("reconcile", "{map}", "--format", "csv"), 0, ""),)))  # fmt: skip
    add(Case("unclosed-quote-closed-later", "syntax", quote_closed_later, where="nodes.yaml:3:"))
    add(Case("previous-run-latest-corrupt", "parameters", latest_corrupt, map_commands=False,
             extra=((("report", "{map}", "--out", "{dir}/outputs"), 2, "-p previous_run none"),)))  # fmt: skip
    # a new user's first hour
    add(Case("tab-before-a-list-item", "syntax", replace("flows.yaml", "  - {id: f-2", "\t- {id: f-2"),
             where="flows.yaml:3:1: YAML syntax error: a tab character"))  # fmt: skip
    add(Case("key-indented-deeper", "syntax", replace("nodes.yaml", "    kind: store", "      kind: store"),
             where="indented differently"))  # fmt: skip
    add(Case("jurisdiction-three-letters", "cascade", three_letter_country, where="orgs.yaml:3",
             extra=((("validate", "{map}"), 2, "1 error in map"),)))  # fmt: skip
    add(Case("did-you-mean-a-subject-by-its-fides-key", "reference",
             replace("nodes.yaml", "subject: account-holder", "subject: consultant"),
             where="did you mean 'contractor'"))  # fmt: skip
    add(Case("did-you-mean-by-meaning", "reference",
             replace("flows.yaml", "types: [email], purposes", "types: [postal-address], purposes"),
             where="did you mean 'mailing-address'"))  # fmt: skip
    add(Case("validate-one-file-of-a-folder", "folder", with_files(), map_commands=False,
             extra=((("validate", "{map}/map.yaml"), 2, "is read alone"),)))  # fmt: skip
    return out


def cases() -> list[Case]:
    out: list[Case] = []
    add = out.append

    # ---- syntax
    add(
        Case(
            "bad-indent",
            "syntax",
            replace("nodes.yaml", "    name: Order database", "   name: Order database"),
            where="nodes.yaml:5",
        )
    )
    add(
        Case(
            "unclosed-quote", "syntax", replace("nodes.yaml", "name: Web shop", 'name: "Web shop'), where="nodes.yaml:3"
        )
    )
    add(
        Case(
            "unclosed-bracket",
            "syntax",
            replace("flows.yaml", "types: [email, name], purposes", "types: [email, name, purposes"),
            where="flows.yaml:2",
        )
    )
    add(
        Case(
            "tab-indent",
            "syntax",
            replace("nodes.yaml", "    name: Order database", "\tname: Order database"),
            where="nodes.yaml:5",
        )
    )
    add(
        Case(
            "duplicate-key",
            "syntax",
            replace("nodes.yaml", "    kind: store\n", "    kind: store\n    kind: system\n"),
            where="nodes.yaml:7",
        )
    )
    add(
        Case(
            "colon-in-plain", "syntax", replace("nodes.yaml", "name: Web shop", "name: Web: shop"), where="nodes.yaml:3"
        )
    )
    add(Case("yaml11-no", "yaml-1.1", node_field("    description: NO\n"), where="nodes.yaml:"))
    add(Case("yaml11-yes-id", "yaml-1.1", replace("orgs.yaml", "id: mailco", "id: Yes"), where="orgs.yaml:3"))
    add(Case("yaml11-octal", "yaml-1.1", replace("policy.yaml", 'version: "1"', "version: 010"), where="policy.yaml:4"))
    add(
        Case(
            "yaml11-sexagesimal",
            "yaml-1.1",
            replace("policy.yaml", 'version: "1"', "version: 1:30"),
            where="policy.yaml:4",
        )
    )
    add(
        Case(
            "yaml11-date-as-text",
            "yaml-1.1",
            replace("policy.yaml", 'version: "1"', "version: 2024-01-31"),
            where="policy.yaml:4",
        )
    )
    add(
        Case(
            "yaml11-on-subject",
            "yaml-1.1",
            replace("nodes.yaml", "subject: account-holder", "subject: on"),
            where="nodes.yaml:2",
        )
    )
    add(Case("multi-document", "syntax", add_line("flows.yaml", "---\nflows: []\n"), where="flows.yaml:"))
    add(Case("scalar-file", "syntax", with_files(extra_dot_yaml="just a string\n"), where="extra.yaml:1"))
    add(Case("list-file", "syntax", with_files(extra_dot_yaml="- a\n- b\n"), where="extra.yaml:1"))
    add(
        Case(
            "merge-key",
            "syntax",
            add_line("nodes.yaml", "  - {<<: {id: x}, name: X, kind: system, owner: co, jurisdiction: SG}\n"),
            where="nodes.yaml:",
        )
    )
    add(
        Case(
            "python-tag",
            "syntax",
            node_field("    description: !!python/object/apply:os.system ['echo pwned']\n"),
            where="nodes.yaml:",
        )
    )
    add(Case("custom-tag", "syntax", node_field("    description: !secret value\n"), where="nodes.yaml:"))
    add(Case("recursive-alias", "syntax", with_files(extra_dot_yaml="a: &a [*a]\n"), where="extra.yaml:1"))
    add(Case("billion-laughs", "syntax", billion_laughs, where="bomb.yaml:"))
    add(Case("deep-block-nesting", "syntax", deep_block, where="nodes.yaml:", slow=True))
    add(
        Case(
            "deep-flow-nesting",
            "syntax",
            node_field("    description: " + "[" * 5000 + "]" * 5000 + "\n"),
            where="nodes.yaml:",
            slow=True,
        )
    )
    add(
        Case(
            "deep-flow-mapping",
            "syntax",
            node_field("    description: " + "{a: " * 3000 + "x" + "}" * 3000 + "\n"),
            where="nodes.yaml:",
            slow=True,
        )
    )

    # ---- encodings
    add(
        Case(
            "latin-1",
            "encoding",
            with_files(nodes_dot_yaml=BASE["nodes.yaml"].replace("Web shop", "Café shop").encode("latin-1")),
            where="nodes.yaml:3:",
        )
    )
    add(
        Case("utf-16", "encoding", with_files(nodes_dot_yaml=BASE["nodes.yaml"].encode("utf-16")), where="nodes.yaml:1")
    )
    add(Case("utf-8-bom", "encoding", with_files(nodes_dot_yaml=b"\xef\xbb\xbf" + BASE["nodes.yaml"].encode()), exit=1))
    add(
        Case(
            "nul-byte",
            "encoding",
            with_files(nodes_dot_yaml=BASE["nodes.yaml"].replace("Web shop", "Web\x00shop").encode()),
            where="nodes.yaml:3",
        )
    )
    add(
        Case(
            "crlf",
            "encoding",
            with_files(**{k.replace(".", "_dot_"): v.replace("\n", "\r\n") for k, v in BASE.items()}),
            exit=1,
        )
    )
    add(
        Case(
            "raw-esc-in-plain",
            "encoding",
            replace("nodes.yaml", "name: Web shop", "name: Web\x1bshop"),
            where="nodes.yaml:3",
        )
    )
    add(
        Case(
            "lone-surrogate-escape",
            "encoding",
            replace("nodes.yaml", "name: Web shop", 'name: "Web\\ud800shop"'),
            where="nodes.yaml:3",
        )
    )

    # ---- unknown keys, wrong types
    add(Case("unknown-section", "unknown-key", with_files(extra_dot_yaml="nodez: []\n"), where="extra.yaml:1"))
    add(Case("unknown-node-key", "unknown-key", node_field("    retension: P1Y\n"), where="nodes.yaml:13:5"))
    add(
        Case(
            "unknown-flow-key",
            "unknown-key",
            flow("{id: f-9, from: web, to: orders, typez: [email], purposes: [provide-service]}"),
            where="flows.yaml:5",
        )
    )
    add(
        Case(
            "types-not-list",
            "wrong-type",
            flow("{id: f-9, from: web, to: orders, types: email, purposes: [provide-service]}"),
            where="flows.yaml:5",
        )
    )
    add(Case("id-number", "wrong-type", replace("orgs.yaml", "id: mailco", "id: 5"), where="orgs.yaml:3"))
    add(
        Case(
            "bool-as-text",
            "wrong-type",
            replace("nodes.yaml", "encrypted_at_rest: true", "encrypted_at_rest: maybe"),
            where="nodes.yaml:10",
        )
    )
    add(Case("mapping-for-list", "wrong-type", with_files(extra_dot_yaml="nodes: {id: x}\n"), where="extra.yaml:1"))
    add(Case("null-section", "wrong-type", with_files(extra_dot_yaml="flows:\n"), exit=1))
    add(
        Case(
            "kind-unknown",
            "wrong-type",
            replace("nodes.yaml", "kind: system, owner: mailco", "kind: sistem, owner: mailco"),
            where="nodes.yaml:13",
        )
    )
    add(Case("no-map-section", "structure", with_files(map_dot_yaml=None), where="map:"))
    add(
        Case(
            "two-map-sections",
            "structure",
            with_files(extra_dot_yaml="map: {id: x, name: X, controller: co, home: SG}\n"),
            where="extra.yaml:1",
        )
    )
    add(
        Case(
            "invalid-date",
            "wrong-type",
            replace(
                "orgs.yaml",
                "jurisdiction: US}",
                "jurisdiction: US,\n     safeguards: [{kind: contract, countries: [US], valid_until: 2024-13-45}]}",
            ),
            where="orgs.yaml:4",
        )
    )
    add(
        Case(
            "invalid-date-effective",
            "wrong-type",
            replace("policy.yaml", 'version: "1"', 'version: "1"\n    effective: 2024-02-30'),
            where="policy.yaml:5",
        )
    )
    add(
        Case(
            "overflowing-duration",
            "wrong-type",
            replace("nodes.yaml", "retention: P1Y", "retention: P99999999999D"),
            where="nodes.yaml:9",
        )
    )
    add(
        Case(
            "bad-duration",
            "wrong-type",
            replace("nodes.yaml", "retention: P1Y", "retention: 1 year"),
            where="nodes.yaml:9",
        )
    )
    add(
        Case(
            "zero-duration",
            "wrong-type",
            replace("nodes.yaml", "retention: P1Y", "retention: P0D"),
            where="nodes.yaml:9",
        )
    )
    add(
        Case(
            "huge-number",
            "wrong-type",
            replace("policy.yaml", 'version: "1"', "version: " + "9" * 5000),
            where="policy.yaml:4",
        )
    )

    # ---- references
    add(
        Case(
            "dangling-from",
            "reference",
            flow("{id: f-9, from: nowhere, to: orders, types: [email], purposes: [provide-service]}"),
            where="flows.yaml:5",
        )
    )
    add(
        Case(
            "dangling-owner",
            "reference",
            replace("nodes.yaml", "owner: mailco", "owner: mailcorp"),
            where="nodes.yaml:13",
        )
    )
    add(
        Case(
            "dangling-type",
            "reference",
            flow("{id: f-9, from: web, to: orders, types: [emial], purposes: [provide-service]}"),
            where="flows.yaml:5",
        )
    )
    add(
        Case(
            "dangling-purpose",
            "reference",
            flow("{id: f-9, from: web, to: orders, types: [email], purposes: [advertizing]}"),
            where="flows.yaml:5",
        )
    )
    add(Case("dangling-policy", "reference", replace("map.yaml", "policy: pol", "policy: pol2"), where="map.yaml:1"))
    add(
        Case(
            "dangling-controller",
            "reference",
            replace("map.yaml", "controller: co", "controller: company"),
            where="map.yaml:1",
        )
    )
    add(
        Case(
            "duplicate-id-across-files",
            "reference",
            with_files(more_dot_yaml="nodes:\n  - {id: web, name: Other, kind: system, owner: co, jurisdiction: SG}\n"),
            where="more.yaml:2",
        )
    )
    add(
        Case(
            "duplicate-flow-id",
            "reference",
            flow("{id: f-1, from: web, to: orders, types: [email], purposes: [provide-service]}"),
            where="flows.yaml:5",
        )
    )
    add(
        Case(
            "type-cycle",
            "reference",
            with_files(
                types_dot_yaml="information_types:\n  - {id: ta, name: A, parent: tb}\n"
                "  - {id: tb, name: B, parent: ta}\n"
            ),
            where="types.yaml:",
        )
    )
    add(
        Case(
            "self-flow",
            "reference",
            flow("{id: f-9, from: web, to: web, types: [email], purposes: [provide-service]}"),
            where="flows.yaml:5",
        )
    )
    add(
        Case(
            "bad-country", "country", replace("orgs.yaml", "jurisdiction: US", "jurisdiction: XX"), where="orgs.yaml:3"
        )
    )
    add(
        Case(
            "lowercase-country",
            "country",
            replace("orgs.yaml", "jurisdiction: US", "jurisdiction: us"),
            where="orgs.yaml:3",
        )
    )
    add(
        Case("uk-country", "country", replace("orgs.yaml", "jurisdiction: US", "jurisdiction: UK"), where="orgs.yaml:3")
    )
    add(Case("huge-unknown-types", "scale", huge_unknown_types, where="flows.yaml:5", slow=True))
    add(Case("one-type-listed-200000-times", "scale", one_type_many_times, where="flows.yaml:5", slow=True))
    add(
        Case(
            "cascade-after-bad-file",
            "cascade",
            replace("nodes.yaml", "    name: Order database", "   name: Order database"),
            where="nodes.yaml:5:4",
            notes="the flows referring to nodes of the broken file are not reported",
        )
    )

    # ---- files and folders
    add(Case("empty-folder", "folder", empty_folder, where="map"))
    add(Case("empty-subfolder", "folder", empty_subfolder, exit=1))
    add(Case("empty-file", "folder", with_files(extra_dot_yaml=""), exit=1))
    add(Case("comment-only-file", "folder", with_files(extra_dot_yaml="# nothing yet\n"), exit=1))
    add(Case("many-files", "folder", many_files, exit=1, slow=True))
    add(Case("symlink-loop", "folder", symlink_loop, where="loop"))
    add(Case("symlink-outside", "folder", symlink_outside, where="extra.yaml"))
    add(Case("symlink-inside", "folder", symlink_inside, exit=1))
    add(Case("dangling-symlink", "folder", dangling_symlink, where="gone.yaml"))
    add(Case("fifo", "folder", fifo, where="pipe.yaml"))
    add(Case("unreadable-folder", "folder", unreadable_folder, where="locked"))
    add(Case("unreadable-file", "folder", unreadable_file, where="flows.yaml"))
    add(Case("missing-map", "folder", lambda folder: folder / "no-such-map", where="no-such-map"))
    add(Case("map-is-a-file", "folder", lambda folder: _files(folder, {"x.txt": "hello"}) / "x.txt", where="x.txt"))
    add(Case("zero-flows", "content", with_files(flows_dot_yaml="flows: []\n"), exit=0))
    add(
        Case(
            "no-policy",
            "content",
            with_files(policy_dot_yaml=None, map_dot_yaml=BASE["map.yaml"].replace(", policy: pol", "")),
            exit=0,
            extra=(
                (("audit", "{map}"), 0, "no policy: only modelling checks ran"),
                (("report", "{map}"), 0, "no policy: only modelling checks ran"),
            ),
        )
    )

    # ---- valid hostile text: must be accepted, drawn, and inert
    for name, text in INJECTIONS.items():
        add(Case(f"text-{name}", "inert-text", injection(text), exit=1))
    add(Case("huge-string", "inert-text", huge_string, exit=1))
    add(Case("huge-valid-map", "scale", huge_valid_map, exit=1, slow=True))

    # ---- parameters and output paths: one command, refused with exit 2 and a message naming it
    report_f = ("report", "{map}", "-f", "{dir}/params.yaml")
    refused = [
        ("params-not-utf8", "parameters", params_file(b"top_n: 3\nname: caf\xe9\n"), report_f, "params.yaml"),
        ("params-secret-file", "parameters",
         params_file(b"root:$6$SECRETHASHVALUE0123456789:19000:0:99999:7:::\n", "shadow"),
         ("report", "{map}", "-f", "{dir}/shadow"), "shadow"),
        ("params-not-mapping", "parameters", params_file(b"- a\n- b\n"), report_f, "expected a mapping"),
        *(
            (f"param-{pname}-{value}", "parameters", params_file(f"{pname}: {value}\n".encode()), report_f, pname)
            for pname, value in (("lineage_type", "0"), ("breach_node", "false"), ("erase_subject", "[]"),
                                 ("top_n", "many"), ("top_n", "0"), ("min_severity", "critical"),
                                 ("formats", "pdf"), ("interactive", "sometimes"))
        ),
        ("param-unknown", "parameters", with_files(), ("report", "{map}", "-p", "map_dri", "x"), "map_dri"),
        ("previous-run-not-json", "parameters", previous_run(b"{not json"),
         ("report", "{map}", "-p", "previous_run", "{dir}/prev"), "findings.json"),
        ("previous-run-not-list", "parameters", previous_run(b'{"a": 1}'),
         ("report", "{map}", "-p", "previous_run", "{dir}/prev"), "findings.json"),
        ("previous-run-missing", "parameters", previous_run(None),
         ("report", "{map}", "-p", "previous_run", "{dir}/nope"), "previous_run"),
        ("report-out-is-file", "output", out_is_file, ("report", "{map}", "--out", "{dir}/out-file"), "out-file"),
        ("render-prefix-too-long", "output", with_files(),
         ("render", "{map}", "--view", "overview", "--out", "{dir}/d", "--prefix", "p" * 300), "prefix"),
        ("render-output-is-dir", "output", out_path_is_dir,
         ("render", "{map}", "--view", "overview", "--format", "dot", "--out", "{dir}/diagrams"), "overview.dot"),
        ("render-unknown-view", "output", with_files(),
         ("render", "{map}", "--view", "overveiw", "--out", "{dir}/d"), "overveiw"),
        ("render-lineage-unknown-type", "output", with_files(),
         ("render", "{map}", "--view", "lineage:emial", "--out", "{dir}/d"), "emial"),
    ]  # fmt: skip
    for name, category, build, argv, text in refused:
        add(Case(name, category, build, map_commands=False, extra=((argv, 2, text),)))
    out.extend(round_three())
    return out


def clean(folder: Path) -> None:
    """Remove a case folder, whatever permissions a case left on it."""
    for dirpath, dirnames, _ in os.walk(folder):
        for d in dirnames:
            p = Path(dirpath) / d
            if not p.is_symlink():
                os.chmod(p, 0o755)
    shutil.rmtree(folder, ignore_errors=True)
