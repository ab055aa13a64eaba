"""The phase rule on synthetic clouds whose answer is known (A, B and C)."""

import numpy as np
import pytest
from clouds import GRID, sheet

from bumpdiff.probe import phase_of


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


def test_probe_metrics_are_identical_for_identical_seeds():
    cond = np.repeat(GRID, 2, axis=0)
    points = np.repeat(sheet(3), 2, axis=0) + np.random.default_rng(0).normal(0, 0.1, (288, 64))
    a, b = phase_of(points, cond), phase_of(points, cond)
    assert a.metrics == b.metrics and np.array_equal(a.umap, b.umap)
