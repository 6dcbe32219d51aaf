"""The kernel accepts the valid part of a demo env and rejects exactly the corruptions."""
from __future__ import annotations

from ix_native.demo_env import write_demo_env
from ix_native.lean.checker import Kernel
from ix_native.lean.export import read_export


def test_kernel_verdicts_match_the_generator(tmp_path):
    rep = write_demo_env(tmp_path / "c.ndjson", constants=400, seed=9, corrupt=5)
    stats = Kernel().check_all(read_export(rep.path), stop_on_error=False)
    rejected = {str(s.name) for s in stats if not s.ok}
    assert rejected == set(rep.corrupted), [(str(s.name), s.reason) for s in stats if not s.ok]
    assert len(stats) == rep.declarations
    # the checks do real reduction work: delta, iota and literal steps
    assert sum(s.ix_heartbeats for s in stats) > 1000
    assert any(s.delta_unfolds for s in stats) and any(s.iota_rules for s in stats)
