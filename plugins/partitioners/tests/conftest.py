import pytest

from ixcore.hypergraph import Hypergraph


@pytest.fixture(scope="session")
def n5000(shared_dir):
    """Ix's golden 5k profile weighted by the zisk-411 block cost (Ix's own weight)."""
    from ixcore.costmodel import get_cost_model
    from ixcore.formats.ixprof import read_ixprof

    profile = read_ixprof(shared_dir / "golden/ix/profiles/synth_n5000.v1.ixprof")
    return Hypergraph.from_profile(profile, get_cost_model("zisk-411").step_cost(profile))
