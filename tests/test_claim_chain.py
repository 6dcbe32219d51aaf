"""The claim chain cannot be forged (issue 10, parts 1 and 2), through the real CLI.

Forged aggregates are signed with the *trusted* local key on purpose: a signature on an
aggregate proves nothing about its children, so each must be caught by re-derivation
(`ix verify`, `ix verify --reexecute`, and `ix prove` finding it in a store). Forged
leaves in a store (unsigned, edited after signing, untrusted signer, other program id)
must be turned away by `ix prove`, named, re-proven, and the root must stay honest.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import attrs
import orjson
import pytest

from ix_native.demo_env import write_demo_env
from ix_native.env import NdjsonFormat
from ix_native.kernel_seam import native_leaf_prover
from ix_native.provers import AGG_RECORD, NativeAggProver, sign
from ixcore import keys, proofio
from ixcore.cli import main
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Proof
from ixcore.store import FsStore


def run_ix(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return info.value.code, out, err


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Env A proven honestly into a store (4 shards), env B (other blocks) proven too."""
    import subprocess
    import sys

    d = tmp_path_factory.mktemp("chain")
    a = write_demo_env(d / "a.ndjson", constants=160, seed=1).path
    b = write_demo_env(d / "b.ndjson", constants=60, seed=7).path
    for env, store, out, shards in ((a, "sa", "ra", "4"), (b, "sb", "rb", "2")):
        run = subprocess.run(
            [sys.executable, "-m", "ixcore", "prove", str(env), "--store", str(d / store), "--out", str(d / out),
             "--shards", shards, "--json"], check=False, capture_output=True, text=True, timeout=300,
        )
        assert run.returncode == 0, run.stderr
    return d, a, b


def _proofs(run: Path) -> list[Proof]:
    return [proofio.loads(f.read_bytes()) for f in sorted((run / "proofs").glob("*.proof"))]


def _leaves(run: Path) -> list[Proof]:
    return sorted((p for p in _proofs(run) if p.kind == "leaf"), key=lambda p: p.subjects[0])


def _agg() -> NativeAggProver:
    return NativeAggProver(native_leaf_prover())


def forge_agg(children: list[Proof], subjects=None, assumptions=None, ids=None) -> Proof:
    """An aggregate record signed by the trusted local key, committing whatever we like."""
    agg = _agg()
    union = sorted({s for c in children for s in c.subjects})
    subjects = union if subjects is None else sorted(set(subjects))
    if assumptions is None:
        assumptions = sorted({a for c in children for a in c.assumptions} - set(union))
    ids = [proofio.proof_id(c) for c in children] if ids is None else ids
    claim = Claim(agg.vks_id, 0, merkle_root(subjects), merkle_root(assumptions), len(ids), 1, agg.vks_id)
    record = {
        "format": AGG_RECORD, "program_id": str(agg.agg_id), "children": [str(i) for i in ids],
        "child_claims": [c.claim.to_json() for c in children], "claim": claim.to_json(),
    }
    proof = Proof("native", "agg", agg.agg_id, claim, subjects, assumptions, b"", agg.leaf.kernel_version)
    return sign(proof, record)


def write_run(root: Proof, children: list[Proof], where: Path) -> Path:
    (where / "proofs").mkdir(parents=True)
    for c in children:
        (where / "proofs" / f"{proofio.proof_id(c)}.proof").write_bytes(proofio.dumps(c))
    (where / "root.proof").write_bytes(proofio.dumps(root))
    return where / "root.proof"


def env_targets(env: Path) -> list:
    return [t for w in NdjsonFormat().load(env).work_items() for t in w.proven_targets]


def forgeries(world) -> dict[str, tuple[Proof, list[Proof], str]]:
    """name -> (forged root, the proofs written beside it, the reason `ix verify` names)."""
    d, a, _b = world
    la, lb = _leaves(d / "ra"), _leaves(d / "rb")
    everything = env_targets(a)
    honest = forge_agg(la)
    return {
        "zero children": (forge_agg([], subjects=everything, ids=[]), [], "no children"),
        "forged subject root": (forge_agg(la[:-1], subjects=everything), la[:-1], "commits subject root"),
        "forged assumption root": (forge_agg(dependent(la), assumptions=[]), dependent(la), "commits assumptions root"),
        "missing child": (honest, la[:-1], "is missing"),
        "child repeated": (forge_agg(la + [la[0]]), la, "twice"),
        "child from another environment": (forge_agg(la[:-1] + lb[:1], subjects=everything), la[:-1] + lb[:1], "commits subject root"),
    }


def dependent(leaves: list[Proof]) -> list[Proof]:
    """All leaves but one that the others depend on, so the rest has open assumptions."""
    for i in range(len(leaves)):
        rest = leaves[:i] + leaves[i + 1:]
        if {x for p in rest for x in p.assumptions} - {x for p in rest for x in p.subjects}:
            return rest
    raise AssertionError("no leaf is depended on")


CASES = ["zero children", "forged subject root", "forged assumption root", "missing child", "child repeated",
         "child from another environment"]


@pytest.mark.parametrize("case", CASES)
def test_forged_aggregate_is_rejected_by_verify_and_reexecute(world, case, tmp_path, capsys):
    _d, a, _ = world
    root, children, reason = forgeries(world)[case]
    path = write_run(root, children, tmp_path / "run")
    code, out, err = run_ix(capsys, "verify", str(path), "--env", str(a), "--json")
    assert code == 1, out + err
    report = json.loads(out)
    tree = next(c for c in report["checks"] if c["name"] == "tree")
    assert not tree["ok"] and reason in tree["detail"], tree
    code, out, err = run_ix(capsys, "verify", str(path), "--env", str(a), "--reexecute", "--json")
    assert code == 1, out + err
    assert not any(c["name"] == "reexecute" and c["ok"] for c in json.loads(out)["checks"])
    code, out, err = run_ix(capsys, "verify", str(path), "--env", str(a))
    assert code == 1 and "verification failed" in out and "Traceback" not in err


@pytest.mark.parametrize("case", CASES)
def test_forged_aggregate_in_a_store_is_not_folded(world, case, tmp_path, capsys, monkeypatch):
    _d, a, _ = world
    root, children, _reason = forgeries(world)[case]
    store = FsStore(tmp_path / "s")
    for p in children:
        store.put(p)
    forged_id = store.put(root)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_ix(capsys, "prove", str(a), "--store", "s", "--out", "run", "--json")
    assert code == 0, err
    report = json.loads(out)
    # B's honest leaf also certifies A's prelude, so the covering fixpoint may fold it (with
    # its B-only assumptions left open): honest, conditional; the forged root never is
    foreign = case == "child from another environment"
    assert report["verified"] and (foreign or report["unconditional"] and report["subject_equals_env_root"])
    rejected = {r["proof"]: r for r in report["stored_rejected"]}
    assert str(forged_id) in rejected, report["stored_rejected"]
    folded = {f.stem for f in (tmp_path / "run" / "proofs").glob("*.proof")}
    assert str(forged_id) not in folded
    code, out, err = run_ix(capsys, "verify", str(tmp_path / "run"), "--env", str(a), *(["--allow-assumptions"] if foreign else []))
    assert code == 0, out + err


def test_honest_run_verifies_and_lists_every_signer(world, capsys):
    d, a, _ = world
    code, out, err = run_ix(capsys, "verify", str(d / "ra" / "root.proof"), "--env", str(a), "--json")
    assert code == 0, out + err
    report = json.loads(out)
    me = keys.local_key()
    leaves = {str(proofio.proof_id(p)) for p in _leaves(d / "ra")}
    assert {r["leaf"] for r in report["signers"]} == leaves and len(leaves) == 4
    assert all(r["signer"] == me.public_hex and r["trusted_by"] == "this machine" for r in report["signers"])
    code, out, _ = run_ix(capsys, "verify", str(d / "ra" / "root.proof"), "--env", str(a))
    assert code == 0 and out.count(f"signed by {me.fingerprint} (this machine)") == 4


def test_reexecute_runs_every_leaf_and_audit_a_reproducible_sample(world, capsys):
    d, a, _ = world
    root = str(d / "ra" / "root.proof")
    code, out, _ = run_ix(capsys, "verify", root, "--env", str(a), "--reexecute", "--json")
    assert code == 0
    assert any(c["name"] == "reexecute" and c["detail"].startswith("4 of all") for c in json.loads(out)["checks"])
    samples = []
    for _ in range(2):
        code, out, _ = run_ix(capsys, "verify", root, "--env", str(a), "--audit", "0.5", "--seed", "3", "--json")
        assert code == 0
        samples.append(json.loads(out)["audit"])
    assert samples[0] == samples[1] and samples[0]["seed"] == 3 and len(samples[0]["sampled"]) == 2
    code, out, _ = run_ix(capsys, "verify", root, "--env", str(a), "--audit", "1", "--json")
    assert code == 0 and len(json.loads(out)["audit"]["sampled"]) == 1
    code, _, err = run_ix(capsys, "verify", root, "--env", str(a), "--audit", "-2")
    assert code == 2 and "--audit" in err


def test_reexecute_catches_a_leaf_that_lies_about_its_env(world, tmp_path, capsys):
    """A leaf of env B folded (honestly) beside A's leaves: the tree re-derives, but the
    root does not cover A, and re-running B's leaf on A fails."""
    d, a, _ = world
    la, lb = _leaves(d / "ra"), _leaves(d / "rb")
    root = forge_agg(la[:-1] + lb[:1])
    path = write_run(root, la[:-1] + lb[:1], tmp_path / "run")
    code, out, _ = run_ix(capsys, "verify", str(path), "--env", str(a), "--reexecute", "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert code == 1 and checks["tree"]["ok"] and not checks["subject"]["ok"] and not checks["reexecute"]["ok"]


# ---------------------------------------------------------------------------------------
# Forged leaves in a store


def _other_key(tmp_path: Path) -> keys.LocalKey:
    return keys._load_or_create(tmp_path / "other-keys")


def forged_leaves(world, tmp_path) -> dict[str, Proof]:
    d, _, _ = world
    leaf = _leaves(d / "ra")[1]
    record = json.loads(leaf.body)
    unsigned = {k: v for k, v in record.items() if k not in ("signer", "signature")}
    edited = dict(record, verdicts=[[b, True, "edited"] for b, _ok, _r in record["verdicts"]])
    other_program = "11" * 32
    def canonical(r):
        return orjson.dumps(r, option=orjson.OPT_SORT_KEYS)
    return {
        "unsigned": attrs.evolve(leaf, body=canonical(unsigned)),
        "edited after signing": attrs.evolve(leaf, body=canonical(edited)),
        "untrusted signer": sign(leaf, record, _other_key(tmp_path)),
        "trusted key, other program id": sign(leaf, dict(record, program_id=other_program)),
    }


LEAF_CASES = {
    "unsigned": "unsigned",
    "edited after signing": "signature does not verify",
    "untrusted signer": "untrusted key",
    "trusted key, other program id": "names program",
}


@pytest.mark.parametrize("case", list(LEAF_CASES))
def test_forged_leaf_in_a_store_is_reproven_and_named(world, case, tmp_path, capsys, monkeypatch):
    _d, a, _ = world
    forged = forged_leaves(world, tmp_path)[case]
    store = FsStore(tmp_path / "s")
    forged_id = store.put(forged)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_ix(capsys, "prove", str(a), "--store", "s", "--out", "run", "--shards", "4", "--json")
    assert code == 0, err
    report = json.loads(out)
    row = next(r for r in report["stored_rejected"] if r["proof"] == str(forged_id))
    assert LEAF_CASES[case] in row["reason"] and row["shards"], row
    assert any(str(forged_id) in w and "re-proven in shard" in w for w in report["warnings"])
    assert report["verified"] and report["unconditional"] and report["subject_equals_env_root"]
    assert report["stored_proofs_folded"] == 0 and report["blocks_proven"] == report["blocks"]
    assert str(forged_id) not in {f.stem for f in (tmp_path / "run" / "proofs").glob("*.proof")}
    code, out, err = run_ix(capsys, "verify", "run", "--env", str(a))
    assert code == 0, out + err


@pytest.mark.parametrize("case", list(LEAF_CASES))
def test_forged_leaf_is_rejected_by_verify(world, case, tmp_path, capsys):
    d, a, _ = world
    forged = forged_leaves(world, tmp_path)[case]
    others = [p for p in _leaves(d / "ra") if p.subjects != forged.subjects]
    path = write_run(forge_agg(others + [forged]), others + [forged], tmp_path / "run")
    code, out, _ = run_ix(capsys, "verify", str(path), "--env", str(a), "--json")
    tree = next(c for c in json.loads(out)["checks"] if c["name"] == "tree")
    assert code == 1 and LEAF_CASES[case] in tree["detail"], tree


def test_trusted_keys_in_ix_toml_admit_another_signer(world, tmp_path, capsys, monkeypatch):
    d, a, _ = world
    other = _other_key(tmp_path)
    leaf = _leaves(d / "ra")[1]
    resigned = sign(leaf, json.loads(leaf.body), other)
    store = FsStore(tmp_path / "s")
    rid = store.put(resigned)
    (tmp_path / "ix.toml").write_text(f'trusted_keys = ["{other.public_hex}"]\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = run_ix(capsys, "prove", str(a), "--store", "s", "--out", "run", "--shards", "4", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["stored_rejected"] == [] and report["stored_proofs_folded"] == 1
    code, out, _ = run_ix(capsys, "verify", "run", "--env", str(a), "--json")
    signers = {r["leaf"]: r for r in json.loads(out)["signers"]}
    assert code == 0 and signers[str(rid)]["signer"] == other.public_hex
    assert "ix.toml trusted_keys" in signers[str(rid)]["trusted_by"]
    (tmp_path / "ix.toml").unlink()
    code, out, _ = run_ix(capsys, "verify", "run", "--env", str(a), "--json")
    assert code == 1 and "untrusted key" in next(c for c in json.loads(out)["checks"] if c["name"] == "tree")["detail"]


def test_a_copied_run_without_its_proofs_is_rejected(world, tmp_path, capsys):
    d, a, _ = world
    shutil.copy(d / "ra" / "root.proof", tmp_path / "root.proof")
    code, out, _ = run_ix(capsys, "verify", str(tmp_path / "root.proof"), "--env", str(a))
    assert code == 1 and "is missing" in out
    code, out, _ = run_ix(capsys, "verify", str(tmp_path / "root.proof"), "--env", str(a), "--store", str(d / "sa"))
    assert code == 0, out


def test_honest_stored_aggregate_is_rederived_folded_and_verifiable(world, tmp_path, capsys, monkeypatch):
    """A stored aggregate whose whole tree is in the store is folded (beside its own
    leaves, which the covering fixpoint also picks); its descendants go to the run
    directory, so `ix verify` can expand the shared subtree."""
    d, a, _ = world
    la = _leaves(d / "ra")
    store = FsStore(tmp_path / "s")
    for p in la:
        store.put(p)
    agg_id = store.put(forge_agg(la[:2]))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_ix(capsys, "prove", str(a), "--store", "s", "--out", "run", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["stored_rejected"] == [] and report["shards_proven"] == 0
    assert report["verified"] and report["unconditional"] and report["subject_equals_env_root"]
    assert (tmp_path / "run" / "proofs" / f"{agg_id}.proof").exists()
    code, out, _ = run_ix(capsys, "verify", "run", "--env", str(a), "--reexecute", "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert code == 0 and checks["tree"]["ok"] and checks["reexecute"]["detail"].startswith("4 of all")


def _resign_claim(proof: Proof, **changes) -> Proof:
    """`proof` with claim fields changed, its record updated to match and re-signed by
    the trusted key (so only re-derivation can catch it)."""
    claim = attrs.evolve(proof.claim, **changes)
    record = dict(json.loads(proof.body), claim=claim.to_json())
    return sign(attrs.evolve(proof, claim=claim), record)


def test_child_count_and_foreign_tree_are_rejected(world, tmp_path, capsys):
    from ix_native.provers import NativeLeafProver

    d, a, _ = world
    la = _leaves(d / "ra")
    honest = forge_agg(la)
    miscounted = _resign_claim(honest, checked=3)
    path = write_run(miscounted, la, tmp_path / "count")
    code, out, _ = run_ix(capsys, "verify", str(path), "--env", str(a))
    assert code == 1 and "child count differs" in out
    # a sub-aggregate made by another aggregation program (another kernel version's tree)
    other = NativeAggProver(NativeLeafProver(None, None, kver="another kernel"))
    mine = forge_agg(la[:2])
    claim = attrs.evolve(mine.claim, vks_id=other.vks_id, env_hash=other.vks_id)
    record = {"format": AGG_RECORD, "program_id": str(other.agg_id), "children": [str(proofio.proof_id(c)) for c in la[:2]],
              "child_claims": [], "claim": claim.to_json()}
    sub = sign(Proof("native", "agg", other.agg_id, claim, mine.subjects, (), b"", other.leaf.kernel_version), record)
    root = forge_agg([sub, *la[2:]])
    path = write_run(root, [sub, *la], tmp_path / "alien")
    code, out, _ = run_ix(capsys, "verify", str(path), "--env", str(a), "--json")
    tree = next(c for c in json.loads(out)["checks"] if c["name"] == "tree")
    assert code == 1 and "not of this tree" in tree["detail"], tree
