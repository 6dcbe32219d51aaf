"""`ix check` and `ix prove` judge an environment by the same rules (issue 10, part 4).

A declaration that mentions a constant declared only later in the file is rejected by
`ix check` ("unknown constant") but was certified by `ix prove`, whose leaves see
sub-environments written in dependency order. Loading an env for the pipeline now applies
`ix check`'s rule first (`ix_native.env.check_declaration_order`): a rejected environment,
exit 1, nothing profiled or proven.

The property: over every corpus file, `ix check` accepts exactly the files `ix prove`
certifies. Proving all 158 files once (module fixture; range partitioner, 2 shards, one
job, no store, static profile) takes about 25 s of CPU, so the full sweep is marked
`slow`; `-m "not slow"` keeps a representative subset.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json

import prim_forgery_env as P
import pytest

from ix_native.demo_terms import Definition, NdjsonWriter, app, const, lit
from ixcore.cli import _load_plugin_commands, cli
from ixcore.errors import IxError

#: A file with no declarations: `ix check` accepts it, `ix prove` has no claim to make
#: ("the environment declares nothing", exit 2). The only exception to the property.
NOTHING_TO_PROVE = {"nanoda_lib/good/Empty.ndjson"}
#: Small files covering accept and reject in each source, for the fast run.
SUBSET = (
    "lean4export/good/Nat.add_succ.ndjson", "nanoda_lib/good/Empty.ndjson", "nyaya/bad/bogus1.ndjson",
    "nyaya/bad/nat-rec-rules.ndjson", "lean-kernel-arena/bad/NestedUnusedParam.ndjson",
    "nyaya/bad/tutorial/126_dup_defs.ndjson", "nyaya/bad/k-rec-conv.ndjson",
)


def _ix(*args) -> tuple[int, str, str]:
    """Run the CLI in this process (as `ix` does: an IxError is its exit code and line)."""
    _load_plugin_commands()
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            cli.main(args=list(args), prog_name="ix", standalone_mode=False)
    except IxError as exc:
        return exc.exit_code, out.getvalue(), str(exc)
    return 0, out.getvalue(), ""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A cwd whose ix.toml makes proving cheap: static profile, range partitioner (with an
    eps that two range shards always meet: this sweep is about verdicts, not balance)."""
    d = tmp_path_factory.mktemp("agree")
    (d / "ix.toml").write_text('profiler = "none"\npartitioner = "range"\n[partition]\neps = 0.99\n')
    return d


def _prove(workdir, path, tag) -> tuple[int, str]:
    code, _out, err = _ix("--json", "prove", str(path), "--no-store", "--jobs", "1", "--shards", "2",
                          "--out", str(workdir / "runs" / tag))
    return code, err


def _check(paths) -> dict:
    code, out, err = _ix("--json", "check", *map(str, paths))
    results = json.loads(out)["results"]
    # exit 1 exactly when some file is rejected (ix check's exit codes), never 2: every file reads
    assert code == (1 if any(r["verdict"] != "accept" for r in results) else 0), err
    return {r["file"]: r for r in results}


def _corpus(shared_dir):
    root = shared_dir / "lean-exports"
    with open(root / "MANIFEST.tsv") as fh:
        return root, [r["file"] for r in csv.DictReader(fh, delimiter="\t")]


def _agree(workdir, monkeypatch, root, files) -> dict:
    monkeypatch.chdir(workdir)
    checked = _check([root / f for f in files])
    counts = {"files": len(files), "accepted": 0, "certified": 0, "rejected_exit_1": 0, "rejected_exit_2": 0}
    for i, f in enumerate(files):
        accepted = checked[str(root / f)]["verdict"] == "accept"
        code, err = _prove(workdir, root / f, str(i))
        counts["accepted"] += accepted
        counts["certified"] += code == 0
        if code:
            counts[f"rejected_exit_{code}"] += 1
        if f in NOTHING_TO_PROVE:
            assert accepted and code == 2 and "declares nothing" in err
            continue
        assert (code == 0) == accepted, (f, code, err)
        if code == 2:  # input errors only for what ix check also rejects as such
            assert "duplicate declaration" in err, (f, err)
    return counts


@pytest.mark.slow
def test_check_accepts_exactly_what_prove_certifies_on_the_whole_corpus(shared_dir, workdir, monkeypatch, capsys):
    root, files = _corpus(shared_dir)
    counts = _agree(workdir, monkeypatch, root, files)
    with capsys.disabled():
        print(f"\ncheck/prove agreement: {counts}")
    assert counts["files"] == 158
    assert counts["certified"] == counts["accepted"] - len(NOTHING_TO_PROVE)


def test_check_accepts_exactly_what_prove_certifies_on_a_subset(shared_dir, workdir, monkeypatch):
    root, files = _corpus(shared_dir)
    assert set(SUBSET) <= set(files)
    counts = _agree(workdir, monkeypatch, root, list(SUBSET))
    assert counts["certified"] == 1 and counts["accepted"] == 2


def _write_forward_reference(path):
    """`T.b := Nat.succ T.a` declared before `T.a := 3`."""
    with open(path, "wb") as fh:
        w = NdjsonWriter(fh)
        for d in P._base():
            w.declare(d)
        w.declare(Definition("T.b", (), P.NAT, app(const("Nat.succ"), const("T.a")), 2))
        w.declare(Definition("T.a", (), P.NAT, lit(3), 1))
    return path


def test_a_forward_reference_is_rejected_by_prove_with_checks_reason(tmp_path, workdir, monkeypatch):
    env = _write_forward_reference(tmp_path / "forward.ndjson")
    monkeypatch.chdir(workdir)
    (result,) = _check([env]).values()
    assert result["verdict"] == "reject" and result["reason"] == "T.b: unknown constant T.a"
    code, err = _prove(workdir, env, "forward")
    assert code == 1
    assert f"{env}:" in err and "T.b: unknown constant T.a (declared later, on line" in err
    run = workdir / "runs" / "forward"
    assert not (run / "proofs").exists() and not (run / "report.json").exists()  # nothing proven
