"""The statement ships with its map: validate holds every quote against it; `flowatlas statement`
shows which sentence each declaration encodes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import yaml
from _audit_maps import spec, texts

from flowatlas.examples import EXAMPLE
from flowatlas.loader import load_texts
from flowatlas.statement import quote_found, sentences

from conftest import ABSOLOOP

STATEMENT = (
    "We collect your email address, name and IP address. We use it to provide and secure the service.\n\n"
    "We store it in Singapore. We never sell your data."
)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowatlas", *args], capture_output=True, text=True)


def _mini(tmp_path, statement: str | None = STATEMENT, quote: str | None = None):
    files = texts(spec(), base_taxonomy=True)
    policy = yaml.safe_load(files["policy.yaml"])
    decls = policy["policies"][0]["declarations"]
    if statement is not None:
        policy["policies"][0]["statement"] = "statement.txt"
        (tmp_path / "statement.txt").write_text(statement, encoding="utf-8")
    for d in decls:  # quote the statement: the first sentence for every declaration
        d["quote"] = "We collect your email address"
    if quote is not None:
        decls[3]["quote"] = quote
    files["policy.yaml"] = yaml.safe_dump(policy, sort_keys=False)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return decls


def test_quotes_match_whitespace_and_case_aside_and_ellipses_in_order():
    assert quote_found("WE COLLECT\n your   email", STATEMENT)
    assert quote_found("We collect ... Singapore", STATEMENT)
    assert not quote_found("Singapore ... We collect", STATEMENT)
    assert not quote_found("We collect your phone number", STATEMENT)


def test_validate_names_the_declaration_whose_quote_the_statement_lacks(tmp_path):
    decls = _mini(tmp_path, quote="We colect your email address")
    ok = _cli("validate", str(tmp_path))
    assert ok.returncode == 2
    [line] = [ln for ln in ok.stderr.splitlines() if "quote not found" in ln]
    file, lineno = re.match(r"\s*(\S+?):(\d+):\d+:", line).groups()
    assert file.endswith("policy.yaml")
    text = (tmp_path / "policy.yaml").read_text().splitlines()
    assert "We colect your email address" in text[int(lineno) - 1] and decls[3]["id"]
    assert "quote not found in statement.txt: 'We colect your email address'" in line


def test_a_statement_file_that_is_missing_is_an_error_at_the_policy(tmp_path):
    _mini(tmp_path)
    (tmp_path / "statement.txt").unlink()
    run = _cli("validate", str(tmp_path))
    assert run.returncode == 2 and "no statement file 'statement.txt' in the map folder" in run.stderr
    assert re.search(r"policy\.yaml:\d+:\d+: statement:", run.stderr)


def test_a_misspelt_quote_in_a_copy_of_the_absoloop_map(tmp_path):
    copy = tmp_path / "absoloop"
    shutil.copytree(ABSOLOOP, copy)
    policy = copy / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "your name, email address, contact number" in text
    policy.write_text(
        text.replace("your name, email address, contact number", "your name, e-mail address, contact number", 1)
    )
    run = _cli("validate", str(copy))
    assert run.returncode == 2 and run.stderr.count("quote not found in statement.txt") == 1
    assert _cli("validate", str(ABSOLOOP)).returncode == 0


def test_statement_command_marks_each_sentence_with_its_declarations(tmp_path):
    _mini(tmp_path)
    run = _cli("statement", str(tmp_path))
    assert run.returncode == 0, run.stderr
    head, *rows = run.stdout.splitlines()
    assert head.startswith("statement.txt (pol): 4 sentences, 1 encoded by 11 declarations, 3 not encoded")
    assert rows[0].startswith("   1  [") and "We collect your email address" in rows[0] and "not encoded" not in rows[0]
    assert [r.split("]")[0].split("[")[1] for r in rows[1:]] == ["not encoded"] * 3
    only = _cli("statement", str(tmp_path), "--unencoded").stdout.splitlines()[1:]
    assert [r[:4] for r in only] == ["   2", "   3", "   4"]
    data = json.loads(_cli("statement", str(tmp_path), "--format", "json").stdout)
    assert [s["declarations"] != [] for s in data["sentences"]] == [True, False, False, False]


def test_statement_command_without_a_statement_says_what_to_add(tmp_path):
    _mini(tmp_path, statement=None)
    run = _cli("statement", str(tmp_path))
    assert run.returncode == 2 and "add 'statement: statement.txt'" in run.stderr


def test_the_absoloop_statement_is_encoded_sentence_by_sentence():
    run = _cli("statement", str(ABSOLOOP), "--format", "json")
    data = json.loads(run.stdout)
    encoded = [s for s in data["sentences"] if s["declarations"]]
    assert len(encoded) >= 40 and len(data["sentences"]) > len(encoded)  # headings and prose are left


def test_sentences_of_a_map_read_from_memory():
    m = load_texts(EXAMPLE)
    parts = sentences(m.policy, "We collect your email address, name and IP address. Hello.")
    assert [p.declarations for p in parts] == [("collect",), ()]


def test_the_report_frames_show_the_statement_and_what_encodes_it():
    from pathlib import Path

    import flowatlas.report as fr
    from flowatlas.analysis import Analysis
    from flowatlas.loader import load_map

    m = Analysis(load_map(Path(__file__).resolve().parents[1] / "dataflows" / "kliniko"))
    frame = fr.statement_frame(m)
    row = frame[frame.text.str.contains("We never sell", regex=False)].iloc[0]
    assert row.declarations == "k-d3-no-sale" and row.clauses == "D.3"
    unencoded = fr.statement_frame(m, unencoded_only=True)
    assert set(unencoded.declarations) == {"not encoded"} and len(unencoded) < len(frame)
    assert "35 sentences; 23 encoded" in fr.statement_summary(m)
    view = fr.statement_view(m).data
    assert "35 sentences; 23 encoded" in view
    assert f"<summary>The {len(unencoded)} sentences no declaration encodes</summary>" in view
    assert "not encoded" not in view  # the folded list is only the sentences, not a column of the same word
