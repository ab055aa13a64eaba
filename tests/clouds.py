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


def with_noise(signal: np.ndarray, share: float, draws: int, seed: int = 0) -> np.ndarray:
    """``draws`` rows per row of ``signal`` (condition-major): the signal scaled to ``share`` of
    the variance plus independent Gaussian noise for the rest."""
    rng = np.random.default_rng(seed + 1000)
    s = signal - signal.mean(axis=0)
    s = s / max(np.sqrt((s**2).sum(axis=1).mean()), 1e-12)
    rows = np.repeat(s, draws, axis=0)
    noise = rng.normal(size=rows.shape) / np.sqrt(rows.shape[1])
    return np.sqrt(share) * rows + np.sqrt(1 - share) * noise
