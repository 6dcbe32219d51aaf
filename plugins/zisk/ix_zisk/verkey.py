"""The program vk that Zisk's program setup writes: `<cache>/<name>.verkey.bin`, 4 u64 LE words.

Name (rom-setup/src/utils.rs `get_elf_bin_verkey_file_path_with_hash`; formats.md):
- 0.18: `<blake3(elf) hex>_<PILOUT_HASH>_<ROM rows>_<blowup 2>_<arity 4>.verkey.bin`
- 1.0:  `<blake3(elf) hex>_<PILOUT_HASH>_<ROM rows>_<hash-mode tag>_<2>_<4>.verkey.bin`
PILOUT_HASH (64 hex) and the ROM row count are compiled into the binary (the fork's differ
from upstream's), so they are matched, not assumed. The cache is zisk's own `ZiskPaths`
rule (common/src/paths.rs): `$ZISK_CACHE_DIR`, else `${ZISK_HOME:-$HOME/.zisk}/cache`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import blake3

from ixcore.errors import InputError

from .versions import VersionLine

VK_BYTES = 32
BLOWUP, ARITY = 2, 4  # ROM_BLOWUP_FACTOR / ROM_MERKLE_TREE_ARITY (0.18), HashMode::Poseidon1 (1.0)


def cache_dir() -> Path:
    if os.environ.get("ZISK_CACHE_DIR"):
        return Path(os.environ["ZISK_CACHE_DIR"])
    home = os.environ.get("ZISK_HOME") or str(Path.home() / ".zisk")
    return Path(home) / "cache"


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
