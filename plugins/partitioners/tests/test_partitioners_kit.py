"""Each shipped partitioner through the public conformance kit (ixcore.testing)."""
from __future__ import annotations

import pytest

from ixcore.plugins import PluginHost
from ixcore.testing import check_partitioner


@pytest.mark.parametrize("name", ["kahypar", "mtkahypar"])
def test_library_partitioners_conform(name):
    host = PluginHost()
    check_partitioner(lambda: host.create("partitioner", name, {}))


def test_range_conforms_except_balance():
    """range is the no-locality baseline: it cuts by weight prefix and ignores eps, so the
    host's balance rule (warning in ix shard, error in ix prove) applies to it."""
    host = PluginHost()
    check_partitioner(lambda: host.create("partitioner", "range", {}),
                      expected_failed={"balance_atomic_floor": "range ignores eps and reports no atomic floor"})
