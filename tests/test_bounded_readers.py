"""Every reader refuses special files and reads no more than its cap; config values are
range-checked; running out of memory is one line, exit 2."""
from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

from ixcore.config import load_config
from ixcore.errors import ConfigError, InputError
from ixcore.safeio import open_regular, read_regular


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.ixes"
    os.mkfifo(path)
    return path


def test_special_files_are_refused_without_blocking(fifo):
    for path, kind in (("/dev/zero", "a character device"), (fifo, "a FIFO"), ("/proc/self", "a directory")):
        with pytest.raises(InputError, match=f"not a regular file \\({kind}\\)"):
            read_regular(path, "proof")


def test_the_cap_is_enforced_while_reading_not_from_st_size(tmp_path):
    assert os.stat("/proc/self/status").st_size == 0  # a regular file that reports no size
    assert b"VmPeak" in read_regular("/proc/self/status", "config")
    with pytest.raises(InputError, match="larger than the 16 bytes allowed for a config file"):
        read_regular("/proc/self/status", "config", limit=16)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2000)
    with pytest.raises(InputError, match="larger than the 1 KiB allowed"):
        read_regular(big, "report", limit=1024)
    assert len(read_regular(big, "report", limit=2000)) == 2000


def test_nofollow_refuses_links(tmp_path):
    (tmp_path / "real").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert open_regular(tmp_path / "link").read() == b"x"
    with pytest.raises(InputError, match="symbolic link"):
        open_regular(tmp_path / "link", nofollow=True)


@pytest.mark.parametrize("args", [
    ("verify", "/dev/zero"),
    ("compare", "/dev/zero", "/dev/zero"),
    ("inspect", "/dev/zero"),
    ("inspect", "FIFO"),
    ("shard", "plan", "FIFO", "--out", "x.ixes"),
])
def test_commands_refuse_special_files_in_one_line(args, fifo, ix):
    res = ix(*(str(fifo) if a == "FIFO" else a for a in args))
    assert res.code == 2, res
    assert res.err.count("\n") == 1 and "not a regular file" in res.last_err_line and "Traceback" not in res.err


def test_prove_refuses_a_special_manifest(tmp_path, ix):
    env = tmp_path / "e.ndjson"
    assert ix("demo-env", "--constants", "20", env).code == 0
    res = ix("prove", env, "--manifest", "/dev/zero", "--no-store", "--out", tmp_path / "run")
    assert res.code == 2 and "/dev/zero" in res.last_err_line, res


@pytest.mark.parametrize("table,key,value,words", [
    ("prove", "jobs", "-1", "'prove.jobs' must be >= 1"),
    ("prove", "jobs", "0", "'prove.jobs' must be >= 1"),
    ("prove", "arity", "1", "'prove.arity' must be >= 2"),
    ("executor_options", "retries", "-1", "'executor_options.retries' must be >= 0"),
    ("executor_options", "timeout_s", "0", "'executor_options.timeout_s' must be > 0"),
    ("partition", "eps", "0.0", "'partition.eps' must be > 0"),
    ("partition", "eps", "nan", "'partition.eps' must be > 0"),
    ("partition", "timeout_s", "-5", "'partition.timeout_s' must be > 0"),
    ("partition", "shards", "0", "'partition.shards' must be >= 1"),
    ("partition", "eps", "-" + "9" * 4000, "'partition.eps' must be > 0"),  # too big for a float
])
def test_config_values_are_range_checked(tmp_path, table, key, value, words):
    (tmp_path / "ix.toml").write_text(f"[{table}]\n{key} = {value}\n")
    with pytest.raises(ConfigError, match=words):
        load_config(cwd=tmp_path)


def test_an_integer_too_long_to_convert_is_a_config_error(tmp_path):
    (tmp_path / "ix.toml").write_text("[prove]\njobs = " + "9" * 5000 + "\n")
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)  # CPython's default (the NDJSON reader lifts it)
    try:
        with pytest.raises(ConfigError, match="not valid TOML"):
            load_config(cwd=tmp_path)
    finally:
        sys.set_int_max_str_digits(limit)


def test_config_bounds_apply_to_command_line_overrides():
    with pytest.raises(ConfigError, match="command line: 'prove.jobs' must be >= 1"):
        load_config(cwd="/").override(**{"prove.jobs": -1})
    assert load_config(cwd="/").override(**{"prove.arity": 2}).get("prove.arity") == 2


def test_out_of_memory_is_one_line_exit_2(tmp_path):
    """A sparse 1.5 GB manifest under a 1.2 GB address-space limit: reading it runs out of
    memory, which must end as one line, exit 2 (the cap for manifests is 2 GiB)."""
    big = tmp_path / "big.ixes"
    with open(big, "wb") as fh:
        fh.truncate(1500 << 20)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1200 << 20, 1200 << 20))

    done = subprocess.run([sys.executable, "-m", "ixcore", "inspect", str(big)], capture_output=True, text=True,
                          preexec_fn=limit, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "ix: error: out of memory (raise the memory limit, or give a smaller input)"
