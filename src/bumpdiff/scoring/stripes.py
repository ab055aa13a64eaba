"""Outcome of generated stripe and sum-of-stripes images (follow-up paper); pure numpy/scipy.

A vertical stripe at x is bright along its whole column, a horizontal one along its row. So the
image's **median profiles** carry them: m_x(j) = median over rows of column j (vertical stripes;
a horizontal stripe or a 2D bump brightens only a few rows and leaves the median at the floor),
m_y(i) = median over columns of row i. Stripes are the peaks of a median profile that stand out
by ``prominence`` (units of the training amplitude; scipy.signal.find_peaks, the profile padded
with its floor so a stripe at the frame's edge is seen), centred by a log-parabola fit (exact for
a Gaussian; detect.py) above the profile's floor.

Outcome, against the target's expected stripes (one vertical where it has an x, one horizontal
where it has a y; a NaN coordinate expects none): more stripes than expected on an axis →
"multiple"; otherwise fewer → "none"; otherwise "correct" when every found stripe lies within
``tolerance`` of its target, else "mislocated". Per axis: x correct when exactly one vertical
stripe is found, one was expected, and it lies within tolerance.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from bumpdiff.scoring.detect import log_parabola_offset
from bumpdiff.scoring.outcomes import Classification


def median_profiles(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(m_x (n, N) over columns, m_y (n, N) over rows) of (n, N, N) images (rows: y)."""
    return np.median(images, axis=1), np.median(images, axis=2)


def find_stripes(profile: np.ndarray, prominence: float) -> tuple[np.ndarray, float]:
    """Sub-pixel positions of the stripes in one median profile (N,), the most prominent first,
    and that one's height above the profile's floor (0 when there is none)."""
    floor = float(profile.min())
    padded = np.concatenate([[floor], profile, [floor]])
    peaks, props = find_peaks(padded, prominence=prominence)
    if not len(peaks):
        return np.empty(0), 0.0
    order = np.argsort(-props["prominences"])
    peaks = peaks[order]
    lifted = padded - floor + 1e-6
    offset = log_parabola_offset(lifted[peaks - 1], lifted[peaks], lifted[peaks + 1])
    return peaks - 1 + offset, float(profile[peaks[0] - 1] - floor)


def classify_stripes(
    images: np.ndarray,
    targets: np.ndarray,
    tolerance: float = 1.0,
    prominence: float = 0.25,
    raised_level: float = 0.25,
) -> Classification:
    """Outcome of each image against its target (n, 2), NaN = no stripe expected on that axis
    (module docstring)."""
    images = np.asarray(images, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64).reshape(-1, 2)
    n = len(images)
    m_x, m_y = median_profiles(images)
    counts = np.zeros((n, 2), dtype=int)
    centers = np.full((n, 2), np.nan)
    height = np.zeros(n)
    for i in range(n):
        for axis, profile in enumerate((m_x[i], m_y[i])):
            found, top = find_stripes(profile, prominence)
            counts[i, axis] = len(found)
            if len(found):
                centers[i, axis] = found[0]
                height[i] = max(height[i], top)
    expected = np.isfinite(targets).astype(int)
    errors = centers - targets
    with np.errstate(invalid="ignore"):
        near = np.abs(errors) <= tolerance
    axis_ok = (counts == 1) & (expected == 1) & near
    outcome = np.full(n, "mislocated", dtype="<U10")
    placed = (counts == expected).all(axis=1) & (axis_ok | (expected == 0)).all(axis=1)
    outcome[placed] = "correct"
    outcome[(counts < expected).any(axis=1)] = "none"
    outcome[(counts > expected).any(axis=1)] = "multiple"
    background = np.median(images.reshape(n, -1), axis=1)
    return Classification(
        outcome, centers, axis_ok[:, 0], axis_ok[:, 1], counts.sum(axis=1), errors, background,
        background > raised_level, height, np.full(n, np.nan), None, tolerance,
    )  # fmt: skip
