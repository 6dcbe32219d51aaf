"""Example ix backends: the `tiny-json` env format and the `serial` executor.

`tiny-json` reads the small JSON environments of `ixcore.testing.TinyEnv`, so a plugin
author can run `ix` end to end on a handmade environment; `serial` runs jobs one after
another in this process (the simplest correct executor, handy when debugging a prover).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ixcore import hookimpl
from ixcore.config import check_table
from ixcore.errors import InputError
from ixcore.roles import Env, EnvFormat, Executor, Register


# --8<-- [start:env_format]
class TinyJsonFormat:
    name = "tiny-json"

    def sniff(self, path: Path) -> bool:
        with open(path, "rb") as fh:
            return fh.read(13) == b'{"blocks": {"'

    def load(self, path: Path, **options: Any) -> Env:
        from ixcore.testing import TinyEnv

        try:
            doc = json.loads(Path(path).read_text())
            blocks = doc["blocks"]
            for name, block in blocks.items():
                if not isinstance(block["size"], int) or not all(isinstance(r, str) for r in block["refs"]):
                    raise ValueError(f"block {name!r} is malformed")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}: not a tiny-json environment: {exc}") from None
        return TinyEnv(blocks, path)
# --8<-- [end:env_format]


# --8<-- [start:executor]
class SerialExecutor:
    name = "serial"

    def map(self, fn: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        for job in jobs:
            try:
                result = fn(job)
            except Exception as exc:  # the pipeline decides what a failed job means
                result = exc
            yield job, result
# --8<-- [end:executor]


def make_format(options: dict) -> EnvFormat:
    check_table(options, {}, "plugins.tiny-json", "env format tiny-json")  # no options: any key is an error
    return TinyJsonFormat()


def make_serial(options: dict) -> Executor:
    check_table(options, {}, "plugins.serial", "executor serial")  # no options: any key is an error
    return SerialExecutor()


@hookimpl
def ix_register_env_formats(register: Register) -> None:
    register("tiny-json", make_format, summary="example: ixcore.testing's tiny JSON environments")


@hookimpl
def ix_register_executors(register: Register) -> None:
    register("serial", make_serial, summary="example: one job after another in this process")
