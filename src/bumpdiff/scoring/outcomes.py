"""Outcome of each generated image and accuracy overall, per axis, per region; pure and vectorised.

docs/science.md, "Outcome": the bumps of each image are found by prominence
(``detect.find_bumps``: peaks that stand out by ``prominence`` from their local floor and from
the saddle to any higher peak), whatever the image's overall level; 0 bumps → "none", ≥ 2 →
"multiple"; exactly 1 → "correct" when its centre lies within ``tolerance`` pixels of the target
along both axes, else "mislocated". The background level is a separate axis (``raised``: the
image's median above ``raised_level``), so a correct bump on a grey canvas is correct *and* raised.
The dominant bump's centre, amplitude and width are recorded for every image that has a bump.

``classify_threshold`` is the threshold rule (pixels more than half the amplitude above the
image's median, or above 0; connected components), kept to compare with on the same images: on
clamped images with a background ≥ 0.5 the median rule can never see a bump.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bumpdiff.scoring.coupling import joint_excess
from bumpdiff.scoring.detect import (
    Background,
    default_window,
    find_bumps,
    fit_centers,
    threshold_components,
)

OUTCOMES: tuple[str, ...] = ("none", "multiple", "mislocated", "correct")
Detector = Literal["gauss_fit", "centroid"]


@dataclass
class Classification:
    """Per-image results of ``classify``; arrays of length n."""

    outcome: np.ndarray  # (n,) str, one of OUTCOMES
    centers: np.ndarray  # (n, 2) the dominant bump's (x, y); NaN where there is no bump
    x_correct: np.ndarray  # (n,) bool, single-bump images with |x̂ - mu_x| <= tolerance
    y_correct: np.ndarray  # (n,) bool
    n_bumps: np.ndarray  # (n,) int
    errors: np.ndarray = field(default=None)  # (n, 2) x̂ - mu_x, ŷ - mu_y (wrapped if periodic)
    background: np.ndarray = field(default=None)  # (n,) the image's median level
    raised: np.ndarray = field(default=None)  # (n,) bool, background above the raised level
    amplitude: np.ndarray = field(default=None)  # (n,) dominant bump above its local floor
    width: np.ndarray = field(default=None)  # (n,) its σ̂, pixels
    positions: np.ndarray = field(default=None)  # (n, k, 2) every bump's peak pixel (x, y)
    tolerance: float | tuple[float, float] = 1.0  # pixels, per axis (or (x, y)), as classified


def axis_tolerances(tolerance) -> np.ndarray:
    """(2,) the tolerance along x and along y: one number for both, or a pair (x, y)."""
    return np.broadcast_to(np.asarray(tolerance, dtype=np.float64), (2,))


def _outcomes(counts, centers, targets, tolerance, size, periodic):
    """Outcome names, per-axis correctness (single-bump images) and errors of the centres."""
    errors = centers - targets
    if periodic:
        errors = (errors + size / 2) % size - size / 2
    single = counts == 1
    tol_x, tol_y = axis_tolerances(tolerance)
    with np.errstate(invalid="ignore"):
        x_ok = single & (np.abs(errors[:, 0]) <= tol_x)
        y_ok = single & (np.abs(errors[:, 1]) <= tol_y)
    outcome = np.full(len(counts), "mislocated", dtype="<U10")
    outcome[x_ok & y_ok] = "correct"
    outcome[counts >= 2] = "multiple"
    outcome[counts == 0] = "none"
    return outcome, x_ok, y_ok, errors


def classify(
    images: np.ndarray,
    targets: np.ndarray,
    tolerance: float = 1.0,
    prominence: float = 0.25,
    window: int | None = None,
    periodic: bool = False,
    raised_level: float = 0.25,
) -> Classification:
    """Outcome of each generated image by bump prominence (module docstring).

    Args:
        images: (n, N, N) on the data scale (bump amplitude 1 on background 0), unclamped or
            clamped; map generated images from [-1, 1] with ``bumpdiff.data.to_data_scale``.
        targets: (n, 2) requested (mu_x, mu_y), pixels.
        tolerance: max |error| per axis for "correct", pixels; a pair (x, y) sets each axis.
        prominence: how far a bump stands out, units of the training amplitude.
        window: side of the local-floor window, pixels (None: ``default_window(1.0)``).
        periodic: bumps, components and errors wrap around the border.
        raised_level: a median above this counts as a raised background.
    """
    images = np.asarray(images, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64).reshape(-1, 2)
    bumps = find_bumps(images, prominence, window or default_window(1.0), periodic)
    outcome, x_ok, y_ok, errors = _outcomes(
        bumps.count, bumps.center, targets, tolerance, images.shape[-1], periodic
    )
    return Classification(
        outcome,
        bumps.center,
        x_ok,
        y_ok,
        bumps.count,
        errors,
        bumps.background,
        bumps.background > raised_level,
        bumps.amplitude,
        bumps.width,
        bumps.positions,
        tolerance,
    )


def classify_threshold(
    images: np.ndarray,
    targets: np.ndarray,
    tolerance: float = 1.0,
    threshold: float = 0.5,
    background: Background = "median",
    detector: Detector = "gauss_fit",
) -> Classification:
    """The threshold rule (module docstring), kept to compare with: one component above
    ``threshold`` over the median (or 0) is one bump; its centre by log-parabola fit at the
    component's peak or by the centroid of its thresholded, weighted pixels."""
    images = np.asarray(images, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64).reshape(-1, 2)
    n, size = images.shape[0], images.shape[-1]
    labels, counts, level = threshold_components(images, threshold, background)
    centers = np.full((n, 2), np.nan)
    sel = np.flatnonzero(counts == 1)
    if sel.size:
        sub = images[sel] - level[sel]  # the bump above its background
        in_bump = labels[sel] > 0
        if detector == "gauss_fit":
            flat = np.where(in_bump, sub, -np.inf).reshape(len(sel), -1).argmax(axis=1)
            peaks = np.stack(np.unravel_index(flat, (size, size)), axis=1)
            centers[sel] = fit_centers(sub, peaks, periodic=False)
        else:
            w = np.where(in_bump, sub, 0.0)
            grid = np.arange(size, dtype=np.float64)
            total = w.sum(axis=(1, 2))
            centers[sel, 0] = (w.sum(axis=1) * grid).sum(axis=1) / total
            centers[sel, 1] = (w.sum(axis=2) * grid).sum(axis=1) / total
    outcome, x_ok, y_ok, errors = _outcomes(counts, centers, targets, tolerance, size, False)
    return Classification(outcome, centers, x_ok, y_ok, counts, errors, tolerance=tolerance)


def confusion(a: Classification, b: Classification) -> list[list[int]]:
    """4×4 counts: row = outcome under ``a``, column = under ``b`` (order of OUTCOMES)."""
    index = {o: i for i, o in enumerate(OUTCOMES)}
    table = np.zeros((4, 4), dtype=int)
    np.add.at(table, ([index[o] for o in a.outcome], [index[o] for o in b.outcome]), 1)
    return table.tolist()


def summarize(result: Classification, mask: np.ndarray | None = None) -> dict[str, float]:
    """Accuracy, outcome fractions, per-axis accuracy and localisation error of a classification.

    ``mask`` (n,) bool selects a region of conditions (e.g. held-out ones). Two per-axis
    accuracies: ``x_accuracy`` over all images, counting single-bump images only (the
    single-bump definition: x and y then share the single-bump fraction as a factor, so their curves
    correlate whatever the network does), and ``x_accuracy_dominant``, the share of images *with
    a bump* whose dominant bump is within tolerance along x, which does not depend on how many
    images have one bump (the same for y). ``x_median_error``: median |x̂ - mu_x| of the dominant
    bumps. Errors are Euclidean, pixels, over the dominant bumps; NaN when there are none.
    ``frac_bump``: images with at least one bump; ``frac_raised``: on a raised background.
    ``xy_*_dominant``: among images with a bump, P(x and y right) against P(x right)·P(y right)
    and their difference with a bootstrap interval (scoring/coupling.py: an excess means the
    axes are placed right together more often than independent axes would be).
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
    errors = result.errors[sel]
    has = np.isfinite(errors[:, 0])
    out["frac_bump"] = float(has.mean())
    tol = axis_tolerances(result.tolerance)
    for axis, name in enumerate("xy"):
        err = np.abs(errors[has, axis])
        out[f"{name}_accuracy_dominant"] = (
            float(np.mean(err <= tol[axis])) if err.size else float("nan")
        )
        out[f"{name}_median_error"] = float(np.median(err)) if err.size else float("nan")
    right = np.abs(errors[has]) <= tol  # (bumps, 2): each axis within its tolerance
    coupling = joint_excess(right[:, 0], right[:, 1])
    out |= {f"xy_{k}_dominant": v for k, v in coupling.items()}
    if result.raised is not None:
        out["frac_raised"] = float(result.raised[sel].mean())
    return out
