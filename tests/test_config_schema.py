"""Configuration: schema errors name the dotted key path; pyproject's [tool.ix]; CLI overrides."""
from __future__ import annotations

import pytest

from ixcore.config import DEFAULTS, check_table, load_config
from ixcore.errors import ConfigError


def test_defaults_without_any_file(tmp_path):
    config = load_config(cwd=tmp_path)
    assert config.source == "<defaults>" and config["partitioner"] == DEFAULTS["partitioner"]
    assert config.get("partition.eps") == 0.05 and config.get("partition.missing", 7) == 7


@pytest.mark.parametrize(
    "toml, needle",
    [
        ("partitoner = 'x'\n", "unknown key 'partitoner'"),
        ("[partition]\nshard = 4\n", "unknown key 'partition.shard'"),
        ("[partition]\neps = 'small'\n", "'partition.eps' must be an integer or a number, got str"),
        ("[partition]\nshards = true\n", "'partition.shards' must be an integer, got bool"),
        ("[prove]\narity = 2.5\n", "'prove.arity' must be an integer"),
        ("partition = 3\n", "'partition' must be a table"),
        ("store = [1\n", "not valid TOML"),
        ("[partition]\neps = 1" + "0" * 400 + "\n", "'partition.eps' is too large (an integer of 401 digits)"),
    ],
)
def test_bad_files_name_the_key(tmp_path, toml, needle):
    (tmp_path / "ix.toml").write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    assert needle in str(info.value) and str(tmp_path / "ix.toml") in str(info.value)


def test_tool_ix_in_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n[tool.ix]\npartitioner = 'range'\n[tool.ix.partition]\nshards = 6\n")
    config = load_config(cwd=tmp_path)
    assert config["partitioner"] == "range" and config.get("partition.shards") == 6
    assert config.get("partition.eps") == 0.05  # merged over defaults
    assert "[tool.ix]" in config.source


def test_tool_ix_errors_are_checked_too(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.ix.prove]\njobs = 'many'\n")
    with pytest.raises(ConfigError, match="'prove.jobs' must be an integer"):
        load_config(cwd=tmp_path)


def test_ix_toml_and_tool_ix_together_are_an_error(tmp_path):
    """Issue 13: ix does not choose silently between two configurations."""
    (tmp_path / "pyproject.toml").write_text("[tool.ix]\npartitioner = 'range'\n")
    (tmp_path / "ix.toml").write_text("partitioner = 'kahypar'\n")
    with pytest.raises(ConfigError, match="both ix.toml and"):
        load_config(cwd=tmp_path)


def test_explicit_path_and_missing_file(tmp_path):
    (tmp_path / "other.toml").write_text("[partition]\nseed = 7\n")
    assert load_config(tmp_path / "other.toml").get("partition.seed") == 7
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "absent.toml")


def test_cli_override(tmp_path):
    (tmp_path / "ix.toml").write_text("[partition]\nshards = 4\neps = 0.1\n")
    config = load_config(cwd=tmp_path).override(**{"partition.shards": 8, "partition.seed": None, "leaf_prover": "zisk"})
    assert config.get("partition.shards") == 8 and config.get("partition.eps") == 0.1
    assert config.get("partition.seed") == 42 and config["leaf_prover"] == "zisk"
    with pytest.raises(ConfigError, match="command line: 'partition.shards' must be an integer"):
        config.override(**{"partition.shards": "eight"})
    with pytest.raises(ConfigError, match="command line: unknown key 'partition.bogus'"):
        config.override(**{"partition.bogus": 1})


def test_plugin_tables_are_checked_by_the_plugin():
    with pytest.raises(ConfigError, match="store fs: unknown key 'store_options.pth'"):
        check_table({"pth": "x"}, {"path": str}, "store_options", "store fs")
