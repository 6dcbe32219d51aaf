"""The `ix` command line.

Each module in this package defines its commands and a `COMMANDS` list; plugins add
theirs through the `ix_add_commands` hook. Errors derived from `IxError` print one line
and exit with their code (see README "Exit codes"); so do running out of memory and an
OS error (exit 2); an exception raised inside a plugin is one line naming the plugin and
its distribution (exit 2); `-vv` shows tracebacks.

The global options (--config, --json, -v, -q) are accepted before or after the
subcommand, as users of git-like tools expect.
"""
from __future__ import annotations

import difflib
import functools
import importlib
import os
import pkgutil
import sys
import traceback
from typing import Any

import click

from ..errors import IxError
from .context import Context, pass_ctx, set_shared_host

__all__ = ["Context", "cli", "main", "pass_ctx"]


class IxGroup(click.Group):
    """A group that suggests the closest command name for a typo, and imports the
    built-in command modules only when a name is not already known (a plugin command
    such as `ix check` then costs none of their imports)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in BUILTIN_MODULES and _load_builtin_module(BUILTIN_MODULES[cmd_name]):
            command = super().get_command(ctx, cmd_name)
        if command is None and _load_builtin_commands():
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        _load_builtin_commands()
        return super().list_commands(ctx)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)


@click.group(cls=IxGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="ix.toml to use (default: the nearest ix.toml or [tool.ix] in pyproject.toml, from the current directory upwards).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option("-v", "--verbose", count=True, help="More output; -vv shows tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the result line.")
@click.version_option(package_name="ixcore", prog_name="ix")
@click.pass_context
def cli(click_ctx, config_path, as_json, verbose, quiet):
    """ix: prove Lean 4 environments with zero-knowledge VMs, shard by shard.

    Shell completion (bash, zsh, fish): eval "$(_IX_COMPLETE=bash_source ix)"
    (zsh_source, fish_source); it completes commands, options and backend names.
    """
    obj = click_ctx.ensure_object(Context)
    obj.config_path = config_path or obj.config_path
    obj.as_json = as_json or obj.as_json
    obj.verbose += verbose
    obj.quiet = quiet or obj.quiet


def _set(attr: str):
    def callback(click_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        obj = click_ctx.find_object(Context)
        if obj is not None and value:
            if attr == "verbose":
                obj.verbose += value
            else:
                setattr(obj, attr, value)
                obj.__dict__.pop("config", None)
        return value

    return callback


_LATE_OPTIONS = (
    ("--config", lambda: click.Option(["--config", "_g_config"], type=click.Path(dir_okay=False), expose_value=False,
                                      callback=_set("config_path"), help="ix.toml to use (same as ix --config).")),
    ("--verbose", lambda: click.Option(["-v", "--verbose", "_g_verbose"], count=True, expose_value=False,
                                       callback=_set("verbose"), help="More output; -vv shows tracebacks.")),
    ("--quiet", lambda: click.Option(["-q", "--quiet", "_g_quiet"], is_flag=True, expose_value=False,
                                     callback=_set("quiet"), help="Only errors and the result line.")),
)


def _accept_global_options(command: click.Command) -> None:
    """Give every leaf command the global options it does not define itself, and make it
    load an explicitly named config first (so a missing --config file is an error for
    every command, not only those that read the config)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_global_options(sub)
        return
    taken = {o for p in command.params for o in getattr(p, "opts", ())}
    for _flag, make in _LATE_OPTIONS:
        option = make()
        if not (set(option.opts) & taken):
            command.params.append(option)
    if command.callback is not None and not getattr(command.callback, "_ix_wrapped", False):
        inner = command.callback

        @functools.wraps(inner)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            obj = click.get_current_context().find_object(Context)
            if obj is not None and obj.config_path:
                obj.config  # noqa: B018 - loads (and validates) the named config now
            return inner(*args, **kwargs)

        wrapped._ix_wrapped = True  # type: ignore[attr-defined]
        command.callback = wrapped


#: Whether every built-in command module is imported yet; which ones are; whether `main`
#: gave the commands the global options (so a module imported later gets them too).
_BUILTINS_LOADED = False
_MODULES_LOADED: set[str] = set()
_GLOBAL_OPTIONS_ON = False

#: The module of each built-in command, so that running one imports only its module (a
#: fully reused `ix prove` then costs none of `ix verify`'s or `ix shard`'s libraries).
#: A name missing here still works (every module is imported); tests/test_cli_startup.py
#: checks the table against the modules' COMMANDS.
BUILTIN_MODULES = {
    "compare": "compare", "inspect": "inspect", "keys": "keys", "plugins": "plugins_cmd", "prove": "prove",
    "schedule": "schedule", "fleet": "schedule", "shard": "shard", "store": "store", "verify": "verify",
}


def _load_builtin_commands() -> bool:
    """Import the built-in command modules once; True if this call did. A plugin command
    registered under a built-in name keeps it (as when plugins were added last)."""
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return False
    _BUILTINS_LOADED = True
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name != "context":
            _load_builtin_module(info.name)
    return True


def _load_builtin_module(name: str) -> bool:
    """Import one built-in command module and add its commands; True if this call did."""
    if name in _MODULES_LOADED:
        return False
    _MODULES_LOADED.add(name)
    module = importlib.import_module(f"{__name__}.{name}")
    for command in getattr(module, "COMMANDS", ()):
        if command.name not in cli.commands:
            cli.add_command(command)
            if _GLOBAL_OPTIONS_ON:
                _accept_global_options(command)
    return True


def _load_plugin_commands(quiet: bool = False) -> None:
    """Each plugin's commands separately: one broken plugin (a failing import, a bug in
    its hook) costs only its own commands, with a warning, never the whole CLI."""
    from ..plugins import PluginHost

    try:
        host = PluginHost()
    except IxError as exc:  # strict mode
        click.echo(f"ix: warning: plugin commands unavailable: {exc}", err=True)
        return
    set_shared_host(host)
    if not quiet:
        for broken in host.broken:
            click.echo(f"ix: warning: {broken.line()}", err=True)
        for warning in host.warnings:
            click.echo(f"ix: warning: {warning}", err=True)
    for impl in host.pm.hook.ix_add_commands.get_hookimpls():
        try:
            impl.function(cli=cli)
        except Exception as exc:  # noqa: BLE001 - isolate third-party code
            dist, version = host.distribution_of(impl.plugin)
            click.echo(f"ix: warning: commands of {dist} {version} unavailable: {type(exc).__name__}: {exc}", err=True)


#: True while `main` runs as the `ix` program itself (argv from the command line), so a
#: command may leave by `os._exit` once its output is flushed; False for in-process callers.
OWNS_PROCESS = False


def exit_without_teardown(code: int = 0) -> None:
    """Leave the `ix` process now with `code`, once stdout and stderr are flushed: the
    kernel's expression graph (millions of objects for a large env) would otherwise be
    freed one by one at interpreter exit only to be dropped with the process. Only when
    `main` owns the process; an in-process caller (a test) returns and carries on."""
    if not OWNS_PROCESS:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _verbosity(argv: list[str]) -> int:
    """-v counted however spelled (-v -v, -vv, --verbose --verbose), before the parse
    (an error can happen before click has seen the options)."""
    n = 0
    for arg in argv:
        if arg == "--":
            break
        if arg == "--verbose":
            n += 1
        elif arg.startswith("-") and not arg.startswith("--") and set(arg[1:]) == {"v"}:
            n += len(arg) - 1
    return n


def _plugin_blame(exc: BaseException) -> str | None:
    """'plugin <dist> <version> failed in <function> (<file>:<line>)' when the innermost
    frame of the traceback that belongs to an installed plugin distribution raised it."""
    from importlib import metadata

    from ..plugins import ENTRY_POINT_GROUP

    plugin_dists = {d.metadata["name"]: d for d in metadata.distributions()
                    if any(ep.group == ENTRY_POINT_GROUP for ep in d.entry_points) and d.metadata["name"] != "ixcore"}
    packages = metadata.packages_distributions()
    blamed = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        top = str(frame.f_globals.get("__name__", "")).split(".")[0]
        for dist in packages.get(top, ()):
            if dist in plugin_dists:
                where = f"{frame.f_code.co_qualname} ({frame.f_code.co_filename.rsplit('/', 1)[-1]}:{lineno})"
                blamed = f"plugin {dist} {plugin_dists[dist].version} failed in {where}"
    if blamed is None:
        return None
    text = str(exc).strip().splitlines()
    return f"{blamed}: {type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def main(argv: list[str] | None = None) -> None:
    global OWNS_PROCESS, _GLOBAL_OPTIONS_ON
    OWNS_PROCESS = argv is None
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = _verbosity(args)
    quiet = any(a in ("-q", "--quiet") for a in args)
    _load_plugin_commands(quiet=quiet)
    _GLOBAL_OPTIONS_ON = True
    _accept_global_options(cli)
    try:
        rv = cli.main(args=args, prog_name="ix", standalone_mode=False)
    except IxError as exc:
        click.echo(f"ix: error: {exc}", err=True)
        if verbose >= 2:
            traceback.print_exception(exc)
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
    except BrokenPipeError:  # `ix ... | head`: the reader left; stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except MemoryError as exc:
        # an input (or a limit such as `ulimit -v`) larger than this process may allocate
        click.echo("ix: error: out of memory (raise the memory limit, or give a smaller input)", err=True)
        if verbose >= 2:
            traceback.print_exception(exc)
        sys.exit(2)
    except OSError as exc:
        # the environment failed under us (a full disk, a read-only or vanished path)
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"ix: error: {where}{exc.strerror or exc}", err=True)
        if verbose >= 2:
            traceback.print_exception(exc)
        sys.exit(2)
    except Exception as exc:
        blame = _plugin_blame(exc)
        if blame is None:
            raise
        click.echo(f"ix: error: {blame}", err=True)
        if verbose >= 2:
            traceback.print_exception(exc)
        sys.exit(2)
    sys.exit(rv if isinstance(rv, int) else 0)
