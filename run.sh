#!/usr/bin/env bash
# flowatlas: one entry point that sets itself up on a fresh machine.
#
#   ./run.sh report [MAP] [ARGS]  full report of MAP (default: the embedded Absoloop map) into outputs/;
#                           exit 0 when the report was written, whatever it found (pass --fail-on
#                           high for the exit code a schedule alerts on)
#   ./run.sh test           lint, type check (mypy), import layers (lint-imports) + the whole test suite (doctests included)
#   ./run.sh bench          the performance benchmark (benchmarks/)
#   ./run.sh lab            JupyterLab on the notebooks (as root too: it passes --allow-root then)
#   ./run.sh setup          only create .venv and install what is missing (and the nbstripout git filter)
#   ./run.sh env            write environment.yml from pyproject.toml
#   ./run.sh lock           write constraints.txt: the exact versions installed in .venv now
#
# Every command shares one environment (.venv: flowatlas with every extra and the test tools) and
# installs it once: at the exact versions of constraints.txt, the set the test suite last passed
# with. --latest (before the command, e.g. `./run.sh --latest test`) installs the newest versions
# pyproject.toml allows instead; `./run.sh --latest lock` then pins them. --locked, the default,
# is accepted for the scripts that pass it.
#
# Needs python3 (>= 3.11) with venv. Installs into ./.venv; installs graphviz `dot` (and, for the
# tests, Debian's chromium) with apt-get when run as root, otherwise says how to.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PY=${PYTHON:-python3}
VENV=${VENV:-.venv}
LATEST=${FLOWATLAS_LATEST:-}
case "${1:-}" in
  --locked) shift ;;
  --latest) LATEST=1; shift ;;
esac

die() { echo "run.sh: $*" >&2; exit 2; }

need_python() {
  command -v "$PY" >/dev/null || die "python3 not found: install Python 3.11 or newer"
  "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
    || die "Python >= 3.11 needed, found $("$PY" --version 2>&1)"
}

apt_install() {  # apt_install PACKAGE... (root only)
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "run.sh: installing $* with apt-get" >&2
    if [ -z "${_APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null; _APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    return 0
  fi
  return 1
}

need_dot() {
  command -v dot >/dev/null && return 0
  apt_install graphviz && command -v dot >/dev/null && return 0
  die "graphviz 'dot' is missing. Install it with one of:
    sudo apt-get install graphviz     (Debian/Ubuntu)
    brew install graphviz             (macOS)
    conda install -c conda-forge python-graphviz   (conda; see environment.yml)"
}

need_chromium() {  # browser tests only; they are skipped with a reason when it is absent
  command -v chromium >/dev/null && return 0
  apt_install chromium fonts-dejavu-core || echo "run.sh: chromium not installed; browser tests will be skipped" >&2
}

setup() {
  need_python
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV" || die "could not create $VENV (on Debian: apt-get install python3-venv)"
  fi
  local stamp="$VENV/.flowatlas-installed" want pins=()
  if [ -n "$LATEST" ]; then
    want=latest-$(cat pyproject.toml lib/flowatlas/__init__.py | sha256sum | cut -c1-16)
  else
    [ -f constraints.txt ] || die "constraints.txt is missing (./run.sh --latest lock writes it)"
    pins=(-c constraints.txt)
    want=pinned-$(cat pyproject.toml lib/flowatlas/__init__.py constraints.txt | sha256sum | cut -c1-16)
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "run.sh: installing flowatlas and its dependencies into $VENV (once; ${pins:+pinned by constraints.txt}${LATEST:+latest versions})" >&2
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q "${pins[@]}" -e ".[test]"
    echo "$want" > "$stamp"
  fi
  need_dot
  # Notebooks are committed without outputs: in a git checkout, nbstripout strips them on commit.
  if [ -x "$VENV/bin/nbstripout" ] && git rev-parse --is-inside-work-tree >/dev/null 2>&1 \
     && ! git config --local --get filter.nbstripout.clean >/dev/null 2>&1; then
    "$VENV/bin/nbstripout" --install >/dev/null 2>&1 || echo "run.sh: could not install the nbstripout git filter" >&2
  fi
}

cmd=${1:-report}
shift || true
case "$cmd" in
  setup) setup ;;
  report)
    setup
    map=dataflows/absoloop
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then map=$1; shift; fi
    # A person running the report reads it: exit 0 once it is written. A schedule passes
    # --fail-on (the last line says so) and gets flowatlas report's exit codes.
    fail_on=(--fail-on none)
    for a in "$@"; do case "$a" in --fail-on|--fail-on=*) fail_on=() ;; esac; done
    exec "$VENV/bin/flowatlas" report "$map" "${fail_on[@]}" "$@"
    ;;
  test)
    setup
    need_chromium
    "$VENV/bin/ruff" check $(ls -d lib tests benchmarks scheduling tools 2>/dev/null)
    "$VENV/bin/mypy"  # lib/flowatlas, configured in pyproject.toml
    "$VENV/bin/lint-imports" --no-cache >/dev/null || "$VENV/bin/lint-imports" --no-cache  # the layers, [tool.importlinter]
    exec "$VENV/bin/python" -m pytest -n 2 --dist loadgroup -q "$@"
    ;;
  env)
    setup
    exec "$VENV/bin/python" tools/environment.py
    ;;
  lock)
    setup
    { echo "# The exact versions the test suite last passed with (./run.sh lock writes them; ./run.sh installs them)."
      "$VENV/bin/python" -m pip freeze --exclude-editable --all | grep -v -E '^(pip|setuptools|wheel)=='
    } > constraints.txt
    echo "run.sh: constraints.txt written ($(grep -c '==' constraints.txt) pins)" >&2
    ;;
  lab)
    setup
    root=(); [ "$(id -u)" = 0 ] && root=(--allow-root)  # JupyterLab refuses root without it
    exec "$VENV/bin/jupyter" lab notebooks/ "${root[@]}" "$@"
    ;;
  bench)
    setup
    exec "$VENV/bin/python" benchmarks/bench.py "$@"
    ;;
  *) die "unknown command '$cmd' (use: [--latest] report [MAP] | test | lab | bench | setup | env | lock)" ;;
esac
