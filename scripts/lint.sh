#!/usr/bin/env bash
# Lint the whole tree (code, tests, benchmarks) and type-check ixcore, the plugins and the
# examples (configured in pyproject.toml):
# ruff (pyflakes, import order, bugbear), then mypy. Exits non-zero on the first failure.
# CI runs it before the tests; run it before sending a change.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if ! "$PY" -m ruff --version >/dev/null 2>&1 || ! "$PY" -m mypy --version >/dev/null 2>&1; then
  echo "lint.sh: ruff and mypy are needed: $PY -m pip install ruff mypy" >&2
  exit 2
fi
echo "== ruff check"
"$PY" -m ruff check .
echo "== mypy"
"$PY" -m mypy
