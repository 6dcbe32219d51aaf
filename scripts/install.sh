#!/usr/bin/env bash
# Create .venv and install ixcore with every plugin distribution (editable), in one pip call
# so that the plugins resolve `ixcore` from this checkout and never from an index.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q -U pip
.venv/bin/python -m pip install -q -e '.[test,lint]' -e plugins/native -e plugins/partitioners -e plugins/zisk -e plugins/sp1
