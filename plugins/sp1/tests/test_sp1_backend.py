"""The SP1 backend against stand-ins of Ix's real sp1-host at #411 and main (test doubles that
parse argv with the host's golden clap table): execute only, proving refused up front."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ix_sp1.host import PROVE_PATCH_FLAGS, Sp1Host, Sp1Settings
from ix_sp1.prover import Sp1LeafProver
from ixcore.errors import ConfigError, MissingRequirement, VerificationError
from ixcore.ixon.claims import leaf_claim
from ixcore.merkle import merkle_root

HERE = Path(__file__).resolve().parent
GOLDEN = HERE.parents[2] / ".." / "shared" / "golden" / "zisk" / "cli"
MAIN, PR411 = "df8f1117f112aeadc5203dc624f36c046fc19009", "c88df18fa6215ee85539ee05feb1eac9b5267e41"


@pytest.mark.skipif(not GOLDEN.is_dir(), reason=f"golden data {GOLDEN} is absent")
def test_host_tables_match_golden():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_host_tables", HERE.parent / "scripts" / "gen_host_tables.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    shipped = json.loads((HERE / "standins" / "host_clap.json").read_text())
    assert shipped == json.loads(json.dumps(gen.extract(GOLDEN)))


def test_settings_refuse_network_and_unknown_keys():
    with pytest.raises(ConfigError, match="prover must be one of cpu, cuda, mock"):
        Sp1Settings.from_table({"prover": "network"})
    with pytest.raises(ConfigError, match="unknown key 'plugins.sp1.vk'"):
        Sp1Settings.from_table({"vk": "00" * 32})


@pytest.mark.parametrize("commit", [PR411, MAIN])
def test_execute_each_shard_binds_the_closure_claim(tmp_path, monkeypatch, standin_installer, fixture_env, make_manifest, commit):
    table = standin_installer("sp1").install_sp1(tmp_path, monkeypatch, commit)
    prover = Sp1LeafProver(Sp1Settings.from_table(table))
    assert prover.capabilities == frozenset({"execute"})
    for shard in make_manifest(fixture_env, 3).shards:
        ex = prover.execute(fixture_env, shard.blocks, tmp_path / f"e{shard.id}")
        from ixcore.formats.ixe import loads_ixe

        mirror = leaf_claim(loads_ixe((tmp_path / f"e{shard.id}" / "closure.ixe").read_bytes()))
        assert ex.steps > 0 and ex.claim.failures == 0 and ex.claim.subject_root == merkle_root(mirror.subjects)
        assert set(ex.subjects) >= {t for w in fixture_env.work_items() if w.block in set(shard.blocks) for t in w.proven_targets}
        assert (ex.stats["peak_memory"] == 123_456_789) == (commit == MAIN)  # --json only at main


def test_prove_is_refused_with_the_requirement(tmp_path, sp1_table, fixture_env):
    prover = Sp1LeafProver(Sp1Settings.from_table(sp1_table))
    work = tmp_path / "work"
    for call in (lambda: prover.prove(fixture_env, [fixture_env.work_items()[0].block], work), lambda: prover.program_id):
        with pytest.raises(MissingRequirement) as exc:
            call()
        assert "\n" not in str(exc.value) and ", ".join(PROVE_PATCH_FLAGS) in str(exc.value)
    assert not work.exists()  # nothing was staged or run
    req = Sp1Host(Sp1Settings.from_table(sp1_table)).requirements()[0]
    assert req.found and "execute only" in req.detail and "--proof-out" in req.detail


@pytest.mark.parametrize("commit, argv, error", [
    (MAIN, ["--ixe", "e.ixe", "--check-list", "c"], "unexpected argument '--check-list' found"),
    (MAIN, ["--verify", "p"], "unexpected argument '--verify' found"),
    (MAIN, ["--vkey-out", "v"], "unexpected argument '--vkey-out' found"),
    (PR411, ["--execute", "--ixe", "e.ixe", "--json", "m"], "unexpected argument '--json' found"),
    (PR411, ["--execute", "--skip-deps"], "required arguments were not provided:\n  --constant"),
])
def test_standin_rejects_flags_the_real_host_lacks(commit, argv, error):
    env = dict(os.environ, IX_STANDIN_SP1_COMMIT=commit, SP1_PROVER="mock")
    run = subprocess.run([sys.executable, str(HERE / "standins" / "sp1_host.py"), *argv],
                         capture_output=True, text=True, env=env, timeout=60, check=False)
    assert run.returncode == 2 and error in run.stderr, run.stderr


def _fake_host(tmp_path, monkeypatch, stdout: str, rc: int) -> Sp1LeafProver:
    """A host whose execute prints `stdout` and exits `rc` (to show what ix refuses)."""
    host = tmp_path / "bin" / "sp1-host"
    host.parent.mkdir()
    host.write_text(f'#!/bin/sh\nif [ "$1" = --help ]; then echo "--execute --ixe"; exit 0; fi\n'
                    f"cat <<'EOF'\n{stdout}\nEOF\nexit {rc}\n")
    host.chmod(0o755)
    return Sp1LeafProver(Sp1Settings.from_table({"host": str(host)}))


def test_rejections_and_wrong_roots_are_refused(tmp_path, monkeypatch, fixture_env):
    block = [fixture_env.work_items()[0].block]
    bad_roots = "failures: 0\nclaim: CheckEnv { subject=0000000000000000…, assumptions=0000000000000000… } (checked=1)\ncycles: 5"
    with pytest.raises(VerificationError, match="are not the host mirror's"):
        _fake_host(tmp_path, monkeypatch, bad_roots, 0).execute(fixture_env, block, tmp_path / "w")
    (tmp_path / "bin" / "sp1-host").unlink()
    (tmp_path / "bin").rmdir()
    with pytest.raises(VerificationError, match="rejected 2 item"):
        _fake_host(tmp_path, monkeypatch, "failures: 2\ncycles: 5", 3).execute(fixture_env, block, tmp_path / "w2")


def test_host_without_execute_flags_is_not_ready(tmp_path, monkeypatch):
    host = tmp_path / "sp1-host"
    host.write_text("#!/bin/sh\necho 'Usage: sp1-host [--verbose]'\n")
    host.chmod(0o755)
    req = Sp1Host(Sp1Settings.from_table({"host": str(host)})).requirements()[0]
    assert not req.found and "needs Ix's sp1-host with flags --execute, --ixe" in req.detail


def test_missing_host_is_missing_requirement(tmp_path, monkeypatch, fixture_env):
    monkeypatch.setenv("PATH", str(tmp_path))
    prover = Sp1LeafProver(Sp1Settings.from_table({}))
    with pytest.raises(MissingRequirement, match="sp1-host not found"):
        prover.execute(fixture_env, [fixture_env.work_items()[0].block], tmp_path)
    assert not prover.host.requirements()[0].found
