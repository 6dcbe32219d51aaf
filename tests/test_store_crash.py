"""Crash safety: writers SIGKILLed at random moments never lose a confirmed proof, never
hide one, never leave a corrupt visible entry; a resumed run then finishes."""
from __future__ import annotations

import random
import signal
import subprocess
import sys

from ixcore.store import FsStore

WRITER = r"""
import sys
from ixcore.address import Address
from ixcore.merkle import merkle_root
from ixcore.model import Claim, Proof
from ixcore.store import FsStore

store = FsStore(sys.argv[1])
for i in range(int(sys.argv[2]), int(sys.argv[3])):
    s = [Address.hash(b"target %d" % i)]
    asm = [Address.hash(b"target %d" % (i + 1))]
    claim = Claim(Address.hash(b"env"), 0, merkle_root(s), merkle_root(asm), 1)
    pid = store.put(Proof("t", "leaf", Address.hash(b"leaf"), claim, s, asm, bytes(4096) + b"%d" % i, "k1"))
    print(pid, flush=True)
"""

RUNS = 50
CONCURRENT = 10
PROOFS = 600  # every writer has at least 400 to write and is killed after at most 39


def test_sigkill_at_random_points_loses_and_hides_nothing(tmp_path):
    rng = random.Random(20261124)
    confirmed: set[str] = set()
    killed = 0
    for wave in range(RUNS // CONCURRENT):
        procs = []
        for _j in range(CONCURRENT):
            start = rng.randrange(0, PROOFS // 3)  # overlapping ranges: concurrent writers of the same proofs
            procs.append(subprocess.Popen(
                [sys.executable, "-c", WRITER, str(tmp_path), str(start), str(PROOFS)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            ))
        for p in procs:
            # kill once the writer has confirmed a random number of proofs (0: during
            # start-up): the point is set by the writer's progress, not by a clock
            for _ in range(rng.randrange(0, 40)):
                line = p.stdout.readline().strip()
                if not line:
                    break
                confirmed.add(line)
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
        for p in procs:
            out, _ = p.communicate()
            confirmed.update(line.strip() for line in out.splitlines() if len(line.strip()) == 64)
        store = FsStore(tmp_path)  # a fresh open after every wave of kills
        present = {str(e.id) for e in store.entries()}
        assert confirmed <= present, f"wave {wave}: confirmed proofs missing from the index"
        check = store.verify()
        assert check.ok, check.problems
        for pid in confirmed:
            store.get(bytes.fromhex(pid))
        store.index.close()
    assert killed == RUNS, "every writer is killed before it finishes its range"
    done = subprocess.run([sys.executable, "-c", WRITER, str(tmp_path), "0", str(PROOFS)],
                          capture_output=True, text=True, check=True)
    assert len(done.stdout.split()) == PROOFS
    store = FsStore(tmp_path)
    assert len(store.entries()) == PROOFS and store.verify().ok
    store.gc()
    assert not any((tmp_path / "tmp").iterdir())
