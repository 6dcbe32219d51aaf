"""Stand-in `cargo-zisk` (TEST DOUBLE, not a prover; see README.md in this folder).

Impersonates the CLI line named by IX_STANDIN_ZISK_VERSION (default 0.18.0) and rejects
any argv that line would not accept.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _guest import ZISK_VK_WORDS, agg_guest, die, guest_kind, leaf_guest, program_vk, tag  # noqa: E402

VERSION = os.environ.get("IX_STANDIN_ZISK_VERSION", "0.18.0")
LINE = "1.0" if VERSION.startswith("1.") else ("0.16" if int(VERSION.split(".")[1]) <= 16 else "0.17")

# subcommand -> (flags taking a value, switches, required flags), per version line
_KEY = {"--proving-key"}
_PROVE_COMMON = {"--elf", "--max-witness-stored"} | _KEY
COMMANDS = {
    "0.16": {
        "rom-setup": ({"--elf"} | _KEY, {"--gpu"}, {"--elf"}),
        "prove": (_PROVE_COMMON | {"--input", "--output-dir"}, {"--aggregation", "--emulator", "--gpu"},
                  {"--elf", "--input", "--output-dir", "--aggregation"}),
    },
    "0.17": {
        "program-setup": ({"--elf"} | _KEY, {"--gpu"}, {"--elf"}),
        "prove": (_PROVE_COMMON | {"--inputs", "--output"}, {"--emulator", "--gpu"}, {"--elf", "--inputs", "--output"}),
    },
    "1.0": {
        "program-setup": ({"--elf"} | _KEY, {"--gpu"}, {"--elf"}),
        "prove": (_PROVE_COMMON | {"--inputs", "--output"}, {"--asm", "--gpu"}, {"--elf", "--inputs", "--output"}),
    },
}
for _line in COMMANDS.values():
    _line["rom-vkey"] = ({"--elf", "--vkey-file"} | _KEY, set(), {"--elf", "--vkey-file"})
    _line["verify"] = ({"--proof"}, set(), {"--proof"})


def parse(argv: list[str]) -> tuple[str, dict]:
    if not argv:
        die("no subcommand")
    cmd, rest = argv[0], argv[1:]
    spec = COMMANDS[LINE].get(cmd)
    if spec is None:
        die(f"cargo-zisk {VERSION} has no subcommand {cmd!r}")
    valued, switches, required = spec
    got: dict = {}
    i = 0
    while i < len(rest):
        flag = rest[i]
        if flag in got:
            die(f"{cmd}: {flag} given twice")
        if flag in valued:
            if i + 1 >= len(rest) or rest[i + 1].startswith("--"):
                die(f"{cmd}: {flag} needs a value")
            got[flag] = rest[i + 1]
            i += 2
        elif flag in switches:
            got[flag] = True
            i += 1
        else:
            die(f"cargo-zisk {VERSION} {cmd}: unexpected argument {flag!r}")
    missing = sorted(required - set(got))
    if missing:
        die(f"cargo-zisk {VERSION} {cmd}: missing {', '.join(missing)}")
    if "--max-witness-stored" in got and not got["--max-witness-stored"].isdigit():
        die("--max-witness-stored needs an integer")
    return cmd, got


def _varint(x: int) -> bytes:
    if x < 251:
        return bytes([x])
    for marker, width in ((251, 2), (252, 4), (253, 8)):
        if x < 1 << (8 * width):
            return bytes([marker]) + x.to_bytes(width, "little")
    raise ValueError(x)


def _u64s(ws) -> bytes:
    return _varint(len(ws)) + b"".join(_varint(w) for w in ws)


def proof_file(vk: bytes, publics: bytes) -> bytes:
    """bincode 2: Proof{ body: Vadcop{proof, zisk_vk, minimal}, publics{data}, program_vk{vk} }."""
    data = publics.ljust(256, b"\0")
    return (
        _varint(0) + _u64s(tag(vk, data)) + _u64s(ZISK_VK_WORDS) + b"\x00"
        + _varint(len(data)) + data + _u64s(struct.unpack("<4Q", vk))
    )


def read_proof_file(raw: bytes) -> tuple[bytes, bytes, tuple]:
    """Minimal reader for `verify`: returns (program vk, publics, proof words)."""
    pos = 0

    def varint():
        nonlocal pos
        head = raw[pos]
        if head < 251:
            pos += 1
            return head
        width = {251: 2, 252: 4, 253: 8}[head]
        v = int.from_bytes(raw[pos + 1 : pos + 1 + width], "little")
        pos += 1 + width
        return v

    if varint() != 0:
        die("verify: not a Vadcop proof")
    proof = tuple(varint() for _ in range(varint()))
    zvk = tuple(varint() for _ in range(varint()))
    pos += 1
    n = varint()
    publics = raw[pos : pos + n]
    pos += n
    vk = struct.pack("<4Q", *(varint() for _ in range(varint())))
    if pos != len(raw) or zvk != ZISK_VK_WORDS:
        die("verify: malformed proof file")
    return vk, publics, proof


def main(argv: list[str]) -> int:
    if argv == ["--version"]:
        print(f"cargo-zisk {VERSION} [cpu] (standin test-double)")
        return 0
    cmd, got = parse(argv)
    if cmd == "rom-vkey":
        Path(got["--vkey-file"]).write_bytes(program_vk(Path(got["--elf"]).read_bytes()))
        return 0
    if cmd in ("rom-setup", "program-setup"):
        elf = Path(got["--elf"])
        guest_kind(elf.read_bytes())
        elf.with_name(elf.name + ".standin-setup").write_text("done")
        return 0
    if cmd == "verify":
        vk, publics, proof = read_proof_file(Path(got["--proof"]).read_bytes())
        if proof != tag(vk, publics):
            sys.stderr.write("standin: proof does not verify\n")
            return 1
        print("Proof verified")
        return 0
    elf = Path(got["--elf"])
    elf_bytes = elf.read_bytes()
    if LINE == "0.16" and not elf.with_name(elf.name + ".standin-setup").exists():
        die("0.16 needs rom-setup before prove")
    data = Path(got.get("--inputs") or got["--input"]).read_bytes()
    publics, steps = (leaf_guest if guest_kind(elf_bytes) == "leaf" else agg_guest)(data)
    if LINE == "0.16":
        out = Path(got["--output-dir"]) / "proofs" / "vadcop_final_proof.bin"
        out.parent.mkdir(parents=True, exist_ok=True)
    else:
        out = Path(got["--output"])
    out.write_bytes(proof_file(program_vk(elf_bytes), publics))
    print(f"Execution completed in 1ms, steps: {steps}")
    print("INFO: Proof Time: 0.010 seconds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
