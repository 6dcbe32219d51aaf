"""`ix check` exit codes scripts can trust: 0 all accepted, 1 any rejected (or, with
--expect, any mismatch or unmatched manifest row), 2 an input that cannot be read."""
from __future__ import annotations

import json
import os

import pytest


@pytest.fixture(scope="module")
def files(tmp_path_factory, ix):
    d = tmp_path_factory.mktemp("check")
    assert ix("demo-env", "--constants", "30", d / "good.ndjson").code == 0
    assert ix("demo-env", "--constants", "30", "--corrupt", "1", d / "bad.ndjson").code == 0
    (d / "garbage.ndjson").write_text("not json\n")
    (d / "blank.ndjson").write_text("\n\n\n")
    return d


def test_all_accepted_is_0(files, ix):
    assert ix("check", files / "good.ndjson").code == 0


@pytest.mark.parametrize("name", ["bad.ndjson", "garbage.ndjson", "blank.ndjson"])
def test_any_rejected_is_1(files, name, ix):
    res = ix("--json", "check", files / "good.ndjson", files / name)
    assert res.code == 1 and "1 of 2 file(s) rejected" in res.last_err_line
    assert json.loads(res.out)["summary"]["rejected"] == 1


def test_unreadable_input_is_2_after_checking_the_rest(files, tmp_path, ix):
    os.mkfifo(tmp_path / "pipe.ndjson")
    (tmp_path / "good.ndjson").write_bytes((files / "good.ndjson").read_bytes())
    res = ix("--json", "check", tmp_path)
    assert res.code == 2 and "1 file(s) could not be read" in res.last_err_line and "a FIFO" in res.last_err_line
    summary = json.loads(res.out)["summary"]
    assert summary["accepted"] == 1 and summary["unreadable"] == [str(tmp_path / "pipe.ndjson")]
    assert ix("check", "/dev/null").code == 2


def test_expect_fails_on_unmatched_rows_and_passes_on_expected_rejections(files, tmp_path, ix):
    manifest = files / "M.tsv"
    manifest.write_text("file\texpected\ngood.ndjson\taccept\nbad.ndjson\treject\n")
    assert ix("check", files / "good.ndjson", files / "bad.ndjson", "--expect", manifest).code == 0
    manifest.write_text("file\texpected\ngood.ndjson\taccept\ntypo.ndjson\taccept\n")
    res = ix("--json", "check", files / "good.ndjson", "--expect", manifest)
    assert res.code == 1 and "1 manifest row(s) match no checked file" in res.last_err_line
    assert json.loads(res.out)["summary"]["unmatched_manifest_rows"] == [str(files / "typo.ndjson")]


def test_verify_rejects_an_empty_env(files, tmp_path, ix):
    empty = tmp_path / "empty.ndjson"
    empty.write_text('{"meta":{"format":{"version":"3.1.0"}}}\n')
    run = tmp_path / "run"
    assert ix("prove", files / "good.ndjson", "--no-store", "--jobs", "1", "--out", run).code == 0
    res = ix("verify", run / "root.proof", "--env", empty)
    assert res.code == 2 and res.last_err_line.endswith("the environment declares nothing; there is no claim to check")
