"""Reusing a stored root: the re-run of an env whose unconditional root is already stored.

A run that ends with a verified, unconditional root whose subject is exactly the env
root banks that root and the aggregates under it (`bank_root`). A later run of the same
env (same bytes, so the same env root) asks the store for an aggregate committing
(subject root = env root, assumptions root = empty) under this run's program pins and,
instead of loading the env, re-aggregating its leaves and verifying a new root, verifies
that one (`reuse_stored_root`):

- the env root comes from the env format's `indexed_root` (the env-index cache entry,
  MAC'd under this machine's key and bound to the file's bytes) or from a loaded env,
  never from the store;
- the index row only names candidates: each is read from its file (checksum, id) and
  must pass every check of the verify phase: the backend's check (record and signature),
  program id, pin, mode, failures, witness roots, subject = env root, no assumption
  and, for attested (record) backends, the whole tree re-derived from its leaves
  (`verify.expand_tree`).

A candidate that fails is named in a warning and the run takes the full path, which
folds the leaves again (and reports the stored proofs it turns away).
"""
from __future__ import annotations

import time

from .address import ZERO, Address
from .errors import IxError
from .fold import Discharge, FoldResult, StoredChild
from .model import Proof
from .pipeline import Backends, RunResult
from .proofio import proof_id
from .store import ProofKey
from .verify import Check, VerifyReport, expand_tree, fetch_from, verify_root


def reuse_stored_root(env_path, backends: Backends, env=None) -> tuple[RunResult | None, list[str]]:
    """The run result built on a stored root of this env (naming any candidate refused
    before it), or None and the reasons every candidate was refused: the full path runs."""
    start = time.perf_counter()
    leaf, agg, store = backends.leaf_prover, backends.agg_prover, backends.store
    if store is None or agg is None or not hasattr(store, "with_roots"):
        return None, []
    if env is not None:
        env_root, blocks = env.env_root(), len(env.work_items())
    else:
        indexed = getattr(backends.env_format, "indexed_root", None)
        summary = indexed(env_path) if indexed is not None else None
        if summary is None:
            return None, []  # no authenticated index: the full path parses (and caches) the env
        env_root, blocks = summary
    phases = {"load": time.perf_counter() - start, "store": 0.0, "verify": 0.0}
    backend = getattr(leaf, "backend", leaf.name)
    key = ProofKey(backend, agg.program_ids[1], leaf.kernel_version)
    notes: list[str] = []
    for pid in store.with_roots(env_root, ZERO, "agg", {key}):
        mark = time.perf_counter()
        try:
            root = store.get(pid)
            read = time.perf_counter()
            phases["store"] += read - mark
            report, support = _verified(root, env_root, leaf, agg, store)  # reads the tree below it too
            phases["verify"] += time.perf_counter() - read
        except IxError as exc:
            report, support = VerifyReport((Check("read", False, str(exc)),)), ()
        if report.ok:
            rounded = {name: round(seconds, 6) for name, seconds in phases.items()}
            return _result(env_path, env_root, blocks, root, support, report, rounded, notes), []
        why = "; ".join(f"{c.name}: {c.detail}" for c in report.failures())
        notes.append(f"stored root {pid} of this env not reused ({why}); folding the leaves again")
    return None, notes


def _verified(root: Proof, env_root: Address, leaf, agg, store) -> tuple[VerifyReport, tuple[Proof, ...]]:
    """The verify phase's checks on a stored root, and (attested backends) the proofs of
    its re-derived tree below it."""
    report = verify_root(
        root, leaf_id=leaf.program_id, agg_id=agg.program_ids[1], backend_check=agg.verify,
        env_root=env_root, env_targets=None, require_unconditional=True,
    )
    if not report.ok or not getattr(agg, "attested", False):
        return report, ()

    tree = expand_tree(root, fetch_from(store), leaf, agg)
    support = tuple(p for pid, p in tree.nodes.items() if pid != tree.root)
    return VerifyReport(report.checks + (tree.check(),)), support


def _result(env_path, env_root, blocks, root, support, report, phases, notes) -> RunResult:
    fold = FoldResult(
        root, Discharge(root.subjects, root.assumptions), (StoredChild(proof_id(root)),),
        aggregations=0, seconds=0.0, aggregated=True,
    )
    return RunResult(
        env_path=str(env_path), env_root=env_root, root=root, leaves=(), stored=(root,), fold=fold,
        verification=report, shards=(), phases=phases, outstanding=(), extra_subjects=0, warnings=tuple(notes),
        blocks=blocks, support=support,
    )


def bank_root(store, root: Proof, aggregates, env_root: Address, folded) -> None:
    """Bank a verified, unconditional root whose subject is exactly `env_root`, with the
    aggregates under it (`reuse_stored_root` re-derives it from them and the stored
    leaves). Not when a folded stored proof already is such a root: re-folding it would
    bank a new root per run."""
    def is_env_root(p: Proof) -> bool:
        return p.kind == "agg" and p.claim.subject_root == env_root and p.claim.assumptions_root == ZERO

    if store is None or not is_env_root(root) or any(is_env_root(p) for p in folded):
        return
    for proof in aggregates:
        store.put(proof)
