"""Fixtures for ix-zisk tests: the stand-in toolchain on PATH and a multi-block .ixe."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_INSTALL = Path(__file__).resolve().parent / "standins" / "install.py"


def _install_module():
    spec = importlib.util.spec_from_file_location("ix_zisk_standin_install", _INSTALL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def zisk_table(tmp_path, monkeypatch):
    """[plugins.zisk] pointing at stand-in ELFs, with the stand-in cargo-zisk/ziskemu on PATH."""
    return _install_module().install_zisk(tmp_path, monkeypatch)


@pytest.fixture
def zisk_versioned(tmp_path, monkeypatch):
    """Install the stand-ins impersonating a given cargo-zisk version; returns the table."""
    return lambda version, mode="gpu": _install_module().install_zisk(tmp_path, monkeypatch, version, mode)


@pytest.fixture
def fixture_env(tmp_path):
    from ixcore.formats.ixe import IxeFormat
    from ixcore.ixon.fixtures import write_fixture_ixe

    path = write_fixture_ixe(tmp_path / "fixture.ixe")
    return IxeFormat().load(path)


@pytest.fixture
def make_manifest():
    return split_manifest


def split_manifest(env, k: int):
    """A k-shard manifest over the env's blocks (contiguous in address order) with a balanced tree."""
    from ixcore.manifest import ShardEntry, ShardManifest, balanced_agg_tree

    blocks = [w.block for w in env.work_items()]
    cuts = [round(i * len(blocks) / k) for i in range(k + 1)]
    shards = [ShardEntry(i, 0, 0, 0, None, blocks[cuts[i] : cuts[i + 1]], ()) for i in range(k)]
    return ShardManifest(0, shards, balanced_agg_tree(0, k))
