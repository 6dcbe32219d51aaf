"""Seeded fuzzing of every reader through the real CLI: mutated .ndjson, .ixprof, .ixes,
.ixe, leaf and root .proof, run reports, store files and ix.toml, plus empty, binary,
zero-filled and special files. Every run must end with exit 0, 1 or 2 and, when it fails,
one `ix: error:` line: no traceback, no hang (an alarm per run), no unbounded memory (an
address-space limit for the whole fuzz turns a runaway allocation into a failure).

The default run is short (CI); `-m slow` runs thousands of cases. Commands run in-process
through `ixcore.cli.main`, so a case costs the reader, not an interpreter start-up.
"""
from __future__ import annotations

import os
import random
import resource
import shutil
import signal
from pathlib import Path

import attrs
import pytest

from conftest import run_ix
from ixcore.ixon.fixtures import write_fixture_ixe

CASE_SECONDS = 60  # a reader that takes longer than this on a tiny input is hung
MEMORY_HEADROOM = 2 << 30  # address space allowed on top of what the test process has


class Hang(Exception):
    pass


@attrs.define
class Tally:
    cases: int = 0
    runs: int = 0
    tracebacks: list = attrs.field(factory=list)
    hangs: list = attrs.field(factory=list)
    bad_exits: list = attrs.field(factory=list)
    codes: dict = attrs.field(factory=dict)

    def line(self) -> str:
        return (f"fuzz: {self.cases} cases, {self.runs} command runs, exits {dict(sorted(self.codes.items()))}, "
                f"tracebacks {len(self.tracebacks)}, hangs {len(self.hangs)}, bad exits {len(self.bad_exits)}")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """One of each input kind, made by ix itself: env, proofs, run report, store, profile,
    manifest, .ixe, ix.toml."""
    d = tmp_path_factory.mktemp("seeds")
    cwd = os.getcwd()
    os.chdir(d)
    try:
        assert run_ix("demo-env", "--constants", "24", "env.ndjson").code == 0
        ran = run_ix("prove", "env.ndjson", "--store", "store", "--jobs", "1", "--partitioner", "range", "--out", "run")
        assert ran.code == 0, ran
        assert run_ix("profile", "env.ndjson", "--out", "env.ixprof").code == 0
        planned = run_ix("shard", "plan", "env.ndjson", "--out", "m.ixes", "--partitioner", "range", "--shards", "2")
        assert planned.code == 0, planned
    finally:
        os.chdir(cwd)
    write_fixture_ixe(d / "fx.ixe")
    (d / "ix.toml").write_text('partitioner = "range"\n[prove]\narity = 4\njobs = 1\n[executor_options]\nretries = 2\n')
    leaf = next(p for p in sorted((d / "run" / "proofs").glob("*.proof")))
    return {
        "ndjson": d / "env.ndjson", "ixprof": d / "env.ixprof", "ixes": d / "m.ixes", "ixe": d / "fx.ixe",
        "leaf": leaf, "root": d / "run" / "root.proof", "report": d / "run" / "report.json",
        "store_proof": next((d / "store" / "proofs").rglob("*.proof")), "index": d / "store" / "index.sqlite",
        "format": d / "store" / "FORMAT", "toml": d / "ix.toml", "store": d / "store", "run": d / "run",
    }


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One of: truncate, flip bytes, insert random bytes, zero a span, duplicate a span,
    swap a digit run for a huge or negative number, or replace everything."""
    n = len(data)
    op = rng.randrange(9)
    if op == 0 or n == 0:
        return data[: rng.randrange(n + 1)]
    if op == 1:
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(n)] ^= 1 << rng.randrange(8)
        return bytes(out)
    if op == 2:
        at = rng.randrange(n + 1)
        return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]
    if op == 3:
        at = rng.randrange(n)
        return data[:at] + b"\0" * rng.randint(1, 256) + data[at + 1 :]
    if op == 4:
        at, size = rng.randrange(n), rng.randint(1, 512)
        return data[: at + size] + data[at : at + size] + data[at + size :]
    if op == 5:
        digits = [i for i, b in enumerate(data[:4096]) if 48 <= b <= 57]
        if digits:
            at = rng.choice(digits)
            big = rng.choice([b"-1", b"18446744073709551616", b"9" * 5000, b"1e400", b"0"])
            return data[:at] + big + data[at + 1 :]
        return data[::-1]
    if op == 6:
        return b""
    if op == 7:
        return rng.randbytes(rng.randint(1, 4096))
    return b"\0" * n


def commands(kind: str, f: Path, s: dict, work: Path) -> list[tuple]:
    """The commands that read a file of `kind` (f) or the store it was put in."""
    out = work / "out"
    if kind == "ndjson":
        return [("check", f), ("inspect", f), ("verify", s["root"], "--env", f),
                ("prove", f, "--no-store", "--jobs", "1", "--partitioner", "range", "--shards", "2", "--out", out)]
    if kind == "ixprof":
        return [("inspect", f), ("shard", "plan", f, "--out", work / "x.ixes", "--partitioner", "range", "--shards", "2")]
    if kind == "ixes":
        return [("inspect", f), ("prove", s["ndjson"], "--manifest", f, "--no-store", "--jobs", "1", "--out", out)]
    if kind == "ixe":
        return [("inspect", f), ("verify", s["root"], "--env", f)]
    if kind in ("leaf", "root"):
        return [("verify", f), ("inspect", f), ("verify", f, "--env", s["ndjson"])]
    if kind == "report":
        return [("compare", f, s["report"]), ("compare", f, f)]
    if kind in ("store_proof", "index", "format"):
        store = work / "store"
        return [("store", "ls", "--store", store), ("store", "verify", "--store", store),
                ("verify", s["root"], "--env", s["ndjson"], "--reexecute", "--store", store),
                ("prove", s["ndjson"], "--store", store, "--jobs", "1", "--partitioner", "range", "--out", out),
                ("store", "gc", "--store", store)]
    if kind == "toml":
        return [("--config", f, "store", "ls", "--store", s["store"]), ("--config", f, "inspect", s["ixprof"])]
    raise AssertionError(kind)


def place(kind: str, data: bytes, s: dict, work: Path) -> Path:
    """Write the mutated bytes where the commands will read them (store files go into a
    fresh copy of the seed store)."""
    if kind in ("store_proof", "index", "format"):
        store = work / "store"
        shutil.copytree(s["store"], store)
        target = store / s[kind].relative_to(s["store"])
        for suffix in ("-wal", "-shm"):  # the seed's WAL must not mask the mutated index
            Path(str(store / "index.sqlite") + suffix).unlink(missing_ok=True)
        target.write_bytes(data)
        return target
    target = work / s[kind].name
    target.write_bytes(data)
    return target


def run_case(args: tuple, tally: Tally) -> None:
    tally.runs += 1
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        ran = run_ix(*args)
    except Hang:
        tally.hangs.append(args)
        return
    except BaseException as exc:  # noqa: BLE001 - the point: nothing may escape main()
        tally.tracebacks.append((args, f"{type(exc).__name__}: {exc}"[:300]))
        return
    finally:
        signal.alarm(0)
    tally.codes[ran.code] = tally.codes.get(ran.code, 0) + 1
    if "Traceback" in ran.err:
        tally.tracebacks.append((args, ran.err[-300:]))
    elif (ran.code not in (0, 1, 2) or "out of memory" in ran.err
          or (ran.code == 2 and not ran.last_err_line.startswith(("ix: error:", "Error:")))):
        tally.bad_exits.append((args, ran.code, ran.last_err_line))


def _alarm(signum, frame):
    raise Hang()


def special_cases(s: dict, work: Path) -> list[tuple]:
    fifo = work / "fifo.ndjson"
    os.mkfifo(fifo)
    loop = work / "loop.proof"
    loop.symlink_to(loop)
    out = []
    for special in ("/dev/zero", "/dev/null", fifo, loop, work, "/proc/self/status"):
        out += [("inspect", special), ("verify", special), ("check", special), ("compare", special, special),
                ("prove", s["ndjson"], "--manifest", special, "--no-store", "--out", work / "o"),
                ("shard", "plan", special, "--out", work / "x.ixes"),
                ("store", "ls", "--store", special), ("--config", special, "plugins")]
    return out


def fuzz(seeds: dict, tmp_path: Path, cases: int, seed: int) -> Tally:
    rng = random.Random(seed)
    tally = Tally()
    kinds = ["ndjson", "ixprof", "ixes", "ixe", "leaf", "root", "report", "store_proof", "index", "format", "toml"]
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_vm_size() + MEMORY_HEADROOM, hard))
    cwd = os.getcwd()
    try:
        specials = tmp_path / "specials"
        specials.mkdir()
        os.chdir(specials)
        for args in special_cases(seeds, specials):
            run_case(args, tally)
        for i in range(cases):
            kind = kinds[i % len(kinds)]
            work = tmp_path / f"case{i}"
            work.mkdir()
            os.chdir(work)  # prove writes .ix/work under the current directory
            f = place(kind, mutate(seeds[kind].read_bytes(), rng), seeds, work)
            tally.cases += 1
            for args in commands(kind, f, seeds, work):
                run_case(args, tally)
            shutil.rmtree(work, ignore_errors=True)
    finally:
        os.chdir(cwd)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    return tally


def _vm_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 4 << 30


def check(tally: Tally) -> None:
    print(tally.line())
    assert not tally.tracebacks, tally.tracebacks[:5]
    assert not tally.hangs, tally.hangs[:5]
    assert not tally.bad_exits, tally.bad_exits[:5]


def test_fuzz_every_reader_short(seeds, tmp_path):
    check(fuzz(seeds, tmp_path, cases=11, seed=1))


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_fuzz_every_reader_thousands(seeds, tmp_path, request):
    """Runs when selected with `-m slow` (or IX_FUZZ_CASES is set): ~15 min at 1,500."""
    if "slow" not in (request.config.getoption("-m") or "") and "IX_FUZZ_CASES" not in os.environ:
        pytest.skip("the long fuzz run is opt-in: pytest -m slow tests/test_fuzz_inputs.py (IX_FUZZ_CASES=N)")
    check(fuzz(seeds, tmp_path, cases=int(os.environ.get("IX_FUZZ_CASES", "2000")), seed=2))
