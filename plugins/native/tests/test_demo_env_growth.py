"""`ix demo-env` does linear work in the number of constants (it was quadratic: each pick
rescanned every function and re-ran its recursive model). Work is counted as the lines the
generator's own modules execute, so the test is independent of machine speed."""
from __future__ import annotations

import sys

from ix_native import demo_env, demo_terms
from ix_native.demo_env import DemoEnvBuilder

FILES = {demo_env.__file__, demo_terms.__file__}


def _lines_executed(constants: int) -> int:
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def trace(frame, event, arg):
        return local if frame.f_code.co_filename in FILES else None

    b = DemoEnvBuilder(seed=3)
    old = sys.gettrace()
    sys.settrace(trace)
    try:
        b.prelude()
        b.grow(constants)
    finally:
        sys.settrace(old)
    return count


def test_generation_work_grows_linearly():
    small, large = _lines_executed(1000), _lines_executed(4000)
    # 4x the constants: linear work is ~4x (the quadratic generator did ~8x here, ~10x at 16k)
    assert large / small < 4.8, (small, large)
