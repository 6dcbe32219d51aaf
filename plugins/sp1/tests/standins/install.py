"""Put the SP1 stand-in host on PATH for one test (a shell wrapper calling this interpreter)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def install_sp1(tmp: Path, monkeypatch, commit: str = "df8f1117f112aeadc5203dc624f36c046fc19009") -> dict:
    """Impersonate Ix's sp1-host at `commit`; returns the [plugins.sp1] table (host found on PATH)."""
    bin_dir = tmp / "standin-bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / "sp1-host"
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{HERE / "sp1_host.py"}" "$@"\n')
    path.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("IX_STANDIN_SP1_COMMIT", commit)
    return {"prover": "mock"}
