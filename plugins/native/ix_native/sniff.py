"""Recognising a lean4export file cheaply: the `ndjson` env format's sniff, also used by
`ix check` to know its own input without loading every env format or the kernel (a
reused `ix prove` sniffs its env and needs nothing else of the parser)."""
from __future__ import annotations

import orjson

from ixcore.errors import InputError
from ixcore.safeio import open_regular


def looks_like_export(path) -> bool:
    """Whether `path` starts as lean4export NDJSON does (a JSON object with a `meta` object
    on its first line). Not a regular file (a FIFO would block the read): False."""
    try:
        with open_regular(path) as fh:
            first = fh.readline(1 << 16)
        obj = orjson.loads(first)
    except (InputError, OSError, ValueError):
        return False
    return isinstance(obj, dict) and isinstance(obj.get("meta"), dict)
