"""The SP1 mismatches of issue 15 through the stable API (ix_sp1.host.Sp1Settings,
ix_sp1.prover.Sp1LeafProver), so this file also runs against the pre-issue driver: each
test fails there (it passed --check-list/--publics-out to a host without them, and
accepted prover = "network") and passes now."""
import pytest

from ix_sp1.host import Sp1Settings
from ix_sp1.prover import Sp1LeafProver
from ixcore.errors import ConfigError

MAIN, PR411 = "df8f1117f112aeadc5203dc624f36c046fc19009", "c88df18fa6215ee85539ee05feb1eac9b5267e41"


@pytest.mark.parametrize("commit", [PR411, MAIN])
def test_execute_against_the_real_hosts_flags(tmp_path, monkeypatch, standin_installer, fixture_env, commit):
    table = standin_installer("sp1").install_sp1(tmp_path, monkeypatch, commit)
    ex = Sp1LeafProver(Sp1Settings.from_table(table)).execute(fixture_env, [fixture_env.work_items()[0].block], tmp_path / "w")
    assert ex.steps > 0 and ex.claim.failures == 0


def test_network_prover_is_refused():
    with pytest.raises(ConfigError, match="network"):
        Sp1Settings.from_table({"prover": "network"})
