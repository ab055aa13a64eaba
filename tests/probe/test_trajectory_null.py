"""Layers with a known answer for the trajectory threshold: a random map of the pixels learns
nothing beyond the pixels, features of μ (or of p) are ordered by μ (or p) alone, the mix holds
its share, and the threshold lies above every value it is given. Inputs are built here (their own
bump renderer), not by the project's."""

import numpy as np

from bumpdiff.probe.trajectory_null import (
    leak_layer,
    learned_cases,
    mixed,
    position_features,
    threshold_above,
)

SIZE, K = 12, 6
GRID = np.stack(np.meshgrid(np.arange(2, 10), np.arange(2, 10)), -1).reshape(-1, 2).astype(float)
PERM = np.random.default_rng(0).permutation(len(GRID))


def _x_t(p: np.ndarray, level: float, seed: int) -> np.ndarray:
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    bumps = [np.exp(-((cols - c[0]) ** 2 + (rows - c[1]) ** 2) / 2.0).ravel() for c in p]
    return level * 10 * np.stack(bumps) + np.random.default_rng(seed).normal(size=(len(p), 144))


def _controls(x: np.ndarray) -> dict[str, np.ndarray]:
    proj = np.random.default_rng(7).normal(size=(SIZE * SIZE, 48))
    return {"untrained": np.tanh(x @ proj / 12), "pixels": x}


def _learned(layer: np.ndarray, x: np.ndarray, p: np.ndarray) -> dict:
    targets = {"condition": GRID, "generated": p}
    return learned_cases({"layer": layer}, _controls(x), targets, K, seed=0)["layer"]


def test_a_random_map_of_the_input_learns_nothing_beyond_it():
    p = GRID[PERM]
    for level in (0.0, 0.3, 0.9):  # no bump, faint, clear
        x = _x_t(p, level, seed=1)
        found = _learned(leak_layer(x, seed=3), x, p)
        for target in ("condition", "generated"):
            point, low, high = found[target]
            assert low < 0.02 and point < 0.05, (level, target, found)  # 0 within reach


def test_features_of_a_position_are_ordered_by_it_beyond_noise_controls():
    p = GRID[PERM]  # a mislocating model: p unrelated to μ
    x = _x_t(p, 0.0, seed=2)  # nothing in the input yet
    by_p = _learned(position_features(p, seed=4), x, p)
    assert by_p["generated"][1] > 0.3 and by_p["condition"][2] < 0.1
    by_mu = _learned(position_features(GRID, seed=4), x, p)
    assert by_mu["condition"][1] > 0.3 and by_mu["generated"][2] < 0.1


def test_rows_without_a_position_get_zero_features():
    p = GRID.copy()
    p[:5] = np.nan
    feats = position_features(p, seed=0)
    assert np.all(feats[:5] == 0) and np.all(np.abs(feats[5:]).sum(axis=1) > 0)


def test_the_mix_holds_the_signal_at_its_share_of_the_variance():
    rng = np.random.default_rng(0)
    base, signal = rng.normal(size=(64, 30)) * 5, rng.normal(size=(64, 10)) + 3
    for share in (0.05, 0.4):
        both = mixed(base, signal, share)
        total = ((both - both.mean(0)) ** 2).sum()
        part = ((both[:, 30:] - both[:, 30:].mean(0)) ** 2).sum()
        assert abs(part / total - share) < 1e-9


def test_the_threshold_is_the_next_hundredth_above_every_value():
    assert threshold_above([0.031, -0.2, float("nan")]) == 0.04
    assert threshold_above([0.04]) == 0.05  # strictly above
    assert threshold_above([-0.3, -0.01]) == 0.0  # never below zero
    assert threshold_above([]) == 0.0
