"""The `ix` command line.

Each module in this package defines its commands and a `COMMANDS` list; plugins add
theirs through the `ix_add_commands` hook. Errors derived from `IxError` print one line
and exit with their code (see README "Exit codes"); so do running out of memory and an
OS error (exit 2); `-vv` shows tracebacks.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from ..errors import IxError
from .context import Context, pass_ctx

__all__ = ["Context", "cli", "main", "pass_ctx"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="ix.toml to use (default: ./ix.toml or [tool.ix] in ./pyproject.toml).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option("-v", "--verbose", count=True, help="More output; -vv shows tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the result.")
@click.version_option(package_name="ixcore", prog_name="ix")
@click.pass_context
def cli(click_ctx, config_path, as_json, verbose, quiet):
    """ix: prove Lean 4 environments with zero-knowledge VMs, shard by shard."""
    click_ctx.obj = Context(config_path=config_path, as_json=as_json, verbose=verbose, quiet=quiet)


def _load_builtin_commands() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "context":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


def _load_plugin_commands() -> None:
    """Each plugin's commands separately: one broken plugin (a failing import, a bug in
    its hook) costs only its own commands, with a warning, never the whole CLI."""
    from ..plugins import PluginHost

    try:
        host = PluginHost()
    except IxError as exc:
        click.echo(f"ix: warning: plugin commands unavailable: {exc}", err=True)
        return
    for impl in host.pm.hook.ix_add_commands.get_hookimpls():
        try:
            impl.function(cli=cli)
        except Exception as exc:  # noqa: BLE001 - isolate third-party code
            dist, _version = host.distribution_of(impl.plugin)
            click.echo(f"ix: warning: commands of {dist} unavailable: {type(exc).__name__}: {exc}", err=True)


_load_builtin_commands()


#: True while `main` runs as the `ix` program itself (argv from the command line), so a
#: command may leave by `os._exit` once its output is flushed; False for in-process callers.
OWNS_PROCESS = False


def main(argv: list[str] | None = None) -> None:
    global OWNS_PROCESS
    OWNS_PROCESS = argv is None
    _load_plugin_commands()
    try:
        rv = cli.main(args=argv, prog_name="ix", standalone_mode=False)
    except IxError as exc:
        click.echo(f"ix: error: {exc}", err=True)
        if "-vv" in (argv or sys.argv):
            raise
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("ix: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("ix: interrupted", err=True)
        sys.exit(130)
    except MemoryError:
        # an input (or a limit such as `ulimit -v`) larger than this process may allocate
        click.echo("ix: error: out of memory (raise the memory limit, or give a smaller input)", err=True)
        if "-vv" in (argv or sys.argv):
            raise
        sys.exit(2)
    except OSError as exc:
        # the environment failed under us (a full disk, a read-only or vanished path)
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"ix: error: {where}{exc.strerror or exc}", err=True)
        if "-vv" in (argv or sys.argv):
            raise
        sys.exit(2)
    sys.exit(rv if isinstance(rv, int) else 0)
