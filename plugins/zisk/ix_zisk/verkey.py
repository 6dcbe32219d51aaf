"""The two vks a Zisk proof is checked against, read from the files zisk itself uses.

Program vk: what program setup writes to `<cache>/<name>.verkey.bin`, 4 u64 LE words.

Name (rom-setup/src/utils.rs `get_elf_bin_verkey_file_path_with_hash`; formats.md):
- 0.18: `<blake3(elf) hex>_<PILOUT_HASH>_<ROM rows>_<blowup 2>_<arity 4>.verkey.bin`
- 1.0:  `<blake3(elf) hex>_<PILOUT_HASH>_<ROM rows>_<hash-mode tag>_<2>_<4>.verkey.bin`
PILOUT_HASH (64 hex) and the ROM row count are compiled into the binary (the fork's differ
from upstream's), so they are matched, not assumed. The cache is zisk's own `ZiskPaths`
rule (common/src/paths.rs): `$ZISK_CACHE_DIR`, else `${ZISK_HOME:-$HOME/.zisk}/cache`.

Vadcop final vk (`zisk_vk`): `cargo-zisk verify` and the aggregation guest verify a proof
against the zisk_vk carried inside it, so a proof made for another circuit verifies
against its own key. ix pins it to the proving key's: proofman's
`get_vadcop_final_proof_vkey` reads `<proving key>/<globalInfo name>/vadcop_final/vadcop_final.verkey.bin`
(`name` from `<proving key>/pilout.globalInfo.json`; pil2-proofman v0.18.0 and v1.0.0-alpha,
proofman/src/utils.rs:1278, common/src/global_info.rs `get_setup_path`).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import blake3

from ixcore.errors import InputError

from .versions import VersionLine

VK_BYTES = 32
BLOWUP, ARITY = 2, 4  # ROM_BLOWUP_FACTOR / ROM_MERKLE_TREE_ARITY (0.18), HashMode::Poseidon1 (1.0)


def _zisk_home() -> Path:
    return Path(os.environ.get("ZISK_HOME") or str(Path.home() / ".zisk"))


def cache_dir() -> Path:
    if os.environ.get("ZISK_CACHE_DIR"):
        return Path(os.environ["ZISK_CACHE_DIR"])
    return _zisk_home() / "cache"


def proving_key_dir(configured: Path | None) -> Path:
    """`--proving-key`, else zisk's default `${ZISK_HOME:-$HOME/.zisk}/provingKey`."""
    return configured if configured is not None else _zisk_home() / "provingKey"


VADCOP_FINAL = "<name>/vadcop_final/vadcop_final.verkey.bin"


def read_vadcop_final_vk(proving_key: Path) -> bytes | None:
    """The proving key's vadcop final vk (32 bytes), None when the key has no such file."""
    info = proving_key / "pilout.globalInfo.json"
    if not info.is_file():
        return None
    try:
        name = json.loads(info.read_text()).get("name")
    except (ValueError, AttributeError, UnicodeDecodeError):
        name = None
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name in (".", ".."):
        raise InputError(f"{info}: not a proofman globalInfo with a plain 'name'")
    path = proving_key / name / "vadcop_final" / "vadcop_final.verkey.bin"
    if not path.is_file():
        return None
    raw = path.read_bytes()
    if len(raw) != VK_BYTES:
        raise InputError(f"{path}: a vadcop final vk is {VK_BYTES} bytes (4 u64 LE words), this one is {len(raw)}")
    return raw


def _tail(line: VersionLine) -> str:
    tag = f"{line.verkey_tag}_" if line.verkey_tag else ""
    return f"{tag}{BLOWUP}_{ARITY}.verkey.bin"


def describe(line: VersionLine) -> str:
    return f"<blake3(elf)>_<pilout>_<rows>_{_tail(line)}"


def file_pattern(elf_hash_hex: str, line: VersionLine) -> re.Pattern:
    return re.compile(rf"{elf_hash_hex}_[0-9a-f]{{64}}_\d+_{re.escape(_tail(line))}")


def read_verkey(elf: bytes, line: VersionLine, cache: Path | None = None) -> bytes | None:
    """The 32 bytes setup wrote for this ELF, None if there is no file; ambiguity is an error."""
    cache = cache_dir() if cache is None else cache
    pattern = file_pattern(blake3.blake3(elf).hexdigest(), line)
    found = sorted(p for p in cache.glob("*.verkey.bin") if pattern.fullmatch(p.name)) if cache.is_dir() else []
    if not found:
        return None
    if len(found) > 1:
        raise InputError(f"{cache}: {len(found)} verkey files for one ELF ({found[0].name}, {found[1].name}, ...): "
                         "remove the stale ones (an older proving key) or pin the vk in ix.toml")
    raw = found[0].read_bytes()
    if len(raw) != VK_BYTES:
        raise InputError(f"{found[0]}: a verkey file is {VK_BYTES} bytes (4 u64 LE words), this one is {len(raw)}")
    return raw
