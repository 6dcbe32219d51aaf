"""Put the Zisk stand-ins on PATH for one test (shell wrappers calling this interpreter)."""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _guest import ZISK_VK_WORDS


def wrapper(bin_dir: Path, name: str, script: Path) -> Path:
    path = bin_dir / name
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    path.chmod(0o755)
    return path


def install_zisk(tmp: Path, monkeypatch, version: str = "0.18.0", mode: str = "gpu") -> dict:
    """Wrappers for cargo-zisk and ziskemu, two stand-in ELFs and a private zisk cache
    (ZISK_CACHE_DIR, read by zisk and by ix alike); returns the [plugins.zisk] table."""
    bin_dir = tmp / "standin-bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    wrapper(bin_dir, "cargo-zisk", HERE / "cargo_zisk.py")
    wrapper(bin_dir, "ziskemu", HERE / "ziskemu.py")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("IX_STANDIN_ZISK_VERSION", version)
    monkeypatch.setenv("IX_STANDIN_ZISK_MODE", mode)
    monkeypatch.setenv("ZISK_CACHE_DIR", str(tmp / "zisk-cache"))
    home = tmp / "zisk-home"  # ZISK_HOME/provingKey: the default proving key zisk and ix read
    final = home / "provingKey" / "zisk" / "vadcop_final"
    final.mkdir(parents=True, exist_ok=True)
    (home / "provingKey" / "pilout.globalInfo.json").write_text('{"name": "zisk"}')
    (final / "vadcop_final.verkey.bin").write_bytes(struct.pack("<4Q", *ZISK_VK_WORDS))
    monkeypatch.setenv("ZISK_HOME", str(home))
    elves = {}
    for kind in ("leaf", "agg"):
        elves[kind] = tmp / f"standin-{kind}.elf"
        elves[kind].write_bytes(b"IX-STANDIN-ELF " + kind.encode() + b"\n")
    return {"leaf_elf": str(elves["leaf"]), "agg_elf": str(elves["agg"])}
