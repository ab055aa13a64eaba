"""Known-answer tests of the order metrics and the phase rule on synthetic point clouds."""

import numpy as np
import pytest
import torch

from bumpdiff.data import lattice
from bumpdiff.probe import (
    capture_activations,
    condition_share,
    knn_overlap,
    local_pca_dimension,
    phase_of,
    probe_inputs,
)
from bumpdiff.train import init_model

GRID = lattice(12, 1.0, 1.0, (0, 11), (0, 11))  # 144 conditions


def sheet(seed: int, conditions=GRID, dim: int = 64) -> np.ndarray:
    """A 2D sheet smoothly (nonlinearly) embedded in ``dim`` dimensions."""
    rng = np.random.default_rng(seed)
    u = (conditions - conditions.mean(0)) / np.ptp(conditions, axis=0)
    feats = np.concatenate([u, np.sin(3 * u)], axis=1)
    return np.tanh(feats @ rng.normal(size=(4, dim)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_phase_rule_on_synthetic_clouds(seed):
    rng = np.random.default_rng(seed + 100)
    points = sheet(seed)
    assert phase_of(points, GRID).phase == "C"
    assert phase_of(points, GRID[rng.permutation(len(GRID))]).phase == "B"
    assert phase_of(rng.normal(size=points.shape), GRID).phase == "A"


@pytest.mark.parametrize("seed", [0, 1])
def test_phase_rule_with_several_draws_per_condition(seed):
    rng = np.random.default_rng(seed)
    cond = np.repeat(GRID, 4, axis=0)
    follows_condition = np.repeat(sheet(seed), 4, axis=0) + rng.normal(0, 0.05, (len(cond), 64))
    assert phase_of(follows_condition, cond).phase == "C"
    # the layer follows its noise input: a sheet in the *noise*, not in the condition
    noise_driven = sheet(seed, conditions=rng.uniform(0, 11, (len(cond), 2)))
    result = phase_of(noise_driven, cond)
    assert result.phase == "A" and result.metrics["condition_share"] < 0.1


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


def test_probe_metrics_are_identical_for_identical_seeds():
    cond = np.repeat(GRID, 2, axis=0)
    points = np.repeat(sheet(3), 2, axis=0) + np.random.default_rng(0).normal(0, 0.1, (288, 64))
    a, b = phase_of(points, cond), phase_of(points, cond)
    assert a.metrics == b.metrics and np.array_equal(a.umap, b.umap)


def test_probe_inputs_and_capture(tiny):
    model = init_model(tiny).eval()
    cond = lattice(8, 2.0, 2.0, (1, 6), (1, 6))  # 9 conditions
    abar = torch.linspace(0.99, 0.01, 50)
    x, c = probe_inputs(cond, 3, "noise", 8, seed=5, t=49, abar=abar)
    assert x.shape == (27, 1, 8, 8) and c.shape == (27, 2)
    assert not torch.equal(x[0], x[1])  # independent draws
    x2, _ = probe_inputs(cond, 3, "noise", 8, seed=5, t=49, abar=abar)
    assert torch.equal(x, x2)  # fixed across checkpoints
    xs, _ = probe_inputs(cond, 3, "shared_noise", 8, seed=5, t=49, abar=abar)
    assert torch.equal(xs[0], xs[3]) and not torch.equal(xs[0], xs[1])
    xd, _ = probe_inputs(cond, 1, "noised_data", 8, seed=5, t=0, abar=abar)
    assert xd[0, 0].argmax() == 1 * 8 + 1  # the bump at (1, 1) shows through at t = 0
    acts = capture_activations(model, "layer4", x, c, 49, batch_size=10)
    assert acts.shape == (27, 16 * 4 * 4)
    mid = capture_activations(model, "mid", x, c, 49)
    assert mid.shape == (27, 16 * 4 * 4) and not np.allclose(acts, mid)
