"""This machine's Ed25519 signing key and the set of keys whose attestations ix accepts.

Native proofs are execution records, so what makes one worth reusing is who ran the
kernel: every native record is signed by the key of the process that made it, and a
record is accepted only when its signature verifies under a *trusted* key.

Where keys live: `$IX_KEY_DIR`, else `$XDG_CONFIG_HOME/ix`, else `~/.config/ix`: a user
directory outside any store or run directory, so write access to a store never gives
the power to sign. The private key (`signing-key.pem`, PKCS#8, mode 0600) is created on
first use, atomically (written to a private temp file and hard-linked into place, so
two processes racing to create it agree on one key). A key file readable by others is
refused, as ssh does.

Trusted keys: this machine's own key; the lines of `trusted-keys` in the key directory
(what `ix keys trust` appends to: one hex public key per line, `#` comments); and the
`trusted_keys` list of ix.toml (hex public keys or paths of public-key files, relative to
the config file), for a shared store or dask workers with keys of their own.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import attrs
import blake3

from .errors import ConfigError, InputError

KEY_FILE = "signing-key.pem"
TRUSTED_FILE = "trusted-keys"
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
_LOADED: dict[Path, LocalKey] = {}


def key_dir() -> Path:
    if os.environ.get("IX_KEY_DIR"):
        return Path(os.environ["IX_KEY_DIR"])
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "ix"


def fingerprint(public: bytes) -> str:
    """A short, stable name for a public key (what reports show next to the hex)."""
    return "ed25519:" + blake3.blake3(b"ix key fingerprint\0" + bytes(public)).hexdigest()[:16]


class LocalKey:
    """The private key of this machine (per key directory), loaded or created once per process."""

    def __init__(self, path: Path, private):
        self.path = path
        self._private = private
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self.public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_hex(self) -> str:
        return self.public.hex()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def derive(self, purpose: str) -> bytes:
        """A 32-byte secret for `purpose` (e.g. a cache MAC), bound to this private key."""
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        raw = self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return blake3.blake3(raw, derive_key_context=f"ix 2026 {purpose}").digest()


def local_key() -> LocalKey:
    """This machine's key, created on first use."""
    directory = key_dir()
    key = _LOADED.get(directory)
    if key is None:
        key = _LOADED[directory] = _load_or_create(directory)
    return key


def _load_or_create(directory: Path) -> LocalKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        load_pem_private_key,
    )

    path = directory / KEY_FILE
    if not path.exists():
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".key-")  # created 0600
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
                    fh.flush()
                    os.fsync(fh.fileno())
                try:
                    os.link(tmp, path)  # atomic create-if-absent: a racing process's key wins
                except FileExistsError:
                    pass
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot create the signing key ({exc.strerror}); set IX_KEY_DIR") from None
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the signing key ({exc.strerror})") from None
    if mode & 0o077:
        raise ConfigError(f"{path}: permissions {mode & 0o777:04o} are too open for a private key; chmod 600 it")
    try:
        private = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{path}: not an unencrypted PEM private key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigError(f"{path}: not an Ed25519 key")
    return LocalKey(path, private)


def parse_public(text: str, source: str) -> bytes:
    """A public key given as 64 hex digits or as a PEM `PUBLIC KEY` block."""
    text = text.strip()
    if _HEX_KEY.match(text):
        raw = bytes.fromhex(text)
    elif text.startswith("-----BEGIN PUBLIC KEY-----"):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            PublicFormat,
            load_pem_public_key,
        )

        try:
            key = load_pem_public_key(text.encode())
        except ValueError:
            raise InputError(f"{source}: not a valid PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise InputError(f"{source}: not an Ed25519 public key")
        raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    else:
        raise InputError(f"{source}: not a public key (expected 64 hex digits or a PEM PUBLIC KEY block)")
    _public_key(raw, source)
    return raw


def _public_key(raw: bytes, source: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise InputError(f"{source}: not a valid Ed25519 public key") from None


def key_or_file(value: str, base: Path, source: str) -> bytes:
    """`value` as a hex key, else as a key file path (relative to `base`)."""
    if _HEX_KEY.match(value.strip()):
        return parse_public(value, source)
    path = Path(value) if Path(value).is_absolute() else base / value
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: {value!r} is neither a hex public key nor a readable key file ({exc})") from None
    return parse_public(text, str(path))


def verify_signature(public: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        _public_key(bytes(public), "signer").verify(bytes(signature), message)
    except (InvalidSignature, InputError, ValueError):
        return False
    return True


@attrs.frozen
class TrustSet:
    """Public keys whose signatures are accepted, each with where its trust comes from.
    Picklable (plain bytes), so it travels with a prover to dask workers."""

    keys: dict = attrs.field(factory=dict, converter=dict)  # raw public key -> source

    def __contains__(self, public: bytes) -> bool:
        return bytes(public) in self.keys

    def source_of(self, public: bytes) -> str | None:
        return self.keys.get(bytes(public))

    @classmethod
    def load(cls, config=None) -> TrustSet:
        """This machine's key, the key directory's trusted-keys file, ix.toml's trusted_keys."""
        keys = {local_key().public: "this machine"}
        for raw, where in trusted_file_keys():
            keys.setdefault(raw, where)
        if config is not None:
            entries = config.get("trusted_keys", []) or []
            src = getattr(config, "source", "config")
            base = Path(src).parent if Path(src).is_file() else Path.cwd()
            for i, value in enumerate(entries):
                if not isinstance(value, str):
                    raise ConfigError(f"{src}: trusted_keys[{i}] must be a string (a hex public key or a key file)")
                keys.setdefault(key_or_file(value, base, f"{src}: trusted_keys[{i}]"), f"{src} trusted_keys")
        return cls(keys)


def trusted_file_keys() -> list[tuple[bytes, str]]:
    path = key_dir() / TRUSTED_FILE
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the trusted keys ({exc})") from None
    out = []
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if line:
            out.append((parse_public(line, f"{path}:{n}"), str(path)))
    return out


def add_trusted(public: bytes, comment: str = "") -> tuple[Path, bool]:
    """Append `public` to the key directory's trusted-keys file (atomically); returns the
    file and whether it was new."""
    path = key_dir() / TRUSTED_FILE
    if any(raw == public for raw, _ in trusted_file_keys()):
        return path, False
    old = path.read_text() if path.exists() else "# public keys whose ix attestations this user accepts\n"
    if old and not old.endswith("\n"):
        old += "\n"
    line = public.hex() + (f"  # {comment}" if comment else "") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".trusted-")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(old + line)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path, True


def public_pem(public: bytes) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _public_key(public, "key").public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def inside(path: Path, roots: Iterable[Path]) -> Path | None:
    """The first of `roots` that contains `path` (to refuse a key dir inside a store or run dir)."""
    p = Path(path).resolve()
    for r in roots:
        r = Path(r).resolve()
        if p == r or r in p.parents:
            return r
    return None
