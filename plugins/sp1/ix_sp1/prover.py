"""The SP1 leaf prover, execute only: Ix's SP1 guest run by Ix's host on a shard's closure.

Ix's host takes no check list, so the guest checks every work item of the shipped
closure sub-env (the shard and its dependencies): the steps measure the closure, and the
claim is the host mirror's claim over all of the sub-env's items. The host prints
failures, 8-byte prefixes of the committed roots and the checked count; ix binds those
to the mirror (a prefix is all the host shows). Proving is refused with the one-line
requirement (`host.PROVE_HINT`) before anything runs.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ixcore.address import ZERO
from ixcore.errors import InputError, MissingRequirement, VerificationError
from ixcore.leafinput import leaf_input
from ixcore.model import Claim, Execution, Proof

from . import host as h

BACKEND = "sp1"
_FAILURES = re.compile(r"^failures: (\d+)$", re.MULTILINE)
_CLAIM = re.compile(r"^claim: CheckEnv \{ subject=([0-9a-f]{16})…, assumptions=([0-9a-f]{16})… \} \(checked=(\d+)\)$", re.MULTILINE)
_CYCLES = re.compile(r"^cycles: (\d+)$", re.MULTILINE)


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise VerificationError(message)


def _metrics(path: Path) -> dict:
    """The `env` row of Ix's `--json` file (main only; absent at #411)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise InputError(f"{path}: sp1-host metrics are not JSON: {exc}") from None
    row = data.get("env") if isinstance(data, dict) else None
    return row if isinstance(row, dict) else {}


def _one(pattern: re.Pattern, text: str, what: str, label: str) -> re.Match:
    found = pattern.findall(text)
    match = pattern.search(text)
    if len(found) != 1 or match is None:
        raise VerificationError(f"{label}: sp1-host printed {len(found)} {what} lines, expected 1")
    return match


class Sp1LeafProver:
    name = BACKEND
    capabilities = frozenset({"execute"})

    def __init__(self, settings: h.Sp1Settings, host: h.Sp1Host | None = None):
        self.settings = settings
        self.host = host or h.Sp1Host(settings)

    @property
    def program_id(self):
        raise MissingRequirement(h.PROVE_HINT)

    kernel_version = "sp1-host"

    def cost_model(self):
        from ixcore.costmodel import get_cost_model

        return get_cost_model(self.settings.cost_model)

    def prove(self, env, blocks, workdir) -> Proof:
        raise MissingRequirement(h.PROVE_HINT)

    def verify(self, proof: Proof, reexecute: bool = False, env=None) -> None:
        raise MissingRequirement(h.PROVE_HINT)

    def execute(self, env, blocks, workdir) -> Execution:
        from ixcore.formats.ixe import loads_ixe
        from ixcore.ixon.claims import leaf_claim
        from ixcore.merkle import merkle_root

        inp = leaf_input(env, blocks)
        label = f"sp1 execute {inp.subjects[0].short()}"
        wd = Path(workdir)
        wd.mkdir(parents=True, exist_ok=True)
        ixe, metrics_path = wd / "closure.ixe", wd / "metrics.json"
        ixe.write_bytes(inp.sub_env)
        mirror = leaf_claim(loads_ixe(inp.sub_env, str(ixe)))  # every item: the host ships no check list
        run = self.host.execute(ixe, metrics_path)
        out = run.stdout
        failures = int(_one(_FAILURES, out, "failures", label)[1]) if _FAILURES.search(out) else None
        _check(failures is None or failures == 0, f"{label}: the kernel rejected {failures} item(s)")
        _check(run.ok, f"{label}: sp1-host failed (rc {run.returncode}): {run.tail()}")
        _check(failures is not None, f"{label}: sp1-host printed no failures line")
        claim = _one(_CLAIM, out, "claim", label)
        subject, assumptions = merkle_root(mirror.subjects), merkle_root(mirror.assumptions)
        _check(claim[1] == bytes(subject)[:8].hex() and claim[2] == bytes(assumptions)[:8].hex(),
               f"{label}: committed roots {claim[1]}…/{claim[2]}… are not the host mirror's "
               f"{bytes(subject)[:8].hex()}…/{bytes(assumptions)[:8].hex()}…")
        _check(int(claim[3]) == mirror.checked_count,
               f"{label}: guest checked {claim[3]} targets, the host mirror {mirror.checked_count}")
        cycles = int(_one(_CYCLES, out, "cycles", label)[1])
        metrics = _metrics(metrics_path)
        if metrics:
            _check(metrics.get("cycles") == cycles and metrics.get("status") == "ok",
                   f"{label}: {metrics_path} disagrees with the printed run (cycles {metrics.get('cycles')})")
        return Execution(
            backend=BACKEND,
            claim=Claim(env_hash=inp.env_hash, failures=0, subject_root=subject, assumptions_root=assumptions,
                        checked=mirror.checked_count, mode=0, vks_id=ZERO),
            steps=cycles,
            subjects=mirror.subjects,
            assumptions=mirror.assumptions,
            stats={"seconds": float(metrics.get("execute-time", run.seconds)),
                   "peak_memory": int(metrics.get("peak-rss") or run.peak_rss_bytes),
                   "checked_items": mirror.items, "closure": True},
        )
