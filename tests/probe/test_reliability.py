"""Reliability of per-condition means, and the means denoised to their reliable part."""

import numpy as np
import pytest
from clouds import GRID, sheet, with_noise

from bumpdiff.probe.reliability import (
    component_reliability,
    draw_groups,
    half_agreement,
    reliable_means,
    split_half_reliability,
)

RNG = np.random.default_rng(0)


def test_split_half_reliability_known_answers():
    means = sheet(0)[:40]
    same = np.repeat(means[:, None, :], 8, axis=1)
    assert split_half_reliability(same) == pytest.approx(1.0)
    noise = RNG.normal(size=(40, 8, 64))
    assert abs(split_half_reliability(noise)) < 0.15
    noisy = same + RNG.normal(0, 0.3, same.shape)
    assert 0.5 < split_half_reliability(noisy) < 1.0
    assert np.isnan(split_half_reliability(same[:, :1]))


def test_draw_groups_groups_rows_by_condition_whatever_their_order():
    cond = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    acts = np.arange(5.0)[:, None]
    uniq, groups = draw_groups(acts, cond)
    assert uniq.tolist() == [[0.0, 0.0], [1.0, 1.0]]
    assert groups[:, :, 0].tolist() == [[1.0, 3.0], [0.0, 2.0]]  # two rows each, in row order


def test_noise_passes_no_component_while_a_weak_reproducible_sheet_does():
    """Cross-fitting: the half that chooses a direction is not the half scored on it, so the
    leading directions of pure noise are not reliable (the selection would make them look so)."""
    noise = RNG.normal(size=(64, 16, 256))
    assert np.nanmax(component_reliability(noise, 10)) < 0.6
    means, halves, _ = reliable_means(noise, 0.8, 10)
    assert means.shape == (64, 0) and np.isnan(half_agreement(halves, 8))
    grid = GRID[:64]
    weak = with_noise(sheet(0, grid, 256), 0.05, 16).reshape(64, 16, 256)
    means, halves, rel = reliable_means(weak, 0.8, 10)
    assert means.shape[1] >= 2 and rel[0] > 0.9
    assert half_agreement(halves, 8) > 0.9


def test_half_agreement_is_high_for_a_permuted_sheet_and_low_for_a_noisy_one():
    grid = GRID[:64]
    permuted = sheet(1, grid, 256)[RNG.permutation(64)]
    clear = with_noise(permuted, 0.2, 16).reshape(64, 16, 256)
    _, halves, _ = reliable_means(clear, 0.0, 2)
    assert half_agreement(halves, 8) > 0.95
    faint = with_noise(permuted, 0.003, 16).reshape(64, 16, 256)
    _, halves, _ = reliable_means(faint, 0.0, 2)  # floor 0: keep the noisy directions
    assert half_agreement(halves, 8) < 0.8
