"""Stand-in `sp1-host` (TEST DOUBLE, not a prover; see README.md in this folder).

Impersonates Ix's host at the commit in IX_STANDIN_SP1_COMMIT (default main df8f1117):
argv is parsed with that commit's golden clap table (host_clap.json), and execute prints
the host's lines and writes its `--json` row. Proving is not implemented: ix never asks.
"""
from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path

import blake3

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "zisk" / "tests" / "standins"))
from _clap import clap_error, parse_args

MAIN, PR411 = "df8f1117f112aeadc5203dc624f36c046fc19009", "c88df18fa6215ee85539ee05feb1eac9b5267e41"
COMMIT = os.environ.get("IX_STANDIN_SP1_COMMIT", MAIN)
EXIT_REJECTED = 3  # ix_bench::EXIT_REJECTED (main); #411 bails with 1


def die(msg: str):
    sys.stderr.write(f"standin: {msg}\n")
    raise SystemExit(2)


def specs() -> list[dict]:
    return json.loads((HERE / "host_clap.json").read_text())["commits"][COMMIT]


def guest(env_bytes: bytes) -> tuple[bytes, int, int]:
    """The SP1 guest in Anon mode with an empty check list: every work item of the env."""
    from ixcore.formats.ixe import loads_ixe
    from ixcore.ixon.claims import leaf_claim
    from ixcore.merkle import merkle_root

    env = loads_ixe(env_bytes, "standin sp1 input")
    claim = leaf_claim(env)
    publics = (struct.pack("<I", 0) + merkle_root(claim.subjects) + merkle_root(claim.assumptions)
               + struct.pack("<I", claim.checked_count) + blake3.blake3(env_bytes).digest())
    return publics, 20_000 + 41 * len(env_bytes) + 1_500 * claim.items, claim.checked_count


def main(argv) -> int:
    if argv == ["--version"]:
        print("sp1-host 0.1.0")
        return 0
    if argv == ["--help"]:
        print("Usage: sp1-host [OPTIONS]\n\nOptions:")
        for a in specs():
            print(f"      --{a['long']}" + (f" <{a['field'].upper()}>" if a["takes_value"] else ""))
        print("  -h, --help     Print help\n  -V, --version  Print version")
        return 0
    got = parse_args(specs(), argv)
    if COMMIT == MAIN and got.get("skip_deps") and not (got.get("consts") or got.get("consts_file")):
        sys.stderr.write("error: --skip-deps requires constants via --consts or --consts-file\n")
        return 1
    if not got.get("execute"):
        die("the stand-in does not prove (Ix's host proves, verifies and discards the proof)")
    if any(k in got for k in ("consts", "consts_file", "constant", "meta")):
        die("ix never selects constants by name or Meta mode")
    if os.environ.get("SP1_PROVER") not in ("cpu", "cuda", "mock"):
        clap_error(f"SP1_PROVER={os.environ.get('SP1_PROVER')!r}: this sdk has no such prover")
    env_bytes = Path(got["ixe"]).read_bytes() if "ixe" in got else die("ix always passes --ixe")
    publics, cycles, checked = guest(env_bytes)
    failures = struct.unpack_from("<I", publics)[0]
    print(f"failures: {failures}")
    print(f"claim: CheckEnv {{ subject={publics[4:12].hex()}…, assumptions={publics[36:44].hex()}… }} (checked={checked})")
    print(f"cycles: {cycles}")
    print("constants: 1")
    print("---- ExecutionReport ----")
    if "json" in got:
        path = Path(got["json"])
        rows = json.loads(path.read_text()) if path.is_file() else {}
        rows["env"] = {"cycles": cycles, "execute-time": 0.001, "throughput": 1000.0, "peak-rss": 123_456_789,
                       "status": "ok" if failures == 0 else "rejected"}
        path.write_text(json.dumps(rows))
    if failures:
        sys.stderr.write(f"error: kernel typecheck produced {failures} failure(s)\n")
        return EXIT_REJECTED if COMMIT == MAIN else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
