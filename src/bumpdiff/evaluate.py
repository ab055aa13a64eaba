"""Bump detection and outcome classes of generated images; accuracy overall, per axis, per region.

Pure and vectorised over the batch (DESIGN.md, "Outcome of a generated image"):
threshold each image at ``threshold`` (half the bump amplitude, which is 1 in the data) above its
background, estimated as the image's median (a bump covers a small part of the canvas; set
``background="zero"`` for an absolute threshold), label the connected components
(4-connectivity, within each image; across the border on a periodic canvas);
0 components → "none", ≥ 2 → "multiple"; exactly 1 → "correct" when its centre lies within
``tolerance`` pixels of the target along both axes, else "mislocated".

The centre is a log-parabola fit through the peak pixel and its two neighbours along each axis
(exact for a Gaussian, so unbiased at any sub-pixel offset; at the border the three-point window is
shifted inward, which stays exact). The centroid of the thresholded pixels is available as
``detector="centroid"`` but is biased by up to 0.25 px, more at the border.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

OUTCOMES: tuple[str, ...] = ("none", "multiple", "mislocated", "correct")
Detector = Literal["gauss_fit", "centroid"]
Background = Literal["median", "zero"]

# 4-connectivity inside each image, no connection along the batch axis.
_STRUCTURE = np.zeros((3, 3, 3), dtype=bool)
_STRUCTURE[1] = ndimage.generate_binary_structure(2, 1)


@dataclass
class Classification:
    """Per-image results of ``classify``; arrays of length n."""

    outcome: np.ndarray  # (n,) str, one of OUTCOMES
    centers: np.ndarray  # (n, 2) detected (x, y), NaN unless exactly one component
    x_correct: np.ndarray  # (n,) bool, single-bump images with |x̂ - mu_x| <= tolerance
    y_correct: np.ndarray  # (n,) bool
    n_components: np.ndarray  # (n,) int
    errors: np.ndarray = field(default=None)  # (n, 2) x̂ - mu_x, ŷ - mu_y (wrapped if periodic)


def _merge_across_border(labels: np.ndarray, n_labels: int) -> np.ndarray:
    """Periodic canvas: one id for components touching across opposite borders (0 = background)."""
    pairs = []
    for a, b in ((labels[:, :, 0], labels[:, :, -1]), (labels[:, 0, :], labels[:, -1, :])):
        both = (a > 0) & (b > 0)
        pairs.append(np.stack([a[both], b[both]]))
    ends = np.concatenate(pairs, axis=1)
    graph = coo_matrix((np.ones(ends.shape[1]), (ends[0], ends[1])), (n_labels + 1, n_labels + 1))
    _, root = connected_components(graph, directed=False)
    return np.where(labels > 0, root[labels] + 1, 0)  # background (node 0) never joins another


def _components(mask: np.ndarray, periodic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Component id per pixel (0 = background, ids unique over the batch) and count per image."""
    labels, n_labels = ndimage.label(mask, structure=_STRUCTURE)
    n = mask.shape[0]
    if n_labels == 0:
        return labels, np.zeros(n, dtype=int)
    if periodic:
        labels = _merge_across_border(labels, n_labels)
    image_of = np.full(int(labels.max()) + 1, -1)
    image_of[labels.ravel()] = np.repeat(np.arange(n), labels[0].size)  # image of each id
    present = image_of[1:]
    return labels, np.bincount(present[present >= 0], minlength=n)


def _log_parabola_offset(left: np.ndarray, mid: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Vertex of the parabola through (-1, ln l), (0, ln m), (1, ln r): exact for a Gaussian."""
    ll, lm, lr = (np.log(np.clip(v, 1e-6, None)) for v in (left, mid, right))
    curvature = ll - 2 * lm + lr
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = 0.5 * (ll - lr) / curvature
    return np.where(curvature < 0, offset, 0.0)


def _fit_centers(images: np.ndarray, peaks: np.ndarray, periodic: bool) -> np.ndarray:
    """Sub-pixel (x, y) by a 3-point log-parabola fit along each axis around the peak pixel."""
    n, size = images.shape[0], images.shape[1]
    rows, cols = peaks[:, 0], peaks[:, 1]
    idx = np.arange(n)
    out = np.empty((n, 2))
    for axis, (pos, fixed) in enumerate(((cols, rows), (rows, cols))):
        if periodic:
            centre = pos
        else:  # shift the window inward at the border; the fit stays exact for a Gaussian
            centre = np.clip(pos, 1, size - 2)
        lo, hi = (centre - 1) % size, (centre + 1) % size

        def at(p, fixed=fixed, axis=axis):
            return images[idx, fixed, p] if axis == 0 else images[idx, p, fixed]

        offset = _log_parabola_offset(at(lo), at(centre), at(hi))
        out[:, axis] = centre + np.clip(offset, -1.5, 1.5)
    if periodic:
        out %= size
    return out


def _single_centers(images, level, labels, single, detector: Detector, periodic: bool):
    """(n, 2) centre (x, y) of each single-component image, NaN for the others."""
    n, size = images.shape[0], images.shape[-1]
    centers = np.full((n, 2), np.nan)
    if single.any():
        sel = np.flatnonzero(single)
        sub = images[sel] - level[sel]  # the bump above its background, for the fit
        in_bump = labels[sel] > 0
        if detector == "gauss_fit":
            flat = np.where(in_bump, sub, -np.inf).reshape(len(sel), -1).argmax(axis=1)
            peaks = np.stack(np.unravel_index(flat, (size, size)), axis=1)
            centers[sel] = _fit_centers(sub, peaks, periodic)
        else:
            w = np.where(in_bump, sub, 0.0)
            grid = np.arange(size, dtype=np.float64)
            total = w.sum(axis=(1, 2))
            centers[sel, 0] = (w.sum(axis=1) * grid).sum(axis=1) / total
            centers[sel, 1] = (w.sum(axis=2) * grid).sum(axis=1) / total
    return centers


def classify(
    images: np.ndarray,
    targets: np.ndarray,
    tolerance: float = 1.0,
    threshold: float = 0.5,
    detector: Detector = "gauss_fit",
    periodic: bool = False,
    background: Background = "median",
) -> Classification:
    """Outcome of each generated image (module docstring).

    Args:
        images: (n, N, N) on the data scale (bump amplitude 1 on background 0); map generated
            images from [-1, 1] with ``bumpdiff.data.to_data_scale`` first.
        targets: (n, 2) requested (mu_x, mu_y), pixels.
        tolerance: max |error| per axis for "correct", pixels.
        threshold: pixels above it belong to a bump.
        detector: "gauss_fit" (unbiased) or "centroid" (of the thresholded, weighted pixels).
        periodic: components and errors wrap around the border.
        background: "median" (per image) or "zero". Generated images of half-trained models often
            have a raised, uniform background (median 0.3-0.9 on the quick preset's early
            checkpoints); an absolute threshold then makes the whole canvas one "bump".

    Returns:
        Classification with outcome, centres, per-axis correctness and component counts.
    """
    images = np.asarray(images, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64).reshape(-1, 2)
    n, size = images.shape[0], images.shape[-1]
    if background == "median":
        level = np.median(images.reshape(n, -1), axis=1)[:, None, None]  # (n, 1, 1)
    else:
        level = np.zeros((n, 1, 1))
    labels, counts = _components(images > level + threshold, periodic)
    single = counts == 1
    centers = _single_centers(images, level, labels, single, detector, periodic)
    errors = centers - targets
    if periodic:
        errors = (errors + size / 2) % size - size / 2
    with np.errstate(invalid="ignore"):
        x_ok = single & (np.abs(errors[:, 0]) <= tolerance)
        y_ok = single & (np.abs(errors[:, 1]) <= tolerance)
    outcome = np.where(
        counts == 0,
        "none",
        np.where(counts >= 2, "multiple", np.where(x_ok & y_ok, "correct", "mislocated")),
    ).astype("<U10")
    return Classification(outcome, centers, x_ok, y_ok, counts, errors)


def summarize(result: Classification, mask: np.ndarray | None = None) -> dict[str, float]:
    """Accuracy, outcome fractions, per-axis accuracy and localisation error of a classification.

    ``mask`` (n,) bool selects a region of conditions (e.g. held-out ones). Per-axis accuracy is
    over all images (a multi-bump image counts as wrong on both axes). Errors are Euclidean,
    pixels, over single-bump images; NaN when there are none.
    """
    sel = np.ones(len(result.outcome), dtype=bool) if mask is None else np.asarray(mask, bool)
    n = int(sel.sum())
    out: dict[str, float] = {"n": n}
    if n == 0:
        return out
    outcome = result.outcome[sel]
    for name in OUTCOMES:
        out[f"frac_{name}"] = float(np.mean(outcome == name))
    out["accuracy"] = out["frac_correct"]
    out["x_accuracy"] = float(result.x_correct[sel].mean())
    out["y_accuracy"] = float(result.y_correct[sel].mean())
    dist = np.hypot(*result.errors[sel].T)
    dist = dist[np.isfinite(dist)]
    out["mean_error"] = float(dist.mean()) if dist.size else float("nan")
    out["median_error"] = float(np.median(dist)) if dist.size else float("nan")
    return out


def fractions(summary: dict[str, float]) -> dict[str, float]:
    """The outcome fractions of a summary as {"none", "multiple", "mislocated", "correct"}."""
    return {name: summary.get(f"frac_{name}", float("nan")) for name in OUTCOMES}
