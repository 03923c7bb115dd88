"""Broken maps: each must produce a clear message at the right file and line, and exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flowatlas.cli import main
from flowatlas.errors import MapValidationError
from flowatlas.loader import load_map, load_texts

from conftest import ABSOLOOP
from minimaps import MINI

# (case id, extra/replaced files, expected substring, expected file, expected line)
CASES: list[tuple[str, dict[str, str | None], str, str, int]] = [
    ("yaml-syntax", {"bad.yaml": "flows:\n  - id: x\n   from: y\n"}, "YAML syntax error", "bad.yaml", 3),
    (
        "duplicate-key",
        {"bad.yaml": "organisations:\n  - id: o2\n    name: A\n    name: B\n"},
        "duplicate key 'name' (first at line 3)",
        "bad.yaml",
        4,
    ),
    (
        "unknown-key",
        {
            "bad.yaml": "nodes:\n  - id: s2\n    name: S\n    kind: store\n    owner: acme\n"
            "    jurisdiction: SG\n    retention: P1D\n    erse: true\n"
        },
        "unknown key 'erse' (did you mean 'erase'?)",
        "bad.yaml",
        8,
    ),
    (
        "unknown-section",
        {"bad.yaml": "flow:\n  - id: x\n"},
        "unknown section 'flow' (did you mean 'flows'?)",
        "bad.yaml",
        1,
    ),
    (
        "missing-key",
        {"bad.yaml": "flows:\n  - id: f9\n    from: app\n    types: [email]\n    purposes: [service]\n"},
        "missing required key 'to'",
        "bad.yaml",
        2,
    ),
    (
        "bad-literal",
        {"bad.yaml": "organisations:\n  - {id: o2, name: O, role: procesor, jurisdiction: US}\n"},
        "did you mean 'processor'?",
        "bad.yaml",
        2,
    ),
    (
        "bad-country",
        {"bad.yaml": "organisations:\n  - id: o2\n    name: O\n    role: processor\n    jurisdiction: XX\n"},
        "'XX' is not an ISO 3166-1 alpha-2 country code",
        "bad.yaml",
        5,
    ),
    (
        "lowercase-country",
        {"bad.yaml": "organisations:\n  - id: o2\n    name: O\n    role: processor\n    jurisdiction: sg\n"},
        "'sg' is not an ISO 3166-1 alpha-2 country code",
        "bad.yaml",
        5,
    ),
    (
        "dangling-node",
        {
            "bad.yaml": "flows:\n  - id: f9\n    from: app\n    to: nowhere\n    types: [email]\n"
            "    purposes: [service]\n"
        },
        "to: unknown node 'nowhere'",
        "bad.yaml",
        4,
    ),
    (
        "unknown-type",
        {
            "bad.yaml": "flows:\n  - id: f9\n    from: app\n    to: db\n    types: [phone, emial]\n"
            "    purposes: [service]\n"
        },
        "types[1]: unknown information type 'emial' (did you mean 'email'?)",
        "bad.yaml",
        5,
    ),
    (
        "unknown-purpose",
        {
            "bad.yaml": "flows:\n  - id: f9\n    from: app\n    to: db\n    types: [email]\n"
            "    purposes:\n      - servce\n"
        },
        "purposes[0]: unknown purpose 'servce' (did you mean 'service'?)",
        "bad.yaml",
        7,
    ),
    (
        "duplicate-id-across-files",
        {"zz.yaml": "flows:\n  - {id: f2, from: app, to: db, types: [email], purposes: [service]}\n"},
        "duplicate flow id 'f2' (first defined at",
        "zz.yaml",
        2,
    ),
    (
        "bad-duration",
        {
            "bad.yaml": "nodes:\n  - id: s2\n    name: S\n    kind: store\n    owner: acme\n"
            "    jurisdiction: SG\n    retention: 30 days\n"
        },
        "retention: '30 days' is not an ISO 8601 duration",
        "bad.yaml",
        7,
    ),
    (
        "store-without-retention",
        {"bad.yaml": "nodes:\n  - {id: s2, name: S, kind: store, owner: acme, jurisdiction: SG}\n"},
        "a store needs 'retention'",
        "bad.yaml",
        2,
    ),
    (
        "subject-without-category",
        {"bad.yaml": "nodes:\n  - {id: s2, name: S, kind: subject}\n"},
        "a subject node needs 'subject'",
        "bad.yaml",
        2,
    ),
    (
        "system-without-owner",
        {"bad.yaml": "nodes:\n  - {id: s2, name: S, kind: system, jurisdiction: SG}\n"},
        "a system needs 'owner'",
        "bad.yaml",
        2,
    ),
    (
        "collection-without-context",
        {"bad.yaml": "flows:\n  - {id: f9, from: user, to: app, types: [email], purposes: [service]}\n"},
        "a flow from a data subject needs 'context'",
        "bad.yaml",
        2,
    ),
    (
        "context-on-internal-flow",
        {
            "bad.yaml": "flows:\n  - id: f9\n    from: app\n    to: db\n    types: [email]\n"
            "    purposes: [service]\n    context: registration\n"
        },
        "'context' is only for flows that start at a data subject",
        "bad.yaml",
        7,
    ),
    (
        "contract-without-countries",
        {
            "bad.yaml": "organisations:\n  - id: o2\n    name: O\n    role: processor\n"
            "    jurisdiction: US\n    safeguards:\n      - kind: contract\n"
        },
        "a contract must name the countries it covers",
        "bad.yaml",
        7,
    ),
    (
        "type-cycle",
        {"bad.yaml": "information_types:\n  - {id: a1, name: A, parent: b1}\n  - {id: b1, name: B, parent: a1}\n"},
        "information type hierarchy has a cycle",
        "bad.yaml",
        2,
    ),
    (
        "controller-role",
        {"map.yaml": "map: {id: mini, name: Mini, controller: mailer, home: SG}\n"},
        "controller: organisation 'mailer' has role 'processor', expected 'controller'",
        "map.yaml",
        1,
    ),
    ("no-map-section", {"map.yaml": None}, "the map has no 'map' section", "", 1),
    (
        "alias-bomb",
        {
            "bad.yaml": "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
            "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        },
        "YAML aliases expand too far",
        "bad.yaml",
        0,
    ),
    ("python-tag", {"bad.yaml": "flows:\n  - !!python/object:os.system {id: x}\n"}, "unsupported YAML", "bad.yaml", 2),
    (
        "section-not-list",
        {"bad.yaml": "flows:\n  id: f9\n"},
        "section 'flows' must be a list of records",
        "bad.yaml",
        1,
    ),
    (
        "store-key-on-system",
        {
            "bad.yaml": "nodes:\n  - id: s2\n    name: S\n    kind: system\n    owner: acme\n"
            "    jurisdiction: SG\n    erase: true\n"
        },
        "'erase' is only for stores, not for a system",
        "bad.yaml",
        7,
    ),
    (
        "subprocessor-without-engager",
        {"bad.yaml": "organisations:\n  - {id: o2, name: O, role: sub_processor, jurisdiction: US}\n"},
        "a sub_processor needs engaged_by",
        "bad.yaml",
        2,
    ),
    (
        "second-map-section",
        {"zz.yaml": "map: {id: other, name: Other, controller: acme, home: SG}\n"},
        "a second 'map' section",
        "zz.yaml",
        1,
    ),
    (
        "declaration-without-types",
        {
            "bad.yaml": "policies:\n  - id: pol2\n    title: T\n    version: '2'\n"
            "    controller: acme\n    declarations:\n"
            "      - {id: x1, kind: collection, clause: '1', quote: q}\n"
        },
        "a 'collection' declaration needs 'types'",
        "bad.yaml",
        7,
    ),
    (
        "empty-types",
        {"bad.yaml": "flows:\n  - {id: f9, from: app, to: db, types: [], purposes: [service]}\n"},
        "'types' must not be empty",
        "bad.yaml",
        2,
    ),
    (
        "self-loop",
        {"bad.yaml": "flows:\n  - {id: f9, from: app, to: app, types: [email], purposes: [service]}\n"},
        "flow goes from 'app' to itself",
        "bad.yaml",
        2,
    ),
    (
        "types-not-a-list",
        {"bad.yaml": "flows:\n  - {id: f9, from: app, to: db, types: email, purposes: [service]}\n"},
        "'types' must be a list (write it as [a, b] or as '- a' lines; got str)",
        "bad.yaml",
        2,
    ),
    (
        "type-listed-twice",
        {
            "bad.yaml": "flows:\n  - id: f9\n    from: app\n    to: db\n"
            "    types: [email, email]\n    purposes: [service]\n"
        },
        "types: listed twice: email",
        "bad.yaml",
        5,
    ),
    (
        "purpose-listed-twice",
        {
            "bad.yaml": "flows:\n  - id: f9\n    from: app\n    to: db\n    types: [email]\n"
            "    purposes: [service, service]\n"
        },
        "purposes: listed twice: service",
        "bad.yaml",
        6,
    ),
    (
        "subject-to-subject",
        {
            "bad.yaml": "nodes:\n  - {id: user2, name: U, kind: subject, subject: user}\n"
            "flows:\n  - {id: f9, from: user, to: user2, types: [email], "
            "purposes: [service], context: registration}\n"
        },
        "a flow cannot join two data subjects directly",
        "bad.yaml",
        4,
    ),
    (
        "bad-id",
        {"bad.yaml": "flows:\n  - {id: 'my flow', from: app, to: db, types: [email], purposes: [service]}\n"},
        "'my flow' is not a valid id",
        "bad.yaml",
        2,
    ),
    ("not-a-mapping", {"bad.yaml": "- just\n- a list\n"}, "a map file must be a mapping of sections", "bad.yaml", 1),
    (
        "unknown-policy-in-map",
        {"map.yaml": "map: {id: mini, name: Mini, controller: acme, home: SG, policy: pol9}\n"},
        "policy: unknown policy 'pol9'",
        "map.yaml",
        1,
    ),
]


def _files(overrides: dict[str, str | None]) -> dict[str, str]:
    files = dict(MINI)
    for k, v in overrides.items():
        if v is None:
            files.pop(k, None)
        else:
            files[k] = v
    return files


def test_mini_map_is_valid(make_map):
    m = load_map(make_map(MINI), base_taxonomy=False)
    assert sorted(m.flows) == ["f1", "f2", "f3"]
    assert m.flows["f3"].src.file.endswith("flows.yaml") and m.flows["f3"].src.line == 4


@pytest.mark.parametrize(("overrides", "needle", "file", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_input_is_located(make_map, overrides, needle, file, line):
    folder = make_map(_files(overrides))
    with pytest.raises(MapValidationError) as exc:
        load_map(folder, base_taxonomy=False)
    hits = [e for e in exc.value.errors if needle in str(e)]
    assert hits, f"no error containing {needle!r} in:\n{exc.value}"
    err = hits[0]
    if file:
        assert err.src.file == f"{folder.as_posix()}/{file}"
    if line:
        assert err.src.line == line, str(err)


def test_distinct_cases():
    assert len({c[2] for c in CASES}) >= 20


def test_all_errors_reported_at_once(make_map):
    bad = (
        "flows:\n  - {id: f9, from: app, to: nowhere, types: [emial], purposes: [service]}\n"
        "nodes:\n  - {id: s2, name: S, kind: store, owner: acme, jurisdiction: XX, retention: P1D}\n"
    )
    with pytest.raises(MapValidationError) as exc:
        load_map(make_map(_files({"bad.yaml": bad})), base_taxonomy=False)
    text = str(exc.value)
    for needle in ("unknown node 'nowhere'", "unknown information type 'emial'", "'XX' is not an ISO"):
        assert needle in text
    assert text.startswith("3 errors in map")


def test_malformed_record_does_not_cascade(make_map):
    """A store that is malformed is reported once, not again as 'unknown node' in every flow."""
    bad = (
        "nodes:\n  - {id: s2, name: S, kind: stor, owner: acme, jurisdiction: SG}\n"
        "flows:\n  - {id: f9, from: app, to: s2, types: [email], purposes: [service]}\n"
    )
    with pytest.raises(MapValidationError) as exc:
        load_map(make_map(_files({"bad.yaml": bad})), base_taxonomy=False)
    assert len(exc.value.errors) == 1 and "'kind' has value 'stor'" in str(exc.value)


def test_non_utf8_file(make_map):
    folder = make_map(MINI)
    (folder / "bad.yaml").write_bytes(b"flows:\n  - id: \xff\xfe\n")
    with pytest.raises(MapValidationError) as exc:
        load_map(folder, base_taxonomy=False)
    assert "not UTF-8" in str(exc.value)


def test_missing_folder():
    with pytest.raises(MapValidationError, match="no such map folder"):
        load_map("/nonexistent/map")


def test_cli_exit_2_and_no_traceback(make_map, capsys):
    folder = make_map(
        _files({"bad.yaml": "flows:\n  - {id: f9, from: app, to: nowhere, types: [email], purposes: [service]}\n"})
    )
    # the CLI uses the base taxonomy, which the mini map does not need to extend: use a map with both
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:2:" in err and "Traceback" not in err


def test_cli_subprocess_exit_codes(make_map):
    folder = make_map(_files({"bad.yaml": "flow:\n  - {}\n"}))
    r = subprocess.run(
        [sys.executable, "-m", "flowatlas", "validate", str(folder)], capture_output=True, text=True, check=False
    )
    assert r.returncode == 2
    assert "unknown section 'flow'" in r.stderr and "Traceback" not in r.stderr


def test_documented_example_validates(tmp_path):
    """The example in docs/map-format.md (shown in the README) is a valid map."""
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "map-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    assert len(blocks) == 2
    for i, b in enumerate(blocks):
        (tmp_path / f"part{i}.yaml").write_text(b, encoding="utf-8")
    m = load_map(tmp_path)
    assert set(m.flows) == {"signup", "store-account", "welcome-mail"}


def test_display_name_replaces_the_folder_in_locations(make_map):
    folder = make_map(MINI)
    m = load_map(folder.resolve(), base_taxonomy=False, display="maps/mini")
    assert m.flows["f3"].src.file == "maps/mini/flows.yaml"
    broken = make_map(_files({"bad.yaml": "flow: []\n"}))
    with pytest.raises(MapValidationError) as exc:
        load_map(broken, base_taxonomy=False, display="maps/broken")
    assert exc.value.errors[0].src.file == "maps/broken/bad.yaml"


def test_did_you_mean_knows_synonyms_and_spellings_with_underscores(tmp_path):
    """A newcomer's words: 'phone' is contact-number, 'device_information' is device, 'UK' is GB."""
    from _audit_maps import spec, texts

    from flowatlas.loader import load_texts

    s = spec()
    s["flows"][0]["types"] = ["email", "Phone"]
    s["flows"][1]["types"] = ["email", "device_information"]
    s["organisations"][0]["jurisdiction"] = "UK"
    files = texts(s, base_taxonomy=True)
    files["flows.yaml"] = files["flows.yaml"].replace("contact-number", "Phone")
    with pytest.raises(MapValidationError) as exc:
        load_texts(files)
    text = str(exc.value)
    assert "did you mean 'contact-number'?" in text and "did you mean 'device'?" in text
    assert "'UK'" in text and "did you mean 'GB'?" in text


def test_taxonomy_command_lists_each_vocabulary():
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-m", "flowatlas", "taxonomy", *args], capture_output=True, text=True)

    types = run().stdout.splitlines()
    assert "personal  Personal information  [user]" in types and any(t.strip().startswith("email  ") for t in types)
    assert run("--kind", "roles").stdout.split() == [
        "controller",
        "affiliate",
        "processor",
        "sub_processor",
        "third_party",
        "authority",
        "acquirer",
        "client",
    ]
    assert "GB  United Kingdom" in run("--kind", "countries").stdout
    own = run(str(ABSOLOOP), "--kind", "types").stdout
    assert own.count("\n") >= len(types)
    bad = run("--kind", "colours")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_references_of_a_record_with_a_shape_error_are_checked_in_the_same_run():
    """One run reports everything: the flow's bad boolean and its unknown node and type."""
    texts = {
        "map.yaml": "map: {id: x, name: X, controller: acme, home: SG}\n"
        "organisations: [{id: acme, name: Acme, role: controller, jurisdiction: SG}]\n"
        "nodes:\n"
        "  - {id: app, name: App, kind: system, owner: acme, jurisdiction: SG}\n"
        "  - {id: bad, name: Bad, kind: sytem, owner: acmee, jurisdiction: SG}\n"
        "flows:\n"
        "  - {id: f2, from: app, to: dbb, types: [emial], purposes: [provide-service], encrypted: maybe}\n"
    }
    with pytest.raises(MapValidationError) as exc:
        load_texts(texts)
    got = {(e.src.line, e.message.split(":")[0]) for e in exc.value.errors}
    assert {(5, "owner"), (7, "to"), (7, "types[0]")} <= got
    hints = " ".join(e.hint for e in exc.value.errors)
    assert "did you mean 'acme'?" in hints and "did you mean 'email'?" in hints


def test_did_you_mean_finds_terms_by_their_names_and_words():
    texts = {
        "map.yaml": "map: {id: x, name: X, controller: acme, home: SG}\n"
        "organisations: [{id: acme, name: Acme, role: controller, jurisdiction: SG}]\n"
        "nodes:\n"
        "  - {id: u, name: U, kind: subject, subject: account-holder}\n"
        "  - {id: app, name: App, kind: system, owner: acme, jurisdiction: SG}\n"
        "flows:\n"
        "  - {id: f1, from: u, to: app, types: [Email address, passport], purposes: [Provide the service],\n"
        "     context: registration}\n"
    }
    with pytest.raises(MapValidationError) as exc:
        load_texts(texts)
    got = [(e.message, e.hint) for e in exc.value.errors]
    assert len(got) == 3, got  # one error per wrong item: no "must not be empty", no second error at the same place
    assert "did you mean 'email'?" in got[0][1] and "not a valid id" in got[0][0]
    assert "did you mean 'passport-number'?" in got[1][1]
    assert "did you mean 'provide-service'?" in got[2][1]
