"""Snapping index and concept-space paths on positions with a known answer: a bump at the
condition scores 0, at the nearest training position 1, half way 0.5; paths follow synthetic
checkpoints whose positions are known."""

import numpy as np

from bumpdiff.scoring.snapping import nearest_training, position_paths, snapping_index

LATTICE = np.stack(np.meshgrid(np.arange(2.0, 10), np.arange(2.0, 10)), -1).reshape(-1, 2)


def test_the_index_is_0_at_the_condition_1_at_the_training_point_and_between():
    cond = np.array([[3.4, 5.0], [3.4, 5.0], [3.4, 5.0], [6.0, 6.2]])
    near = nearest_training(cond, LATTICE)
    assert np.allclose(near, [[3, 5], [3, 5], [3, 5], [6, 6]])
    generated = np.array([[3.4, 5.0], [3.0, 5.0], [3.2, 5.0], [6.0, 6.0]])
    assert np.allclose(snapping_index(generated, cond, LATTICE), [0, 1, 0.5, 1])


def test_a_cell_centre_snaps_to_any_of_its_four_corners():
    """No tie to break: the centre of a cell is as near to each corner, and a bump on any corner
    scores 1, one at the centre 0, one a quarter of the way to a corner 0.25."""
    cond = np.full((4, 2), 4.5)
    generated = np.array([[4.0, 4.0], [5.0, 5.0], [4.5, 4.5], [4.375, 4.375]])
    assert np.allclose(snapping_index(generated, cond, LATTICE), [1, 1, 0, 0.25])


def test_beyond_the_training_position_still_counts_as_snapped_towards_it():
    """A bump past the corner, away from the condition: nearer a training position than the
    condition, so the index is above one half; control for a metric that only reads |g − c|."""
    index = snapping_index(np.array([[2.9, 5.0]]), np.array([[3.4, 5.0]]), LATTICE)
    assert 0.5 < index[0] < 1


def test_no_bump_or_a_condition_on_the_lattice_gives_nan():
    cond = np.array([[4.0, 4.0], [4.5, 4.0]])
    generated = np.array([[4.0, 4.0], [np.nan, np.nan]])
    assert np.isnan(snapping_index(generated, cond, LATTICE)).all()


def test_paths_follow_synthetic_checkpoints():
    targets = np.array([[3.0, 3.0], [7.5, 4.5]])
    conditions = np.repeat(targets, 2, axis=0)  # two draws each
    centers = {
        0: np.array([[8, 8], [8, 8], [np.nan, np.nan], [np.nan, np.nan]], float),
        10: np.array([[5, 4], [5, 6], [7, 4], [8, 5]], float),
        100: np.array([[3, 3], [3, 3], [7.5, 4.5], [7.5, 4.5]], float),
    }
    found = position_paths(centers, conditions, targets)
    assert list(found["steps"]) == [0, 10, 100]
    assert np.allclose(found["paths"][:, 0], [[8, 8], [5, 5], [3, 3]])
    assert np.isnan(found["paths"][0, 1]).all() and np.allclose(found["paths"][2, 1], [7.5, 4.5])
