"""The generated positions' order, on positions with a known answer."""

import numpy as np
from clouds import GRID

from bumpdiff.probe.behaviour import behaviour_order


def test_positions_that_follow_the_conditions_are_ordered_and_shuffled_ones_are_not():
    rng = np.random.default_rng(0)
    cond = np.repeat(GRID, 2, axis=0)
    placed = cond + rng.normal(0, 0.2, cond.shape)
    good = behaviour_order(placed, cond)
    assert good["coverage"] == 1 and good["trustworthiness"] > 0.95 and good["r2_x"] > 0.95
    shuffled = behaviour_order(placed[rng.permutation(len(placed))], cond)
    assert shuffled["trustworthiness"] < 0.7 and shuffled["r2_x"] < 0.2


def test_images_without_a_bump_are_left_out_and_counted_in_coverage():
    cond = GRID[:20]
    centers = cond.copy()
    centers[::2] = np.nan
    out = behaviour_order(centers, cond)
    assert out["coverage"] == 0.5 and np.isfinite(out["trustworthiness"])
    none = behaviour_order(np.full_like(cond, np.nan), cond)
    assert none["coverage"] == 0 and np.isnan(none["trustworthiness"])
