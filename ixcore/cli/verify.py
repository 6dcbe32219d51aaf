"""`ix verify PROOF`: the external verifier. Trusts only the installed provers' program
ids and the trusted signing keys, never values found inside the proof; exit 1 on any
failed check.

For record backends (native) the whole tree is expanded from the root (children from
the run directory's proofs/ or --store) and every aggregate re-derived from its children
(`ixcore.verify.expand_tree`); every leaf's signer is listed. The environment is loaded
with `trust=False`: recomputed from the file, never from a cache.
"""
from __future__ import annotations

import random
import secrets
from pathlib import Path

import click

from .. import keys, proofio
from ..address import Address
from ..errors import InputError, IxError
from ..safeio import read_regular
from ..verify import Check, VerifyReport, expand_tree, verify_leaf_set, verify_root
from .context import Context, json_option, pass_ctx
from .prove import resolve_env_format, trust_attested


def _read(path: Path):
    return proofio.loads(read_regular(path, "proof"), source=str(path))


def _load_targets(ctx: Context, env_path: Path):
    env = resolve_env_format(ctx, env_path, ctx.config["env_format"]).load(env_path, trust=False)
    items = env.work_items()
    if not items:  # as `ix prove` refuses it: an empty env has no claim to check against
        raise InputError(f"{env_path}: the environment declares nothing; there is no claim to check")
    return env, env.env_root(), [t for w in items for t in w.proven_targets]


def _fetcher(run_dir: Path | None, store_path: str | None):
    """Proof by id from the run directory's proofs/, else from the store (or None)."""
    files = {}
    if run_dir is not None and (run_dir / "proofs").is_dir():
        files = {f.stem: f for f in (run_dir / "proofs").glob("*.proof")}
    store = None
    if store_path:
        from ..store import FsStore

        store = FsStore(store_path, read_only=True)

    def fetch(pid: Address):
        if str(pid) in files:
            return _read(files[str(pid)])
        if store is not None and store.has(pid):
            return store.get(pid)
        return None

    return fetch


def _audit_size(text: str, leaves: int) -> int:
    """--audit N (a count) or a fraction in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"--audit {text!r}: give a leaf count (e.g. 5) or a fraction (e.g. 0.1)") from None
    if value <= 0 or (not value.is_integer() and value > 1):
        raise InputError(f"--audit {text!r}: must be a positive count or a fraction in (0, 1]")
    if value.is_integer() and "." not in text:
        return min(int(value), leaves)
    return min(leaves, max(1, round(value * leaves)))


def _reexecute(leaf, env, tree, sample: list[Address], label: str) -> list[Check]:
    bad = []
    for pid in sample:
        try:
            leaf.verify(tree.nodes[pid], reexecute=True, env=env)
        except IxError as exc:
            bad.append(Check("reexecute", False, f"leaf {pid}: {exc}"))
    if bad:
        return bad
    return [Check("reexecute", True, f"{len(sample)} {label} leaf execution(s) re-run and matched")]


def _signers(leaf, proofs) -> list[dict]:
    """Signer of every leaf (record backends), with where its trust comes from."""
    rows = []
    for pid, proof in proofs:
        hexkey = leaf.signer_of(proof)
        raw = bytes.fromhex(hexkey) if hexkey else b""
        rows.append({
            "leaf": str(pid), "signer": hexkey, "fingerprint": keys.fingerprint(raw) if raw else "",
            "trusted_by": leaf.trust.source_of(raw) if raw else None,
        })
    return rows


@click.command("verify")
@click.argument("proof", type=click.Path(exists=True, path_type=Path))
@click.option("--env", "env_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Require the claim to cover this environment.")
@click.option("--reexecute", is_flag=True, help="Re-run every leaf of the tree against --env (the full audit).")
@click.option("--audit", "audit", metavar="N", help="Re-run a random sample of leaves: a count, or a fraction like 0.1.")
@click.option("--seed", type=int, help="Seed of the --audit sample (default: random, and reported).")
@click.option("--store", "store_path", help="Proof store to find children in (beside the run directory's proofs/).")
@click.option("--allow-assumptions", is_flag=True, help="Accept a conditional claim (outstanding assumptions).")
@json_option
@pass_ctx
def verify_command(ctx: Context, proof, env_path, reexecute, audit, seed, store_path, allow_assumptions):
    """Check PROOF (a root .proof file, or a run directory from `ix prove --out`)."""
    run_dir = proof if proof.is_dir() else proof.parent.parent if proof.parent.name == "proofs" else proof.parent
    if (reexecute or audit is not None) and env_path is None:
        raise InputError("--reexecute and --audit need --env (the environment the leaves ran on)")
    if reexecute and audit is not None:
        raise InputError("--reexecute re-runs every leaf; --audit a sample of them: give one")
    if proof.is_dir():
        root_file = proof / "root.proof"
        if root_file.exists():
            proofs = [_read(root_file)]
        else:
            proofs = [_read(f) for f in sorted((proof / "proofs").glob("*.proof"))]
            if not proofs:
                raise InputError(f"{proof}: no root.proof and no proofs/*.proof")
    else:
        proofs = [_read(proof)]
    env = env_root = targets = None
    if env_path is not None:
        env, env_root, targets = _load_targets(ctx, env_path)
    backend = proofs[0].backend
    cfg = ctx.config
    leaf = ctx.host.create("leaf_prover", backend, cfg.plugin_options(backend))
    attested = getattr(leaf, "attested", False)
    trust_attested(cfg, leaf)
    require = not allow_assumptions
    data: dict = {"proof": str(proof)}
    if len(proofs) == 1 and proofs[0].kind == "agg":
        agg = ctx.host.create("agg_prover", backend, cfg.plugin_options(backend))
        trust_attested(cfg, agg)
        report = verify_root(
            proofs[0], leaf_id=leaf.program_id, agg_id=agg.program_ids[1], backend_check=agg.verify,
            env_root=env_root, env_targets=targets, require_unconditional=require,
        )
        checks = list(report.checks)
        tree = None
        if attested or reexecute or audit is not None:
            if not hasattr(agg, "children_of"):
                raise InputError(f"{backend} aggregates do not name their children; --reexecute/--audit need a record backend")
            tree = expand_tree(proofs[0], _fetcher(run_dir, store_path), leaf, agg)
            checks.append(tree.check())
        if tree is not None and attested:
            data["signers"] = _signers(leaf, [(pid, tree.nodes[pid]) for pid in tree.leaves])
        if tree is not None and (reexecute or audit is not None):
            leaf_ids = sorted(tree.leaves)
            if not tree.ok:
                checks.append(Check("reexecute", False, "the tree did not expand; re-execution needs every leaf"))
            elif reexecute:
                checks += _reexecute(leaf, env, tree, leaf_ids, "of all")
            elif audit is not None:
                n = _audit_size(audit, len(leaf_ids))
                seed = secrets.randbits(32) if seed is None else seed
                sample = sorted(random.Random(seed).sample(leaf_ids, n))
                data["audit"] = {"seed": seed, "sampled": [str(p) for p in sample], "of": len(leaf_ids)}
                checks += _reexecute(leaf, env, tree, sample, f"sampled (seed {seed}, {n} of {len(leaf_ids)})")
        report = VerifyReport(tuple(checks))
    else:
        if audit is not None:
            raise InputError("--audit samples the leaves of an aggregated root; this is a leaf set (use --reexecute)")
        leaves = [p for p in proofs if p.kind == "leaf"]
        report = verify_leaf_set(
            leaves, leaf_id=leaf.program_id,
            backend_check=(lambda p: leaf.verify(p, reexecute=reexecute, env=env)),
            env_root=env_root, env_targets=targets, require_unconditional=require,
        )
        if attested:
            data["signers"] = _signers(leaf, [(proofio.proof_id(p), p) for p in leaves])
    data.update(report.to_json())
    if proofs[0].kind == "agg":
        data["claim"] = proofs[0].claim.to_json()

    def human():
        for c in report.checks:
            mark = "[green]ok[/]  " if c.ok else "[red]FAIL[/]"
            ctx.console.print(f"{mark} {c.name}: {c.detail}")
        for row in data.get("signers", ()):
            who = f"{row['fingerprint']} ({row['trusted_by'] or 'UNTRUSTED'})" if row["signer"] else "unsigned"
            ctx.console.print(f"     leaf {row['leaf'][:16]} signed by {who}")
        if "audit" in data:
            ctx.console.print(f"     audit seed {data['audit']['seed']}: " + ", ".join(s[:16] for s in data["audit"]["sampled"]))
        ctx.result("[green]verified[/]" if report.ok else "[red]verification failed[/]")

    ctx.emit(data, human)
    return 0 if report.ok else 1


COMMANDS = [verify_command]
