"""Regenerate ix_zisk/clap_tables.json from the golden clap extracts (../shared/golden/zisk/cli).

The driver builds its per-version flag tables from this file and the stand-ins parse
argv with it, so neither can use a flag the real tool does not define. The test
`test_clap_tables_match_golden` regenerates it and compares, so it cannot drift.

    python plugins/zisk/scripts/gen_clap_tables.py [GOLDEN_CLI_DIR]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "ix_zisk" / "clap_tables.json"
DEFAULT_GOLDEN = HERE.parents[2] / ".." / "shared" / "golden" / "zisk" / "cli"
#: Every zisk ref in the golden data: the supported lines and the refused ones (kept so
#: tests can show why the refused ones would fail).
REFS = ("v0.16.1", "v0.17.0", "v0.18.0", "pre-develop-1.0.0-beta")
ARG_KEYS = ("field", "long", "short", "aliases", "positional", "takes_value", "multiple", "action",
            "required", "conflicts_with", "requires", "cfg")


def _args(node: dict) -> list[dict]:
    return [{k: a.get(k) for k in ARG_KEYS} for a in node.get("args", [])]


def _walk(node: dict, prefix: str, out: dict) -> None:
    for sub in node.get("subcommands", []):
        path = f"{prefix} {sub['name']}".strip()
        out[path] = _args(sub)
        _walk(sub, path, out)


def extract(golden_dir: Path) -> dict:
    refs = {}
    for ref in REFS:
        data = json.loads((golden_dir / f"{ref}.json").read_text())
        binaries = {}
        for name, binary in data["binaries"].items():
            table = {"": _args(binary)}
            _walk(binary, "", table)
            binaries[name] = table
        refs[ref] = {"commit": data["commit"], "binaries": binaries}
    return {"generated_by": "plugins/zisk/scripts/gen_clap_tables.py from shared/golden/zisk/cli", "refs": refs}


def main(argv: list[str]) -> int:
    golden = Path(argv[0]) if argv else DEFAULT_GOLDEN
    OUT.write_text(json.dumps(extract(golden.resolve()), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
