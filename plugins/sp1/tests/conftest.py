"""Fixtures for ix-sp1 tests: the stand-in hosts on PATH and a multi-block .ixe."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[2]


def load_installer(plugin: str):
    path = PLUGINS / plugin / "tests" / "standins" / "install.py"
    spec = importlib.util.spec_from_file_location(f"ix_{plugin}_standin_install", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def standin_installer():
    """`load_installer` as a fixture: test modules must not import `conftest` by name,
    since several conftest modules exist and which one wins depends on collection order."""
    return load_installer


@pytest.fixture
def sp1_table(tmp_path, monkeypatch):
    return load_installer("sp1").install_sp1(tmp_path, monkeypatch)


@pytest.fixture
def fixture_env(tmp_path):
    from ixcore.formats.ixe import IxeFormat
    from ixcore.ixon.fixtures import write_fixture_ixe

    return IxeFormat().load(write_fixture_ixe(tmp_path / "fixture.ixe"))


@pytest.fixture
def make_manifest():
    """The same k-shard manifest helper as the zisk tests (one definition)."""
    path = PLUGINS / "zisk" / "tests" / "conftest.py"
    spec = importlib.util.spec_from_file_location("ix_zisk_tests_conftest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.split_manifest
