"""The analysis commands of the CLI that live above the studies (``bumpdiff dynamics``),
registered on the CLI's app by ``register`` so that this module never imports the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bumpdiff.config import ConfigError

_out = Console(soft_wrap=True, markup=False, highlight=False, emoji=False)  # results, on stdout
_err = Console(stderr=True, markup=False, highlight=False, emoji=False)  # progress, on stderr


def dynamics(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="a trained run folder")],
    step: Annotated[
        list[int] | None, typer.Option("--step", help="only these checkpoints (repeat)")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="override a field: --set mechanisms.patch_sizes=[3,5]"),
    ] = None,
) -> None:
    """Between the lattice points, against analytic denoisers, and the generated positions' paths,
    at every checkpoint: writes dynamics.json, figures and mechanisms.html; continues where a
    stopped call left off."""
    from bumpdiff.analysis.dynamics import check_settings
    from bumpdiff.experiments.mechanisms import run_mechanisms
    from bumpdiff.store.lock import claim
    from bumpdiff.store.runfolder import RunFolder

    run = RunFolder(run_dir)
    if not run.exists():
        raise ConfigError(f"run: {run_dir} is not a bumpdiff run folder (no config.yaml)")
    cfg = run.read_config(list(set_ or []))
    steps = [run.require_checkpoint(s) for s in step] if step else None
    check_settings(cfg)  # before the claim: a refused call leaves the folder as it was
    with claim(run_dir, "bumpdiff dynamics", _err.print):
        for line in run_mechanisms(run, cfg, _err.print, steps):
            _out.print(line)
    _out.print(f"dynamics: {run.dynamics_path}, {run.mechanisms_path}")


def register(app: typer.Typer, user_errors) -> None:
    """Add the command to ``app`` (``user_errors``: the CLI's error wrapper)."""
    app.command(epilog="Example: bumpdiff dynamics runs/quick --step 0 --step 1000")(
        user_errors(dynamics)
    )
