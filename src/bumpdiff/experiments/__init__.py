"""One module per study, all of one shape (experiments/base.py); ``EXPERIMENTS`` maps the config's
``experiment`` to it (the names declared in config/experiments.py; a test keeps the two equal), and
``run_experiment`` is what ``bumpdiff run`` does with any of them."""

from __future__ import annotations

import time
from pathlib import Path

from bumpdiff.config import Config, ConfigError
from bumpdiff.experiments import (
    calibration,
    compose,
    efficiency,
    imbalanced,
    interpolate,
    percolation_study,
    phases,
    probe_draws,
    samplers,
    torus,
)
from bumpdiff.experiments.base import Experiment, Log
from bumpdiff.store.analysis_files import describe_bad, set_aside
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.same_training import check_resume_config

EXPERIMENTS: dict[str, Experiment] = {
    module.EXPERIMENT.name: module.EXPERIMENT
    for module in (
        phases,
        imbalanced,
        samplers,
        percolation_study,
        torus,
        compose,
        interpolate,
        efficiency,
        calibration,
        probe_draws,
    )
}


def open_for_run(cfg: Config, out: str | Path, resume: bool) -> RunFolder:
    """The run folder ``out`` for ``cfg``: new, or (with ``resume``) one holding the same run.
    The one resume rule of every experiment; config.yaml is written here."""
    root = RunFolder(out)
    if root.root.exists() and not root.root.is_dir():
        raise ConfigError(f"out: {root.root} is a file, not a folder")
    if root.exists() or root.checkpoint_steps():
        if not resume:
            raise ConfigError(
                f"out: {root.root} already holds a run; resume it or choose a new folder"
            )
        check_resume_config(root.read_config(), cfg)
    root.write_config(cfg)
    return root


def run_experiment(
    cfg: Config, out: str | Path, resume: bool, log: Log, progress: bool = True
) -> list[str]:
    """Train, analyse and report ``cfg.experiment`` into ``out``; returns the headline lines."""
    experiment = EXPERIMENTS[cfg.experiment]
    t0 = time.perf_counter()
    root = open_for_run(cfg, out, resume)
    if resume:  # analysis files that do not match their rows: set aside, analysed again
        set_aside(root, log)
    experiment.train(cfg, root, log, progress)
    experiment.analyse(cfg, root, log)
    lines = experiment.report(cfg, root)
    seconds = time.perf_counter() - t0
    return [*lines, f"wall time {seconds:.0f} s; report: {root.report_path}"]


def report_run(run: RunFolder) -> list[str]:
    """Rewrite the report of an analysed run from its files (``bumpdiff report``); a line of
    metrics.jsonl cut by a crash is reported first."""
    cfg = run.read_config()
    bad = describe_bad(run)
    if bad is not None:
        raise ConfigError(bad)
    lines = EXPERIMENTS[cfg.experiment].report(cfg, run)
    if run.torn_line is not None:
        lines.insert(
            0,
            f"warning: {run.metrics_path} line {run.torn_line} was cut by a crash and is "
            "ignored; resuming the run repairs it",
        )
    return lines
