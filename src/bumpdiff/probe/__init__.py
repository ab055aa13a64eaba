"""Probe representations: capture a layer, embed it, measure its order, name the phase."""

from bumpdiff.probe.capture import capture_activations, probe_inputs
from bumpdiff.probe.metrics import (
    condition_means,
    condition_share,
    condition_share_null,
    knn_overlap,
    local_pca_dimension,
    participation_ratio,
    pca_embed,
    r2_linear,
    umap_embed,
)
from bumpdiff.probe.phase import PhaseResult, phase_of

__all__ = [
    "PhaseResult",
    "capture_activations",
    "condition_means",
    "condition_share",
    "condition_share_null",
    "knn_overlap",
    "local_pca_dimension",
    "participation_ratio",
    "pca_embed",
    "phase_of",
    "probe_inputs",
    "r2_linear",
    "umap_embed",
]
