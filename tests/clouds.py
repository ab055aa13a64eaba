"""Synthetic point clouds with known order, shared by the probe tests."""

import numpy as np

from bumpdiff.data import lattice

GRID = lattice(12, 1.0, 1.0, (0, 11), (0, 11))  # 144 conditions


def sheet(seed: int, conditions=GRID, dim: int = 64) -> np.ndarray:
    """A 2D sheet smoothly (nonlinearly) embedded in ``dim`` dimensions."""
    rng = np.random.default_rng(seed)
    u = (conditions - conditions.mean(0)) / np.ptp(conditions, axis=0)
    feats = np.concatenate([u, np.sin(3 * u)], axis=1)
    return np.tanh(feats @ rng.normal(size=(4, dim)))
