"""The ``bumpdiff`` command (typer). Bad input: one line on stderr, exit code 2."""

from __future__ import annotations

import functools
import gc
import inspect
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from bumpdiff.bench.commands import register as register_tool_commands
from bumpdiff.config import SAMPLER_NAMES, Config, ConfigError, config_to_yaml, load_config
from bumpdiff.experiments.commands import register as register_analysis_commands
from bumpdiff.store.lock import claim
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.sweep.commands import register as register_sweep_commands
from bumpdiff.training.stops import interrupt_on_stop_signals, stopped_instead

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Train conditional DDPMs on Gaussian bumps, evaluate what they generate, probe what they "
    "represent, and name the learning phases (Liang, Liu & Fiete, arXiv 2402.03305).",
)
# Nothing printed is read as Rich markup: paths and values may hold brackets ("[/q]")
console = Console(stderr=True, markup=False, highlight=False, emoji=False)
out_console = Console(soft_wrap=True, markup=False, highlight=False, emoji=False)
MAX_MESSAGE = 400  # characters of an error line; what a value echoes beyond it is cut

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="override a field: --set train.lr=1e-3 (repeat)"),
]
OutOpt = Annotated[Path, typer.Option("--out", help="run folder to write")]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", metavar="", help="continue from the latest checkpoint")
]
DryOpt = Annotated[
    bool, typer.Option("--dry-run", metavar="", help="print the resolved config and stop")
]
StepOpt = Annotated[int | None, typer.Option("--step", help="checkpoint step (default: latest)")]
AllOpt = Annotated[bool, typer.Option("--all", metavar="", help="every checkpoint")]
DeviceOpt = Annotated[
    str | None, typer.Option("--device", help="auto | cpu | cuda (default: the config's)")
]


def _presets() -> str:
    """The presets shipped in configs/ and the experiments a config may name, for ``run``'s
    help."""
    from bumpdiff.config.experiments import DECLARATIONS

    names = ", ".join(d.name for d in DECLARATIONS)
    return f"Experiments: {names}. Presets: configs/*.yaml (quick.yaml is the demo's)."


# An example for every command's help (its epilog)
EXAMPLES = {
    "train": "Example: bumpdiff train configs/quick.yaml --out runs/q --set train.steps=2000",
    "run": "Example: bumpdiff run configs/quick.yaml --out runs/quick --resume. " + _presets(),
    "sample": "Example: bumpdiff sample runs/quick --step 1000 --at 3.5,7 -n 16",
    "evaluate": "Example: bumpdiff evaluate runs/quick --all --sampler ddpm --steps 1000",
    "probe": "Example: bumpdiff probe runs/quick --step 158",
    "report": "Example: bumpdiff report runs/quick --open",
}


# Config fields that commands set from flags: an error about the field names the flag too.
FLAGS = {
    "sample.sampler": "--sampler",
    "sample.steps": "--steps",
    "sample.draws": "-n",
    "train.device": "--device",
    "step": "--step",
    "out": "--out",
    "parts": "--only",
    "run": "RUN",
    "set": "--set",
}


def _with_flag(message: str) -> str:
    """ "sample.steps: …" → "sample.steps (--steps): …" where a flag writes that field."""
    field, sep, rest = message.partition(":")
    if sep and field in FLAGS:
        return f"{field} ({FLAGS[field]}):{rest}"
    return message


def _overrides(**fields) -> list[str]:
    """``--set``-style overrides for the fields a command's flags were given for."""
    return [
        f"{key.replace('__', '.')}={value}" for key, value in fields.items() if value is not None
    ]


_DEBUG = {"on": False}


def _version(value: bool) -> None:
    if value:
        from bumpdiff.version import __version__

        out_console.print(f"bumpdiff {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", metavar="", help="show the traceback of an error")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", metavar="", is_eager=True, callback=_version,
                     help="print the version and stop"),
    ] = False,
) -> None:  # fmt: skip
    _DEBUG["on"] = debug


def _fail(message: str) -> typer.Exit:
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    console.print(Text.assemble(("error:", "red"), " ", message), soft_wrap=True)
    return typer.Exit(2)


def user_errors(fn):
    """Turn bad input (ConfigError) and files that cannot be read or written (OSError) into one
    line on stderr and exit 2, unless --debug; Ctrl-C, SIGTERM or SIGHUP into exit 130."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (Exception, KeyboardInterrupt) as err:
            if stopped_instead(err):  # Ctrl-C, or an error a stop was turned into by a library
                resumes = "resume" in inspect.signature(fn).parameters
                then = " (continue with --resume)" if resumes else ""
                console.print(f"interrupted; what was written so far is kept{then}")
                raise typer.Exit(130) from None
            if _DEBUG["on"] or not isinstance(err, (ConfigError, OSError)):
                raise
            if isinstance(err, ConfigError):
                raise _fail(_with_flag(str(err))) from None
            raise _fail(f"{err.filename or 'file'}: {err.strerror or type(err).__name__}") from None

    return wrapper


def _load(config: Path, overrides: list[str], dry_run: bool) -> Config | None:
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


def _run_folder(path: Path, overrides: list[str] | None = None) -> tuple[RunFolder, Config]:
    """The run folder RUN and its config (config.yaml, with the command's flags applied)."""
    run = RunFolder(path)
    if not run.exists():
        raise ConfigError(f"run: {path} is not a bumpdiff run folder (no config.yaml)")
    return run, run.read_config(overrides)


RunArg = Annotated[Path, typer.Argument(metavar="RUN", help="a run folder")]
SamplerOpt = Annotated[
    str | None,
    typer.Option(help=f"{' | '.join(SAMPLER_NAMES)} (sample.sampler; default: the run's)"),
]
StepsOpt = Annotated[
    int | None, typer.Option(help="sampler steps (sample.steps; default: the run's, null = T)")
]


def _config_command(name: str, doc: str, action) -> None:
    """Register a command that takes a preset (``train``, ``run``): CONFIG, --out, --set,
    --resume, --dry-run and --device, then calls ``action(cfg, out, resume)``."""

    @app.command(name, help=doc, epilog=EXAMPLES[name])
    @user_errors
    def command(
        config: Path,
        out: OutOpt,
        set_: SetOpt = None,
        resume: ResumeOpt = False,
        dry_run: DryOpt = False,
        device: DeviceOpt = None,
    ) -> None:
        cfg = _load(config, [*(set_ or []), *_overrides(train__device=device)], dry_run)
        if cfg is not None:
            with claim(out, f"bumpdiff {name}", console.print):
                action(cfg, out, resume)


def _train(cfg: Config, out: Path, resume: bool) -> None:
    from bumpdiff.training.loop import train

    run = train(cfg, out, resume=resume, progress=sys.stderr.isatty())
    console.print(f"checkpoints: {run.checkpoints_dir}")


def _run(cfg: Config, out: Path, resume: bool) -> None:
    from bumpdiff.experiments import run_experiment

    for line in run_experiment(cfg, out, resume, console.print, sys.stderr.isatty()):
        console.print(line)


_config_command("train", "Train a conditional DDPM and keep checkpoints along training.", _train)
_config_command(
    "run",
    "Run the config's whole experiment (its 'experiment' field) and write its report.",
    _run,
)


@app.command(epilog=EXAMPLES["sample"])
@user_errors
def sample(
    run_dir: RunArg,
    step: StepOpt = None,
    at: Annotated[list[str] | None, typer.Option("--at", help="condition x,y in pixels")] = None,
    n: Annotated[int, typer.Option("-n", help="images per condition")] = 8,
    sampler: SamplerOpt = None,
    steps: StepsOpt = None,
    seed: Annotated[int, typer.Option(help="seed of image 0; image i uses seed + i")] = 0,
    device: DeviceOpt = None,
    set_: SetOpt = None,
) -> None:
    """Generate images at given conditions; writes samples/<step>-<k>.npz and a PNG grid."""
    import numpy as np

    from bumpdiff.analysis.pipeline import sample_checkpoint
    from bumpdiff.report import pages

    _check_n(n)
    fields = _overrides(sample__sampler=sampler, sample__steps=steps, train__device=device)
    rf, cfg = _run_folder(run_dir, [*(set_ or []), *fields])
    k = rf.require_checkpoint(step)
    conds = [_parse_xy(a) for a in (at or [])]
    if not conds:
        raise ConfigError("--at: give at least one condition, e.g. --at 3.5,7")
    with claim(rf.root, "bumpdiff sample", console.print):
        samples, summary, path = sample_checkpoint(rf, cfg, k, np.array(conds), n, seed)
        pages.samples_grid(rf, k, samples.images, samples.conditions, cols=n)
    out_console.print(
        f"step {k}: {len(samples.images)} images ({samples.spec.label}), accuracy "
        f"{summary['accuracy']:.1%} → {path}, {rf.figure_path(f'samples-{k}')}"
    )


def _check_n(n: int) -> None:
    if not 1 <= n <= 100000:
        raise ConfigError(f"-n: must be in [1, 100000], got {n}")


def _parse_xy(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(f"--at: expected x,y in pixels (e.g. 3.5,7), got {text!r}") from None
    return x, y


@app.command(epilog=EXAMPLES["evaluate"])
@user_errors
def evaluate(
    run_dir: RunArg,
    step: StepOpt = None,
    every: AllOpt = False,
    n: Annotated[int | None, typer.Option("-n", help="draws per condition (sample.draws)")] = None,
    sampler: SamplerOpt = None,
    steps: StepsOpt = None,
    device: DeviceOpt = None,
    set_: SetOpt = None,
    rescore: Annotated[
        bool,
        typer.Option(
            "--rescore",
            metavar="",
            help="re-classify saved samples (every checkpoint unless --step) under the run's "
            "rule and the two threshold rules, without sampling; writes rescore.json",
        ),
    ] = False,
) -> None:
    """Sample at the seeded lattice conditions, classify, append to metrics.jsonl."""
    from bumpdiff.report import pages

    fields = _overrides(
        sample__sampler=sampler, sample__steps=steps, sample__draws=n, train__device=device
    )
    with claim(run_dir, "bumpdiff evaluate", console.print):
        if rescore:
            rf, last = _rescore(run_dir, step, [*(set_ or []), *fields])
        else:
            rf, last = _analyse_each(run_dir, step, every, [*(set_ or []), *fields], "eval")
        pages.outcome_examples(rf, last)
        pages.outcomes(rf)


def _rescore(run_dir: Path, step: int | None, fields: list[str]) -> tuple[RunFolder, int]:
    from bumpdiff.analysis.rescore import rescore_run

    rf, cfg = _run_folder(run_dir, fields)
    steps = rf.sample_steps() if step is None else [step]
    if not steps or not all(rf.samples_path(k).is_file() for k in steps):
        raise ConfigError(f"step: no saved evaluation samples for {steps} in {rf.root}")
    rescore_run(rf, cfg, steps, out_console.print)
    out_console.print(f"rescore: {rf.rescore_path}")
    return rf, steps[-1]


def _analyse_each(run_dir, step, every, fields, part) -> tuple[RunFolder, int]:
    """``part`` ("eval" or "probe") of the asked checkpoints, one line each; returns the run
    folder and the last step analysed."""
    from bumpdiff.analysis.pipeline import analyse_checkpoint

    rf, cfg = _run_folder(run_dir, fields)
    for k in _steps(rf, step, every):
        row = analyse_checkpoint(rf, cfg, k, parts=(part,))[part]
        out_console.print(f"step {k}: {row.describe()}")
    return rf, k


@app.command(epilog=EXAMPLES["probe"])
@user_errors
def probe(
    run_dir: RunArg,
    step: StepOpt = None,
    every: AllOpt = False,
    device: DeviceOpt = None,
    set_: SetOpt = None,
) -> None:
    """Capture the probe layer, measure order and name the phase; writes probes/<step>.npz."""
    fields = [*(set_ or []), *_overrides(train__device=device)]
    with claim(run_dir, "bumpdiff probe", console.print):
        _analyse_each(run_dir, step, every, fields, "probe")


@app.command(epilog=EXAMPLES["report"])
@user_errors
def report(
    run_dir: RunArg,
    open_: Annotated[
        bool, typer.Option("--open", metavar="", help="open the report in a browser after")
    ] = False,
) -> None:
    """Rewrite the report of an analysed run from its metrics.jsonl, samples and probes."""
    from bumpdiff.experiments import report_run

    rf, _ = _run_folder(run_dir)
    rf.remove_orphans()  # leftovers of a report (or any writer) that was killed
    for line in report_run(rf):
        out_console.print(line)
    out_console.print(f"report: {rf.report_path}")
    if open_:
        import webbrowser

        webbrowser.open(rf.report_path.resolve().as_uri())


register_sweep_commands(app, user_errors, out_console)
register_tool_commands(app, user_errors)
register_analysis_commands(app, user_errors)


def main() -> None:
    # SIGTERM and SIGHUP stop bumpdiff as Ctrl-C does: each process it started is stopped too,
    # saving where it is (training/stops.py)
    interrupt_on_stop_signals()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        # At exit the interpreter runs its cycle collector over torch's, numba's and scipy's
        # object graphs once more before the OS frees the memory anyway, which only delays the
        # exit. Frozen objects are left out of those passes; exit handlers still run.
        gc.freeze()


if __name__ == "__main__":
    main()
