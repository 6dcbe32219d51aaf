"""`ix verify PROOF`: the external verifier. Trusts only the installed provers' program
ids, never values found inside the proof; exit 1 on any failed check."""
from __future__ import annotations

from pathlib import Path

import click

from .. import proofio
from ..errors import InputError, IxError
from ..verify import Check, VerifyReport, verify_leaf_set, verify_root
from .context import Context, json_option, pass_ctx


def _read(path: Path):
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return proofio.loads(data, source=str(path))


def _load_targets(ctx: Context, env_path: Path):
    from .prove import resolve_env_format

    env = resolve_env_format(ctx, env_path, ctx.config["env_format"]).load(env_path)
    return env, env.env_root(), [t for w in env.work_items() for t in w.proven_targets]


def _proof_pool(run_dir: Path | None) -> dict:
    pool = {}
    if run_dir is not None and (run_dir / "proofs").is_dir():
        for f in sorted((run_dir / "proofs").glob("*.proof")):
            pool[f.stem] = f
    return pool


def _reexecute(ctx, root, agg, leaf, env, run_dir, store_path) -> list[Check]:
    """Walk the fold tree down to its leaves and re-run each one on the environment."""
    files = _proof_pool(run_dir)
    store = None
    if store_path:
        from ..store import FsStore

        store = FsStore(store_path)
    checks, todo, seen = [], [root], 0
    while todo:
        proof = todo.pop()
        if proof.kind == "leaf":
            try:
                leaf.verify(proof, reexecute=True, env=env)
                seen += 1
            except IxError as exc:
                checks.append(Check("reexecute", False, str(exc)))
            continue
        for cid in agg.children_of(proof):
            if str(cid) in files:
                todo.append(_read(files[str(cid)]))
            elif store is not None and store.has(cid):
                todo.append(store.get(cid))
            else:
                checks.append(Check("reexecute", False, f"child proof {cid} not found in the run directory or store"))
    if not any(not c.ok for c in checks):
        checks.append(Check("reexecute", True, f"{seen} leaf execution(s) re-run and matched"))
    return checks


@click.command("verify")
@click.argument("proof", type=click.Path(exists=True, path_type=Path))
@click.option("--env", "env_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Require the claim to cover this environment.")
@click.option("--reexecute", is_flag=True, help="Re-run every native leaf of the tree against --env.")
@click.option("--store", "store_path", help="Proof store to find children in (for --reexecute).")
@click.option("--allow-assumptions", is_flag=True, help="Accept a conditional claim (outstanding assumptions).")
@json_option
@pass_ctx
def verify_command(ctx: Context, proof, env_path, reexecute, store_path, allow_assumptions):
    """Check PROOF (a root .proof file, or a run directory from `ix prove --out`)."""
    run_dir = proof if proof.is_dir() else proof.parent.parent if proof.parent.name == "proofs" else proof.parent
    if reexecute and env_path is None:
        raise InputError("--reexecute needs --env (the environment the leaves ran on)")
    env = env_root = targets = None
    if env_path is not None:
        env, env_root, targets = _load_targets(ctx, env_path)
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
    backend = proofs[0].backend
    cfg = ctx.config
    leaf = ctx.host.create("leaf_prover", backend, cfg.plugin_options(backend))
    require = not allow_assumptions
    if len(proofs) == 1 and proofs[0].kind == "agg":
        agg = ctx.host.create("agg_prover", backend, cfg.plugin_options(backend))
        report = verify_root(
            proofs[0], leaf_id=leaf.program_id, agg_id=agg.program_ids[1], backend_check=agg.verify,
            env_root=env_root, env_targets=targets, require_unconditional=require,
        )
        if reexecute:
            report = VerifyReport(report.checks + tuple(_reexecute(ctx, proofs[0], agg, leaf, env, run_dir, store_path)))
    else:
        leaves = [p for p in proofs if p.kind == "leaf"]
        report = verify_leaf_set(
            leaves, leaf_id=leaf.program_id,
            backend_check=(lambda p: leaf.verify(p, reexecute=reexecute, env=env)),
            env_root=env_root, env_targets=targets, require_unconditional=require,
        )
    data = {"proof": str(proof), **report.to_json()}
    if proofs[0].kind == "agg":
        data["claim"] = proofs[0].claim.to_json()

    def human():
        for c in report.checks:
            mark = "[green]ok[/]  " if c.ok else "[red]FAIL[/]"
            ctx.console.print(f"{mark} {c.name}: {c.detail}")
        ctx.result("[green]verified[/]" if report.ok else "[red]verification failed[/]")

    ctx.emit(data, human)
    return 0 if report.ok else 1


COMMANDS = [verify_command]
