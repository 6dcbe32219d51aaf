#!/usr/bin/env bash
# Create .venv and install ixcore with every plugin distribution (editable), in one pip call
# so that the plugins resolve `ixcore` from this checkout and never from an index.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q -U pip
.venv/bin/python -m pip install -q -e '.[test,lint]' -e plugins/native -e plugins/partitioners -e plugins/zisk -e plugins/sp1
# Compile the checkout's modules once: an editable install never does, and where
# PYTHONDONTWRITEBYTECODE is set (as on this project's machines) every `ix` run would
# otherwise compile ixcore and the plugins from source (~0.1 s of each start).
.venv/bin/python -m compileall -q ixcore plugins bench >/dev/null
