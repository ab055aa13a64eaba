"""Known answers of the order metrics on lattice-sampled clouds."""

import numpy as np
import pytest
from clouds import GRID, sheet

from bumpdiff.probe import condition_share, knn_overlap, local_pca_dimension


def test_condition_share_known_answers():
    rng = np.random.default_rng(0)
    cond = np.repeat(GRID[:50], 4, axis=0)
    assert abs(condition_share(rng.normal(size=(200, 30)), cond)) < 0.05  # chance-corrected
    signal = np.repeat(rng.normal(size=(50, 30)), 4, axis=0)
    assert condition_share(signal, cond) == pytest.approx(1.0)
    assert np.isnan(condition_share(signal[::4], cond[::4]))


def test_knn_overlap_is_tie_robust_and_chance_for_shuffles():
    assert knn_overlap(GRID, GRID * 3.0 + 1.0, k=8) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    shuffled = knn_overlap(GRID, GRID[rng.permutation(len(GRID))], k=8)
    assert shuffled < 0.15


def test_local_pca_dimension_on_lattice_samples():
    assert local_pca_dimension(sheet(0), k=8) == 2
    flat3 = np.concatenate([GRID, np.zeros((len(GRID), 5))], axis=1)
    assert local_pca_dimension(flat3, k=8) == 2
    rng = np.random.default_rng(0)
    assert local_pca_dimension(rng.normal(size=(144, 64)), k=8) >= 5
