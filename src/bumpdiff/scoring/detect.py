"""Finding bumps in generated images; pure and vectorised over the batch (docs/science.md,
"Outcome").

A bump is a peak of the image that stands out by at least ``prominence`` (in units of the training
amplitude, which is 1 on the data scale) in two senses at once:
- its *dynamic* (topographic prominence): to reach an equal or higher peak, a path must descend at
  least ``prominence``; found as the h-maxima of the image (scikit-image morphological
  reconstruction). Plateaus are one peak, and a flank wiggle or a shallow saddle does not split a
  bump: two unit Gaussians of width σ = 1 2.5 px apart, sampled on the pixel grid, have a saddle
  only 0.09 below the lower peak (one bump), at 4 px 0.73 (two bumps);
- its *height above the local floor*: the white top-hat, image minus its grey opening by a square
  of side ``window`` (larger than a bump), must reach ``prominence`` too. This discounts a slowly
  varying background, whose highest point always has a large dynamic (a ramp's top corner is not a
  bump), and does not depend on the image's overall level (a bump on a raised background counts).

The dominant bump is the one standing highest above its floor. Its centre: a 3-point log-parabola
fit along each axis at the peak pixel of the background-subtracted image (exact for a Gaussian, so
unbiased at any sub-pixel offset; at the border the window shifts inward, which stays exact), or,
along an axis on which the peak is a plateau (a bump clamped at the top of the range, or two
pixels that tie), the plateau's centroid.
Its width σ̂ comes from the same fit's curvature. ``threshold_components`` is the threshold
rule (pixels above a level, connected components) for comparisons on the same images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import ndimage
from skimage.morphology import h_maxima

Background = Literal["median", "zero"]

# 8-connectivity inside each image, no connection along the batch axis.
_PEAK = np.zeros((3, 3, 3), dtype=bool)
_PEAK[1] = True
# 4-connectivity inside each image, for the threshold rule's components.
_COMPONENT = np.zeros((3, 3, 3), dtype=bool)
_COMPONENT[1] = ndimage.generate_binary_structure(2, 1)


@dataclass
class Bumps:
    """What ``find_bumps`` found, per image (arrays of length n) and per bump."""

    count: np.ndarray  # (n,) int, bumps per image
    center: np.ndarray  # (n, 2) the dominant bump's (x, y), NaN where there is none
    amplitude: np.ndarray  # (n,) its height above the local floor, NaN where none
    width: np.ndarray  # (n,) its σ̂ (mean over x and y), pixels; NaN if the fit is undefined
    background: np.ndarray  # (n,) the image's median level
    positions: np.ndarray  # (n, k, 2) every bump's (x, y) at its peak, NaN-padded, k = max count


def default_window(sigma: float) -> int:
    """Side of the local-floor window: 2·ceil(2.5σ) + 1 pixels, wider than a bump (ours)."""
    return int(2 * np.ceil(2.5 * sigma) + 1)


def log_parabola_offset(left: np.ndarray, mid: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Vertex of the parabola through (-1, ln l), (0, ln m), (1, ln r): exact for a Gaussian."""
    ll, lm, lr = (np.log(np.clip(v, 1e-6, None)) for v in (left, mid, right))
    curvature = ll - 2 * lm + lr
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = 0.5 * (ll - lr) / curvature
    return np.where(curvature < 0, offset, 0.0)


def _axis_samples(images: np.ndarray, peaks: np.ndarray, axis: int, periodic: bool):
    """(left, mid, right) values around each peak along x (axis 0) or y (axis 1), and the
    centre pixel used (shifted inward at the border unless periodic)."""
    n, size = images.shape[0], images.shape[1]
    idx = np.arange(n)
    pos, fixed = (peaks[:, 1], peaks[:, 0]) if axis == 0 else (peaks[:, 0], peaks[:, 1])
    centre = pos if periodic else np.clip(pos, 1, size - 2)
    values = []
    for p in ((centre - 1) % size, centre, (centre + 1) % size):
        values.append(images[idx, fixed, p] if axis == 0 else images[idx, p, fixed])
    return values, centre


def fit_centers(images: np.ndarray, peaks: np.ndarray, periodic: bool) -> np.ndarray:
    """Sub-pixel (x, y) by a 3-point log-parabola fit along each axis around the peak pixel.

    images: (n, N, N) background-subtracted; peaks: (n, 2) (row, col) of each image's peak.
    """
    out = np.empty((len(images), 2))
    for axis in (0, 1):
        (left, mid, right), centre = _axis_samples(images, peaks, axis, periodic)
        out[:, axis] = centre + np.clip(log_parabola_offset(left, mid, right), -1.5, 1.5)
    if periodic:
        out %= images.shape[1]
    return out


def fit_widths(images: np.ndarray, peaks: np.ndarray, periodic: bool) -> np.ndarray:
    """σ̂ = sqrt(-1 / c), c the second difference of ln(image) at the peak (a Gaussian's
    ln is -r²/2σ² + const), averaged over x and y; NaN where c ≥ 0 (no curvature)."""
    sigmas = []
    for axis in (0, 1):
        (left, mid, right), _ = _axis_samples(images, peaks, axis, periodic)
        ll, lm, lr = (np.log(np.clip(v, 1e-6, None)) for v in (left, mid, right))
        c = ll - 2 * lm + lr
        with np.errstate(divide="ignore", invalid="ignore"):
            sigmas.append(np.where(c < 0, np.sqrt(-1 / c), np.nan))
    return np.mean(sigmas, axis=0)


def _wrap_pad(images: np.ndarray, pad: int, periodic: bool) -> np.ndarray:
    """A periodic canvas is analysed inside a wrapped margin, so peaks see across the border."""
    if not periodic:
        return images
    return np.pad(images, ((0, 0), (pad, pad), (pad, pad)), mode="wrap")


def _label_max(values: np.ndarray, labels: np.ndarray, count: int):
    """Per label 1..count: the largest value and the flat index of a pixel that has it.
    (scipy.ndimage.maximum and maximum_position sort every pixel; this stays linear.)"""
    flat = labels.ravel()
    pixels = np.flatnonzero(flat)
    ids, vals = flat[pixels], values.ravel()[pixels]
    best = np.full(count + 1, -np.inf)
    np.maximum.at(best, ids, vals)
    hit = pixels[vals >= best[ids]]
    _, first = np.unique(flat[hit], return_index=True)
    return best[1:], hit[first]


def _label_image(labels: np.ndarray, count: int) -> np.ndarray:
    """The image of each label 1..count: ndimage.label numbers in C order, so the labels of
    image i all exceed those of image i - 1."""
    last = np.maximum.accumulate(labels.reshape(len(labels), -1).max(axis=1))
    return np.searchsorted(last, np.arange(1, count + 1))


def _candidates(padded: np.ndarray, tophat: np.ndarray, prominence: float):
    """Plateaus of local maxima (no higher 8-neighbour) that stand ``prominence`` above the
    local floor: their pixels, and which images need the dynamic test too (more than one such
    plateau, or one that is not the image's highest point: only then can a shallow saddle
    or a higher peak elsewhere decide)."""
    n = len(padded)
    local = ndimage.maximum_filter(padded, size=(1, 3, 3), mode="nearest") == padded
    labels, count = ndimage.label(local, structure=_PEAK)
    height, _ = _label_max(tophat, labels, count)
    top, _ = _label_max(padded, labels, count)
    image = _label_image(labels, count)
    standing = height >= prominence - 1e-9
    per_image = np.bincount(image[standing], minlength=n)
    highest = padded.reshape(n, -1).max(axis=1)
    is_top = np.zeros(n, dtype=bool)
    is_top[image[standing & (top >= highest[image])]] = True
    keep = np.concatenate([[False], standing])
    return keep[labels], (per_image > 1) | ((per_image == 1) & ~is_top)


def _peaks(images: np.ndarray, prominence: float, window: int, periodic: bool):
    """Every peak that passes both tests: image index, (row, col) of its peak pixel, its
    plateau centroid (row, col), whether the plateau extends along rows / columns, and its
    top-hat height; coordinates on the canvas.
    h-maxima (the costly reconstruction) run only on the images whose candidates need them."""
    size, pad = images.shape[-1], window
    padded = _wrap_pad(images, pad, periodic)
    mode = "wrap" if periodic else "reflect"
    tophat = padded - ndimage.grey_opening(padded, size=(1, window, window), mode=mode)
    maxima, slow = _candidates(padded, tophat, prominence)
    if slow.any() and np.ptp(padded[slow]) >= prominence:  # else h_maxima would find nothing
        maxima[slow] = h_maxima(padded[slow], prominence, footprint=_PEAK).astype(bool)
    labels, count = ndimage.label(maxima, structure=_PEAK)
    height, at = _label_max(tophat, labels, count)
    where = np.stack(np.unravel_index(at, labels.shape), axis=1)  # (count, 3) image, row, col
    plateau = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    coords = np.indices(labels.shape[1:]).reshape(2, -1)  # (2, N·N) row, col of each pixel
    moments = [
        [np.bincount(labels.ravel(), np.tile(c**p, len(labels)), count + 1)[1:] / plateau
         for c in coords]
        for p in (1, 2)
    ]  # fmt: skip
    centroid = np.stack([where[:, 0], *moments[0]], axis=1)  # (count, 3) image, row, col
    spread = np.stack([m2 - m1**2 for m1, m2 in zip(*moments)], axis=1) > 1e-9  # (count, 2)
    keep = height >= prominence - 1e-9
    if periodic:  # each peak once: the copy whose centroid lies on the canvas
        inside = np.all((centroid[:, 1:] >= pad - 0.5) & (centroid[:, 1:] < pad + size - 0.5), 1)
        keep &= inside
        where[:, 1:] = (where[:, 1:] - pad) % size
        centroid[:, 1:] = (centroid[:, 1:] - pad) % size
    return where[keep, 0], where[keep, 1:], centroid[keep, 1:], spread[keep], height[keep], tophat


def find_bumps(
    images: np.ndarray, prominence: float = 0.25, window: int = 7, periodic: bool = False
) -> Bumps:
    """Bumps of each image (module docstring).

    Args:
        images: (n, N, N) on the data scale (bump amplitude 1 on background 0), unclamped or
            clamped to [0, 1]; any level of background.
        prominence: how far a bump must stand out, in units of the training amplitude.
        window: side of the local-floor window, pixels (``default_window(sigma)``).
        periodic: the canvas wraps around (a torus of positions).
    """
    images = np.asarray(images, dtype=np.float64)
    n = images.shape[0]
    img, peak, centroid, extends, height, tophat = _peaks(images, prominence, window, periodic)
    count = np.bincount(img, minlength=n)
    out = Bumps(
        count=count,
        center=np.full((n, 2), np.nan),
        amplitude=np.full(n, np.nan),
        width=np.full(n, np.nan),
        background=np.median(images.reshape(n, -1), axis=1),
        positions=np.full((n, int(count.max(initial=0)), 2), np.nan),
    )
    order = np.lexsort((-height, img))  # by image, highest first
    rank = np.arange(len(order)) - np.searchsorted(img[order], img[order])
    out.positions[img[order], rank] = peak[order][:, ::-1]  # (row, col) → (x, y)
    first = order[rank == 0]  # the dominant bump of each image that has one
    if first.size:
        sel = img[first]
        sub = _local(tophat, window, periodic)[sel]
        fitted = fit_centers(sub, peak[first], periodic)
        flat = extends[first][:, ::-1]  # (x, y): the plateau extends along that axis
        fitted[flat] = centroid[first][:, ::-1][flat]
        out.center[sel] = fitted
        out.amplitude[sel] = height[first]
        width = fit_widths(sub, peak[first], periodic)
        out.width[sel] = np.where(flat.any(axis=1), np.nan, width)
    return out


def _local(tophat: np.ndarray, window: int, periodic: bool) -> np.ndarray:
    """The top-hat (image minus its local floor) on the canvas itself (without the margin)."""
    if not periodic:
        return tophat
    return tophat[:, window:-window, window:-window]


def threshold_components(
    images: np.ndarray, threshold: float = 0.5, background: Background = "median"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The threshold rule, kept to compare with (not periodic): pixels more than ``threshold``
    above the image's median (or above 0), 4-connected components. Returns component ids per
    pixel (unique over the batch), count per image and the level subtracted (n, 1, 1)."""
    n = images.shape[0]
    if background == "median":
        level = np.median(images.reshape(n, -1), axis=1)[:, None, None]
    else:
        level = np.zeros((n, 1, 1))
    labels, n_labels = ndimage.label(images > level + threshold, structure=_COMPONENT)
    image_of = np.repeat(np.arange(n), images[0].size)[labels.ravel() > 0]
    ids = labels.ravel()[labels.ravel() > 0]
    counts = np.zeros(n, dtype=int)
    if n_labels:
        first_image = np.zeros(n_labels + 1, dtype=int)
        first_image[ids] = image_of
        counts = np.bincount(first_image[1:], minlength=n)
    return labels, counts, level
