"""The plugin host: pluggy manager, entry-point discovery and one registry per role.

Discovery uses the single entry-point group `ixcore`; each distribution registers one
module that implements the registry hooks it needs. `IX_DISABLE_PLUGINS=a,b` blocks
entry points by name, `IX_NO_PLUGIN_AUTOLOAD=1` skips discovery altogether.
"""
from __future__ import annotations

import importlib
import os
from functools import cached_property
from typing import Any

import pluggy

from . import PROJECT, __version__, hookspecs
from .errors import ConfigError, MissingRequirement, PluginError
from .roles import HOOK_OF_ROLE, ROLES, Registration

ENTRY_POINT_GROUP = "ixcore"

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


class Registry:
    """Backends of one role by name. Duplicates are errors naming both distributions."""

    def __init__(self, role: str):
        self.role = role
        self._entries: dict[str, Registration] = {}

    def add(self, reg: Registration) -> None:
        prior = self._entries.get(reg.name)
        if prior is not None:
            raise PluginError(
                f"{self.role} {reg.name!r} registered twice: by {prior.distribution} "
                f"and by {reg.distribution}"
            )
        self._entries[reg.name] = reg

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __iter__(self):
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[Registration]:
        return [self._entries[n] for n in sorted(self._entries)]

    def get(self, name: str) -> Registration:
        try:
            return self._entries[name]
        except KeyError:
            installed = ", ".join(sorted(self._entries)) or "none"
            hint = ""
            provider = KNOWN_PROVIDERS.get(name)
            if provider:
                hint = f"; it is provided by the distribution {provider!r} (pip install it)"
            raise ConfigError(
                f"unknown {self.role.replace('_', ' ')} {name!r}; installed: {installed}{hint}"
            ) from None

    def create(self, name: str, config: dict[str, Any] | None = None, *, check: bool = True):
        """Build the backend `name` from its config table; missing requirements exit 3."""
        reg = self.get(name)
        if check:
            missing = [r for r in reg.check_requirements() if not r.found]
            if missing:
                what = "; ".join(f"{r.name}: {r.detail}" for r in missing)
                raise MissingRequirement(f"{self.role.replace('_', ' ')} {name!r} cannot run here: {what}")
        return reg.factory(dict(config or {}))


class PluginHost:
    """Owns a pluggy PluginManager and builds the role registries on first use."""

    def __init__(self, *, autoload: bool = True, plugins: tuple = ()):
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        blocked = [n.strip() for n in os.environ.get("IX_DISABLE_PLUGINS", "").split(",") if n.strip()]
        for name in blocked:
            self.pm.set_blocked(name)
        builtins = importlib.import_module("ixcore.builtins")
        self.pm.register(builtins, name="ixcore-builtins")
        if autoload and not os.environ.get("IX_NO_PLUGIN_AUTOLOAD"):
            self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        for plugin in plugins:
            self.register(plugin)
        self._check_pending()

    def register(self, plugin, name: str | None = None) -> None:
        """Register an extra plugin object (tests, embedding); invalidates registries."""
        self.pm.register(plugin, name=name or getattr(plugin, "__name__", None))
        self._check_pending()
        self.__dict__.pop("registries", None)

    def _check_pending(self) -> None:
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin hook does not match any spec (misspelled?): {exc}") from None

    def distribution_of(self, plugin) -> tuple[str, str]:
        for plug, dist in self.pm.list_plugin_distinfo():
            if plug is plugin:
                return dist.metadata["name"], dist.version
        if plugin is self.pm.get_plugin("ixcore-builtins"):
            return "ixcore", __version__
        name = self.pm.get_name(plugin) or getattr(plugin, "__name__", repr(plugin))
        return f"<{name}>", "-"

    @cached_property
    def registries(self) -> dict[str, Registry]:
        regs = {role: Registry(role) for role in ROLES}
        for role in ROLES:
            caller = getattr(self.pm.hook, HOOK_OF_ROLE[role])
            for impl in caller.get_hookimpls():
                dist, version = self.distribution_of(impl.plugin)

                def register(name, factory, *, summary="", requirements=None, _d=dist, _v=version, _r=role):
                    regs[_r].add(Registration(_r, name, factory, _d, _v, summary, requirements))

                impl.function(register=register)
        return regs

    def registry(self, role: str) -> Registry:
        return self.registries[role]

    def create(self, role: str, name: str, config: dict | None = None, *, check: bool = True):
        return self.registry(role).create(name, config, check=check)

    def add_commands(self, cli) -> None:
        self.pm.hook.ix_add_commands(cli=cli)
