"""The shared bootstrap of mean accuracy curves: seeds resampled, each drawn seed's images
redrawn; known answers where the draws cannot vary, and the binomial spread where they can."""

import numpy as np
import pytest

from bumpdiff.experiments.resample import bootstrap_curves


def test_certain_seeds_give_the_same_curve_in_every_replicate():
    curves = bootstrap_curves([[0.0, 0.0], [1.0, 1.0, 1.0]], 50, 200, np.random.default_rng(0))
    assert curves.shape == (200, 2) and (curves[:, 0] == 0).all() and (curves[:, 1] == 1).all()


def test_one_seed_varies_by_its_images_and_two_seeds_by_which_are_drawn():
    """One seed at 0.5 on 400 images: the replicates' SD is √(0.25/400) = 0.025. Two seeds at 0
    and 1 with many images: a replicate's mean is 0, 0.5 or 1 as the draw picks them."""
    rng = np.random.default_rng(1)
    (one,) = bootstrap_curves([[0.5]], 400, 4000, rng).T
    assert one.mean() == pytest.approx(0.5, abs=0.002) and one.std() == pytest.approx(
        0.025, rel=0.1
    )
    (two,) = bootstrap_curves([[0.0, 1.0]], 10_000, 2000, rng).T
    assert set(np.round(two, 1)) == {0.0, 0.5, 1.0}
    assert (np.round(two, 1) == 0.5).mean() == pytest.approx(0.5, abs=0.05)
