"""`[plugins.zisk]` in ix.toml, validated and resolved.

    [plugins.zisk]
    cargo_zisk = "/opt/zisk/bin/cargo-zisk"   # default: PATH, then ~/.zisk/bin
    ziskemu = "/opt/zisk/bin/ziskemu"          # default: PATH, then ~/.zisk/bin
    leaf_elf = "ix/zisk/target/elf/riscv64ima-zisk-zkvm-elf/release/zisk-guest"
    agg_elf = "ix/zisk/target/elf/riscv64ima-zisk-zkvm-elf/release/zisk-agg-guest"
    proving_key = "~/.zisk/provingKey"         # default: the toolchain's own default
    gpu = false
    executor = "assembly"                      # or "emulator"
    max_witness_stored = 10
    leaf_vk = "<64 hex>"                       # optional pins, used when setup wrote no .verkey.bin
    agg_vk = "<64 hex>"
    zisk_vk = "<64 hex>"                       # optional pin of the vadcop final vk, used when
                                               # the proving key has no vadcop_final.verkey.bin
    cost_model = "zisk-main"                   # one of ixcore.costmodel's named models
    timeout_s = 7200
"""
from __future__ import annotations

import os
from pathlib import Path

import attrs

from ixcore.config import check_table
from ixcore.errors import ConfigError

from .versions import EXECUTORS

SCHEMA = {
    "cargo_zisk": str,
    "ziskemu": str,
    "leaf_elf": str,
    "agg_elf": str,
    "proving_key": str,
    "gpu": bool,
    "executor": str,
    "max_witness_stored": int,
    "leaf_vk": str,
    "agg_vk": str,
    "zisk_vk": str,
    "cost_model": str,
    "timeout_s": (int, float),
}

DEFAULT_COST_MODEL = "zisk-main"


def _path(value: str | None) -> Path | None:
    return Path(os.path.expanduser(value)) if value else None


def _vk(value: str | None, key: str) -> bytes | None:
    if value is None:
        return None
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ConfigError(f"[plugins.zisk] {key!r} must be 64 hex digits (a 32-byte program vk)")
    return raw


@attrs.frozen
class ZiskSettings:
    cargo_zisk: Path | None = None
    ziskemu: Path | None = None
    leaf_elf: Path | None = None
    agg_elf: Path | None = None
    proving_key: Path | None = None
    gpu: bool = False
    executor: str = "assembly"
    max_witness_stored: int | None = None
    leaf_vk: bytes | None = None
    agg_vk: bytes | None = None
    zisk_vk: bytes | None = None
    cost_model: str = DEFAULT_COST_MODEL
    timeout_s: float | None = None

    @classmethod
    def from_table(cls, table: dict) -> ZiskSettings:
        check_table(table, SCHEMA, "plugins.zisk")
        executor = table.get("executor", "assembly")
        if executor not in EXECUTORS:
            raise ConfigError(f"plugins.zisk.executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
        mws = table.get("max_witness_stored")
        if mws is not None and mws < 1:
            raise ConfigError("plugins.zisk.max_witness_stored must be at least 1")
        return cls(
            cargo_zisk=_path(table.get("cargo_zisk")),
            ziskemu=_path(table.get("ziskemu")),
            leaf_elf=_path(table.get("leaf_elf")),
            agg_elf=_path(table.get("agg_elf")),
            proving_key=_path(table.get("proving_key")),
            gpu=table.get("gpu", False),
            executor=executor,
            max_witness_stored=mws,
            leaf_vk=_vk(table.get("leaf_vk"), "leaf_vk"),
            agg_vk=_vk(table.get("agg_vk"), "agg_vk"),
            zisk_vk=_vk(table.get("zisk_vk"), "zisk_vk"),
            cost_model=table.get("cost_model", DEFAULT_COST_MODEL),
            timeout_s=table.get("timeout_s"),
        )
