"""Lattices of bump centres: counts, exact values, periodic ends, thinning."""

import numpy as np
import pytest

from bumpdiff.config import ConfigError
from bumpdiff.data import axis_values, lattice, subgrid


@pytest.mark.parametrize(
    ("dx", "dy", "x_range", "y_range", "count"),
    [
        (1.0, 1.0, (2, 9), (2, 9), 64),
        (0.1, 1.0, (2, 9), (2, 9), 71 * 8),
        (1.0, 0.1, (2, 9), (2, 9), 8 * 71),
        (2.0, 1.0, None, None, 6 * 12),
        (0.5, 3.0, (0, 11), (1, 10), 23 * 4),
    ],
)
def test_lattice_counts(dx, dy, x_range, y_range, count):
    pts = lattice(12, dx, dy, x_range, y_range)
    assert pts.shape == (count, 2)
    assert len(np.unique(pts[:, 0])) * len(np.unique(pts[:, 1])) == count


def test_lattice_values_are_exact_multiples():
    xs = axis_values(2.0, 9.0, 0.1)
    assert len(xs) == 71 and xs[-1] == pytest.approx(9.0) and xs[1] == pytest.approx(2.1)


def test_periodic_lattice_drops_the_duplicate_end():
    pts = lattice(8, 1.0, 1.0, (0, 8), (0, 8), periodic=True)
    assert pts[:, 0].max() == 7 and len(pts) == 64


def test_bad_spacing_and_range_are_refused():
    with pytest.raises(ConfigError, match="spacing"):
        lattice(12, 0.0, 1.0)
    with pytest.raises(ConfigError, match="x_range"):
        lattice(12, 1.0, 1.0, (2, 14))


def test_subgrid_keeps_a_regular_grid_and_all_y_rows():
    pts = lattice(12, 0.1, 1.0, (2, 9), (2, 9))
    sub = subgrid(pts, 144)
    assert len(sub) <= 144
    assert len(np.unique(sub[:, 1])) == 8  # the coarse axis is not thinned first
    assert len(sub) == len(np.unique(sub[:, 0])) * 8


def test_permuted_labels_are_a_fixed_bijection_and_targets_undo_it():
    from bumpdiff.config import DataConfig
    from bumpdiff.data import label_permutation, lattice_from_config, targets_for

    plain = DataConfig(size=8, x_range=(1, 6), y_range=(1, 6), dx=1.0, dy=1.0)
    assert (label_permutation(plain, 0) == np.arange(36)).all()
    permuted = plain.model_copy(update={"permute_labels": True})
    pi = label_permutation(permuted, 0)
    assert sorted(pi) == list(range(36)) and (pi != np.arange(36)).mean() > 0.8
    assert (label_permutation(permuted, 0) == pi).all()  # fixed by the seed
    assert not (label_permutation(permuted, 1) == pi).all()
    centers = lattice_from_config(permuted)
    labels = centers[pi]  # the image at centers[i] is labelled labels[i]
    assert np.array_equal(targets_for(permuted, 0, labels), centers)
    assert np.array_equal(targets_for(plain, 0, labels), labels)
    off = np.array([[2.5, 3.5]])
    assert np.array_equal(targets_for(permuted, 0, off), off)  # off the lattice: itself


def test_kept_fraction_is_a_seeded_subset_and_training_uses_only_it():
    import torch

    from bumpdiff.data import lattice_from_config, trained_mask, training_indices
    from bumpdiff.training.loop import training_data
    from tests.conftest import tiny_config

    full = tiny_config()
    assert len(training_indices(full.data, 0)) == len(lattice_from_config(full.data)) == 9
    cfg = tiny_config("data.keep_fraction=0.34")
    kept = training_indices(cfg.data, 0)
    assert len(kept) == 3 and len(set(kept)) == 3  # round(0.34 * 9)
    assert np.array_equal(kept, training_indices(cfg.data, 0))
    assert any(not np.array_equal(kept, training_indices(cfg.data, s)) for s in range(1, 6))
    points = lattice_from_config(cfg.data)
    mask = trained_mask(cfg.data, 0, points)
    assert np.array_equal(np.flatnonzero(mask), kept)
    _, labels = training_data(cfg, torch.device("cpu"))
    assert np.array_equal(labels.numpy(), points[kept].astype(np.float32))
    one = tiny_config("data.keep_fraction=0.01")
    assert len(training_indices(one.data, 0)) == 1  # never empty


def test_off_lattice_points_are_cell_centres_then_inside_the_hull_and_away_from_training():
    from scipy.spatial import cKDTree

    from bumpdiff.data import off_lattice_points

    training = np.stack(np.meshgrid(np.arange(2.0, 10), np.arange(2.0, 10)), -1).reshape(-1, 2)
    points = off_lattice_points(training, 20, seed=0)
    assert points.shape == (20, 2)
    centres, random = points[:10], points[10:]
    assert np.allclose(centres % 1, 0.5)  # the cells' centres, between four training points
    assert (random >= 2).all() and (random <= 9).all()
    assert cKDTree(training).query(points)[0].min() >= 0.25
    assert np.array_equal(points, off_lattice_points(training, 20, seed=0))  # seeded
    assert not np.array_equal(random, off_lattice_points(training, 20, seed=1)[10:])


def test_off_lattice_points_stay_inside_a_triangular_hull():
    """A λ-subset's hull need not be the lattice's box: points outside the triangle are refused
    (a known answer without a box: x + y ≤ 8 inside)."""
    from bumpdiff.data import off_lattice_points

    training = np.array([[0.0, 0], [8, 0], [0, 8], [1, 1], [2, 1], [1, 2]])
    points = off_lattice_points(training, 40, seed=3)
    assert len(points) == 40 and (points.sum(axis=1) <= 8 + 1e-9).all()
    assert off_lattice_points(np.array([[1.0, 2], [3, 2]]), 5, seed=0).shape == (0, 2)
    assert off_lattice_points(np.array([[1.0, 1], [2, 2], [3, 3]]), 5, seed=0).shape == (0, 2)
