"""A host that survives its plugins: fake installed distributions that fail to import,
misspell a hook or raise while registering cost only their own backends; a factory that
raises or returns an incomplete object is one PluginError naming plugin and distribution."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ixcore import hookimpl
from ixcore.errors import ConfigError, PluginError
from ixcore.plugins import PluginHost

FAKES = {
    "import": "import no_such_module_anywhere\n",
    "hooks": (
        "from ixcore import hookimpl\n"
        "@hookimpl\n"
        "def ix_register_partitioner(register):\n"
        "    register('typo', object)\n"
    ),
    "register": (
        "from ixcore import hookimpl\n"
        "@hookimpl\n"
        "def ix_register_partitioners(register):\n"
        "    raise RuntimeError('boom in registration')\n"
    ),
}


def fake_distribution(site: Path, stage: str) -> str:
    """An installed distribution `ix-bad-<stage>` with entry point `bad<stage>`."""
    name, module = f"ix-bad-{stage}", f"ix_bad_{stage}"
    (site / f"{module}.py").write_text(FAKES[stage])
    info = site / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[ixcore]\nbad{stage} = {module}\n")
    return f"bad{stage}"


@pytest.fixture
def broken_site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    for stage in FAKES:
        fake_distribution(site, stage)
    monkeypatch.syspath_prepend(str(site))
    return site


def test_broken_plugins_are_set_aside_with_one_line_each(broken_site):
    host = PluginHost()
    host.registry("partitioner")
    stages = {b.entry_point: b for b in host.broken}
    assert set(stages) == {"badimport", "badhooks", "badregister"}
    assert stages["badimport"].stage == "import" and "no_such_module_anywhere" in stages["badimport"].error
    assert "did you mean ix_register_partitioners" in stages["badhooks"].error
    assert stages["badregister"].stage == "register" and stages["badregister"].distribution == "ix-bad-register"
    assert all("\n" not in b.line() for b in host.broken)
    assert "range" in host.registry("partitioner")  # the healthy plugins still work


def test_strict_mode_reraises(broken_site):
    with pytest.raises(PluginError, match="badimport"):
        PluginHost(strict=True)


def test_command_needing_a_broken_plugin_names_it(broken_site):
    host = PluginHost()
    with pytest.raises(PluginError, match=r"'badregister' \(ix-bad-register 0.1\) is broken"):
        host.create("partitioner", "badregister")


def cli(args, site: Path, **env):
    run_env = dict(os.environ, PYTHONPATH=str(site), COLUMNS="60", **env)
    return subprocess.run([sys.executable, "-m", "ixcore", *args], capture_output=True, text=True, env=run_env, timeout=120)


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["plugins"]])
def test_cli_survives_broken_plugins(broken_site, args):
    out = cli(args, broken_site)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    if args == ["plugins"]:
        for ep in ("badimport", "badhooks", "badregister"):
            assert ep in out.stdout
        assert "boom in registration" in out.stdout


def test_unknown_disabled_name_is_reported(monkeypatch):
    monkeypatch.setenv("IX_DISABLE_PLUGINS", "natve")
    host = PluginHost()
    assert any("natve" in w for w in host.warnings)


def test_disabled_native_says_disabled_not_missing(monkeypatch):
    monkeypatch.setenv("IX_DISABLE_PLUGINS", "native")
    with pytest.raises(PluginError, match="disabled by IX_DISABLE_PLUGINS") as info:
        PluginHost().create("leaf_prover", "native")
    assert "pip install" not in str(info.value)


def _plugin(role_hook: str, factory):
    class P:
        __name__ = "inline"

    def impl(self, register):
        register("thing", factory)

    setattr(P, role_hook, hookimpl(impl, specname=role_hook))
    return P()


def test_factory_exception_names_plugin_and_options():
    def factory(config):
        raise KeyError("depth")

    host = PluginHost(autoload=False, plugins=(_plugin("ix_register_partitioners", factory),))
    with pytest.raises(PluginError, match=r"partitioner 'thing' \(<inline> -\) could not be built from \[plugins.thing\] \{'depth': 'x'\}: KeyError"):
        host.create("partitioner", "thing", {"depth": "x"})


def test_missing_protocol_members_are_named():
    class Half:
        name = "thing"

        def partition(self, hypergraph, k, eps, seed):
            raise AssertionError

    host = PluginHost(autoload=False, plugins=(_plugin("ix_register_partitioners", lambda c: Half()),))
    with pytest.raises(PluginError, match=r"lacks version, deterministic \(see ixcore.roles.Partitioner\)"):
        host.create("partitioner", "thing")


def test_unknown_backend_suggests_a_close_name(host):
    with pytest.raises(ConfigError, match="did you mean 'mtkahypar'"):
        host.create("partitioner", "mtkahpyar")


CALL_PLUGIN = (
    "from ixcore import hookimpl\n"
    "class Crash:\n"
    "    name, version, deterministic = 'crash', '1', True\n"
    "    def partition(self, hypergraph, k, eps, seed):\n"
    "        return 1 // 0\n"
    "def make_picky(options):\n"
    "    return {'depth': int(options['depth'])}\n"
    "@hookimpl\n"
    "def ix_register_partitioners(register):\n"
    "    register('crash', lambda options: Crash())\n"
    "    register('picky', make_picky)\n"
    "    from ixcore.roles import Requirement\n"
    "    register('needy', lambda o: Crash(), requirements=lambda: [Requirement('needy-lib', False, \"pip install 'needy[fast]'\")])\n"
)


@pytest.fixture
def call_site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "ix_bad_call.py").write_text(CALL_PLUGIN)
    info = site / "ix_bad_call-0.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ix-bad-call\nVersion: 0.3\n")
    (info / "entry_points.txt").write_text("[ixcore]\nbadcall = ix_bad_call\n")
    (info / "top_level.txt").write_text("ix_bad_call\n")
    (info / "RECORD").write_text("ix_bad_call.py,,\n")
    env = tmp_path / "demo.ndjson"
    made = cli(["demo-env", "--constants", "30", str(env)], site)
    assert made.returncode == 0, made.stderr
    return site, env, tmp_path


def test_exception_inside_a_plugin_call_is_one_line(call_site):
    site, env, tmp = call_site
    out = cli(["shard", str(env), "--shards", "2", "--partitioner", "crash", "--out", str(tmp / "m.ixes")], site)
    assert out.returncode == 2, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.startswith("ix:")]  # not the progress bar
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert "plugin ix-bad-call 0.3 failed in Crash.partition" in lines[0] and "ZeroDivisionError" in lines[0]
    loud = cli(["-vv", "shard", str(env), "--shards", "2", "--partitioner", "crash", "--out", str(tmp / "m.ixes")], site)
    assert loud.returncode == 2 and "Traceback" in loud.stderr


def test_bad_option_reaching_a_factory_names_plugin_and_table(call_site):
    site, env, tmp = call_site
    (tmp / "ix.toml").write_text('[plugins.picky]\ndepth = "deep"\n')
    out = cli(["shard", str(env), "--shards", "2", "--partitioner", "picky", "--out", str(tmp / "m.ixes"),
               "--config", str(tmp / "ix.toml")], site)
    assert out.returncode == 2
    [line] = [ln for ln in out.stderr.splitlines() if ln.startswith("ix:")]
    assert "Traceback" not in out.stderr and "partitioner 'picky' (ix-bad-call 0.3) could not be built from [plugins.picky]" in line
    assert "ValueError" in line


def test_install_hints_keep_their_brackets(call_site):
    site, _env, _tmp = call_site
    out = cli(["plugins"], site)
    assert out.returncode == 0 and "pip install 'needy[fast]'" in out.stdout
    assert "badcall" in out.stdout  # the entry-point name, what IX_DISABLE_PLUGINS takes


def test_an_unknown_name_mentions_the_broken_plugins(broken_site):
    with pytest.raises(ConfigError, match="broken plugins that may provide it") as info:
        PluginHost().create("partitioner", "lpt")
    assert "badimport" in str(info.value) and "badhooks" in str(info.value)
