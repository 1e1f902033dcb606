#!/usr/bin/env bash
# Set-up and everyday commands for sohoa on Debian/Ubuntu.
#
#   ./dev.sh demo    install what is missing, digitize a sample batch, search it, show a record
#   ./dev.sh test    install what is missing, run ruff, mypy and the whole test suite
#   ./dev.sh bench   install what is missing (plus OCRmyPDF for comparison), list benchmarks
#   ./dev.sh setup   only install
#   ./dev.sh lock    re-resolve the Python dependencies into constraints.txt (deliberately)
#
# Installs are idempotent: apt packages only when one is missing, the virtualenv only
# when pyproject.toml or constraints.txt changed since the last install.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"

APT_PACKAGES=(
  python3 python3-venv python3-dev gcc
  tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd
  poppler-utils qpdf ghostscript
  fonts-noto-core fonts-dejavu-core fonts-dejavu-extra
  fonts-liberation2 fonts-freefont-ttf libgl1 libglib2.0-0
  redis-server softhsm2 chromium
)
# Wanted for their command only: a machine that has it from elsewhere keeps it. Node.js
# from NodeSource ships its own npm, and Debian's npm package then cannot be installed.
APT_COMMANDS=(npm)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

setup_system() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  for cmd in "${APT_COMMANDS[@]}"; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

setup_venv() {
  local extras="$1" stamp="$VENV/.sohoa-installed-$1"
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating virtualenv in .venv"
    python3 -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]
  then
    say "Installing Python dependencies ($extras)"
    # pip is chatty even with -q (setuptools warnings): keep its log, show it on failure.
    # constraints.txt holds every package at the version the suite last passed with: a
    # fresh machine installs what was tested, not whatever was released since (a new
    # cryptography once put a warning on every command's stderr and failed CI).
    if ! { "$VENV/bin/pip" install -q --upgrade pip \
           && "$VENV/bin/pip" install -q -c constraints.txt -e ".[$extras]"; } \
         >"$VENV/pip.log" 2>&1; then
      cat "$VENV/pip.log" >&2
      exit 1
    fi
    touch "$stamp"
  fi
}

fonts() {
  # Handwriting-style fonts for the handwritten-form evaluation set: `npm pack` of pinned
  # @fontsource packages into a cache outside the repository (never committed).
  "$VENV/bin/python" -m evalset.handfonts "${SOHOA_FONT_CACHE:-$HOME/.cache/sohoa/fonts}"
}

demo() {
  setup_system
  setup_venv test
  export SOHOA_DATA="${SOHOA_DATA:-$ROOT/sohoa-data}"
  export OMP_THREAD_LIMIT=1
  local batch="$SOHOA_DATA/sample-batch"
  if [ ! -d "$batch" ]; then
    say "Generating a sample batch of Vietnamese scans in $batch"
    # Into a sibling first: an interrupted run must not leave a half batch that the
    # next run would take for the finished one.
    rm -rf "$batch.partial"
    "$VENV/bin/python" -m specimens "$batch.partial" --count 6 --seed 2024 --degraded >/dev/null
    mv "$batch.partial" "$batch"
  fi
  say "sohoa ingest $batch"
  "$VENV/bin/sohoa" ingest "$batch"
  local name
  # A name from the batch's ground truth, typed without diacritics as officers often do.
  name=$("$VENV/bin/python" - "$batch" <<'PY'
import sys
from search import fold
from specimens import load_ground_truth
_, spec, _ = load_ground_truth(sys.argv[1])[0]
print(fold(spec.subjects[0]["name"]))
PY
)
  say "sohoa search \"$name\"   (no diacritics: found with them)"
  "$VENV/bin/sohoa" search "$name" --limit 3
  local id
  id=$("$VENV/bin/sohoa" search "$name" --limit 1 --json | "$VENV/bin/python" -c \
    'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
  say "sohoa show $id"
  "$VENV/bin/sohoa" show "$id"
  say "sohoa verify $id"
  "$VENV/bin/sohoa" verify "$id"
}

run_tests() {
  setup_system
  setup_venv "test,handwriting"
  fonts
  export OMP_THREAD_LIMIT=1
  say "ruff"
  "$VENV/bin/ruff" check .
  say "mypy"
  "$VENV/bin/mypy" records ingest application cli ocr signing storage search api extract reuse audit stats specimens evalset watch tests
  say "pytest"
  # One test process per core (pytest-xdist), long tests stolen by the idle one: the
  # suite is many single-threaded tests, and one process left a core idle most of the
  # time. Pass -n 0 to run in one process.
  "$VENV/bin/pytest" -n auto --dist worksteal "$@"
}

lock() {
  # A throw-away virtualenv with every extra at the newest versions pyproject.toml allows;
  # its list becomes constraints.txt. Run ./dev.sh test afterwards and commit both only
  # when it passes.
  setup_system
  local fresh
  fresh=$(mktemp -d)
  python3 -m venv "$fresh/venv"
  say "Resolving the newest allowed versions in $fresh"
  "$fresh/venv/bin/pip" install -q --upgrade pip >/dev/null
  "$fresh/venv/bin/pip" install -q -e ".[test,bench,handwriting]" >"$fresh/pip.log" 2>&1 \
    || { cat "$fresh/pip.log" >&2; exit 1; }
  {
    echo "# Every Python package at the version ./dev.sh test last passed with (pip -c)."
    echo "# Refresh deliberately with ./dev.sh lock, then ./dev.sh test, then commit."
    "$fresh/venv/bin/pip" freeze --exclude-editable
  } >constraints.txt
  rm -rf "$fresh"
  say "constraints.txt rewritten: run ./dev.sh test before committing it"
}

case "${1:-}" in
  demo) demo ;;
  test) shift; run_tests "$@" ;;
  bench) APT_PACKAGES+=(wrk); setup_system; setup_venv "test,bench,handwriting"; fonts; ls bench/*.py ;;
  setup) setup_system; setup_venv test; fonts ;;
  lock) lock ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
