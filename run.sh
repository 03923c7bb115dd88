#!/usr/bin/env bash
# flowatlas: one entry point that sets itself up on a fresh machine.
#
#   ./run.sh report [MAP]   full report of MAP (default: the embedded Absoloop map) into outputs/
#   ./run.sh test           lint + the whole test suite
#   ./run.sh bench          the performance benchmark (benchmarks/)
#   ./run.sh setup          only create .venv and install what is missing
#
# Needs python3 (>= 3.11) with venv. Installs into ./.venv; installs graphviz `dot` (and, for the
# tests, Debian's chromium) with apt-get when run as root, otherwise says how to.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

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
  local stamp="$VENV/.flowatlas-installed" want
  want=$(cat pyproject.toml | sha256sum | cut -c1-16)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    echo "$want" > "$stamp"
  fi
  need_dot
}

cmd=${1:-report}
shift || true
case "$cmd" in
  setup) setup ;;
  report)
    setup
    map=${1:-dataflows/absoloop}
    [ $# -gt 0 ] && shift
    exec "$VENV/bin/flowatlas" report "$map" "$@"
    ;;
  test)
    setup
    need_chromium
    "$VENV/bin/ruff" check $(ls -d lib tests benchmarks scheduling 2>/dev/null)
    exec "$VENV/bin/python" -m pytest -n 2 -q "$@"
    ;;
  bench)
    setup
    exec "$VENV/bin/python" benchmarks/bench.py "$@"
    ;;
  *) die "unknown command '$cmd' (use: report [MAP], test, bench, setup)" ;;
esac
