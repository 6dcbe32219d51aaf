"""The plugin host: pluggy manager, entry-point discovery and one registry per role.

Discovery uses the single entry-point group `ixcore`; each distribution registers one
module that implements the registry hooks it needs. `IX_DISABLE_PLUGINS=a,b` blocks
entry points by name, `IX_NO_PLUGIN_AUTOLOAD=1` skips discovery altogether.

A broken third-party plugin costs only its own backends: an import error, a hook that
matches no spec or a registration hook that raises is recorded as a `BrokenPlugin`
(shown by `ix plugins`, and named by any command that asks for one of its backends)
instead of stopping the host. `IX_STRICT_PLUGINS=1` (or `strict=True`) re-raises, and
plugin objects passed explicitly (`plugins=...`, `register`) are always strict.
"""
from __future__ import annotations

import difflib
import os
from importlib import metadata
from typing import Any, Callable, Iterator

import attrs
import pluggy

from . import PROJECT, __version__, hookspecs
from .errors import ConfigError, IxError, MissingRequirement, PluginError
from .roles import HOOK_OF_ROLE, PROTOCOL_OF_ROLE, ROLES, Registration, missing_members

ENTRY_POINT_GROUP = "ixcore"
BUILTINS = "ixcore-builtins"

#: Which distribution ships a backend name, for "unknown name" errors.
KNOWN_PROVIDERS = {
    "ndjson": "ix-native",
    "kernel": "ix-native",
    "native": "ix-native",
    "range": "ix-partitioners",
    "kahypar": "ix-partitioners",
    "mtkahypar": "ix-partitioners",
    "zisk": "ix-zisk",
    "sp1": "ix-sp1",
    "ixe": "ixcore",
    "fs": "ixcore",
    "local": "ixcore",
    "dask": "ixcore[dask]",
}


@attrs.frozen
class BrokenPlugin:
    """A plugin the host set aside, and why (one line)."""

    entry_point: str
    distribution: str
    version: str
    stage: str  # "import", "hooks" or "register"
    error: str
    role: str = ""

    def line(self) -> str:
        where = f" ({self.role} registration)" if self.role else ""
        return f"plugin {self.entry_point!r} ({self.distribution} {self.version}) is broken at {self.stage}{where}: {self.error}"


@attrs.frozen
class Disabled:
    """An entry point blocked by IX_DISABLE_PLUGINS."""

    entry_point: str
    distribution: str
    version: str


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def _role_words(role: str) -> str:
    return role.replace("_", " ")


class Registry:
    """Backends of one role by name. Duplicates are errors naming both distributions."""

    def __init__(self, role: str, explain: Callable[[str, str], str | None] | None = None):
        self.role = role
        self._entries: dict[str, Registration] = {}
        self._explain = explain

    def add(self, reg: Registration) -> None:
        prior = self._entries.get(reg.name)
        if prior is not None:
            raise PluginError(
                f"{self.role} {reg.name!r} registered twice: by {prior.distribution} "
                f"and by {reg.distribution}"
            )
        self._entries[reg.name] = reg

    def remove_distribution(self, distribution: str) -> None:
        self._entries = {n: r for n, r in self._entries.items() if r.distribution != distribution}

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[Registration]:
        return [self._entries[n] for n in sorted(self._entries)]

    def get(self, name: str) -> Registration:
        try:
            return self._entries[name]
        except KeyError:
            pass
        reason = self._explain(self.role, name) if self._explain else None
        if reason:
            raise PluginError(f"{_role_words(self.role)} {name!r} is unavailable: {reason}")
        installed = ", ".join(sorted(self._entries)) or "none"
        close = difflib.get_close_matches(name, list(self._entries), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        provider = KNOWN_PROVIDERS.get(name)
        if provider:
            hint += f"; it is provided by the distribution {provider!r} (pip install it)"
        broken = self._explain(self.role, "") if self._explain else None
        if broken:
            hint += f"; {broken}"
        raise ConfigError(f"unknown {_role_words(self.role)} {name!r}; installed: {installed}{hint}")

    def create(self, name: str, config: dict[str, Any] | None = None, *, check: bool = True) -> Any:
        """Build the backend `name` from its config table and check it against its role's
        protocol. Missing requirements exit 3; a factory that raises something other than
        an IxError, or an object that lacks members, is a PluginError naming the plugin."""
        reg = self.get(name)
        who = f"{_role_words(self.role)} {name!r} ({reg.distribution} {reg.version})"
        if check:
            missing = [r for r in reg.check_requirements() if not r.found]
            if missing:
                what = "; ".join(f"{r.name}: {r.detail}" for r in missing)
                raise MissingRequirement(f"{_role_words(self.role)} {name!r} cannot run here: {what}")
        try:
            backend = reg.factory(dict(config or {}))
        except IxError:
            raise
        except Exception as exc:
            table = f"[plugins.{name}] {dict(config)}" if config else f"[plugins.{name}] (empty)"
            raise PluginError(f"{who} could not be built from {table}: {_one_line(exc)}") from exc
        proto = PROTOCOL_OF_ROLE[self.role]
        lacking = missing_members(backend, proto)
        if lacking:
            raise PluginError(f"{who} lacks {', '.join(lacking)} (see ixcore.roles.{proto.__name__})")
        return backend


class PluginHost:
    """Owns a pluggy PluginManager and builds each role's registry on first use."""

    def __init__(self, *, autoload: bool = True, plugins: tuple = (), strict: bool | None = None):
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.strict = bool(os.environ.get("IX_STRICT_PLUGINS")) if strict is None else strict
        self.broken: list[BrokenPlugin] = []
        self.disabled: list[Disabled] = []
        self.warnings: list[str] = []
        self._dist_of: dict[str, tuple[str, str]] = {BUILTINS: ("ixcore", __version__)}
        self._registries: dict[str, Registry] = {}
        self.blocked = [n.strip() for n in os.environ.get("IX_DISABLE_PLUGINS", "").split(",") if n.strip()]
        for name in self.blocked:
            self.pm.set_blocked(name)
        from . import builtins

        self.pm.register(builtins, name=BUILTINS)
        if autoload and not os.environ.get("IX_NO_PLUGIN_AUTOLOAD"):
            self._discover()
        for plugin in plugins:
            self.register(plugin)

    # ------------------------------------------------------------------ discovery

    def _discover(self) -> None:
        seen: set[str] = set()
        known: set[str] = set()
        for dist in metadata.distributions():
            dist_name = dist.metadata["name"] or "?"
            if dist_name in seen:  # the same distribution twice on sys.path
                continue
            seen.add(dist_name)
            for ep in dist.entry_points:
                if ep.group != ENTRY_POINT_GROUP:
                    continue
                known.add(ep.name)
                if ep.name in self.blocked:
                    self.disabled.append(Disabled(ep.name, dist_name, dist.version))
                    continue
                if self.pm.get_plugin(ep.name) is not None:
                    continue
                self._load(ep, dist_name, dist.version)
        unknown = [n for n in self.blocked if n not in known]
        if unknown:
            self.warnings.append(
                f"IX_DISABLE_PLUGINS names no installed entry point: {', '.join(unknown)} "
                f"(entry points: {', '.join(sorted(known))})"
            )

    def _load(self, ep: metadata.EntryPoint, dist: str, version: str) -> None:
        self._dist_of[ep.name] = (dist, version)
        try:
            plugin = ep.load()
        except Exception as exc:
            self._set_aside(BrokenPlugin(ep.name, dist, version, "import", f"{ep.value}: {_one_line(exc)}"), exc)
            return
        try:
            self.pm.register(plugin, name=ep.name)
        except pluggy.PluginValidationError as exc:
            self._set_aside(BrokenPlugin(ep.name, dist, version, "hooks", _one_line(exc)), exc)
            return
        bad = self._unknown_hooks(plugin)
        if bad:
            self.pm.unregister(plugin)
            self._set_aside(BrokenPlugin(ep.name, dist, version, "hooks", bad), None)

    def _unknown_hooks(self, plugin: object) -> str:
        """'' or a line naming each hook implementation that matches no spec."""
        specs = [n for n in vars(hookspecs) if n.startswith("ix_")]
        problems = []
        for caller in self.pm.get_hookcallers(plugin) or ():
            if caller.spec is None:
                close = difflib.get_close_matches(caller.name, specs, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                problems.append(f"hook {caller.name} matches no spec{hint}")
        return "; ".join(problems)

    def _set_aside(self, broken: BrokenPlugin, exc: BaseException | None) -> None:
        if self.strict:
            raise PluginError(broken.line()) from exc
        self.broken.append(broken)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register an extra plugin object (tests, embedding); strict; invalidates registries."""
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {name!r}: {_one_line(exc)}") from None
        bad = self._unknown_hooks(plugin)
        if bad:
            self.pm.unregister(plugin)
            raise PluginError(f"plugin {name!r}: {bad} (misspelled?)")
        self._registries.clear()

    # ------------------------------------------------------------------ queries

    def distribution_of(self, plugin: object) -> tuple[str, str]:
        name = str(self.pm.get_name(plugin) or getattr(plugin, "__name__", repr(plugin)))
        return self._dist_of.get(name, (f"<{name}>", "-"))

    def entry_point_of(self, plugin: object) -> str:
        return self.pm.get_name(plugin) or ""

    def distributions(self) -> list[tuple[str, str, str]]:
        """(entry point, distribution, version) of every loaded plugin, builtins included."""
        names = [str(name) for name, _plugin in self.pm.list_name_plugin() if name is not None]
        return sorted((name, *self._dist_of.get(name, (f"<{name}>", "-"))) for name in names)

    def _explain(self, role: str, name: str) -> str | None:
        """Why backend `name` is absent, when a broken or disabled plugin is the reason;
        with name "", a note naming the broken plugins that might have provided it."""
        if not name:
            suspects = [b.entry_point for b in self.broken if b.stage != "register" or b.role == role]
            return f"broken plugins that may provide it: {', '.join(suspects)} (see ix plugins)" if suspects else None
        provider = KNOWN_PROVIDERS.get(name, "")
        for b in self.broken:
            if b.distribution == provider or b.entry_point == name:
                return b.line()
        for d in self.disabled:
            if d.distribution == provider or d.entry_point == name:
                return f"its distribution {d.distribution} is installed but disabled by IX_DISABLE_PLUGINS ({d.entry_point})"
        return None

    @property
    def registries(self) -> dict[str, Registry]:
        return {role: self.registry(role) for role in ROLES}

    def registry(self, role: str) -> Registry:
        """The backends of `role`, built on first use; a plugin whose hook raises loses only
        its own backends of that role (a duplicate name is still an error)."""
        if role in self._registries:
            return self._registries[role]
        reg = Registry(role, self._explain)
        caller = getattr(self.pm.hook, HOOK_OF_ROLE[role])
        for impl in caller.get_hookimpls():
            dist, version = self.distribution_of(impl.plugin)
            entry_point = self.entry_point_of(impl.plugin)

            def register(name: str, factory: Callable, *, summary: str = "", requirements: Callable | None = None,
                         _d: str = dist, _v: str = version, _ep: str = entry_point) -> None:
                reg.add(Registration(role, name, factory, _d, _v, summary, requirements, _ep))

            try:
                impl.function(**{arg: register for arg in impl.argnames})
            except PluginError:
                raise
            except Exception as exc:
                reg.remove_distribution(dist)
                if self.strict or entry_point not in self._dist_of:
                    raise PluginError(f"plugin {entry_point!r} ({dist} {version}) failed registering {_role_words(role)}s: {_one_line(exc)}") from exc
                self.broken.append(BrokenPlugin(entry_point, dist, version, "register", _one_line(exc), role))
        self._registries[role] = reg
        return reg

    def create(self, role: str, name: str, config: dict | None = None, *, check: bool = True) -> Any:
        return self.registry(role).create(name, config, check=check)

    def add_commands(self, cli: Any) -> None:
        self.pm.hook.ix_add_commands(cli=cli)
