"""`ix keys`: this machine's signing key and the keys whose native proofs it accepts.

`ix keys trust KEY` appends to the user's trusted-keys file in the key directory
(machine-wide, like ssh's authorized_keys); a project that shares a store lists its
signers in ix.toml's `trusted_keys` instead (reviewed and versioned with the project).
"""
from __future__ import annotations

from pathlib import Path

import click

from .. import keys
from .context import Context, json_option, pass_ctx


@click.group("keys")
def keys_group():
    """Show, export and trust the Ed25519 keys that sign native proofs."""


@keys_group.command("show")
@json_option
@pass_ctx
def keys_show(ctx: Context):
    """This machine's public key, its fingerprint and where the private key lives."""
    key = keys.local_key()
    data = {"public_key": key.public_hex, "fingerprint": key.fingerprint, "path": str(key.path)}

    def human():
        ctx.console.print(f"public key   {key.public_hex}")
        ctx.console.print(f"fingerprint  {key.fingerprint}")
        ctx.console.print(f"private key  {key.path}")

    ctx.emit(data, human)


@keys_group.command("export")
@click.option("--pem", is_flag=True, help="A PEM PUBLIC KEY block instead of hex.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@json_option
@pass_ctx
def keys_export(ctx: Context, pem, out):
    """Print (or write) the public key, for another machine's `ix keys trust`."""
    key = keys.local_key()
    text = keys.public_pem(key.public) if pem else key.public_hex + "\n"
    if out is not None:
        out.write_text(text)
    data = {"public_key": key.public_hex, "fingerprint": key.fingerprint, "out": str(out) if out else None}
    ctx.emit(data, lambda: click.echo(text, nl=False) if out is None else ctx.console.print(f"wrote {out}"))


@keys_group.command("trust")
@click.argument("key")
@click.option("--comment", default="", help="A note kept next to the key.")
@json_option
@pass_ctx
def keys_trust(ctx: Context, key, comment):
    """Accept proofs signed by KEY (64 hex digits, or a file from `ix keys export`)."""
    raw = keys.key_or_file(key, Path.cwd(), "ix keys trust")
    path, added = keys.add_trusted(raw, comment)
    data = {"public_key": raw.hex(), "fingerprint": keys.fingerprint(raw), "file": str(path), "added": added}
    ctx.emit(data, lambda: ctx.console.print(
        f"{'trusted' if added else 'already trusted'}: {keys.fingerprint(raw)} ({path})"))


@keys_group.command("list")
@json_option
@pass_ctx
def keys_list(ctx: Context):
    """Every trusted key and where its trust comes from."""
    trust = keys.TrustSet.load(ctx.config)
    rows = [{"public_key": raw.hex(), "fingerprint": keys.fingerprint(raw), "source": src}
            for raw, src in trust.keys.items()]

    def human():
        for r in rows:
            ctx.console.print(f"{r['fingerprint']}  {r['public_key']}  ({r['source']})")

    ctx.emit({"trusted": rows}, human)


COMMANDS = [keys_group]
