"""Stand-in `cargo-zisk` (TEST DOUBLE, not a prover; see README.md in this folder).

Impersonates the version in IX_STANDIN_ZISK_VERSION (default 0.18.0; build mode
IX_STANDIN_ZISK_MODE, default gpu). Its argv is parsed with that version's golden clap
table; it writes the verkey file where that version's setup does and proof files in that
version's layout, and prints that version's lines. Nothing here imports ix_zisk.
"""
from __future__ import annotations

import json
import os
import struct
import sys
import time
from pathlib import Path

import blake3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _clap import clap_error, commands, parse, ref_for
from _guest import (
    agg_guest,
    die,
    guest_kind,
    leaf_guest,
    program_vk,
    tag,
)

VERSION = os.environ.get("IX_STANDIN_ZISK_VERSION", "0.18.0")
MODE = os.environ.get("IX_STANDIN_ZISK_MODE", "gpu")
REF = ref_for(VERSION)
V1 = VERSION.startswith("1.")
PILOUT = "5f" * 32  # a stand-in PILOUT_HASH; the real one is compiled into the binary
ROM_ROWS = 1 << 21
SETUP = {"v0.16.1": "rom-setup", "v0.17.0": "program-setup", "v0.18.0": "program-setup", "pre-develop-1.0.0-beta": "setup"}


def _varint(x: int) -> bytes:
    if x < 251:
        return bytes([x])
    for marker, width in ((251, 2), (252, 4), (253, 8)):
        if x < 1 << (8 * width):
            return bytes([marker]) + x.to_bytes(width, "little")
    raise ValueError(x)


def _u64s(ws) -> bytes:
    return _varint(len(ws)) + b"".join(_varint(w) for w in ws)


def proof_file(vk: bytes, publics: bytes, zisk_vk: tuple[int, ...]) -> bytes:
    """bincode 2 `Proof`; 1.0 adds `hash: String` to the Vadcop body and `hash_mode` to ProgramVK."""
    data = publics.ljust(256, b"\0")
    hash_field = _varint(9) + b"Poseidon1" if V1 else b""
    hash_mode = _varint(0) if V1 else b""
    return (_varint(0) + _u64s(tag(vk, data, zisk_vk)) + _u64s(zisk_vk) + b"\x00" + hash_field
            + _varint(len(data)) + data + _u64s(struct.unpack("<4Q", vk)) + hash_mode)


def read_proof_file(raw: bytes) -> tuple[bytes, bytes, tuple, tuple]:
    """Reader for `verify`: (program vk, publics, proof words, zisk_vk); 1.0 checks hash vs hash_mode."""
    pos = 0

    def varint():
        nonlocal pos
        head = raw[pos]
        width = {251: 2, 252: 4, 253: 8}.get(head, 0)
        v = head if not width else int.from_bytes(raw[pos + 1 : pos + 1 + width], "little")
        pos += 1 + width
        return v

    def vec() -> bytes:
        nonlocal pos
        n = varint()
        pos += n
        return raw[pos - n : pos]

    try:
        if varint() != 0:
            die("verify: not a Vadcop proof")
        proof = tuple(varint() for _ in range(varint()))
        zvk = tuple(varint() for _ in range(varint()))
        pos += 1
        hash_name = vec().decode() if V1 else None
        publics = vec()
        vk = struct.pack("<4Q", *(varint() for _ in range(varint())))
        mode = varint() if V1 else None
    except (IndexError, struct.error, UnicodeDecodeError):
        die("verify: malformed proof file")
    if pos != len(raw) or len(zvk) != 4:
        die("verify: malformed proof file")
    if V1 and ("Poseidon1", 0) != (hash_name, mode):
        die(f"verify: proof hash {hash_name!r} does not match program vk hash mode {mode}")
    return vk, publics, proof, zvk


def vadcop_final_vk(got: dict) -> tuple[int, ...]:
    """proofman's get_vadcop_final_proof_vkey: <pk>/<globalInfo name>/vadcop_final/vadcop_final.verkey.bin."""
    pk = Path(got.get("proving_key") or Path(os.environ.get("ZISK_HOME") or Path(os.environ["HOME"]) / ".zisk") / "provingKey")
    try:
        name = json.loads((pk / "pilout.globalInfo.json").read_text())["name"]
        return struct.unpack("<4Q", (pk / name / "vadcop_final" / "vadcop_final.verkey.bin").read_bytes())
    except (OSError, ValueError, KeyError, struct.error) as exc:
        die(f"proving key {pk} unusable: {exc}")


def cache_dir() -> Path:
    """zisk's ZiskPaths: $ZISK_CACHE_DIR, else ${ZISK_HOME:-$HOME/.zisk}/cache."""
    if os.environ.get("ZISK_CACHE_DIR"):
        return Path(os.environ["ZISK_CACHE_DIR"])
    return Path(os.environ.get("ZISK_HOME") or Path(os.environ["HOME"]) / ".zisk") / "cache"


def setup(elf: Path) -> None:
    """rom_merkle_setup: write `<blake3 elf>_<pilout>_<rows>[_poseidon1]_2_4.verkey.bin` (4 u64 LE)."""
    data = elf.read_bytes()
    guest_kind(data)
    mode = "poseidon1_" if V1 else ""
    name = f"{blake3.blake3(data).hexdigest()}_{PILOUT}_{ROM_ROWS}_{mode}2_4.verkey.bin"
    if os.environ.get("IX_STANDIN_ZISK_SETUP_WRITES") == "0":
        return  # a test knob: setup that left no verkey (e.g. another cache)
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    (cache / name).write_bytes(program_vk(data))


def prove(got: dict) -> int:
    if "elf" not in got:
        die("prove: no ELF given")
    elf = Path(got["elf"])
    setup(elf)  # prove runs the program setup itself at 0.18 and 1.0
    elf_bytes = elf.read_bytes()
    data = Path(got["inputs"]).read_bytes()
    publics, steps = (leaf_guest if guest_kind(elf_bytes) == "leaf" else agg_guest)(data)
    default = f"{int(time.time())}-0-proof.bin" if V1 else "vadcop_final_proof.bin"
    out = Path(got.get("output") or default)
    out.write_bytes(proof_file(program_vk(elf_bytes), publics, vadcop_final_vk(got)))
    if V1:
        print("--- PROVE SUMMARY -------------")
        print(f"Proof generated in 0.010s, steps: {steps}")
        print(f"Proof saved to {out}")
    else:
        print(f"Execution completed in 1ms, steps: {steps}")
        print("INFO: Proof Time: 0.010 seconds")
    return 0


def main(argv: list[str]) -> int:
    if argv in (["--version"], ["-V"]):
        print(f"cargo-zisk {VERSION} [{MODE}] (standin test-double)")
        return 0
    if REF is None:
        die(f"the stand-in has no golden table for cargo-zisk {VERSION}")
    if not argv:
        clap_error("'cargo-zisk' requires a subcommand but one was not provided")
    cmd = argv[0]
    if cmd not in commands(REF, "cargo-zisk"):
        clap_error(f"unrecognized subcommand '{cmd}'")
    got = parse(REF, "cargo-zisk", cmd, argv[1:], MODE)
    if cmd == SETUP[REF]:
        setup(Path(got["elf"]))
        return 0
    if cmd == "verify":
        vk, publics, proof, zvk = read_proof_file(Path(got["proof"]).read_bytes())
        if proof != tag(vk, publics, zvk):  # like zisk: against the vk inside the file
            sys.stderr.write("standin: proof does not verify\n")
            return 1
        print("Proof verified")
        return 0
    if cmd == "prove" and REF in ("v0.18.0", "pre-develop-1.0.0-beta"):
        return prove(got)
    die(f"the stand-in does not implement cargo-zisk {VERSION} {cmd}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
