"""One small export per kernel rule the corpus does not pin (data/kernel_pins, MANIFEST.tsv).

Each reject file is accepted by a kernel with that rule weakened (a mutant that survived
every other test); the stored bytes must be exactly what `build.py` writes, so a pin can
be read, regenerated and reviewed rather than trusted.
"""
from __future__ import annotations

import csv
import importlib.util
import subprocess
from pathlib import Path

import pytest

PINS = Path(__file__).parent / "data" / "kernel_pins"


def _rows():
    with open(PINS / "MANIFEST.tsv", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _builder():
    spec = importlib.util.spec_from_file_location("kernel_pins_build", PINS / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ROWS = _rows()
IDS = [r["file"].removesuffix(".ndjson") for r in ROWS]


def test_stored_pins_are_what_the_builder_writes():
    b = _builder()
    assert (PINS / "MANIFEST.tsv").read_text() == b.manifest()
    for name in b.PINS:
        assert (PINS / name).read_bytes() == b.render(name), f"{name}: regenerate with build.py"


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_kernel_verdict(row):
    from ix_native.check_cmd import check_file

    got = check_file(str(PINS / row["file"]))
    assert got["verdict"] == row["expected"], f"{row['file']} pins: {row['rule']} ({got['reason']})"


NANODA_ROWS = [r for r in ROWS if r["nanoda"] != "-"]  # '-': build.py says why nanoda is no oracle there


@pytest.mark.parametrize("row", NANODA_ROWS, ids=[r["file"].removesuffix(".ndjson") for r in NANODA_ROWS])
def test_nanoda_agrees(shared_dir, row):
    """The anchor kernel (../shared/anchors/nanoda) gives the verdict the manifest states."""
    nanoda = shared_dir / "anchors" / "nanoda"
    with open(PINS / row["file"], "rb") as fh:
        rc = subprocess.run([str(nanoda / "nanoda_bin"), str(nanoda / "config.json")], stdin=fh, check=False,
                            capture_output=True, timeout=120).returncode
    assert rc in (0, 101), f"nanoda gave no verdict (exit {rc})"
    assert ("accept" if rc == 0 else "reject") == row["nanoda"] == row["expected"]


QUOT_REJECTS = [r for r in ROWS if r["file"].startswith("quot_") and r["expected"] == "reject"]


@pytest.mark.parametrize("row", QUOT_REJECTS, ids=[r["file"].removesuffix(".ndjson") for r in QUOT_REJECTS])
def test_quotient_pin_fails_at_quotient_initialisation(tmp_path, row):
    """A quotient pin is rejected for its `Eq`, not before: the same file without the four
    `Quot` lines is accepted (its broken `Eq` is a well-formed inductive or axiom), and the
    rejection names the first quotient constant."""
    from ix_native.check_cmd import check_file

    twin = tmp_path / row["file"]
    twin.write_bytes(_builder().render(row["file"], without_quot=True))
    assert check_file(str(twin))["verdict"] == "accept"
    got = check_file(str(PINS / row["file"]))
    assert got["verdict"] == "reject" and got["reason"].startswith("Quot: "), got["reason"]
