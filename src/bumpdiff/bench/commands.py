"""The CLI's measuring and printing tools (``bumpdiff bench``, ``bumpdiff tables``, ``bumpdiff
evidence``), registered on the CLI's app by ``register`` so that this module never imports the
CLI: the bench measures speed, ``tables`` prints the Markdown tables README.md shows from committed
files, ``evidence`` makes an evidence file from finished runs or studies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bumpdiff.config import ConfigError

_out = Console(soft_wrap=True, markup=False, highlight=False, emoji=False)  # results, on stdout
_err = Console(stderr=True, markup=False, highlight=False, emoji=False)  # progress, on stderr
DeviceOpt = Annotated[
    str | None, typer.Option("--device", help="auto | cpu | cuda (default: the config's)")
]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="override a field (repeat)")]


def _table_kinds() -> dict:
    from bumpdiff.bench.speed_tables import KINDS as SPEED
    from bumpdiff.report.tables import KINDS as SCIENCE

    return {**SCIENCE, **SPEED}


def _tools() -> dict:
    from bumpdiff.analysis.noise_profile import noise_profile_main
    from bumpdiff.bench.reprobe import reprobe_main
    from bumpdiff.bench.runs import TOOLS as SPEED
    from bumpdiff.experiments.evidence import TOOLS as SCIENCE
    from bumpdiff.sweep.search import search_main  # a sweep's reading: above experiments
    from bumpdiff.sweep.seeds_power import seeds_power_main
    from bumpdiff.sweep.stage_steps import stage_steps_main

    return {**SCIENCE, "noise-profile": noise_profile_main, "scale-search": search_main,
            "stage-steps": stage_steps_main, "seeds-power": seeds_power_main,
            "reprobe": reprobe_main, **SPEED}  # fmt: skip


def bench(
    out: Annotated[Path, typer.Option("--out", help="JSON file to write")],
    config: Annotated[Path, typer.Option(help="preset to measure")] = Path("configs/quick.yaml"),
    quick: Annotated[
        bool, typer.Option("--quick", metavar="", help="tiny settings: checks the harness")
    ] = False,
    device: DeviceOpt = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="parts: train, profile, evaluate, probe, samplers, experiment (the default "
            "set); threads, sweep, speedups (only when named)",
        ),
    ] = None,
    sampler: Annotated[
        list[str] | None,
        typer.Option("--sampler", help="NAME or NAME:STEPS to time (repeat)"),
    ] = None,
    set_: SetOpt = None,
) -> None:
    """Measure speed side by side (training, MFU, samplers, evaluation, probe, end to end;
    threads beside another job and sweep scaling on request)."""
    from bumpdiff.bench.suite import QUICK_OVERRIDES, run_bench
    from bumpdiff.config import load_config, parse_candidate

    for text in sampler or []:
        try:
            parse_candidate(text)
        except ValueError as err:
            raise ConfigError(f"--sampler: {err}") from None
    overrides = [*(QUICK_OVERRIDES if quick else []), *(set_ or [])]
    overrides += [f"train.device={device}"] if device is not None else []
    cfg = load_config(config, overrides)
    parts = tuple(only) if only is not None else None
    run_bench(cfg, out, quick, parts, tuple(sampler) if sampler else None, log=_err.print)
    _out.print(f"benchmark: {out}")


def tables(
    kind: Annotated[str, typer.Argument(metavar="KIND", help="which table (see below)")],
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="committed JSON")],
) -> None:
    """Print a Markdown table or sentence of README.md from committed files. KIND: phases,
    compare, sweep, answer, trajectory, trajectory-power, sentences, mechanisms, coupling-design,
    coupling-pooled, torus (results/); claims (FILE: the results folder); samplers, speed,
    scale, sweep-scaling, verdicts (benchmarks/, sampler studies)."""
    if kind == "claims":  # read from a results folder, not one file
        from bumpdiff.report.claims import claims_table

        for folder in files:
            _out.print(claims_table(folder), markup=False, highlight=False, emoji=False)
        return
    kinds = _table_kinds()
    if kind not in kinds:
        raise ConfigError(f"KIND: expected one of {', '.join(kinds)}, got {kind!r}")
    for path in files:
        if len(files) > 1:
            _out.print(f"### {path}\n", markup=False, highlight=False, emoji=False)
        try:
            text = kinds[kind](json.loads(path.read_text()))
        except json.JSONDecodeError as err:
            raise ConfigError(f"FILE: {path} is not JSON ({err})") from None
        except (KeyError, TypeError, AttributeError, ValueError) as err:  # another kind or age
            why = f"no {err}" if isinstance(err, KeyError) else str(err).splitlines()[0]
            raise ConfigError(f"FILE: {path} is not a {kind!r} file ({why})") from None
        _out.print(text, markup=False, highlight=False, emoji=False)


def evidence(
    tool: Annotated[str, typer.Argument(metavar="TOOL", help="which tool (see below)")],
    args: Annotated[list[str] | None, typer.Argument(metavar="ARGS...")] = None,
) -> None:
    """Make an evidence file from finished runs or studies. TOOL: compare, agreement,
    pool-samplers, sampler-se, rejudge, design-power, percolation-power, efficiency-power,
    pool-shards, trajectory-calibration, noise-profile, scale-search, stage-steps, seeds-power
    (science); demo-timeline, demo-side-by-side, preset-wall, trajectory-cost (speed); reprobe
    (does a run's probe reproduce on this machine). Each
    prints its own usage when its arguments are off."""
    tools = _tools()
    if tool not in tools:
        raise ConfigError(f"TOOL: expected one of {', '.join(tools)}, got {tool!r}")
    code = tools[tool](list(args or []))
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer, user_errors) -> None:
    """Add the three commands to ``app`` (``user_errors``: the CLI's error wrapper)."""
    app.command(epilog="Example: bumpdiff bench --out benchmarks/mine.json --only train")(
        user_errors(bench)
    )
    app.command(epilog="Example: bumpdiff tables phases results/quick/phases.json")(
        user_errors(tables)
    )
    extra = {"allow_extra_args": True, "ignore_unknown_options": True}
    example = "Example: bumpdiff evidence agreement OUT.json runs/a runs/b"
    app.command(context_settings=extra, epilog=example)(user_errors(evidence))
