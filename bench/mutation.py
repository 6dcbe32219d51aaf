"""Mutation testing of the modules a false claim passes through (mutmut 3; too slow for CI).

    .venv/bin/python -m pip install -e '.[mutation]'
    .venv/bin/python bench/mutation.py [MODULE ...] [--jobs N] [--workdir DIR] [--json]

A test suite that passes whatever the code does proves nothing; a mutant (one small
change, e.g. `==` to `!=`) that no test notices is a check nobody would miss. For each
module (repo path, e.g. `ixcore/merkle.py`; default: every module of MODULES) the script
builds a scratch project where `ixcore` and `ix_native` sit side by side (mutmut names a
mutant by its import path, and ix_native lives under plugins/native), copies in the
module's fast test subset, runs `mutmut run` with the repo's `[tool.mutmut]` table plus
`only_mutate` and that subset, and prints killed / survived / timeout / other per module.
Every survivor's diff goes to WORKDIR/<module>/survivors.diff: each must be killed by a
new test or argued equivalent in docs/testing.md. Results go to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NATIVE = "plugins/native/"
# `@corpus`: the 158-file corpus as one test per file, small files first (written into the
# scratch project: with -x a mutant dies at its first wrong verdict instead of after all
# 158), without the two perf files that take 80 % of its time; `--full-corpus` adds them.
CORPUS = "@corpus"
CORPUS_SLOW = ("nyaya/good/init-prelude.ndjson", "nyaya/good/perf/app-lam.ndjson")
KERNEL_TESTS = [
    "plugins/native/tests/test_kernel_pins.py",
    "plugins/native/tests/test_kernel_primitives.py",
    "plugins/native/tests/test_kernel_conformance.py::test_rejection_reasons",
    CORPUS,
]
CORPUS_TEST = '''"""Scratch test written by bench/mutation.py: corpus verdicts, one file per test."""
import csv
import os
from pathlib import Path

import pytest

ROOT = Path(os.environ["IX_SHARED_DIR"]) / "lean-exports"
SKIP = {skip!r}
with open(ROOT / "MANIFEST.tsv", newline="") as fh:
    ROWS = sorted(((r["file"], r["expected"]) for r in csv.DictReader(fh, delimiter="\\t") if r["file"] not in SKIP),
                  key=lambda r: (ROOT / r[0]).stat().st_size)


@pytest.mark.parametrize("file, expected", ROWS, ids=[r[0] for r in ROWS])
def test_verdict(file, expected):
    from ix_native.check_cmd import check_file

    assert check_file(str(ROOT / file))["verdict"] == expected
'''
CHAIN_TESTS = [
    "tests/test_fold_adversarial.py", "tests/test_fold_contract.py", "tests/test_verify_checks.py",
    "tests/test_pipeline_flow.py", "tests/test_manifest_aggplan.py", "plugins/native/tests/test_provers_native.py",
]
STORE_TESTS = [
    "tests/test_store_fs.py", "tests/test_store_verify.py", "tests/test_store_hostile.py", "tests/test_proofio_vector.py",
    "tests/test_proofio_decode.py", "tests/test_store_maintenance.py",
]
# module (repo path) -> the fast tests that exercise it
MODULES = {
    "ixcore/merkle.py": ["tests/test_merkle.py", "tests/test_merkle_join.py", "tests/test_core_merkle_vectors.py",
                         "tests/test_fold_adversarial.py"],
    "ixcore/fold.py": CHAIN_TESTS,
    "ixcore/verify.py": CHAIN_TESTS,
    "ixcore/proofio.py": STORE_TESTS,
    "ixcore/store/fs.py": STORE_TESTS,
    "plugins/native/ix_native/provers.py": CHAIN_TESTS,
    "plugins/native/ix_native/lean/def_eq.py": KERNEL_TESTS,
    "plugins/native/ix_native/lean/whnf.py": KERNEL_TESTS,
    "plugins/native/ix_native/lean/infer.py": KERNEL_TESTS,
    "plugins/native/ix_native/lean/inductive.py": KERNEL_TESTS,
    "plugins/native/ix_native/lean/level.py": KERNEL_TESTS,
    "plugins/native/ix_native/lean/quotient.py": KERNEL_TESTS,
    "plugins/native/ix_native/lean/nat.py": KERNEL_TESTS,
    "plugins/native/ix_native/lean/primitives.py": KERNEL_TESTS,
}
STATUSES = ("killed", "survived", "timeout")
SHOW_DIFFS = """import sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant
for name in sys.argv[1:]:
    print(f"# {name}")
    print(get_diff_for_mutant(name, path=find_mutant(name).path))
"""


def scratch_path(repo_path: str) -> str:
    """Where a repo file sits in the scratch project (ix_native moves to the top)."""
    return repo_path.removeprefix(NATIVE) if repo_path.startswith(NATIVE) else repo_path


def _toml_list(xs) -> str:
    return json.dumps(list(xs))  # a JSON array of strings is a TOML array


def build_project(module: str, tests: list[str], work: Path, full_corpus: bool = False) -> None:
    """A scratch project: both packages, the test subset (flat, with its data), conftest."""
    if work.exists():
        shutil.rmtree(work)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "ixcore", work / "ixcore", ignore=ignore)
    shutil.copytree(REPO / NATIVE / "ix_native", work / "ix_native", ignore=ignore)
    (work / "tests").mkdir()
    shutil.copy2(REPO / "tests" / "pipeline_doubles.py", work / "tests")
    shutil.copytree(REPO / NATIVE / "tests" / "data", work / "tests" / "data", ignore=ignore)
    shutil.copy2(REPO / "conftest.py", work / "conftest.py")
    selection = []
    for t in tests:
        if t == CORPUS:
            skip = () if full_corpus else CORPUS_SLOW
            (work / "tests" / "test_corpus_files.py").write_text(CORPUS_TEST.format(skip=tuple(skip)))
            selection.append("tests/test_corpus_files.py")
            continue
        file, _, rest = t.partition("::")
        shutil.copy2(REPO / file, work / "tests" / Path(file).name)
        selection.append(f"tests/{Path(file).name}" + (f"::{rest}" if rest else ""))
    conf = tomllib.loads((REPO / "pyproject.toml").read_text())
    mm = conf["tool"]["mutmut"]
    lines = [
        "[tool.pytest.ini_options]", 'testpaths = ["tests"]',
        f"markers = {_toml_list(conf['tool']['pytest']['ini_options']['markers'])}",
        "", "[tool.mutmut]",
        *(f"{k} = {json.dumps(v)}" for k, v in mm.items()),
        f"only_mutate = {_toml_list([scratch_path(module)])}",
        f"pytest_add_cli_args_test_selection = {_toml_list(selection)}",
        f"also_copy = {_toml_list(['conftest.py'])}",
    ]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n")


def run_module(module: str, work: Path, jobs: int, full_corpus: bool = False) -> dict:
    build_project(module, MODULES[module], work, full_corpus)
    # exists before Python starts, or the import system caches the PYTHONPATH entry as absent
    (work / "mutants").mkdir()
    env = dict(os.environ, IX_SHARED_DIR=str(Path(os.environ.get("IX_SHARED_DIR", REPO.parent / "shared")).resolve()),
               PYTHONPATH=str(work / "mutants"))  # CLI subprocesses import the mutants too
    mutmut = [sys.executable, "-m", "mutmut"]
    run = subprocess.run([*mutmut, "run", "--max-children", str(jobs)], cwd=work, env=env,
                         capture_output=True, text=True, check=False)
    (work / "run.log").write_text(run.stdout + run.stderr)
    res = subprocess.run([*mutmut, "results", "--all", "true"], cwd=work, env=env,
                         capture_output=True, text=True, check=False)
    by_status: dict[str, list[str]] = {}
    for line in res.stdout.splitlines():
        m = re.match(r"\s+(\S+): (.+)$", line)
        if m:
            by_status.setdefault(m.group(2), []).append(m.group(1))
    show = subprocess.run([sys.executable, "-c", SHOW_DIFFS, *by_status.get("survived", [])], cwd=work, env=env,
                          capture_output=True, text=True, check=False)  # one process: `mutmut show` each is slow
    (work / "survivors.diff").write_text(show.stdout + show.stderr)
    total = sum(len(v) for v in by_status.values())
    killed = len(by_status.get("killed", []))
    return {
        "module": module, "mutants": total,
        **{s: len(by_status.get(s, [])) for s in STATUSES},
        "other": {k: len(v) for k, v in by_status.items() if k not in STATUSES},
        "score": round(100 * (killed + len(by_status.get("timeout", []))) / total, 1) if total else None,
        "survivors": by_status.get("survived", []), "mutmut_exit": run.returncode,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", help="repo paths (default: all of MODULES)")
    ap.add_argument("--jobs", type=int, default=1, help="mutants tested in parallel")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/ix-mutation"))
    ap.add_argument("--full-corpus", action="store_true", help="kernel modules: also the two perf files")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        print(f"mutation.py: unknown module(s) {unknown}; known: {sorted(MODULES)}", file=sys.stderr)
        return 2
    results = []
    for module in args.modules or MODULES:
        work = args.workdir / scratch_path(module).replace("/", "_").removesuffix(".py")
        r = run_module(module, work.resolve(), args.jobs, args.full_corpus)
        results.append(r)
        if not args.json:
            print(f"{module}: {r['mutants']} mutants, killed {r['killed']}, survived {r['survived']}, "
                  f"timeout {r['timeout']}, other {r['other']}, score {r['score']}%  ({work}/survivors.diff)",
                  flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
