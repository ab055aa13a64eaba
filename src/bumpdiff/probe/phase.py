"""The phase rule (DESIGN.md, "Phase rule"): A, B or C from a representation alone.

- A: no structure tied to the conditions. With several inputs per condition: the condition explains
  less than ``phase.min_condition_share`` of the activation variance (chance-corrected), or no
  more than it does after the rows' conditions are shuffled (20 permutations, p ≈ 0.05). With one
  row per condition the share cannot be measured, and A means no low-dimensional manifold: local
  PCA dimension > ``phase.max_dimension``. (With several draws the per-condition means carry
  sampling noise that inflates the local dimension, so there the share decides.)
- C: an ordered 2D manifold: the per-condition means preserve neighbourhoods of condition space
  (trustworthiness ≥ ``phase.min_trustworthiness``) and x and y are linearly decodable from their
  top principal components (R²_x and R²_y ≥ ``phase.min_r2``).
- B: otherwise: structure tied to the conditions whose arrangement does not follow (mu_x, mu_y).

R² alone cannot decide: a random network already maps (x, y) smoothly (DESIGN.md, "Probe"). The
seed paper's R² on a 3D UMAP is computed and reported (``r2_x``, ``r2_y``) but not used by the
rule: measured on the quick preset, UMAP folds a well-ordered sheet often enough that its linear R²
dropped to 0.6 on checkpoints whose PCA R² was 0.96 and trustworthiness 0.93.
Generation outcomes are not used: the correspondence of phases and outcomes is a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import bumpdiff.probe.metrics as m
from bumpdiff.config import PhaseConfig, ProbeConfig


@dataclass
class PhaseResult:
    phase: str  # "A", "B" or "C"
    metrics: dict[str, float]
    conditions: np.ndarray = field(repr=False)  # (m, 2) distinct conditions
    umap: np.ndarray = field(repr=False)  # (m, 3) embedding of the per-condition means
    pca: np.ndarray = field(repr=False)  # (m, k) top PCs of the per-condition means


def representation_metrics(
    activations: np.ndarray, conditions: np.ndarray, probe: ProbeConfig
) -> tuple[dict[str, float], np.ndarray, np.ndarray, np.ndarray]:
    """All order metrics of a representation; returns (metrics, conditions, UMAP, PCA)."""
    share = m.condition_share(activations, conditions)
    share_null = m.condition_share_null(activations, conditions, seed=probe.seed)
    uniq, means, _ = m.condition_means(activations, conditions)
    emb = m.umap_embed(means, 3, probe.umap_neighbors, probe.umap_min_dist, probe.seed)
    pcs, ratios = m.pca_embed(means, probe.pcs)
    metrics = {
        "condition_share": share,
        "condition_share_null": share_null,
        "dimension": m.local_pca_dimension(means, probe.knn),
        "participation_ratio": m.participation_ratio(means),
        "knn_overlap": m.knn_overlap(uniq, means, probe.knn),
        "knn_chance": min(probe.knn, len(uniq) - 1) / max(len(uniq) - 1, 1),
        "trustworthiness": m.trustworthiness(uniq, means, probe.knn),
        "r2_x": m.r2_linear(emb, uniq[:, 0]),
        "r2_y": m.r2_linear(emb, uniq[:, 1]),
        "r2_x_pca": m.r2_linear(pcs, uniq[:, 0]),
        "r2_y_pca": m.r2_linear(pcs, uniq[:, 1]),
        "pca_top4": float(ratios[:4].sum()),
        "spread": float(np.sqrt(((means - means.mean(axis=0)) ** 2).sum(axis=1).mean())),
    }
    return metrics, uniq, emb, pcs


def classify_phase(metrics: dict[str, float], rule: PhaseConfig) -> str:
    """Apply the thresholds of ``rule`` to metrics from ``representation_metrics``."""
    share = metrics["condition_share"]
    if np.isfinite(share):
        if share < rule.min_condition_share or share <= metrics["condition_share_null"]:
            return "A"
    elif metrics["dimension"] > rule.max_dimension:
        return "A"
    r2_min = min(metrics["r2_x_pca"], metrics["r2_y_pca"])
    if metrics["trustworthiness"] >= rule.min_trustworthiness and r2_min >= rule.min_r2:
        return "C"
    return "B"


def phase_of(
    activations: np.ndarray,
    conditions: np.ndarray,
    rule: PhaseConfig | None = None,
    probe: ProbeConfig | None = None,
) -> PhaseResult:
    """Phase of a representation (module docstring).

    Args:
        activations: (n, d) one row per probe input (several rows per condition allowed).
        conditions: (n, 2) the (mu_x, mu_y) of each row, pixels.
        rule: thresholds (defaults: PhaseConfig()).
        probe: UMAP / PCA / k-NN settings (defaults: ProbeConfig()).
    """
    rule = rule or PhaseConfig()
    probe = probe or ProbeConfig()
    activations = np.asarray(activations, dtype=np.float64)
    conditions = np.asarray(conditions, dtype=np.float64)
    metrics, uniq, emb, pcs = representation_metrics(activations, conditions, probe)
    return PhaseResult(classify_phase(metrics, rule), metrics, uniq, emb, pcs)
