"""The ``flowatlas`` command line. Exit codes: 0 ok, 1 findings at or above --fail-on,
2 invalid input or arguments, 3 a notebook failed (report).

Every subcommand is a small function calling the same public functions the notebooks use.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

from flowatlas.errors import FlowatlasError, MapValidationError
from flowatlas.inert import terminal_text

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID, EXIT_NOTEBOOK = 0, 1, 2, 3
#: An error flowatlas did not foresee (a bug): one line, and ``--debug`` shows the traceback.
EXIT_INTERNAL = 70  # EX_SOFTWARE of sysexits.h


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors: keep it, no traceback
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def _cmd_validate(args: argparse.Namespace) -> int:
    from flowatlas.loader import load_map

    _note_read_alone(args.map)
    m = load_map(args.map)
    s = m.summary()
    print(
        terminal_text(
            f"{args.map}: valid ({s['nodes']} nodes, {s['flows']} flows, "
            f"{s['organisations']} organisations, {s['declarations']} declarations)"
        )
    )
    for n in m.notes:
        print(terminal_text(f"flowatlas: note: {n}"), file=sys.stderr)
    return EXIT_OK


def _note_read_alone(path: str) -> None:
    """Say so when one file of a map folder is given: its other files (the policy among them)
    are not read, so the map checked is not the whole map."""
    from pathlib import Path

    from flowatlas.readers import reader_for

    given = Path(path)
    if not given.is_file():
        return
    others = sorted(p.name for p in given.parent.iterdir() if p != given and reader_for(p.name) and p.is_file())
    if others:
        shown = ", ".join(others[:4]) + (", ..." if len(others) > 4 else "")
        print(
            terminal_text(
                f"flowatlas: note: {path} is read alone; the other map files of its folder ({shown}) are not, "
                f"the policy among them: give the folder ({given.parent}) to check the whole map"
            ),
            file=sys.stderr,
        )


def _cmd_describe(args: argparse.Namespace) -> int:
    from flowatlas.analysis import Analysis
    from flowatlas.describe import describe, describe_text
    from flowatlas.loader import load_map

    a = Analysis(load_map(args.map))
    if args.format == "json":
        print(json.dumps(describe(a), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(terminal_text(describe_text(a)))
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from flowatlas.schema import published_schema_text, schema_text

    sys.stdout.write(schema_text() if args.format_version is None else published_schema_text(args.format_version))
    return EXIT_OK


def _cmd_statement(args: argparse.Namespace) -> int:
    from flowatlas.analysis import resolve_policy
    from flowatlas.errors import UsageError
    from flowatlas.loader import load_map
    from flowatlas.statement import map_statement

    m = load_map(args.map)
    policy = resolve_policy(m, args.policy)
    if policy is None:
        raise UsageError(f"{args.map} has no policy: add one to the map (docs/map-format.md)")
    if policy.statement is None:
        raise UsageError(
            f"policy '{policy.id}' names no statement text: add 'statement: statement.txt' to it and put the "
            "statement's text in that file of the map folder"
        )
    parts = map_statement(m, policy) or []
    encoded = [s for s in parts if s.declarations]
    if args.format == "json":
        rows = [{"n": i, "text": s.text, "declarations": list(s.declarations)} for i, s in enumerate(parts, 1)]
        print(json.dumps({"policy": policy.id, "statement": policy.statement, "sentences": rows}, indent=2,
                         ensure_ascii=False))  # fmt: skip
        return EXIT_OK
    lines = [
        f"{policy.statement} ({policy.id}): {len(parts)} sentences, {len(encoded)} encoded by "
        f"{len({d for s in encoded for d in s.declarations})} declarations, {len(parts) - len(encoded)} not encoded"
    ]
    for i, s in enumerate(parts, 1):
        if args.unencoded and s.declarations:
            continue
        mark = ", ".join(s.declarations) if s.declarations else "not encoded"
        lines.append(f"{i:4d}  [{mark}] {s.text}")
    sys.stdout.write(terminal_text("\n".join(lines) + "\n"))
    return EXIT_OK


def _cmd_taxonomy(args: argparse.Namespace) -> int:
    from flowatlas.loader import load_map, load_texts
    from flowatlas.vocabulary import BASE_ONLY, vocabulary_lines

    m = load_map(args.map) if args.map else load_texts(BASE_ONLY)
    lines = vocabulary_lines(m, args.kind, every_regime=not args.map)
    sys.stdout.write(terminal_text("\n".join(lines) + "\n"))
    return EXIT_OK


def _add_taxonomy_args(p: argparse.ArgumentParser) -> None:
    from flowatlas.vocabulary import KINDS

    p.add_argument("map", nargs="?", help="a map folder: its own terms too (default: the base taxonomy alone)")
    p.add_argument("--kind", choices=KINDS, default="types", help="which vocabulary (default: types)")


def _add_statement_args(p: argparse.ArgumentParser) -> None:
    _add_map_arg(p)
    p.add_argument("--policy", help="policy id (default: the map's policy)")
    p.add_argument("--unencoded", action="store_true", help="list only the sentences no declaration encodes")
    p.add_argument("--format", choices=["text", "json"], default="text")


def _add_map_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("map", help="map folder (e.g. dataflows/absoloop) or a single YAML file")


def _add_describe_args(p: argparse.ArgumentParser) -> None:
    _add_map_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


#: name -> (help, module, its function adding the arguments, its handler). A command's module is
#: imported only when that command runs (or its help is asked for): ``flowatlas --version`` and
#: ``--help`` load no pandas, networkx, pydantic or graphviz.
COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "validate": ("check a map; print every error with file:line", "flowatlas.cli", "_add_map_arg", "_cmd_validate"),
    "describe": (
        "counts by node kind, role, jurisdiction and type",
        "flowatlas.cli",
        "_add_describe_args",
        "_cmd_describe",
    ),
    "schema": ("print the JSON Schema of map files", "flowatlas.cli", "_add_schema_args", "_cmd_schema"),
    "taxonomy": (
        "list the vocabulary a map may use: types, purposes, subjects, roles, bases, regions, countries",
        "flowatlas.cli",
        "_add_taxonomy_args",
        "_cmd_taxonomy",
    ),
    "statement": (
        "show the statement's text, each sentence marked with the declarations that encode it",
        "flowatlas.cli",
        "_add_statement_args",
        "_cmd_statement",
    ),
    "report": ("run the notebooks into a dated report folder", "flowatlas.report.cli", "add_arguments", "main"),
    "notebooks": (
        "show where the report's notebooks are installed, or --copy them to edit",
        "flowatlas.report.cli",
        "add_notebooks_arguments",
        "notebooks_main",
    ),
    "render": (
        "draw diagrams (flowatlas render --help lists the views)",
        "flowatlas.cli.render",
        "add_arguments",
        "main",
    ),
    "synth": ("write a synthetic map of a chosen size", "flowatlas.synth", "add_arguments", "main"),
    "import": (
        "write a map folder from other tools' descriptions (fides: Fides manifests)",
        "flowatlas.fides",
        "add_import_arguments",
        "import_main",
    ),
    "export": (
        "write a map in another tool's format (fides: Fides manifests that fideslang validates)",
        "flowatlas.fides",
        "add_export_arguments",
        "export_main",
    ),
    "diff": (
        "what changed between two versions of a map (folders or git revisions): flows, recipients, findings",
        "flowatlas.diff",
        "add_arguments",
        "main",
    ),
    "reconcile": (
        "hold a map against evidence (code scans, Terraform state); list where they disagree",
        "flowatlas.cli.reconcile",
        "add_arguments",
        "main",
    ),
    "tia": (
        "write the transfer impact assessment worksheets of the transfers that need one",
        "flowatlas.cli.tia",
        "add_arguments",
        "main",
    ),
    "audit": (
        "audit a map against its privacy policy; list findings (exit 1 at --fail-on)",
        "flowatlas.cli.audit",
        "add_arguments",
        "run",
    ),
}


def _add_schema_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format-version",
        type=int,
        metavar="N",
        help="the published schema of map format N (default: the current format's, generated from the model)",
    )


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The CLI's parser: every command's arguments, or (``command`` given) only that one's
    (``""``: none, for ``--version`` and ``--help``)."""
    from flowatlas import __version__

    parser = _Parser(prog="flowatlas", description="A data-flow atlas for personal information.")
    parser.add_argument("--version", action="version", version=f"flowatlas {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected error (a bug), not one line"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (help_, module, add, handler) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        if command is None or command == name:
            mod = importlib.import_module(module)
            getattr(mod, add)(p)
            p.set_defaults(handler=getattr(mod, handler))
    return parser


def _command_of(argv: Sequence[str]) -> str:
    """The command an argument list runs (its first word that names one), or ``""``."""
    return next((a for a in argv if a in COMMANDS), "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code. Known errors print a message, never a traceback."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_command_of(argv)).parse_args(argv)
    try:
        return args.handler(args)
    except MapValidationError as exc:
        print(terminal_text(f"flowatlas: {exc}"), file=sys.stderr)
        return EXIT_INVALID
    except FlowatlasError as exc:
        print(terminal_text(f"flowatlas: error: {exc}"), file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("flowatlas: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last resort: a bug, never a traceback wall for the user
        if args.debug:
            raise
        target = getattr(args, "map", "") or ""
        what = (str(exc).splitlines() or [""])[0][:200]
        print(
            f"flowatlas: internal error in `flowatlas {args.command}{' ' + str(target) if target else ''}`: "
            f"{type(exc).__name__}: {what} (rerun with `flowatlas --debug {args.command} ...` for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
