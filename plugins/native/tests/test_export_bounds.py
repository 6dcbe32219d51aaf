"""The NDJSON reader's bounds: line length, Nat literal size (and sub-quadratic parsing),
special files, files with nothing but blank lines."""
from __future__ import annotations

import os
import random
import sys
import time

import pytest

from ix_native.lean import export
from ix_native.lean.export import (
    ExportError,
    ExportUnreadable,
    parse_nat,
    parse_nat_dc,
    read_export,
)

META = b'{"meta":{"format":{"version":"3.1.0"}}}\n'


def nat_file(tmp_path, digits: int):
    path = tmp_path / f"nat{digits}.ndjson"
    path.write_bytes(META + b'{"ie":0,"natVal":"' + b"7" * digits + b'"}\n')
    return path


def test_long_line_is_rejected_by_line_number(tmp_path):
    path = tmp_path / "long.ndjson"
    path.write_bytes(META + b"x" * 5000)  # no newline at all: must not be read whole
    with pytest.raises(ExportError, match=r"long.ndjson:2: line longer than 1,000 bytes \(raise the limit with IX_MAX_NDJSON_LINE\)"):
        read_export(path, max_line=1000)


def test_nat_literal_bound_is_configurable(tmp_path, monkeypatch):
    path = nat_file(tmp_path, 5000)
    assert read_export(path).meta  # under the default bound
    with pytest.raises(ExportError, match="nat5000.ndjson:2: natVal of 5,000 digits exceeds the limit of 4,999"):
        read_export(path, max_nat_digits=4999)
    monkeypatch.setenv("IX_MAX_NAT_DIGITS", "100")
    with pytest.raises(ExportError, match="exceeds the limit of 100 .*IX_MAX_NAT_DIGITS"):
        read_export(path)
    monkeypatch.setenv("IX_MAX_NAT_DIGITS", "many")
    with pytest.raises(Exception, match="IX_MAX_NAT_DIGITS='many': must be a positive integer"):
        read_export(path)


@pytest.mark.parametrize("n", [1, 999, 1000, 1001, 2048, 5001, 77777])
def test_parse_nat_agrees_with_int(n):
    sys.set_int_max_str_digits(0)
    rng = random.Random(n)
    digits = str(rng.randrange(1, 10)) + "".join(rng.choice("0123456789") for _ in range(n - 1))
    assert parse_nat_dc(digits) == int(digits) == parse_nat(digits)
    assert parse_nat_dc("0" * n) == 0


def test_pure_python_conversion_is_subquadratic():
    """8x the digits: a quadratic conversion costs 64x, Karatsuba-based divide and
    conquer about 27x (8^1.585). Best of three runs, in CPU time: waiting for a core on
    a loaded machine is not the conversion's cost."""
    def cost(n):
        s = "9" * n
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            parse_nat_dc(s)
            best = min(best, time.process_time() - t)
        return best

    cost(50_000)  # warm up (allocator, cached powers of ten are per call)
    small, large = cost(50_000), cost(400_000)
    assert large / small < 48, (small, large)


def test_special_and_missing_files_are_unreadable_not_malformed(tmp_path):
    os.mkfifo(tmp_path / "p.ndjson")
    for path, words in (("/dev/zero", "a character device"), (tmp_path / "p.ndjson", "a FIFO"),
                        (tmp_path / "none.ndjson", "file not found")):
        with pytest.raises(ExportUnreadable, match=words):
            read_export(path)


def test_blank_lines_only_is_rejected_like_an_empty_file(tmp_path):
    (tmp_path / "blank.ndjson").write_bytes(b"\n  \n\t\n")
    (tmp_path / "empty.ndjson").write_bytes(b"")
    with pytest.raises(ExportError, match="blank.ndjson: only blank lines \\(no meta line\\)"):
        read_export(tmp_path / "blank.ndjson")
    with pytest.raises(ExportError, match="empty.ndjson:1: empty file"):
        read_export(tmp_path / "empty.ndjson")


def test_gmpy2_is_used_when_installed():
    pytest.importorskip("gmpy2", reason="gmpy2 absent: the pure-Python conversion (tested above) is used")
    assert export._gmp_mpz() is not None
