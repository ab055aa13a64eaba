"""Between the lattice points: does a generated bump follow its condition, or snap to the
nearest training position? And where does it go over training (concept-space paths, after
Park, Okawa et al. 2024)? Pure functions of positions.

``snapping_index`` compares the generated position g with the condition c and with the training
positions T: s = |g − c| / (|g − c| + min_t |g − t|). It is 0 when the bump lies at the condition
(the model generalises between training points), 1 when it lies on a training position (it
memorised them), the fraction of the way along the segment between them, and it needs no single
"nearest" training position (a cell's centre has four); NaN without a bump or when c is itself a
training position (nothing to snap to).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def nearest_training(conditions: np.ndarray, training: np.ndarray) -> np.ndarray:
    """For each condition (n, 2), the nearest training position among ``training`` (m, 2)."""
    _, index = cKDTree(np.asarray(training, float)).query(np.asarray(conditions, float))
    return np.asarray(training, float)[index]


def snapping_index(
    generated: np.ndarray, conditions: np.ndarray, training: np.ndarray, atol: float = 1e-6
) -> np.ndarray:
    """(n,) where each generated bump (n, 2) lies between its condition (n, 2) and the training
    positions (m, 2) (module docstring)."""
    g, c = np.asarray(generated, float), np.asarray(conditions, float)
    tree = cKDTree(np.asarray(training, float))
    to_condition = np.sqrt(((g - c) ** 2).sum(axis=1))
    to_training = np.full(len(g), np.nan)
    found = np.isfinite(g).all(axis=1)
    to_training[found] = tree.query(g[found])[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        index = to_condition / (to_condition + to_training)
    on_lattice = tree.query(c)[0] <= atol
    index[to_condition + to_training <= atol] = 0.0  # g = c = a training position: excluded below
    return np.where(on_lattice | ~found, np.nan, index)


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
