"""Every file of the lean-exports corpus gets the verdict the official kernel gives."""
from __future__ import annotations

import csv

import pytest


def _rows(shared_dir):
    with open(shared_dir / "lean-exports" / "MANIFEST.tsv", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.mark.parametrize("eager_depth", [None, 0], ids=["default", "all-open"])
def test_corpus_verdicts(shared_dir, monkeypatch, eager_depth):
    """Also with every binder body inferred open: verdicts must not depend on that choice."""
    from ix_native.check_cmd import check_file
    from ix_native.lean import infer

    if eager_depth is not None:
        monkeypatch.setattr(infer, "EAGER_DEPTH", eager_depth)

    root = shared_dir / "lean-exports"
    mismatches = []
    checked = 0
    for row in _rows(shared_dir):
        got = check_file(str(root / row["file"]))
        checked += 1
        if got["verdict"] != row["expected"]:
            mismatches.append(f"{row['file']}: expected {row['expected']}, got {got['verdict']} ({got['reason']})")
    assert checked == 158
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("name, reason_part", [
    ("nyaya/bad/tutorial/011_nonPropThm.ndjson", "not a proposition"),
    ("nyaya/bad/tutorial/016_tut06_bad01.ndjson", "duplicate universe parameters"),
    ("nyaya/bad/nat-rec-rules.ndjson", "recursor"),
])
def test_rejection_reasons(shared_dir, name, reason_part):
    from ix_native.check_cmd import check_file

    got = check_file(str(shared_dir / "lean-exports" / name))
    assert got["verdict"] == "reject"
    assert reason_part in got["reason"]
