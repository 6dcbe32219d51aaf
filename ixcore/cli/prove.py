"""`ix prove ENV`: load, profile (store-aware), plan, prove leaves, fold, verify, report."""
from __future__ import annotations

import time
from pathlib import Path

import click

from ..errors import ConfigError, InputError
from .context import Context, complete_backend, json_option, pass_ctx


def resolve_env_format(ctx: Context, path: Path, name: str):
    """The env format named in config, or the first installed one that sniffs the file."""
    reg = ctx.host.registry("env_format")
    if name != "auto":
        return ctx.host.create("env_format", name, ctx.config.plugin_options(name))
    for entry in reg.entries():
        fmt = reg.create(entry.name, ctx.config.plugin_options(entry.name))
        if fmt.sniff(path):
            return fmt
    installed = ", ".join(reg) or "none"
    raise InputError(f"{path}: no installed env format recognises this file (installed: {installed})")


def trust_attested(cfg, *provers) -> None:
    """Give provers of signed records (native) the trust set of this config, resolved
    here so that every worker judges signatures with ix.toml's trusted_keys."""
    attested = [p for p in provers if getattr(p, "attested", False)]
    if attested:
        from ..keys import TrustSet

        trust = TrustSet.load(cfg)
        for p in attested:
            p.trust = trust


def _keys_outside(leaf, roots: list[Path]) -> None:
    """Whoever can write a store or a run directory must not be able to sign: refuse a
    key directory inside either (checked before the store is opened or created)."""
    if not getattr(leaf, "attested", False):
        return
    from ..keys import inside, key_dir

    holder = inside(key_dir(), roots)
    if holder is not None:
        raise ConfigError(f"{key_dir()}: the signing key directory is inside {holder}; keep keys outside stores "
                          "and run directories (set IX_KEY_DIR)")


def build_backends(ctx: Context, env_path: Path, *, store_path: str | None, no_store: bool = False):
    from ..pipeline import Backends

    cfg, host = ctx.config, ctx.host
    leaf_name, agg_name = cfg["leaf_prover"], cfg["agg_prover"]
    leaf = host.create("leaf_prover", leaf_name, cfg.plugin_options(leaf_name))
    agg = None
    if "aggregate" in leaf.capabilities:  # a required LeafProver member (checked at creation)
        agg = host.create("agg_prover", agg_name, cfg.plugin_options(agg_name))
    trust_attested(cfg, leaf, agg)
    store = None
    if not no_store:
        opts = dict(cfg.get("store_options", {}))
        if store_path:
            opts["path"] = store_path
        if "path" in opts:
            _keys_outside(leaf, [Path(opts["path"])])
        store = host.create("store", cfg["store"], opts)
    exec_name = cfg["executor"]
    exec_opts = dict(cfg.get("executor_options", {}))
    if exec_name == "local":
        exec_opts = {k: v for k, v in exec_opts.items() if k in ("retries", "timeout_s", "heartbeat_s")}
        if cfg.get("prove.jobs"):
            exec_opts["jobs"] = cfg.get("prove.jobs")
    elif cfg.get("prove.jobs"):
        exec_opts.setdefault("workers", cfg.get("prove.jobs"))
    executor = host.create("executor", exec_name, exec_opts)
    profiler = None
    if cfg["profiler"] in host.registry("profiler"):
        profiler = host.create("profiler", cfg["profiler"], cfg.plugin_options(cfg["profiler"]))
    partitioner = None
    if cfg["partitioner"] in host.registry("partitioner"):
        name = cfg["partitioner"]
        partitioner = OnFirstUse(lambda: host.create("partitioner", name, cfg.plugin_options(name)))
    env_format = resolve_env_format(ctx, env_path, cfg["env_format"])
    ctx.require_format("leaf_prover", leaf_name, leaf, env_format.name, env_path)
    return Backends(env_format, leaf, agg, executor, store, profiler, partitioner, cfg["partitioner"])


class OnFirstUse:
    """A backend made when first used: a run that reuses a stored root whole never
    plans, so it does not import a partitioner's libraries (numpy, the partitioning code).
    Pickled, it is the backend itself."""

    def __init__(self, make):
        self._make = make
        self._backend = None

    def _get(self):
        if self._backend is None:
            self._backend = self._make()
        return self._backend

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._get(), name)

    def __reduce__(self):
        return _itself, (self._get(),)


def _itself(backend):
    return backend


def fresh_run_dir(runs: Path) -> Path:
    """runs/<timestamp>, with a -2, -3, ... suffix when a run of the same second has it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    runs.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = runs / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise ConfigError(f"{runs}: a thousand runs within one second; give --out")


@click.command("prove")
@click.argument("env", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="ix.toml to use.")
@click.option("--leaf-prover", shell_complete=complete_backend("leaf_prover"), help="Leaf prover (default: config leaf_prover, native).")
@click.option("--agg-prover", shell_complete=complete_backend("agg_prover"), help="Aggregation prover (default: config agg_prover, native).")
@click.option("--partitioner", shell_complete=complete_backend("partitioner"), help="Partitioner for planning (default: config partitioner).")
@click.option("--shards", type=int, help="Fixed shard count.")
@click.option("--max-ram", "max_ram", type=float, help="Cap mode: RAM ceiling per leaf in GiB.")
@click.option("--max-cost", "max_cost", type=float, help="Cap mode: cost ceiling per leaf (cost-model units).")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Prove exactly this .ixes manifest.")
@click.option("--store", "store_path", help="Proof store directory (default: config store_options.path).")
@click.option("--no-store", is_flag=True, help="Neither reuse nor bank proofs (the no-sharing baseline).")
@click.option("--jobs", type=int, help="Parallel leaf jobs (default: all cores).")
@click.option("--executor", shell_complete=complete_backend("executor"), help="Where leaf jobs run (local, dask or an installed plugin's).")
@click.option("--arity", type=int, help="Children per aggregation (default: config prove.arity, 4).")
@click.option("--fleet", "fleet_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Fleet file (default: [fleet] in ix.toml): choose k for it and run its schedule's priorities and RAM.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Run directory (default .ix/runs/<timestamp>).")
@json_option
@pass_ctx
def prove_command(ctx: Context, env, config_path, leaf_prover, agg_prover, partitioner, shards, max_ram, max_cost,
                  manifest, store_path, no_store, jobs, executor, arity, fleet_path, out_dir):
    """Prove ENV: one root claim whose subject is the env root, or say why not.

    Exit 0 only for a verified claim; 1 when a leaf is rejected or the root fails a check.
    """
    from ..pipeline import PlanSettings, prove_env
    from ..report import write_run
    from . import exit_without_teardown

    if config_path:
        ctx.config_path = config_path
        ctx.__dict__.pop("config", None)
    if sum(x is not None for x in (shards, max_ram, max_cost)) > 1:
        raise ConfigError("--shards, --max-ram and --max-cost are alternatives; give one")
    ctx.__dict__["config"] = ctx.config.override(**{
        "leaf_prover": leaf_prover, "agg_prover": agg_prover, "partitioner": partitioner, "executor": executor,
        "partition.shards": shards, "partition.max_ram_gib": max_ram, "partition.max_cost": max_cost,
        "prove.jobs": jobs, "prove.arity": arity,
    })
    cfg = ctx.config
    backends = build_backends(ctx, env, store_path=store_path, no_store=no_store)
    parsed = None
    if manifest is not None:
        from ..formats.ixes import read_ixes

        parsed = read_ixes(manifest)
    import os

    settings = PlanSettings(
        shards=cfg.get("partition.shards"), max_ram_gib=cfg.get("partition.max_ram_gib"),
        max_cost=cfg.get("partition.max_cost"), eps=float(cfg.get("partition.eps", 0.05)),
        seed=int(cfg.get("partition.seed", 42)), mode=cfg.get("partition.mode", "pack"),
        arity=int(cfg.get("prove.arity", 4)), jobs=int(cfg.get("prove.jobs") or os.cpu_count() or 1),
        fleet=_fleet(ctx, fleet_path),
    )
    out = out_dir or fresh_run_dir(Path(cfg["workdir"]) / "runs")
    _keys_outside(backends.leaf_prover, [Path(out)])
    with ctx.progress() as progress:
        result = prove_env(env, backends, settings, manifest=parsed, workdir=out / "work", progress=progress)
    proven = any(s.status == "proven" for s in result.shards)  # the cost model only labels the plot of proven shards
    report = write_run(result, out, backends.leaf_prover.cost_model() if proven else None)
    report["out"] = str(out)

    def human():
        c = ctx.console
        s = report
        verdict = "[green]verified[/]" if s["verified"] else "[red]NOT verified[/]"
        kind = "unconditional" if s["unconditional"] else f"conditional on {len(s['outstanding_assumptions'])} assumption(s)"
        ctx.result(f"{env}: {verdict}, {kind}{'' if s['aggregated'] else ' (not aggregated: leaf set + host discharge)'}")
        c.print(f"  shards proven {s['shards_proven']} ({s['blocks_proven']} of {s['blocks']} blocks), reused {s['shards_reused']}; "
                f"stored proofs folded {s['stored_proofs_folded']}; aggregations {s['aggregations']}")
        c.print(f"  env root      {s['env_root']}")
        c.print(f"  subject root  {s['subject_root']} ({'= env root' if s['subject_equals_env_root'] else 'differs from env root'})")
        if s["root_claim"]:
            c.print(f"  vks_id        {s['root_claim']['vks_id']}")
        for a in s["outstanding_assumptions"][:10]:
            c.print(f"  assumes {a['address']} {a['name'] or ''}")
        for chk in s["checks"]:
            if not chk["ok"]:
                c.print(f"  [red]failed[/] {chk['name']}: {chk['detail']}")
        for w in s["warnings"]:
            c.print(f"  [yellow]warning[/] {w}")
        pred = s.get("prediction")
        if pred:
            err = pred["makespan_error"]
            c.print(f"  fleet model   predicted {pred['makespan_predicted_s']:.2f} s, measured {pred['makespan_measured_s']:.2f} s"
                    + (f" ({err:+.0%})" if err is not None else ""))
        c.print("  phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in s["phases"].items()))
        if "plot" in report:
            c.print(f"  {report['plot']}")
        c.print(f"  report: {out / 'report.json'}")

    ctx.emit(report, human)
    code = 0 if result.ok else 1
    exit_without_teardown(code)  # the env's expression graph goes with the process, not object by object
    return code


def _fleet(ctx: Context, path):
    from .schedule import resolve_fleet

    return resolve_fleet(ctx, path)


COMMANDS = [prove_command]
