"""The `probe_draws` experiment: how many probe draws the phase rule needs. The layer's phase and
reliability at chosen checkpoints of a trained run (``probe_draws.source``), with several numbers
of draws per condition; the source run's own config decides everything else (layer, t, seed,
thresholds). Nothing is trained.

Run folder: ``probe-draws.json`` (store.summaries.ProbeDrawsSummary: one row per (checkpoint,
draws), written after each checkpoint so an interrupted study continues) and ``report.html``.
"""

from __future__ import annotations

from pathlib import Path

from bumpdiff.analysis.pipeline import load_checkpoint_model
from bumpdiff.analysis.probing import probe_conditions
from bumpdiff.config import Config, ConfigError
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.experiments.base import Experiment, Log
from bumpdiff.probe import capture_activations, phase_of, probe_inputs
from bumpdiff.report import pages
from bumpdiff.store.runfolder import RunFolder

KEYS = (
    "reliability", "reliable_dims", "component_reliability_1", "component_reliability_2",
    "half_agreement", "dimension", "trustworthiness", "r2_x_pca", "r2_y_pca", "condition_share",
)  # fmt: skip


def source_run(cfg: Config) -> RunFolder:
    """The trained run ``probe_draws.source``, holding every checkpoint of ``probe_draws.steps``."""
    source = RunFolder(Path(cfg.probe_draws.source))
    if not source.exists():
        raise ConfigError(
            f"probe_draws.source: must be a bumpdiff run folder, got {cfg.probe_draws.source!r}"
        )
    missing = sorted(set(cfg.probe_draws.steps) - set(source.checkpoint_steps()))
    if missing:
        raise ConfigError(
            f"probe_draws.steps: must be checkpoints of {source.root} "
            f"({source.checkpoint_steps()}), got {missing}"
        )
    return source


def measure(source: RunFolder, step: int, draws: list[int]) -> list[dict]:
    """The layer's phase and metrics at checkpoint ``step`` with each number of ``draws``."""
    cfg = source.read_config()
    p, rows = cfg.probe, []
    model = load_checkpoint_model(source, cfg, step)
    abar = alphas_cumprod(cfg.diffusion)
    for n in draws:
        x, cond = probe_inputs(probe_conditions(cfg), n, p.input, cfg.data.size, p.seed, p.t, abar)
        acts = capture_activations(model, p.layer, x, cond, p.t)
        result = phase_of(acts, cond.numpy(), cfg.phase, p)
        rows.append({"step": step, "draws": n, "phase": result.phase,
                     **{k: result.metrics[k] for k in KEYS}})  # fmt: skip
    return rows


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    """Nothing to train: the source run is checked instead."""
    source_run(cfg)


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    """Every checkpoint of ``probe_draws.steps`` not yet in probe-draws.json, saved after each."""
    source = source_run(cfg)
    found = root.read_summary("probe_draws")
    rows = [r.model_dump() for r in found.rows] if found is not None else []
    done = {r["step"] for r in rows}
    for step in cfg.probe_draws.steps:
        if step in done:
            continue
        log(f"step {step}: the layer with {', '.join(map(str, cfg.probe_draws.draws))} draws …")
        rows += measure(source, step, cfg.probe_draws.draws)
        root.write_summary("probe_draws", {"source": str(source.root), "rows": rows})


def report(cfg: Config, root: RunFolder) -> list[str]:
    """report.html from probe-draws.json; the headline line per checkpoint."""
    summary = root.read_summary("probe_draws")
    if summary is None:
        raise ConfigError(f"run: no probe-draws.json in {root.root} (run the study first)")
    steps = sorted({r.step for r in summary.rows})
    lines = [
        f"step {s}: " + ", ".join(f"{r.draws} draws {r.phase}" for r in summary.rows if r.step == s)
        for s in steps
    ]
    table = [
        [r.step, r.draws, r.phase, f"{r.reliability:.2f}", r.reliable_dims] for r in summary.rows
    ]
    pages.render(root, cfg, sentences=lines, rows=table)
    return [*lines, f"summary: {root.summary_path('probe_draws')}"]


EXPERIMENT = Experiment("probe_draws", train_models, analyse, report)
