"""What is this file? A table of (sniffer, summarizer) pairs behind `ix inspect`.

The core's own formats are recognised by magic (or, when the magic is wrong, by their
extension, so a damaged `.ixes` reports its real defect instead of "unknown type").
Other files are offered to the plugins: every registered env format (`sniff(path)`,
`load(path)`) and every leaf or aggregation prover that can read its own proof files
(optional `sniff_proof(path) -> bool`, `describe_proof(path) -> dict`). Adding a format
means adding an `Inspector`, not editing a dispatch chain.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import attrs
import numpy as np

from ..errors import InputError, IxError
from ..manifest import tree_depth
from .ixes import MAGIC as IXES_MAGIC
from .ixes import read_ixes, read_ixes_meta
from .ixprof import GENERATIONS, MAGIC_IXESP, MAGIC_IXPROF, read_ixprof

HEAD_LEN = 16
TOP_BLOCKS = 10


@attrs.frozen
class Inspector:
    """`sniff(path, head)` says whether `summarize(path)` should handle the file; the
    summary is a JSON-able dict whose `type` names what was found."""

    name: str
    sniff: Callable[[Path, bytes], bool]
    summarize: Callable[[Path], dict[str, Any]]


def summarize_ixprof(path: Path) -> dict[str, Any]:
    prof = read_ixprof(path)
    hb = prof.heartbeats.astype(np.float64)
    total = int(prof.heartbeats.sum(dtype=np.uint64))
    consumers = np.bincount(prof.edge_cols, minlength=prof.n) if prof.n else np.zeros(0, np.int64)
    producers = np.diff(prof.edge_rows.astype(np.int64))
    top = np.argsort(-hb, kind="stable")[:TOP_BLOCKS]
    return {
        "type": "ixprof",
        "file": str(path),
        "version": prof.version,
        "generation": GENERATIONS[prof.version].label,
        "blocks": prof.n,
        "edges": prof.num_edges,
        "total_heartbeats": total,
        "total_size": int(prof.sizes.sum(dtype=np.uint64)),
        "zero_heartbeat_blocks": int(np.count_nonzero(prof.heartbeats == 0)),  # producers only, or work below the fast paths
        "extra_columns": sorted(prof.extra),
        "top_blocks": [
            {
                "block": int(i),
                "address": str(prof.addrs[i]),
                "heartbeats": int(prof.heartbeats[i]),
                "share": round(float(hb[i]) / total, 4) if total else 0.0,
                "size": int(prof.sizes[i]),
                "producers": int(producers[i]),
                "consumers": int(consumers[i]),
            }
            for i in top
        ],
    }


def summarize_ixes(path: Path) -> dict[str, Any]:
    manifest = read_ixes(path, legacy_411=True)
    heartbeats = [s.heartbeats for s in manifest.shards]
    mean = sum(heartbeats) / len(heartbeats) if heartbeats else 0
    return {
        "type": "ixes",
        "file": str(path),
        "shards": len(manifest.shards),
        "empty_shards": sum(1 for s in manifest.shards if not s.blocks),
        "blocks": sum(len(s.blocks) for s in manifest.shards),
        "total_cross_ingress": manifest.total_cross_ingress,
        "imbalance_heartbeats": round(max(heartbeats) / mean, 4) if mean else None,
        "tree": manifest.tree is not None,
        "tree_depth": tree_depth(manifest.tree) if manifest.tree is not None else None,
        "ix_main_readable": manifest.tree_covers_all_shards,
        "per_shard": [
            {
                "id": s.id,
                "blocks": len(s.blocks),
                "foreign": len(s.foreign),
                "heartbeats": s.heartbeats,
                "own_size": s.own_size,
                "cross_ingress": s.cross_ingress,
                "asm_root": str(s.asm_root) if s.asm_root is not None else None,
            }
            for s in manifest.shards
        ],
        "meta": read_ixes_meta(path),
    }


def summarize_proof(path: Path) -> dict[str, Any]:
    """A canonical proof (`ixcore.proofio`), bare or as the `fs` store keeps it (with a
    blake3 checksum footer, which is then verified)."""
    from .. import proofio
    from ..store.atomic import split_checksum
    from ._io import read_bytes

    data = read_bytes(path, "proof")
    payload, checksummed = split_checksum(data)
    proof = proofio.loads(payload if checksummed else data, source=str(path))
    return {
        "type": "proof",
        "file": str(path),
        "store_checksum": checksummed,
        "proof_id": str(proofio.proof_id(proof)),
        "backend": proof.backend,
        "kind": proof.kind,
        "program_id": str(proof.program_id),
        "kernel_version": proof.kernel_version,
        "claim": proof.claim.to_json(),
        "unconditional": proof.claim.unconditional,
        "subjects": len(proof.subjects),
        "assumptions": len(proof.assumptions),
        "body_bytes": len(proof.body),
        "stats": proof.stats,
    }


def _by_magic_or_suffix(magics: tuple[bytes, ...], suffix: str) -> Callable[[Path, bytes], bool]:
    def sniff(path: Path, head: bytes) -> bool:
        return any(head.startswith(m) for m in magics) or path.suffix == suffix

    return sniff


def _proof_magic() -> bytes:
    from .. import proofio

    return proofio.MAGIC


BUILTIN_INSPECTORS: tuple[Inspector, ...] = (
    Inspector("ixprof", _by_magic_or_suffix((MAGIC_IXPROF, MAGIC_IXESP), ".ixprof"), summarize_ixprof),
    Inspector("ixes", _by_magic_or_suffix((IXES_MAGIC,), ".ixes"), summarize_ixes),
    Inspector("proof", lambda path, head: head.startswith(_proof_magic()) or path.suffix == ".proof", summarize_proof),
)


def plugin_inspectors(host, config) -> Iterator[Inspector]:
    """Env formats, then provers that read their own proof files. A backend that cannot
    be built here (missing tool, bad options) is skipped: it cannot claim the file."""
    for reg in host.registry("env_format").entries():
        fmt = _build(host, "env_format", reg.name, config)
        if fmt is not None and hasattr(fmt, "sniff"):
            yield Inspector(f"env:{reg.name}", _env_sniffer(fmt), _env_summarizer(reg.name, fmt))
    for role in ("leaf_prover", "agg_prover"):
        for reg in host.registry(role).entries():
            prover = _build(host, role, reg.name, config)
            if prover is not None and hasattr(prover, "sniff_proof") and hasattr(prover, "describe_proof"):
                yield Inspector(
                    f"{role}:{reg.name}",
                    lambda path, head, p=prover: bool(p.sniff_proof(path)),
                    lambda path, p=prover, name=reg.name: {"type": "proof", "file": str(path), "backend": name, **p.describe_proof(path)},
                )


def inspect_file(path: str | Path, host=None, config=None) -> dict[str, Any]:
    """Summary of the first inspector that claims `path`; InputError if none does."""
    from ..safeio import open_regular

    path = Path(path)
    with open_regular(path) as fh:
        head = fh.read(HEAD_LEN)
    tried = [i.name for i in BUILTIN_INSPECTORS]
    for inspector in BUILTIN_INSPECTORS:
        if inspector.sniff(path, head):
            return inspector.summarize(path)
    if host is not None:
        for inspector in plugin_inspectors(host, config):
            tried.append(inspector.name)
            if inspector.sniff(path, head):
                return inspector.summarize(path)
    raise InputError(f"{path}: unknown file type (checked: {', '.join(tried)})")


def _build(host, role: str, name: str, config):
    options = config.plugin_options(name) if config is not None else {}
    try:
        return host.create(role, name, options, check=False)
    except IxError:
        return None


def _env_sniffer(fmt) -> Callable[[Path, bytes], bool]:
    def sniff(path: Path, head: bytes) -> bool:
        try:
            return bool(fmt.sniff(path))
        except (OSError, ValueError, IxError):
            return False

    return sniff


def _env_summarizer(name: str, fmt) -> Callable[[Path], dict[str, Any]]:
    def summarize(path: Path) -> dict[str, Any]:
        env = fmt.load(path)
        items = env.work_items()
        return {
            "type": "env",
            "file": str(path),
            "format": name,
            "blocks": len(items),
            "targets": sum(len(w.targets) for w in items),
            "proven_targets": sum(len(w.proven_targets) for w in items),
            "env_root": str(env.env_root()),
        }

    return summarize
