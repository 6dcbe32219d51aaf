"""Stand-in `ziskemu` (TEST DOUBLE; see README.md in this folder): runs the leaf 'guest',
writes the public output bytes (`--output`) and prints the step metrics line."""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _guest import agg_guest, die, guest_kind, leaf_guest  # noqa: E402


def main(argv: list[str]) -> int:
    valued = {"--elf", "--inputs", "--output"}
    got: dict = {}
    i = 0
    while i < len(argv):
        if argv[i] in valued and i + 1 < len(argv):
            got[argv[i]] = argv[i + 1]
            i += 2
        elif argv[i] == "--log-metrics":
            got["--log-metrics"] = True
            i += 1
        else:
            die(f"ziskemu: unexpected argument {argv[i]!r}")
    if set(got) != valued | {"--log-metrics"}:
        die(f"ziskemu: expected --elf, --inputs, --output and --log-metrics, got {sorted(got)}")
    elf = Path(got["--elf"]).read_bytes()
    data = Path(got["--inputs"]).read_bytes()
    publics, steps = (leaf_guest if guest_kind(elf) == "leaf" else agg_guest)(data)
    Path(got["--output"]).write_bytes(publics.ljust(256, b"\0"))
    print(f"process_rom() steps={steps} duration=0.0010 tp=1.0 Msteps/s freq=3000 1.0 clocks/step")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
