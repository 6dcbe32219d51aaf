"""A small clap-4 argv parser driven by the golden clap tables (ix_zisk/clap_tables.json).

It rejects what clap rejects for the impersonated version: an unknown flag, a value on a
switch, a missing value, a repeated non-repeatable argument, a missing required argument,
`conflicts_with` and `requires` violations, and flags compiled out of a `cpu-only` build.
Errors go to stderr as `error: ...` with exit code 2, as clap does.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

TABLES = Path(__file__).resolve().parents[2] / "ix_zisk" / "clap_tables.json"
REFS = {"0.16": "v0.16.1", "0.17": "v0.17.0", "0.18": "v0.18.0", "1.0": "pre-develop-1.0.0-beta"}


def ref_for(version: str) -> str | None:
    """The golden ref a stand-in version impersonates (None: no table, e.g. 1.1.0-alpha)."""
    major, minor = version.split(".")[:2]
    return REFS.get(f"{major}.{minor}")


def clap_error(msg: str) -> NoReturn:  # noqa: F821
    sys.stderr.write(f"error: {msg}\n\nFor more information, try '--help'.\n")
    raise SystemExit(2)


def commands(ref: str, binary: str) -> dict:
    return json.loads(TABLES.read_text())["refs"][ref]["binaries"][binary]


def _shown(arg: dict) -> str:
    return f"--{arg['long']}" if arg["long"] else f"<{arg['field'].upper()}>"


def parse(ref: str, binary: str, command: str, argv: list[str], compute_mode: str) -> dict:
    """Parse `argv` (after the subcommand) with the table of `binary command` at `ref`."""
    specs = [a for a in commands(ref, binary)[command]
             if not (compute_mode == "cpu" and any("cpu-only" in c for c in a["cfg"] or ()))]
    return parse_args(specs, argv)


def parse_args(specs: list[dict], argv: list[str]) -> dict:
    """Parse `argv` against clap argument specs into {field: value | True | count}."""
    by_long = {}
    for a in specs:
        for name in [a["long"], *a["aliases"]]:
            if name:
                by_long[name] = a
    by_short = {a["short"]: a for a in specs if a["short"]}
    positionals = [a for a in specs if a["positional"]]
    got: dict = {}
    i = 0
    while i < len(argv):
        tok = argv[i]
        inline = None
        if tok.startswith("--") and len(tok) > 2:
            name, _, rest = tok[2:].partition("=")
            inline = rest if "=" in tok else None
            arg = by_long.get(name)
        elif tok.startswith("-") and len(tok) > 1:
            arg = by_short.get(tok[1])
            inline = tok[2:] or None
        else:
            if not positionals:
                clap_error(f"unexpected argument '{tok}' found")
            arg = positionals.pop(0)
            got[arg["field"]] = tok
            i += 1
            continue
        if arg is None:
            clap_error(f"unexpected argument '{tok.split('=')[0]}' found")
        field = arg["field"]
        repeatable = arg["multiple"] or arg["action"] in ("Count", "ArgAction::Count", "clap::ArgAction::Count")
        if field in got and not repeatable:
            clap_error(f"the argument '{_shown(arg)}' cannot be used multiple times")
        if arg["takes_value"]:
            if inline is None:
                if i + 1 >= len(argv) or (argv[i + 1].startswith("-") and len(argv[i + 1]) > 1):
                    clap_error(f"a value is required for '{_shown(arg)}' but none was supplied")
                inline = argv[i + 1]
                i += 1
            got[field] = got.get(field, []) + [inline] if arg["multiple"] else inline
        else:
            if inline is not None:
                clap_error(f"unexpected value '{inline}' for '{_shown(arg)}' found; no more were expected")
            got[field] = got.get(field, 0) + 1 if repeatable else True
        i += 1
    fields = {a["field"]: a for a in specs}
    missing = [a for a in specs if a["required"] and a["field"] not in got]
    for a in specs:
        if a["field"] in got:
            missing += [fields[r] for r in a["requires"] or () if r in fields and r not in got]
            for other in a["conflicts_with"] or ():
                if other in got and other in fields:
                    clap_error(f"the argument '{_shown(a)}' cannot be used with '{_shown(fields[other])}'")
    if missing:
        clap_error("the following required arguments were not provided:\n  " + "\n  ".join(_shown(a) for a in missing))
    return got
