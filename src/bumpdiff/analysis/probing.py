"""Probing a checkpoint (``bumpdiff probe``; analysis/pipeline.py runs it beside evaluation):
the probe layer captured over the probe grid, its order measured and its phase named, with the
controls beside it: the conditioning encoder alone, the placement probe (bumps at ν under
conditions μ, at ``probe.placement_t`` and ``probe.placement_more_t``) and its x̂₀ readout, and,
with permuted labels, the layer against where the data put each label's bump.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from bumpdiff.config import Config
from bumpdiff.data import (
    lattice_from_config,
    subgrid,
    targets_for,
    to_data_scale,
)
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.probe import capture_activations, phase_of, probe_inputs
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
from bumpdiff.store.records import ProbeMetrics, ProbeRow


def eval_window(cfg: Config) -> int:
    """``eval.window``, or the default for the run's bump width."""
    return cfg.eval.window or default_window(max(cfg.data.sigmas))


PLACEMENT_MORE = (
    "placement_share_mu",
    "placement_share_interaction",
    "placement_trustworthiness",
    "readout_at_condition",
    "readout_pull",
)


def probe_conditions(cfg: Config) -> np.ndarray:
    """The probe grid: the training lattice, thinned to ``probe.max_conditions``."""
    return subgrid(lattice_from_config(cfg.data), cfg.probe.max_conditions)


def probe_signature(cfg: Config) -> str:
    """What a probe row depends on besides the network: the probe's settings and the phase
    rule's thresholds. A probe row with another signature is probed again on resume."""
    fields = {**cfg.probe.model_dump(), **cfg.phase.model_dump()}
    return ",".join(f"{k}={v}" for k, v in sorted(fields.items()))


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
        cfg.data.sigmas,
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
        mu, nu, cfg.data.size, cfg.data.sigmas, t, abar, p.seed, cfg.data.periodic
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
