"""Shared CLI state: config, plugin host, output mode (JSON or human) and progress bars."""
from __future__ import annotations

import json
import sys
from functools import cached_property
from typing import Any, Callable

import click

from ..config import Config, load_config


class Context:
    def __init__(self, config_path=None, as_json=False, verbose=0, quiet=False):
        self.config_path = config_path
        self.as_json = as_json
        self.verbose = verbose
        self.quiet = quiet

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @cached_property
    def host(self):
        from ..plugins import PluginHost

        return PluginHost()

    @cached_property
    def console(self):
        from rich.console import Console

        return Console(stderr=self.as_json, quiet=self.quiet and not self.as_json)

    def emit(self, data: Any, human: Callable[[], None] | None = None) -> None:
        """Print `data` as JSON with --json, else call `human()` (or pretty-print data)."""
        if self.as_json:
            sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
        elif human is not None:
            human()
        else:
            self.console.print(data)

    def progress(self, **kwargs):
        """A rich Progress on stderr, disabled for --json/-q so scripts see clean output."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from rich.console import Console

        return Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=self.as_json or self.quiet,
            transient=False,
            **kwargs,
        )


pass_ctx = click.make_pass_decorator(Context)


def _set_json(click_ctx, _param, value):
    if value:
        click_ctx.ensure_object(Context).as_json = True
    return value


#: Per-command `--json` (the same switch as the global `ix --json`).
json_option = click.option(
    "--json", "as_json", is_flag=True, expose_value=False, callback=_set_json, is_eager=True,
    help="Machine-readable JSON on stdout.",
)
