"""The sweep commands of the CLI (``bumpdiff sweep``, ``bumpdiff aggregate``), registered on the
CLI's app by ``register`` so that this module never imports the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer, user_errors, out_console) -> None:
    @app.command(epilog="Example: bumpdiff sweep configs/sweeps/quick-seeds.yaml --no-ray")
    @user_errors
    def sweep(
        file: Annotated[Path, typer.Argument(metavar="FILE", help="configs/sweeps/<name>.yaml")],
        out: Annotated[Path | None, typer.Option(metavar="", help="default: runs/<name>")] = None,
        address: Annotated[
            str | None, typer.Option(metavar="", help="an existing Ray cluster, e.g. auto")
        ] = None,
        workers: Annotated[
            int | None, typer.Option(metavar="", min=1, help="members at once on this machine")
        ] = None,
        no_ray: Annotated[
            bool, typer.Option("--no-ray", metavar="", help="run the members one after another")
        ] = False,
    ) -> None:
        """Run every member of a sweep (Ray when installed), skipping finished ones."""
        from bumpdiff.store.lock import claim
        from bumpdiff.sweep.runner import run_more_seeds, run_sweep
        from bumpdiff.sweep.spec import load_sweep

        spec, base, members = load_sweep(file)
        root = out or Path("runs") / file.stem
        how = {"address": address, "workers": workers, "use_ray": False if no_ray else None}
        with claim(root, "bumpdiff sweep", out_console.print):
            status = run_sweep(spec, base, members, root, out_console.print, **how)
            if spec.more_seeds is not None:
                status = run_more_seeds(spec, base, root, out_console.print, **how)
        failed = sorted(n for n, e in status.items() if e.get("status") != "done")
        out_console.print(f"{len(status) - len(failed)} done, {len(failed)} failed: {root}")
        if failed:
            raise typer.Exit(1)

    @app.command(epilog="Example: bumpdiff aggregate runs/quick-seeds")
    @user_errors
    def aggregate(
        sweep_dir: Annotated[Path, typer.Argument(metavar="SWEEP", help="a sweep's folder")],
    ) -> None:
        """Every member's rows in one table, bands across seeds, each group's verdict."""
        from bumpdiff.config import ConfigError
        from bumpdiff.sweep.aggregate import aggregate_sweep
        from bumpdiff.sweep.status import STATUS

        if not (sweep_dir / STATUS).is_file():
            raise ConfigError(f"SWEEP: {sweep_dir} has no {STATUS}; run bumpdiff sweep first")
        for line in aggregate_sweep(sweep_dir):
            out_console.print(line)
