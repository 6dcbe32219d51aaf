"""Shared CLI state: config, plugin host, output mode (JSON or human) and progress bars."""
from __future__ import annotations

import json
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

import click

if TYPE_CHECKING:
    from ..config import Config

_SHARED_HOST: list[Any] = []


def set_shared_host(host: Any) -> None:
    """The plugin host `main` built while loading plugin commands, reused by commands so
    discovery (and its warnings) happens once per process."""
    _SHARED_HOST[:] = [host]


#: Width for output that is not a terminal: lines are never cut or wrapped in a pipe.
PIPE_WIDTH = 1 << 16


def make_console(*, stderr: bool = False, quiet: bool = False):
    """A rich Console that wraps to the terminal on a TTY and never wraps or truncates
    when writing to a pipe or file (scripts read whole lines)."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich would exit 1, the code of a failed verification; `main` gives a closed
            # pipe the same exit (141) whichever writer met it
            raise BrokenPipeError

    stream = sys.stderr if stderr else sys.stdout
    tty = stream.isatty()
    return _Console(stderr=stderr, quiet=quiet, width=None if tty else PIPE_WIDTH, soft_wrap=not tty)


class Context:
    def __init__(self, config_path=None, as_json=False, verbose=0, quiet=False):
        self.config_path = config_path
        self.as_json = as_json
        self.verbose = verbose
        self.quiet = quiet

    @cached_property
    def config(self) -> Config:
        from ..config import load_config

        return load_config(self.config_path)

    @cached_property
    def host(self):
        if _SHARED_HOST:
            return _SHARED_HOST[0]
        from ..plugins import PluginHost

        return PluginHost()

    @cached_property
    def console(self):
        """Human output: stdout, or stderr under --json; silenced by -q except `result`."""
        return make_console(stderr=self.as_json, quiet=self.quiet and not self.as_json)

    def sniff_format(self, path) -> str | None:
        """The name of the first installed env format that recognises `path`, or None.
        Only a regular file is sniffed (opening a FIFO would block); the readers reject
        anything else with a one-line error naming it."""
        import os
        import stat

        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                return None
        except OSError:
            return None
        reg = self.host.registry("env_format")
        for entry in reg.entries():
            try:
                if reg.create(entry.name, self.config.plugin_options(entry.name)).sniff(path):
                    return entry.name
            except Exception:  # noqa: BLE001 - a broken format must not hide the others
                continue
        return None

    def require_format(self, role: str, name: str, backend: Any, fmt: str, path, how: str | None = None) -> None:
        """InputError unless `backend` (role `role`, registered as `name`) reads env
        format `fmt`, naming the installed backends of that role that do."""
        from ..errors import InputError
        from ..roles import ReadsFormats

        if not isinstance(backend, ReadsFormats) or fmt in backend.env_formats:
            return
        readers = []
        reg = self.host.registry(role)
        for entry in reg.entries():
            try:
                other = reg.create(entry.name, self.config.plugin_options(entry.name), check=False)
            except Exception:  # noqa: BLE001 - only asking what it reads
                continue
            if not isinstance(other, ReadsFormats) or fmt in other.env_formats:
                readers.append(entry.name)
        how = how or "choose one with --" + role.replace("_", "-")
        raise InputError(
            f"{path}: env format {fmt}, but {role.replace('_', ' ')} {name!r} reads only "
            f"{', '.join(sorted(backend.env_formats))}; {role.replace('_', ' ')}s that read {fmt}: "
            f"{', '.join(readers) or 'none installed'} ({how})"
        )

    def result(self, text: str) -> None:
        """The one result line of a command: printed even with -q (never under --json)."""
        if self.as_json:
            return
        if self.quiet:
            make_console().print(text)
        else:
            self.console.print(text)

    def emit(self, data: Any, human: Callable[[], None] | None = None) -> None:
        """Print `data` as JSON with --json, else call `human()` (or pretty-print data)."""
        if self.as_json:
            sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
        elif human is not None:
            human()
        else:
            self.console.print(data)

    def progress(self, **kwargs):
        """A rich Progress on stderr, disabled for --json/-q so scripts see clean output.
        It is made when the first task is added (`LazyProgress`), so a command that
        ends up showing no bar (a fully reused `ix prove`) never imports rich.progress."""
        return LazyProgress(lambda: self._progress(**kwargs))

    def _progress(self, **kwargs):
        """The bar itself. It redraws on every change instead of from a refresh thread:
        `ix` forks worker pools while a bar is shown, and a thread alive at fork time can
        leave a lock (the console's, stderr's) held forever in the child."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        class ThreadlessProgress(Progress):
            def advance(self, task_id, advance: float = 1) -> None:
                super().advance(task_id, advance)
                self.refresh()

            def update(self, task_id, **fields) -> None:
                fields.setdefault("refresh", True)
                super().update(task_id, **fields)

        return ThreadlessProgress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=make_console(stderr=True),
            disable=self.as_json or self.quiet,
            transient=False,
            auto_refresh=False,
            **kwargs,
        )


class LazyProgress:
    """A context manager standing for a rich Progress that is started on the first
    `add_task` (and stopped on exit); `advance` and `update` go to it."""

    def __init__(self, make: Callable[[], Any]):
        self._make = make
        self._bar: Any = None

    def __enter__(self) -> LazyProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def add_task(self, *args: Any, **kwargs: Any) -> Any:
        if self._bar is None:
            self._bar = self._make()
            self._bar.start()
        return self._bar.add_task(*args, **kwargs)

    def advance(self, *args: Any, **kwargs: Any) -> None:
        self._bar.advance(*args, **kwargs)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._bar.update(*args, **kwargs)


pass_ctx = click.make_pass_decorator(Context)


def complete_backend(role: str) -> Callable[[click.Context, click.Parameter, str], list]:
    """Shell completion of backend names of `role` (installed, registered names). A
    comma-separated list completes its last item."""

    def complete(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list:
        from click.shell_completion import CompletionItem

        from ..plugins import PluginHost

        head, _, last = incomplete.rpartition(",")
        prefix = head + "," if head else ""
        names = PluginHost().registry(role)
        return [CompletionItem(prefix + n) for n in names if n.startswith(last)]

    return complete


def _set_json(click_ctx, _param, value):
    if value:
        click_ctx.ensure_object(Context).as_json = True
    return value


#: Per-command `--json` (the same switch as the global `ix --json`).
json_option = click.option(
    "--json", "as_json", is_flag=True, expose_value=False, callback=_set_json, is_eager=True,
    help="Machine-readable JSON on stdout.",
)
