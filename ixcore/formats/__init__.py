"""Byte formats of the pipeline: `.ixprof` profiles and `.ixes` shard manifests
(byte-exact with Ix), their JSON sidecars, and file-type sniffing for `ix inspect`."""
from .ixes import dumps_ixes, loads_ixes, read_ixes, read_ixes_meta, write_ixes
from .ixprof import dumps_ixprof, loads_ixprof, read_ixprof, write_ixprof

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
