"""Stand-in `ziskemu` (TEST DOUBLE; see README.md in this folder): argv parsed with the golden
clap table of IX_STANDIN_ZISK_VERSION; runs the leaf 'guest', writes the public output bytes
(`--output`) and prints the `--log-metrics` line of emulator.rs."""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _clap import parse, ref_for
from _guest import agg_guest, die, guest_kind, leaf_guest

VERSION = os.environ.get("IX_STANDIN_ZISK_VERSION", "0.18.0")


def main(argv: list[str]) -> int:
    ref = ref_for(VERSION)
    if ref is None:
        die(f"the stand-in has no golden table for ziskemu {VERSION}")
    got = parse(ref, "ziskemu", "", argv, os.environ.get("IX_STANDIN_ZISK_MODE", "gpu"))
    for needed in ("elf", "inputs", "output"):
        if needed not in got:
            die(f"ziskemu: ix must pass --{needed}")
    elf = Path(got["elf"]).read_bytes()
    data = Path(got["inputs"]).read_bytes()
    publics, steps = (leaf_guest if guest_kind(elf) == "leaf" else agg_guest)(data)
    Path(got["output"]).write_bytes(publics.ljust(256, b"\0"))
    if got.get("log_metrics"):
        print(f"process_rom() steps={steps} duration=0.0010 tp=1.0000 Msteps/s freq=3000.0000 1.0000 clocks/step")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
