"""Regenerate tests/standins/host_clap.json from the golden clap extracts of Ix's sp1-host.

The stand-in parses argv with these tables, so it accepts exactly the flags Ix's real host
defines at each commit; `test_host_tables_match_golden` regenerates and compares.

    python plugins/sp1/scripts/gen_host_tables.py [GOLDEN_CLI_DIR]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "tests" / "standins" / "host_clap.json"
DEFAULT_GOLDEN = HERE.parents[2] / ".." / "shared" / "golden" / "zisk" / "cli"
COMMITS = ("c88df18fa6215ee85539ee05feb1eac9b5267e41", "df8f1117f112aeadc5203dc624f36c046fc19009")
ARG_KEYS = ("field", "long", "short", "aliases", "positional", "takes_value", "multiple", "action",
            "required", "conflicts_with", "requires", "cfg")


def extract(golden_dir: Path) -> dict:
    out = {}
    for commit in COMMITS:
        data = json.loads((golden_dir / f"ix-sp1-host-{commit}.json").read_text())
        args = data["binaries"]["sp1-host"]["args"]
        out[commit] = [{k: a.get(k) for k in ARG_KEYS} for a in args]
    return {"generated_by": "plugins/sp1/scripts/gen_host_tables.py from shared/golden/zisk/cli", "commits": out}


def main(argv: list[str]) -> int:
    golden = Path(argv[0]) if argv else DEFAULT_GOLDEN
    OUT.write_text(json.dumps(extract(golden.resolve()), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
