"""The plugin host: in-test plugins on a fresh host per test, config-driven selection,
duplicate and unknown names, misspelled hooks, blocking, and one test per hookspec."""
from __future__ import annotations

import inspect
import json
import subprocess
import sys

import click
import pytest

from ixcore import hookimpl, hookspecs
from ixcore.config import load_config
from ixcore.errors import ConfigError, PluginError
from ixcore.plugins import PluginHost
from ixcore.roles import HOOK_OF_ROLE, PROTOCOL_OF_ROLE, protocol_members


class Backend:
    """What a factory returns: remembers the config table it was built from."""

    def __init__(self, config: dict):
        self.config = config


def backend_class(role: str) -> type:
    """A Backend with every member of `role`'s protocol (methods that do nothing)."""
    members = protocol_members(PROTOCOL_OF_ROLE[role])
    body = {m: (lambda self, *a, **k: None) if kind == "method" else "x" for m, kind in members.items()}
    return type(f"Fake_{role}", (Backend,), body)


def plugin_for(role: str, name: str, label: str, factory=None):
    """An in-test plugin object implementing `role`'s registry hook with one backend."""
    hook = HOOK_OF_ROLE[role]
    factory = factory or backend_class(role)

    def impl(self, register):
        register(name, factory, summary=f"{label}'s {name}")

    cls = type(label, (), {"__name__": label, hook: hookimpl(impl)})
    return cls()


def exercise_role(role: str) -> None:
    host = PluginHost(autoload=False, plugins=(plugin_for(role, "fake", "inline"),))
    reg = host.registry(role).get("fake")
    assert reg.distribution == "<inline>" and reg.summary == "inline's fake"
    backend = host.create(role, "fake", {"level": 3})
    assert isinstance(backend, Backend) and backend.config == {"level": 3}


def test_hook_ix_register_env_formats():
    exercise_role("env_format")


def test_hook_ix_register_profilers():
    exercise_role("profiler")


def test_hook_ix_register_partitioners():
    exercise_role("partitioner")


def test_hook_ix_register_leaf_provers():
    exercise_role("leaf_prover")


def test_hook_ix_register_agg_provers():
    exercise_role("agg_prover")


def test_hook_ix_register_stores():
    exercise_role("store")


def test_hook_ix_register_executors():
    exercise_role("executor")


def test_hook_ix_add_commands():
    class AddsCommand:
        __name__ = "adds-command"

        @hookimpl
        def ix_add_commands(self, cli):
            cli.add_command(click.Command("hello", callback=lambda: None))

    group = click.Group("ix")
    PluginHost(autoload=False, plugins=(AddsCommand(),)).add_commands(group)
    assert "hello" in group.commands


def test_every_hookspec_has_a_test():
    """datasette's guard: a new hookspec without a `test_hook_<name>` fails here."""
    specs = {name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("ix_")}
    assert specs == set(HOOK_OF_ROLE.values()) | {"ix_add_commands"}
    tests = {name for name in globals() if name.startswith("test_hook_")}
    assert {f"test_hook_{s}" for s in specs} <= tests


def test_selected_by_name_from_config(tmp_path):
    (tmp_path / "ix.toml").write_text('partitioner = "fake"\n[plugins.fake]\ndepth = 2\n')
    config = load_config(cwd=tmp_path)
    host = PluginHost(autoload=False, plugins=(plugin_for("partitioner", "fake", "inline"),))
    backend = host.create("partitioner", config["partitioner"], config.plugin_options(config["partitioner"]))
    assert backend.config == {"depth": 2}


def test_duplicate_name_names_both_distributions():
    host = PluginHost(
        autoload=False,
        plugins=(plugin_for("partitioner", "fake", "first"), plugin_for("partitioner", "fake", "second")),
    )
    with pytest.raises(PluginError, match=r"'fake' registered twice: by <first> and by <second>"):
        host.registry("partitioner")


def test_duplicate_of_an_installed_backend_names_its_distribution():
    host = PluginHost(autoload=False, plugins=(plugin_for("executor", "local", "shadow"),))
    with pytest.raises(PluginError, match=r"by ixcore and by <shadow>"):
        host.registry("executor")


def test_unknown_name_lists_installed_and_provider():
    host = PluginHost(autoload=False, plugins=(plugin_for("partitioner", "fake", "inline"),))
    with pytest.raises(ConfigError) as info:
        host.create("partitioner", "kahypar")
    message = str(info.value)
    assert "unknown partitioner 'kahypar'" in message and "installed: fake" in message and "'ix-partitioners'" in message


def test_misspelled_hookimpl_is_caught():
    class Typo:
        __name__ = "typo"

        @hookimpl
        def ix_register_partitioner(self, register):  # missing the final "s"
            register("x", Backend)

    with pytest.raises(PluginError, match="misspelled"):
        PluginHost(autoload=False, plugins=(Typo(),))


def test_four_distributions_are_discovered(host):
    names = {dist for _ep, dist, _v in host.distributions()}
    assert {"ix-native", "ix-partitioners", "ix-zisk", "ix-sp1"} <= names


def test_ix_disable_plugins_blocks_an_entry_point(monkeypatch):
    monkeypatch.setenv("IX_DISABLE_PLUGINS", "zisk, sp1")
    host = PluginHost()
    names = {dist for _ep, dist, _v in host.distributions()}
    assert host.pm.is_blocked("zisk") and host.pm.is_blocked("sp1")
    assert {d.distribution for d in host.disabled} == {"ix-zisk", "ix-sp1"}
    assert "ix-zisk" not in names and "ix-sp1" not in names and "ix-native" in names


def test_no_autoload_env_skips_discovery(monkeypatch):
    monkeypatch.setenv("IX_NO_PLUGIN_AUTOLOAD", "1")
    assert [ep for ep, _d, _v in PluginHost().distributions()] == ["ixcore-builtins"]


HEAVY = ("kahypar", "mtkahypar", "dask", "distributed", "matplotlib")


def test_plugin_discovery_stays_light():
    """Importing every plugin module and building every registry imports no heavy library."""
    code = (
        "import sys, json\n"
        "import ix_native.plugin, ix_partitioners.plugin, ix_zisk.plugin, ix_sp1.plugin\n"
        "from ixcore.plugins import PluginHost\n"
        "host = PluginHost()\n"
        "for role in host.registries: host.registry(role).entries()\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
