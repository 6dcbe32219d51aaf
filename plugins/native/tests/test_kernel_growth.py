"""Binder telescopes are checked in linear time. A chain of n nested binders, each domain
the same type variable at another de Bruijn index, used to cost O(n²): a tuple copy of the
context per binder, a reversed copy of it per domain closed, and a slice of the locals per
binder when the type was closed again (272 s at 100k binders). The test compares CPU time
at two sizes (a growth ratio, not a time): 4x the binders must cost well under 16x."""
from __future__ import annotations

import time

from ix_native.check_cmd import check_file
from ix_native.demo_env import write_binder_chain


def _check_seconds(path) -> float:
    t0 = time.process_time()
    res = check_file(str(path))
    assert res["verdict"] == "accept", res["reason"]
    return time.process_time() - t0


def test_binder_chain_is_linear(tmp_path):
    small = write_binder_chain(tmp_path / "small.ndjson", 5_000)
    large = write_binder_chain(tmp_path / "large.ndjson", 20_000)
    _check_seconds(small)  # warm up imports and the intern table's common nodes
    ratio = min(_check_seconds(large) for _ in range(2)) / min(_check_seconds(small) for _ in range(2))
    assert ratio < 8, ratio


def test_binder_chain_rejects_a_wrong_body(tmp_path):
    """The chain is a real check: the same env with the body pointing at `A` (a type, not
    an element of it) is rejected."""
    path = write_binder_chain(tmp_path / "bad.ndjson", 50)
    lines = path.read_bytes().splitlines()
    # the lambda chain's innermost body is bvar depth-1 (x₁); make it bvar depth (A)
    lines = [ln.replace(b'"body":50,', b'"body":51,') if b'"lam"' in ln else ln for ln in lines]
    path.write_bytes(b"\n".join(lines) + b"\n")
    res = check_file(str(path))
    assert res["verdict"] == "reject", res
