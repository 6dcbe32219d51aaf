"""Stand-in `sp1-host` (TEST DOUBLE, not a prover; see README.md in this folder)."""
from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path

import blake3

VK = blake3.blake3(b"standin sp1 guest vk").digest()
MAGIC = b"SP1-STANDIN-PROOF"
VALUED = {"--ixe", "--check-list", "--publics-out", "--proof-out", "--json", "--verify", "--vkey-out"}
MODES = {
    "execute": ({"--execute", "--ixe", "--check-list", "--publics-out", "--json"}, set()),
    "prove": ({"--ixe", "--check-list", "--publics-out", "--proof-out", "--json"}, set()),
    "verify": ({"--verify", "--publics-out"}, set()),
    "vkey": ({"--vkey-out"}, set()),
}


def die(msg: str):
    sys.stderr.write(f"standin: {msg}\n")
    raise SystemExit(2)


def parse(argv):
    got, i = {}, 0
    while i < len(argv):
        flag = argv[i]
        if flag in got:
            die(f"{flag} given twice")
        if flag == "--execute":
            got[flag] = True
            i += 1
        elif flag in VALUED and i + 1 < len(argv):
            got[flag] = argv[i + 1]
            i += 2
        else:
            die(f"unexpected argument {flag!r}")
    for mode, (needed, _) in MODES.items():
        if set(got) == needed:
            return mode, got
    die(f"no sp1-host mode takes exactly {sorted(got)}")


def guest(ixe: Path, check_list: Path) -> tuple[bytes, int]:
    from ixcore.formats.ixe import loads_ixe
    from ixcore.ixon.claims import leaf_claim
    from ixcore.merkle import merkle_root

    env_bytes = ixe.read_bytes()
    check = check_list.read_bytes()
    if not check or len(check) % 32:
        die(f"check list of {len(check)} bytes is not a non-empty packed address list")
    wanted = [check[i : i + 32] for i in range(0, len(check), 32)]
    env = loads_ixe(env_bytes, "standin sp1 input")
    claim = leaf_claim(env, wanted)
    if claim.items != len(set(wanted)):
        die("a check-list primary is not a work item of the sub-env")
    publics = (
        struct.pack("<I", 0) + merkle_root(claim.subjects) + merkle_root(claim.assumptions)
        + struct.pack("<I", claim.checked_count) + blake3.blake3(env_bytes).digest()
    )
    return publics, 20_000 + 41 * len(env_bytes) + 1_500 * claim.items


def tag(publics: bytes) -> bytes:
    return blake3.blake3(b"standin sp1 proof" + VK + publics).digest()


def main(argv) -> int:
    if argv == ["--version"]:
        print("sp1-host 0.1.0-standin")
        return 0
    mode, got = parse(argv)
    if mode == "vkey":
        Path(got["--vkey-out"]).write_bytes(VK)
        return 0
    if mode == "verify":
        raw = Path(got["--verify"]).read_bytes()
        if not raw.startswith(MAGIC) or len(raw) != len(MAGIC) + 104 + 32:
            die("verify: not a stand-in SP1 proof")
        publics, t = raw[len(MAGIC) : -32], raw[-32:]
        if t != tag(publics):
            sys.stderr.write("standin: proof does not verify\n")
            return 1
        Path(got["--publics-out"]).write_bytes(publics)
        return 0
    if not os.environ.get("SP1_PROVER"):
        die("SP1_PROVER is not set")
    publics, cycles = guest(Path(got["--ixe"]), Path(got["--check-list"]))
    Path(got["--publics-out"]).write_bytes(publics)
    if mode == "execute":
        metrics = {"cycles": cycles, "execute-time": 0.001, "throughput": cycles * 1000, "peak-rss": None}
    else:
        if os.environ.get("WITHOUT_VK_VERIFICATION") != "1":
            die("proving needs WITHOUT_VK_VERIFICATION=1 (vk not allowed)")
        Path(got["--proof-out"]).write_bytes(MAGIC + publics + tag(publics))
        metrics = {"prove-time": 0.002, "peak-rss": 123_456_789}
    Path(got["--json"]).write_text(json.dumps({"env": metrics}))
    print(f"cycles: {cycles}" if mode == "execute" else "proof generated in 0.00s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
