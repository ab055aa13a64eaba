"""Pipeline stages that read a run folder and write their own part of it (DESIGN.md, "Data flow").

- ``evaluate_checkpoint``: sample at a fixed, seeded set of lattice conditions, classify each image,
  write ``samples/<step>.npz``, append an ``eval`` row to ``metrics.jsonl``.
- ``probe_checkpoint``: capture the probe layer over the probe grid, measure order, name the phase,
  write ``probes/<step>.npz``, append a ``probe`` row.
- ``sample_at``: generate at user-given conditions (``bumpdiff sample``).
Each stage can be re-run alone; the latest row of a step in metrics.jsonl is the one that counts.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from bumpdiff.checkpoint import load_model
from bumpdiff.config import Config, ConfigError
from bumpdiff.data import check_centers_for, lattice_from_config, subgrid, to_data_scale
from bumpdiff.diffusion import alphas_cumprod, sample_batched
from bumpdiff.evaluate import Classification, classify, summarize
from bumpdiff.probe import capture_activations, phase_of, probe_inputs
from bumpdiff.runfolder import RunFolder, save_npz
from bumpdiff.train import resolve_device


def eval_conditions(cfg: Config) -> np.ndarray:
    """The evaluation grid: the training lattice, thinned to ``sample.max_conditions``."""
    return subgrid(lattice_from_config(cfg.data), cfg.sample.max_conditions)


def probe_conditions(cfg: Config) -> np.ndarray:
    """The probe grid: the training lattice, thinned to ``probe.max_conditions``."""
    return subgrid(lattice_from_config(cfg.data), cfg.probe.max_conditions)


def classify_images(cfg: Config, images: np.ndarray, cond: np.ndarray) -> Classification:
    """``evaluate.classify`` with the run's evaluation settings and canvas."""
    e = cfg.eval
    return classify(
        images, cond, e.tolerance, e.threshold, e.detector, cfg.data.periodic, e.background
    )


def sampler_and_steps(
    cfg: Config, sampler: str | None = None, steps: int | None = None
) -> tuple[str, int]:
    """The sampler and step count to use: the arguments where given, else the config's
    (``sample.steps`` None means T); one-line error for a count outside [1, T]."""
    sampler = sampler or cfg.sample.sampler
    steps = steps or cfg.sample.steps or cfg.diffusion.timesteps
    if not 1 <= steps <= cfg.diffusion.timesteps:
        raise ConfigError(f"--steps: must be in [1, {cfg.diffusion.timesteps}], got {steps}")
    return sampler, steps


def generate(
    model: torch.nn.Module,
    cfg: Config,
    conditions: np.ndarray,
    draws: int,
    seed: int,
    sampler: str | None = None,
    steps: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``draws`` images per condition; image r = condition r // draws seeded with seed + r.

    Returns images (n, N, N) on the data scale [0, 1] and their conditions (n, 2).
    """
    sampler, steps = sampler_and_steps(cfg, sampler, steps)
    device = next(model.parameters()).device
    cond = np.repeat(conditions, draws, axis=0)
    seeds = seed + np.arange(len(cond))
    x = sample_batched(
        model,
        torch.from_numpy(cond.astype(np.float32)).to(device),
        cfg.diffusion,
        sampler,
        steps,
        seeds,
        cfg.sample.batch_size,
        bf16=cfg.train.bf16,
    )
    return to_data_scale(x[:, 0].numpy()), cond


def evaluate_checkpoint(
    run: RunFolder,
    step: int,
    sampler: str | None = None,
    steps: int | None = None,
    draws: int | None = None,
    device: str | None = None,
) -> dict:
    """Sample, classify and record one checkpoint; returns the summary row."""
    cfg = run.read_config()
    dev = resolve_device(device or cfg.train.device)
    model, _, _ = load_model(run.checkpoint_path(step), dev)
    sampler, steps = sampler_and_steps(cfg, sampler, steps)
    t0 = time.perf_counter()
    images, cond = generate(
        model, cfg, eval_conditions(cfg), draws or cfg.sample.draws, cfg.sample.seed, sampler, steps
    )
    seconds = time.perf_counter() - t0
    result = classify_images(cfg, images, cond)
    summary = summarize(result)
    _save_samples(run.samples_path(step), images, cond, result, sampler, steps)
    row = {"step": step, "sampler": sampler, "sampler_steps": steps, "seconds": seconds, **summary}
    run.log("eval", **row)
    return row


def probe_checkpoint(run: RunFolder, step: int, device: str | None = None) -> dict:
    """Capture, measure and name the phase of one checkpoint; returns the probe row."""
    cfg = run.read_config()
    dev = resolve_device(device or cfg.train.device)
    model, _, _ = load_model(run.checkpoint_path(step), dev)
    conditions = probe_conditions(cfg)
    p = cfg.probe
    x, cond = probe_inputs(
        conditions,
        p.draws,
        p.input,
        cfg.data.size,
        p.seed,
        p.t,
        alphas_cumprod(cfg.diffusion),
        cfg.data.sigma,
        cfg.data.periodic,
    )
    t0 = time.perf_counter()
    acts = capture_activations(model, p.layer, x, cond, p.t, cfg.sample.batch_size)
    t_capture = time.perf_counter() - t0
    result = phase_of(acts, cond.numpy(), cfg.phase, p)
    t_metrics = time.perf_counter() - t0 - t_capture
    save_npz(
        run.probe_path(step),
        conditions=result.conditions,
        umap=result.umap,
        pca=result.pca,
        phase=np.array(result.phase),
        layer=np.array(p.layer),
    )
    row = {
        "step": step,
        "phase": result.phase,
        "layer": p.layer,
        "input": p.input,
        "features": int(acts.shape[1]),
        "capture_seconds": t_capture,
        "metrics_seconds": t_metrics,
        **result.metrics,
    }
    run.log("probe", **row)
    return row


def sample_at(
    run: RunFolder,
    step: int,
    conditions: np.ndarray,
    n: int,
    sampler: str,
    steps: int | None,
    seed: int,
    device: str | None = None,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Generate ``n`` images at each user-given condition; writes ``samples/<step>.npz`` (or
    ``samples/<step>-<k>.npz`` when that exists) and returns images, conditions, summary, path."""
    cfg = run.read_config()
    conditions = check_centers_for(cfg.data, conditions)
    dev = resolve_device(device or cfg.train.device)
    model, _, _ = load_model(run.checkpoint_path(step), dev)
    steps = steps or (cfg.diffusion.timesteps if sampler == "ddpm" else None)
    sampler, steps = sampler_and_steps(cfg, sampler, steps)
    images, cond = generate(model, cfg, conditions, n, seed, sampler, steps)
    result = classify_images(cfg, images, cond)
    path = _free_path(run.samples_path(step))
    _save_samples(path, images, cond, result, sampler, steps)
    return images, cond, summarize(result), path


def _free_path(path):
    """``path`` if free, else ``<stem>-1``, ``-2`` …: never overwrite evaluation samples."""
    k = 0
    candidate = path
    while candidate.exists():
        k += 1
        candidate = path.with_name(f"{path.stem}-{k}{path.suffix}")
    return candidate


def _save_samples(path, images, cond, result, sampler, steps) -> None:
    """samples/<step>.npz: images on the data scale, conditions, outcomes and the sampler used."""
    save_npz(
        path,
        images=images.astype(np.float32),
        conditions=cond,
        outcome=result.outcome,
        centers=result.centers,
        sampler=np.array(sampler),
        steps=np.array(steps),
    )
