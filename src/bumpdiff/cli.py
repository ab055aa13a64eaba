"""The ``bumpdiff`` command (typer). Bad input: one line on stderr, exit code 2."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bumpdiff.config import Config, ConfigError, config_to_yaml, load_config
from bumpdiff.runfolder import RunFolder

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Train conditional DDPMs on Gaussian bumps, evaluate what they generate, probe what they "
    "represent, and name the learning phases (Liang, Liu & Fiete, arXiv 2402.03305).",
)
console = Console(stderr=True)
out_console = Console(soft_wrap=True)

SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="override a field: --set train.lr=1e-3")
]
OutOpt = Annotated[Path, typer.Option("--out", help="run folder to write")]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="continue from the latest checkpoint")]
DryOpt = Annotated[bool, typer.Option("--dry-run", help="print the resolved config and stop")]
StepOpt = Annotated[int | None, typer.Option("--step", help="checkpoint step (default: latest)")]
AllOpt = Annotated[bool, typer.Option("--all", help="every checkpoint")]
DeviceOpt = Annotated[
    str | None, typer.Option("--device", help="auto | cpu | cuda (default: the config's)")
]


def _device_override(device: str | None) -> list[str]:
    if device is None:
        return []
    if device not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"--device: must be one of auto, cpu, cuda, got {device!r}")
    return [f"train.device={device}"]


def user_errors(fn):
    """Turn ConfigError into one line on stderr and exit 2; Ctrl-C into exit 130."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ConfigError as err:
            console.print(f"[red]error:[/red] {err}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            console.print("interrupted; checkpoints so far are kept (continue with --resume)")
            raise typer.Exit(130) from None

    return wrapper


def _load(config: Path, overrides: list[str] | None, dry_run: bool) -> Config | None:
    cfg = load_config(config, overrides)
    if dry_run:
        out_console.print(config_to_yaml(cfg), highlight=False, markup=False)
        return None
    return cfg


def _steps(run: RunFolder, step: int | None, every: bool) -> list[int]:
    if every:
        steps = run.checkpoint_steps()
        if not steps:
            raise ConfigError(f"run: no checkpoints in {run.checkpoints_dir}")
        return steps
    return [run.require_checkpoint(step)]


def _run_folder(path: Path) -> RunFolder:
    run = RunFolder(path)
    if not run.config_path.is_file():
        raise ConfigError(f"RUN: {path} is not a bumpdiff run folder (no config.yaml)")
    return run


@app.command()
@user_errors
def train(
    config: Path,
    out: OutOpt,
    set_: SetOpt = None,
    resume: ResumeOpt = False,
    dry_run: DryOpt = False,
    device: DeviceOpt = None,
) -> None:
    """Train a conditional DDPM and keep checkpoints along training."""
    from bumpdiff.train import train as train_fn

    cfg = _load(config, [*(set_ or []), *_device_override(device)], dry_run)
    if cfg is None:
        return
    run = train_fn(cfg, out, resume=resume)
    console.print(f"checkpoints: {run.checkpoints_dir}")


@app.command()
@user_errors
def run(
    config: Path,
    out: OutOpt,
    set_: SetOpt = None,
    resume: ResumeOpt = False,
    dry_run: DryOpt = False,
    device: DeviceOpt = None,
) -> None:
    """Run the config's whole experiment (phases or imbalanced) and write its report."""
    cfg = _load(config, [*(set_ or []), *_device_override(device)], dry_run)
    if cfg is None:
        return
    from bumpdiff.experiments import EXPERIMENTS

    EXPERIMENTS[cfg.experiment](cfg, out, resume, console)


@app.command()
@user_errors
def sample(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN")],
    step: StepOpt = None,
    at: Annotated[list[str] | None, typer.Option("--at", help="condition x,y in pixels")] = None,
    n: Annotated[int, typer.Option("-n", help="images per condition")] = 8,
    sampler: Annotated[str, typer.Option(help="ddpm | ddim | dpmpp")] = "ddpm",
    steps: Annotated[int | None, typer.Option(help="sampler steps (ddpm: T)")] = None,
    seed: Annotated[int, typer.Option(help="seed of image 0; image i uses seed + i")] = 0,
) -> None:
    """Generate images at given conditions; writes samples/<step>.npz and a PNG grid."""
    import numpy as np

    from bumpdiff.report import image_grid_figure
    from bumpdiff.stages import sample_at

    _check_sampler(sampler)
    _check_n(n)
    rf = _run_folder(run_dir)
    k = rf.require_checkpoint(step)
    conds = [_parse_xy(a) for a in (at or [])]
    if not conds:
        raise ConfigError("--at: give at least one condition, e.g. --at 3.5,7")
    images, cond, summary, path = sample_at(rf, k, np.array(conds), n, sampler, steps, seed)
    titles = [f"({c[0]:g},{c[1]:g})" for c in cond]
    image_grid_figure(images, titles, rf.figures_dir / f"samples-{k}.png", cols=n)
    out_console.print(
        f"step {k}: {len(images)} images, accuracy {summary['accuracy']:.1%} → "
        f"{path}, {rf.figures_dir / f'samples-{k}.png'}"
    )


def _check_sampler(name: str) -> None:
    from bumpdiff.diffusion import SAMPLERS

    if name not in SAMPLERS:
        raise ConfigError(f"--sampler: must be one of {', '.join(SAMPLERS)}, got {name!r}")


def parse_sampler(text: str) -> tuple[str, int | None]:
    """``--sampler`` of bench: "ddpm" (T steps) or "name:steps", e.g. "ddim:50"."""
    name, _, steps = text.partition(":")
    _check_sampler(name)
    if steps and (not steps.isdigit() or int(steps) < 1):
        raise ConfigError(f"--sampler: STEPS in NAME:STEPS must be ≥ 1, got {text!r}")
    return name, int(steps) if steps else None


def _check_n(n: int) -> None:
    if not 1 <= n <= 100000:
        raise ConfigError(f"-n: must be in [1, 100000], got {n}")


def _parse_xy(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(f"--at: expected x,y in pixels (e.g. 3.5,7), got {text!r}") from None
    return x, y


@app.command()
@user_errors
def evaluate(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN")],
    step: StepOpt = None,
    every: AllOpt = False,
    n: Annotated[int | None, typer.Option("-n", help="draws per condition")] = None,
    sampler: Annotated[str | None, typer.Option(help="ddpm | ddim | dpmpp")] = None,
    steps: Annotated[int | None, typer.Option(help="sampler steps")] = None,
) -> None:
    """Sample at the seeded lattice conditions, classify, append to metrics.jsonl."""
    from bumpdiff.report import outcomes_figure
    from bumpdiff.stages import evaluate_checkpoint

    if sampler is not None:
        _check_sampler(sampler)
    if n is not None:
        _check_n(n)
    rf = _run_folder(run_dir)
    for k in _steps(rf, step, every):
        row = evaluate_checkpoint(rf, k, sampler, steps, n)
        out_console.print(
            f"step {k}: accuracy {row['accuracy']:.1%}, none {row['frac_none']:.1%}, multiple "
            f"{row['frac_multiple']:.1%}, mislocated {row['frac_mislocated']:.1%}, x "
            f"{row['x_accuracy']:.1%}, y {row['y_accuracy']:.1%} ({row['sampler']})"
        )
    _outcome_examples(rf, k)
    rows = sorted(rf.latest_by_step("eval").values(), key=lambda r: r["step"])
    fracs = [
        {o: r[f"frac_{o}"] for o in ("none", "multiple", "mislocated", "correct")} for r in rows
    ]
    outcomes_figure(
        [r["step"] for r in rows],
        fracs,
        ["" for _ in rows],
        rf.figures_dir / "outcomes.png",
        title="Generation outcomes",
    )


def _outcome_examples(rf: RunFolder, step: int, per_row: int = 8) -> None:
    """figures/examples-<step>.png: up to ``per_row`` generated images of each outcome."""
    from bumpdiff.evaluate import OUTCOMES
    from bumpdiff.report import examples_figure
    from bumpdiff.runfolder import load_npz

    samples = load_npz(rf.samples_path(step))
    rows = []
    for outcome in OUTCOMES:
        idx = [i for i, o in enumerate(samples["outcome"]) if o == outcome][:per_row]
        if idx:
            labels = [f"({c[0]:.1f},{c[1]:.1f})" for c in samples["conditions"][idx]]
            rows.append((f"{outcome}\n{len(idx)} shown", samples["images"][idx], labels))
    if rows:
        examples_figure(rows, rf.figures_dir / f"examples-{step}.png")


@app.command()
@user_errors
def probe(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN")],
    step: StepOpt = None,
    every: AllOpt = False,
) -> None:
    """Capture the probe layer, measure order and name the phase; writes probes/<step>.npz."""
    from bumpdiff.stages import probe_checkpoint

    rf = _run_folder(run_dir)
    for k in _steps(rf, step, every):
        row = probe_checkpoint(rf, k)
        out_console.print(
            f"step {k}: phase {row['phase']}, R²x {row['r2_x']:.2f}, R²y {row['r2_y']:.2f}, "
            f"trustworthiness {row['trustworthiness']:.2f}, R²(PCs) {row['r2_x_pca']:.2f}/"
            f"{row['r2_y_pca']:.2f}, condition share "
            f"{row['condition_share']:.2f}, dimension {row['dimension']:g}"
        )


@app.command()
@user_errors
def bench(
    out: Annotated[Path, typer.Option("--out", help="JSON file to write")],
    config: Annotated[Path, typer.Option(help="preset to measure")] = Path("configs/quick.yaml"),
    quick: Annotated[
        bool, typer.Option("--quick", help="tiny settings: checks the harness")
    ] = False,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda")] = "auto",
    run_dir: Annotated[
        Path | None, typer.Option("--run", help="reuse an analysed phases run for samplers")
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="parts: train, evaluate, probe, phases, samplers, bf16 (repeat; default all, "
            "bf16 only on CUDA)",
        ),
    ] = None,
    images: Annotated[
        int | None, typer.Option(min=1, help="images per sampler, trained checkpoint [512]")
    ] = None,
    phase_images: Annotated[
        int | None, typer.Option(min=1, help="images per sampler, each phase checkpoint [128]")
    ] = None,
    sampler: Annotated[
        list[str] | None,
        typer.Option("--sampler", help="NAME or NAME:STEPS to compare with DDPM-T (repeat)"),
    ] = None,
    set_: SetOpt = None,
) -> None:
    """Measure training, sampling, evaluation and probe speed side by side; write JSON."""
    from bumpdiff.bench import run_bench

    _device_override(device)
    run_bench(
        config,
        out,
        quick,
        device,
        run_dir,
        log=console.print,
        extra=set_,
        parts=tuple(only) if only else None,
        images=images,
        phase_images=phase_images,
        samplers=[parse_sampler(s) for s in sampler] if sampler else None,
    )
    out_console.print(f"benchmark: {out}")


@app.command()
@user_errors
def report(run_dir: Annotated[Path, typer.Argument(metavar="RUN")]) -> None:
    """Rewrite the report of an analysed run from its metrics.jsonl, samples and probes."""
    from bumpdiff.experiments import REPORTS

    rf = _run_folder(run_dir)
    REPORTS[rf.read_config().experiment](rf)
    out_console.print(f"report: {rf.root / 'report.html'}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
