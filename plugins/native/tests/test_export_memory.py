"""Memory is linear in the number of constants: the parsed export, the parse's transient
peak and the check's peak, measured with tracemalloc (bytes Python allocated, not RSS) in
a fresh interpreter per size (the intern table is process-global, so an env parsed in
this process would share nodes with every earlier test's). 4x the constants must cost
about 4x the bytes; the parsed export must also stay within a per-constant budget (it is
most of `ix check`'s peak RSS)."""
from __future__ import annotations

import json
import subprocess
import sys

from ix_native.demo_env import write_demo_env

_PROBE = """
import json, sys, tracemalloc
from ix_native.lean.checker import Kernel
from ix_native.lean.export import read_export
tracemalloc.start()
exp = read_export(sys.argv[1])
parsed, parse_peak = tracemalloc.get_traced_memory()
tracemalloc.reset_peak()
stats = Kernel().check_all(exp)
check_peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"constants": len(exp.by_name), "parsed": parsed, "parse_peak": parse_peak,
                  "check_peak": check_peak, "accepted": all(s.ok for s in stats)}))
"""
#: Traced bytes of the parsed export per constant that a regression must not exceed
#: (2,330 at 3,200 constants after the reader and layout work, 2,410 before it).
_PARSED_BUDGET = 2_700


def _per_constant(path) -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, check=True)
    probe = json.loads(out.stdout)
    assert probe["accepted"], probe
    n = probe["constants"]
    return {k: probe[k] / n for k in ("parsed", "parse_peak", "check_peak")}


def test_export_and_check_memory_is_linear(tmp_path):
    write_demo_env(tmp_path / "small.ndjson", 800, 1)
    write_demo_env(tmp_path / "large.ndjson", 3_200, 1)
    small, large = _per_constant(tmp_path / "small.ndjson"), _per_constant(tmp_path / "large.ndjson")
    for what in small:
        assert large[what] < 1.3 * small[what], (what, small[what], large[what])
    assert large["parsed"] < _PARSED_BUDGET, large
