"""Finding and driving the Zisk toolchain: cargo-zisk and ziskemu as external programs.

Lookup order for each binary: the configured path, then PATH, then ~/.zisk/bin (where
ziskup installs). Program vks come from the `.verkey.bin` that program setup
writes for the ELF (or an ix.toml pin), never from the proofs themselves.
"""
from __future__ import annotations

import shutil
from functools import cached_property
from pathlib import Path

import blake3

from ixcore.errors import ConfigError, IxError, MissingRequirement, VerificationError
from ixcore.external import ToolRun, run_tool
from ixcore.roles import Requirement

from . import flags, verkey
from .settings import ZiskSettings
from .versions import ZiskVersion, parse_version

INSTALL_HINT = ("install cargo-zisk/ziskemu built from Ix's argumentcomputer/zisk fork (docs/zk-backends.md; "
                "upstream binaries lack the BLAKE3 precompile) or set plugins.zisk.{key} in ix.toml")
ELF_HINT = "build Ix's {what} guest (`cargo-zisk build --release` in ix/zisk/{dir}) and set plugins.zisk.{key}"


def zisk_home_bin() -> Path:
    return Path.home() / ".zisk" / "bin"


def locate(name: str, configured: Path | None) -> Path | None:
    if configured is not None:
        return configured if configured.is_file() else None
    found = shutil.which(name)
    if found:
        return Path(found)
    fallback = zisk_home_bin() / name
    return fallback if fallback.is_file() else None


class ZiskToolchain:
    """The configured binaries, their version line, and the ELF program vks."""

    def __init__(self, settings: ZiskSettings):
        self.settings = settings
        self._vks: dict[bytes, bytes | None] = {}
        self._set_up: set[Path] = set()

    # -- discovery ------------------------------------------------------------------
    def binary(self, name: str) -> Path:
        key = name.replace("-", "_")
        path = locate(name, getattr(self.settings, key))
        if path is None:
            raise MissingRequirement(f"{name} not found: " + INSTALL_HINT.format(key=key))
        return path

    @cached_property
    def version(self) -> ZiskVersion:
        """The probe: refuses versions without a table (one line naming the supported ones)."""
        run = run_tool([self.binary("cargo-zisk"), "--version"], timeout_s=60)
        if not run.ok:
            raise MissingRequirement(f"cargo-zisk --version failed (rc {run.returncode}): {run.tail()}")
        version = parse_version(run.stdout + run.stderr)
        if self.settings.gpu and version.line.gpu_flag("prove", version.compute_mode) is None:
            raise ConfigError(f"plugins.zisk.gpu = true but cargo-zisk {version} is a {version.compute_mode} build without --gpu")
        return version

    def elf(self, which: str) -> Path:
        path = self.settings.leaf_elf if which == "leaf" else self.settings.agg_elf
        key = f"{which}_elf"
        if path is None or not path.is_file():
            what, d = ("leaf", "guest") if which == "leaf" else ("aggregation", "agg-guest")
            state = "not configured" if path is None else f"{path} does not exist"
            raise MissingRequirement(f"Zisk {what} guest ELF {state}: " + ELF_HINT.format(what=what, dir=d, key=key))
        return path

    def requirements(self, *, need_agg: bool) -> list[Requirement]:
        reqs = []
        for name in ("cargo-zisk", "ziskemu"):
            key = name.replace("-", "_")
            path = locate(name, getattr(self.settings, key))
            if path is None:
                reqs.append(Requirement(name, False, INSTALL_HINT.format(key=key)))
                continue
            version = None
            if name == "cargo-zisk":
                try:
                    version = str(self.version)
                except IxError as exc:
                    reqs.append(Requirement(name, False, str(exc)))
                    continue
            reqs.append(Requirement(name, True, str(path), version))
        for which in ("leaf", "agg") if need_agg else ("leaf",):
            try:
                reqs.append(Requirement(f"{which}_elf", True, str(self.elf(which))))
            except MissingRequirement as exc:
                reqs.append(Requirement(f"{which}_elf", False, str(exc)))
        pk = self.settings.proving_key
        if pk is not None:
            reqs.append(Requirement("proving_key", pk.is_dir(), str(pk) if pk.is_dir() else f"{pk} is not a directory"))
        return reqs

    # -- running --------------------------------------------------------------------
    @property
    def options(self) -> flags.ProveOptions:
        s = self.settings
        return flags.ProveOptions(s.proving_key, s.gpu, s.executor, s.max_witness_stored)

    def cargo(self, argv: list[str], what: str) -> ToolRun:
        """Run `cargo-zisk argv`; a failing run is a VerificationError with its output tail."""
        run = run_tool([self.binary("cargo-zisk"), *argv], timeout_s=self.settings.timeout_s)
        if not run.ok:
            raise VerificationError(f"{what}: cargo-zisk {argv[0]} failed (rc {run.returncode}): {run.tail()}")
        return run

    def ensure_setup(self, elf: Path) -> None:
        """Program setup once per ELF and process: it writes the `.verkey.bin` the vk is read from."""
        if elf not in self._set_up:
            self.cargo(flags.setup_argv(self.version, elf, self.options), f"setup of {elf.name}")
            self._set_up.add(elf)

    def program_vk(self, which: str) -> bytes:
        """The 32-byte vk of the leaf or aggregation ELF: the one setup wrote, else the ix.toml pin.

        Both present and different is an error: the pin is the user's trust anchor.
        """
        key = f"{which}_vk"
        pinned = getattr(self.settings, key)
        elf = self.elf(which)
        digest = blake3.blake3(elf.read_bytes()).digest()
        if digest not in self._vks:
            self.ensure_setup(elf)
            self._vks[digest] = verkey.read_verkey(elf.read_bytes(), self.version.line)
        found = self._vks[digest]
        if found is not None and pinned is not None and found != pinned:
            raise VerificationError(
                f"plugins.zisk.{key} = {pinned.hex()} but setup wrote {found.hex()} for {elf}; fix the pin or the ELF")
        vk = found if found is not None else pinned
        if vk is None:
            raise MissingRequirement(
                f"no program vk for {elf}: setup wrote no {verkey.describe(self.version.line)} in {verkey.cache_dir()}; "
                f"run `cargo-zisk {self.version.line.setup_command} --elf {elf}` or pin plugins.zisk.{key} in ix.toml")
        return vk

    @cached_property
    def zisk_vk(self) -> bytes:
        """The vadcop final vk every proof must carry: the proving key's file, else the pin."""
        pk = verkey.proving_key_dir(self.settings.proving_key)
        found = verkey.read_vadcop_final_vk(pk)
        pinned = self.settings.zisk_vk
        if found is not None and pinned is not None and found != pinned:
            raise VerificationError(f"plugins.zisk.zisk_vk = {pinned.hex()} but the proving key {pk} has {found.hex()}")
        vk = found if found is not None else pinned
        if vk is None:
            raise MissingRequirement(f"no vadcop final vk: {pk} has no {verkey.VADCOP_FINAL}; install the proving key "
                                     "(docs/zk-backends.md) or pin plugins.zisk.zisk_vk in ix.toml")
        return vk
