"""The phase rule (docs/science.md, "Phase rule"): A, B, C or undetermined from a representation
alone.

With several inputs (draws) per condition, order and dimension are measured on the *reliable*
per-condition means (probe/reliability.py): the means projected on those of their first
``probe.pcs`` principal components that two independent halves of the draws reproduce (each
component's Spearman–Brown reliability ≥ ``phase.min_component_reliability``). Sampling noise
in the means otherwise makes them look high-dimensional and disordered, which the previous rule
read as B.

- A: no structure tied to the conditions: the condition explains less than
  ``phase.min_condition_share`` of the activation variance (chance-corrected), or no more than it
  does after the rows' conditions are shuffled (20 permutations, p ≈ 0.05).
- undetermined: the condition is detectable but the means are too noisy to say more (their
  split-half reliability below ``phase.min_reliability``, or fewer than two reliable components:
  more draws would decide); or the reliable means are neither ordered nor a reproducible
  low-dimensional manifold. Too few draws per condition lose components in noise and make the
  rest look disordered (results/quick/probe-draws.json).
- C: an ordered 2D manifold: the reliable means preserve neighbourhoods of condition space
  (trustworthiness ≥ ``phase.min_trustworthiness``) and x and y are linearly decodable from
  them (R²_x and R²_y ≥ ``phase.min_r2``).
- B: a disordered low-dimensional manifold: not C, the reliable means' local PCA dimension is
  ≤ ``phase.max_dimension``, neither axis is linearly decodable from them (R² < ``min_r2``: one
  ordered axis with the other missing is a partial map, undetermined), and the disorder is
  reproducible: the two halves of the draws arrange the conditions alike (``half_agreement`` ≥
  ``phase.min_half_agreement``). A weak ordered signal seen through noise is not a disordered
  manifold.

With one row per condition nothing can be split and there is no noise to tell apart: all of the
means count; C as above, else B when the local dimension is ≤ ``phase.max_dimension``, else A.
Thresholds: results/phase-calibration/ (its README says how they were chosen, from synthetic
clouds with known answers and the untrained network).

What this rule cannot see: a layer that relays the conditioning encoder is ordered because the
encoder is (its untrained output already passes C). The checkpoint's phase therefore adds a
functional control (``checkpoint_phase``): C counts only when the network uses the order to put
the bump at the condition.

R² alone cannot decide: a random network already maps (x, y) smoothly (docs/science.md, "Probe").
The seed paper's R² on a 3D UMAP of the raw means is computed and reported (``r2_x``, ``r2_y``) but
not used by the rule: UMAP folds a well-ordered sheet often enough that its linear R² falls far
below the PCA R² of the same means (``r2_x`` against ``probe.r2_x_pca`` in
results/quick/phases.json).
Generation outcomes are not used: the correspondence of phases and outcomes is a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import bumpdiff.probe.metrics as m
from bumpdiff.config import PhaseConfig, ProbeConfig
from bumpdiff.probe.reliability import (
    draw_groups,
    half_agreement,
    reliable_means,
    split_half_reliability,
)


@dataclass
class PhaseResult:
    phase: str  # "A", "B", "C" or "undetermined"
    metrics: dict[str, float]
    conditions: np.ndarray = field(repr=False)  # (m, 2) distinct conditions
    umap: np.ndarray = field(repr=False)  # (m, 3) embedding of the per-condition means
    pca: np.ndarray = field(repr=False)  # (m, k) top PCs of the per-condition means


def _reliable(activations, conditions, probe: ProbeConfig, rule: PhaseConfig):
    """(conditions, raw means, the means order is measured on, reliability metrics)."""
    uniq, groups = draw_groups(activations, conditions)
    raw = m.condition_means(activations, conditions)[1]  # every row, whatever the counts
    if groups.shape[1] < 2:
        return (
            uniq,
            raw,
            raw,
            {"reliability": np.nan, "reliable_dims": np.nan, "half_agreement": np.nan},
        )
    means, halves, rel = reliable_means(groups, rule.min_component_reliability, probe.pcs)
    metrics = {
        "reliability": split_half_reliability(groups),
        "reliable_dims": float(means.shape[1]),
        "half_agreement": half_agreement(halves, probe.knn),
        "component_reliability_1": float(rel[0]) if len(rel) else np.nan,
        "component_reliability_2": float(rel[1]) if len(rel) > 1 else np.nan,
    }
    return uniq, raw, means, metrics


def representation_metrics(
    activations: np.ndarray,
    conditions: np.ndarray,
    probe: ProbeConfig,
    rule: PhaseConfig | None = None,
) -> tuple[dict[str, float], np.ndarray, np.ndarray, np.ndarray]:
    """All order metrics of a representation; returns (metrics, conditions, UMAP, PCA).
    Order and dimension are measured on the reliable means (module docstring); the UMAP R² and
    ``trustworthiness_raw`` on the raw means, for comparison."""
    rule = rule or PhaseConfig()
    uniq, raw, means, metrics = _reliable(activations, conditions, probe, rule)
    emb = m.umap_embed(raw, 3, probe.umap_neighbors, probe.umap_min_dist, probe.seed)
    pcs, ratios = m.pca_embed(raw, probe.pcs)
    ordered = len(uniq) > 3 and means.shape[1] > 0
    metrics |= {
        "condition_share": m.condition_share(activations, conditions),
        "condition_share_null": m.condition_share_null(activations, conditions, seed=probe.seed),
        "dimension": m.local_pca_dimension(means, probe.knn) if ordered else np.nan,
        "participation_ratio": m.participation_ratio(means) if ordered else np.nan,
        "knn_overlap": m.knn_overlap(uniq, means, probe.knn) if ordered else np.nan,
        "knn_chance": min(probe.knn, len(uniq) - 1) / max(len(uniq) - 1, 1),
        "trustworthiness": m.trustworthiness(uniq, means, probe.knn) if ordered else np.nan,
        "trustworthiness_raw": m.trustworthiness(uniq, raw, probe.knn),
        "r2_x": m.r2_linear(emb, uniq[:, 0]),
        "r2_y": m.r2_linear(emb, uniq[:, 1]),
        "r2_x_pca": m.r2_linear(means, uniq[:, 0]) if ordered else np.nan,
        "r2_y_pca": m.r2_linear(means, uniq[:, 1]) if ordered else np.nan,
        "pca_top4": float(ratios[:4].sum()),
        "spread": float(np.sqrt(((raw - raw.mean(axis=0)) ** 2).sum(axis=1).mean())),
    }
    return metrics, uniq, emb, pcs


def classify_phase(metrics: dict[str, float], rule: PhaseConfig) -> str:
    """Apply the thresholds of ``rule`` to metrics from ``representation_metrics``."""
    share = metrics["condition_share"]
    repeated = np.isfinite(share)  # several rows per condition
    if repeated and (share < rule.min_condition_share or share <= metrics["condition_share_null"]):
        return "A"
    if repeated and not (
        metrics["reliable_dims"] >= 2 and metrics["reliability"] >= rule.min_reliability
    ):
        return "undetermined"
    r2_min = min(metrics["r2_x_pca"], metrics["r2_y_pca"])
    if metrics["trustworthiness"] >= rule.min_trustworthiness and r2_min >= rule.min_r2:
        return "C"
    low_dimensional = metrics["dimension"] <= rule.max_dimension
    if not repeated:
        return "B" if low_dimensional else "A"
    one_axis = max(metrics["r2_x_pca"], metrics["r2_y_pca"]) >= rule.min_r2
    if low_dimensional and not one_axis and metrics["half_agreement"] >= rule.min_half_agreement:
        return "B"
    return "undetermined"


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
    metrics, uniq, emb, pcs = representation_metrics(activations, conditions, probe, rule)
    return PhaseResult(classify_phase(metrics, rule), metrics, uniq, emb, pcs)


def checkpoint_phase(
    layer_phase: str, readout_at_condition: float | None, rule: PhaseConfig
) -> str:
    """The checkpoint's phase: the layer's, except that an ordered layer (C) whose network does
    not put the bump at the condition (the x̂₀ readout of the placement probe,
    probe/placement.py, below ``phase.min_readout``) is "relay": ordered only as the conditioning
    encoder is (ordered from initialisation; results/phase-calibration/), not used to place the
    bump. Without a readout (``probe.placement_t: null``) the layer's phase stands."""
    if layer_phase != "C" or readout_at_condition is None or not np.isfinite(readout_at_condition):
        return layer_phase
    return "C" if readout_at_condition >= rule.min_readout else "relay"
