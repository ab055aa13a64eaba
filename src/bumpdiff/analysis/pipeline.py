"""Analysis of checkpoints: what a checkpoint generates (evaluation) and represents (probe).

docs/architecture.md, "Data flow": each checkpoint's network is loaded once and handed to both;
``evaluate_model`` samples the seeded lattice conditions and classifies every image,
``probe_model`` captures the probe layer over the probe grid and names the phase.
``analyse_checkpoint`` runs them on one checkpoint of a run folder and writes ``samples/<k>.npz``,
``probes/<k>.npz`` and one typed row each to ``metrics.jsonl``; ``sample_checkpoint`` generates at
a user's conditions (``bumpdiff sample``). The latest row of a step is the one that counts.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from bumpdiff.config import Config
from bumpdiff.data import (
    check_centers_for,
    lattice_from_config,
    subgrid,
    targets_for,
    to_data_scale,
)
from bumpdiff.devices import resolve_device, set_threads
from bumpdiff.diffusion.sampling import SamplerSpec, generate, resolve_sampler
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.probe import capture_activations, phase_of, probe_inputs
from bumpdiff.probe.behaviour import behaviour_order
from bumpdiff.probe.metrics import condition_means, pca_embed, r2_linear, trustworthiness
from bumpdiff.probe.phase import checkpoint_phase
from bumpdiff.probe.placement import (
    crossed_inputs,
    crossed_shares,
    denoised_estimate,
    linear_cka,
    pull_toward_condition,
)
from bumpdiff.probe.reliability import split_half_reliability
from bumpdiff.scoring.detect import default_window, find_bumps
from bumpdiff.scoring.outcomes import Classification, classify, classify_threshold, summarize
from bumpdiff.scoring.stripes import classify_stripes
from bumpdiff.store.checkpoint import load_model
from bumpdiff.store.records import EvalRow, ProbeMetrics, ProbeRow
from bumpdiff.store.runfolder import RunFolder, save_npz

PARTS = ("eval", "probe")
# what the placement probe keeps at its further timesteps (probe.placement_more_t)
PLACEMENT_MORE = (
    "placement_share_mu",
    "placement_share_interaction",
    "placement_trustworthiness",
    "readout_at_condition",
    "readout_pull",
)


def _tty() -> bool:
    """Progress bars only for a person watching a terminal, never in logs or tests."""
    return sys.stderr.isatty()


def eval_conditions(cfg: Config) -> np.ndarray:
    """The evaluation grid: the lattice points inside the visible frame (all of them unless
    ``data.canvas`` extends it), thinned to ``sample.max_conditions``."""
    points = lattice_from_config(cfg.data)
    lo, hi = cfg.data.offset, cfg.data.offset + cfg.data.size - 1
    visible = ((points >= lo - 1e-9) & (points <= hi + 1e-9)).all(axis=1)
    return subgrid(points[visible], cfg.sample.max_conditions)


def probe_conditions(cfg: Config) -> np.ndarray:
    """The probe grid: the training lattice, thinned to ``probe.max_conditions``."""
    return subgrid(lattice_from_config(cfg.data), cfg.probe.max_conditions)


def eval_window(cfg: Config) -> int:
    """``eval.window``, or the default for the run's bump width."""
    return cfg.eval.window or default_window(cfg.data.sigma)


def detector_signature(cfg: Config) -> str:
    """The classification settings in one string, written into every eval row: a row made with
    other settings is stale and its checkpoint is evaluated again."""
    e = cfg.eval
    if e.rule == "prominence":
        return (
            f"prominence {e.prominence:g}, window {eval_window(cfg)}, raised above "
            f"{e.raised_level:g}, tolerance {e.tolerance:g}"
        )
    return (
        f"threshold {e.threshold:g} above {e.background}, {e.detector}, tolerance {e.tolerance:g}"
    )


def probe_signature(cfg: Config) -> str:
    """What a probe row depends on besides the network: the probe's settings and the phase
    rule's thresholds. A probe row with another signature is probed again on resume."""
    fields = {**cfg.probe.model_dump(), **cfg.phase.model_dump()}
    return ",".join(f"{k}={v}" for k, v in sorted(fields.items()))


def classify_images(cfg: Config, images: np.ndarray, cond: np.ndarray) -> Classification:
    """``evaluate.classify`` (or the threshold rule) with the run's settings and canvas; each
    image is scored against where the training data put the bump for its label (the label
    itself unless ``data.permute_labels``), in the visible frame's pixels. A run that trains no
    2D bumps is asked for sums of stripes and scored by ``evaluate_stripes``."""
    e = cfg.eval
    cond = targets_for(cfg.data, cfg.seed, cond) - cfg.data.offset
    if "bump" not in cfg.data.kinds:
        return classify_stripes(images, cond, e.tolerance, e.prominence, e.raised_level)
    if e.rule == "threshold":
        return classify_threshold(images, cond, e.tolerance, e.threshold, e.background, e.detector)
    return classify(
        images, cond, e.tolerance, e.prominence, eval_window(cfg), cfg.data.periodic, e.raised_level
    )


@dataclass
class SampleSet:
    """Generated images with their conditions, classification and the sampler that made them."""

    images: np.ndarray  # (n, N, N) data scale (bump 1 on 0), unclamped
    conditions: np.ndarray  # (n, 2) pixels
    result: Classification
    spec: SamplerSpec

    def save(self, path, clip: bool) -> None:
        """samples/<step>.npz: the unclamped images, conditions, outcomes, what was detected
        (bump count and positions, the dominant bump's centre, amplitude, width; background)
        and the sampler."""
        r = self.result
        detected = {
            "n_bumps": r.n_bumps,
            "background": r.background,
            "amplitude": r.amplitude,
            "width": r.width,
            "positions": r.positions,
        }
        save_npz(
            path,
            images=self.images.astype(np.float32),
            conditions=self.conditions,
            outcome=r.outcome,
            centers=r.centers,
            **{k: v for k, v in detected.items() if v is not None},
            sampler=np.array(self.spec.name),
            steps=np.array(self.spec.steps),
            clip=np.array(clip),
        )


def evaluate_model(model: torch.nn.Module, cfg: Config, step: int) -> tuple[EvalRow, SampleSet]:
    """Sample ``sample.draws`` images per evaluation condition with the config's sampler, seeded
    by ``sample.seed`` (the same noise at every checkpoint), and classify them."""
    spec = resolve_sampler(cfg)
    t0 = time.perf_counter()
    images, cond = generate(
        model, cfg, eval_conditions(cfg), cfg.sample.draws, cfg.sample.seed, progress=_tty()
    )
    seconds = time.perf_counter() - t0
    samples = SampleSet(images, cond, classify_images(cfg, images, cond), spec)
    return eval_row(cfg, step, samples, seconds, cfg.sample.clip), samples


def eval_row(cfg: Config, step: int, samples: SampleSet, seconds: float, clip: bool) -> EvalRow:
    """The eval row of classified samples: outcome summary, per-axis measures, the order of the
    generated positions (``probe.behaviour``), the sampler and the classification settings."""
    order = behaviour_order(samples.result.centers, samples.conditions, cfg.probe.knn)
    return EvalRow(
        step=step,
        sampler=samples.spec.name,
        sampler_steps=samples.spec.steps,
        seconds=seconds,
        **summarize(samples.result),
        **{f"behaviour_{k}": v for k, v in order.items()},
        detector=detector_signature(cfg),
        clip=clip,
    )


def probe_model(model: torch.nn.Module, cfg: Config, step: int) -> tuple[ProbeRow, dict]:
    """Capture ``probe.layer`` over the probe grid, measure its order and name the phase;
    returns the row and the arrays of probes/<step>.npz."""
    p = cfg.probe
    x, cond = probe_inputs(
        probe_conditions(cfg),
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
    controls = encoder_controls(model, cfg, acts, cond.numpy())
    if p.placement_t is not None:
        controls.update(placement_controls(model, cfg))
    more = {
        f"{k}_t{t}": v
        for t in p.placement_more_t
        for k, v in placement_controls(model, cfg, t).items()
        if k in PLACEMENT_MORE
    }
    if cfg.data.permute_labels:  # the null control: the layer against where the bumps go
        controls.update(target_controls(acts, cond.numpy(), cfg))
    phase = checkpoint_phase(result.phase, controls.get("readout_at_condition"), cfg.phase)
    row = ProbeRow(
        step=step,
        phase=phase,
        layer_phase=result.phase,
        rule=probe_signature(cfg),
        layer=p.layer,
        input=p.input,
        features=int(acts.shape[1]),
        capture_seconds=t_capture,
        metrics_seconds=time.perf_counter() - t0 - t_capture,
        **ProbeMetrics(**result.metrics).model_dump(),
        **controls,
        placement_more=more,
    )
    arrays = {
        "conditions": result.conditions,
        "umap": result.umap,
        "pca": result.pca,
        "phase": np.array(result.phase),
        "layer": np.array(p.layer),
    }
    return row, arrays


def _order(points: np.ndarray, conditions: np.ndarray, cfg: Config) -> tuple[float, float]:
    """Trustworthiness and min(R²_x, R²_y) on the top PCs of per-condition points."""
    pcs, _ = pca_embed(points, cfg.probe.pcs)
    r2 = min(r2_linear(pcs, conditions[:, 0]), r2_linear(pcs, conditions[:, 1]))
    return trustworthiness(conditions, points, cfg.probe.knn), r2


def target_controls(acts: np.ndarray, labels: np.ndarray, cfg: Config) -> dict:
    """With permuted labels: the layer's phase and order measured against where the data put
    each label's bump (``targets_for``) instead of against the labels."""
    result = phase_of(acts, targets_for(cfg.data, cfg.seed, labels), cfg.phase, cfg.probe)
    return {
        "targets_phase": result.phase,
        "targets_trustworthiness": result.metrics["trustworthiness"],
        "targets_trustworthiness_raw": result.metrics["trustworthiness_raw"],
    }


@torch.inference_mode()
def encoder_controls(model, cfg: Config, acts: np.ndarray, cond: np.ndarray) -> dict[str, float]:
    """The pure-noise probe's encoder baseline: the order of the conditioning embedding alone,
    and how much the layer's means look like it (linear CKA)."""
    uniq, means, _ = condition_means(acts.astype(np.float64), cond)
    device = next(model.parameters()).device
    embedding = model.cond(torch.from_numpy(uniq.astype(np.float32)).to(device)).cpu().numpy()
    trust, r2 = _order(embedding.astype(np.float64), uniq, cfg)
    return {
        "encoder_trustworthiness": trust,
        "encoder_r2": r2,
        "encoder_cka": linear_cka(means, embedding.astype(np.float64)),
    }


def placement_controls(model, cfg: Config, t: int | None = None) -> dict[str, float]:
    """The placement probe at timestep ``t`` (default ``probe.placement_t``;
    probe/placement.py): shares of μ, ν and μ×ν, order and reliability of the μ-means, and where
    x̂₀ puts the bump."""
    p, t = cfg.probe, t or cfg.probe.placement_t
    mu = probe_conditions(cfg)
    nu = subgrid(lattice_from_config(cfg.data), p.placement_positions)
    abar = alphas_cumprod(cfg.diffusion)
    x, cond, positions = crossed_inputs(
        mu, nu, cfg.data.size, cfg.data.sigma, t, abar, p.seed, cfg.data.periodic
    )
    eps: list[torch.Tensor] = []
    acts = capture_activations(model, p.layer, x, cond, t, cfg.sample.batch_size, eps)
    shares = crossed_shares(acts, len(mu), len(nu))
    groups = acts.reshape(len(mu), len(nu), -1).astype(np.float64)
    trust, r2 = _order(groups.mean(axis=1), mu, cfg)
    x0_hat = denoised_estimate(x, torch.cat(eps), float(abar[t]))
    bumps = find_bumps(to_data_scale(x0_hat[:, 0].numpy()), cfg.eval.prominence, eval_window(cfg))
    targets = targets_for(cfg.data, cfg.seed, cond.numpy())  # where the data put μ's bump
    pull = pull_toward_condition(bumps.center, targets, positions, cfg.eval.tolerance)
    return {
        "placement_share_mu": shares["mu"],
        "placement_share_nu": shares["nu"],
        "placement_share_interaction": shares["interaction"],
        "placement_trustworthiness": trust,
        "placement_r2": r2,
        "placement_reliability": split_half_reliability(groups),
        **{f"readout_{k}": v for k, v in pull.items()},
    }


def load_checkpoint_model(run: RunFolder, cfg: Config, step: int) -> torch.nn.Module:
    """The network of checkpoint ``step`` on ``train.device`` (EMA weights where kept)."""
    set_threads(cfg.train.threads)
    model, _, _ = load_model(run.checkpoint_path(step), resolve_device(cfg.train.device))
    return model


def analyse_checkpoint(
    run: RunFolder, cfg: Config, step: int, parts: Sequence[str] = PARTS
) -> dict[str, EvalRow | ProbeRow]:
    """Load checkpoint ``step`` once, then evaluate and/or probe it (``parts``); writes
    samples/<step>.npz and probes/<step>.npz, logs the rows and returns them by part."""
    model = load_checkpoint_model(run, cfg, step)
    rows: dict[str, EvalRow | ProbeRow] = {}
    if "eval" in parts:
        row, samples = evaluate_model(model, cfg, step)
        samples.save(run.samples_path(step), cfg.sample.clip)
        run.log(row)
        rows["eval"] = row
    if "probe" in parts:
        row, arrays = probe_model(model, cfg, step)
        save_npz(run.probe_path(step), **arrays)
        run.log(row)
        rows["probe"] = row
    return rows


def pending(
    run: RunFolder, cfg: Config, parts: Sequence[str] = PARTS, only: Sequence[int] | None = None
) -> dict[int, list[str]]:
    """The parts (``eval``, ``probe``) each checkpoint still needs, in step order: those without a
    row, or whose eval row was made with other sampling or classification settings, or whose
    probe row with other probe settings or phase thresholds (the resume rule of every
    experiment); ``parts`` limits it to evaluation or probe, ``only`` to some checkpoints."""
    evals, probes = run.latest_by_step("eval"), run.latest_by_step("probe")
    signature, spec = detector_signature(cfg), resolve_sampler(cfg)
    images = len(eval_conditions(cfg)) * cfg.sample.draws
    done = {
        "eval": {
            k
            for k, r in evals.items()
            if (r.detector, r.clip, r.sampler, r.sampler_steps, r.n)
            == (signature, cfg.sample.clip, spec.name, spec.steps, images)
        },
        "probe": {k for k, r in probes.items() if r.rule == probe_signature(cfg)},
    }
    steps = [s for s in run.checkpoint_steps() if only is None or s in only]
    todo = {s: [p for p in PARTS if p in parts and s not in done[p]] for s in steps}
    return {s: t for s, t in todo.items() if t}


def log_analysed(log, rows: dict, run: RunFolder, step: int, where: str) -> None:
    """One progress line for checkpoint ``step`` (``where``: its place, e.g. "[3/17]")."""
    ev = rows.get("eval") or run.latest_by_step("eval").get(step)
    pr = rows.get("probe") or run.latest_by_step("probe").get(step)
    said = [f"phase {pr.phase}"] if pr else []
    if ev:
        said.append(f"accuracy {ev.accuracy:.2f} (multiple {ev.frac_multiple:.2f}, mislocated "
                    f"{ev.frac_mislocated:.2f})")  # fmt: skip
    log(f"{where} step {step}: " + ", ".join(said))


def analyse_pending(
    run: RunFolder,
    cfg: Config,
    log: Callable[[str], None] | None = None,
    parts: Sequence[str] = PARTS,
    only: Sequence[int] | None = None,
) -> list[int]:
    """Evaluate and probe every checkpoint ``pending`` names (an interrupted analysis continues
    where it stopped). Returns the steps analysed."""
    steps, done = run.checkpoint_steps(), []
    for step, todo in pending(run, cfg, parts, only).items():
        rows = analyse_checkpoint(run, cfg, step, todo)
        done.append(step)
        if log:
            log_analysed(log, rows, run, step, f"[{steps.index(step) + 1}/{len(steps)}]")
    return done


def sample_checkpoint(
    run: RunFolder, cfg: Config, step: int, conditions: np.ndarray, n: int, seed: int
) -> tuple[SampleSet, dict, object]:
    """``n`` images at each user-given condition with the config's sampler; writes
    samples/<step>.npz (or <step>-<k>.npz, never over evaluation samples). Returns the samples,
    their summary and the path written."""
    conditions = check_centers_for(cfg.data, conditions)
    model = load_checkpoint_model(run, cfg, step)
    images, cond = generate(model, cfg, conditions, n, seed, progress=_tty())
    samples = SampleSet(images, cond, classify_images(cfg, images, cond), resolve_sampler(cfg))
    path = run.free_samples_path(step)
    samples.save(path, cfg.sample.clip)
    return samples, summarize(samples.result), path
