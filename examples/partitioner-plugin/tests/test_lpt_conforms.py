"""The example plugin passes ixcore's conformance kit, registered the way ix finds it."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the example need not be installed

import ix_lpt_partitioner  # noqa: E402
from ixcore.plugins import PluginHost  # noqa: E402
from ixcore.testing import check_partitioner  # noqa: E402


def test_lpt_passes_the_kit():
    host = PluginHost(autoload=False, plugins=(ix_lpt_partitioner,))
    check_partitioner(lambda: host.create("partitioner", "lpt", {}))


def test_lpt_registers_properly():
    from ixcore.testing import check_registration

    check_registration(PluginHost(autoload=False, plugins=(ix_lpt_partitioner,)), "partitioner", "lpt")
