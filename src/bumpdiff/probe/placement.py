"""A probe that sees placement, and controls for the pure-noise probe (docs/science.md, "Probe").

At t = T-1 on pure noise the probed layer relays the conditioning encoder; the untrained encoder
is already ordered, so order there is not learned placement. Here:

- **Crossed inputs** at an intermediate t: x_t made from a bump at ν for every condition μ and
  every position ν, ν drawn independently of μ (the same noise for a given ν whatever μ). The
  layer's variance splits into μ, ν and μ×ν shares (two-way ANOVA, pooled over features), and
  order is measured on the μ-marginal means (averaged over ν): structure the network gives the
  condition while its input shows a bump somewhere else.
- **The x̂₀ readout**: from the network's ε̂, x̂₀ = (x_t - sqrt(1 - ᾱ_t) ε̂) / sqrt(ᾱ_t); where its
  dominant bump lies, between the input's ν and the condition's μ (``pull``: 0 at ν, 1 at μ).
- **Reliability** (probe/reliability.py): split-half correlation of the μ-means over two halves
  of the ν's (or draws), Spearman–Brown corrected; noisy means cannot carry order.
- **The encoder baseline**: order of the conditioning embedding alone, and the linear CKA
  (Kornblith et al. 2019) of the layer's per-condition means with it: near 1 when the layer
  only relays the encoder.

Pure numpy except ``crossed_inputs`` (torch tensors for the network).
"""

from __future__ import annotations

import numpy as np
import torch

from bumpdiff.data import render_bumps, to_model_scale
from bumpdiff.diffusion.schedule import add_noise, initial_noise, per_image_generators


def crossed_inputs(
    mu: np.ndarray,
    nu: np.ndarray,
    size: int,
    sigma: float | tuple[float, float],
    t: int,
    abar: torch.Tensor,
    seed: int,
    periodic: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """x_t (M·V, 1, N, N) of a bump at ν_v under condition μ_m, row m·V + v; the noise of row
    (m, v) is seeded ``seed + v`` (shared across μ). Returns x_t, conditions (M·V, 2) float32 and
    the bump positions (M·V, 2)."""
    m_count, v_count = len(mu), len(nu)
    x_0 = torch.from_numpy(to_model_scale(render_bumps(nu, size, sigma, periodic)))[:, None]
    noise = initial_noise(per_image_generators(seed + np.arange(v_count)), size)
    t_batch = torch.full((v_count,), t, dtype=torch.long)
    x_t = add_noise(x_0, noise, t_batch, abar).repeat(m_count, 1, 1, 1)  # (M·V, 1, N, N)
    cond = torch.from_numpy(np.repeat(mu, v_count, axis=0).astype(np.float32))
    return x_t, cond, np.tile(nu, (m_count, 1))


def crossed_shares(activations: np.ndarray, m_count: int, v_count: int) -> dict[str, float]:
    """Shares of the total sum of squares (pooled over features) due to μ, ν and μ×ν (with
    one input per cell, the interaction share also holds any noise). Rows are m·V + v."""
    a = activations.reshape(m_count, v_count, -1).astype(np.float64)
    grand = a.mean(axis=(0, 1))
    by_mu, by_nu = a.mean(axis=1), a.mean(axis=0)  # (M, d), (V, d)
    total = float(((a - grand) ** 2).sum())
    if total <= 0:
        return {"mu": float("nan"), "nu": float("nan"), "interaction": float("nan")}
    ss_mu = v_count * float(((by_mu - grand) ** 2).sum())
    ss_nu = m_count * float(((by_nu - grand) ** 2).sum())
    return {"mu": ss_mu / total, "nu": ss_nu / total, "interaction": 1 - (ss_mu + ss_nu) / total}


def denoised_estimate(x_t: torch.Tensor, eps_hat: torch.Tensor, abar_t: float) -> torch.Tensor:
    """The network's estimate of the clean image from its noise prediction (DDPM, Ho et al.
    2020, eq. 15): x̂₀ = (x_t - sqrt(1 - ᾱ_t) ε̂) / sqrt(ᾱ_t), in model scale."""
    return (x_t - (1 - abar_t) ** 0.5 * eps_hat) / abar_t**0.5


def pull_toward_condition(
    centers: np.ndarray, mu: np.ndarray, nu: np.ndarray, tolerance: float = 1.0
) -> dict[str, float]:
    """Where x̂₀'s dominant bump lies between the input's ν and the condition's μ.

    Over the inputs with μ and ν more than ``tolerance`` apart on some axis: ``pull``, the
    median of (c - ν)·(μ - ν) / |μ - ν|² (0 at ν, 1 at μ; inputs without a bump count as 0);
    ``at_condition`` / ``at_input``: shares whose bump is within ``tolerance`` of μ / of ν on
    both axes; ``none``: share without a bump.
    """
    apart = np.abs(mu - nu).max(axis=1) > tolerance
    c, m, v = centers[apart], mu[apart], nu[apart]
    if not len(c):
        return {"pull": np.nan, "at_condition": np.nan, "at_input": np.nan, "none": np.nan}
    has = np.isfinite(c).all(axis=1)
    d = m - v
    proj = np.where(has, ((np.nan_to_num(c) - v) * d).sum(axis=1) / (d**2).sum(axis=1), 0.0)
    return {
        "pull": float(np.median(proj)),
        "at_condition": float(np.mean(has & (np.abs(c - m).max(axis=1) <= tolerance))),
        "at_input": float(np.mean(has & (np.abs(c - v).max(axis=1) <= tolerance))),
        "none": float(np.mean(~has)),
    }


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear centred kernel alignment of two representations of the same m items (rows):
    ||Yᵀ X||²_F / (||Xᵀ X||_F ||Yᵀ Y||_F) on column-centred X (m, p), Y (m, q) (Kornblith et al.
    2019, eq. 5). 1 when one is a rotation and scaling of the other; near 0 when unrelated."""
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    cross = np.linalg.norm(y.T @ x) ** 2
    denom = np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)
    return float(cross / denom) if denom > 0 else float("nan")
