"""Content addresses are a format (docs/addresses.md): speed-ups of the encoder must not
move them. Pins the env root and total block size of a corpus export."""
from __future__ import annotations

from ix_native.env import NdjsonFormat

INIT_PRELUDE_ROOT = "6dd0a6dce3c82640de31d9385df27d1b053c7e030fe2e3bc07ca2982810559d1"


def test_init_prelude_env_root_is_pinned(shared_dir, monkeypatch):
    monkeypatch.setenv("IX_NO_ENV_CACHE", "1")
    env = NdjsonFormat().load(shared_dir / "lean-exports/nyaya/good/init-prelude.ndjson")
    assert str(env.env_root()) == INIT_PRELUDE_ROOT
    assert int(env._ix.sizes.sum()) == 5980399
