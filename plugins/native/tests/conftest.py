"""Fixtures shared by the native plugin's tests."""
from __future__ import annotations

import pytest


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private, enabled env-index cache directory for one test."""
    d = tmp_path / "cache"
    monkeypatch.setenv("IX_CACHE_DIR", str(d))
    monkeypatch.delenv("IX_NO_ENV_CACHE", raising=False)
    return d
