"""`ix plugins`: every registered backend by role, with its entry point, distribution and
requirements, plus the plugins the host set aside (broken) or that were disabled."""
from __future__ import annotations

import click

from ..roles import ROLES
from .context import Context, json_option, pass_ctx


@click.command("plugins")
@json_option
@pass_ctx
def plugins_command(ctx: Context) -> None:
    """List installed backends: role, name, entry point, distribution, version, requirements.

    The entry-point name is what IX_DISABLE_PLUGINS takes. Broken plugins are listed with
    their one-line error; the other backends stay usable.
    """
    host = ctx.host
    rows = []
    for role in ROLES:
        for reg in host.registry(role).entries():
            reqs = reg.check_requirements()
            rows.append(
                {
                    "role": role,
                    "name": reg.name,
                    "entry_point": reg.entry_point,
                    "distribution": reg.distribution,
                    "version": reg.version,
                    "summary": reg.summary,
                    "ready": all(r.found for r in reqs),
                    "requirements": [
                        {"name": r.name, "found": r.found, "detail": r.detail, "version": r.version} for r in reqs
                    ],
                }
            )
    broken = [
        {"entry_point": b.entry_point, "distribution": b.distribution, "version": b.version,
         "stage": b.stage, "role": b.role, "error": b.error}
        for b in host.broken
    ]
    disabled = [{"entry_point": d.entry_point, "distribution": d.distribution, "version": d.version} for d in host.disabled]
    dists = [{"entry_point": ep, "name": n, "version": v} for ep, n, v in host.distributions()]

    def human() -> None:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title="ix plugins")
        for col in ("role", "name", "entry point", "distribution", "version", "ready", "requirements"):
            table.add_column(col)
        for r in rows:
            req = "; ".join(
                f"{q['name']}: {'ok' if q['found'] else 'MISSING'}{' ' + (q['version'] or q['detail']) if (q['version'] or q['detail']) else ''}"
                for q in r["requirements"]
            )
            cells = (r["role"], r["name"], r["entry_point"], r["distribution"], r["version"], "yes" if r["ready"] else "no", req or "-")
            table.add_row(*(escape(c) for c in cells))
        ctx.console.print(table)
        for b in host.broken:
            ctx.console.print(escape(f"broken: {b.line()}"))
        for d in host.disabled:
            ctx.console.print(escape(f"disabled: {d.entry_point} ({d.distribution} {d.version}) by IX_DISABLE_PLUGINS"))
        ctx.console.print(escape("entry points: " + ", ".join(f"{d['entry_point']} ({d['name']} {d['version']})" for d in dists)))

    ctx.emit({"plugins": rows, "broken": broken, "disabled": disabled, "distributions": dists,
              "warnings": list(host.warnings)}, human)


COMMANDS = [plugins_command]
