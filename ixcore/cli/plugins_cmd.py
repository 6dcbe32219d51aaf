"""`ix plugins`: every registered backend by role, with its distribution and requirements."""
from __future__ import annotations

import click

from ..roles import ROLES
from .context import Context, json_option, pass_ctx


@click.command("plugins")
@json_option
@pass_ctx
def plugins_command(ctx: Context):
    """List installed backends: role, name, distribution, version, requirements."""
    rows = []
    for role in ROLES:
        for reg in ctx.host.registry(role).entries():
            reqs = reg.check_requirements()
            rows.append(
                {
                    "role": role,
                    "name": reg.name,
                    "distribution": reg.distribution,
                    "version": reg.version,
                    "summary": reg.summary,
                    "ready": all(r.found for r in reqs),
                    "requirements": [
                        {"name": r.name, "found": r.found, "detail": r.detail, "version": r.version} for r in reqs
                    ],
                }
            )
    dists = sorted({(name, ver) for name, ver in _plugin_distributions(ctx)})

    def human():
        from rich.table import Table

        table = Table(title="ix plugins")
        for col in ("role", "name", "distribution", "version", "ready", "requirements"):
            table.add_column(col)
        for r in rows:
            req = "; ".join(
                f"{q['name']}: {'ok' if q['found'] else 'MISSING'}{' ' + (q['version'] or q['detail']) if (q['version'] or q['detail']) else ''}"
                for q in r["requirements"]
            )
            table.add_row(r["role"], r["name"], r["distribution"], r["version"], "yes" if r["ready"] else "no", req or "-")
        ctx.console.print(table)
        ctx.console.print("distributions: " + ", ".join(f"{n} {v}" for n, v in dists))

    ctx.emit({"plugins": rows, "distributions": [{"name": n, "version": v} for n, v in dists]}, human)


def _plugin_distributions(ctx: Context):
    for _plugin, dist in ctx.host.pm.list_plugin_distinfo():
        yield dist.metadata["name"], dist.version


COMMANDS = [plugins_command]
