"""The example env format and executor pass ixcore's conformance kit."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the example need not be installed

import ix_example_backends  # noqa: E402
from ixcore.plugins import PluginHost  # noqa: E402
from ixcore.testing import check_env_format, check_executor, tiny_env  # noqa: E402


def host():
    return PluginHost(autoload=False, plugins=(ix_example_backends,))


def test_tiny_json_format_conforms(tmp_path):
    sample = tiny_env(20).dump(tmp_path / "env.json")
    check_env_format(lambda: host().create("env_format", "tiny-json", {}), sample)


def test_serial_executor_conforms():
    check_executor(lambda: host().create("executor", "serial", {}))


def test_example_backends_register_properly():
    from ixcore.testing import check_registration

    check_registration(host(), "env_format", "tiny-json")
    check_registration(host(), "executor", "serial")
