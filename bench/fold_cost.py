"""Folding cost against the size of the store: the same env proven against stores of 0,
100, 1,000 and 5,000 extra proofs that are either unrelated to it or overlap it.

    .venv/bin/python bench/fold_cost.py [--blocks 2000] [--sizes 0 100 1000 5000] [--kinds ...] [--out bench/out]

The env is the test doubles' toy env (tests/pipeline_doubles.py: a chain of N blocks,
each referring to the two before it), proven by the toy leaf prover and folded by the
real native aggregation prover, so leaves cost nothing and the fold is what is measured.
Half of the env was proven by an earlier run (4 stored leaves); the other half is proven
now (4 shards). Extra proofs carry the same prover key, so every one is a candidate:

- unrelated: proofs of other toy envs (20 blocks each), sharing no target with the env;
- overlapping: proofs of random 30-block windows of the half proven earlier (what many
  earlier runs of differently sharded, overlapping envs leave behind): each shares
  targets with the env, none is needed once the 4 earlier leaves are folded.

Each row runs `prove_env` on a copy of the store (so every row sees the same store) and
reports the stored proofs folded, aggregations, the fold and store-phase seconds, the
root's subject count and the stored proofs Ix's covering fixpoint (the rule before this
change: every proof sharing a needed target, closed over what they assume) would have
folded. Prints markdown for docs/benchmarks.md `## Folding cost` and writes OUT/fold_cost.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from pipeline_doubles import ToyFormat, ToyLeafProver, backends, write_toy_env  # noqa: E402

from ixcore.manifest import ShardEntry, ShardManifest, balanced_agg_tree  # noqa: E402
from ixcore.pipeline import PlanSettings, prove_env, store_keys  # noqa: E402
from ixcore.store import FsStore  # noqa: E402


def manifest_over(blocks, k: int) -> ShardManifest:
    chunks = [blocks[i * len(blocks) // k : (i + 1) * len(blocks) // k] for i in range(k)]
    shards = [ShardEntry(i, len(c), len(c), 0, None, tuple(c), ()) for i, c in enumerate(chunks)]
    return ShardManifest(0, shards, balanced_agg_tree(0, k))


def old_rule_count(store: FsStore, needed, novel, keys) -> int:
    """How many stored proofs the former covering fixpoint folded (for comparison)."""
    entries = store.entries(keys)
    novel = set(novel)
    wanted = set(needed) - novel
    included = {i for i, e in enumerate(entries) if wanted.intersection(e.subjects)}
    while True:
        subjects = {s for i in included for s in entries[i].subjects}
        open_ = {a for i in included for a in entries[i].assumptions} - novel - subjects
        more = {i for i, e in enumerate(entries) if i not in included and open_.intersection(e.subjects)}
        if not more:
            return len(included)
        included |= more


def grow(store: FsStore, kind: str, have: int, want: int, env, work: Path, rng: random.Random) -> None:
    prover = ToyLeafProver()
    items = env.work_items()
    for j in range(have, want):
        if kind == "unrelated":
            other = ToyFormat().load(write_toy_env(work / "u.toy.json", 20, prefix=f"u{j}_"))
            blocks = [w.block for w in other.work_items()]
            store.put(prover.prove(other, blocks, work))
        else:
            start = rng.randrange(0, len(items) // 2 - 30)
            store.put(prover.prove(env, [w.block for w in items[start : start + 30]], work))


def measure(env_file: Path, env, base: Path, work: Path) -> dict:
    run_store = work / "run-store"
    shutil.rmtree(run_store, ignore_errors=True)
    shutil.copytree(base, run_store)
    store = FsStore(run_store)
    covered = store.covered()
    novel = [w.block for w in env.work_items() if not set(w.proven_targets) <= covered]
    be = backends(store=store)
    keys = store_keys(be.leaf_prover, be.agg_prover)
    needed = {t for w in env.work_items() for t in w.proven_targets}
    novel_targets = set(novel)
    t = time.perf_counter()
    chosen = store.find_covering(needed, novel_targets, keys)
    choose_s = time.perf_counter() - t
    old = old_rule_count(store, needed, novel_targets, keys)
    res = prove_env(env_file, be, PlanSettings(), manifest=manifest_over(novel, 4) if novel else ShardManifest(0, (), None),
                    workdir=work / "w")
    assert res.unconditional and res.root.claim.subject_root == res.env_root, res.summary()
    return {
        "stored_entries": len(store.entries()), "novel_blocks": len(novel), "folded": len(res.stored),
        "chosen": len(chosen), "old_rule_folded": old, "aggregations": res.fold.aggregations,
        "fold_s": res.phases.get("fold", 0.0), "store_s": res.phases.get("store", 0.0), "choose_s": choose_s,
        "root_subjects": len(res.root.subjects), "extra_subjects": res.extra_subjects,
        "root_bytes": len(res.root.body),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blocks", type=int, default=2000)
    ap.add_argument("--sizes", type=int, nargs="*", default=[0, 100, 1000, 5000])
    ap.add_argument("--kinds", nargs="*", default=["unrelated", "overlapping"], choices=["unrelated", "overlapping"])
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ix-fold-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    rows = []
    try:
        env_file = write_toy_env(root / "env.toy.json", args.blocks)
        env = ToyFormat().load(env_file)
        half = [w.block for w in env.work_items()][: args.blocks // 2]
        for kind in args.kinds:
            base = root / f"store-{kind}"
            store = FsStore(base)
            for shard in manifest_over(half, 4).shards:  # the earlier run: half the env, 4 leaves
                store.put(ToyLeafProver().prove(env, list(shard.blocks), root))
            rng, have = random.Random(7), 0
            for size in sorted(args.sizes):
                grow(store, kind, have, size, env, root, rng)
                have = size
                row = {"kind": kind, "extra_proofs": size, **measure(env_file, env, base, root)}
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fold_cost.json").write_text(json.dumps(rows, indent=1))
    print("| store | extra proofs | novel blocks | stored proofs folded | old rule would fold | aggregations | fold s | choose s | root subjects |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['kind']} | {r['extra_proofs']:,} | {r['novel_blocks']} | {r['folded']} | {r['old_rule_folded']:,} | "
              f"{r['aggregations']} | {r['fold_s']:.2f} | {r['choose_s']:.3f} | {r['root_subjects']:,} |")


if __name__ == "__main__":
    main()
