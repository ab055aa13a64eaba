"""Between the lattice points: does a generated bump follow its condition, or snap to the
nearest training position? And where does it go over training (concept-space paths, after
Park, Okawa et al. 2024)? Pure functions of positions.

``snapping_index`` projects the generated position onto the segment from the condition c to its
nearest training position q: 0 when the bump lies at the condition (the model generalises
between training points), 1 when it lies at q (it memorised them), in between or beyond along
the way; NaN without a bump or when c is itself a training position (nothing to snap to).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def nearest_training(conditions: np.ndarray, training: np.ndarray) -> np.ndarray:
    """For each condition (n, 2), the nearest training position among ``training`` (m, 2)."""
    _, index = cKDTree(np.asarray(training, float)).query(np.asarray(conditions, float))
    return np.asarray(training, float)[index]


def snapping_index(
    generated: np.ndarray, conditions: np.ndarray, nearest: np.ndarray, atol: float = 1e-9
) -> np.ndarray:
    """(n,) the position of each generated bump along condition → nearest training position
    (module docstring)."""
    g, c, q = (np.asarray(a, float) for a in (generated, conditions, nearest))
    step = q - c
    length = (step**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = ((g - c) * step).sum(axis=1) / length
    return np.where(length > atol, index, np.nan)


def position_paths(
    centers_by_step: dict[int, np.ndarray], conditions: np.ndarray, targets: np.ndarray
) -> dict[str, np.ndarray]:
    """Concept-space paths: for each target condition (k, 2), the mean dominant generated
    position over its draws at every step (steps, k, 2; NaN where no draw had a bump).
    ``centers_by_step``: step → (n, 2) dominant centres of the images of ``conditions`` (n, 2)."""
    steps = sorted(centers_by_step)
    conditions = np.asarray(conditions, float)
    paths = np.full((len(steps), len(targets), 2), np.nan)
    for k, target in enumerate(np.asarray(targets, float)):
        rows = np.flatnonzero(np.all(np.isclose(conditions, target), axis=1))
        for i, step in enumerate(steps):
            found = np.asarray(centers_by_step[step], float)[rows]
            found = found[np.isfinite(found).all(axis=1)]
            if len(found):
                paths[i, k] = found.mean(axis=0)
    return {"steps": np.array(steps), "targets": np.asarray(targets, float), "paths": paths}
