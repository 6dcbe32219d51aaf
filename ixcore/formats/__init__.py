"""Byte formats of the pipeline: `.ixprof` profiles and `.ixes` shard manifests
(byte-exact with Ix), their JSON sidecars, and file-type sniffing for `ix inspect`.

The names below are imported from their modules on first use (PEP 562), so importing
one format (the `ixe` env format, to sniff a file) does not import the others (numpy)."""
from __future__ import annotations

import importlib

__all__ = [
    "dumps_ixes",
    "loads_ixes",
    "read_ixes",
    "read_ixes_meta",
    "write_ixes",
    "dumps_ixprof",
    "loads_ixprof",
    "read_ixprof",
    "write_ixprof",
]

_MODULE_OF = {name: ("ixes" if "ixes" in name else "ixprof") for name in __all__}


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
